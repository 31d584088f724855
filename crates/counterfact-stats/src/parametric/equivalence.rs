//! Equivalence (two one-sided tests, TOST) and non-inferiority tests for a difference of means.

use serde::Serialize;

use crate::error::{Result, StatsError, check_confidence};
use crate::moments::Moments;
use crate::result::{Alternative, TestResult};

use super::summarize;
use super::t_tests::{check_two_sample, two_sample_t};

/// A margin on the difference of means x − y, either in the units of the data or as a fraction
/// of the control mean |mean_y|.
///
/// A relative margin is resolved with the observed control mean, which is treated as known (its
/// sampling error is ignored), as is usual in A/B testing practice.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "value")]
pub enum Margin {
    /// In the units of the data.
    Absolute(f64),
    /// As a fraction of |mean_y|, e.g. 0.02 for 2%.
    Relative(f64),
}

impl Margin {
    /// The margin in the units of the data, given the control summary.
    fn resolve(self, name: &str, y: &Moments) -> Result<f64> {
        match self {
            Margin::Absolute(v) if v.is_finite() => Ok(v),
            Margin::Relative(v) if v.is_finite() => {
                if y.mean == 0.0 {
                    return Err(StatsError::invalid(
                        name,
                        v,
                        "is relative, but the control (y) mean is 0",
                    ));
                }
                Ok(v * y.mean.abs())
            }
            Margin::Absolute(v) | Margin::Relative(v) => {
                Err(StatsError::invalid(name, v, "must be finite"))
            }
        }
    }

    fn is_relative(self) -> bool {
        matches!(self, Margin::Relative(_))
    }

    fn value(self) -> f64 {
        match self {
            Margin::Absolute(v) | Margin::Relative(v) => v,
        }
    }
}

impl std::str::FromStr for Margin {
    type Err = StatsError;

    /// Parses the command-line form: a number is absolute ("0.5"), a number with a percent sign
    /// is relative to the control mean ("2%" → `Relative(0.02)`).
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim();
        let bad = || {
            StatsError::invalid(
                "margin",
                s,
                "must be a finite number, or a percentage like 2%",
            )
        };
        match t.strip_suffix('%') {
            Some(p) => {
                let v: f64 = p.trim().parse().map_err(|_| bad())?;
                if v.is_finite() {
                    Ok(Margin::Relative(v / 100.0))
                } else {
                    Err(bad())
                }
            }
            None => {
                let v: f64 = t.parse().map_err(|_| bad())?;
                if v.is_finite() {
                    Ok(Margin::Absolute(v))
                } else {
                    Err(bad())
                }
            }
        }
    }
}

/// Equivalence test by two one-sided t-tests (Schuirmann 1987, J. Pharmacokinet. Biopharm.
/// 15(6); statsmodels `ttost_ind`): H0: x − y ≤ lower or x − y ≥ upper against
/// H1: lower < x − y < upper.
///
/// Each one-sided test is Student's (`pooled`) or Welch's t-test; the p-value is the larger of
/// the two and `statistic` is the t of that test. Equivalence at level α corresponds to the
/// (1 − 2α) two-sided CI lying inside the bounds, so pass `confidence = 1 − 2α` (0.90 for
/// α = 0.05) to get the matching interval. `extra` holds `margin_lower` and `margin_upper` (in
/// data units), the given relative bounds when relative (`margin_lower_relative`,
/// `margin_upper_relative`), and each one-sided test's `statistic_lower`, `p_value_lower`,
/// `statistic_upper`, `p_value_upper`.
pub fn tost_from_moments(
    x: &Moments,
    y: &Moments,
    lower: Margin,
    upper: Margin,
    pooled: bool,
    confidence: f64,
) -> Result<TestResult> {
    check_confidence(confidence)?;
    check_two_sample(x, y, pooled)?;
    let lo = lower.resolve("lower equivalence bound", y)?;
    let hi = upper.resolve("upper equivalence bound", y)?;
    if lo >= hi {
        return Err(StatsError::invalid(
            "equivalence bounds",
            format!("[{lo}, {hi}]"),
            "the lower bound must be below the upper bound",
        ));
    }
    let ci_level = two_sample_t("tost", x, y, pooled, 0.0, Alternative::TwoSided, confidence);
    let lower_test = two_sample_t("tost", x, y, pooled, lo, Alternative::Greater, confidence)?;
    let upper_test = two_sample_t("tost", x, y, pooled, hi, Alternative::Less, confidence)?;
    let (statistic, p) = if lower_test.p_value >= upper_test.p_value {
        (lower_test.statistic, lower_test.p_value)
    } else {
        (upper_test.statistic, upper_test.p_value)
    };
    let mut r = TestResult::new("tost", Alternative::TwoSided, statistic, p, vec![x.n, y.n])
        .with_extra("margin_lower", lo)
        .with_extra("margin_upper", hi)
        .with_extra("statistic_lower", lower_test.statistic)
        .with_extra("p_value_lower", lower_test.p_value)
        .with_extra("statistic_upper", upper_test.statistic)
        .with_extra("p_value_upper", upper_test.p_value)
        .with_extra("mean_x", x.mean)
        .with_extra("mean_y", y.mean)
        .with_note(if pooled {
            "two one-sided Student t-tests (pooled variance)"
        } else {
            "two one-sided Welch t-tests"
        });
    if let Some(df) = lower_test.df {
        r = r.with_df(df);
    }
    if let Some(se) = lower_test.std_error {
        r = r.with_std_error(se);
    }
    let diff = x.mean - y.mean;
    let ci = match ci_level {
        Ok(t) => t.ci.unwrap_or([diff, diff]),
        Err(_) => [diff, diff],
    };
    r = r.with_estimate(diff, ci, confidence);
    if lower.is_relative() {
        r = r.with_extra("margin_lower_relative", lower.value());
    }
    if upper.is_relative() {
        r = r.with_extra("margin_upper_relative", upper.value());
    }
    Ok(r)
}

