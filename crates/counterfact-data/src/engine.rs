//! Runs the compiled pipeline on DataFusion and hands the sufficient statistics to the analysis.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use counterfact_models::readout::{
    ArmRatioSums, ArmSums, ArmValues, MetricData, MetricDefinition, MetricInput, MetricKind,
    Population, Winsorized,
};
use datafusion::arrow::array::{
    Array, ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray,
};
use datafusion::arrow::compute::{cast, concat_batches};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::datasource::MemTable;
use datafusion::datasource::file_format::arrow::ArrowFormat;
use datafusion::datasource::file_format::csv::CsvFormat;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::execution::context::{SQLOptions, SessionConfig, SessionContext};
use datafusion::execution::memory_pool::FairSpillPool;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;

use crate::error::{DataError, Result};
use crate::spec::{
    BeforeAssignment, ExperimentSpec, FileFormat, MultipleVariants, QuantileLevel, SourceSpec,
    load_spec,
};
use crate::sql::{self, Expect, MetricSource, Plan};

/// Progress of the long-running stages, for a progress bar.
pub trait Progress {
    /// A stage starts (e.g. "register sources", "metric sums").
    fn stage(&self, name: &str);
    /// All stages are done.
    fn done(&self);
}

/// A [`Progress`] that reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn stage(&self, _name: &str) {}
    fn done(&self) {}
}

/// Engine settings.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// DataFusion partitions (fixed so that plans, and hence float sums, do not depend on the
    /// machine's core count).
    pub target_partitions: usize,
    /// Memory the engine may hold, in bytes; aggregations and sorts beyond it spill to the
    /// temporary directory (DataFusion's fair spill pool). `None`: no limit.
    pub memory_limit: Option<usize>,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            target_partitions: 4,
            memory_limit: None,
        }
    }
}

/// Everything the readout analysis needs, computed from the spec's data.
#[derive(Debug, Clone)]
pub struct PreparedReadout {
    /// The validated spec.
    pub spec: ExperimentSpec,
    /// Variants with control first: the order of every per-arm vector below.
    pub variants: Vec<String>,
    /// SRM weights in `variants` order (the spec's, default equal; not normalised).
    pub weights: Vec<f64>,
    /// One input per metric, in spec order.
    pub metrics: Vec<MetricInput>,
    /// Per segment (dimension, value): the metric inputs within the segment.
    pub segments: Vec<(String, String, Vec<MetricInput>)>,
    /// Analysed units per variant (control first), for the overall SRM test.
    pub srm_overall: Vec<u64>,
    /// Analysed units per variant for each "dimension=value".
    pub srm_by_dimension: Vec<(String, Vec<u64>)>,
    /// Unit accounting.
    pub population: Population,
    /// The SQL of every stage, (stage name, SQL).
    pub sql: Vec<(String, String)>,
    /// Notes for the readout (exclusions, imputations).
    pub notes: Vec<String>,
}

/// Loads the spec, reads the data and computes the per-variant statistics of every metric.
pub fn prepare_readout(spec_path: &Path, progress: &dyn Progress) -> Result<PreparedReadout> {
    prepare_readout_with(spec_path, &EngineOptions::default(), progress)
}

/// [`prepare_readout`] with explicit engine settings.
pub fn prepare_readout_with(
    spec_path: &Path,
    options: &EngineOptions,
    progress: &dyn Progress,
) -> Result<PreparedReadout> {
    progress.stage("read spec");
    let spec = load_spec(spec_path)?;
    let runtime = runtime(options)?;
    let out = runtime.block_on(run(spec, options, progress));
    progress.done();
    out
}

/// The SQL of every stage, without running any query (the sources' schemas are read).
pub fn explain_sql(spec_path: &Path) -> Result<String> {
    let spec = load_spec(spec_path)?;
    let options = EngineOptions::default();
    let runtime = runtime(&options)?;
    runtime.block_on(async {
        let ctx = session(&options)?;
        let schemas = register_sources(&ctx, &spec).await?;
        let plan = sql::compile(&spec, &schemas)?;
        type_check(&ctx, &plan).await?;
        let mut out = String::new();
        for (name, s) in plan.stages() {
            out.push_str(&format!("-- {name}\n{s};\n\n"));
        }
        Ok(out)
    })
}

fn runtime(options: &EngineOptions) -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(options.target_partitions.clamp(1, 64))
        .enable_all()
        .build()
        .map_err(|e| DataError::engine("runtime", e))
}

fn session(options: &EngineOptions) -> Result<SessionContext> {
    let config = SessionConfig::new()
        .with_target_partitions(options.target_partitions.max(1))
        .with_information_schema(false);
    let mut runtime = RuntimeEnvBuilder::new();
    if let Some(limit) = options.memory_limit {
        runtime = runtime.with_memory_pool(Arc::new(FairSpillPool::new(limit)));
    }
    let runtime = runtime
        .build_arc()
        .map_err(|e| DataError::engine("runtime", e))?;
    Ok(SessionContext::new_with_config_rt(config, runtime))
}

fn sql_options() -> SQLOptions {
    SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false)
}

