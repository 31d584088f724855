//! Tests of independence of rows and columns of an r×c table of counts: Pearson's chi-square
//! and the G-test, with Yates' continuity correction for 2×2 tables (scipy's chi2_contingency).

use super::goodness_of_fit::pearson_statistic;
use super::{check_counts, g_term};
use crate::dist::{ChiSquared, ContinuousDistribution};
use crate::error::{Result, StatsError};
use crate::result::{Alternative, TestResult};

/// A validated table: cells row by row, the shape and the margins.
struct Table {
    cells: Vec<f64>,
    rows: usize,
    cols: usize,
    row_sums: Vec<f64>,
    col_sums: Vec<f64>,
    total: f64,
}

fn check_table(table: &[Vec<f64>]) -> Result<Table> {
    let rows = table.len();
    let cols = table.first().map_or(0, Vec::len);
    if rows == 0 || cols == 0 {
        return Err(StatsError::Empty {
            what: "contingency table".to_string(),
        });
    }
    let mut cells = Vec::with_capacity(rows * cols);
    let mut row_sums = Vec::with_capacity(rows);
    for (i, row) in table.iter().enumerate() {
        if row.len() != cols {
            return Err(StatsError::invalid(
                &format!("table row {i}"),
                format!("{} cells", row.len()),
                &format!("every row must have as many cells as row 0 ({cols})"),
            ));
        }
        row_sums.push(check_counts(&format!("table row {i}"), row)?);
        cells.extend_from_slice(row);
    }
    let col_sums: Vec<f64> = (0..cols)
        .map(|j| (0..rows).map(|i| cells[i * cols + j]).sum())
        .collect();
    let total: f64 = row_sums.iter().sum();
    if !total.is_finite() {
        return Err(StatsError::invalid(
            "contingency table",
            total,
            "the counts sum to more than the largest finite number",
        ));
    }
    if let Some(i) = row_sums.iter().position(|&s| s == 0.0) {
        return Err(StatsError::Degenerate(format!(
            "table row {i} sums to zero, so its expected counts are zero; drop the empty row"
        )));
    }
    if let Some(j) = col_sums.iter().position(|&s| s == 0.0) {
        return Err(StatsError::Degenerate(format!(
            "table column {j} sums to zero, so its expected counts are zero; drop the empty column"
        )));
    }
    Ok(Table {
        cells,
        rows,
        cols,
        row_sums,
        col_sums,
        total,
    })
}

impl Table {
    fn expected(&self) -> Vec<f64> {
        let mut e = Vec::with_capacity(self.rows * self.cols);
        for r in &self.row_sums {
            for c in &self.col_sums {
                // Same order as scipy unless the product overflows.
                let product = r * c;
                e.push(if product.is_finite() {
                    product / self.total
                } else {
                    r * (c / self.total)
                });
            }
        }
        e
    }
}

/// Expected counts under independence, row sum × column sum / total
/// (scipy.stats.contingency.expected_freq), with the same shape as `table`.
pub fn expected_frequencies(table: &[Vec<f64>]) -> Result<Vec<Vec<f64>>> {
    let t = check_table(table)?;
    Ok(t.expected().chunks(t.cols).map(<[f64]>::to_vec).collect())
}

#[derive(Clone, Copy)]
enum Statistic {
    Pearson,
    LogLikelihood,
}

fn independence(table: &[Vec<f64>], correction: bool, statistic: Statistic) -> Result<TestResult> {
    let t = check_table(table)?;
    let expected = t.expected();
    let df = ((t.rows - 1) * (t.cols - 1)) as f64;
    let method = match statistic {
        Statistic::Pearson => "chi2-independence",
        Statistic::LogLikelihood => "g-test",
    };
    let min_expected = expected.iter().copied().fold(f64::INFINITY, f64::min);
    let n = t.row_sums.iter().map(|&s| s.round() as u64).collect();
    if df == 0.0 {
        // A single row or column carries no information about association (scipy returns 0, 1).
        return Ok(TestResult::new(method, Alternative::TwoSided, 0.0, 1.0, n)
            .with_df(0.0)
            .with_extra("min_expected", min_expected)
            .with_note("a table with one row or one column cannot show association"));
    }
    let mut observed = t.cells.clone();
    let corrected = correction && df == 1.0;
    if corrected {
        // Yates: move each cell half a unit toward its expectation, never past it.
        for (o, &e) in observed.iter_mut().zip(&expected) {
            let diff = e - *o;
            *o += diff.signum() * diff.abs().min(0.5);
        }
    }
    let value = match statistic {
        Statistic::Pearson => pearson_statistic(&observed, &expected),
        Statistic::LogLikelihood => {
            2.0 * observed
                .iter()
                .zip(&expected)
                .map(|(&o, &e)| g_term(o, e))
                .sum::<f64>()
        }
    };
    super::check_statistic(value)?;
    let p_value = ChiSquared::new(df)?.sf(value);
    let mut result = TestResult::new(method, Alternative::TwoSided, value, p_value, n)
        .with_df(df)
        .with_extra("min_expected", min_expected)
        .with_extra("yates_correction", if corrected { 1.0 } else { 0.0 })
        .with_note("test of independence of rows and columns");
    if corrected {
        result = result.with_note("Yates' continuity correction applied (2×2 table)");
    }
    Ok(result)
}

/// Pearson's chi-square test of independence on an r×c table (scipy.stats.chi2_contingency);
/// `correction` applies Yates' continuity correction when the table is 2×2 (df = 1).
pub fn chi2_independence(table: &[Vec<f64>], correction: bool) -> Result<TestResult> {
    independence(table, correction, Statistic::Pearson)
}

/// G-test (log-likelihood ratio) of independence on an r×c table (Woolf 1957; scipy's
/// chi2_contingency with `lambda_="log-likelihood"`); `correction` as in [`chi2_independence`].
pub fn g_test_independence(table: &[Vec<f64>], correction: bool) -> Result<TestResult> {
    independence(table, correction, Statistic::LogLikelihood)
}
