//! The spec compiled into SQL for DataFusion: identifiers quoted, user expressions checked and
//! re-emitted from their syntax tree, one scan per (table, dedupe key) with conditional
//! aggregation, per-variant sufficient statistics by GROUP BY (GROUPING SETS for segments).

mod expr;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use counterfact_models::readout::MetricKind;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};

use crate::error::{DataError, Result};
use crate::spec::{ExperimentSpec, MetricSpec, QuantileLevel, RatioPart, parse_end};

pub use expr::parse_safe_expr;
use expr::{NameScope, compile_expr};

/// Nanoseconds per day.
pub(crate) const DAY_NS: i64 = 86_400_000_000_000;

/// Quotes an identifier for SQL: wrapped in double quotes, inner double quotes doubled.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Quotes a string literal for SQL: wrapped in single quotes, inner single quotes doubled.
pub fn quote_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// What a plan's type-check query must produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expect {
    Numeric,
    Boolean,
}

/// One user expression to type-check by planning (never running) a query.
#[derive(Debug, Clone)]
pub(crate) struct TypeCheck {
    pub table: String,
    pub metric: String,
    pub field: String,
    pub expression: String,
    pub sql: String,
    pub expect: Expect,
}

/// How one metric's per-variant statistics come back.
#[derive(Debug, Clone)]
pub(crate) enum MetricSource {
    /// Sums-shaped statistics in the main query under prefix `m{i}`; covariate indices.
    Sums {
        covariates: Vec<usize>,
        fixed_cap: Option<f64>,
        quantile_cap: Option<f64>,
    },
    /// Ratio sums in the main query.
    Ratio,
    /// Values pulled into Rust.
    Quantile { level: QuantileLevel },
}

/// The compiled pipeline.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// Variants with control first; `cf_arm` is the index into this list.
    pub arms: Vec<String>,
    /// Covariate columns (`cf_x{j}`).
    pub covariates: Vec<String>,
    /// Dimension columns (`cf_d{k}`).
    pub dims: Vec<String>,
    pub segment_dims: Vec<usize>,
    /// Tables holding unit attributes (covariates, dimensions).
    pub attribute_tables: Vec<String>,
    pub labels_sql: String,
    pub units_sql: String,
    pub population_sql: String,
    pub arm_counts_sql: String,
    pub srm_sql: Vec<(usize, String)>,
    pub sums_sql: Option<String>,
    /// Dedupe groups: (table, output column of the duplicate count).
    pub dedupe_columns: Vec<(String, String)>,
    pub metrics: Vec<MetricSource>,
    /// Pull queries (metric index, SQL) for quantile metrics and quantile winsorization.
    pub pulls: Vec<(usize, String)>,
    pub type_checks: Vec<TypeCheck>,
}

impl Plan {
    /// All stages as (name, SQL), in execution order.
    pub fn stages(&self) -> Vec<(String, String)> {
        let mut out = vec![
            ("variant_labels".to_string(), self.labels_sql.clone()),
            ("units".to_string(), self.units_sql.clone()),
            ("population".to_string(), self.population_sql.clone()),
            (
                "analysed_units_per_variant".to_string(),
                self.arm_counts_sql.clone(),
            ),
        ];
        for (d, sql) in &self.srm_sql {
            out.push((format!("srm_{}", self.dims[*d]), sql.clone()));
        }
        if let Some(s) = &self.sums_sql {
            out.push(("metric_sums".to_string(), s.clone()));
        }
        for (i, sql) in &self.pulls {
            out.push((format!("metric_values_{i}"), sql.clone()));
        }
        out
    }
}

fn columns_list(schema: &Schema) -> String {
    schema
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn column<'a>(
    schemas: &'a BTreeMap<String, SchemaRef>,
    table: &str,
    column: &str,
    needed_for: &str,
) -> Result<&'a Field> {
    let schema = schemas.get(table).ok_or_else(|| DataError::Engine {
        stage: "plan".into(),
        message: format!("table \"{table}\" is not registered"),
    })?;
    schema
        .field_with_name(column)
        .map_err(|_| DataError::MissingColumn {
            table: table.to_string(),
            column: column.to_string(),
            needed_for: needed_for.to_string(),
            available: columns_list(schema),
        })
}

