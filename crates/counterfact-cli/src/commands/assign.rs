//! `counterfact assign --units FILE --id-col COL (--spec FILE | --salt S --variants a,b ...)`:
//! deterministic assignment of the units of a CSV or Parquet file to experiment variants.
//!
//! The assignments go to `--out` (CSV, or Parquet by extension) with a summary on stdout, or,
//! without `--out`, as CSV to stdout with the summary on stderr. The summary counts units per
//! variant and per exclusion reason and checks the split against the weights (sample-ratio
//! mismatch chi-square).

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use arrow::array::{Array, ArrayRef, AsArray, Float64Array, RecordBatch, StringArray};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Field, Schema};
use clap::{Args, ValueEnum};
use counterfact_design::{Assigner, Assignment, DesignSpec, ExperimentSpec, HashScheme};
use counterfact_stats::contingency::srm_check;
use parquet::arrow::ArrowWriter;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use rayon::prelude::*;
use serde::Serialize;

use crate::error::{bad_input, bail_input};
use crate::render;

/// Arguments of `counterfact assign`.
#[derive(Debug, Args)]
pub struct AssignArgs {
    /// CSV (.csv, .tsv) or Parquet (.parquet, .pq) file with one row per unit.
    #[arg(long, value_name = "FILE")]
    pub units: PathBuf,
    /// Column holding the unit id (read as text, so "007" stays "007").
    #[arg(long, value_name = "COL")]
    pub id_col: String,
    /// Design file (.toml or .json): experiments, layers, holdout; see docs/design.md.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["salt", "variants", "weights"])]
    pub spec: Option<PathBuf>,
    /// Salt of the experiment's hash (GrowthBook's seed; PlanOut's experiment salt).
    #[arg(long, required_unless_present = "spec")]
    pub salt: Option<String>,
    /// PlanOut's parameter salt: the hashed salt becomes SALT.PARAM_SALT.
    #[arg(long, value_name = "PARAM_SALT")]
    pub param_salt: Option<String>,
    /// Variant names, comma-separated [default: control,treatment].
    #[arg(long, value_name = "A,B,..")]
    pub variants: Option<String>,
    /// Variant weights, comma-separated, e.g. 50,50 [default: equal].
    #[arg(long, value_name = "W,..")]
    pub weights: Option<String>,
    /// Share of each variant's range in use, in [0, 1] (GrowthBook's coverage).
    #[arg(long)]
    pub coverage: Option<f64>,
    /// Targeting rule on columns of the units file, e.g. 'country in [US, CA] and age >= 18'.
    #[arg(long, value_name = "RULE")]
    pub targeting: Option<String>,
    /// Hash scheme [default: fast, or the spec file's].
    #[arg(long, value_enum)]
    pub scheme: Option<SchemeArg>,
    /// Output file for the assignments (.csv, .tsv, .parquet, .pq); stdout when absent.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Significance level of the sample-ratio-mismatch check.
    #[arg(long, default_value_t = 0.001)]
    pub srm_alpha: f64,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The hash schemes on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemeArg {
    /// XXH3-64 seeded by the salt (the default).
    Fast,
    /// GrowthBook hash version 1 (32-bit FNV-1a).
    GrowthbookV1,
    /// GrowthBook hash version 2 (32-bit FNV-1a, twice).
    GrowthbookV2,
    /// PlanOut (SHA-1 of "salt.unit").
    Planout,
}

impl SchemeArg {
    fn scheme(self) -> HashScheme {
        match self {
            SchemeArg::Fast => HashScheme::Fast,
            SchemeArg::GrowthbookV1 => HashScheme::GrowthBookV1,
            SchemeArg::GrowthbookV2 => HashScheme::GrowthBookV2,
            SchemeArg::Planout => HashScheme::PlanOut,
        }
    }
}

/// Per-experiment summary of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExperimentSummary {
    /// Experiment name.
    pub experiment: String,
    /// Variant names.
    pub variants: Vec<String>,
    /// Normalized design weights.
    pub weights: Vec<f64>,
    /// Units per variant.
    pub counts: Vec<u64>,
    /// Units with no variant, by reason.
    pub excluded: std::collections::BTreeMap<String, u64>,
    /// Chi-square statistic of the counts against the weights (variants of positive weight).
    pub srm_chi2: Option<f64>,
    /// Its p-value.
    pub srm_p_value: Option<f64>,
    /// True when the p-value is below `--srm-alpha`.
    pub srm_mismatch: Option<bool>,
}

