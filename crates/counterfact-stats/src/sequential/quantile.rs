//! Confidence sequences for a quantile, and the two-sample sequential test of equal quantiles
//! (e.g. p90 play delay, treatment against control).
//!
//! Howard & Ramdas (2022), "Sequential estimation of quantiles with applications to A/B-testing
//! and best-arm identification", Bernoulli 28(3), doi:10.3150/21-BEJ1388. For the p-quantile q of
//! a continuous distribution, the count k_n(q) = #{i ≤ n : X_i ≤ q} is Binomial(n, p), and the
//! beta-binomial mixture of its likelihood ratio (Howard, Ramdas, McAuliffe & Sekhon 2021,
//! Ann. Statist. 49(2), Prop. 7, with range [−p, 1 − p]) is the nonnegative martingale
//! M_n(k) = B(r/p + n − k, r/(1 − p) + k) / B(r/p, r/(1 − p)) / (p^k (1 − p)^(n − k)),
//! the Bayes factor of π ~ Beta(r/(1 − p), r/p) (prior mean p) against π = p. By Ville's
//! inequality {q : M_n(k_n(q)) < 1/α} covers q at all n with probability ≥ 1 − α (for ties the
//! lower end uses #{X ≤ q} and the upper #{X < q}, both supermartingales). The mixing weight r
//! is tuned so that the boundary is tightest near `tuning_n` observations (confseq's
//! `optimal_r`: r = max(ρ − p(1 − p), 10⁻³ p(1 − p)) with ρ the two-sided normal-mixture optimum
//! for variance N* p(1 − p)).
//!
//! Two arms (the paper's §5, A/B testing): under H₀ the arms share the p-quantile x, so the
//! product of the two arms' martingales at x is a martingale; since x is unknown, its infimum
//! over x, each arm minimized over the counts consistent with x being its quantile, is a lower
//! bound and min(1, 1/inf) an always-valid p-value.

use serde::Serialize;

use super::check_alpha;
use crate::dist::special::ln_gamma;
use crate::error::{Result, StatsError};

/// Mixing weight r of the beta-binomial boundary for quantile level `p`, level `alpha`, tightest
/// near `tuning_n` observations (Howard & Ramdas 2022; confseq `BetaBinomialMixture::optimal_r`).
pub fn beta_binomial_r(p: f64, alpha: f64, tuning_n: f64) -> Result<f64> {
    check_level(p)?;
    check_alpha(alpha)?;
    if !(tuning_n.is_finite() && tuning_n > 0.0) {
        return Err(StatsError::invalid(
            "tuning_n",
            tuning_n,
            "must be finite and positive",
        ));
    }
    let l = 2.0 * (1.0 / alpha).ln();
    let pq = p * (1.0 - p);
    let rho = tuning_n * pq / (l + (1.0 + l).ln());
    Ok((rho - pq).max(1e-3 * pq))
}

/// ln M_n(k): the beta-binomial mixture martingale (Howard & Ramdas 2022) after `n`
/// observations of which `k` (real, 0 ≤ k ≤ n) lie at or below the candidate p-quantile.
pub fn quantile_log_mixture(k: f64, n: f64, p: f64, r: f64) -> f64 {
    let (a, b) = (r / p, r / (1.0 - p));
    ln_gamma(a + n - k) + ln_gamma(b + k) - ln_gamma(a + b + n) - ln_gamma(a) - ln_gamma(b)
        + ln_gamma(a + b)
        - k * p.ln()
        - (n - k) * (-p).ln_1p()
}

fn check_level(p: f64) -> Result<()> {
    if !(p.is_finite() && p > 0.0 && p < 1.0) {
        return Err(StatsError::invalid(
            "p",
            p,
            "quantile level must lie in (0, 1)",
        ));
    }
    Ok(())
}