/// Runs a query and returns its batches as produced (no concatenation: the pulls read them one
/// by one into compact vectors and free each).
async fn query_batches(ctx: &SessionContext, stage: &str, sql: &str) -> Result<Vec<RecordBatch>> {
    ctx.sql_with_options(sql, sql_options())
        .await
        .map_err(|e| DataError::engine(stage, e))?
        .collect()
        .await
        .map_err(|e| DataError::engine(stage, e))
}

async fn query(ctx: &SessionContext, stage: &str, sql: &str) -> Result<RecordBatch> {
    let df = ctx
        .sql_with_options(sql, sql_options())
        .await
        .map_err(|e| DataError::engine(stage, e))?;
    let schema: SchemaRef = Arc::new(df.schema().as_arrow().clone());
    let batches = df
        .collect()
        .await
        .map_err(|e| DataError::engine(stage, e))?;
    let schema = batches.first().map(|b| b.schema()).unwrap_or(schema);
    concat_batches(&schema, &batches).map_err(|e| DataError::engine(stage, e))
}

fn has_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// The files of a source: one file, every file with the format's extension under a directory,
/// or the matches of a glob; sorted.
fn source_files(spec: &ExperimentSpec, name: &str, src: &SourceSpec) -> Result<Vec<PathBuf>> {
    let joined = spec.base_dir.join(&src.path);
    let missing = || DataError::MissingFile {
        table: name.to_string(),
        path: joined.clone(),
    };
    let pattern = if has_glob(&src.path) {
        joined.to_string_lossy().into_owned()
    } else if joined.is_dir() {
        let escaped = glob::Pattern::escape(&joined.to_string_lossy());
        format!("{escaped}/**/*{}", src.effective_format().extension())
    } else if joined.is_file() {
        return Ok(vec![absolute(&joined)]);
    } else {
        return Err(missing());
    };
    let mut files: Vec<PathBuf> = glob::glob(&pattern)
        .map_err(|e| DataError::invalid(&spec.path, format!("sources.{name}"), e.to_string()))?
        .filter_map(|p| p.ok())
        .filter(|p| p.is_file())
        .map(|p| absolute(&p))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(missing());
    }
    Ok(files)
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

async fn register_sources(
    ctx: &SessionContext,
    spec: &ExperimentSpec,
) -> Result<BTreeMap<String, SchemaRef>> {
    let mut schemas = BTreeMap::new();
    for (name, src) in &spec.sources {
        let files = source_files(spec, name, src)?;
        let stage = format!("register {name}");
        let urls = files
            .iter()
            .map(|f| ListingTableUrl::parse(f.to_string_lossy()))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| DataError::engine(&stage, e))?;
        let format: Arc<dyn datafusion::datasource::file_format::FileFormat> =
            match src.effective_format() {
                FileFormat::Parquet => Arc::new(ParquetFormat::default()),
                FileFormat::Csv => Arc::new(CsvFormat::default().with_has_header(true)),
                FileFormat::Arrow => Arc::new(ArrowFormat),
            };
        let listing = ListingOptions::new(format).with_file_extension("");
        let config = ListingTableConfig::new_with_multi_paths(urls)
            .with_listing_options(listing)
            .infer_schema(&ctx.state())
            .await
            .map_err(|e| DataError::engine(&stage, e))?;
        let table = ListingTable::try_new(config).map_err(|e| DataError::engine(&stage, e))?;
        let schema = datafusion::datasource::TableProvider::schema(&table);
        ctx.register_table(sql::quote_ident(name).as_str(), Arc::new(table))
            .map_err(|e| DataError::engine(&stage, e))?;
        schemas.insert(name.clone(), schema);
    }
    Ok(schemas)
}

/// Plans (never runs) each user expression over its table and checks the result type.
async fn type_check(ctx: &SessionContext, plan: &Plan) -> Result<()> {
    for tc in &plan.type_checks {
        let df = ctx
            .sql_with_options(&tc.sql, sql_options())
            .await
            .map_err(|e| DataError::UnsafeExpression {
                metric: tc.metric.clone(),
                field: tc.field.clone(),
                expression: tc.expression.clone(),
                reason: format!("does not plan: {e}"),
            })?;
        let dt = df.schema().field(0).data_type().clone();
        let ok = match tc.expect {
            Expect::Numeric => dt.is_numeric() || dt == DataType::Null,
            Expect::Boolean => dt == DataType::Boolean || dt == DataType::Null,
        };
        if !ok {
            return Err(DataError::WrongColumnType {
                table: tc.table.clone(),
                column: format!(
                    "{} ({} of metric \"{}\")",
                    tc.expression, tc.field, tc.metric
                ),
                expected: match tc.expect {
                    Expect::Numeric => "a number (integer or float)".into(),
                    Expect::Boolean => "a boolean".into(),
                },
                found: dt.to_string(),
            });
        }
    }
    Ok(())
}

