//! Fisher's exact test on a 2×2 table with the conditional maximum-likelihood odds ratio and its
//! exact conditional confidence interval, as R's `fisher.test` reports them.

use super::hypergeometric::TableCell;
use super::{check_counts, check_integral};
use crate::error::{Result, StatsError, check_confidence};
use crate::result::{Alternative, TestResult};

/// Largest table total accepted: the work grows with the square root of the total (~2 s here).
const MAX_TOTAL: u64 = 100_000_000_000;

/// Converts a table given as rows of `f64` counts into a checked 2×2 table of whole counts.
pub fn table_2x2(table: &[Vec<f64>]) -> Result<[[u64; 2]; 2]> {
    if table.len() != 2 || table.iter().any(|row| row.len() != 2) {
        let shape: Vec<usize> = table.iter().map(Vec::len).collect();
        return Err(StatsError::invalid(
            "table",
            format!("rows of lengths {shape:?}"),
            "Fisher's exact test needs a 2×2 table",
        ));
    }
    let mut out = [[0_u64; 2]; 2];
    for (i, row) in table.iter().enumerate() {
        let what = format!("table row {i}");
        check_counts(&what, row)?;
        check_integral(&what, row)?;
        for (j, &c) in row.iter().enumerate() {
            out[i][j] = c as u64;
        }
    }
    Ok(out)
}

/// Fisher's exact test of independence in the 2×2 table `[[a, b], [c, d]]` (Fisher 1935;
/// R's fisher.test, scipy.stats.fisher_exact).
///
/// `statistic` is the sample odds ratio ad/(bc) (scipy's statistic); `estimate` is the
/// conditional maximum-likelihood odds ratio with its exact conditional confidence interval at
/// level `confidence` (R's fisher.test: a two-sided interval puts (1 − confidence)/2 in each
/// tail; `Less` gives [0, hi], `Greater` gives [lo, ∞]). The two-sided p-value sums the
/// probabilities of all tables no more likely than the observed one (relative tolerance 1e-7,
/// as R; scipy uses 1e-14, which differs only for tables within 1e-7 of a tie). A table with an empty row or column gives p = 1 and an undefined (NaN) odds ratio,
/// as scipy.
pub fn fisher_exact(
    table: &[[u64; 2]; 2],
    alternative: Alternative,
    confidence: f64,
) -> Result<TestResult> {
    check_confidence(confidence)?;
    let t = table.map(|row| row.map(|c| c as f64));
    let total: f64 = t.iter().flatten().sum();
    let exact_total = table
        .iter()
        .flatten()
        .try_fold(0_u64, |acc, &c| acc.checked_add(c));
    if exact_total.is_none_or(|s| s > MAX_TOTAL) {
        return Err(StatsError::invalid(
            "table",
            total,
            "the table total must be at most 10^11 for the exact test (its cost grows with the \
             square root of the total); at such sizes the chi-square and G-tests agree with it",
        ));
    }
    let [[a, b], [c, d]] = t;
    let n = vec![(a + b) as u64, (c + d) as u64];
    let sample_odds_ratio = if b > 0.0 && c > 0.0 {
        a * d / (b * c)
    } else {
        f64::INFINITY
    };
    if a + b == 0.0 || c + d == 0.0 || a + c == 0.0 || b + d == 0.0 {
        return Ok(
            TestResult::new("fisher-exact", alternative, f64::NAN, 1.0, n).with_note(
                "a row or column of the table is empty: every table with these margins is the \
                 observed one, so p = 1 and the odds ratio is undefined",
            ),
        );
    }
    let cell = TableCell::from_table(&t);
    let p_value = match alternative {
        Alternative::Less => cell.cdf(a),
        Alternative::Greater => cell.sf_from(a),
        Alternative::TwoSided => cell.two_sided_p(a),
    }
    .min(1.0);
    let mle = cell.conditional_mle(a)?;
    let alpha = 1.0 - confidence;
    let ci = match alternative {
        Alternative::TwoSided => [
            cell.lower_bound(a, alpha / 2.0)?,
            cell.upper_bound(a, alpha / 2.0)?,
        ],
        Alternative::Less => [0.0, cell.upper_bound(a, alpha)?],
        Alternative::Greater => [cell.lower_bound(a, alpha)?, f64::INFINITY],
    };
    Ok(
        TestResult::new("fisher-exact", alternative, sample_odds_ratio, p_value, n)
            .with_estimate(mle, ci, confidence)
            .with_extra("odds_ratio_mle", mle)
            .with_extra("sample_odds_ratio", sample_odds_ratio),
    )
}