/// Digamma by recurrence to x ≥ 6 and the asymptotic series (error < 1e-14 there).
fn digamma(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 6.0 {
        acc -= 1.0 / x;
        x += 1.0;
    }
    let i2 = 1.0 / (x * x);
    acc + x.ln()
        - 0.5 / x
        - i2 * (1.0 / 12.0
            - i2 * (1.0 / 120.0 - i2 * (1.0 / 252.0 - i2 * (1.0 / 240.0 - i2 / 132.0))))
}

/// The real count κ* in [0, n] minimizing ln M_n (convex in k): the root of
/// ψ(b + k) − ψ(a + n − k) = ln(p / (1 − p)), by bisection.
fn minimizing_count(n: f64, p: f64, r: f64) -> f64 {
    let (a, b) = (r / p, r / (1.0 - p));
    let target = p.ln() - (-p).ln_1p();
    let slope = |k: f64| digamma(b + k) - digamma(a + n - k) - target;
    if slope(0.0) >= 0.0 {
        return 0.0;
    }
    if slope(n) <= 0.0 {
        return n;
    }
    let (mut lo, mut hi) = (0.0, n);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if slope(mid) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The integer counts k with ln M_n(k) < ln(1/α), as [k_lo, k_hi] (a sublevel set of a convex
/// function, so an interval around the minimizer).
fn accepted_counts(n: u64, p: f64, r: f64, ln_threshold: f64) -> (u64, u64) {
    let nf = n as f64;
    let f = |k: u64| quantile_log_mixture(k as f64, nf, p, r);
    let center = (minimizing_count(nf, p, r).round() as u64).min(n);
    // ln M at its minimum is ≤ 0 < ln(1/α), so `center` is accepted.
    let (mut lo, mut hi) = (0u64, center);
    if f(0) >= ln_threshold {
        // Smallest accepted k in (0, center]: f(lo) rejected, f(hi) accepted.
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if f(mid) < ln_threshold {
                hi = mid;
            } else {
                lo = mid;
            }
        }
    } else {
        hi = 0;
    }
    let k_lo = hi;
    let (mut lo, mut hi) = (center, n);
    if f(n) >= ln_threshold {
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if f(mid) < ln_threshold {
                lo = mid;
            } else {
                hi = mid;
            }
        }
    } else {
        lo = n;
    }
    (k_lo, lo)
}

/// Sorted observations with batches merged in at each look (O(n) per look).
#[derive(Debug, Clone, PartialEq, Default)]
struct SortedStream {
    sorted: Vec<f64>,
    pending: Vec<f64>,
}

impl SortedStream {
    fn extend(&mut self, what: &str, xs: &[f64]) -> Result<()> {
        if let Some(i) = xs.iter().position(|x| x.is_nan()) {
            return Err(StatsError::NonFinite {
                what: what.into(),
                index: i,
                value: xs[i],
            });
        }
        self.pending.extend_from_slice(xs);
        Ok(())
    }

    fn settle(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        self.pending.sort_unstable_by(f64::total_cmp);
        let old = std::mem::take(&mut self.sorted);
        let mut merged = Vec::with_capacity(old.len() + self.pending.len());
        let (mut i, mut j) = (0, 0);
        while i < old.len() && j < self.pending.len() {
            if old[i] <= self.pending[j] {
                merged.push(old[i]);
                i += 1;
            } else {
                merged.push(self.pending[j]);
                j += 1;
            }
        }
        merged.extend_from_slice(&old[i..]);
        merged.extend_from_slice(&self.pending[j..]);
        self.pending.clear();
        self.sorted = merged;
    }

    fn len(&self) -> usize {
        self.sorted.len()
    }

    /// Order statistic x_(k), 1-based; k is clamped to [1, n] (n ≥ 1).
    fn order(&self, k: u64) -> f64 {
        let n = self.sorted.len();
        self.sorted[(k as usize).clamp(1, n) - 1]
    }

    fn count_less(&self, x: f64) -> usize {
        self.sorted.partition_point(|&y| y < x)
    }

    fn count_less_equal(&self, x: f64) -> usize {
        self.sorted.partition_point(|&y| y <= x)
    }