/// Output column `name` cast to `to` and downcast to its array type (a cheap, shared clone).
fn cast_column<A: Array + Clone + 'static>(
    batch: &RecordBatch,
    name: &str,
    stage: &str,
    to: &DataType,
) -> Result<A> {
    let col = batch
        .column_by_name(name)
        .ok_or_else(|| DataError::engine(stage, format!("missing output column {name}")))?;
    let c = cast(col, to).map_err(|e| DataError::engine(stage, e))?;
    c.as_any()
        .downcast_ref::<A>()
        .cloned()
        .ok_or_else(|| DataError::engine(stage, format!("cast of {name} to {to}")))
}

fn column_f64(batch: &RecordBatch, name: &str, stage: &str) -> Result<Vec<Option<f64>>> {
    let a: Float64Array = cast_column(batch, name, stage, &DataType::Float64)?;
    Ok(a.iter().collect())
}

fn column_i64(batch: &RecordBatch, name: &str, stage: &str) -> Result<Vec<Option<i64>>> {
    let a: Int64Array = cast_column(batch, name, stage, &DataType::Int64)?;
    Ok(a.iter().collect())
}

fn column_str(batch: &RecordBatch, name: &str, stage: &str) -> Result<Vec<Option<String>>> {
    let a: StringArray = cast_column(batch, name, stage, &DataType::Utf8)?;
    Ok(a.iter().map(|v| v.map(str::to_string)).collect())
}

/// A string column as codes into its distinct values (`None` for NULL).
#[derive(Default)]
struct Codes {
    codes: Vec<Option<u32>>,
    values: Vec<String>,
    index: std::collections::HashMap<String, u32>,
}

impl Codes {
    /// Appends a batch's column: one allocation per distinct value instead of one per row.
    fn extend(&mut self, batch: &RecordBatch, name: &str, stage: &str) -> Result<()> {
        let a: StringArray = cast_column(batch, name, stage, &DataType::Utf8)?;
        for v in a.iter() {
            let Some(v) = v else {
                self.codes.push(None);
                continue;
            };
            let code = match self.index.get(v) {
                Some(&c) => c,
                None => {
                    let c = u32::try_from(self.values.len()).map_err(|_| {
                        DataError::engine(stage, "too many distinct segment values")
                    })?;
                    self.index.insert(v.to_string(), c);
                    self.values.push(v.to_string());
                    c
                }
            };
            self.codes.push(Some(code));
        }
        Ok(())
    }
}

/// The columns of a unit- or event-level pull, read batch by batch into compact vectors.
struct Pulled {
    arm: Vec<u32>,
    y: Vec<f64>,
    clusters: Vec<u64>,
    xs: Vec<Vec<f64>>,
    segs: Vec<(usize, Codes)>,
}

impl Pulled {
    fn read(
        batches: Vec<RecordBatch>,
        stage: &str,
        clustered: bool,
        covariates: &[usize],
        segment_dims: &[usize],
    ) -> Result<Self> {
        let rows = batches.iter().map(RecordBatch::num_rows).sum();
        let mut p = Pulled {
            arm: Vec::with_capacity(rows),
            y: Vec::with_capacity(rows),
            clusters: Vec::with_capacity(if clustered { rows } else { 0 }),
            xs: vec![Vec::with_capacity(rows); covariates.len()],
            segs: segment_dims
                .iter()
                .map(|&k| (k, Codes::default()))
                .collect(),
        };
        for b in batches {
            p.arm.extend(
                column_i64(&b, "cf_arm", stage)?
                    .into_iter()
                    .map(|a| a.and_then(|a| u32::try_from(a).ok()).unwrap_or(u32::MAX)),
            );
            p.y.extend(
                column_f64(&b, "cf_y", stage)?
                    .into_iter()
                    .map(|v| v.unwrap_or(0.0)),
            );
            if clustered {
                p.clusters
                    .extend(column_i64(&b, "cf_idx", stage)?.into_iter().map(count));
            }
            for (x, j) in p.xs.iter_mut().zip(covariates) {
                x.extend(
                    column_f64(&b, &format!("cf_x{j}"), stage)?
                        .into_iter()
                        .map(|v| v.unwrap_or(0.0)),
                );
            }
            for (k, codes) in &mut p.segs {
                codes.extend(&b, &format!("cf_d{k}"), stage)?;
            }
        }
        Ok(p)
    }

    fn len(&self) -> usize {
        self.y.len()
    }

    /// Which rows lie in `scope`: the segment value is resolved to its code once, then rows
    /// are matched by integer code.
    fn mask(&self, scope: &Scope) -> Vec<bool> {
        let Scope::Segment(k, v) = scope else {
            return vec![true; self.len()];
        };
        let Some(c) = self.segs.iter().find(|(kk, _)| kk == k).map(|(_, c)| c) else {
            return vec![false; self.len()];
        };
        let code = c.index.get(v).copied();
        c.codes
            .iter()
            .map(|&x| code.is_some() && x == code)
            .collect()
    }
}

fn count(v: Option<i64>) -> u64 {
    v.map_or(0, |x| u64::try_from(x).unwrap_or(0))
}

