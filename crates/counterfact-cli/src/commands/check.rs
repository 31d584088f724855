//! `counterfact check`: randomization checks of an experiment's unit table (SRM overall, per
//! dimension and per day; covariate balance; hash evenness; placebo; A/A simulation).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use counterfact_design::HashScheme;
use counterfact_design::checks::{
    AaSetup, BucketColumns, CategoricalColumn, CheckInput, CheckOptions, CheckReport,
    NumericColumn, Status, run_checks,
};
use counterfact_stats::adjust::AdjustMethod;

use crate::error::{bad_input, bail_input, parse_option};
use crate::input::read_table;

/// Arguments of `counterfact check`.
#[derive(Debug, Args)]
#[command(
    after_long_help = "Exit codes: 0 every check passed, 1 a check failed (the reasons \
                             name the cause), 2 bad input."
)]
pub struct CheckArgs {
    /// CSV (.csv, .tsv) or Parquet (.parquet, .pq) file with one row per unit.
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// Column holding each unit's variant.
    #[arg(long, value_name = "COL", default_value = "variant")]
    pub variant_col: String,
    /// Variant labels in design order, comma-separated; the first is the control
    /// [default: --control, then the other labels sorted].
    #[arg(long, value_name = "A,B,..")]
    pub variants: Option<String>,
    /// Label of the control variant (when --variants is absent).
    #[arg(long, value_name = "LABEL", default_value = "control")]
    pub control: String,
    /// Designed weights in variant order, e.g. 50,50 [default: equal].
    #[arg(long, value_name = "W,..")]
    pub weights: Option<String>,
    /// Column holding the assignment day: SRM per day.
    #[arg(long, value_name = "COL")]
    pub day_col: Option<String>,
    /// Dimension columns to check SRM within, comma-separated (device, region...).
    #[arg(long, value_name = "COL,..")]
    pub dimensions: Option<String>,
    /// Numeric pre-exposure covariates, comma-separated: SMD and Kolmogorov-Smirnov.
    #[arg(long, value_name = "COL,..")]
    pub numeric: Option<String>,
    /// Categorical pre-exposure covariates, comma-separated: chi-square.
    #[arg(long, value_name = "COL,..")]
    pub categorical: Option<String>,
    /// Column holding the unit id: enables the hash checks (with --salt) and hashed A/A salts.
    #[arg(long, value_name = "COL")]
    pub unit_col: Option<String>,
    /// Salt of the experiment's hash: bucket uniformity and independence across salts.
    #[arg(long, requires = "unit_col")]
    pub salt: Option<String>,
    /// Also check that each unit's variant is the one the hash with --salt and --weights assigns
    /// (full coverage, variants in design order).
    #[arg(long, requires = "salt")]
    pub verify_assignment: bool,
    /// Hash scheme: fast, growthbook-v1, growthbook-v2 or planout.
    #[arg(long, value_name = "SCHEME", default_value = "fast")]
    pub hash: String,
    /// Metric measured before exposure: placebo test.
    #[arg(long, value_name = "COL")]
    pub pre_metric: Option<String>,
    /// Metric for the A/A simulation (Welch's t-test on re-randomized arms).
    #[arg(long, value_name = "COL")]
    pub metric: Option<String>,
    /// Re-randomizations of the A/A simulation.
    #[arg(long, default_value_t = 200)]
    pub aa_runs: usize,
    /// Seed of the A/A simulation.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Level of the balance, placebo and A/A tests.
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
    /// Level of the SRM and hash tests.
    #[arg(long, default_value_t = 0.001)]
    pub srm_alpha: f64,
    /// |SMD| at or above which a covariate is imbalanced.
    #[arg(long, default_value_t = 0.1)]
    pub smd_threshold: f64,
    /// Multiplicity correction within each family: bonferroni, holm, hochberg, hommel, bh, by.
    #[arg(long, value_name = "METHOD", default_value = "holm")]
    pub adjust: String,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

fn split_list(text: Option<&String>) -> Vec<&str> {
    text.map(|t| {
        t.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

/// Runs `counterfact check`; `Ok(false)` when a check failed.
pub fn run(args: &CheckArgs) -> Result<bool> {
    let scheme = HashScheme::from_name(&args.hash).ok_or_else(|| {
        bad_input(format!(
            "unknown --hash '{}'; use fast, growthbook-v1, growthbook-v2 or planout",
            args.hash
        ))
    })?;
    let adjust: AdjustMethod = parse_option("--adjust", &args.adjust)?;
    let dims = split_list(args.dimensions.as_ref());
    let numeric_cols = split_list(args.numeric.as_ref());
    let categorical_cols = split_list(args.categorical.as_ref());

    // Label columns: variant, dimensions, categorical covariates, then day and unit when given.
    let mut labels: Vec<&str> = vec![args.variant_col.as_str()];
    labels.extend(&dims);
    labels.extend(&categorical_cols);
    labels.extend(args.day_col.as_deref());
    labels.extend(args.unit_col.as_deref());
    let mut numeric: Vec<&str> = numeric_cols.clone();
    numeric.extend(args.pre_metric.as_deref());
    numeric.extend(args.metric.as_deref());
    let table = read_table(&args.data, &numeric, &labels)?;
    let file = args.data.display().to_string();
    if table.rows == 0 {
        bail_input!("{file}: the file has no data rows");
    }

    let (arm_names, arms) = resolve_arms(args, &file, &table.labels[0])?;
    let weights = match &args.weights {
        None => None,
        Some(text) => {
            let w = text
                .split(',')
                .map(|v| v.trim().parse::<f64>())
                .collect::<Result<Vec<f64>, _>>()
                .map_err(|_| bad_input(format!("--weights '{text}': not a list of numbers")))?;
            if w.len() != arm_names.len() {
                bail_input!(
                    "--weights '{text}' has {} values for {} variants ({})",
                    w.len(),
                    arm_names.len(),
                    arm_names.join(", ")
                );
            }
            Some(w)
        }
    };
    let label_values: Vec<Vec<String>> = table.labels[1..]
        .iter()
        .map(|c| {
            c.iter()
                .map(|v| v.clone().unwrap_or_else(|| "(missing)".to_string()))
                .collect()
        })
        .collect();
    let numeric_values: Vec<Vec<f64>> = numeric
        .iter()
        .zip(&table.numeric)
        .map(|(name, column)| finite_column(&file, name, column))
        .collect::<Result<_>>()?;

    let mut next_label = 0;
    let mut take_label = |names: &[&str]| -> Vec<usize> {
        let idx = (next_label..next_label + names.len()).collect();
        next_label += names.len();
        idx
    };
    let dim_idx = take_label(&dims);
    let cat_idx = take_label(&categorical_cols);
    let day_idx = take_label(&args.day_col.iter().map(String::as_str).collect::<Vec<_>>());
    let unit_idx = take_label(&args.unit_col.iter().map(String::as_str).collect::<Vec<_>>());
    let units = unit_idx.first().map(|&i| &label_values[i]);
    if let Some(i) = unit_idx.first()
        && let Some(row) = table.labels[1 + i].iter().position(Option::is_none)
    {
        bail_input!(
            "{file}: column '{}', row {}: missing unit id",
            labels[1 + i],
            row + 1
        );
    }
    let buckets = match (&args.salt, units) {
        (Some(salt), Some(units)) => {
            let primary = scheme.salted(salt);
            let secondary = scheme.salted(&format!("{salt}#independence"));
            Some((
                units
                    .iter()
                    .map(|u| primary.bucket(u))
                    .collect::<Vec<f64>>(),
                units
                    .iter()
                    .map(|u| secondary.bucket(u))
                    .collect::<Vec<f64>>(),
            ))
        }
        _ => None,
    };
    let pre_idx = numeric_cols.len();
    let placebo = args.pre_metric.as_deref().map(|name| NumericColumn {
        name,
        values: &numeric_values[pre_idx],
    });
    let metric_idx = pre_idx + usize::from(args.pre_metric.is_some());
    let aa_metric = args.metric.as_deref().map(|name| NumericColumn {
        name,
        values: &numeric_values[metric_idx],
    });
    let input = CheckInput {
        arm_names,
        arms: &arms,
        weights,
        days: day_idx.first().map(|&i| label_values[i].as_slice()),
        dimensions: dims
            .iter()
            .zip(&dim_idx)
            .map(|(name, &i)| CategoricalColumn {
                name,
                values: &label_values[i],
            })
            .collect(),
        numeric: numeric_cols
            .iter()
            .zip(&numeric_values)
            .map(|(name, values)| NumericColumn { name, values })
            .collect(),
        categorical: categorical_cols
            .iter()
            .zip(&cat_idx)
            .map(|(name, &i)| CategoricalColumn {
                name,
                values: &label_values[i],
            })
            .collect(),
        buckets: buckets.as_ref().map(|(p, s)| BucketColumns {
            primary: p,
            secondary: s,
        }),
        placebo,
        aa: aa_metric.map(|metric| AaSetup {
            metric,
            units: units.map(Vec::as_slice),
            scheme,
        }),
    };
    let options = CheckOptions {
        alpha: args.alpha,
        srm_alpha: args.srm_alpha,
        smd_threshold: args.smd_threshold,
        adjust,
        aa_runs: args.aa_runs,
        seed: args.seed,
        verify_assignment: args.verify_assignment,
        ..CheckOptions::default()
    };
    let report = run_checks(&input, &options).map_err(|e| bad_input(format!("{file}: {e}")))?;
    let text = if args.json {
        let mut t = serde_json::to_string_pretty(&report).context("serializing the report")?;
        t.push('\n');
        t
    } else {
        report_text(&report)
    };
    std::io::stdout()
        .write_all(text.as_bytes())
        .context("writing the report")?;
    Ok(report.passed)
}

/// Arm names (control first) and each row's arm index.
fn resolve_arms(
    args: &CheckArgs,
    file: &str,
    labels: &[Option<String>],
) -> Result<(Vec<String>, Vec<usize>)> {
    let column = &args.variant_col;
    let present: BTreeSet<&str> = labels.iter().flatten().map(String::as_str).collect();
    let names: Vec<String> = match &args.variants {
        Some(text) => text.split(',').map(|v| v.trim().to_string()).collect(),
        None => {
            if !present.contains(args.control.as_str()) {
                let shown: Vec<&str> = present.iter().take(12).copied().collect();
                bail_input!(
                    "{file}: control label '{}' does not occur in column '{column}'; labels \
                     present: {} (name it with --control or --variants)",
                    args.control,
                    shown.join(", ")
                );
            }
            std::iter::once(args.control.clone())
                .chain(
                    present
                        .iter()
                        .filter(|&&l| l != args.control)
                        .map(|l| l.to_string()),
                )
                .collect()
        }
    };
    if names.len() < 2 {
        bail_input!(
            "{file}: column '{column}' needs a control and at least one treatment; found {}",
            names.join(", ")
        );
    }
    let mut arms = Vec::with_capacity(labels.len());
    for (row, label) in labels.iter().enumerate() {
        let Some(label) = label else {
            bail_input!(
                "{file}: column '{column}', row {}: missing variant",
                row + 1
            );
        };
        match names.iter().position(|n| n == label) {
            Some(a) => arms.push(a),
            None => bail_input!(
                "{file}: column '{column}', row {}: variant '{label}' is not one of --variants \
                 ({})",
                row + 1,
                names.join(", ")
            ),
        }
    }
    Ok((names, arms))
}

fn finite_column(file: &str, name: &str, column: &[Option<f64>]) -> Result<Vec<f64>> {
    column
        .iter()
        .enumerate()
        .map(|(row, v)| match v {
            Some(v) if v.is_finite() => Ok(*v),
            Some(v) => Err(bad_input(format!(
                "{file}: column '{name}', row {}: non-finite value {v}",
                row + 1
            ))),
            None => Err(bad_input(format!(
                "{file}: column '{name}', row {}: missing value",
                row + 1
            ))),
        })
        .collect()
}

fn report_text(report: &CheckReport) -> String {
    let mut text = format!(
        "randomization checks: {} ({} units; {})\n",
        if report.passed { "PASS" } else { "FAIL" },
        report.units,
        report
            .arms
            .iter()
            .map(|a| format!(
                "{} {} ({:.2}% vs {:.2}% designed)",
                a.arm,
                a.units,
                100.0 * a.share,
                100.0 * a.expected_share
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for c in &report.checks {
        let status = match c.status {
            Status::Pass => "pass",
            Status::Fail => "FAIL",
            Status::Skipped => "skip",
        };
        let _ = writeln!(text, "  {status:<4}  {:<44} {}", c.name, c.reason);
    }
    if !report.failures.is_empty() {
        let _ = writeln!(text, "failed:");
        for f in &report.failures {
            let _ = writeln!(text, "  - {f}");
        }
    }
    text
}
