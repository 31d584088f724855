//! Goodness of fit of observed counts to expected proportions: Pearson's chi-square, the G-test
//! and the sample-ratio-mismatch (SRM) check built on them.

use serde::Serialize;

use super::{check_counts, check_integral, g_term};
use crate::dist::{ChiSquared, ContinuousDistribution};
use crate::error::{Result, StatsError};
use crate::result::{Alternative, TestResult};

/// Observed counts, the expected counts under the null and the degrees of freedom.
struct Fit {
    observed: Vec<f64>,
    expected: Vec<f64>,
    df: f64,
}

/// Validates the inputs and scales the weights (equal when absent) to the observed total.
fn fit(observed: &[f64], expected_weights: Option<&[f64]>) -> Result<Fit> {
    let total = check_counts("observed counts", observed)?;
    if observed.len() < 2 {
        return Err(StatsError::TooFew {
            what: "observed counts (cells)".to_string(),
            n: observed.len(),
            min: 2,
        });
    }
    if total == 0.0 {
        return Err(StatsError::Degenerate(
            "observed counts are all zero: there is nothing to test".to_string(),
        ));
    }
    let expected = match expected_weights {
        None => vec![total / observed.len() as f64; observed.len()],
        Some(w) => {
            if w.len() != observed.len() {
                return Err(StatsError::invalid(
                    "expected weights",
                    format!("{} values", w.len()),
                    &format!("must have one weight per cell ({} cells)", observed.len()),
                ));
            }
            let weight_total = check_counts("expected weights", w)?;
            if let Some(i) = w.iter().position(|&v| v == 0.0) {
                return Err(StatsError::invalid(
                    &format!("expected weights[{i}]"),
                    0,
                    "every cell needs a positive expected share; drop cells expected to be empty",
                ));
            }
            w.iter().map(|&v| total * (v / weight_total)).collect()
        }
    };
    if let Some(i) = expected.iter().position(|&e| e <= 0.0 || !e.is_finite()) {
        return Err(StatsError::invalid(
            &format!("expected weights[{i}]"),
            expected[i],
            "the expected count of this cell underflows to zero; rescale the weights",
        ));
    }
    Ok(Fit {
        observed: observed.to_vec(),
        expected,
        df: (observed.len() - 1) as f64,
    })
}

fn gof_result(method: &str, fit: &Fit, statistic: f64) -> Result<TestResult> {
    super::check_statistic(statistic)?;
    let p_value = ChiSquared::new(fit.df)?.sf(statistic);
    let min_expected = fit.expected.iter().copied().fold(f64::INFINITY, f64::min);
    Ok(TestResult::new(
        method,
        Alternative::TwoSided,
        statistic,
        p_value,
        fit.observed.iter().map(|&o| o.round() as u64).collect(),
    )
    .with_df(fit.df)
    .with_extra("min_expected", min_expected)
    .with_note("goodness of fit to the expected proportions"))
}

/// Pearson's chi-square goodness-of-fit test (Pearson 1900; scipy.stats.chisquare) of
/// `observed` counts against `expected_weights` (normalized; equal shares when `None`).
pub fn chi2_goodness_of_fit(
    observed: &[f64],
    expected_weights: Option<&[f64]>,
) -> Result<TestResult> {
    let fit = fit(observed, expected_weights)?;
    let statistic = pearson_statistic(&fit.observed, &fit.expected);
    gof_result("chi2-gof", &fit, statistic)
}

/// G-test (log-likelihood ratio) goodness of fit (Sokal & Rohlf, Biometry; scipy's
/// power_divergence with `lambda_="log-likelihood"`) of `observed` against `expected_weights`.
pub fn g_test_goodness_of_fit(
    observed: &[f64],
    expected_weights: Option<&[f64]>,
) -> Result<TestResult> {
    let fit = fit(observed, expected_weights)?;
    let statistic = 2.0
        * fit
            .observed
            .iter()
            .zip(&fit.expected)
            .map(|(&o, &e)| g_term(o, e))
            .sum::<f64>();
    gof_result("g-test", &fit, statistic)
}

pub(super) fn pearson_statistic(observed: &[f64], expected: &[f64]) -> f64 {
    observed
        .iter()
        .zip(expected)
        .map(|(&o, &e)| (o - e) * (o - e) / e)
        .sum()
}

/// Outcome of a sample-ratio-mismatch check.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SrmCheck {
    /// The chi-square goodness-of-fit test behind the check.
    pub result: TestResult,
    /// True when the p-value is below `alpha`: the split differs from the design.
    pub mismatch: bool,
    /// Threshold the p-value was compared with.
    pub alpha: f64,
    /// Expected units per arm under the designed split.
    pub expected: Vec<f64>,
    /// Pearson residuals (observed − expected) / √expected per arm, in input order.
    pub residuals: Vec<f64>,
}

/// Sample-ratio-mismatch check (Fabijan et al. 2019, "Diagnosing Sample Ratio Mismatch in
/// Online Controlled Experiments"): chi-square goodness of fit of the units per arm to the
/// designed split `expected_weights` (equal when `None`), flagged when p < `alpha`.
pub fn srm_check(
    observed: &[f64],
    expected_weights: Option<&[f64]>,
    alpha: f64,
) -> Result<SrmCheck> {
    if !(alpha > 0.0 && alpha < 1.0) {
        return Err(StatsError::invalid(
            "alpha",
            alpha,
            "must lie strictly between 0 and 1",
        ));
    }
    check_counts("observed counts", observed)?;
    check_integral("observed counts", observed)?;
    let fit = fit(observed, expected_weights)?;
    let statistic = pearson_statistic(&fit.observed, &fit.expected);
    let residuals = fit
        .observed
        .iter()
        .zip(&fit.expected)
        .map(|(&o, &e)| (o - e) / e.sqrt())
        .collect();
    let result = gof_result("chi2-gof", &fit, statistic)?;
    Ok(SrmCheck {
        mismatch: result.p_value < alpha,
        alpha,
        expected: fit.expected,
        residuals,
        result,
    })
}