/// SQL turning a timestamp or date column into BIGINT nanoseconds since the epoch (UTC).
fn ts_ns(table: &str, col: &str, field: &Field, qualified: &str) -> Result<String> {
    let c = qualified;
    Ok(match field.data_type() {
        DataType::Timestamp(unit, _) => {
            let mult = match unit {
                TimeUnit::Second => 1_000_000_000,
                TimeUnit::Millisecond => 1_000_000,
                TimeUnit::Microsecond => 1_000,
                TimeUnit::Nanosecond => 1,
            };
            if mult == 1 {
                format!("CAST({c} AS BIGINT)")
            } else {
                format!("CAST({c} AS BIGINT) * {mult}")
            }
        }
        DataType::Date32 => format!("CAST(CAST({c} AS INT) AS BIGINT) * {DAY_NS}"),
        DataType::Date64 => format!("CAST({c} AS BIGINT) * 1000000"),
        other => {
            return Err(DataError::WrongColumnType {
                table: table.to_string(),
                column: col.to_string(),
                expected: "a timestamp (any unit, any time zone) or a date".into(),
                found: other.to_string(),
            });
        }
    })
}

fn is_numeric(dt: &DataType) -> bool {
    dt.is_numeric()
}

#[derive(PartialEq, Eq)]
enum KeyClass {
    Integer,
    String,
    Other(String),
}

fn key_class(dt: &DataType) -> KeyClass {
    match dt {
        d if d.is_integer() => KeyClass::Integer,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => KeyClass::String,
        DataType::Dictionary(_, v) => key_class(v),
        other => KeyClass::Other(other.to_string()),
    }
}

/// One per-unit aggregate in a table scan.
struct ScanItem {
    alias: String,
    /// `SUM(CASE WHEN ... THEN value END)`-style aggregate over `u`/`e`.
    agg: String,
    /// Window end relative to exposure (ns), for the pre-filter.
    span_end: i64,
}

#[derive(Default)]
struct ScanGroup {
    table: String,
    dedupe: Option<String>,
    timestamps: Vec<String>,
    raw_columns: BTreeSet<String>,
    items: Vec<ScanItem>,
}

impl ScanGroup {
    fn ts_index(&mut self, col: &str) -> usize {
        if let Some(i) = self.timestamps.iter().position(|t| t == col) {
            i
        } else {
            self.timestamps.push(col.to_string());
            self.timestamps.len() - 1
        }
    }
}

/// Everything needed to compile one metric row-source (a metric's table part or a ratio part).
struct RowSource<'a> {
    table: &'a str,
    timestamp: &'a str,
    value: Option<&'a str>,
    condition: Option<&'a str>,
    dedupe: Option<&'a str>,
}

struct Compiler<'a> {
    spec: &'a ExperimentSpec,
    schemas: &'a BTreeMap<String, SchemaRef>,
    variant_sql: String,
    exposed_sql: String,
    unit_class: KeyClass,
    type_checks: Vec<TypeCheck>,
}

