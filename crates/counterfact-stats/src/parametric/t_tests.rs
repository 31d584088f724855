//! Student's t-tests: one-sample, two-sample with pooled variance (Student), two-sample with
//! unequal variances (Welch), and paired.

use crate::dist::StudentT;
use crate::error::{Result, StatsError, check_confidence, check_finite_arg};
use crate::inference::{symmetric_ci, symmetric_p_value};
use crate::moments::Moments;
use crate::result::{Alternative, TestResult};

use super::{check_moments, check_overflow, point_ci, summarize, var1, zero_se_outcome};

/// Standard error and degrees of freedom of the difference of two means.
///
/// Pooled: Student (1908); unpooled: Welch (1947) with the Welch–Satterthwaite degrees of freedom.
/// Returns `df = None` when both variances are zero (the Welch–Satterthwaite ratio is 0/0).
pub(crate) fn diff_se_df(x: &Moments, y: &Moments, pooled: bool) -> (f64, Option<f64>) {
    let (nx, ny) = (x.n as f64, y.n as f64);
    if pooled {
        let df = nx + ny - 2.0;
        let sp2 = (x.m2 + y.m2) / df;
        ((sp2 * (1.0 / nx + 1.0 / ny)).sqrt(), Some(df))
    } else {
        let (ax, ay) = (var1(x) / nx, var1(y) / ny);
        let s2 = ax + ay;
        // Written in the shares ax/s2 and ay/s2 so that tiny variances cannot underflow.
        let df = if s2 > 0.0 {
            let (rx, ry) = (ax / s2, ay / s2);
            Some(1.0 / (rx * rx / (nx - 1.0) + ry * ry / (ny - 1.0)))
        } else {
            None
        };
        (s2.sqrt(), df)
    }
}

/// Validates the two summaries of a two-sample t-test: Welch needs two observations per group
/// (each variance must exist); Student needs one per group and three in all.
pub(crate) fn check_two_sample(x: &Moments, y: &Moments, pooled: bool) -> Result<()> {
    let min = if pooled { 1 } else { 2 };
    check_moments("sample x", x, min)?;
    check_moments("sample y", y, min)?;
    if pooled && x.n.saturating_add(y.n) < 3 {
        return Err(StatsError::TooFew {
            what: "samples x and y together".to_string(),
            n: usize::try_from(x.n.saturating_add(y.n)).unwrap_or(usize::MAX),
            min: 3,
        });
    }
    Ok(())
}

/// Two-sample t-test of H0: mean_x − mean_y = `null_diff`, shared by Student, Welch, TOST and
/// non-inferiority. The estimate is the difference of means and its CI is not shifted.
pub(crate) fn two_sample_t(
    method: &str,
    x: &Moments,
    y: &Moments,
    pooled: bool,
    null_diff: f64,
    alternative: Alternative,
    confidence: f64,
) -> Result<TestResult> {
    check_confidence(confidence)?;
    check_two_sample(x, y, pooled)?;
    let diff = x.mean - y.mean;
    let (se, df) = diff_se_df(x, y, pooled);
    let n = vec![x.n, y.n];
    let shifted = diff - null_diff;
    check_overflow(method, shifted, se)?;
    let mut result = if se > 0.0 {
        let df = df.ok_or_else(|| StatsError::Internal("t-test without df".to_string()))?;
        let dist = StudentT::new(df)?;
        let statistic = shifted / se;
        let p = symmetric_p_value(&dist, statistic, alternative);
        let ci = symmetric_ci(&dist, diff, se, confidence, alternative);
        TestResult::new(method, alternative, statistic, p, n)
            .with_df(df)
            .with_estimate(diff, ci, confidence)
    } else {
        let (statistic, p) = zero_se_outcome(method, shifted, alternative)?;
        let r = TestResult::new(method, alternative, statistic, p, n)
            .with_estimate(diff, point_ci(diff, alternative), confidence)
            .with_note("both samples have zero variance: the statistic is infinite");
        match df {
            Some(df) => r.with_df(df),
            None => r,
        }
    };
    result = result
        .with_std_error(se)
        .with_extra("mean_x", x.mean)
        .with_extra("mean_y", y.mean);
    Ok(result)
}

/// One-sample t-test of H0: mean = `mu0` from a summary (Student 1908; scipy `ttest_1samp`).
///
/// The estimate is the sample mean and the CI is for the mean.
pub fn one_sample_t_test_from_moments(
    x: &Moments,
    mu0: f64,
    alternative: Alternative,
    confidence: f64,
) -> Result<TestResult> {
    one_sample_core("one-sample-t", "sample x", x, mu0, alternative, confidence)
}

