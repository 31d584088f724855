//! The terminal readout: decision first, then population, SRM, metric tables and segments.

use std::fmt::Write as _;

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};
use counterfact_models::readout::{
    ArmSummary, Comparison, Estimate, MetricKind, MetricReadout, MetricRole, Readout,
    SegmentReadout, SrmTest, Verdict,
};

use crate::format::{count, number, p_value, percent, signed, signed_percent};

/// How to lay out the terminal readout.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// Table width in characters; `None` lets comfy-table use the terminal's width (no limit
    /// when stdout is not a terminal).
    pub width: Option<u16>,
    /// Leave out the segment breakdowns.
    pub hide_segments: bool,
}

/// Renders the readout for a terminal: the decision per arm (with a loud banner when the
/// sample-ratio check failed), population accounting, SRM, one table per metric role, segments
/// and notes.
pub fn render_readout(readout: &Readout, opts: &RenderOptions) -> String {
    let mut out = String::new();
    header(&mut out, readout);
    if !readout.trustworthy || !readout.srm.passed {
        banner(&mut out, readout);
    }
    decisions(&mut out, readout);
    population(&mut out, readout, opts);
    srm(&mut out, readout, opts);
    for (role, title) in [
        (MetricRole::Primary, "PRIMARY METRICS"),
        (MetricRole::Guardrail, "GUARDRAILS"),
        (MetricRole::Secondary, "SECONDARY METRICS"),
    ] {
        let metrics: Vec<&MetricReadout> =
            readout.metrics.iter().filter(|m| m.role == role).collect();
        if !metrics.is_empty() {
            metric_table(&mut out, readout, title, role, &metrics, opts);
        }
    }
    if !opts.hide_segments && !readout.segments.is_empty() {
        segments(&mut out, readout, opts);
    }
    notes(&mut out, readout);
    out
}

fn header(out: &mut String, readout: &Readout) {
    let _ = writeln!(out, "counterfact readout: {}", readout.experiment);
    let _ = writeln!(
        out,
        "control {} · variants {} · alpha {} ({} confidence intervals) · correction {}",
        readout.control,
        readout.variants.join(", "),
        number(readout.alpha),
        percent(1.0 - readout.alpha),
        readout.correction
    );
}

fn banner(out: &mut String, readout: &Readout) {
    let rule = "!".repeat(78);
    let _ = writeln!(out, "\n{rule}");
    if readout.srm.passed {
        let _ = writeln!(out, "!!! UNTRUSTWORTHY: see the notes at the end");
    } else {
        let _ = writeln!(out, "!!! UNTRUSTWORTHY: sample ratio mismatch");
        let failing = std::iter::once(&readout.srm.overall)
            .chain(&readout.srm.by_dimension)
            .filter(|t| t.mismatch);
        for test in failing {
            let _ = writeln!(
                out,
                "!!! {}: observed {} vs expected {} (p {} < {})",
                test.scope,
                test.observed
                    .iter()
                    .map(|&n| count(n))
                    .collect::<Vec<_>>()
                    .join(" / "),
                test.expected
                    .iter()
                    .map(|&e| number(e))
                    .collect::<Vec<_>>()
                    .join(" / "),
                number(test.p_value_adjusted),
                number(readout.srm.alpha)
            );
        }
        let _ = writeln!(
            out,
            "!!! The units are not split as designed: assignment, exposure logging or the data\n\
             !!! pipeline is broken, so no effect below can be trusted. Do not ship on it."
        );
    }
    let _ = writeln!(out, "{rule}");
}

fn verdict_text(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Ship => "SHIP",
        Verdict::DontShip => "DON'T SHIP",
        Verdict::Inconclusive => "INCONCLUSIVE",
    }
}

fn decisions(out: &mut String, readout: &Readout) {
    let _ = writeln!(out, "\nDECISION");
    let width = readout
        .decisions
        .iter()
        .map(|d| d.variant.chars().count())
        .max()
        .unwrap_or(0);
    for decision in &readout.decisions {
        let reasons = if decision.reasons.is_empty() {
            String::new()
        } else {
            format!("  {}", decision.reasons.join("; "))
        };
        let _ = writeln!(
            out,
            "  {:<width$}  {:<12}{reasons}",
            decision.variant,
            verdict_text(decision.verdict)
        );
    }
    if !readout.decision_rule.is_empty() {
        let _ = writeln!(out, "  rule: {}", readout.decision_rule);
    }
}

fn new_table(header: &[&str], opts: &RenderOptions) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_BORDERS_ONLY)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if !header.is_empty() {
        table.set_header(header.to_vec());
    }
    if let Some(width) = opts.width {
        table.set_width(width);
    }
    table
}

fn push_table(out: &mut String, table: &Table) {
    let _ = writeln!(out, "{table}");
}