async fn run(
    spec: ExperimentSpec,
    options: &EngineOptions,
    progress: &dyn Progress,
) -> Result<PreparedReadout> {
    let ctx = session(options)?;
    progress.stage("register sources");
    let schemas = register_sources(&ctx, &spec).await?;
    let plan = sql::compile(&spec, &schemas)?;
    type_check(&ctx, &plan).await?;
    let mut notes = Vec::new();
    let arms = plan.arms.clone();

    progress.stage("variant labels");
    let labels = query(&ctx, "variant_labels", &plan.labels_sql).await?;
    let names = column_str(&labels, "cf_label", "variant_labels")?;
    let rows = column_i64(&labels, "cf_rows", "variant_labels")?;
    let mut unknown: Vec<String> = names
        .iter()
        .zip(&rows)
        .filter(|(n, _)| n.as_ref().is_none_or(|n| !arms.contains(n)))
        .map(|(n, r)| {
            format!(
                "\"{}\" ({} rows)",
                n.as_deref().unwrap_or("NULL"),
                count(*r)
            )
        })
        .collect();
    unknown.sort();
    if !unknown.is_empty() {
        return Err(DataError::UnknownVariant {
            table: spec.assignment.table.clone(),
            labels: unknown.join(", "),
        });
    }

    progress.stage("units");
    materialize_units(&ctx, &plan, options.target_partitions).await?;
    let pop = query(&ctx, "population", &plan.population_sql).await?;
    let p = |name: &str| -> Result<u64> {
        Ok(count(
            column_i64(&pop, name, "population")?
                .first()
                .copied()
                .flatten(),
        ))
    };
    let ps = |name: &str| -> Result<String> {
        Ok(column_str(&pop, name, "population")?
            .first()
            .cloned()
            .flatten()
            .unwrap_or_default())
    };
    let (rows_n, distinct) = (p("cf_rows")?, p("cf_units")?);
    if rows_n > distinct {
        return Err(duplicate_attribute_rows(&ctx, &spec, &plan).await?);
    }
    let multi = p("cf_multi")?;
    if multi > 0 && spec.assignment.multiple_variants == MultipleVariants::Error {
        return Err(DataError::UnitInMultipleVariants {
            count: multi,
            example: ps("cf_multi_example")?,
        });
    }
    let early = p("cf_early")?;
    if early > 0 {
        match spec.exposure.before_assignment {
            BeforeAssignment::Error => {
                return Err(DataError::ExposureBeforeAssignment {
                    count: early,
                    example: ps("cf_early_example")?,
                });
            }
            BeforeAssignment::Ignore => notes.push(format!(
                "{early} exposure rows earlier than their unit's assignment were ignored"
            )),
        }
    }
    for (j, name) in plan.covariates.iter().enumerate() {
        let missing = p(&format!("cf_missing_x{j}"))?;
        if missing > 0 {
            notes.push(format!(
                "covariate {name} is missing for {missing} analysed units (set to 0 for CUPED)"
            ));
        }
    }
    let counts = query(&ctx, "analysed_units_per_variant", &plan.arm_counts_sql).await?;
    let mut analysed = vec![0u64; arms.len()];
    for (a, n) in column_i64(&counts, "cf_arm", "analysed")?
        .into_iter()
        .zip(column_i64(&counts, "cf_n", "analysed")?)
    {
        if let Some(a) = a.and_then(|a| usize::try_from(a).ok())
            && a < analysed.len()
        {
            analysed[a] = count(n);
        }
    }
    if let Some(i) = analysed.iter().position(|&n| n == 0) {
        return Err(DataError::EmptyVariant {
            variant: arms[i].clone(),
        });
    }
    if multi > 0 {
        notes.push(format!(
            "{multi} units assigned to more than one variant were excluded"
        ));
    }
    let unexposed = p("cf_unexposed")?;
    if unexposed > 0 {
        notes.push(format!(
            "{unexposed} assigned units were never exposed and were excluded"
        ));
    }

    progress.stage("SRM by dimension");
    let mut srm_by_dimension = Vec::new();
    for (k, s) in &plan.srm_sql {
        let stage = format!("srm_{}", plan.dims[*k]);
        let b = query(&ctx, &stage, s).await?;
        let mut by_value: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        for ((v, a), n) in column_str(&b, "cf_value", &stage)?
            .into_iter()
            .zip(column_i64(&b, "cf_arm", &stage)?)
            .zip(column_i64(&b, "cf_n", &stage)?)
        {
            let entry = by_value
                .entry(v.unwrap_or_else(|| "(null)".into()))
                .or_insert_with(|| vec![0; arms.len()]);
            if let Some(a) = a
                .and_then(|a| usize::try_from(a).ok())
                .filter(|&a| a < arms.len())
            {
                entry[a] = count(n);
            }
        }
        for (v, c) in by_value {
            srm_by_dimension.push((format!("{}={v}", plan.dims[*k]), c));
        }
    }

    progress.stage("metric sums");
    let collected = collect_metrics(
        &ctx,
        &spec,
        &plan,
        &mut notes,
        analysed.iter().sum(),
        progress,
    )
    .await?;

    let weights = arms
        .iter()
        .map(|a| {
            let i = spec
                .experiment
                .variants
                .iter()
                .position(|v| v == a)
                .unwrap_or(0);
            spec.experiment.weights.as_ref().map_or(1.0, |w| w[i])
        })
        .collect();
    let population = Population {
        assigned_units: distinct,
        multiple_variant_units: multi,
        unexposed_units: unexposed,
        analysed_units: analysed.clone(),
        duplicate_rows: collected.duplicates,
    };
    Ok(PreparedReadout {
        variants: arms,
        weights,
        metrics: collected.metrics,
        segments: collected.segments,
        srm_overall: analysed,
        srm_by_dimension,
        population,
        sql: plan.stages(),
        notes,
        spec,
    })
}