    /// Sample p-quantile x_(⌈np⌉).
    fn estimate(&self, p: f64) -> f64 {
        match self.sorted.len() {
            0 => f64::NAN,
            n => self.order((n as f64 * p).ceil() as u64),
        }
    }

    /// The beta-binomial interval [x_(k_lo), x_(k_hi + 1)] at level ln(1/α) (±inf beyond the
    /// sample).
    fn interval(&self, p: f64, r: f64, ln_threshold: f64) -> [f64; 2] {
        let n = self.sorted.len() as u64;
        if n == 0 {
            return [f64::NEG_INFINITY, f64::INFINITY];
        }
        let (k_lo, k_hi) = accepted_counts(n, p, r, ln_threshold);
        let lo = if k_lo == 0 {
            f64::NEG_INFINITY
        } else {
            self.order(k_lo)
        };
        let hi = if k_hi >= n {
            f64::INFINITY
        } else {
            self.order(k_hi + 1)
        };
        [lo, hi]
    }
}

/// A quantile confidence sequence at the last look.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuantileSequenceResult {
    /// Method name.
    pub method: String,
    /// Quantile level p.
    pub p: f64,
    /// Sample p-quantile (order statistic ⌈np⌉) at the last look.
    pub estimate: f64,
    /// Confidence sequence: intersection of the intervals of all looks so far.
    pub cs: [f64; 2],
    /// Interval of the last look alone.
    pub cs_look: [f64; 2],
    /// Significance level α.
    pub alpha: f64,
    /// Observations so far.
    pub n: u64,
    /// Number of looks.
    pub looks: u64,
}

/// Streaming beta-binomial confidence sequence for the p-quantile of one stream (Howard &
/// Ramdas 2022); each look costs O(n) (merging the new batch) plus O(log n) boundary evaluations.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantileSequence {
    p: f64,
    alpha: f64,
    r: f64,
    data: SortedStream,
    estimate: f64,
    look: [f64; 2],
    lo: f64,
    hi: f64,
    looks: u64,
}

impl QuantileSequence {
    /// A sequence for the `p`-quantile at level `alpha`, tightest near `tuning_n` observations.
    pub fn new(p: f64, alpha: f64, tuning_n: f64) -> Result<Self> {
        let r = beta_binomial_r(p, alpha, tuning_n)?;
        Ok(QuantileSequence {
            p,
            alpha,
            r,
            data: SortedStream::default(),
            estimate: f64::NAN,
            look: [f64::NEG_INFINITY, f64::INFINITY],
            lo: f64::NEG_INFINITY,
            hi: f64::INFINITY,
            looks: 0,
        })
    }

    /// The mixing weight r in use.
    pub fn r(&self) -> f64 {
        self.r
    }

    /// Adds observations (must not be NaN; ±inf are allowed).
    pub fn extend(&mut self, xs: &[f64]) -> Result<()> {
        self.data.extend("quantile stream", xs)
    }

    /// Takes a look: the interval of order statistics whose counts keep M_n below 1/α,
    /// intersected with the previous looks.
    pub fn look(&mut self) -> QuantileSequenceResult {
        self.data.settle();
        if self.data.len() == 0 {
            return self.result();
        }
        let ci = self.data.interval(self.p, self.r, -self.alpha.ln());
        self.estimate = self.data.estimate(self.p);
        self.look = ci;
        self.lo = self.lo.max(ci[0]);
        self.hi = self.hi.min(ci[1]);
        self.looks += 1;
        self.result()
    }

    /// The result as of the last look.
    pub fn result(&self) -> QuantileSequenceResult {
        QuantileSequenceResult {
            method: "quantile confidence sequence (Howard & Ramdas 2022, beta-binomial mixture)"
                .into(),
            p: self.p,
            estimate: self.estimate,
            cs: [self.lo, self.hi],
            cs_look: self.look,
            alpha: self.alpha,
            n: (self.data.len() + self.data.pending.len()) as u64,
            looks: self.looks,
        }
    }
}