fn right_align(table: &mut Table, columns: std::ops::Range<usize>) {
    for index in columns {
        if let Some(column) = table.column_mut(index) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
}

fn population(out: &mut String, readout: &Readout, opts: &RenderOptions) {
    let p = &readout.population;
    let _ = writeln!(out, "\nPOPULATION");
    let mut table = new_table(&[], opts);
    table.add_row(vec!["assigned units".to_string(), count(p.assigned_units)]);
    table.add_row(vec![
        "in two or more variants (excluded)".to_string(),
        count(p.multiple_variant_units),
    ]);
    table.add_row(vec![
        "never exposed (excluded)".to_string(),
        count(p.unexposed_units),
    ]);
    for (variant, n) in readout.variants.iter().zip(&p.analysed_units) {
        table.add_row(vec![format!("analysed: {variant}"), count(*n)]);
    }
    table.add_row(vec![
        "analysed: total".to_string(),
        count(p.analysed_units.iter().sum()),
    ]);
    for (source, n) in &p.duplicate_rows {
        table.add_row(vec![format!("duplicate rows dropped: {source}"), count(*n)]);
    }
    right_align(&mut table, 1..2);
    push_table(out, &table);
}

fn srm(out: &mut String, readout: &Readout, opts: &RenderOptions) {
    let report = &readout.srm;
    let weights = report
        .weights
        .iter()
        .map(|&w| percent(w))
        .collect::<Vec<_>>()
        .join(" / ");
    let _ = writeln!(
        out,
        "\nSAMPLE RATIO (chi-square against {weights}; mismatch below p {}): {}",
        number(report.alpha),
        if report.passed { "PASS" } else { "MISMATCH" }
    );
    let mut header: Vec<String> = vec!["scope".to_string()];
    header.extend(
        readout
            .variants
            .iter()
            .map(|v| format!("{v}\nobserved (expected)")),
    );
    header.extend([
        "chi²".to_string(),
        "p\n(Holm adj.)".to_string(),
        "result".to_string(),
    ]);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut table = new_table(&header, opts);
    let failing: Vec<&SrmTest> = report.by_dimension.iter().filter(|t| t.mismatch).collect();
    for test in std::iter::once(&report.overall).chain(failing.iter().copied()) {
        let mut row = vec![test.scope.clone()];
        for (observed, expected) in test.observed.iter().zip(&test.expected) {
            row.push(format!("{} ({})", count(*observed), number(*expected)));
        }
        row.push(number(test.statistic));
        row.push(if test.scope == "overall" {
            p_value(test.p_value)
        } else {
            format!(
                "{} ({})",
                p_value(test.p_value),
                p_value(test.p_value_adjusted)
            )
        });
        row.push(if test.mismatch { "MISMATCH" } else { "ok" }.to_string());
        table.add_row(row);
    }
    right_align(&mut table, 1..header.len() - 1);
    push_table(out, &table);
    if !report.by_dimension.is_empty() {
        let passing = report.by_dimension.len() - failing.len();
        let _ = writeln!(
            out,
            "{passing} of {} dimension tests pass (Holm-adjusted across dimensions)",
            report.by_dimension.len()
        );
    }
    for note in &report.notes {
        let _ = writeln!(out, "{note}");
    }
}

fn is_share(kind: MetricKind) -> bool {
    matches!(kind, MetricKind::Proportion | MetricKind::Retention)
}

fn kind_name(kind: MetricKind) -> &'static str {
    match kind {
        MetricKind::Mean => "mean",
        MetricKind::Count => "count",
        MetricKind::Sum => "sum",
        MetricKind::Proportion => "proportion",
        MetricKind::Ratio => "ratio",
        MetricKind::Quantile => "quantile",
        MetricKind::Retention => "retention",
    }
}

/// A metric's value in an arm: a percentage (four significant digits) for proportions,
/// otherwise a number.
fn value_text(kind: MetricKind, v: f64) -> String {
    if is_share(kind) && v.is_finite() {
        format!("{}%", number(100.0 * v))
    } else {
        number(v)
    }
}

fn arm_cell(kind: MetricKind, arm: Option<&ArmSummary>) -> String {
    let Some(arm) = arm else {
        return "—".to_string();
    };
    let mut text = format!("{}\nn {}", value_text(kind, arm.value), count(arm.n));
    if let Some(total) = arm.total {
        let _ = write!(text, "\nΣ {}", number(total));
    }
    text
}

/// An absolute effect and its CI: percentage points for proportions.
fn absolute_cell(kind: MetricKind, e: &Estimate) -> String {
    if is_share(kind) {
        format!(
            "{} pp\n[{}, {}]",
            signed(100.0 * e.estimate),
            signed(100.0 * e.ci[0]),
            signed(100.0 * e.ci[1])
        )
    } else {
        format!(
            "{}\n[{}, {}]",
            signed(e.estimate),
            signed(e.ci[0]),
            signed(e.ci[1])
        )
    }
}

