//! z-tests for proportions: two independent proportions, and one proportion against `p0`.

use crate::dist::Normal;
use crate::error::{Result, StatsError, check_confidence};
use crate::inference::{symmetric_ci, symmetric_p_value};
use crate::result::{Alternative, TestResult};

use super::{check_counts, point_ci, zero_se_outcome};

/// Two-sample z-test for the difference of proportions p_x − p_y (Agresti, *Categorical Data
/// Analysis*, 3rd ed., §1.4 and §3.1; statsmodels `proportions_ztest` and
/// `test_proportions_2indep(method="wald")`).
///
/// The statistic uses the pooled standard error √(p̄(1−p̄)(1/n_x + 1/n_y)) when `pooled` is true
/// (the usual score-type test of H0: p_x = p_y) and the unpooled one otherwise. The confidence
/// interval for the difference is always the Wald interval with the unpooled standard error
/// √(p_x(1−p_x)/n_x + p_y(1−p_y)/n_y) (statsmodels `confint_proportions_2indep(method="wald")`),
/// which is also `std_error`; `extra` holds `std_error_pooled`, `p_x` and `p_y`.
///
/// Counts must satisfy 0 ≤ successes ≤ trials and trials ≥ 1. When every trial in both groups
/// succeeded (or every one failed) the pooled statistic is 0/0 and the test is an error.
pub fn z_proportions_test(
    successes_x: i64,
    trials_x: i64,
    successes_y: i64,
    trials_y: i64,
    pooled: bool,
    alternative: Alternative,
    confidence: f64,
) -> Result<TestResult> {
    check_confidence(confidence)?;
    let (sx, nx) = check_counts("group x", successes_x, trials_x)?;
    let (sy, ny) = check_counts("group y", successes_y, trials_y)?;
    let (px, py) = (sx / nx, sy / ny);
    let diff = px - py;
    let se_unpooled = (px * (1.0 - px) / nx + py * (1.0 - py) / ny).sqrt();
    let p_bar = (sx + sy) / (nx + ny);
    let se_pooled = (p_bar * (1.0 - p_bar) * (1.0 / nx + 1.0 / ny)).sqrt();
    let se_stat = if pooled { se_pooled } else { se_unpooled };
    let n = vec![trials_x as u64, trials_y as u64];
    let dist = Normal::standard();
    let mut result = if se_stat > 0.0 {
        let statistic = diff / se_stat;
        let p = symmetric_p_value(&dist, statistic, alternative);
        TestResult::new("z-proportions", alternative, statistic, p, n)
    } else if diff == 0.0 {
        return Err(StatsError::Degenerate(format!(
            "z-proportions: every trial in both groups has the same outcome \
             ({successes_x}/{trials_x} and {successes_y}/{trials_y}): the statistic is 0/0"
        )));
    } else {
        let (statistic, p) = zero_se_outcome("z-proportions", diff, alternative)?;
        TestResult::new("z-proportions", alternative, statistic, p, n)
            .with_note("zero unpooled standard error: the statistic is infinite")
    };
    let ci = if se_unpooled > 0.0 {
        symmetric_ci(&dist, diff, se_unpooled, confidence, alternative)
    } else {
        point_ci(diff, alternative)
    };
    result = result
        .with_estimate(diff, ci, confidence)
        .with_std_error(se_unpooled)
        .with_extra("std_error_pooled", se_pooled)
        .with_extra("p_x", px)
        .with_extra("p_y", py)
        .with_note(if pooled {
            "statistic uses the pooled standard error; the CI uses the unpooled (Wald) one"
        } else {
            "statistic and CI use the unpooled (Wald) standard error"
        });
    Ok(result)
}

/// One-sample z-test of H0: p = `p0` (score test, standard error √(p0(1−p0)/n); Agresti §1.3;
/// statsmodels `proportions_ztest(prop_var=p0)`), with the Wald CI p̂ ± z·√(p̂(1−p̂)/n).
///
/// `p0` must lie strictly between 0 and 1. The estimate is the sample proportion.
pub fn z_proportion_one_sample(
    successes: i64,
    trials: i64,
    p0: f64,
    alternative: Alternative,
    confidence: f64,
) -> Result<TestResult> {
    check_confidence(confidence)?;
    if !(p0 > 0.0 && p0 < 1.0) {
        return Err(StatsError::invalid(
            "p0",
            p0,
            "must lie strictly between 0 and 1",
        ));
    }
    let (s, n) = check_counts("sample", successes, trials)?;
    let p_hat = s / n;
    let se_null = (p0 * (1.0 - p0) / n).sqrt();
    let se_wald = (p_hat * (1.0 - p_hat) / n).sqrt();
    let dist = Normal::standard();
    let statistic = (p_hat - p0) / se_null;
    let p = symmetric_p_value(&dist, statistic, alternative);
    let ci = if se_wald > 0.0 {
        symmetric_ci(&dist, p_hat, se_wald, confidence, alternative)
    } else {
        point_ci(p_hat, alternative)
    };
    Ok(TestResult::new(
        "z-proportions",
        alternative,
        statistic,
        p,
        vec![trials as u64],
    )
    .with_estimate(p_hat, ci, confidence)
    .with_std_error(se_wald)
    .with_extra("p0", p0)
    .with_extra("std_error_null", se_null)
    .with_note("statistic uses the null standard error; the CI is the Wald interval"))
}