/// The JSON shape of the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssignSummary {
    /// Units read.
    pub units: u64,
    /// Hash scheme of the design.
    pub scheme: String,
    /// Where the assignments went.
    pub output: String,
    /// One entry per experiment.
    pub experiments: Vec<ExperimentSummary>,
}

/// Runs `counterfact assign`.
pub fn run(args: &AssignArgs) -> Result<()> {
    if !(args.srm_alpha > 0.0 && args.srm_alpha < 1.0) {
        bail_input!(
            "invalid --srm-alpha {}: must lie strictly between 0 and 1",
            args.srm_alpha
        );
    }
    let spec = design(args)?;
    let attributes = spec.attributes().map_err(design_error)?;
    let table = read_units(&args.units, &args.id_col, &attributes)?;
    let names: Vec<&str> = attributes.iter().map(String::as_str).collect();
    let assigner = Assigner::new(&spec, &names).map_err(design_error)?;
    let summary_sink = match &args.out {
        Some(path) => {
            let summary = assign_all(
                &assigner,
                &table,
                Sink::file(path, &args.id_col, &assigner)?,
            )?;
            (summary, path.display().to_string())
        }
        None => {
            let stdout = std::io::stdout().lock();
            let sink = Sink::Csv {
                out: BufWriter::with_capacity(1 << 20, Box::new(stdout)),
                delimiter: b',',
            };
            let header = header(&args.id_col, &assigner);
            let summary = assign_all(&assigner, &table, sink.with_header(&header)?)?;
            (summary, "stdout".to_string())
        }
    };
    let (counts, output) = summary_sink;
    let summary = summarize(
        &assigner,
        &spec,
        counts,
        table.ids.len() as u64,
        output,
        args.srm_alpha,
    )?;
    let text = if args.json {
        render::json(&summary)?
    } else {
        summary_text(&summary)
    };
    if args.out.is_some() {
        render::write_stdout(&text)
    } else {
        let mut err = std::io::stderr().lock();
        writeln!(err, "{text}").context("writing the summary to stderr")
    }
}

fn design_error(e: counterfact_design::DesignError) -> anyhow::Error {
    bad_input(e.to_string())
}

fn split_list(text: &str) -> Vec<String> {
    text.split(',').map(|s| s.trim().to_string()).collect()
}

/// The design from `--spec`, or a single experiment from the flags.
fn design(args: &AssignArgs) -> Result<DesignSpec> {
    let mut spec = match &args.spec {
        Some(path) => {
            let shown = path.display();
            let text = std::fs::read_to_string(path)
                .map_err(|e| bad_input(format!("{shown}: cannot read the spec file: {e}")))?;
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            match ext.to_ascii_lowercase().as_str() {
                "toml" => toml::from_str::<DesignSpec>(&text).map_err(|e| {
                    bad_input(format!("{shown}: invalid spec: {}", e.to_string().trim()))
                })?,
                "json" => serde_json::from_str::<DesignSpec>(&text)
                    .map_err(|e| bad_input(format!("{shown}: invalid spec: {e}")))?,
                _ => bail_input!("{shown}: unknown spec file type; use a .toml or .json file"),
            }
        }
        None => {
            let Some(salt) = &args.salt else {
                bail_input!("give --spec FILE, or --salt with --variants and --weights");
            };
            let variants = split_list(args.variants.as_deref().unwrap_or("control,treatment"));
            if variants.iter().any(String::is_empty) {
                bail_input!("--variants has an empty name: give names like control,treatment");
            }
            let weights = match &args.weights {
                Some(text) => Some(
                    split_list(text)
                        .iter()
                        .enumerate()
                        .map(|(i, w)| {
                            w.parse::<f64>().map_err(|_| {
                                bad_input(format!(
                                    "--weights: weight {} is '{w}', not a number",
                                    i + 1
                                ))
                            })
                        })
                        .collect::<Result<Vec<f64>>>()?,
                ),
                None => None,
            };
            let mut e = ExperimentSpec::new("experiment", salt, variants, weights);
            e.param_salt = args.param_salt.clone();
            DesignSpec::single(HashScheme::Fast, e)
        }
    };
    if let Some(scheme) = args.scheme {
        spec.scheme = scheme.scheme();
    }
    if spec.experiments.len() == 1 {
        let e = &mut spec.experiments[0];
        if args.coverage.is_some() {
            e.coverage = args.coverage;
        }
        if args.targeting.is_some() {
            e.targeting = args.targeting.clone();
        }
        if args.param_salt.is_some() {
            e.param_salt = args.param_salt.clone();
        }
    } else if args.coverage.is_some() || args.targeting.is_some() || args.param_salt.is_some() {
        bail_input!(
            "--coverage, --targeting and --param-salt apply to one experiment; the spec has {}, \
             so set them in the spec file",
            spec.experiments.len()
        );
    }
    Ok(spec)
}