/// The anytime-valid p-value and interval of the absolute effect.
fn sequential_cell(kind: MetricKind, c: &Comparison) -> String {
    let Some(s) = &c.sequential else {
        return "—".to_string();
    };
    let scale = if is_share(kind) { 100.0 } else { 1.0 };
    format!(
        "p {}\n[{}, {}]",
        p_value(s.p_value),
        signed(scale * s.ci[0]),
        signed(scale * s.ci[1])
    )
}

/// Chance to beat control and the risk of shipping, from the Bayesian readout.
fn bayesian_cell(c: &Comparison) -> String {
    match &c.bayesian {
        Some(b) => format!(
            "{}\nrisk {}",
            percent(b.chance_to_beat_control),
            percent(b.risk_ship)
        ),
        None => "—".to_string(),
    }
}

fn relative_cell(e: &Estimate) -> String {
    format!(
        "{}\n[{}, {}]",
        signed_percent(e.estimate),
        signed_percent(e.ci[0]),
        signed_percent(e.ci[1])
    )
}

fn p_cell(role: MetricRole, c: &Comparison) -> String {
    let mark = if c.significant { " *" } else { "" };
    if role == MetricRole::Guardrail {
        format!("{}{mark}", p_value(c.p_value))
    } else {
        format!(
            "{}\n({}){mark}",
            p_value(c.p_value),
            p_value(c.p_value_adjusted)
        )
    }
}

fn cuped_cell(c: &Comparison) -> String {
    match &c.adjustment {
        Some(a) => format!(
            "{}\n({})",
            percent(a.variance_reduction),
            a.covariates.join(", ")
        ),
        None => "—".to_string(),
    }
}

fn non_inferiority_cell(c: &Comparison) -> String {
    match &c.non_inferiority {
        Some(ni) => format!(
            "{}\np {}, margin {}",
            if ni.non_inferior { "yes" } else { "NO" },
            p_value(ni.p_value),
            percent(ni.margin)
        ),
        None => "—".to_string(),
    }
}

fn true_effect_cell(kind: MetricKind, c: &Comparison) -> String {
    match c.true_effect {
        Some(truth) => {
            let covered = c.absolute.ci[0] <= truth && truth <= c.absolute.ci[1];
            let shown = if is_share(kind) {
                format!("{} pp", signed(100.0 * truth))
            } else {
                signed(truth)
            };
            format!("{shown}\n{}", if covered { "in CI" } else { "OUTSIDE CI" })
        }
        None => "—".to_string(),
    }
}

fn uncapped_cell(kind: MetricKind, role: MetricRole, c: &Comparison) -> String {
    match &c.uncapped {
        Some(u) => format!(
            "{}\n{}\np {}",
            absolute_cell(kind, &u.absolute),
            signed_percent(u.relative.estimate),
            p_value(if role == MetricRole::Guardrail {
                u.p_value
            } else {
                u.p_value_adjusted
            })
        ),
        None => "—".to_string(),
    }
}

fn metric_label(m: &MetricReadout) -> String {
    let mut label = format!("{}\n{}", m.name, kind_name(m.kind));
    if !m.higher_is_better {
        label.push_str(", lower is better");
    }
    if let Some(cap) = m.cap {
        let _ = write!(label, "\ncapped at {}", number(cap));
    }
    label
}