/// Runs the units stage and keeps its result in memory as `cf_assigned` (with a dense unit
/// index `cf_idx` for clustering), and `cf_units` = the analysed units.
async fn materialize_units(ctx: &SessionContext, plan: &Plan, partitions: usize) -> Result<()> {
    let stage = "units";
    let df = ctx
        .sql_with_options(&plan.units_sql, sql_options())
        .await
        .map_err(|e| DataError::engine(stage, e))?;
    let batches = df
        .collect()
        .await
        .map_err(|e| DataError::engine(stage, e))?;
    let base: SchemaRef = match batches.first() {
        Some(b) => b.schema(),
        None => Arc::new(
            ctx.sql_with_options(&plan.units_sql, sql_options())
                .await
                .map_err(|e| DataError::engine(stage, e))?
                .schema()
                .as_arrow()
                .clone(),
        ),
    };
    let mut fields: Vec<Field> = base.fields().iter().map(|f| f.as_ref().clone()).collect();
    fields.push(Field::new("cf_idx", DataType::Int64, false));
    let schema = Arc::new(Schema::new(fields));
    let parts = partitions.max(1);
    let mut partitioned: Vec<Vec<RecordBatch>> = vec![Vec::new(); parts];
    let mut offset: i64 = 0;
    for (bi, b) in batches.into_iter().enumerate() {
        let n = b.num_rows() as i64;
        let idx: ArrayRef = Arc::new(Int64Array::from_iter_values(offset..offset + n));
        offset += n;
        let mut cols = b.columns().to_vec();
        cols.push(idx);
        let nb =
            RecordBatch::try_new(schema.clone(), cols).map_err(|e| DataError::engine(stage, e))?;
        partitioned[bi % parts].push(nb);
    }
    let table = MemTable::try_new(schema, partitioned).map_err(|e| DataError::engine(stage, e))?;
    ctx.register_table("cf_assigned", Arc::new(table))
        .map_err(|e| DataError::engine(stage, e))?;
    let view = ctx
        .sql_with_options(
            "SELECT * FROM cf_assigned WHERE cf_n_arms = 1 AND cf_exposed_ns IS NOT NULL",
            sql_options(),
        )
        .await
        .map_err(|e| DataError::engine(stage, e))?
        .into_view();
    ctx.register_table("cf_units", view)
        .map_err(|e| DataError::engine(stage, e))?;
    Ok(())
}

async fn duplicate_attribute_rows(
    ctx: &SessionContext,
    spec: &ExperimentSpec,
    plan: &Plan,
) -> Result<DataError> {
    let unit = sql::quote_ident(&spec.experiment.unit);
    for t in &plan.attribute_tables {
        let s = format!(
            "SELECT COUNT(*) AS cf_n, CAST(MIN(k) AS VARCHAR) AS cf_example FROM (SELECT {unit} AS k FROM {} GROUP BY {unit} HAVING COUNT(*) > 1)",
            sql::quote_ident(t)
        );
        let b = query(ctx, "unit attribute check", &s).await?;
        let n = count(
            column_i64(&b, "cf_n", "unit attribute check")?
                .first()
                .copied()
                .flatten(),
        );
        if n > 0 {
            let example = column_str(&b, "cf_example", "unit attribute check")?
                .first()
                .cloned()
                .flatten()
                .unwrap_or_default();
            return Ok(DataError::DuplicateUnitRows {
                table: t.clone(),
                count: n,
                example,
            });
        }
    }
    Ok(DataError::engine(
        "units",
        "the unit table has more rows than units",
    ))
}

struct Collected {
    metrics: Vec<MetricInput>,
    segments: Vec<(String, String, Vec<MetricInput>)>,
    duplicates: Vec<(String, u64)>,
}

/// Scope of one output row of the sums query: overall or one segment value.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Scope {
    Overall,
    Segment(usize, String),
}

fn definition(spec: &ExperimentSpec, i: usize) -> MetricDefinition {
    let m = &spec.metrics[i];
    MetricDefinition {
        name: m.name.clone(),
        kind: m.kind,
        role: m.role,
        higher_is_better: m.higher_is_better,
        margin: m.margin,
        quantile: m.quantile,
        covariates: m.cuped.clone(),
    }
}

fn empty_arm_sums(arms: &[String], p: usize) -> Vec<ArmSums> {
    arms.iter()
        .map(|v| ArmSums {
            variant: v.clone(),
            n: 0,
            sum_y: 0.0,
            sum_yy: 0.0,
            sum_x: vec![0.0; p],
            sum_xy: vec![0.0; p],
            sum_xx: vec![0.0; p * p],
        })
        .collect()
}

