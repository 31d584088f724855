//! z-tests for means: one sample against `mu0` and two samples, with known standard deviations or
//! (large samples) standard deviations estimated from the data.

use crate::dist::Normal;
use crate::error::{Result, StatsError, check_confidence, check_finite_arg};
use crate::inference::{symmetric_ci, symmetric_p_value};
use crate::moments::Moments;
use crate::result::{Alternative, TestResult};

use super::{check_moments, check_overflow, point_ci, summarize, var1, zero_se_outcome};

fn check_sigma(name: &str, sigma: f64) -> Result<()> {
    if sigma.is_finite() && sigma >= 0.0 {
        Ok(())
    } else {
        Err(StatsError::invalid(
            name,
            sigma,
            "must be a finite, non-negative standard deviation",
        ))
    }
}

/// Builds a z-test result from an estimate, its null value and standard error.
#[allow(clippy::too_many_arguments)]
pub(crate) fn z_result(
    method: &str,
    estimate: f64,
    null_value: f64,
    se: f64,
    alternative: Alternative,
    confidence: f64,
    n: Vec<u64>,
    zero_se_note: &str,
) -> Result<TestResult> {
    let shifted = estimate - null_value;
    check_overflow(method, shifted, se)?;
    let result = if se > 0.0 {
        let dist = Normal::standard();
        let statistic = shifted / se;
        let p = symmetric_p_value(&dist, statistic, alternative);
        let ci = symmetric_ci(&dist, estimate, se, confidence, alternative);
        TestResult::new(method, alternative, statistic, p, n)
            .with_estimate(estimate, ci, confidence)
    } else {
        let (statistic, p) = zero_se_outcome(method, shifted, alternative)?;
        TestResult::new(method, alternative, statistic, p, n)
            .with_estimate(estimate, point_ci(estimate, alternative), confidence)
            .with_note(zero_se_note)
    };
    Ok(result.with_std_error(se))
}

/// One-sample z-test of H0: mean = `mu0` (normal pivot; statsmodels `ztest`).
///
/// `sigma = Some(σ)` is the known population standard deviation (then one observation
/// suffices); `None` estimates it by the sample standard deviation (ddof = 1), which is only
/// sound for large samples. The estimate is the sample mean.
pub fn z_mean_one_sample_from_moments(
    x: &Moments,
    mu0: f64,
    sigma: Option<f64>,
    alternative: Alternative,
    confidence: f64,
) -> Result<TestResult> {
    check_confidence(confidence)?;
    check_finite_arg("mu0", mu0)?;
    let (se, note) = match sigma {
        Some(s) => {
            check_sigma("sigma", s)?;
            check_moments("sample x", x, 1)?;
            (s / (x.n as f64).sqrt(), "known standard deviation")
        }
        None => {
            check_moments("sample x", x, 2)?;
            (x.sem(), "standard deviation estimated from the sample")
        }
    };
    let r = z_result(
        "z-means",
        x.mean,
        mu0,
        se,
        alternative,
        confidence,
        vec![x.n],
        "zero standard deviation: the statistic is infinite",
    )?;
    Ok(r.with_note(note).with_extra("mu0", mu0))
}

/// One-sample z-test of H0: mean = `mu0` on a raw sample (see
/// [`z_mean_one_sample_from_moments`]).
pub fn z_mean_one_sample(
    x: &[f64],
    mu0: f64,
    sigma: Option<f64>,
    alternative: Alternative,
    confidence: f64,
) -> Result<TestResult> {
    let min = if sigma.is_some() { 1 } else { 2 };
    let m = summarize("sample x", x, min)?;
    z_mean_one_sample_from_moments(&m, mu0, sigma, alternative, confidence)
}

/// Two-sample z-test for the difference of means x − y (normal pivot; statsmodels `ztest` with
/// `usevar="unequal"` when σ is estimated).
///
/// `sigma = Some([σx, σy])` gives the known population standard deviation of each group;
/// `None` estimates each by its sample standard deviation (ddof = 1, unpooled).
pub fn z_means_test_from_moments(
    x: &Moments,
    y: &Moments,
    sigma: Option<[f64; 2]>,
    alternative: Alternative,
    confidence: f64,
) -> Result<TestResult> {
    check_confidence(confidence)?;
    let (se, note) = match sigma {
        Some([sx, sy]) => {
            check_sigma("sigma of x", sx)?;
            check_sigma("sigma of y", sy)?;
            check_moments("sample x", x, 1)?;
            check_moments("sample y", y, 1)?;
            let se = (sx * sx / x.n as f64 + sy * sy / y.n as f64).sqrt();
            (se, "known standard deviations")
        }
        None => {
            check_moments("sample x", x, 2)?;
            check_moments("sample y", y, 2)?;
            let se = (var1(x) / x.n as f64 + var1(y) / y.n as f64).sqrt();
            (
                se,
                "standard deviations estimated from the samples (unpooled)",
            )
        }
    };
    let r = z_result(
        "z-means",
        x.mean - y.mean,
        0.0,
        se,
        alternative,
        confidence,
        vec![x.n, y.n],
        "zero standard deviations: the statistic is infinite",
    )?;
    Ok(r.with_note(note)
        .with_extra("mean_x", x.mean)
        .with_extra("mean_y", y.mean))
}

/// Two-sample z-test for means on raw samples (see [`z_means_test_from_moments`]).
pub fn z_means_test(
    x: &[f64],
    y: &[f64],
    sigma: Option<[f64; 2]>,
    alternative: Alternative,
    confidence: f64,
) -> Result<TestResult> {
    let min = if sigma.is_some() { 1 } else { 2 };
    let mx = summarize("sample x", x, min)?;
    let my = summarize("sample y", y, min)?;
    z_means_test_from_moments(&mx, &my, sigma, alternative, confidence)
}