/// Equivalence test by two one-sided t-tests on raw samples (see [`tost_from_moments`]).
pub fn tost(
    x: &[f64],
    y: &[f64],
    lower: Margin,
    upper: Margin,
    pooled: bool,
    confidence: f64,
) -> Result<TestResult> {
    let min = if pooled { 1 } else { 2 };
    let mx = summarize("sample x", x, min)?;
    let my = summarize("sample y", y, min)?;
    tost_from_moments(&mx, &my, lower, upper, pooled, confidence)
}

/// Non-inferiority t-test with margin δ ≥ 0 (Chow, Shao & Wang, *Sample Size Calculations in
/// Clinical Research*, §3.2; statsmodels `ttest_ind(value=∓δ)`).
///
/// When `higher_is_better`: H0: x − y ≤ −δ against H1: x − y > −δ (alternative "greater");
/// otherwise H0: x − y ≥ δ against H1: x − y < δ (alternative "less"). Student's t when
/// `pooled`, Welch's otherwise. The CI is the matching one-sided bound for x − y at
/// `confidence`; x is non-inferior when that bound clears the margin. `extra` holds `margin` (δ
/// in data units), `null_value` (−δ or δ) and `margin_relative` when the margin is relative.
pub fn non_inferiority_from_moments(
    x: &Moments,
    y: &Moments,
    margin: Margin,
    higher_is_better: bool,
    pooled: bool,
    confidence: f64,
) -> Result<TestResult> {
    check_confidence(confidence)?;
    check_two_sample(x, y, pooled)?;
    let delta = margin.resolve("non-inferiority margin", y)?;
    if delta < 0.0 {
        return Err(StatsError::invalid(
            "non-inferiority margin",
            margin.value(),
            "must not be negative (the direction is set by higher_is_better)",
        ));
    }
    let (null_value, alternative) = if higher_is_better {
        (-delta, Alternative::Greater)
    } else {
        (delta, Alternative::Less)
    };
    let mut r = two_sample_t(
        "non-inferiority",
        x,
        y,
        pooled,
        null_value,
        alternative,
        confidence,
    )?
    .with_extra("margin", delta)
    .with_extra("null_value", null_value)
    .with_note(if higher_is_better {
        "higher is better: H1 is x − y > −margin"
    } else {
        "lower is better: H1 is x − y < margin"
    });
    if margin.is_relative() {
        r = r.with_extra("margin_relative", margin.value());
    }
    Ok(r)
}

/// Non-inferiority t-test on raw samples (see [`non_inferiority_from_moments`]).
pub fn non_inferiority(
    x: &[f64],
    y: &[f64],
    margin: Margin,
    higher_is_better: bool,
    pooled: bool,
    confidence: f64,
) -> Result<TestResult> {
    let min = if pooled { 1 } else { 2 };
    let mx = summarize("sample x", x, min)?;
    let my = summarize("sample y", y, min)?;
    non_inferiority_from_moments(&mx, &my, margin, higher_is_better, pooled, confidence)
}