/// Reads the Sums-shaped statistics under prefix `p` from row `r`.
fn read_sums(
    batch: &RecordBatch,
    r: usize,
    p: &str,
    ncov: usize,
    target: &mut ArmSums,
    stage: &str,
) -> Result<()> {
    let f = |name: &str| -> Result<f64> { Ok(column_f64(batch, name, stage)?[r].unwrap_or(0.0)) };
    target.n = count(column_i64(batch, &format!("{p}_n"), stage)?[r]);
    target.sum_y = f(&format!("{p}_sy"))?;
    target.sum_yy = f(&format!("{p}_syy"))?;
    for a in 0..ncov {
        target.sum_x[a] = f(&format!("{p}_sx{a}"))?;
        target.sum_xy[a] = f(&format!("{p}_sxy{a}"))?;
        for b in a..ncov {
            let v = f(&format!("{p}_sxx{a}_{b}"))?;
            target.sum_xx[a * ncov + b] = v;
            target.sum_xx[b * ncov + a] = v;
        }
    }
    Ok(())
}

async fn collect_metrics(
    ctx: &SessionContext,
    spec: &ExperimentSpec,
    plan: &Plan,
    notes: &mut Vec<String>,
    analysed_total: u64,
    progress: &dyn Progress,
) -> Result<Collected> {
    let arms = &plan.arms;
    let stage = "metric_sums";
    let mut scopes: Vec<Scope> = vec![Scope::Overall];
    // Per scope, per metric: the data (and capped data for winsorized metrics).
    let mut data: BTreeMap<Scope, Vec<Option<MetricData>>> = BTreeMap::new();
    let mut capped: BTreeMap<Scope, Vec<Option<(MetricData, u64)>>> = BTreeMap::new();
    let nm = spec.metrics.len();
    let mut duplicates = Vec::new();

    if let Some(s) = &plan.sums_sql {
        let b = query(ctx, stage, s).await?;
        let arm_col = column_i64(&b, "cf_arm", stage)?;
        let seg_cols: Vec<(usize, Vec<Option<String>>)> = plan
            .segment_dims
            .iter()
            .map(|&k| Ok((k, column_str(&b, &format!("cf_d{k}"), stage)?)))
            .collect::<Result<_>>()?;
        for r in 0..b.num_rows() {
            let Some(arm) = arm_col[r]
                .and_then(|a| usize::try_from(a).ok())
                .filter(|&a| a < arms.len())
            else {
                continue;
            };
            let scope = seg_cols
                .iter()
                .find_map(|(k, vals)| vals[r].clone().map(|v| Scope::Segment(*k, v)))
                .unwrap_or(Scope::Overall);
            if !scopes.contains(&scope) {
                scopes.push(scope.clone());
            }
            if scope == Scope::Overall {
                for (table, colname) in &plan.dedupe_columns {
                    let d = count(column_i64(&b, colname, stage)?[r]);
                    match duplicates
                        .iter_mut()
                        .find(|(t, _): &&mut (String, u64)| t == table)
                    {
                        Some((_, n)) => *n += d,
                        None => duplicates.push((table.clone(), d)),
                    }
                }
            }
            let entry = data.entry(scope.clone()).or_insert_with(|| vec![None; nm]);
            let centry = capped
                .entry(scope.clone())
                .or_insert_with(|| vec![None; nm]);
            for (i, src) in plan.metrics.iter().enumerate() {
                match src {
                    MetricSource::Sums {
                        covariates,
                        fixed_cap,
                        ..
                    } => {
                        let p = covariates.len();
                        let slot = entry[i].get_or_insert_with(|| MetricData::Sums {
                            arms: empty_arm_sums(arms, p),
                        });
                        if let MetricData::Sums { arms: a } = slot {
                            read_sums(&b, r, &format!("m{i}"), p, &mut a[arm], stage)?;
                        }
                        if fixed_cap.is_some() {
                            let (slot, ncap) = centry[i].get_or_insert_with(|| {
                                (
                                    MetricData::Sums {
                                        arms: empty_arm_sums(arms, p),
                                    },
                                    0,
                                )
                            });
                            if let MetricData::Sums { arms: a } = slot {
                                read_sums(&b, r, &format!("m{i}c"), p, &mut a[arm], stage)?;
                            }
                            *ncap += count(column_i64(&b, &format!("m{i}_ncap"), stage)?[r]);
                        }
                    }
                    MetricSource::Ratio => {
                        let slot = entry[i].get_or_insert_with(|| MetricData::Ratio {
                            arms: arms
                                .iter()
                                .map(|v| ArmRatioSums {
                                    variant: v.clone(),
                                    n: 0,
                                    sum_a: 0.0,
                                    sum_b: 0.0,
                                    sum_aa: 0.0,
                                    sum_bb: 0.0,
                                    sum_ab: 0.0,
                                })
                                .collect(),
                        });
                        if let MetricData::Ratio { arms: a } = slot {
                            let f = |s: &str| -> Result<f64> {
                                Ok(column_f64(&b, &format!("m{i}_{s}"), stage)?[r].unwrap_or(0.0))
                            };
                            let t = &mut a[arm];
                            t.n = count(column_i64(&b, &format!("m{i}_n"), stage)?[r]);
                            t.sum_a = f("sa")?;
                            t.sum_b = f("sb")?;
                            t.sum_aa = f("saa")?;
                            t.sum_bb = f("sbb")?;
                            t.sum_ab = f("sab")?;
                        }
                    }
                    MetricSource::Quantile { .. } => {}
                }
            }
        }
    }
    for (table, _) in &plan.dedupe_columns {
        if !duplicates.iter().any(|(t, _)| t == table) {
            duplicates.push((table.clone(), 0));
        }
    }

    // Quantile metrics and quantile caps: unit- or event-level rows pulled into Rust.
    let mut caps: Vec<Option<(f64, String)>> = vec![None; nm];
    for (i, s) in &plan.pulls {
        let i = *i;
        let stage = format!("metric_values_{i}");
        progress.stage(&format!("metric values: {}", spec.metrics[i].name));
        let clustered = matches!(
            plan.metrics[i],
            MetricSource::Quantile {
                level: QuantileLevel::Event
            }
        );
        let covariates: &[usize] = match &plan.metrics[i] {
            MetricSource::Sums { covariates, .. } => covariates,
            _ => &[],
        };
        let pulled = Pulled::read(
            query_batches(ctx, &stage, s).await?,
            &stage,
            clustered,
            covariates,
            &plan.segment_dims,
        )?;
        let (arm, y) = (&pulled.arm, &pulled.y);
        match &plan.metrics[i] {
            MetricSource::Quantile { .. } => {
                let mut seg_scopes: Vec<Scope> = vec![Scope::Overall];
                for (k, c) in &pulled.segs {
                    // First-appearance order, as the scopes were collected before.
                    let mut seen = vec![false; c.values.len()];
                    for &code in c.codes.iter().flatten() {
                        let code = code as usize;
                        if !seen[code] {
                            seen[code] = true;
                            let sc = Scope::Segment(*k, c.values[code].clone());
                            if !seg_scopes.contains(&sc) {
                                seg_scopes.push(sc);
                            }
                        }
                    }
                }
                for scope in seg_scopes {
                    let mut per_arm: Vec<ArmValues> = arms
                        .iter()
                        .map(|v| ArmValues {
                            variant: v.clone(),
                            values: Vec::new(),
                            clusters: Vec::new(),
                        })
                        .collect();
                    let mask = pulled.mask(&scope);
                    for r in (0..pulled.len()).filter(|&r| mask[r]) {
                        if let Some(a) = per_arm.get_mut(arm[r] as usize) {
                            a.values.push(y[r]);
                            if clustered {
                                a.clusters.push(pulled.clusters[r]);
                            }
                        }
                    }
                    for a in &mut per_arm {
                        sort_values(a);
                    }
                    if !scopes.contains(&scope) {
                        scopes.push(scope.clone());
                    }
                    data.entry(scope).or_insert_with(|| vec![None; nm])[i] =
                        Some(MetricData::Values { arms: per_arm });
                }
            }
            MetricSource::Sums {
                covariates,
                quantile_cap: Some(q),
                ..
            } => {
                let p = covariates.len();
                let xs = &pulled.xs;
                let mut pooled = y.clone();
                pooled.sort_by(f64::total_cmp);
                let cap = numpy_quantile_sorted(&pooled, *q);
                caps[i] = Some((cap, format!("p{} of pooled unit values", fmt_level(*q))));
                // Deterministic summation order: by arm, then value and covariates.
                let mut order: Vec<usize> = (0..pulled.len()).collect();
                order.sort_by(|&r1, &r2| {
                    arm[r1]
                        .cmp(&arm[r2])
                        .then(y[r1].total_cmp(&y[r2]))
                        .then_with(|| {
                            xs.iter()
                                .map(|x| x[r1].total_cmp(&x[r2]))
                                .find(|o| o.is_ne())
                                .unwrap_or(std::cmp::Ordering::Equal)
                        })
                });
                let all_scopes = scopes.clone();
                for scope in all_scopes {
                    let mask = pulled.mask(&scope);
                    let mut sums = empty_arm_sums(arms, p);
                    let mut ncap = 0u64;
                    for &r in order.iter().filter(|&&r| mask[r]) {
                        let Some(t) = sums.get_mut(arm[r] as usize) else {
                            continue;
                        };
                        let v = y[r].min(cap);
                        if y[r] > cap {
                            ncap += 1;
                        }
                        t.n += 1;
                        t.sum_y += v;
                        t.sum_yy += v * v;
                        for a in 0..p {
                            t.sum_x[a] += xs[a][r];
                            t.sum_xy[a] += xs[a][r] * v;
                            for c in 0..p {
                                t.sum_xx[a * p + c] += xs[a][r] * xs[c][r];
                            }
                        }
                    }
                    capped.entry(scope).or_insert_with(|| vec![None; nm])[i] =
                        Some((MetricData::Sums { arms: sums }, ncap));
                }
            }
            _ => {}
        }
    }

    for (i, m) in spec.metrics.iter().enumerate() {
        if let Some(cap) = m.winsorize.as_ref().and_then(|w| w.value) {
            caps[i] = Some((cap, "fixed".to_string()));
        }
    }

    let build = |scope: &Scope| -> Vec<MetricInput> {
        let empty = vec![None; nm];
        let d = data.get(scope).unwrap_or(&empty);
        let cempty = vec![None; nm];
        let c = capped.get(scope).unwrap_or(&cempty);
        (0..nm)
            .map(|i| {
                let uncapped = d[i].clone().unwrap_or_else(|| empty_data(spec, plan, i));
                let definition = definition(spec, i);
                match (&caps[i], &c[i]) {
                    (Some((cap, rule)), Some((capped_data, ncap))) => MetricInput {
                        definition,
                        data: capped_data.clone(),
                        winsorized: Some(Winsorized {
                            cap: *cap,
                            rule: rule.clone(),
                            capped_units: *ncap,
                            uncapped,
                        }),
                    },
                    _ => MetricInput {
                        definition,
                        data: uncapped,
                        winsorized: None,
                    },
                }
            })
            .collect()
    };
    let metrics = build(&Scope::Overall);
    for (i, mi) in metrics.iter().enumerate() {
        let mature: u64 = match &mi.data {
            MetricData::Sums { arms } => arms.iter().map(|a| a.n).sum(),
            MetricData::Ratio { arms } => arms.iter().map(|a| a.n).sum(),
            MetricData::Values { arms }
                if spec.metrics[i].quantile_level() == QuantileLevel::Unit =>
            {
                arms.iter().map(|a| a.values.len() as u64).sum()
            }
            MetricData::Values { .. } => continue,
        };
        if mature < analysed_total {
            let m = &spec.metrics[i];
            notes.push(format!(
                "metric {}: {} of {analysed_total} analysed units excluded (exposed later than {} days before end, window not matured)",
                m.name,
                analysed_total - mature,
                m.maturity(spec)
            ));
        }
    }
    let mut segment_scopes: Vec<&Scope> = scopes.iter().filter(|s| **s != Scope::Overall).collect();
    segment_scopes.sort();
    let segments = segment_scopes
        .into_iter()
        .map(|s| match s {
            Scope::Segment(k, v) => (plan.dims[*k].clone(), v.clone(), build(s)),
            Scope::Overall => (String::new(), String::new(), Vec::new()),
        })
        .collect();
    Ok(Collected {
        metrics,
        segments,
        duplicates,
    })
}

