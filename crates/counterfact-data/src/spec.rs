//! The experiment spec (docs/experiment-spec.md): TOML parsed into typed structs, unknown keys
//! rejected with their line and column, then validated as a whole.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use counterfact_models::readout::{MetricKind, MetricRole, Monitoring};
use counterfact_stats::adjust::AdjustMethod;
use counterfact_stats::bayes::GaussianPrior;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{DataError, Result};

/// A parsed and validated experiment spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentSpec {
    /// `[experiment]`: name, unit, variants and decision settings.
    pub experiment: ExperimentSection,
    /// `[sources]`: table name → file, directory or glob.
    pub sources: BTreeMap<String, SourceSpec>,
    /// `[assignment]`.
    pub assignment: AssignmentSpec,
    /// `[exposure]`.
    pub exposure: ExposureSpec,
    /// `[covariates]`: unit-level pre-period covariates for CUPED.
    #[serde(default)]
    pub covariates: Option<CovariatesSpec>,
    /// `[[metric]]` in spec order.
    #[serde(rename = "metric", default)]
    pub metrics: Vec<MetricSpec>,
    /// `[monitoring]`: sequential and Bayesian readouts of a running test.
    #[serde(default)]
    pub monitoring: MonitoringSpec,
    /// Directory of the spec file; source paths are relative to it.
    #[serde(skip)]
    pub base_dir: PathBuf,
    /// The spec file itself (for messages).
    #[serde(skip)]
    pub path: PathBuf,
}

/// Multiple-testing correction across primary and secondary metrics × arms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Correction {
    /// No correction.
    None,
    /// Bonferroni.
    Bonferroni,
    /// Holm's step-down.
    Holm,
    /// Benjamini-Hochberg (false discovery rate).
    BenjaminiHochberg,
}

impl Correction {
    /// The counterfact-stats adjustment, `None` for no correction.
    pub fn adjust_method(self) -> Option<AdjustMethod> {
        match self {
            Correction::None => None,
            Correction::Bonferroni => Some(AdjustMethod::Bonferroni),
            Correction::Holm => Some(AdjustMethod::Holm),
            Correction::BenjaminiHochberg => Some(AdjustMethod::BenjaminiHochberg),
        }
    }

    /// The spec spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Correction::None => "none",
            Correction::Bonferroni => "bonferroni",
            Correction::Holm => "holm",
            Correction::BenjaminiHochberg => "benjamini-hochberg",
        }
    }
}

/// Longest window, maturity or retention day accepted (about 100 years).
const MAX_DAYS: u32 = 36_500;

fn default_alpha() -> f64 {
    0.05
}
fn default_srm_alpha() -> f64 {
    0.001
}
fn default_correction() -> Correction {
    Correction::Holm
}
fn default_true() -> bool {
    true
}

/// `[experiment]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentSection {
    /// Experiment name (also the value kept by `assignment.experiment_column`).
    pub name: String,
    /// Unit column, same name in every source table.
    pub unit: String,
    /// Control variant label.
    pub control: String,
    /// All variant labels.
    pub variants: Vec<String>,
    /// Expected split for SRM, one per variant (default equal).
    #[serde(default)]
    pub weights: Option<Vec<f64>>,
    /// Significance level.
    #[serde(default = "default_alpha")]
    pub alpha: f64,
    /// Multiple-testing correction.
    #[serde(default = "default_correction")]
    pub correction: Correction,
    /// SRM threshold.
    #[serde(default = "default_srm_alpha")]
    pub srm_alpha: f64,
    /// Data cut-off, RFC 3339.
    pub end: String,
    /// Table of unit attributes for SRM dimensions and segments.
    #[serde(default)]
    pub dimension_table: Option<String>,
    /// Columns of `dimension_table` checked for SRM per value.
    #[serde(default)]
    pub srm_dimensions: Vec<String>,
    /// Columns of `dimension_table` every metric is broken down by.
    #[serde(default)]
    pub segments: Vec<String>,
}

/// File format of a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    /// Apache Parquet.
    Parquet,
    /// CSV with a header row.
    Csv,
    /// Arrow IPC file.
    Arrow,
}

