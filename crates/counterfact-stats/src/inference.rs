//! Shared pieces of Wald-type inference: p-values and confidence intervals from a pivot whose
//! null distribution is symmetric about zero (normal, Student t).

use crate::dist::ContinuousDistribution;
use crate::result::Alternative;

/// p-value of `statistic` under a null distribution symmetric about zero.
///
/// Two-sided p-values are `2·sf(|t|)` capped at 1 (scipy's convention); one-sided ones use the
/// matching tail directly, so tiny p-values keep full relative precision.
pub fn symmetric_p_value<D: ContinuousDistribution>(
    dist: &D,
    statistic: f64,
    alternative: Alternative,
) -> f64 {
    match alternative {
        Alternative::Less => dist.cdf(statistic),
        Alternative::Greater => dist.sf(statistic),
        Alternative::TwoSided => (2.0 * dist.sf(statistic.abs())).min(1.0),
    }
}

/// Confidence interval `estimate ± c·std_error`, with `c` the critical value of `dist` at level
/// `confidence`; one-sided alternatives give the matching one-sided bound and an infinite end.
pub fn symmetric_ci<D: ContinuousDistribution>(
    dist: &D,
    estimate: f64,
    std_error: f64,
    confidence: f64,
    alternative: Alternative,
) -> [f64; 2] {
    let alpha = 1.0 - confidence;
    match alternative {
        Alternative::TwoSided => {
            let c = dist.isf(alpha / 2.0);
            [estimate - c * std_error, estimate + c * std_error]
        }
        Alternative::Less => [f64::NEG_INFINITY, estimate + dist.isf(alpha) * std_error],
        Alternative::Greater => [estimate - dist.isf(alpha) * std_error, f64::INFINITY],
    }
}
