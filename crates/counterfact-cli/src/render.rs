//! Rendering results: a readable table by default, or JSON with `--json`.

use std::io::Write;

use anyhow::{Context, Result};
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};
use counterfact_report::{scientific, significant, trim_zeros};
use counterfact_stats::Alternative;
use serde::Serialize;

use crate::methods::Outcome;

/// Writes `text` and a newline to stdout.
pub fn write_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .context("writing the output")
}

/// Serializes `value` as pretty JSON.
pub fn json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string_pretty(value).context("serializing the result as JSON")
}

/// Prints an experiment readout: the terminal report, or the documented JSON tree with `json`.
pub fn print_readout(readout: &counterfact_models::readout::Readout, as_json: bool) -> Result<()> {
    if as_json {
        write_stdout(&json(&counterfact_report::readout_json(readout))?)
    } else {
        let options = counterfact_report::RenderOptions::default();
        let text = counterfact_report::render_readout(readout, &options);
        write_stdout(text.trim_end())
    }
}

/// Prints the compiled SQL: to stdout before a table readout, to stderr when stdout is JSON.
pub fn write_sql(sql: &str, as_json: bool) -> Result<()> {
    let text = format!("{}\n", sql.trim_end());
    if as_json {
        let mut err = std::io::stderr().lock();
        err.write_all(text.as_bytes())
            .and_then(|()| err.flush())
            .context("writing the SQL")
    } else {
        write_stdout(&text)
    }
}

/// Prints a test outcome as a table or as the JSON of its result.
pub fn print_outcome(outcome: &Outcome, as_json: bool) -> Result<()> {
    if as_json {
        match &outcome.bootstrap {
            Some(bootstrap) => write_stdout(&json(bootstrap)?),
            None => write_stdout(&json(&outcome.result)?),
        }
    } else {
        write_stdout(&outcome_table(outcome).to_string())
    }
}

/// A two-column table of the result's fields.
pub fn outcome_table(outcome: &Outcome) -> Table {
    let r = &outcome.result;
    let mut rows: Vec<(String, String)> = vec![
        ("method".into(), r.method.clone()),
        ("alternative".into(), alternative_text(r.alternative)),
    ];
    if let Some(effect) = &outcome.effect {
        rows.push(("effect".into(), effect.clone()));
    }
    if let Some(estimate) = r.estimate {
        rows.push(("estimate".into(), number(estimate)));
    }
    if let Some([lo, hi]) = r.ci {
        let level = r
            .confidence
            .map_or_else(|| "CI".to_string(), |c| format!("{} CI", percent(c)));
        rows.push((level, format!("[{}, {}]", number(lo), number(hi))));
    }
    if let Some(se) = r.std_error {
        rows.push(("std error".into(), number(se)));
    }
    // A bootstrap interval is not a test: it has no statistic of its own and no p-value.
    let is_test = outcome.bootstrap.is_none();
    if is_test {
        rows.push(("statistic".into(), number(r.statistic)));
    }
    if let Some(df) = r.df {
        rows.push(("df".into(), number(df)));
    }
    if is_test {
        rows.push(("p-value".into(), p_value(r.p_value)));
    }
    rows.push(("n".into(), group_sizes(&r.n, &outcome.groups)));
    for (name, value) in &r.extra {
        let shown = if name.starts_with("p_value") {
            p_value(*value)
        } else {
            number(*value)
        };
        rows.push((extra_name(name, &outcome.groups), shown));
    }
    for note in &r.notes {
        rows.push(("note".into(), note.clone()));
    }
    key_value_table(&rows)
}

/// A table with a header row, for listings such as adjusted p-values.
pub fn grid(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_BORDERS_ONLY)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    table
}

/// A borderless two-column table with the keys left and the values right-aligned numbers.
pub fn key_value_table(rows: &[(String, String)]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_BORDERS_ONLY)
        .set_content_arrangement(ContentArrangement::Dynamic);
    for (key, value) in rows {
        table.add_row(vec![Cell::new(key), Cell::new(value)]);
    }
    if let Some(column) = table.column_mut(1) {
        column.set_cell_alignment(CellAlignment::Left);
    }
    table
}

/// A method-specific field's name for the table: `mean_x` becomes "mean (treatment)" when the
/// samples have names.
fn extra_name(name: &str, groups: &[String]) -> String {
    let named = |suffix: &str, index: usize| {
        name.strip_suffix(suffix)
            .zip(groups.get(index))
            .filter(|_| groups.len() == 2)
            .map(|(stem, group)| format!("{} ({group})", stem.replace('_', " ")))
    };
    named("_x", 0)
        .or_else(|| named("_y", 1))
        .unwrap_or_else(|| name.replace('_', " "))
}

fn alternative_text(alternative: Alternative) -> String {
    alternative.as_str().to_string()
}

fn group_sizes(n: &[u64], groups: &[String]) -> String {
    if groups.len() == n.len() {
        n.iter()
            .zip(groups)
            .map(|(n, g)| format!("{g}: {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        n.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
    }
}

fn percent(confidence: f64) -> String {
    format!("{}%", trim_zeros(&format!("{:.4}", confidence * 100.0)))
}

/// A number with six significant digits, in scientific notation when very large or small.
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return non_finite(v);
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let magnitude = v.abs();
    if (1e-4..1e6).contains(&magnitude) {
        significant(v, 6)
    } else {
        scientific(v, 4)
    }
}

/// A p-value: four significant digits, scientific notation below 1e-4 (e.g. `3.2e-120`).
pub fn p_value(p: f64) -> String {
    if !p.is_finite() {
        return non_finite(p);
    }
    if p == 0.0 {
        return "0".to_string();
    }
    if p < 1e-4 {
        scientific(p, 2)
    } else {
        significant(p, 4)
    }
}

fn non_finite(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_string()
    } else if v > 0.0 {
        "inf".to_string()
    } else {
        "-inf".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_formatted_readably() {
        assert_eq!(number(1.234_567_89), "1.23457");
        assert_eq!(number(-0.5), "-0.5");
        assert_eq!(number(123_456.7), "123457");
        assert_eq!(number(2.5e7), "2.5e7");
        assert_eq!(number(3.2e-12), "3.2e-12");
        assert_eq!(number(f64::INFINITY), "inf");
        assert_eq!(number(f64::NEG_INFINITY), "-inf");
        assert_eq!(number(0.0), "0");
    }

    #[test]
    fn p_values_keep_tiny_values() {
        assert_eq!(p_value(3.2e-120), "3.2e-120");
        assert_eq!(p_value(0.034_123), "0.03412");
        assert_eq!(p_value(1.0), "1");
        assert_eq!(p_value(0.000_05), "5e-5");
        assert_eq!(p_value(0.0), "0");
    }

    #[test]
    fn percent_is_trimmed() {
        assert_eq!(percent(0.95), "95%");
        assert_eq!(percent(0.975), "97.5%");
    }
}
