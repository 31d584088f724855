//! Normal-mixture anytime-valid tests for a difference in means or in proportions.
//!
//! With an estimate θ̂ of the effect θ whose variance is V, mixing the likelihood ratio of θ
//! against θ₀ over θ ~ N(θ₀, τ²) gives the mixture likelihood ratio
//! Λ = √(V / (V + τ²)) · exp(τ² (θ̂ − θ₀)² / (2 V (V + τ²))), a nonnegative (asymptotic)
//! martingale under the null. By Ville's inequality the running minimum of 1/Λ is an
//! always-valid p-value and {θ : Λ(θ) < 1/α} is a confidence sequence:
//! θ̂ ± √(V (V + τ²) / τ² · (ln((V + τ²) / V) − 2 ln α)).
//!
//! [`Mixing::Msprt`] fixes τ² (Johari, Koomen, Pekelis & Walsh 2022, "Always valid inference:
//! continuous monitoring of A/B tests", Operations Research 70(3), doi:10.1287/opre.2021.2135).
//! [`Mixing::Asymptotic`] is the asymptotic confidence sequence of Waudby-Smith, Arbour, Sinha,
//! Kennedy & Ramdas (2023), "Time-uniform central limit theory and asymptotic confidence
//! sequences", arXiv:2103.06476, eq. 161, as GrowthBook's gbstats computes it: τ² = ρ² σ̂²·N with
//! N the total sample size, σ̂² = N·V the per-observation variance and
//! ρ² = (−2 ln α + ln(1 − 2 ln α)) / N*, which makes the sequence tightest near N = N*.
//!
//! One-sided alternatives ([`MixtureSequentialTest::with_alternative`]): the mSPRT mixes over a
//! half-normal θ − θ₀ ~ |N(0, τ²)| on the side of the alternative, giving
//! Λ₊ = 2 √(V / (V + τ²)) exp(τ² d² / (2 V (V + τ²))) Φ(d τ / √(V (V + τ²))) with d = θ̂ − θ₀
//! (Howard, Ramdas, McAuliffe & Sekhon 2021, "Time-uniform, nonparametric, nonasymptotic
//! confidence sequences", Ann. Statist. 49(2), one-sided normal mixture); the one-sided bound
//! solves Λ₊ = 1/α. The asymptotic sequence uses GrowthBook's one-sided closed form
//! (`sequentialIntervalHalfwidthOneSided`: ρ tuned at 2α, halfwidth
//! √(σ̂² · 2(Nρ² + 1)/(Nρ)² · ln(1 + √(Nρ² + 1)/(2α)))), whose p-value, found by GrowthBook by
//! bisection on α, is here the exact inversion p = √(Nρ² + 1) / (2 (e^x − 1)),
//! x = d² (Nρ)² / (2 σ̂² (Nρ² + 1)) (and 1 when d ≤ 0).

use serde::Serialize;

use super::check_alpha;
use crate::dist::normal::std_normal_ln_cdf;
use crate::error::{Result, StatsError};
use crate::moments::Moments;
use crate::result::Alternative;

/// The kind of outcome, which fixes the variance estimate of each arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Metric {
    /// Continuous outcome: sample variance with ddof = 1.
    Mean,
    /// 0/1 outcome: binomial variance p̂(1 − p̂).
    Proportion,
}

/// The mixing distribution of the effect under the alternative.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mixing {
    /// Fixed mixing variance τ² on the scale of the effect (Johari et al. 2022).
    Msprt {
        /// Mixing variance τ² > 0.
        tau2: f64,
    },
    /// Waudby-Smith et al. (2023) asymptotic confidence sequence tuned to be tightest near a
    /// total sample size N* (GrowthBook's default N* = 5000).
    Asymptotic {
        /// Tuning sample size N* > 0.
        tuning_n: f64,
    },
}

impl Mixing {
    fn check(&self) -> Result<()> {
        match *self {
            Mixing::Msprt { tau2 } if !(tau2.is_finite() && tau2 > 0.0) => Err(
                StatsError::invalid("tau2", tau2, "must be finite and positive"),
            ),
            Mixing::Asymptotic { tuning_n } if !(tuning_n.is_finite() && tuning_n > 0.0) => Err(
                StatsError::invalid("tuning_n", tuning_n, "must be finite and positive"),
            ),
            _ => Ok(()),
        }
    }
}

