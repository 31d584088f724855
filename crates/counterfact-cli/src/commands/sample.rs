//! `counterfact sample`: a stratified sample of K units (proportional or Neyman allocation),
//! optional exclusions by a targeting rule and a matched control from the remainder.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use counterfact_design::stratified::{
    StratifiedOptions, StratifiedSample, StratumAllocation, stratified_sample,
};
use counterfact_design::targeting::Rule;
use serde::Serialize;

use crate::error::{bad_input, bail_input};
use crate::input::read_table;

/// Arguments of `counterfact sample`.
#[derive(Debug, Args)]
#[command(
    after_long_help = "Exit codes: 0 success, 2 bad input (unknown column, empty stratum \
                             value, K larger than the eligible population), 1 internal failure."
)]
pub struct SampleArgs {
    /// CSV (.csv, .tsv) or Parquet (.parquet, .pq) file with one row per unit.
    #[arg(long, value_name = "FILE")]
    pub units: PathBuf,
    /// Column holding the unit id.
    #[arg(long, value_name = "COL")]
    pub id_col: String,
    /// Strata columns, comma-separated, e.g. device,region,tier.
    #[arg(long, value_name = "COL,..")]
    pub strata: String,
    /// Units to draw (K).
    #[arg(short = 'k', long = "size", value_name = "K")]
    pub size: usize,
    /// How K is split across strata.
    #[arg(long, value_enum, default_value_t = AllocationArg::Proportional)]
    pub allocation: AllocationArg,
    /// Numeric column whose within-stratum standard deviation weights Neyman allocation.
    #[arg(long, value_name = "COL")]
    pub neyman_col: Option<String>,
    /// Exclude the units matching this targeting rule, e.g. 'churn_risk == high'.
    #[arg(long, value_name = "RULE")]
    pub exclude: Option<String>,
    /// Also draw a control of the same size and allocation from the units not sampled.
    #[arg(long)]
    pub matched_control: bool,
    /// Seed of the draws.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Write the drawn ids (columns id, group) to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Allocation rules on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AllocationArg {
    /// n_h ∝ N_h.
    Proportional,
    /// n_h ∝ N_h·S_h of --neyman-col.
    Neyman,
}

/// The JSON shape of `counterfact sample --json`.
#[derive(Debug, Serialize)]
struct SampleOutput<'a> {
    strata_columns: Vec<&'a str>,
    exclude: Option<&'a str>,
    seed: u64,
    out: Option<String>,
    #[serde(flatten)]
    sample: &'a StratifiedSample,
}