fn one_sample_core(
    method: &str,
    what: &str,
    x: &Moments,
    mu0: f64,
    alternative: Alternative,
    confidence: f64,
) -> Result<TestResult> {
    check_confidence(confidence)?;
    check_finite_arg("mu0", mu0)?;
    check_moments(what, x, 2)?;
    let se = x.sem();
    let df = (x.n - 1) as f64;
    let shifted = x.mean - mu0;
    check_overflow(method, shifted, se)?;
    let n = vec![x.n];
    let result = if se > 0.0 {
        let dist = StudentT::new(df)?;
        let statistic = shifted / se;
        let p = symmetric_p_value(&dist, statistic, alternative);
        let ci = symmetric_ci(&dist, x.mean, se, confidence, alternative);
        TestResult::new(method, alternative, statistic, p, n).with_estimate(x.mean, ci, confidence)
    } else {
        let (statistic, p) = zero_se_outcome(method, shifted, alternative)?;
        TestResult::new(method, alternative, statistic, p, n)
            .with_estimate(x.mean, point_ci(x.mean, alternative), confidence)
            .with_note("the sample has zero variance: the statistic is infinite")
    };
    Ok(result.with_df(df).with_std_error(se).with_extra("mu0", mu0))
}

/// One-sample t-test of H0: mean = `mu0` on a raw sample (Student 1908; scipy `ttest_1samp`).
pub fn one_sample_t_test(
    x: &[f64],
    mu0: f64,
    alternative: Alternative,
    confidence: f64,
) -> Result<TestResult> {
    let m = summarize("sample x", x, 2)?;
    one_sample_t_test_from_moments(&m, mu0, alternative, confidence)
}

/// Two-sample t-test with pooled variance (Student 1908; scipy `ttest_ind(equal_var=True)`).
pub fn student_t_test_from_moments(
    x: &Moments,
    y: &Moments,
    alternative: Alternative,
    confidence: f64,
) -> Result<TestResult> {
    two_sample_t("student-t", x, y, true, 0.0, alternative, confidence)
}

/// Two-sample t-test with pooled variance on raw samples (Student 1908).
pub fn student_t_test(
    x: &[f64],
    y: &[f64],
    alternative: Alternative,
    confidence: f64,
) -> Result<TestResult> {
    let mx = summarize("sample x", x, 1)?;
    let my = summarize("sample y", y, 1)?;
    student_t_test_from_moments(&mx, &my, alternative, confidence)
}

/// Two-sample t-test with unequal variances and Welch–Satterthwaite degrees of freedom
/// (Welch 1947; scipy `ttest_ind(equal_var=False)`).
pub fn welch_t_test_from_moments(
    x: &Moments,
    y: &Moments,
    alternative: Alternative,
    confidence: f64,
) -> Result<TestResult> {
    two_sample_t("welch-t", x, y, false, 0.0, alternative, confidence)
}

/// Welch's unequal-variance t-test on raw samples (Welch 1947).
pub fn welch_t_test(
    x: &[f64],
    y: &[f64],
    alternative: Alternative,
    confidence: f64,
) -> Result<TestResult> {
    let mx = summarize("sample x", x, 2)?;
    let my = summarize("sample y", y, 2)?;
    welch_t_test_from_moments(&mx, &my, alternative, confidence)
}

/// Paired t-test from the summary of the differences x − y (Student 1908; scipy `ttest_rel`).
pub fn paired_t_test_from_moments(
    differences: &Moments,
    alternative: Alternative,
    confidence: f64,
) -> Result<TestResult> {
    one_sample_core(
        "paired-t",
        "paired differences",
        differences,
        0.0,
        alternative,
        confidence,
    )
}

/// Paired t-test on the differences x − y of paired samples (Student 1908; scipy `ttest_rel`).
///
/// `x` and `y` must have the same length; a pair holding NaN or ±inf is an error.
pub fn paired_t_test(
    x: &[f64],
    y: &[f64],
    alternative: Alternative,
    confidence: f64,
) -> Result<TestResult> {
    if x.len() != y.len() {
        return Err(StatsError::invalid(
            "sample y",
            format!("{} values", y.len()),
            &format!("must pair with sample x ({} values)", x.len()),
        ));
    }
    check_sample_pairs(x, y)?;
    let d: Vec<f64> = x.iter().zip(y).map(|(a, b)| a - b).collect();
    let m = summarize("paired differences", &d, 2)?;
    paired_t_test_from_moments(&m, alternative, confidence)
}

fn check_sample_pairs(x: &[f64], y: &[f64]) -> Result<()> {
    crate::error::check_sample("sample x", x, 2)?;
    crate::error::check_sample("sample y", y, 2)
}