fn empty_data(spec: &ExperimentSpec, plan: &Plan, i: usize) -> MetricData {
    match (&plan.metrics[i], spec.metrics[i].kind) {
        (MetricSource::Ratio, _) => MetricData::Ratio {
            arms: plan
                .arms
                .iter()
                .map(|v| ArmRatioSums {
                    variant: v.clone(),
                    n: 0,
                    sum_a: 0.0,
                    sum_b: 0.0,
                    sum_aa: 0.0,
                    sum_bb: 0.0,
                    sum_ab: 0.0,
                })
                .collect(),
        },
        (MetricSource::Quantile { .. }, _) | (_, MetricKind::Quantile) => MetricData::Values {
            arms: plan
                .arms
                .iter()
                .map(|v| ArmValues {
                    variant: v.clone(),
                    values: Vec::new(),
                    clusters: Vec::new(),
                })
                .collect(),
        },
        (MetricSource::Sums { covariates, .. }, _) => MetricData::Sums {
            arms: empty_arm_sums(&plan.arms, covariates.len()),
        },
    }
}

/// Sorts an arm's values (with their clusters) so that the output does not depend on the
/// order in which the engine's partitions delivered the rows.
fn sort_values(a: &mut ArmValues) {
    use rayon::slice::ParallelSliceMut;
    if a.clusters.len() == a.values.len() && !a.clusters.is_empty() {
        let mut pairs: Vec<(f64, u64)> = a
            .values
            .iter()
            .copied()
            .zip(a.clusters.iter().copied())
            .collect();
        pairs.par_sort_unstable_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
        a.values = pairs.iter().map(|p| p.0).collect();
        a.clusters = pairs.iter().map(|p| p.1).collect();
    } else {
        a.values.par_sort_unstable_by(f64::total_cmp);
    }
}

fn fmt_level(q: f64) -> String {
    let pct = q * 100.0;
    if (pct - pct.round()).abs() < 1e-9 {
        format!("{}", pct.round())
    } else {
        format!("{pct}")
    }
}

/// numpy's default (`method="linear"`) quantile of sorted, non-empty `x`.
pub(crate) fn numpy_quantile_sorted(x: &[f64], q: f64) -> f64 {
    let n = x.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * q;
    let lo = h.floor();
    let li = (lo as usize).min(n - 1);
    let hi = (li + 1).min(n - 1);
    let t = h - lo;
    let (a, b) = (x[li], x[hi]);
    let d = b - a;
    if t >= 0.5 {
        b - d * (1.0 - t)
    } else {
        a + d * t
    }
}