impl FileFormat {
    /// The usual file extension (with the dot) used when listing a directory.
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Parquet => ".parquet",
            FileFormat::Csv => ".csv",
            FileFormat::Arrow => ".arrow",
        }
    }
}

/// One source table: a file, a directory or a glob, and its format.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceSpec {
    /// Path relative to the spec file (or absolute); may contain glob characters.
    pub path: String,
    /// Format; inferred from the extension when absent (default Parquet).
    pub format: Option<FileFormat>,
}

impl SourceSpec {
    /// The format to read with: explicit, else by extension, else Parquet.
    pub fn effective_format(&self) -> FileFormat {
        if let Some(f) = self.format {
            return f;
        }
        let lower = self.path.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            FileFormat::Csv
        } else if lower.ends_with(".arrow")
            || lower.ends_with(".ipc")
            || lower.ends_with(".feather")
        {
            FileFormat::Arrow
        } else {
            FileFormat::Parquet
        }
    }
}

impl<'de> Deserialize<'de> for SourceSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SourceVisitor;
        impl<'de> Visitor<'de> for SourceVisitor {
            type Value = SourceSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a path string or a table { path = \"...\", format = \"parquet|csv|arrow\" }",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<SourceSpec, E> {
                Ok(SourceSpec {
                    path: v.to_string(),
                    format: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SourceSpec, A::Error> {
                let mut path = None;
                let mut format = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "path" => {
                            if path.is_some() {
                                return Err(de::Error::duplicate_field("path"));
                            }
                            path = Some(map.next_value::<String>()?);
                        }
                        "format" => {
                            if format.is_some() {
                                return Err(de::Error::duplicate_field("format"));
                            }
                            format = Some(map.next_value::<FileFormat>()?);
                        }
                        other => return Err(de::Error::unknown_field(other, &["path", "format"])),
                    }
                }
                let path = path.ok_or_else(|| de::Error::missing_field("path"))?;
                Ok(SourceSpec { path, format })
            }
        }
        deserializer.deserialize_any(SourceVisitor)
    }
}

/// What to do with units assigned to several variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MultipleVariants {
    /// Exclude them and count them.
    Exclude,
    /// Fail.
    Error,
}

/// `[assignment]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignmentSpec {
    /// Source table.
    pub table: String,
    /// Variant label column.
    pub variant: String,
    /// Assignment time column.
    pub timestamp: String,
    /// Optional column whose value must equal `experiment.name`.
    #[serde(default)]
    pub experiment_column: Option<String>,
    /// Units in several variants: exclude (default) or error.
    #[serde(default = "default_multiple")]
    pub multiple_variants: MultipleVariants,
}

fn default_multiple() -> MultipleVariants {
    MultipleVariants::Exclude
}

/// What to do with exposure rows earlier than the assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BeforeAssignment {
    /// Fail (default).
    Error,
    /// Skip such rows.
    Ignore,
}

fn default_before() -> BeforeAssignment {
    BeforeAssignment::Error
}

/// `[exposure]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExposureSpec {
    /// Source table.
    pub table: String,
    /// Exposure time column.
    pub timestamp: String,
    /// Default metric window in days from the first exposure.
    pub window_days: u32,
    /// Exposure rows before the assignment: error (default) or ignore.
    #[serde(default = "default_before")]
    pub before_assignment: BeforeAssignment,
}

/// `[covariates]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CovariatesSpec {
    /// Source table with one row per unit.
    pub table: String,
    /// Numeric covariate columns.
    pub columns: Vec<String>,
}

/// Winsorization of per-unit values: a fixed cap or a pooled quantile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WinsorizeSpec {
    /// Cap at this quantile of the pooled per-unit values, in (0, 1).
    #[serde(default)]
    pub quantile: Option<f64>,
    /// Cap at this value.
    #[serde(default)]
    pub value: Option<f64>,
}

/// Quantile metrics: over events (clustered by unit) or over per-unit sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuantileLevel {
    /// Every row in the window.
    Event,
    /// One per-unit sum per unit.
    Unit,
}