fn split_list(text: &str) -> Vec<&str> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Runs `counterfact sample`.
pub fn run(args: &SampleArgs) -> Result<()> {
    let strata_cols = split_list(&args.strata);
    if strata_cols.is_empty() {
        bail_input!("--strata names no column");
    }
    if args.size == 0 {
        bail_input!("--size must be at least 1");
    }
    let allocation = match args.allocation {
        AllocationArg::Proportional => StratumAllocation::Proportional,
        AllocationArg::Neyman => StratumAllocation::Neyman,
    };
    if allocation == StratumAllocation::Neyman && args.neyman_col.is_none() {
        bail_input!("--allocation neyman needs --neyman-col naming the variable to weight by");
    }
    let rule = match &args.exclude {
        Some(text) => Some(Rule::parse(text).map_err(|e| bad_input(format!("--exclude: {e}")))?),
        None => None,
    };
    let rule_attributes = rule.as_ref().map(Rule::attributes).unwrap_or_default();
    let mut labels: Vec<&str> = vec![args.id_col.as_str()];
    labels.extend(&strata_cols);
    labels.extend(rule_attributes.iter().map(String::as_str));
    let numeric: Vec<&str> = args.neyman_col.iter().map(String::as_str).collect();
    let table = read_table(&args.units, &numeric, &labels)?;
    let file = args.units.display();
    if table.rows == 0 {
        bail_input!("{file}: the file has no data rows");
    }

    let ids = &table.labels[0];
    let mut strata = Vec::with_capacity(table.rows);
    for row in 0..table.rows {
        let mut key = String::new();
        for (c, name) in strata_cols.iter().enumerate() {
            match table.labels[1 + c][row].as_deref().map(str::trim) {
                None | Some("") => bail_input!(
                    "{file}: strata column '{name}', row {}: empty value (every unit needs a \
                     stratum)",
                    row + 1
                ),
                Some(v) => {
                    if c > 0 {
                        key.push('|');
                    }
                    key.push_str(v);
                }
            }
        }
        strata.push(key);
    }
    let eligible: Vec<bool> = match &rule {
        None => vec![true; table.rows],
        Some(rule) => {
            let attrs: Vec<&str> = rule_attributes.iter().map(String::as_str).collect();
            let compiled = rule
                .compile(&attrs)
                .map_err(|e| bad_input(format!("--exclude: {e}")))?;
            let first = 1 + strata_cols.len();
            let mut values: Vec<Option<&str>> = Vec::with_capacity(attrs.len());
            (0..table.rows)
                .map(|row| {
                    values.clear();
                    values
                        .extend((0..attrs.len()).map(|a| table.labels[first + a][row].as_deref()));
                    !compiled.matches(&values)
                })
                .collect()
        }
    };
    let neyman_values = match (&args.neyman_col, table.numeric.first()) {
        (Some(name), Some(column)) => Some(
            column
                .iter()
                .enumerate()
                .map(|(row, v)| match v {
                    Some(v) if v.is_finite() => Ok(*v),
                    _ => Err(bad_input(format!(
                        "{file}: column '{name}', row {}: missing or non-finite value",
                        row + 1
                    ))),
                })
                .collect::<Result<Vec<f64>>>()?,
        ),
        _ => None,
    };
    let options = StratifiedOptions {
        size: args.size,
        allocation,
        matched_control: args.matched_control,
        seed: args.seed,
    };
    let sample = stratified_sample(&strata, &eligible, neyman_values.as_deref(), &options)
        .map_err(|e| bad_input(format!("{file}: {e}")))?;
    if let Some(out) = &args.out {
        write_ids(out, &args.id_col, ids, &sample)?;
    }
    let output = SampleOutput {
        strata_columns: strata_cols.clone(),
        exclude: args.exclude.as_deref(),
        seed: args.seed,
        out: args.out.as_ref().map(|p| p.display().to_string()),
        sample: &sample,
    };
    let text = if args.json {
        let mut t = serde_json::to_string_pretty(&output).context("serializing the report")?;
        t.push('\n');
        t
    } else {
        report_text(&output)
    };
    std::io::stdout()
        .write_all(text.as_bytes())
        .context("writing the report")
}

fn write_ids(
    path: &Path,
    id_col: &str,
    ids: &[Option<String>],
    sample: &StratifiedSample,
) -> Result<()> {
    let mut text = format!("{id_col},group\n");
    for (rows, group) in [(&sample.sample, "sample"), (&sample.control, "control")] {
        for &row in rows {
            let id = ids[row].as_deref().unwrap_or("");
            if id.contains([',', '"', '\n']) {
                let _ = writeln!(text, "\"{}\",{group}", id.replace('"', "\"\""));
            } else {
                let _ = writeln!(text, "{id},{group}");
            }
        }
    }
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

fn report_text(output: &SampleOutput<'_>) -> String {
    let s = output.sample;
    let mut text = format!(
        "stratified sample: K = {} of {} eligible units ({} excluded), {} allocation over {} \
         strata ({}); max |achieved − target| = {:.3}\n",
        s.size,
        s.eligible,
        s.excluded,
        s.allocation.as_str(),
        s.strata.len(),
        output.strata_columns.join("|"),
        s.max_deviation
    );
    let _ = writeln!(
        text,
        "{:<32} {:>10} {:>9} {:>12} {:>12} {:>9} {:>10}{}",
        "stratum",
        "population",
        "excluded",
        "target share",
        "target count",
        "achieved",
        "share",
        if s.control.is_empty() {
            ""
        } else {
            "   control"
        }
    );
    for r in &s.strata {
        let _ = write!(
            text,
            "{:<32} {:>10} {:>9} {:>12.4} {:>12.2} {:>9} {:>10.4}",
            r.stratum,
            r.population,
            r.excluded,
            r.target_share,
            r.target_count,
            r.achieved,
            r.achieved_share
        );
        if let Some(c) = r.control {
            let _ = write!(text, " {c:>9}");
        }
        text.push('\n');
    }
    if let Some(out) = &output.out {
        let _ = writeln!(text, "ids written to {out}");
    }
    text
}