/// The unit ids and attribute columns, as text (`None` for missing values).
struct Units {
    ids: StringArray,
    attributes: Vec<StringArray>,
}

fn read_units(path: &Path, id_col: &str, attributes: &[String]) -> Result<Units> {
    let shown = path.display().to_string();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let mut wanted: Vec<&str> = vec![id_col];
    for a in attributes {
        if !wanted.contains(&a.as_str()) {
            wanted.push(a);
        }
    }
    let mut file =
        File::open(path).map_err(|e| bad_input(format!("{shown}: cannot open the file: {e}")))?;
    let batches: Vec<RecordBatch> = match ext.as_deref() {
        Some(ext @ ("csv" | "tsv")) => {
            let format = arrow::csv::reader::Format::default()
                .with_header(true)
                .with_delimiter(if ext == "tsv" { b'\t' } else { b',' });
            let (schema, _) = format
                .infer_schema(&mut file, Some(100))
                .map_err(|e| bad_input(format!("{shown}: malformed CSV: {e}")))?;
            // Every column is read as text: ids such as "007" must not become numbers.
            let schema = Arc::new(Schema::new(
                schema
                    .fields()
                    .iter()
                    .map(|f| Field::new(f.name(), DataType::Utf8, true))
                    .collect::<Vec<_>>(),
            ));
            let indices = column_indices(&shown, &schema, &wanted, attributes)?;
            file.seek(SeekFrom::Start(0))
                .map_err(|e| bad_input(format!("{shown}: cannot read the file: {e}")))?;
            arrow::csv::ReaderBuilder::new(schema)
                .with_format(format)
                .with_batch_size(65_536)
                .with_projection(indices)
                .build(file)
                .map_err(|e| bad_input(format!("{shown}: malformed CSV: {e}")))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| bad_input(format!("{shown}: malformed CSV: {e}")))?
        }
        Some("parquet" | "pq") => {
            let builder = ParquetRecordBatchReaderBuilder::try_new(file)
                .map_err(|e| bad_input(format!("{shown}: not a readable Parquet file: {e}")))?;
            let indices = column_indices(&shown, builder.schema(), &wanted, attributes)?;
            let mask = ProjectionMask::roots(builder.parquet_schema(), indices);
            builder
                .with_projection(mask)
                .build()
                .map_err(|e| bad_input(format!("{shown}: not a readable Parquet file: {e}")))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| bad_input(format!("{shown}: corrupt Parquet data: {e}")))?
        }
        _ => bail_input!("{shown}: unknown file type; use a .csv, .tsv, .parquet or .pq file"),
    };
    let column = |name: &str| -> Result<StringArray> {
        let parts = batches
            .iter()
            .filter_map(|b| b.column_by_name(name))
            .map(|c| {
                cast(c, &DataType::Utf8).map_err(|_| {
                    bad_input(format!(
                        "{shown}: column '{name}' has type {}, which cannot be read as text",
                        c.data_type()
                    ))
                })
            })
            .collect::<Result<Vec<ArrayRef>>>()?;
        let refs: Vec<&dyn Array> = parts.iter().map(|a| a.as_ref()).collect();
        let joined = if refs.is_empty() {
            arrow::array::new_empty_array(&DataType::Utf8)
        } else {
            arrow::compute::concat(&refs)
                .map_err(|e| bad_input(format!("{shown}: column '{name}': {e}")))?
        };
        Ok(joined.as_string::<i32>().clone())
    };
    let ids = column(id_col)?;
    if ids.is_empty() {
        bail_input!("{shown}: the file has no data rows");
    }
    if let Some(row) = (0..ids.len()).find(|&i| ids.is_null(i)) {
        bail_input!(
            "{shown}: column '{id_col}', row {}: missing unit id",
            row + 1
        );
    }
    let attributes = attributes
        .iter()
        .map(|a| column(a))
        .collect::<Result<Vec<_>>>()?;
    Ok(Units { ids, attributes })
}

