//! Relative lift mean_x / mean_y − 1 of two independent samples, with a confidence interval by
//! the delta method or by Fieller's theorem.

use serde::Serialize;

use crate::dist::{ContinuousDistribution, Normal};
use crate::error::{Result, StatsError, check_confidence};
use crate::inference::{symmetric_ci, symmetric_p_value};
use crate::moments::Moments;
use crate::result::{Alternative, TestResult};

use super::{check_moments, check_overflow, summarize, var1};

/// How the confidence interval of a relative lift is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LiftMethod {
    /// First-order Taylor expansion of the ratio: symmetric Wald interval
    /// (Casella & Berger, *Statistical Inference*, §5.5.4).
    #[default]
    Delta,
    /// Fieller's theorem (Fieller 1954, JRSS B 16(2)): inverts the test of
    /// mean_x − ρ·mean_y = 0; asymmetric, exact for normal means with known variances.
    Fieller,
}

impl LiftMethod {
    /// The kebab-case name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            LiftMethod::Delta => "delta",
            LiftMethod::Fieller => "fieller",
        }
    }
}

/// Relative lift mean_x / mean_y − 1 from two summaries, with a large-sample (normal) test of
/// H0: lift = 0 and a confidence interval by the delta method or Fieller's theorem.
///
/// With `a_x = var_x/n_x` and `a_y = var_y/n_y` (squared standard errors of the means):
/// - Delta: se = √(a_x + (mean_x/mean_y)²·a_y) / |mean_y|; statistic = lift / se.
/// - Fieller: the set of ratios ρ with (mean_x − ρ·mean_y)² ≤ z²·(a_x + ρ²·a_y), minus 1; the
///   statistic is the matching pivot at ρ = 1, (mean_x − mean_y) / √(a_x + a_y), so that the
///   test rejects exactly when the interval excludes 0. When mean_y is not significantly
///   different from 0 (mean_y² ≤ z²·a_y) the set is unbounded: the CI is then (−inf, inf) and a
///   note says so.
///
/// `std_error` is the delta-method standard error in both cases. A zero control mean is an
/// error (the lift is undefined), as are zero standard errors in both groups.
pub fn relative_lift_from_moments(
    x: &Moments,
    y: &Moments,
    method: LiftMethod,
    alternative: Alternative,
    confidence: f64,
) -> Result<TestResult> {
    check_confidence(confidence)?;
    check_moments("sample x", x, 2)?;
    check_moments("sample y", y, 2)?;
    if y.mean == 0.0 {
        return Err(StatsError::Degenerate(
            "relative lift: the mean of sample y (control) is 0, so mean_x / mean_y is undefined"
                .to_string(),
        ));
    }
    let (ax, ay) = (var1(x) / x.n as f64, var1(y) / y.n as f64);
    let ratio = x.mean / y.mean;
    let lift = ratio - 1.0;
    let se = (ax + ratio * ratio * ay).sqrt() / y.mean.abs();
    check_overflow("relative lift", lift, se)?;
    if se <= 0.0 {
        return Err(StatsError::Degenerate(
            "relative lift: both samples have zero variance, the standard error is 0".to_string(),
        ));
    }
    let dist = Normal::standard();
    let n = vec![x.n, y.n];
    let result = match method {
        LiftMethod::Delta => {
            let statistic = lift / se;
            let p = symmetric_p_value(&dist, statistic, alternative);
            let ci = symmetric_ci(&dist, lift, se, confidence, alternative);
            TestResult::new("relative-lift", alternative, statistic, p, n)
                .with_estimate(lift, ci, confidence)
                .with_note("delta-method (Wald) interval for the relative lift")
        }
        LiftMethod::Fieller => {
            let statistic = (x.mean - y.mean) / (ax + ay).sqrt();
            let p = symmetric_p_value(&dist, statistic, alternative);
            let alpha = 1.0 - confidence;
            let q = match alternative {
                Alternative::TwoSided => dist.isf(alpha / 2.0),
                _ => dist.isf(alpha),
            };
            let r = TestResult::new("relative-lift", alternative, statistic, p, n);
            match fieller_ratio_bounds(x.mean, y.mean, ax, ay, q) {
                Some([lo, hi]) => {
                    let ci = match alternative {
                        Alternative::TwoSided => [lo - 1.0, hi - 1.0],
                        Alternative::Less => [f64::NEG_INFINITY, hi - 1.0],
                        Alternative::Greater => [lo - 1.0, f64::INFINITY],
                    };
                    r.with_estimate(lift, ci, confidence)
                        .with_note("Fieller interval for the relative lift")
                }
                None => r
                    .with_estimate(lift, [f64::NEG_INFINITY, f64::INFINITY], confidence)
                    .with_note(
                        "Fieller confidence set is unbounded: the mean of y is not \
                         significantly different from 0 at this confidence level",
                    ),
            }
        }
    };
    Ok(result
        .with_std_error(se)
        .with_extra("mean_x", x.mean)
        .with_extra("mean_y", y.mean)
        .with_extra("ratio", ratio))
}

/// Roots of (mx − ρ·my)² = q²·(ax + ρ²·ay) in ρ, ordered; `None` when the confidence set is
/// unbounded (my² ≤ q²·ay). Uses the cancellation-free form of the quadratic formula.
fn fieller_ratio_bounds(mx: f64, my: f64, ax: f64, ay: f64, q: f64) -> Option<[f64; 2]> {
    let q2 = q * q;
    let a = my * my - q2 * ay;
    if a <= 0.0 {
        return None;
    }
    let b = mx * my;
    let c = mx * mx - q2 * ax;
    // b² − ac rewritten without cancellation: q²·(ax·my² + ay·(mx² − q²·ax)) = q²·(ax·a + ay·mx²).
    let disc = q2 * (ax * a + ay * mx * mx);
    let s = disc.max(0.0).sqrt();
    let t = if b >= 0.0 { b + s } else { b - s };
    let (r1, r2) = if t == 0.0 { (0.0, 0.0) } else { (t / a, c / t) };
    Some([r1.min(r2), r1.max(r2)])
}

/// Relative lift mean_x / mean_y − 1 of raw samples (see [`relative_lift_from_moments`]).
pub fn relative_lift(
    x: &[f64],
    y: &[f64],
    method: LiftMethod,
    alternative: Alternative,
    confidence: f64,
) -> Result<TestResult> {
    let mx = summarize("sample x", x, 2)?;
    let my = summarize("sample y", y, 2)?;
    relative_lift_from_moments(&mx, &my, method, alternative, confidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fieller_roots_solve_the_quadratic() {
        let (mx, my, ax, ay, q) = (10.3, 9.7, 0.04, 0.09, 1.96);
        let [lo, hi] = fieller_ratio_bounds(mx, my, ax, ay, q).expect("bounded");
        for r in [lo, hi] {
            let lhs = (mx - r * my).powi(2);
            let rhs = q * q * (ax + r * r * ay);
            assert!((lhs - rhs).abs() < 1e-12 * rhs, "{lhs} vs {rhs}");
        }
        assert!(lo < mx / my && mx / my < hi);
        assert!(fieller_ratio_bounds(1.0, 0.1, 0.01, 0.01, 1.96).is_none());
    }
}