fn metric_table(
    out: &mut String,
    readout: &Readout,
    title: &str,
    role: MetricRole,
    metrics: &[&MetricReadout],
    opts: &RenderOptions,
) {
    let comparisons = || metrics.iter().flat_map(|m| &m.comparisons);
    let with_adjustment = comparisons().any(|c| c.adjustment.is_some());
    let with_truth = comparisons().any(|c| c.true_effect.is_some());
    let with_uncapped = comparisons().any(|c| c.uncapped.is_some());
    let with_sequential = comparisons().any(|c| c.sequential.is_some());
    let with_bayesian = comparisons().any(|c| c.bayesian.is_some());
    let confidence = percent(1.0 - readout.alpha);
    let absolute_header = format!("absolute effect\n[{confidence} CI]");
    let relative_header = format!("relative effect\n[{confidence} CI]");
    let mut header: Vec<&str> = vec![
        "metric",
        "arm",
        "control",
        "arm value",
        absolute_header.as_str(),
        relative_header.as_str(),
    ];
    header.push(if role == MetricRole::Guardrail {
        "p"
    } else {
        "p\n(adjusted)"
    });
    if with_sequential {
        header.push("anytime-valid\np [CI]");
    }
    if with_bayesian {
        header.push("P(better)\nrisk (rel.)");
    }
    if with_adjustment {
        header.push("CUPED\nvar. reduction");
    }
    if role == MetricRole::Guardrail {
        header.push("non-inferior");
    }
    if with_truth {
        header.push("true effect");
    }
    if with_uncapped {
        header.push("uncapped\nabs. [CI], rel., p");
    }
    let columns = header.len();
    let mut table = new_table(&header, opts);
    for m in metrics {
        let control = m
            .arms
            .iter()
            .find(|a| a.variant == readout.control)
            .or_else(|| m.arms.first());
        for (i, c) in m.comparisons.iter().enumerate() {
            let arm = m.arms.iter().find(|a| a.variant == c.variant);
            let mut row = vec![
                Cell::new(if i == 0 {
                    metric_label(m)
                } else {
                    String::new()
                }),
                Cell::new(&c.variant),
                Cell::new(arm_cell(m.kind, control)),
                Cell::new(arm_cell(m.kind, arm)),
                Cell::new(absolute_cell(m.kind, &c.absolute)),
                Cell::new(relative_cell(&c.relative)),
                Cell::new(p_cell(role, c)),
            ];
            if with_sequential {
                row.push(Cell::new(sequential_cell(m.kind, c)));
            }
            if with_bayesian {
                row.push(Cell::new(bayesian_cell(c)));
            }
            if with_adjustment {
                row.push(Cell::new(cuped_cell(c)));
            }
            if role == MetricRole::Guardrail {
                row.push(Cell::new(non_inferiority_cell(c)));
            }
            if with_truth {
                row.push(Cell::new(true_effect_cell(m.kind, c)));
            }
            if with_uncapped {
                row.push(Cell::new(uncapped_cell(m.kind, role, c)));
            }
            table.add_row(row);
        }
    }
    right_align(&mut table, 2..columns);
    let _ = writeln!(out, "\n{title}");
    push_table(out, &table);
    let significance = if with_sequential {
        format!(
            "* significant at alpha {} by the anytime-valid p-value{}",
            number(readout.alpha),
            if role == MetricRole::Guardrail {
                " (not adjusted); non-inferior: fixed-horizon one-sided test against the margin"
                    .to_string()
            } else {
                format!(" after the {} correction", readout.correction)
            }
        )
    } else if role == MetricRole::Guardrail {
        format!(
            "* significant at alpha {} (two-sided, not adjusted); non-inferior: one-sided test \
             against the margin",
            number(readout.alpha)
        )
    } else {
        format!(
            "* significant at alpha {} after the {} correction",
            number(readout.alpha),
            readout.correction
        )
    };
    let _ = writeln!(out, "{significance}");
}

fn segments(out: &mut String, readout: &Readout, opts: &RenderOptions) {
    let _ = writeln!(
        out,
        "\nSEGMENTS (exploratory: p-values not corrected for multiplicity)"
    );
    let mut dimensions: Vec<&str> = Vec::new();
    for s in &readout.segments {
        if !dimensions.contains(&s.dimension.as_str()) {
            dimensions.push(&s.dimension);
        }
    }
    for dimension in dimensions {
        let rows: Vec<&SegmentReadout> = readout
            .segments
            .iter()
            .filter(|s| s.dimension == dimension)
            .collect();
        let mut table = new_table(
            &[
                dimension,
                "metric",
                "arm",
                "control",
                "arm value",
                "relative effect [CI]",
                "p",
            ],
            opts,
        );
        for segment in rows {
            for m in &segment.metrics {
                let control = m.arms.iter().find(|a| a.variant == readout.control);
                for c in &m.comparisons {
                    let arm = m.arms.iter().find(|a| a.variant == c.variant);
                    let value = |a: Option<&ArmSummary>| {
                        a.map_or_else(|| "—".to_string(), |a| value_text(m.kind, a.value))
                    };
                    table.add_row(vec![
                        segment.value.clone(),
                        m.name.clone(),
                        c.variant.clone(),
                        value(control),
                        value(arm),
                        format!(
                            "{} [{}, {}]",
                            signed_percent(c.relative.estimate),
                            signed_percent(c.relative.ci[0]),
                            signed_percent(c.relative.ci[1])
                        ),
                        p_value(c.p_value),
                    ]);
                }
            }
        }
        right_align(&mut table, 3..7);
        push_table(out, &table);
    }
}

fn notes(out: &mut String, readout: &Readout) {
    let metric_notes = readout
        .metrics
        .iter()
        .flat_map(|m| m.notes.iter().map(move |n| format!("{}: {n}", m.name)));
    let all: Vec<String> = readout.notes.iter().cloned().chain(metric_notes).collect();
    if all.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nNOTES");
    for note in all {
        let _ = writeln!(out, "  - {note}");
    }
}