/// Positions of the wanted columns; an unknown id column or targeting attribute is an error
/// listing the columns present.
fn column_indices(
    file: &str,
    schema: &Schema,
    wanted: &[&str],
    attributes: &[String],
) -> Result<Vec<usize>> {
    let present = || {
        schema
            .fields()
            .iter()
            .map(|f| format!("'{}'", f.name()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut indices = Vec::new();
    for name in wanted {
        match schema.index_of(name) {
            Ok(i) => indices.push(i),
            Err(_) if attributes.iter().any(|a| a == name) => bail_input!(
                "{file}: targeting rule uses unknown attribute '{name}'; columns present: {}",
                present()
            ),
            Err(_) => bail_input!("{file}: no column '{name}'; columns present: {}", present()),
        }
    }
    indices.sort_unstable();
    indices.dedup();
    Ok(indices)
}

/// Where assignments are written.
enum Sink {
    Csv {
        out: BufWriter<Box<dyn Write>>,
        delimiter: u8,
    },
    Parquet {
        writer: Box<ArrowWriter<File>>,
        schema: Arc<Schema>,
        shown: String,
    },
}

fn header(id_col: &str, assigner: &Assigner) -> Vec<String> {
    let mut h = vec![id_col.to_string()];
    if assigner.experiment_count() > 1 {
        h.push("experiment".to_string());
    }
    h.extend(["variant", "bucket", "reason"].map(String::from));
    h
}

impl Sink {
    fn file(path: &Path, id_col: &str, assigner: &Assigner) -> Result<Sink> {
        let shown = path.display().to_string();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let delimiter = match ext.as_deref() {
            Some("csv") => b',',
            Some("tsv") => b'\t',
            Some("parquet" | "pq") => 0,
            _ => bail_input!("--out {shown}: unknown file type; use .csv, .tsv, .parquet or .pq"),
        };
        let file = File::create(path)
            .map_err(|e| bad_input(format!("--out {shown}: cannot create the file: {e}")))?;
        let header = header(id_col, assigner);
        if delimiter == 0 {
            let fields: Vec<Field> = header
                .iter()
                .map(|name| {
                    let t = if name == "bucket" {
                        DataType::Float64
                    } else {
                        DataType::Utf8
                    };
                    Field::new(name, t, true)
                })
                .collect();
            let schema = Arc::new(Schema::new(fields));
            let writer = ArrowWriter::try_new(file, Arc::clone(&schema), None)
                .with_context(|| format!("writing {shown}"))?;
            return Ok(Sink::Parquet {
                writer: Box::new(writer),
                schema,
                shown,
            });
        }
        let sink = Sink::Csv {
            out: BufWriter::with_capacity(1 << 20, Box::new(file)),
            delimiter,
        };
        sink.with_header(&header)
    }

    fn with_header(mut self, header: &[String]) -> Result<Sink> {
        if let Sink::Csv { out, delimiter } = &mut self {
            let line = header.join(&(*delimiter as char).to_string());
            writeln!(out, "{line}").context("writing the assignments")?;
        }
        Ok(self)
    }
}

/// Rows assigned in parallel per block; blocks are written in order, so output is deterministic.
const BLOCK: usize = 262_144;

/// Outcome counts per experiment: variant counts then the four exclusion reasons.
type Counts = Vec<Vec<u64>>;

fn assign_all(assigner: &Assigner, units: &Units, mut sink: Sink) -> Result<Counts> {
    let k = assigner.experiment_count();
    let mut counts: Counts = (0..k)
        .map(|e| vec![0; assigner.variants(e).len() + REASONS.len()])
        .collect();
    let n = units.ids.len();
    let mut start = 0;
    while start < n {
        let end = (start + BLOCK).min(n);
        let chunks: Vec<usize> = (start..end).step_by(CHUNK).collect();
        let outcomes: Vec<Assignment> = chunks
            .into_par_iter()
            .map(|from| assign_rows(assigner, units, from, (from + CHUNK).min(end)))
            .collect::<Vec<_>>()
            .concat();
        for (i, o) in outcomes.iter().enumerate() {
            let e = i % k;
            let slot = match o {
                Assignment::Variant { variant, .. } => *variant,
                Assignment::Excluded(x) => assigner.variants(e).len() + reason_index(x.name()),
            };
            counts[e][slot] += 1;
        }
        write_block(&mut sink, assigner, units, start, &outcomes)?;
        start = end;
    }
    match sink {
        Sink::Csv { mut out, .. } => out.flush().context("writing the assignments")?,
        Sink::Parquet { writer, shown, .. } => {
            writer.close().with_context(|| format!("writing {shown}"))?;
        }
    }
    Ok(counts)
}

/// Rows per parallel work item.
const CHUNK: usize = 8192;

/// Outcomes of rows `from..to`, experiment by experiment within each row.
fn assign_rows(assigner: &Assigner, units: &Units, from: usize, to: usize) -> Vec<Assignment> {
    let k = assigner.experiment_count();
    let mut out = Vec::with_capacity((to - from) * k);
    let mut values: Vec<Option<&str>> = Vec::with_capacity(units.attributes.len());
    let mut one = Vec::with_capacity(k);
    for row in from..to {
        values.clear();
        values.extend(
            units
                .attributes
                .iter()
                .map(|a| (!a.is_null(row)).then(|| a.value(row))),
        );
        assigner.assign_into(units.ids.value(row), &values, &mut one);
        out.extend_from_slice(&one);
    }
    out
}

const REASONS: [&str; 4] = [
    "holdout",
    "not_targeted",
    "outside_layer",
    "outside_coverage",
];

fn reason_index(name: &str) -> usize {
    REASONS.iter().position(|r| *r == name).unwrap_or(0)
}

fn write_block(
    sink: &mut Sink,
    assigner: &Assigner,
    units: &Units,
    start: usize,
    outcomes: &[Assignment],
) -> Result<()> {
    let k = assigner.experiment_count();
    match sink {
        Sink::Csv { out, delimiter } => {
            let d = *delimiter as char;
            let mut line = String::with_capacity(64);
            for (i, o) in outcomes.iter().enumerate() {
                let (row, e) = (start + i / k, i % k);
                line.clear();
                push_field(&mut line, units.ids.value(row), d);
                if k > 1 {
                    line.push(d);
                    push_field(&mut line, assigner.experiment_name(e), d);
                }
                line.push(d);
                match o {
                    Assignment::Variant { variant, bucket } => {
                        push_field(&mut line, &assigner.variants(e)[*variant], d);
                        line.push(d);
                        let _ = std::fmt::Write::write_fmt(&mut line, format_args!("{bucket}"));
                        line.push(d);
                    }
                    Assignment::Excluded(x) => {
                        line.push(d);
                        line.push(d);
                        line.push_str(x.name());
                    }
                }
                line.push('\n');
                out.write_all(line.as_bytes())
                    .context("writing the assignments")?;
            }
        }
        Sink::Parquet {
            writer,
            schema,
            shown,
        } => {
            let rows = outcomes.len();
            let mut ids = Vec::with_capacity(rows);
            let mut experiments = Vec::with_capacity(rows);
            let mut variants = Vec::with_capacity(rows);
            let mut buckets = Vec::with_capacity(rows);
            let mut reasons = Vec::with_capacity(rows);
            for (i, o) in outcomes.iter().enumerate() {
                let (row, e) = (start + i / k, i % k);
                ids.push(units.ids.value(row));
                experiments.push(assigner.experiment_name(e));
                match o {
                    Assignment::Variant { variant, bucket } => {
                        variants.push(Some(assigner.variants(e)[*variant].as_str()));
                        buckets.push(Some(*bucket));
                        reasons.push(None);
                    }
                    Assignment::Excluded(x) => {
                        variants.push(None);
                        buckets.push(None);
                        reasons.push(Some(x.name()));
                    }
                }
            }
            let mut columns: Vec<ArrayRef> = vec![Arc::new(StringArray::from(ids))];
            if k > 1 {
                columns.push(Arc::new(StringArray::from(experiments)));
            }
            columns.push(Arc::new(StringArray::from(variants)));
            columns.push(Arc::new(Float64Array::from(buckets)));
            columns.push(Arc::new(StringArray::from(reasons)));
            let batch = RecordBatch::try_new(Arc::clone(schema), columns)
                .with_context(|| format!("writing {shown}"))?;
            writer
                .write(&batch)
                .with_context(|| format!("writing {shown}"))?;
        }
    }
    Ok(())
}

/// Appends a CSV field, quoted when it holds the delimiter, a quote or a line break.
fn push_field(line: &mut String, field: &str, delimiter: char) {
    if field.contains([delimiter, '"', '\n', '\r']) {
        line.push('"');
        line.push_str(&field.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(field);
    }
}

fn summarize(
    assigner: &Assigner,
    spec: &DesignSpec,
    counts: Counts,
    units: u64,
    output: String,
    alpha: f64,
) -> Result<AssignSummary> {
    let mut experiments = Vec::new();
    for (e, c) in counts.iter().enumerate() {
        let variants = assigner.variants(e).to_vec();
        let weights = assigner.weights(e).to_vec();
        let (assigned, excluded) = c.split_at(variants.len());
        let (observed, expected): (Vec<f64>, Vec<f64>) = assigned
            .iter()
            .zip(&weights)
            .filter(|(_, w)| **w > 0.0)
            .map(|(c, w)| (*c as f64, *w))
            .unzip();
        let srm = if observed.len() >= 2 && observed.iter().sum::<f64>() > 0.0 {
            Some(srm_check(&observed, Some(&expected), alpha).context("the SRM check")?)
        } else {
            None
        };
        experiments.push(ExperimentSummary {
            experiment: assigner.experiment_name(e).to_string(),
            variants,
            weights,
            counts: assigned.to_vec(),
            excluded: REASONS
                .iter()
                .zip(excluded)
                .filter(|(_, n)| **n > 0)
                .map(|(r, n)| (r.to_string(), *n))
                .collect(),
            srm_chi2: srm.as_ref().map(|s| s.result.statistic),
            srm_p_value: srm.as_ref().map(|s| s.result.p_value),
            srm_mismatch: srm.as_ref().map(|s| s.mismatch),
        });
    }
    Ok(AssignSummary {
        units,
        scheme: spec.scheme.name().to_string(),
        output,
        experiments,
    })
}

fn summary_text(summary: &AssignSummary) -> String {
    let mut text = format!(
        "{} units assigned with scheme {} -> {}\n",
        summary.units, summary.scheme, summary.output
    );
    for e in &summary.experiments {
        let mut table = render::grid(&["variant", "weight", "units", "share"]);
        let total: u64 = e.counts.iter().sum();
        for ((v, w), c) in e.variants.iter().zip(&e.weights).zip(&e.counts) {
            let share = if total > 0 {
                *c as f64 / total as f64
            } else {
                0.0
            };
            table.add_row(vec![
                v.clone(),
                format!("{w:.4}"),
                c.to_string(),
                format!("{share:.4}"),
            ]);
        }
        for (reason, n) in &e.excluded {
            table.add_row(vec![
                format!("({reason})"),
                String::new(),
                n.to_string(),
                String::new(),
            ]);
        }
        text.push_str(&format!("experiment '{}'\n{table}\n", e.experiment));
        match (e.srm_chi2, e.srm_p_value, e.srm_mismatch) {
            (Some(chi2), Some(p), Some(mismatch)) => text.push_str(&format!(
                "sample-ratio check: chi2 = {}, p = {}{}\n",
                render::number(chi2),
                render::p_value(p),
                if mismatch {
                    " -- MISMATCH: the split differs from the weights"
                } else {
                    ""
                }
            )),
            _ => text.push_str("sample-ratio check: not applicable\n"),
        }
    }
    text.trim_end().to_string()
}