/// Numerator or denominator of a ratio metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatioPart {
    /// Source table.
    pub table: String,
    /// Row time column.
    pub timestamp: String,
    /// Value expression summed per unit.
    pub value: String,
    /// Optional row filter.
    #[serde(default)]
    pub condition: Option<String>,
    /// Optional dedupe key.
    #[serde(default)]
    pub dedupe: Option<String>,
}

/// One `[[metric]]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricSpec {
    /// Unique name.
    pub name: String,
    /// Kind.
    pub kind: MetricKind,
    /// Role in the decision.
    pub role: MetricRole,
    /// Source table (all kinds but ratio).
    #[serde(default)]
    pub table: Option<String>,
    /// Row time column (all kinds but ratio).
    #[serde(default)]
    pub timestamp: Option<String>,
    /// Value expression (mean, sum, quantile).
    #[serde(default)]
    pub value: Option<String>,
    /// Row filter expression: only rows where it is true count.
    #[serde(default)]
    pub condition: Option<String>,
    /// Dedupe key column.
    #[serde(default)]
    pub dedupe: Option<String>,
    /// CUPED covariates (names from `[covariates]`).
    #[serde(default)]
    pub cuped: Vec<String>,
    /// Winsorization.
    #[serde(default)]
    pub winsorize: Option<WinsorizeSpec>,
    /// True when larger is better (default).
    #[serde(default = "default_true")]
    pub higher_is_better: bool,
    /// Metric window (default `[exposure].window_days`).
    #[serde(default)]
    pub window_days: Option<u32>,
    /// Maturity (default the window; retention `day + 1`).
    #[serde(default)]
    pub maturity_days: Option<u32>,
    /// Ratio numerator.
    #[serde(default)]
    pub numerator: Option<RatioPart>,
    /// Ratio denominator.
    #[serde(default)]
    pub denominator: Option<RatioPart>,
    /// Quantile level in (0, 1).
    #[serde(default)]
    pub quantile: Option<f64>,
    /// Event or unit level for quantiles (default event).
    #[serde(default)]
    pub level: Option<QuantileLevel>,
    /// Retention day.
    #[serde(default)]
    pub day: Option<u32>,
    /// Relative non-inferiority margin (> 0).
    #[serde(default)]
    pub margin: Option<f64>,
}

impl MetricSpec {
    /// The window in days (metric's or the exposure default).
    pub fn window(&self, spec: &ExperimentSpec) -> u32 {
        self.window_days.unwrap_or(spec.exposure.window_days)
    }

    /// Days after exposure before a unit enters the metric.
    pub fn maturity(&self, spec: &ExperimentSpec) -> u32 {
        match (self.maturity_days, self.kind) {
            (Some(m), _) => m,
            (None, MetricKind::Retention) => self.day.unwrap_or(0) + 1,
            (None, _) => self.window(spec),
        }
    }

    /// The quantile level (default event).
    pub fn quantile_level(&self) -> QuantileLevel {
        self.level.unwrap_or(QuantileLevel::Event)
    }
}

/// Parses and validates the spec file at `path`.
pub fn load_spec(path: &Path) -> Result<ExperimentSpec> {
    let text = std::fs::read_to_string(path).map_err(|source| DataError::SpecRead {
        path: path.to_path_buf(),
        source,
    })?;
    parse_spec(&text, path)
}

/// `[monitoring]`: anytime-valid p-values and intervals (`sequential`) and the Bayesian
/// readout of the relative lift (`bayesian`), docs/readout.md "Monitoring".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitoringSpec {
    /// Anytime-valid inference; significance and decisions then use it.
    #[serde(default)]
    pub sequential: bool,
    /// Total sample size at which the confidence sequence is tightest (default 5000, as
    /// GrowthBook).
    pub tuning_n: Option<f64>,
    /// Bayesian readout (chance to beat control, risk, credible interval).
    #[serde(default)]
    pub bayesian: bool,
    /// Mean of the normal prior on the relative lift (with `prior_variance`; flat when absent).
    pub prior_mean: Option<f64>,
    /// Variance of the normal prior on the relative lift.
    pub prior_variance: Option<f64>,
}