/// The two-sample quantile test at the last look.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuantileAbResult {
    /// Method name.
    pub method: String,
    /// Quantile level p.
    pub p: f64,
    /// Sample p-quantiles [treatment, control] at the last look.
    pub estimate: [f64; 2],
    /// Estimated difference treatment − control.
    pub difference: f64,
    /// Null difference δ: H₀ is Q_T(p) = Q_C(p) + δ.
    pub null_difference: f64,
    /// Always-valid p-value: minimum over looks of the per-look p-values.
    pub always_valid_p: f64,
    /// p-value min(1, 1/M) of the last look alone.
    pub p_value_look: f64,
    /// ln of the e-value inf_x M_T(x + δ) M_C(x) at the last look.
    pub ln_e_value: f64,
    /// Confidence sequence for Q_T(p) − Q_C(p) (each arm's sequence at α/2, running
    /// intersection; conservative).
    pub cs_difference: [f64; 2],
    /// +1 when H₀ was first rejected with treatment above control + δ (a regression when larger
    /// is worse), −1 below, 0 not rejected.
    pub direction: i8,
    /// Observations [treatment, control] at the first rejection (0 when not rejected).
    pub n_at_rejection: [u64; 2],
    /// Significance level α.
    pub alpha: f64,
    /// Observations [treatment, control].
    pub n: [u64; 2],
    /// Number of looks with data in both arms.
    pub looks: u64,
}

/// Streaming two-sample sequential test of H₀: Q_T(p) = Q_C(p) + δ (Howard & Ramdas 2022, §5),
/// with a confidence sequence for the quantile difference.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantileAbTest {
    p: f64,
    alpha: f64,
    r: f64,
    r_half: f64,
    null_difference: f64,
    treatment: SortedStream,
    control: SortedStream,
    last_p: f64,
    ln_e: f64,
    min_p: f64,
    lo: f64,
    hi: f64,
    direction: i8,
    n_at_rejection: [u64; 2],
    looks: u64,
}

/// One arm's view of a candidate common quantile.
struct ArmView<'a> {
    data: &'a SortedStream,
    shift: f64,
    n: f64,
    kappa: f64,
}

impl ArmView<'_> {
    /// min of ln M over the counts consistent with x being this arm's quantile:
    /// k ∈ [#{X < x}, #{X ≤ x}], clamped to the convex minimizer κ*.
    fn g(&self, x: f64, p: f64, r: f64) -> f64 {
        let lo = self.data.count_less(x + self.shift) as f64;
        let hi = self.data.count_less_equal(x + self.shift) as f64;
        quantile_log_mixture(self.kappa.clamp(lo, hi), self.n, p, r)
    }

    /// The range of x where this arm's term is at its minimum: [x_(⌈κ*⌉), x_(⌊κ*⌋ + 1)].
    fn flat(&self) -> (f64, f64) {
        (
            self.data.order(self.kappa.ceil() as u64) - self.shift,
            self.data.order(self.kappa.floor() as u64 + 1) - self.shift,
        )
    }
}

impl QuantileAbTest {
    /// A test of H₀: Q_T(p) = Q_C(p) + `null_difference` at level `alpha`, each arm's boundary
    /// tightest near `tuning_n` observations per arm.
    pub fn new(p: f64, alpha: f64, tuning_n: f64, null_difference: f64) -> Result<Self> {
        if !null_difference.is_finite() {
            return Err(StatsError::invalid(
                "null_difference",
                null_difference,
                "must be finite",
            ));
        }
        Ok(QuantileAbTest {
            p,
            alpha,
            r: beta_binomial_r(p, alpha, tuning_n)?,
            r_half: beta_binomial_r(p, alpha / 2.0, tuning_n)?,
            null_difference,
            treatment: SortedStream::default(),
            control: SortedStream::default(),
            last_p: 1.0,
            ln_e: 0.0,
            min_p: 1.0,
            lo: f64::NEG_INFINITY,
            hi: f64::INFINITY,
            direction: 0,
            n_at_rejection: [0, 0],
            looks: 0,
        })
    }