impl Compiler<'_> {
    fn unit_column(&self, table: &str, needed_for: &str) -> Result<String> {
        let unit = &self.spec.experiment.unit;
        let f = column(self.schemas, table, unit, needed_for)?;
        let class = key_class(f.data_type());
        if class != self.unit_class {
            let expected = match &self.unit_class {
                KeyClass::Integer => "an integer unit id (as in the assignment table)".to_string(),
                KeyClass::String => "a string unit id (as in the assignment table)".to_string(),
                KeyClass::Other(t) => format!("{t} (the assignment table's unit type)"),
            };
            return Err(DataError::WrongColumnType {
                table: table.to_string(),
                column: unit.clone(),
                expected,
                found: f.data_type().to_string(),
            });
        }
        Ok(quote_ident(unit))
    }

    fn compile_user_expr(
        &mut self,
        metric: &str,
        field: &str,
        table: &str,
        text: &str,
        expect: Expect,
    ) -> Result<(String, BTreeSet<String>)> {
        let schema = self.schemas.get(table).ok_or_else(|| DataError::Engine {
            stage: "plan".into(),
            message: format!("table \"{table}\" is not registered"),
        })?;
        let scope = NameScope {
            schema,
            alias: "e",
            variant_sql: &self.variant_sql,
            exposed_sql: &self.exposed_sql,
        };
        let compiled =
            compile_expr(text, &scope).map_err(|reason| DataError::UnsafeExpression {
                metric: metric.to_string(),
                field: field.to_string(),
                expression: text.to_string(),
                reason,
            })?;
        self.type_checks.push(TypeCheck {
            table: table.to_string(),
            metric: metric.to_string(),
            field: field.to_string(),
            expression: text.to_string(),
            sql: format!(
                "SELECT ({}) AS cf_check FROM {} AS e CROSS JOIN (SELECT CAST(0 AS INT) AS cf_arm, CAST(0 AS BIGINT) AS cf_exposed_ns) AS u",
                compiled.sql,
                quote_ident(table)
            ),
            expect,
        });
        Ok((compiled.sql, compiled.columns))
    }

    /// Registers `src` in its scan group and returns (group index, ts index, value SQL,
    /// condition SQL).
    fn add_source(
        &mut self,
        groups: &mut Vec<ScanGroup>,
        metric: &str,
        prefix: &str,
        src: &RowSource<'_>,
    ) -> Result<(usize, usize, Option<String>, Option<String>)> {
        let needed = format!("metric \"{metric}\"");
        self.unit_column(src.table, &needed)?;
        let tsf = column(
            self.schemas,
            src.table,
            src.timestamp,
            &format!("{needed} timestamp"),
        )?;
        ts_ns(src.table, src.timestamp, tsf, "x")?;
        if let Some(d) = src.dedupe {
            column(self.schemas, src.table, d, &format!("{needed} dedupe"))?;
        }
        let mut raw = BTreeSet::new();
        let value = match src.value {
            Some(v) => {
                let (sql, cols) = self.compile_user_expr(
                    metric,
                    &format!("{prefix}value"),
                    src.table,
                    v,
                    Expect::Numeric,
                )?;
                raw.extend(cols);
                Some(sql)
            }
            None => None,
        };
        let condition = match src.condition {
            Some(c) => {
                let (sql, cols) = self.compile_user_expr(
                    metric,
                    &format!("{prefix}condition"),
                    src.table,
                    c,
                    Expect::Boolean,
                )?;
                raw.extend(cols);
                Some(sql)
            }
            None => None,
        };
        let gi = match groups
            .iter()
            .position(|g| g.table == src.table && g.dedupe.as_deref() == src.dedupe)
        {
            Some(i) => i,
            None => {
                groups.push(ScanGroup {
                    table: src.table.to_string(),
                    dedupe: src.dedupe.map(str::to_string),
                    ..ScanGroup::default()
                });
                groups.len() - 1
            }
        };
        let g = &mut groups[gi];
        let ti = g.ts_index(src.timestamp);
        g.raw_columns.extend(raw);
        Ok((gi, ti, value, condition))
    }

    /// The events subquery of a group: unit, timestamps in ns, raw columns; deduplicated on
    /// the key when set (rows with a NULL key are kept as they are). Deduplication runs on the
    /// rows of analysed units only, inside `[exposed_at, exposed_at + span)` when `span` is
    /// given: the hash table holds the rows the metrics read, not the whole table (duplicate
    /// deliveries share unit and timestamp, so the result is the same).
    fn events_sql(&self, g: &ScanGroup, span: Option<i64>) -> Result<String> {
        let t = quote_ident(&g.table);
        let unit = format!("t.{}", quote_ident(&self.spec.experiment.unit));
        let mut ts = Vec::new();
        for (k, col) in g.timestamps.iter().enumerate() {
            let f = column(self.schemas, &g.table, col, "timestamp")?;
            ts.push((
                k,
                ts_ns(&g.table, col, f, &format!("t.{}", quote_ident(col)))?,
            ));
        }
        let raw: Vec<String> = g.raw_columns.iter().map(|c| quote_ident(c)).collect();
        let mut plain = vec![format!("{unit} AS cf_unit")];
        plain.extend(ts.iter().map(|(k, s)| format!("{s} AS cf_t{k}")));
        plain.extend(raw.iter().map(|c| format!("t.{c} AS {c}")));
        let Some(key) = &g.dedupe else {
            return Ok(format!("SELECT {} FROM {t} t", plain.join(", ")));
        };
        let key = format!("t.{}", quote_ident(key));
        let mut from = format!("{t} t JOIN cf_units w ON w.cf_unit = {unit}");
        if let (Some(span), [(_, t0)]) = (span, ts.as_slice()) {
            let _ = write!(
                from,
                " AND {t0} >= w.cf_exposed_ns AND {t0} < w.cf_exposed_ns + {span}"
            );
        }
        let mut grouped = vec![format!("MIN({unit}) AS cf_unit")];
        grouped.extend(ts.iter().map(|(k, s)| format!("MIN({s}) AS cf_t{k}")));
        grouped.extend(raw.iter().map(|c| format!("MIN(t.{c}) AS {c}")));
        grouped.push("COUNT(*) AS cf_copies".into());
        plain.push("CAST(1 AS BIGINT) AS cf_copies".into());
        Ok(format!(
            "SELECT {} FROM {from} WHERE {key} IS NOT NULL GROUP BY {key} UNION ALL SELECT {} FROM {from} WHERE {key} IS NULL",
            grouped.join(", "),
            plain.join(", ")
        ))
    }

    /// One scan CTE body: per-unit aggregates of a group's items over the analysed units.
    fn scan_sql(&self, g: &ScanGroup, gi: usize, with_dups: bool) -> Result<String> {
        let mut aggs: Vec<String> = g
            .items
            .iter()
            .map(|it| format!("{} AS {}", it.agg, it.alias))
            .collect();
        if with_dups && g.dedupe.is_some() {
            aggs.push(format!("SUM(e.cf_copies - 1) AS cf_dup{gi}"));
        }
        let span = (g.timestamps.len() == 1)
            .then(|| g.items.iter().map(|i| i.span_end).max().unwrap_or(0));
        let mut sql = format!(
            "SELECT u.cf_unit, {}\n    FROM cf_units u\n    JOIN ({}) e ON e.cf_unit = u.cf_unit",
            aggs.join(",\n      "),
            self.events_sql(g, span)?
        );
        if let Some(span) = span {
            let _ = write!(
                sql,
                "\n    WHERE e.cf_t0 >= u.cf_exposed_ns AND e.cf_t0 < u.cf_exposed_ns + {span}"
            );
        }
        sql.push_str("\n    GROUP BY u.cf_unit");
        Ok(sql)
    }
}