/// GrowthBook's default tuning sample size of the asymptotic confidence sequence.
pub const DEFAULT_TUNING_N: f64 = 5000.0;

impl MonitoringSpec {
    /// The readout settings; call on a validated spec.
    pub fn monitoring(&self) -> Monitoring {
        let prior = match (self.prior_mean, self.prior_variance) {
            (Some(mean), Some(variance)) => GaussianPrior {
                mean,
                variance,
                proper: true,
            },
            _ => GaussianPrior::flat(),
        };
        Monitoring {
            sequential_tuning_n: self
                .sequential
                .then(|| self.tuning_n.unwrap_or(DEFAULT_TUNING_N)),
            bayesian_prior: self.bayesian.then_some(prior),
        }
    }

    fn validate(&self, p: &Path) -> Result<()> {
        if let Some(n) = self.tuning_n {
            if !self.sequential {
                return Err(DataError::invalid(
                    p,
                    "monitoring.tuning_n",
                    "is set but sequential = false",
                ));
            }
            if !(n.is_finite() && n > 0.0) {
                return Err(DataError::invalid(
                    p,
                    "monitoring.tuning_n",
                    format!("{n} is not a positive finite number"),
                ));
            }
        }
        match (self.prior_mean, self.prior_variance) {
            (None, None) => {}
            (Some(_), None) | (None, Some(_)) => {
                return Err(DataError::invalid(
                    p,
                    "monitoring",
                    "prior_mean and prior_variance go together",
                ));
            }
            (Some(m), Some(v)) => {
                if !self.bayesian {
                    return Err(DataError::invalid(
                        p,
                        "monitoring.prior_mean",
                        "a prior is set but bayesian = false",
                    ));
                }
                if !m.is_finite() {
                    return Err(DataError::invalid(
                        p,
                        "monitoring.prior_mean",
                        format!("{m} is not finite"),
                    ));
                }
                if !(v.is_finite() && v > 0.0) {
                    return Err(DataError::invalid(
                        p,
                        "monitoring.prior_variance",
                        format!("{v} is not a positive finite number"),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Parses and validates spec text; `path` locates the file (relative sources, messages).
pub fn parse_spec(text: &str, path: &Path) -> Result<ExperimentSpec> {
    let mut spec: ExperimentSpec = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
        DataError::SpecSyntax {
            path: path.to_path_buf(),
            line,
            column,
            message: e.message().trim().to_string(),
        }
    })?;
    spec.path = path.to_path_buf();
    spec.base_dir = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    validate(&spec)?;
    Ok(spec)
}

/// 1-based line and column (in characters) of byte offset `pos`.
fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let pos = pos.min(text.len());
    let mut line = 1;
    let mut column = 1;
    for (i, ch) in text.char_indices() {
        if i >= pos {
            break;
        }
        if ch == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    (line, column)
}

/// Parses an RFC 3339 time into nanoseconds since the epoch (UTC).
pub(crate) fn parse_end(spec: &ExperimentSpec) -> Result<i64> {
    arrow::compute::kernels::cast_utils::string_to_timestamp_nanos(&spec.experiment.end).map_err(
        |e| {
            DataError::invalid(
                &spec.path,
                "experiment.end",
                format!("`{}` is not an RFC 3339 time: {e}", spec.experiment.end),
            )
        },
    )
}

fn check_name(path: &Path, field: &str, name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(DataError::invalid(path, field, "must not be empty"));
    }
    Ok(())
}

fn check_table(spec: &ExperimentSpec, field: &str, table: &str) -> Result<()> {
    if !spec.sources.contains_key(table) {
        let known: Vec<&str> = spec.sources.keys().map(String::as_str).collect();
        return Err(DataError::invalid(
            &spec.path,
            field,
            format!(
                "table \"{table}\" is not declared in [sources] (declared: {})",
                known.join(", ")
            ),
        ));
    }
    Ok(())
}

fn check_expr_text(path: &Path, field: &str, expr: &str) -> Result<()> {
    if expr.trim().is_empty() {
        return Err(DataError::invalid(path, field, "expression is empty"));
    }
    Ok(())
}

fn validate(spec: &ExperimentSpec) -> Result<()> {
    let p = spec.path.as_path();
    let e = &spec.experiment;
    check_name(p, "experiment.name", &e.name)?;
    check_name(p, "experiment.unit", &e.unit)?;
    if e.variants.is_empty() {
        return Err(DataError::invalid(
            p,
            "experiment.variants",
            "no variants listed",
        ));
    }
    let mut seen = BTreeSet::new();
    for v in &e.variants {
        if !seen.insert(v.as_str()) {
            return Err(DataError::invalid(
                p,
                "experiment.variants",
                format!("variant \"{v}\" is listed twice"),
            ));
        }
    }
    if !e.variants.contains(&e.control) {
        return Err(DataError::invalid(
            p,
            "experiment.control",
            format!(
                "no control: \"{}\" is not among the variants [{}]",
                e.control,
                e.variants.join(", ")
            ),
        ));
    }
    if e.variants.len() < 2 {
        return Err(DataError::invalid(
            p,
            "experiment.variants",
            "need the control and at least one treatment",
        ));
    }
    if let Some(w) = &e.weights {
        if w.len() != e.variants.len() {
            return Err(DataError::invalid(
                p,
                "experiment.weights",
                format!("{} weights for {} variants", w.len(), e.variants.len()),
            ));
        }
        if let Some(bad) = w.iter().find(|x| !(x.is_finite() && **x > 0.0)) {
            return Err(DataError::invalid(
                p,
                "experiment.weights",
                format!("weight {bad} is not a positive finite number"),
            ));
        }
    }
    for (field, a) in [
        ("experiment.alpha", e.alpha),
        ("experiment.srm_alpha", e.srm_alpha),
    ] {
        if !(a > 0.0 && a < 1.0) {
            return Err(DataError::invalid(
                p,
                field,
                format!("{a} is not in (0, 1)"),
            ));
        }
    }
    parse_end(spec)?;
    spec.monitoring.validate(p)?;
    if spec.sources.is_empty() {
        return Err(DataError::invalid(
            p,
            "sources",
            "no source tables declared",
        ));
    }
    for (name, src) in &spec.sources {
        check_name(p, "sources", name)?;
        if src.path.trim().is_empty() {
            return Err(DataError::invalid(
                p,
                format!("sources.{name}"),
                "empty path",
            ));
        }
    }
    if !e.srm_dimensions.is_empty() || !e.segments.is_empty() {
        match &e.dimension_table {
            None => {
                return Err(DataError::invalid(
                    p,
                    "experiment.dimension_table",
                    "srm_dimensions and segments need a dimension_table",
                ));
            }
            Some(t) => check_table(spec, "experiment.dimension_table", t)?,
        }
    } else if let Some(t) = &e.dimension_table {
        check_table(spec, "experiment.dimension_table", t)?;
    }
    for (field, list) in [
        ("experiment.srm_dimensions", &e.srm_dimensions),
        ("experiment.segments", &e.segments),
    ] {
        let mut seen = BTreeSet::new();
        for c in list {
            check_name(p, field, c)?;
            if !seen.insert(c) {
                return Err(DataError::invalid(
                    p,
                    field,
                    format!("\"{c}\" is listed twice"),
                ));
            }
        }
    }

    let a = &spec.assignment;
    check_table(spec, "assignment.table", &a.table)?;
    check_name(p, "assignment.variant", &a.variant)?;
    check_name(p, "assignment.timestamp", &a.timestamp)?;
    let x = &spec.exposure;
    check_table(spec, "exposure.table", &x.table)?;
    check_name(p, "exposure.timestamp", &x.timestamp)?;
    if x.window_days > MAX_DAYS {
        return Err(DataError::invalid(
            p,
            "exposure.window_days",
            format!("more than {MAX_DAYS} days"),
        ));
    }
    if x.window_days == 0 {
        return Err(DataError::invalid(
            p,
            "exposure.window_days",
            "must be at least 1",
        ));
    }
    if let Some(c) = &spec.covariates {
        check_table(spec, "covariates.table", &c.table)?;
        let mut seen = BTreeSet::new();
        for col in &c.columns {
            check_name(p, "covariates.columns", col)?;
            if !seen.insert(col) {
                return Err(DataError::invalid(
                    p,
                    "covariates.columns",
                    format!("\"{col}\" is listed twice"),
                ));
            }
        }
    }

    if spec.metrics.is_empty() {
        return Err(DataError::invalid(p, "metric", "no [[metric]] defined"));
    }
    let mut names = BTreeSet::new();
    for m in &spec.metrics {
        check_name(p, "metric.name", &m.name)?;
        if !names.insert(m.name.as_str()) {
            return Err(DataError::invalid(
                p,
                format!("metric \"{}\".name", m.name),
                "duplicate metric name",
            ));
        }
        validate_metric(spec, m)?;
    }
    Ok(())
}

fn validate_metric(spec: &ExperimentSpec, m: &MetricSpec) -> Result<()> {
    let p = spec.path.as_path();
    let f = |key: &str| format!("metric \"{}\".{key}", m.name);
    let forbid = |present: bool, key: &str, why: &str| -> Result<()> {
        if present {
            Err(DataError::invalid(p, f(key), why.to_string()))
        } else {
            Ok(())
        }
    };
    let kind = m.kind;
    let kind_name = format!("{kind:?}").to_ascii_lowercase();
    if kind == MetricKind::Ratio {
        let not_ratio =
            "ratio metrics take table, timestamp and value inside numerator/denominator";
        forbid(m.table.is_some(), "table", not_ratio)?;
        forbid(m.timestamp.is_some(), "timestamp", not_ratio)?;
        forbid(m.value.is_some(), "value", not_ratio)?;
        forbid(m.condition.is_some(), "condition", not_ratio)?;
        forbid(m.dedupe.is_some(), "dedupe", not_ratio)?;
        for (key, part) in [("numerator", &m.numerator), ("denominator", &m.denominator)] {
            let Some(part) = part else {
                return Err(DataError::invalid(
                    p,
                    f(key),
                    format!("ratio metrics need a {key} = {{ table, timestamp, value }}"),
                ));
            };
            check_table(spec, &f(&format!("{key}.table")), &part.table)?;
            check_name(p, &f(&format!("{key}.timestamp")), &part.timestamp)?;
            check_expr_text(p, &f(&format!("{key}.value")), &part.value)?;
            if let Some(c) = &part.condition {
                check_expr_text(p, &f(&format!("{key}.condition")), c)?;
            }
            if let Some(d) = &part.dedupe {
                check_name(p, &f(&format!("{key}.dedupe")), d)?;
            }
        }
    } else {
        forbid(
            m.numerator.is_some(),
            "numerator",
            &format!("only ratio metrics have a numerator, this one is {kind_name}"),
        )?;
        forbid(
            m.denominator.is_some(),
            "denominator",
            &format!("only ratio metrics have a denominator, this one is {kind_name}"),
        )?;
        let Some(table) = &m.table else {
            return Err(DataError::invalid(
                p,
                f("table"),
                format!("{kind_name} metrics need a table"),
            ));
        };
        check_table(spec, &f("table"), table)?;
        let Some(ts) = &m.timestamp else {
            return Err(DataError::invalid(
                p,
                f("timestamp"),
                format!("{kind_name} metrics need a timestamp column"),
            ));
        };
        check_name(p, &f("timestamp"), ts)?;
        if let Some(c) = &m.condition {
            check_expr_text(p, &f("condition"), c)?;
        }
        if let Some(d) = &m.dedupe {
            check_name(p, &f("dedupe"), d)?;
        }
        match kind {
            MetricKind::Mean | MetricKind::Sum | MetricKind::Quantile => match &m.value {
                None => {
                    return Err(DataError::invalid(
                        p,
                        f("value"),
                        format!("{kind_name} metrics need a value expression"),
                    ));
                }
                Some(v) => check_expr_text(p, &f("value"), v)?,
            },
            _ => forbid(
                m.value.is_some(),
                "value",
                &format!(
                    "{kind_name} metrics take no value (count counts rows, proportion and retention are 0/1; filter rows with condition)"
                ),
            )?,
        }
    }
    if kind == MetricKind::Quantile {
        match m.quantile {
            Some(q) if q > 0.0 && q < 1.0 => {}
            Some(q) => {
                return Err(DataError::invalid(
                    p,
                    f("quantile"),
                    format!("{q} is not in (0, 1)"),
                ));
            }
            None => {
                return Err(DataError::invalid(
                    p,
                    f("quantile"),
                    "quantile metrics need quantile in (0, 1)",
                ));
            }
        }
    } else {
        forbid(
            m.quantile.is_some(),
            "quantile",
            "only quantile metrics have a quantile",
        )?;
        forbid(
            m.level.is_some(),
            "level",
            "only quantile metrics have a level",
        )?;
    }
    if kind == MetricKind::Retention {
        if m.day.is_none() {
            return Err(DataError::invalid(
                p,
                f("day"),
                "retention metrics need day",
            ));
        }
        forbid(
            m.window_days.is_some(),
            "window_days",
            "retention uses day, not window_days",
        )?;
    } else {
        forbid(m.day.is_some(), "day", "only retention metrics have a day")?;
    }
    if let Some(w) = &m.winsorize {
        if !matches!(kind, MetricKind::Mean | MetricKind::Count | MetricKind::Sum) {
            return Err(DataError::invalid(
                p,
                f("winsorize"),
                format!("winsorization applies to mean, count and sum metrics, not {kind_name}"),
            ));
        }
        match (w.quantile, w.value) {
            (Some(q), None) if q > 0.0 && q < 1.0 => {}
            (Some(q), None) => {
                return Err(DataError::invalid(
                    p,
                    f("winsorize.quantile"),
                    format!("{q} is not in (0, 1)"),
                ));
            }
            (None, Some(v)) if v.is_finite() => {}
            (None, Some(v)) => {
                return Err(DataError::invalid(
                    p,
                    f("winsorize.value"),
                    format!("{v} is not finite"),
                ));
            }
            _ => {
                return Err(DataError::invalid(
                    p,
                    f("winsorize"),
                    "give exactly one of quantile or value",
                ));
            }
        }
    }
    if let Some(mg) = m.margin
        && !(mg.is_finite() && mg > 0.0)
    {
        return Err(DataError::invalid(
            p,
            f("margin"),
            format!("{mg} must be > 0"),
        ));
    }
    if m.window_days == Some(0) {
        return Err(DataError::invalid(
            p,
            f("window_days"),
            "must be at least 1",
        ));
    }
    for (key, days) in [
        ("window_days", m.window_days),
        ("maturity_days", m.maturity_days),
        ("day", m.day),
    ] {
        if days.is_some_and(|d| d > MAX_DAYS) {
            return Err(DataError::invalid(
                p,
                f(key),
                format!("more than {MAX_DAYS} days"),
            ));
        }
    }
    if !m.cuped.is_empty() {
        if matches!(kind, MetricKind::Ratio | MetricKind::Quantile) {
            return Err(DataError::invalid(
                p,
                f("cuped"),
                format!(
                    "CUPED applies to mean, count, sum, proportion and retention, not {kind_name}"
                ),
            ));
        }
        let declared: Vec<&String> = spec
            .covariates
            .as_ref()
            .map(|c| c.columns.iter().collect())
            .unwrap_or_default();
        let mut seen = BTreeSet::new();
        for c in &m.cuped {
            if !declared.contains(&c) {
                return Err(DataError::invalid(
                    p,
                    f("cuped"),
                    format!("covariate \"{c}\" is not listed in [covariates].columns"),
                ));
            }
            if !seen.insert(c) {
                return Err(DataError::invalid(
                    p,
                    f("cuped"),
                    format!("\"{c}\" is listed twice"),
                ));
            }
        }
    }
    Ok(())
}