/// The mixing parameter ρ of Waudby-Smith et al. (2023, eq. 161) for level α and tuning size N*.
pub fn asymptotic_rho(alpha: f64, tuning_n: f64) -> Result<f64> {
    check_alpha(alpha)?;
    Mixing::Asymptotic { tuning_n }.check()?;
    let l = -2.0 * alpha.ln();
    Ok(((l + (l + 1.0).ln()) / tuning_n).sqrt())
}

/// State of one look, and the running always-valid p-value and confidence sequence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SequentialResult {
    /// Method name, e.g. "mSPRT (normal mixture), difference in means".
    pub method: String,
    /// Effect estimate treatment − control at the last look.
    pub estimate: f64,
    /// Standard error √V of the estimate at the last look.
    pub std_error: f64,
    /// Confidence sequence: intersection of the intervals of all looks so far.
    pub cs: [f64; 2],
    /// Always-valid p-value: minimum of the per-look p-values so far.
    pub always_valid_p: f64,
    /// Confidence interval of the last look alone (what gbstats reports).
    pub cs_look: [f64; 2],
    /// p-value min(1, 1/Λ) of the last look alone (what gbstats reports).
    pub p_value_look: f64,
    /// Mixture likelihood ratio Λ (e-value) at the last look.
    pub e_value: f64,
    /// Significance level α; the sequence covers with probability ≥ 1 − α at all times.
    pub alpha: f64,
    /// Null value θ₀ of the effect.
    pub null_value: f64,
    /// Alternative: two-sided, or one-sided (the interval then has one infinite end).
    pub alternative: Alternative,
    /// Observations per arm, [treatment, control].
    pub n: [u64; 2],
    /// Number of looks taken.
    pub looks: u64,
}

/// One look's statistics: estimate, standard error, e-value, p-value, interval.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Look {
    estimate: f64,
    se: f64,
    e_value: f64,
    p: f64,
    lo: f64,
    hi: f64,
}

/// Evaluates the normal mixture at estimate `d` (relative to the null) with variance `v`.
fn mixture_look(estimate: f64, v: f64, tau2: f64, theta0: f64, alpha: f64) -> Look {
    let d = estimate - theta0;
    let ratio = v / (v + tau2);
    let ln_e = 0.5 * ratio.ln() + tau2 * d * d / (2.0 * v * (v + tau2));
    let half = (v * (v + tau2) / tau2 * (-ratio.ln() - 2.0 * alpha.ln())).sqrt();
    Look {
        estimate,
        se: v.sqrt(),
        e_value: ln_e.exp(),
        p: (-ln_e).exp().min(1.0),
        lo: estimate - half,
        hi: estimate + half,
    }
}

/// ln Λ₊ of the half-normal mixture at signed distance `d` toward the alternative.
fn half_normal_ln_e(d: f64, v: f64, tau2: f64) -> f64 {
    let ratio = v / (v + tau2);
    std::f64::consts::LN_2
        + 0.5 * ratio.ln()
        + tau2 * d * d / (2.0 * v * (v + tau2))
        + std_normal_ln_cdf(d * (tau2 / (v * (v + tau2))).sqrt())
}