fn window_cond(ts: usize, start: i64, end: i64) -> String {
    if start == 0 {
        format!("e.cf_t{ts} >= u.cf_exposed_ns AND e.cf_t{ts} < u.cf_exposed_ns + {end}")
    } else {
        format!("e.cf_t{ts} >= u.cf_exposed_ns + {start} AND e.cf_t{ts} < u.cf_exposed_ns + {end}")
    }
}

fn with_condition(window: String, condition: &Option<String>) -> String {
    match condition {
        Some(c) => format!("{window} AND ({c})"),
        None => window,
    }
}

fn days_ns(days: u32) -> i64 {
    i64::from(days) * DAY_NS
}

/// Compiles the spec against the registered schemas.
pub(crate) fn compile(
    spec: &ExperimentSpec,
    schemas: &BTreeMap<String, SchemaRef>,
) -> Result<Plan> {
    let e = &spec.experiment;
    let end_ns = parse_end(spec)?;
    let mut arms = vec![e.control.clone()];
    arms.extend(e.variants.iter().filter(|v| **v != e.control).cloned());

    let a = &spec.assignment;
    let unit_field = column(schemas, &a.table, &e.unit, "the unit (experiment.unit)")?;
    let unit_class = key_class(unit_field.data_type());
    if let KeyClass::Other(t) = &unit_class
        && t.contains("Float")
    {
        return Err(DataError::WrongColumnType {
            table: a.table.clone(),
            column: e.unit.clone(),
            expected: "an integer or string unit id".into(),
            found: t.clone(),
        });
    }
    let variant_case = {
        let mut s = String::from("CASE u.cf_arm");
        for (i, v) in arms.iter().enumerate() {
            let _ = write!(s, " WHEN {i} THEN {}", quote_literal(v));
        }
        s.push_str(" END");
        s
    };
    let mut c = Compiler {
        spec,
        schemas,
        variant_sql: variant_case,
        exposed_sql: "to_timestamp_nanos(u.cf_exposed_ns)".into(),
        unit_class,
        type_checks: Vec::new(),
    };

    // Assignment and exposure.
    column(schemas, &a.table, &a.variant, "assignment.variant")?;
    let assigned_ts = ts_ns(
        &a.table,
        &a.timestamp,
        column(schemas, &a.table, &a.timestamp, "assignment.timestamp")?,
        &quote_ident(&a.timestamp),
    )?;
    let exp_filter = match &a.experiment_column {
        Some(col) => {
            column(schemas, &a.table, col, "assignment.experiment_column")?;
            format!(
                " WHERE CAST({} AS VARCHAR) = {}",
                quote_ident(col),
                quote_literal(&e.name)
            )
        }
        None => String::new(),
    };
    let x = &spec.exposure;
    c.unit_column(&x.table, "the exposure table")?;
    let exposure_ts = ts_ns(
        &x.table,
        &x.timestamp,
        column(schemas, &x.table, &x.timestamp, "exposure.timestamp")?,
        &quote_ident(&x.timestamp),
    )?;

    // Unit attributes.
    let covariates: Vec<String> = spec
        .covariates
        .as_ref()
        .map(|cv| cv.columns.clone())
        .unwrap_or_default();
    let mut dims: Vec<String> = Vec::new();
    for d in e.srm_dimensions.iter().chain(e.segments.iter()) {
        if !dims.contains(d) {
            dims.push(d.clone());
        }
    }
    let srm_dims: Vec<usize> = e
        .srm_dimensions
        .iter()
        .filter_map(|d| dims.iter().position(|x| x == d))
        .collect();
    let segment_dims: Vec<usize> = e
        .segments
        .iter()
        .filter_map(|d| dims.iter().position(|x| x == d))
        .collect();
    let mut attribute_tables: Vec<String> = Vec::new();
    let mut attr_cols: Vec<String> = Vec::new();
    if let Some(cv) = &spec.covariates {
        c.unit_column(&cv.table, "covariates (one row per unit)")?;
        attribute_tables.push(cv.table.clone());
        for (j, col) in cv.columns.iter().enumerate() {
            let f = column(schemas, &cv.table, col, "a CUPED covariate")?;
            if !is_numeric(f.data_type()) {
                return Err(DataError::WrongColumnType {
                    table: cv.table.clone(),
                    column: col.clone(),
                    expected: "a numeric covariate (integer or float)".into(),
                    found: f.data_type().to_string(),
                });
            }
            attr_cols.push(format!(
                "CAST(t0.{} AS DOUBLE) AS cf_x{j}",
                quote_ident(col)
            ));
        }
    }
    if let Some(dt) = &e.dimension_table
        && !dims.is_empty()
    {
        c.unit_column(dt, "unit dimensions (one row per unit)")?;
        let ti = match attribute_tables.iter().position(|t| t == dt) {
            Some(i) => i,
            None => {
                attribute_tables.push(dt.clone());
                attribute_tables.len() - 1
            }
        };
        for (k, col) in dims.iter().enumerate() {
            column(schemas, dt, col, "an SRM dimension or segment")?;
            attr_cols.push(format!(
                "COALESCE(CAST(t{ti}.{} AS VARCHAR), '(null)') AS cf_d{k}",
                quote_ident(col)
            ));
        }
    }

    let unit = quote_ident(&e.unit);
    let labels_sql = format!(
        "SELECT CAST({} AS VARCHAR) AS cf_label, COUNT(*) AS cf_rows FROM {}{exp_filter} GROUP BY 1",
        quote_ident(&a.variant),
        quote_ident(&a.table)
    );
    let arm_case = {
        let mut s = format!("CASE CAST({} AS VARCHAR)", quote_ident(&a.variant));
        for (i, v) in arms.iter().enumerate() {
            let _ = write!(s, " WHEN {} THEN {i}", quote_literal(v));
        }
        s.push_str(" END");
        s
    };
    let mut units_sql = format!(
        "WITH assign_rows AS (\n  SELECT {unit} AS cf_unit, {arm_case} AS cf_arm, {assigned_ts} AS cf_assigned_ns\n  FROM {}{exp_filter}\n),\nunit_assign AS (\n  SELECT cf_unit, MIN(cf_arm) AS cf_arm, COUNT(DISTINCT cf_arm) AS cf_n_arms, MIN(cf_assigned_ns) AS cf_assigned_ns\n  FROM assign_rows GROUP BY cf_unit\n),\nexposure_rows AS (\n  SELECT {unit} AS cf_unit, {exposure_ts} AS cf_ts FROM {}\n),\nfirst_exposure AS (\n  SELECT a.cf_unit,\n    MIN(CASE WHEN x.cf_ts >= a.cf_assigned_ns THEN x.cf_ts END) AS cf_exposed_ns,\n    SUM(CASE WHEN x.cf_ts < a.cf_assigned_ns THEN 1 ELSE 0 END) AS cf_early_rows\n  FROM unit_assign a JOIN exposure_rows x ON x.cf_unit = a.cf_unit\n  WHERE a.cf_n_arms = 1\n  GROUP BY a.cf_unit\n)\nSELECT a.cf_unit, a.cf_arm, a.cf_n_arms, f.cf_exposed_ns, COALESCE(f.cf_early_rows, 0) AS cf_early_rows",
        quote_ident(&a.table),
        quote_ident(&x.table),
    );
    for col in &attr_cols {
        let _ = write!(units_sql, ", {col}");
    }
    units_sql.push_str("\nFROM unit_assign a LEFT JOIN first_exposure f ON f.cf_unit = a.cf_unit");
    for (ti, t) in attribute_tables.iter().enumerate() {
        let _ = write!(
            units_sql,
            "\nLEFT JOIN {} t{ti} ON t{ti}.{unit} = a.cf_unit",
            quote_ident(t)
        );
    }
    // A fixed unit order makes the unit index (the cluster id of event-level quantiles)
    // reproducible.
    units_sql.push_str("\nORDER BY a.cf_unit");

    let analysed = "cf_n_arms = 1 AND cf_exposed_ns IS NOT NULL";
    let mut population_sql = String::from(
        "SELECT COUNT(*) AS cf_rows, COUNT(DISTINCT cf_unit) AS cf_units,\n  SUM(CASE WHEN cf_n_arms > 1 THEN 1 ELSE 0 END) AS cf_multi,\n  CAST(MIN(CASE WHEN cf_n_arms > 1 THEN cf_unit END) AS VARCHAR) AS cf_multi_example,\n  SUM(CASE WHEN cf_n_arms = 1 AND cf_exposed_ns IS NULL THEN 1 ELSE 0 END) AS cf_unexposed,\n  SUM(CASE WHEN cf_n_arms = 1 THEN cf_early_rows ELSE 0 END) AS cf_early,\n  CAST(MIN(CASE WHEN cf_n_arms = 1 AND cf_early_rows > 0 THEN cf_unit END) AS VARCHAR) AS cf_early_example",
    );
    for j in 0..covariates.len() {
        let _ = write!(
            population_sql,
            ",\n  SUM(CASE WHEN {analysed} AND cf_x{j} IS NULL THEN 1 ELSE 0 END) AS cf_missing_x{j}"
        );
    }
    population_sql.push_str("\nFROM cf_assigned");
    let arm_counts_sql =
        "SELECT cf_arm, COUNT(*) AS cf_n FROM cf_units GROUP BY cf_arm".to_string();
    let srm_sql = srm_dims
        .iter()
        .map(|&k| {
            (
                k,
                format!(
                    "SELECT cf_d{k} AS cf_value, cf_arm, COUNT(*) AS cf_n FROM cf_units GROUP BY cf_d{k}, cf_arm"
                ),
            )
        })
        .collect();

    // Metrics.
    let mut groups: Vec<ScanGroup> = Vec::new();
    let mut sources = Vec::new();
    let mut maturity_threshold = Vec::new();
    let mut quantile_items: Vec<(usize, usize, ScanItem, String, Option<String>)> = Vec::new();
    for (i, m) in spec.metrics.iter().enumerate() {
        let maturity = m.maturity(spec);
        maturity_threshold.push(end_ns.saturating_sub(days_ns(maturity)));
        let window = days_ns(m.window(spec));
        let src = match m.kind {
            MetricKind::Ratio => {
                let parts: [(&str, &Option<RatioPart>); 2] = [
                    ("numerator.", &m.numerator),
                    ("denominator.", &m.denominator),
                ];
                for (pi, (prefix, part)) in parts.iter().enumerate() {
                    let Some(part) = part else {
                        return Err(DataError::invalid(
                            &spec.path,
                            format!("metric \"{}\"", m.name),
                            "ratio without numerator/denominator",
                        ));
                    };
                    let rs = RowSource {
                        table: &part.table,
                        timestamp: &part.timestamp,
                        value: Some(&part.value),
                        condition: part.condition.as_deref(),
                        dedupe: part.dedupe.as_deref(),
                    };
                    let (gi, ti, value, cond) = c.add_source(&mut groups, &m.name, prefix, &rs)?;
                    let w = with_condition(window_cond(ti, 0, window), &cond);
                    let v = value.unwrap_or_else(|| "1".into());
                    groups[gi].items.push(ScanItem {
                        alias: format!("cf_m{i}{}", if pi == 0 { "a" } else { "b" }),
                        agg: format!("SUM(CASE WHEN {w} THEN CAST(({v}) AS DOUBLE) END)"),
                        span_end: window,
                    });
                }
                MetricSource::Ratio
            }
            kind => {
                let rs = metric_row_source(m);
                let (gi, ti, value, cond) = c.add_source(&mut groups, &m.name, "", &rs)?;
                let (start, span_end) = if kind == MetricKind::Retention {
                    let d = days_ns(m.day.unwrap_or(0));
                    (d, d + DAY_NS)
                } else {
                    (0, window)
                };
                let w = with_condition(window_cond(ti, start, span_end), &cond);
                let v = value.clone().unwrap_or_else(|| "1".into());
                let agg = match kind {
                    MetricKind::Count => format!("SUM(CASE WHEN {w} THEN 1 ELSE 0 END)"),
                    MetricKind::Proportion | MetricKind::Retention => {
                        format!("MAX(CASE WHEN {w} THEN 1 ELSE 0 END)")
                    }
                    _ => format!("SUM(CASE WHEN {w} THEN CAST(({v}) AS DOUBLE) END)"),
                };
                let item = ScanItem {
                    alias: format!("cf_m{i}"),
                    agg,
                    span_end,
                };
                if kind == MetricKind::Quantile {
                    quantile_items.push((i, gi, item, w, Some(v)));
                    MetricSource::Quantile {
                        level: m.quantile_level(),
                    }
                } else {
                    let quantile_cap = m.winsorize.as_ref().and_then(|w| w.quantile);
                    if quantile_cap.is_some() {
                        quantile_items.push((
                            i,
                            gi,
                            ScanItem {
                                alias: item.alias.clone(),
                                agg: item.agg.clone(),
                                span_end: item.span_end,
                            },
                            w,
                            None,
                        ));
                    }
                    groups[gi].items.push(item);
                    let covariates_idx = m
                        .cuped
                        .iter()
                        .filter_map(|n| covariates.iter().position(|x| x == n))
                        .collect();
                    MetricSource::Sums {
                        covariates: covariates_idx,
                        fixed_cap: m.winsorize.as_ref().and_then(|w| w.value),
                        quantile_cap,
                    }
                }
            }
        };
        sources.push(src);
    }

    // The main sufficient-statistics query.
    let main_groups: Vec<usize> = (0..groups.len())
        .filter(|&g| !groups[g].items.is_empty())
        .collect();
    let mut dedupe_columns = Vec::new();
    let sums_sql = if main_groups.is_empty() {
        None
    } else {
        let mut ctes = Vec::new();
        for &gi in &main_groups {
            ctes.push(format!(
                "s{gi} AS (\n  {}\n)",
                c.scan_sql(&groups[gi], gi, true)?
            ));
        }
        let mut uv_cols = vec!["u.cf_arm".to_string(), "u.cf_exposed_ns".to_string()];
        for j in 0..covariates.len() {
            uv_cols.push(format!("COALESCE(u.cf_x{j}, 0.0) AS cf_x{j}"));
        }
        for &k in &segment_dims {
            uv_cols.push(format!("u.cf_d{k}"));
        }
        for &gi in &main_groups {
            for it in &groups[gi].items {
                uv_cols.push(format!(
                    "COALESCE(CAST(s{gi}.{a} AS DOUBLE), 0.0) AS {a}",
                    a = it.alias
                ));
            }
            if groups[gi].dedupe.is_some() {
                uv_cols.push(format!("COALESCE(s{gi}.cf_dup{gi}, 0) AS cf_dup{gi}"));
            }
        }
        let mut uv = format!(
            "uv AS (\n  SELECT {}\n  FROM cf_units u",
            uv_cols.join(", ")
        );
        for &gi in &main_groups {
            let _ = write!(uv, "\n  LEFT JOIN s{gi} ON s{gi}.cf_unit = u.cf_unit");
        }
        uv.push_str("\n)");
        ctes.push(uv);

        let mut stats: Vec<String> = vec!["cf_arm".into()];
        for &k in &segment_dims {
            stats.push(format!("cf_d{k}"));
        }
        for (i, src) in sources.iter().enumerate() {
            let mat = format!("cf_exposed_ns <= {}", maturity_threshold[i]);
            match src {
                MetricSource::Sums {
                    covariates: cov,
                    fixed_cap,
                    ..
                } => {
                    sums_stats(&mut stats, &format!("m{i}"), &mat, &format!("cf_m{i}"), cov);
                    if let Some(cap) = fixed_cap {
                        let capped = format!("LEAST(cf_m{i}, {})", float_literal(*cap));
                        sums_stats(&mut stats, &format!("m{i}c"), &mat, &capped, cov);
                        stats.push(format!(
                            "SUM(CASE WHEN {mat} AND cf_m{i} > {} THEN 1 ELSE 0 END) AS m{i}_ncap",
                            float_literal(*cap)
                        ));
                    }
                }
                MetricSource::Ratio => {
                    let (a, b) = (format!("cf_m{i}a"), format!("cf_m{i}b"));
                    stats.push(format!("SUM(CASE WHEN {mat} THEN 1 ELSE 0 END) AS m{i}_n"));
                    stats.push(format!("SUM(CASE WHEN {mat} THEN {a} END) AS m{i}_sa"));
                    stats.push(format!("SUM(CASE WHEN {mat} THEN {b} END) AS m{i}_sb"));
                    stats.push(format!(
                        "SUM(CASE WHEN {mat} THEN {a} * {a} END) AS m{i}_saa"
                    ));
                    stats.push(format!(
                        "SUM(CASE WHEN {mat} THEN {b} * {b} END) AS m{i}_sbb"
                    ));
                    stats.push(format!(
                        "SUM(CASE WHEN {mat} THEN {a} * {b} END) AS m{i}_sab"
                    ));
                }
                MetricSource::Quantile { .. } => {}
            }
        }
        for &gi in &main_groups {
            if groups[gi].dedupe.is_some() {
                stats.push(format!("SUM(cf_dup{gi}) AS dup{gi}"));
                dedupe_columns.push((groups[gi].table.clone(), format!("dup{gi}")));
            }
        }
        let group_by = if segment_dims.is_empty() {
            "GROUP BY cf_arm".to_string()
        } else {
            let mut sets = vec!["(cf_arm)".to_string()];
            sets.extend(segment_dims.iter().map(|k| format!("(cf_arm, cf_d{k})")));
            format!("GROUP BY GROUPING SETS ({})", sets.join(", "))
        };
        Some(format!(
            "WITH {}\nSELECT {}\nFROM uv\n{group_by}",
            ctes.join(",\n"),
            stats.join(",\n  ")
        ))
    };

    // Pull queries.
    let mut pulls = Vec::new();
    for (i, gi, item, w, value) in quantile_items {
        let g = &groups[gi];
        let mat = format!("u.cf_exposed_ns <= {}", maturity_threshold[i]);
        let dims_sel: String = segment_dims
            .iter()
            .map(|k| format!(", u.cf_d{k}"))
            .collect();
        let sql = match (&sources[i], value) {
            (
                MetricSource::Quantile {
                    level: QuantileLevel::Event,
                },
                Some(v),
            ) => {
                format!(
                    "SELECT u.cf_arm, u.cf_idx, CAST(({v}) AS DOUBLE) AS cf_y{dims_sel}\nFROM cf_units u\nJOIN ({}) e ON e.cf_unit = u.cf_unit\nWHERE {w} AND {mat} AND ({v}) IS NOT NULL",
                    c.events_sql(g, (g.timestamps.len() == 1).then_some(item.span_end))?
                )
            }
            _ => {
                let single = ScanGroup {
                    table: g.table.clone(),
                    dedupe: g.dedupe.clone(),
                    timestamps: g.timestamps.clone(),
                    raw_columns: g.raw_columns.clone(),
                    items: vec![item],
                };
                let covs: String = match &sources[i] {
                    MetricSource::Sums {
                        covariates: cov, ..
                    } => cov
                        .iter()
                        .map(|j| format!(", COALESCE(u.cf_x{j}, 0.0) AS cf_x{j}"))
                        .collect(),
                    _ => String::new(),
                };
                format!(
                    "WITH s AS (\n  {}\n)\nSELECT u.cf_arm, COALESCE(CAST(s.cf_m{i} AS DOUBLE), 0.0) AS cf_y{covs}{dims_sel}\nFROM cf_units u LEFT JOIN s ON s.cf_unit = u.cf_unit\nWHERE {mat}",
                    c.scan_sql(&single, gi, false)?
                )
            }
        };
        pulls.push((i, sql));
    }

    Ok(Plan {
        arms,
        covariates,
        dims,
        segment_dims,
        attribute_tables,
        labels_sql,
        units_sql,
        population_sql,
        arm_counts_sql,
        srm_sql,
        sums_sql,
        dedupe_columns,
        metrics: sources,
        pulls,
        type_checks: c.type_checks,
    })
}

