//! Confidence sequence for a fixed quantile, valid at every look.
//!
//! Howard & Ramdas (2022), "Sequential estimation of quantiles with applications to A/B-testing
//! and best-arm identification", Bernoulli 28(3), doi:10.3150/21-BEJ1388, §3: for the
//! p-quantile q, S_n(q) = #{i ≤ n : X_i ≤ q} − n p is a martingale with increments bounded in
//! [−p, 1 − p], hence sub-Gaussian with variance proxy n/4 (Hoeffding). The two-sided
//! normal-mixture boundary of Howard, Ramdas, McAuliffe & Sekhon (2021), Ann. Statist. 49(2),
//! doi:10.1214/20-AOS1991, u_n = √(2(v + ρ) ln(√((v + ρ)/ρ) / α)) with v = n/4, bounds |S_n|
//! at all n with probability ≥ 1 − α, so {q : |S_n(q)| < u_n} — an interval between two order
//! statistics — is a confidence sequence. ρ = (N*/4) / (−2 ln α + ln(1 − 2 ln α)) makes it
//! tightest near n = N* (the same tuning as the asymptotic sequence in [`super::mixture`]).
//! This uses the Hoeffding normal-mixture boundary, not the paper's sharper beta-binomial one,
//! so it is conservative for quantiles far from the median.

use serde::Serialize;

use super::check_alpha;
use crate::error::{Result, StatsError};

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

/// Streaming confidence sequence for the p-quantile of one stream; each look costs O(n)
/// (two selections).
#[derive(Debug, Clone, PartialEq)]
pub struct QuantileSequence {
    p: f64,
    alpha: f64,
    rho: f64,
    data: Vec<f64>,
    estimate: f64,
    look: [f64; 2],
    lo: f64,
    hi: f64,
    looks: u64,
}

/// The two-sided normal-mixture boundary u_n for n observations with variance proxy n/4.
pub fn quantile_boundary(n: u64, alpha: f64, rho: f64) -> f64 {
    let v = n as f64 / 4.0;
    (2.0 * (v + rho) * (((v + rho) / rho).sqrt() / alpha).ln()).sqrt()
}

impl QuantileSequence {
    /// A sequence for the `p`-quantile at level `alpha`, tightest near `tuning_n` observations.
    pub fn new(p: f64, alpha: f64, tuning_n: f64) -> Result<Self> {
        check_alpha(alpha)?;
        if !(p.is_finite() && p > 0.0 && p < 1.0) {
            return Err(StatsError::invalid(
                "p",
                p,
                "quantile level must lie in (0, 1)",
            ));
        }
        if !(tuning_n.is_finite() && tuning_n > 0.0) {
            return Err(StatsError::invalid(
                "tuning_n",
                tuning_n,
                "must be finite and positive",
            ));
        }
        let l = -2.0 * alpha.ln();
        Ok(QuantileSequence {
            p,
            alpha,
            rho: tuning_n / 4.0 / (l + (l + 1.0).ln()),
            data: Vec::new(),
            estimate: f64::NAN,
            look: [f64::NEG_INFINITY, f64::INFINITY],
            lo: f64::NEG_INFINITY,
            hi: f64::INFINITY,
            looks: 0,
        })
    }

    /// Adds observations (must not be NaN).
    pub fn extend(&mut self, xs: &[f64]) -> Result<()> {
        if let Some(i) = xs.iter().position(|x| x.is_nan()) {
            return Err(StatsError::NonFinite {
                what: "quantile stream".into(),
                index: i,
                value: xs[i],
            });
        }
        self.data.extend_from_slice(xs);
        Ok(())
    }

    fn order_statistic(&mut self, k: usize) -> f64 {
        let (_, x, _) = self.data.select_nth_unstable_by(k - 1, f64::total_cmp);
        *x
    }

    /// Takes a look: the interval [x_(j_lo), x_(j_hi)] of order statistics whose counts keep
    /// |S_n| below the boundary, intersected with the previous looks.
    pub fn look(&mut self) -> QuantileSequenceResult {
        let n = self.data.len();
        if n == 0 {
            return self.result();
        }
        let u = quantile_boundary(n as u64, self.alpha, self.rho);
        let np = n as f64 * self.p;
        // q ≥ x_(j) for the smallest j with j > np − u; q ≤ x_(j) for the smallest j ≥ np + u.
        let j_lo = (np - u).floor() + 1.0;
        let j_hi = (np + u).ceil();
        let lo = if j_lo < 1.0 {
            f64::NEG_INFINITY
        } else {
            self.order_statistic(j_lo as usize)
        };
        let hi = if j_hi > n as f64 {
            f64::INFINITY
        } else {
            self.order_statistic((j_hi as usize).max(1))
        };
        self.estimate = self.order_statistic((np.ceil() as usize).clamp(1, n));
        self.look = [lo, hi];
        self.lo = self.lo.max(lo);
        self.hi = self.hi.min(hi);
        self.looks += 1;
        self.result()
    }

    /// The result as of the last look.
    pub fn result(&self) -> QuantileSequenceResult {
        QuantileSequenceResult {
            method: "quantile confidence sequence (Howard & Ramdas 2022, normal mixture)".into(),
            p: self.p,
            estimate: self.estimate,
            cs: [self.lo, self.hi],
            cs_look: self.look,
            alpha: self.alpha,
            n: self.data.len() as u64,
            looks: self.looks,
        }
    }
}