    /// Adds treatment observations (must not be NaN).
    pub fn extend_treatment(&mut self, xs: &[f64]) -> Result<()> {
        self.treatment.extend("treatment stream", xs)
    }

    /// Adds control observations (must not be NaN).
    pub fn extend_control(&mut self, xs: &[f64]) -> Result<()> {
        self.control.extend("control stream", xs)
    }

    /// ln inf_x [M_T(x + δ) M_C(x)]: the infimum is at a data point between the two arms'
    /// flat regions (each term is piecewise constant, and at a data point no larger than on
    /// either neighbouring gap).
    fn ln_e_value(&self) -> f64 {
        let (p, r) = (self.p, self.r);
        let arm = |data, shift| {
            let n = SortedStream::len(data) as f64;
            ArmView {
                data,
                shift,
                n,
                kappa: minimizing_count(n, p, r),
            }
        };
        let t = arm(&self.treatment, self.null_difference);
        let c = arm(&self.control, 0.0);
        let ((t0, t1), (c0, c1)) = (t.flat(), c.flat());
        let (from, to) = (t0.min(c0), t1.max(c1));
        let total = |x: f64| t.g(x, p, r) + c.g(x, p, r);
        let mut best = total(from).min(total(to));
        for view in [&t, &c] {
            let s = view.data;
            let start = s.count_less(from + view.shift);
            let end = s.count_less_equal(to + view.shift);
            let mut i = start;
            while i < end {
                let x = s.sorted[i] - view.shift;
                best = best.min(total(x));
                // Skip ties: the same x gives the same value.
                i = s.count_less_equal(s.sorted[i]).max(i + 1);
            }
        }
        best
    }

    /// Takes a look: the e-value, the always-valid p-value and the difference interval.
    pub fn look(&mut self) -> QuantileAbResult {
        self.treatment.settle();
        self.control.settle();
        if self.treatment.len() == 0 || self.control.len() == 0 {
            return self.result();
        }
        self.ln_e = self.ln_e_value();
        self.last_p = (-self.ln_e).exp().min(1.0);
        let ln_thr = -(self.alpha / 2.0).ln();
        let it = self.treatment.interval(self.p, self.r_half, ln_thr);
        let ic = self.control.interval(self.p, self.r_half, ln_thr);
        self.lo = self.lo.max(it[0] - ic[1]);
        self.hi = self.hi.min(it[1] - ic[0]);
        self.min_p = self.min_p.min(self.last_p);
        self.looks += 1;
        if self.direction == 0 && self.min_p <= self.alpha {
            let d = self.treatment.estimate(self.p) - self.control.estimate(self.p);
            self.direction = if d > self.null_difference { 1 } else { -1 };
            self.n_at_rejection = [self.treatment.len() as u64, self.control.len() as u64];
        }
        self.result()
    }

    /// Whether H₀ has been rejected at level α at some look so far.
    pub fn rejected(&self) -> bool {
        self.min_p <= self.alpha
    }

    /// The result as of the last look.
    pub fn result(&self) -> QuantileAbResult {
        let est = [
            self.treatment.estimate(self.p),
            self.control.estimate(self.p),
        ];
        QuantileAbResult {
            method: "two-sample quantile test (Howard & Ramdas 2022, beta-binomial mixture)".into(),
            p: self.p,
            estimate: est,
            difference: est[0] - est[1],
            null_difference: self.null_difference,
            always_valid_p: self.min_p,
            p_value_look: self.last_p,
            ln_e_value: self.ln_e,
            cs_difference: [self.lo, self.hi],
            direction: self.direction,
            n_at_rejection: self.n_at_rejection,
            alpha: self.alpha,
            n: [
                (self.treatment.len() + self.treatment.pending.len()) as u64,
                (self.control.len() + self.control.pending.len()) as u64,
            ],
            looks: self.looks,
        }
    }
}
