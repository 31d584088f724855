//! Automatic choice between the z-test and Welch's t-test for a difference of means.

use crate::error::Result;
use crate::moments::Moments;
use crate::result::{Alternative, TestResult};

use super::summarize;
use super::t_tests::welch_t_test_from_moments;
use super::z_means::z_means_test_from_moments;

/// Smallest per-group sample size at which [`auto_means_test_from_moments`] uses the z-test with
/// estimated standard deviations instead of Welch's t-test.
///
/// Welch's degrees of freedom are at least min(n_x, n_y) − 1, and at 999 degrees of freedom the
/// two-sided 95% critical value of t (1.9623) is within 0.12% of the normal one (1.9600), so the
/// two tests agree to that precision. The often-quoted n ≥ 30 is not used: at 29 degrees of
/// freedom the t critical value is 4% larger and a z-test would reject a true null about 6% of
/// the time at α = 0.05.
pub const AUTO_Z_MIN_N: u64 = 1000;

/// Test for a difference of means x − y that picks its method (the CLI's `auto`):
///
/// 1. `sigma` given (known standard deviations) → z-test with known σ;
/// 2. both groups have at least [`AUTO_Z_MIN_N`] observations → z-test with estimated σ
///    (the t distribution has converged to the normal);
/// 3. otherwise → Welch's t-test (no equal-variance assumption).
///
/// The reason for the choice is the first entry of `notes`.
pub fn auto_means_test_from_moments(
    x: &Moments,
    y: &Moments,
    sigma: Option<[f64; 2]>,
    alternative: Alternative,
    confidence: f64,
) -> Result<TestResult> {
    let (mut result, reason) = if sigma.is_some() {
        (
            z_means_test_from_moments(x, y, sigma, alternative, confidence)?,
            "auto: z-test because the standard deviations are known".to_string(),
        )
    } else if x.n >= AUTO_Z_MIN_N && y.n >= AUTO_Z_MIN_N {
        (
            z_means_test_from_moments(x, y, None, alternative, confidence)?,
            format!(
                "auto: z-test because both groups have at least {AUTO_Z_MIN_N} observations \
                 (n = {}, {}), where t and normal critical values agree",
                x.n, y.n
            ),
        )
    } else {
        (
            welch_t_test_from_moments(x, y, alternative, confidence)?,
            format!(
                "auto: Welch t-test because a group has fewer than {AUTO_Z_MIN_N} observations \
                 (n = {}, {}) and the standard deviations are unknown",
                x.n, y.n
            ),
        )
    };
    result.notes.insert(0, reason);
    Ok(result)
}

/// Automatic z / Welch test on raw samples (see [`auto_means_test_from_moments`]).
pub fn auto_means_test(
    x: &[f64],
    y: &[f64],
    sigma: Option<[f64; 2]>,
    alternative: Alternative,
    confidence: f64,
) -> Result<TestResult> {
    let min = if sigma.is_some() { 1 } else { 2 };
    let mx = summarize("sample x", x, min)?;
    let my = summarize("sample y", y, min)?;
    auto_means_test_from_moments(&mx, &my, sigma, alternative, confidence)
}
