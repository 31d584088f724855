//! Bayesian readouts of A/B tests: the posterior of the lift, credible intervals, chance to beat
//! control and the expected loss (risk) of shipping each arm.
//!
//! - [`effect_posterior`]: GrowthBook's Bayesian engine (gbstats `EffectBayesianABTest`): a
//!   normal approximation of the absolute or relative lift updated by a normal prior on the lift
//!   ([`GaussianPrior`], proper or flat). On the same sufficient statistics it reproduces gbstats
//!   (chance to win Φ(μ/σ), equal-tailed credible interval, risk by truncated normal means).
//! - [`beta`]: the exact beta-binomial model (Stucchio 2015): per-arm posteriors
//!   Beta(α₀ + s, β₀ + f), P(p_t > p_c) and expected losses by numerical integration against
//!   the accurate incomplete beta function, valid from a handful of trials to Beta(1e7, 1e7).
//!
//! References: Stucchio (2015), "Bayesian A/B Testing at VWO"; GrowthBook documentation,
//! "Bayesian statistics engine"; Gelman et al., *Bayesian Data Analysis*, 3rd ed., §2.5.

pub mod beta;

use serde::{Deserialize, Serialize};

use crate::dist::normal::{std_normal_cdf, std_normal_quantile};
use crate::error::{Result, StatsError, check_confidence, check_finite_arg};
use crate::moments::Moments;

const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

/// Normal prior on the lift, N(mean, variance); `proper = false` is the flat (improper) prior,
/// GrowthBook's default.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GaussianPrior {
    /// Prior mean of the lift, on the scale of the lift being estimated.
    pub mean: f64,
    /// Prior variance of the lift (> 0 when proper).
    pub variance: f64,
    /// Whether the prior is used at all; a flat prior leaves the data untouched.
    pub proper: bool,
}

impl GaussianPrior {
    /// The flat prior (GrowthBook's default: mean 0, variance 1, not proper).
    pub fn flat() -> Self {
        GaussianPrior {
            mean: 0.0,
            variance: 1.0,
            proper: false,
        }
    }

    /// A proper N(mean, variance) prior on the lift.
    pub fn normal(mean: f64, variance: f64) -> Result<Self> {
        check_finite_arg("prior mean", mean)?;
        if !(variance.is_finite() && variance > 0.0) {
            return Err(StatsError::invalid(
                "prior variance",
                variance,
                "must be finite and > 0",
            ));
        }
        Ok(GaussianPrior {
            mean,
            variance,
            proper: true,
        })
    }
}

impl Default for GaussianPrior {
    fn default() -> Self {
        GaussianPrior::flat()
    }
}

/// Scale of the lift: treatment − control, or (treatment − control) / control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LiftScale {
    /// μ_t − μ_c.
    Absolute,
    /// (μ_t − μ_c) / μ_c.
    Relative,
}

/// Sufficient statistics of one arm: count, mean and variance of the per-unit metric.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ArmSummary {
    /// Number of units.
    pub n: f64,
    /// Mean of the metric.
    pub mean: f64,
    /// Variance of the metric (ddof = 1 for means, p(1 − p) for proportions, as gbstats).
    pub variance: f64,
}

impl ArmSummary {
    /// An arm from its count, mean and variance.
    pub fn new(n: f64, mean: f64, variance: f64) -> Result<Self> {
        if !(n.is_finite() && n >= 1.0) {
            return Err(StatsError::invalid("n", n, "must be finite and >= 1"));
        }
        check_finite_arg("mean", mean)?;
        if !(variance.is_finite() && variance >= 0.0) {
            return Err(StatsError::invalid(
                "variance",
                variance,
                "must be finite and >= 0",
            ));
        }
        Ok(ArmSummary { n, mean, variance })
    }

    /// A conversion arm: mean s/n and variance p(1 − p) (gbstats `ProportionStatistic`).
    pub fn proportion(successes: f64, trials: f64) -> Result<Self> {
        beta::check_counts(successes, trials)?;
        let p = successes / trials;
        ArmSummary::new(trials, p, p * (1.0 - p))
    }

    /// A mean arm from streaming moments (variance with ddof = 1).
    pub fn from_moments(m: &Moments) -> Result<Self> {
        if m.n < 2 {
            return Err(StatsError::TooFew {
                what: "arm".to_string(),
                n: m.n as usize,
                min: 2,
            });
        }
        ArmSummary::new(m.n as f64, m.mean, m.variance(1))
    }
}

/// Posterior readout of one treatment against control (serializable).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EffectPosterior {
    /// Scale of the lift.
    pub scale: LiftScale,
    /// Posterior mean of the lift (gbstats `expected`).
    pub mean: f64,
    /// Posterior standard deviation of the lift.
    pub sd: f64,
    /// Equal-tailed credible interval at `confidence`.
    pub ci: [f64; 2],
    /// Credibility of the interval, e.g. 0.95.
    pub confidence: f64,
    /// P(lift > 0): chance the treatment beats control.
    pub chance_to_win: f64,
    /// Expected loss of shipping control: E[max(lift, 0)].
    pub risk_control: f64,
    /// Expected loss of shipping the treatment: E[max(−lift, 0)].
    pub risk_treatment: f64,
}

