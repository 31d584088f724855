//! Errors of the data layer: one variant per class of problem, each message naming what is wrong
//! and where (file and line, table and column, variant, unit).

use std::path::PathBuf;

/// Result alias of the data layer.
pub type Result<T, E = DataError> = std::result::Result<T, E>;

/// A problem with the spec, the data or the engine.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// The spec file could not be read.
    #[error("cannot read spec {path}: {source}")]
    SpecRead {
        /// Spec path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// TOML syntax error, wrong type or unknown key in the spec.
    #[error("{path}:{line}:{column}: {message}")]
    SpecSyntax {
        /// Spec path.
        path: PathBuf,
        /// 1-based line (0 when the parser gave no position).
        line: usize,
        /// 1-based column (0 when the parser gave no position).
        column: usize,
        /// What the parser found (names the unknown key, the expected type...).
        message: String,
    },
    /// A spec value is out of range or inconsistent with another.
    #[error("{path}: invalid {field}: {message}")]
    InvalidSpec {
        /// Spec path.
        path: PathBuf,
        /// The key at fault, e.g. `experiment.alpha` or `metric "watch_hours".quantile`.
        field: String,
        /// Why it is invalid.
        message: String,
    },
    /// A source path, directory or glob matched no file.
    #[error("source table \"{table}\": no file at {path}")]
    MissingFile {
        /// Source table name.
        table: String,
        /// The path (or pattern) that matched nothing.
        path: PathBuf,
    },
    /// A column named by the spec is not in its table.
    #[error(
        "column \"{column}\" not found in table \"{table}\" (needed for {needed_for}); the table has: {available}"
    )]
    MissingColumn {
        /// Table name.
        table: String,
        /// Missing column.
        column: String,
        /// What the column is needed for.
        needed_for: String,
        /// Comma-separated list of the table's columns.
        available: String,
    },
    /// A column or expression has the wrong type.
    #[error("{table}.{column}: expected {expected}, found {found}")]
    WrongColumnType {
        /// Table name.
        table: String,
        /// Column (or expression) at fault.
        column: String,
        /// What the engine needs.
        expected: String,
        /// The type found.
        found: String,
    },
    /// A variant has no analysed unit.
    #[error("variant \"{variant}\" has 0 analysed units (assigned, single-variant and exposed)")]
    EmptyVariant {
        /// The empty variant.
        variant: String,
    },
    /// Units assigned to more than one variant with `multiple_variants = "error"`.
    #[error(
        "{count} units are assigned to more than one variant (e.g. unit {example}); set assignment.multiple_variants = \"exclude\" to drop them"
    )]
    UnitInMultipleVariants {
        /// Number of such units.
        count: u64,
        /// One of them.
        example: String,
    },
    /// Exposure rows earlier than the unit's assignment with `before_assignment = "error"`.
    #[error(
        "{count} exposure rows precede their unit's assignment (e.g. unit {example}); set exposure.before_assignment = \"ignore\" to skip them"
    )]
    ExposureBeforeAssignment {
        /// Number of such exposure rows.
        count: u64,
        /// One unit with such a row.
        example: String,
    },
    /// Variant labels in the assignment table that the spec does not list.
    #[error("assignment table \"{table}\" has variant labels not in experiment.variants: {labels}")]
    UnknownVariant {
        /// Assignment table.
        table: String,
        /// The unknown labels with their row counts.
        labels: String,
    },
    /// A table keyed by unit (covariates, dimensions) has several rows for one unit.
    #[error(
        "table \"{table}\" has {count} units with more than one row (e.g. unit {example}); unit attributes need one row per unit"
    )]
    DuplicateUnitRows {
        /// Table name.
        table: String,
        /// Number of units with several rows.
        count: u64,
        /// One such unit.
        example: String,
    },
    /// A `value` or `condition` expression that is not a single safe scalar expression.
    #[error("metric \"{metric}\": {field} expression `{expression}` rejected: {reason}")]
    UnsafeExpression {
        /// Metric name.
        metric: String,
        /// `value` or `condition` (with numerator/denominator for ratios).
        field: String,
        /// The expression as written.
        expression: String,
        /// Why it was rejected.
        reason: String,
    },
    /// DataFusion failed to plan or run a query.
    #[error("query engine error in stage {stage}: {message}")]
    Engine {
        /// Pipeline stage.
        stage: String,
        /// The engine's message.
        message: String,
    },
}

impl DataError {
    pub(crate) fn invalid(
        path: &std::path::Path,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        DataError::InvalidSpec {
            path: path.to_path_buf(),
            field: field.into(),
            message: message.into(),
        }
    }

    pub(crate) fn engine(stage: &str, err: impl std::fmt::Display) -> Self {
        DataError::Engine {
            stage: stage.to_string(),
            message: err.to_string(),
        }
    }
}
