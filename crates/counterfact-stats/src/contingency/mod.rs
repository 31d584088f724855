//! Tests on counts: goodness of fit (the sample-ratio-mismatch check), independence in r×c
//! tables (Pearson chi-square, G-test) and Fisher's exact test on 2×2 tables.
//!
//! Method names follow the CLI: `chi2-gof`, `chi2-independence`, `g-test`, `fisher-exact`.
//! Counts are given as `f64` so that tables read from files pass through unchanged; every
//! function checks them (finite, non-negative, integral where the method needs it) and returns a
//! [`StatsError`] naming the cell at fault.

mod fisher;
mod goodness_of_fit;
mod hypergeometric;
mod independence;

pub use fisher::{fisher_exact, table_2x2};
pub use goodness_of_fit::{SrmCheck, chi2_goodness_of_fit, g_test_goodness_of_fit, srm_check};
pub use independence::{chi2_independence, expected_frequencies, g_test_independence};

use crate::error::{Result, StatsError};

/// Largest count kept exact in an `f64` (2^53).
const MAX_EXACT_COUNT: f64 = 9_007_199_254_740_992.0;

/// Checks that `counts` is non-empty and holds finite, non-negative values; returns their sum.
fn check_counts(what: &str, counts: &[f64]) -> Result<f64> {
    if counts.is_empty() {
        return Err(StatsError::Empty {
            what: what.to_string(),
        });
    }
    let mut total = 0.0;
    for (i, &c) in counts.iter().enumerate() {
        if !c.is_finite() {
            return Err(StatsError::NonFinite {
                what: what.to_string(),
                index: i,
                value: c,
            });
        }
        if c < 0.0 {
            return Err(StatsError::invalid(
                &format!("{what}[{i}]"),
                c,
                "counts must be non-negative",
            ));
        }
        total += c;
    }
    if !total.is_finite() {
        return Err(StatsError::invalid(
            what,
            total,
            "the counts sum to more than the largest finite number",
        ));
    }
    Ok(total)
}

/// Checks that every count is a whole number that an `f64` holds exactly.
fn check_integral(what: &str, counts: &[f64]) -> Result<()> {
    for (i, &c) in counts.iter().enumerate() {
        if c.fract() != 0.0 || c > MAX_EXACT_COUNT {
            return Err(StatsError::invalid(
                &format!("{what}[{i}]"),
                c,
                "counts must be whole numbers no larger than 2^53",
            ));
        }
    }
    Ok(())
}

/// Natural-log deviance term o·ln(o/e) + e − o, the non-negative per-cell piece of the G
/// statistic when observed and expected totals agree (so no cancellation between cells).
fn g_term(observed: f64, expected: f64) -> f64 {
    crate::dist::special::bd0(observed, expected)
}

/// Rejects a statistic that overflowed (counts near the largest finite number).
fn check_statistic(statistic: f64) -> Result<()> {
    if statistic.is_finite() {
        Ok(())
    } else {
        Err(StatsError::invalid(
            "counts",
            statistic,
            "are too large: the test statistic overflows a double",
        ))
    }
}