/// Normal posterior of the lift (GrowthBook's effect model): data lift d with delta-method
/// variance v, combined with a normal prior N(m₀, v₀) by precision weighting.
pub fn effect_posterior(
    control: &ArmSummary,
    treatment: &ArmSummary,
    scale: LiftScale,
    prior: &GaussianPrior,
    confidence: f64,
) -> Result<EffectPosterior> {
    check_confidence(confidence)?;
    for (what, a) in [("control", control), ("treatment", treatment)] {
        ArmSummary::new(a.n, a.mean, a.variance).map_err(|e| match e {
            StatsError::InvalidArgument {
                name,
                value,
                reason,
            } => StatsError::InvalidArgument {
                name: format!("{what} {name}"),
                value,
                reason,
            },
            other => other,
        })?;
    }
    if control.variance <= 0.0 || treatment.variance <= 0.0 {
        return Err(StatsError::Degenerate(
            "an arm has zero variance: the lift has no posterior spread".to_string(),
        ));
    }
    let (mc, mt) = (control.mean, treatment.mean);
    let (data_mean, data_var) = match scale {
        LiftScale::Absolute => (
            mt - mc,
            treatment.variance / treatment.n + control.variance / control.n,
        ),
        LiftScale::Relative => {
            if mc == 0.0 {
                return Err(StatsError::Degenerate(
                    "control mean is 0: the relative lift is undefined".to_string(),
                ));
            }
            let v = treatment.variance / (mc * mc * treatment.n)
                + control.variance * (mt * mt) / (mc.powi(4) * control.n);
            ((mt - mc) / mc, v)
        }
    };
    lift_posterior(data_mean, data_var, scale, prior, confidence)
}

/// Normal posterior of a lift estimated by `lift` with sampling variance `variance` (e.g. a
/// CUPED-adjusted or delta-method effect), updated by the normal prior: the model of
/// [`effect_posterior`], which GrowthBook applies to any lift with a normal limit.
pub fn lift_posterior(
    lift: f64,
    variance: f64,
    scale: LiftScale,
    prior: &GaussianPrior,
    confidence: f64,
) -> Result<EffectPosterior> {
    check_confidence(confidence)?;
    check_finite_arg("lift", lift)?;
    if prior.proper {
        GaussianPrior::normal(prior.mean, prior.variance)?;
    }
    let (data_mean, data_var) = (lift, variance);
    if !(data_var.is_finite() && data_var > 0.0) {
        return Err(StatsError::Degenerate(format!(
            "the variance of the lift is {data_var}"
        )));
    }
    let (mean, var) = if prior.proper {
        let prec = 1.0 / data_var + 1.0 / prior.variance;
        (
            (data_mean / data_var + prior.mean / prior.variance) / prec,
            1.0 / prec,
        )
    } else {
        (data_mean, data_var)
    };
    Ok(normal_readout(mean, var.sqrt(), scale, confidence))
}

/// The readout of a N(mean, sd²) posterior of the lift.
pub(crate) fn normal_readout(
    mean: f64,
    sd: f64,
    scale: LiftScale,
    confidence: f64,
) -> EffectPosterior {
    let alpha = 1.0 - confidence;
    let z = std_normal_quantile(1.0 - alpha / 2.0);
    let ztw = mean / sd;
    EffectPosterior {
        scale,
        mean,
        sd,
        ci: [mean - z * sd, mean + z * sd],
        confidence,
        chance_to_win: std_normal_cdf(ztw),
        risk_control: sd * normal_partial_mean(ztw),
        risk_treatment: sd * normal_partial_mean(-ztw),
    }
}

/// E[max(Z + z, 0)] for Z ~ N(0, 1), i.e. z Φ(z) + φ(z), without cancellation in the lower tail.
pub fn normal_partial_mean(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    if z >= -3.0 {
        return z * std_normal_cdf(z) + INV_SQRT_2PI * (-0.5 * z * z).exp();
    }
    if z < -40.0 {
        return 0.0;
    }
    // For x = −z: zΦ(z) + φ(z) = φ(x)(1 − x m(x)) with Mills ratio m = 1/(x + c) and
    // c = 1/(x + 2/(x + 3/(x + ...))); then 1 − x m = c m, free of cancellation.
    let x = -z;
    let depth = if x < 5.0 { 200 } else { 80 };
    let mut c = x;
    for k in (2..=depth).rev() {
        c = x + k as f64 / c;
    }
    let c = 1.0 / c;
    let m = 1.0 / (x + c);
    INV_SQRT_2PI * (-0.5 * x * x).exp() * c * m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_mean_is_continuous_at_switch() {
        let a = normal_partial_mean(-3.0);
        let b = normal_partial_mean(-3.0 - 1e-12);
        assert!(((a - b) / a).abs() < 1e-9);
    }
}