/// The one-sided look: `sign` = +1 for Greater, −1 for Less.
fn one_sided_look(
    estimate: f64,
    v: f64,
    mixing: OneSided,
    theta0: f64,
    alpha: f64,
    sign: f64,
) -> Look {
    let d = sign * (estimate - theta0);
    let (ln_e, half) = match mixing {
        OneSided::HalfNormal { tau2 } => {
            // Λ₊ increases in d; at d = 0 it is below 1, and at the two-sided α/2 halfwidth
            // (where the normal mixture is 2/α and Φ ≥ 1/2) it is at least 2/α.
            let target = -alpha.ln();
            let ratio = v / (v + tau2);
            let mut hi = (v * (v + tau2) / tau2 * (-ratio.ln() - 2.0 * (0.5 * alpha).ln())).sqrt();
            let mut lo = 0.0;
            for _ in 0..200 {
                let mid = 0.5 * (lo + hi);
                if mid <= lo || mid >= hi {
                    break;
                }
                if half_normal_ln_e(mid, v, tau2) < target {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            (half_normal_ln_e(d, v, tau2), 0.5 * (lo + hi))
        }
        OneSided::GrowthBook { n_rho2, total } => {
            let s2 = v * total;
            let a = 2.0 * (n_rho2 + 1.0) / (total * n_rho2);
            let b = (n_rho2 + 1.0).sqrt();
            let half = (s2 * a * (b / (2.0 * alpha)).ln_1p()).sqrt();
            let ln_e = if d > 0.0 {
                let x = d * d / (s2 * a);
                // ln(eˣ − 1) without overflow.
                let ln_expm1 = if x > 1.0 {
                    x + (-(-x).exp()).ln_1p()
                } else {
                    x.exp_m1().ln()
                };
                std::f64::consts::LN_2 + ln_expm1 - b.ln()
            } else {
                f64::NEG_INFINITY
            };
            (ln_e, half)
        }
    };
    let (lo, hi) = if sign > 0.0 {
        (estimate - half, f64::INFINITY)
    } else {
        (f64::NEG_INFINITY, estimate + half)
    };
    Look {
        estimate,
        se: v.sqrt(),
        e_value: ln_e.exp(),
        p: (-ln_e).exp().min(1.0),
        lo,
        hi,
    }
}

/// The one-sided mixing actually used at a look.
#[derive(Debug, Clone, Copy)]
enum OneSided {
    HalfNormal { tau2: f64 },
    GrowthBook { n_rho2: f64, total: f64 },
}

fn arm_variance(m: &Moments, metric: Metric) -> f64 {
    match metric {
        Metric::Mean => m.variance(1),
        Metric::Proportion => m.mean * (1.0 - m.mean),
    }
}

/// Evaluates one look; `None` when the variance is zero or undefined (too few observations).
fn evaluate(
    treatment: &Moments,
    control: &Moments,
    metric: Metric,
    mixing: Mixing,
    theta0: f64,
    alpha: f64,
    alternative: Alternative,
) -> Option<Look> {
    let min_n = if metric == Metric::Mean { 2 } else { 1 };
    if treatment.n < min_n || control.n < min_n {
        return None;
    }
    let v = arm_variance(treatment, metric) / treatment.n as f64
        + arm_variance(control, metric) / control.n as f64;
    if !(v.is_finite() && v > 0.0) {
        return None;
    }
    let estimate = treatment.mean - control.mean;
    let total = (treatment.n + control.n) as f64;
    Some(evaluate_estimate(
        estimate,
        v,
        total,
        mixing,
        theta0,
        alpha,
        alternative,
    ))
}

/// One look at an estimate with variance `v > 0` from `total` observations.
fn evaluate_estimate(
    estimate: f64,
    v: f64,
    total: f64,
    mixing: Mixing,
    theta0: f64,
    alpha: f64,
    alternative: Alternative,
) -> Look {
    // GrowthBook tunes the one-sided sequence at 2α.
    let rho2 = |level: f64, tuning_n: f64| {
        let l = -2.0 * level.ln();
        (l + (l + 1.0).ln()) / tuning_n
    };
    let sign = match alternative {
        Alternative::TwoSided => {
            let tau2 = match mixing {
                Mixing::Msprt { tau2 } => tau2,
                Mixing::Asymptotic { tuning_n } => rho2(alpha, tuning_n) * total * v,
            };
            return mixture_look(estimate, v, tau2, theta0, alpha);
        }
        Alternative::Greater => 1.0,
        Alternative::Less => -1.0,
    };
    let one_sided = match mixing {
        Mixing::Msprt { tau2 } => OneSided::HalfNormal { tau2 },
        Mixing::Asymptotic { tuning_n } => OneSided::GrowthBook {
            // 2α ≥ 1 has no meaning as a level; tune at α then.
            n_rho2: total * rho2(if alpha < 0.5 { 2.0 * alpha } else { alpha }, tuning_n),
            total,
        },
    };
    one_sided_look(estimate, v, one_sided, theta0, alpha, sign)
}

fn method_name(metric: Metric, mixing: Mixing, alternative: Alternative) -> String {
    let what = match metric {
        Metric::Mean => "difference in means",
        Metric::Proportion => "difference in proportions",
    };
    method_label(what, mixing, alternative)
}

fn method_label(what: &str, mixing: Mixing, alternative: Alternative) -> String {
    let side = match alternative {
        Alternative::TwoSided => "",
        Alternative::Less | Alternative::Greater => "one-sided ",
    };
    match (mixing, alternative) {
        (Mixing::Msprt { .. }, Alternative::TwoSided) => format!("mSPRT (normal mixture), {what}"),
        (Mixing::Msprt { .. }, _) => format!("one-sided mSPRT (half-normal mixture), {what}"),
        (Mixing::Asymptotic { .. }, _) => format!("{side}asymptotic confidence sequence, {what}"),
    }
}

/// One look at two summaries: the mixture test and interval of this look alone (no running
/// minimum). Errors when either arm has too few observations or the variance is zero.
pub fn mixture_test_from_moments(
    treatment: &Moments,
    control: &Moments,
    metric: Metric,
    mixing: Mixing,
    null_value: f64,
    alpha: f64,
) -> Result<SequentialResult> {
    mixture_test_from_moments_with_alternative(
        treatment,
        control,
        metric,
        mixing,
        null_value,
        alpha,
        Alternative::TwoSided,
    )
}

/// One look at two summaries against a two- or one-sided alternative (half-normal mSPRT or
/// GrowthBook's one-sided asymptotic sequence when one-sided).
pub fn mixture_test_from_moments_with_alternative(
    treatment: &Moments,
    control: &Moments,
    metric: Metric,
    mixing: Mixing,
    null_value: f64,
    alpha: f64,
    alternative: Alternative,
) -> Result<SequentialResult> {
    let mut t = MixtureSequentialTest::new(metric, mixing, null_value, alpha)?
        .with_alternative(alternative);
    t.update(treatment, control)?;
    let r = t.look();
    if r.looks == 0 {
        return Err(StatsError::Degenerate(format!(
            "{}: the variance of the estimate is zero or undefined (n = [{}, {}])",
            r.method, treatment.n, control.n
        )));
    }
    Ok(r)
}

/// One look at an effect estimate with its standard error from `n` = [treatment, control]
/// observations (e.g. a CUPED-adjusted or delta-method effect of a readout): the mixture test
/// and interval of this look alone, as [`mixture_test_from_moments`] computes them from the
/// arms' moments (GrowthBook applies its sequence to any estimate with a normal limit this way).
#[allow(clippy::too_many_arguments)]
pub fn mixture_test_from_estimate(
    estimate: f64,
    std_error: f64,
    n: [u64; 2],
    mixing: Mixing,
    null_value: f64,
    alpha: f64,
    alternative: Alternative,
) -> Result<SequentialResult> {
    check_alpha(alpha)?;
    mixing.check()?;
    for (name, x) in [("estimate", estimate), ("null_value", null_value)] {
        if !x.is_finite() {
            return Err(StatsError::invalid(name, x, "must be finite"));
        }
    }
    if !(std_error.is_finite() && std_error > 0.0) {
        return Err(StatsError::invalid(
            "std_error",
            std_error,
            "must be finite and positive",
        ));
    }
    if n[0] == 0 || n[1] == 0 {
        return Err(StatsError::invalid(
            "n",
            format!("{n:?}"),
            "both arms need observations",
        ));
    }
    let l = evaluate_estimate(
        estimate,
        std_error * std_error,
        (n[0] + n[1]) as f64,
        mixing,
        null_value,
        alpha,
        alternative,
    );
    Ok(SequentialResult {
        method: method_label("effect estimate", mixing, alternative),
        estimate: l.estimate,
        std_error: l.se,
        cs: [l.lo, l.hi],
        always_valid_p: l.p,
        cs_look: [l.lo, l.hi],
        p_value_look: l.p,
        e_value: l.e_value,
        alpha,
        null_value,
        alternative,
        n,
        looks: 1,
    })
}

/// Streaming two-arm normal-mixture test (mSPRT or asymptotic confidence sequence): feed
/// observations or batch summaries, take a look whenever wanted; each look is O(1).
#[derive(Debug, Clone, PartialEq)]
pub struct MixtureSequentialTest {
    metric: Metric,
    mixing: Mixing,
    null_value: f64,
    alpha: f64,
    alternative: Alternative,
    treatment: Moments,
    control: Moments,
    last: Option<Look>,
    min_p: f64,
    lo: f64,
    hi: f64,
    looks: u64,
}

impl MixtureSequentialTest {
    /// A test of effect = treatment − control against `null_value` at level `alpha`.
    pub fn new(metric: Metric, mixing: Mixing, null_value: f64, alpha: f64) -> Result<Self> {
        check_alpha(alpha)?;
        mixing.check()?;
        if !null_value.is_finite() {
            return Err(StatsError::invalid(
                "null_value",
                null_value,
                "must be finite",
            ));
        }
        Ok(MixtureSequentialTest {
            metric,
            mixing,
            null_value,
            alpha,
            alternative: Alternative::TwoSided,
            treatment: Moments::new(),
            control: Moments::new(),
            last: None,
            min_p: 1.0,
            lo: f64::NEG_INFINITY,
            hi: f64::INFINITY,
            looks: 0,
        })
    }

    /// The same test against a one-sided alternative (`Greater`: effect above the null value;
    /// `Less`: below): half-normal mixture for mSPRT, GrowthBook's one-sided closed form for the
    /// asymptotic sequence. The confidence sequence then has one infinite end.
    pub fn with_alternative(mut self, alternative: Alternative) -> Self {
        self.alternative = alternative;
        self
    }

    fn check_value(&self, arm: &str, x: f64) -> Result<()> {
        match self.metric {
            Metric::Mean if !x.is_finite() => Err(StatsError::invalid(arm, x, "must be finite")),
            Metric::Proportion if !(x == 0.0 || x == 1.0) => Err(StatsError::invalid(
                arm,
                x,
                "a proportion outcome must be 0 or 1",
            )),
            _ => Ok(()),
        }
    }

    fn check_summary(&self, arm: &str, m: &Moments) -> Result<()> {
        if m.n == 0 {
            return Ok(());
        }
        if !(m.mean.is_finite() && m.m2.is_finite() && m.m2 >= 0.0) {
            return Err(StatsError::invalid(
                arm,
                format!("mean={}, m2={}", m.mean, m.m2),
                "summary must have a finite mean and a finite non-negative m2",
            ));
        }
        if self.metric == Metric::Proportion && !(0.0..=1.0).contains(&m.mean) {
            return Err(StatsError::invalid(
                arm,
                m.mean,
                "a proportion summary must have a mean in [0, 1]",
            ));
        }
        Ok(())
    }

    /// Adds one treatment observation.
    pub fn push_treatment(&mut self, x: f64) -> Result<()> {
        self.check_value("treatment observation", x)?;
        self.treatment.push(x);
        Ok(())
    }

    /// Adds one control observation.
    pub fn push_control(&mut self, x: f64) -> Result<()> {
        self.check_value("control observation", x)?;
        self.control.push(x);
        Ok(())
    }

    /// Merges batch summaries of new treatment and control observations (either may be empty).
    pub fn update(&mut self, treatment: &Moments, control: &Moments) -> Result<()> {
        self.check_summary("treatment summary", treatment)?;
        self.check_summary("control summary", control)?;
        self.treatment.merge(treatment);
        self.control.merge(control);
        Ok(())
    }

    /// Takes a look at the data so far: updates the always-valid p-value and the confidence
    /// sequence and returns the result. A look with zero or undefined variance (too few
    /// observations, all equal) carries no evidence and is not counted.
    pub fn look(&mut self) -> SequentialResult {
        if let Some(l) = evaluate(
            &self.treatment,
            &self.control,
            self.metric,
            self.mixing,
            self.null_value,
            self.alpha,
            self.alternative,
        ) {
            self.min_p = self.min_p.min(l.p);
            self.lo = self.lo.max(l.lo);
            self.hi = self.hi.min(l.hi);
            self.looks += 1;
            self.last = Some(l);
        }
        self.result()
    }

    /// Whether the null has been rejected at level α at some look so far.
    pub fn rejected(&self) -> bool {
        self.min_p <= self.alpha
    }

    /// The result as of the last look (no new look is taken).
    pub fn result(&self) -> SequentialResult {
        let l = self.last.unwrap_or(Look {
            estimate: f64::NAN,
            se: f64::NAN,
            e_value: 1.0,
            p: 1.0,
            lo: f64::NEG_INFINITY,
            hi: f64::INFINITY,
        });
        SequentialResult {
            method: method_name(self.metric, self.mixing, self.alternative),
            estimate: l.estimate,
            std_error: l.se,
            cs: [self.lo, self.hi],
            always_valid_p: self.min_p,
            cs_look: [l.lo, l.hi],
            p_value_look: l.p,
            e_value: l.e_value,
            alpha: self.alpha,
            null_value: self.null_value,
            alternative: self.alternative,
            n: [self.treatment.n, self.control.n],
            looks: self.looks,
        }
    }
}