fn metric_row_source(m: &MetricSpec) -> RowSource<'_> {
    RowSource {
        table: m.table.as_deref().unwrap_or_default(),
        timestamp: m.timestamp.as_deref().unwrap_or_default(),
        value: m.value.as_deref(),
        condition: m.condition.as_deref(),
        dedupe: m.dedupe.as_deref(),
    }
}

/// A float as an exact SQL literal (Rust's shortest round-trip form, always with a decimal
/// point or exponent so it parses as a double).
pub(crate) fn float_literal(x: f64) -> String {
    let s = format!("{x:?}");
    if s.contains('.') || s.contains('e') || s.contains("inf") || s.contains("NaN") {
        s
    } else {
        format!("{s}.0")
    }
}

fn sums_stats(stats: &mut Vec<String>, p: &str, mat: &str, y: &str, cov: &[usize]) {
    stats.push(format!("SUM(CASE WHEN {mat} THEN 1 ELSE 0 END) AS {p}_n"));
    stats.push(format!("SUM(CASE WHEN {mat} THEN {y} END) AS {p}_sy"));
    stats.push(format!(
        "SUM(CASE WHEN {mat} THEN ({y}) * ({y}) END) AS {p}_syy"
    ));
    for (a, &j) in cov.iter().enumerate() {
        stats.push(format!(
            "SUM(CASE WHEN {mat} THEN cf_x{j} END) AS {p}_sx{a}"
        ));
        stats.push(format!(
            "SUM(CASE WHEN {mat} THEN cf_x{j} * ({y}) END) AS {p}_sxy{a}"
        ));
        for (b, &k) in cov.iter().enumerate().skip(a) {
            stats.push(format!(
                "SUM(CASE WHEN {mat} THEN cf_x{j} * cf_x{k} END) AS {p}_sxx{a}_{b}"
            ));
        }
    }
}
