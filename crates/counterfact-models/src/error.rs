//! Typed errors of the models crate: every message names the metric (or regression) and the
//! variant or covariate at fault.

use counterfact_stats::StatsError;

/// An input the analysis cannot turn into a trustworthy number.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// An arm with no units.
    #[error("metric {metric}: variant {variant} has no units")]
    EmptyArm {
        /// Metric (or "regression").
        metric: String,
        /// Variant label.
        variant: String,
    },
    /// Too few units for a variance.
    #[error(
        "metric {metric}: variant {variant} has {n} units, at least {min} are needed for {what}"
    )]
    TooFew {
        /// Metric.
        metric: String,
        /// Variant label.
        variant: String,
        /// Units present.
        n: u64,
        /// Units needed.
        min: u64,
        /// What needs them.
        what: String,
    },
    /// A variance (or standard error) of zero makes the test undefined.
    #[error("metric {metric}: {detail}")]
    ZeroVariance {
        /// Metric.
        metric: String,
        /// Which variance is zero and why that matters.
        detail: String,
    },
    /// NaN or infinity in the input.
    #[error("metric {metric}: variant {variant}: {what} is not finite ({value})")]
    NonFinite {
        /// Metric.
        metric: String,
        /// Variant label.
        variant: String,
        /// The field at fault.
        what: String,
        /// Its value.
        value: f64,
    },
    /// The control variant has no data for this metric.
    #[error("metric {metric}: control variant {control} is missing from the data")]
    MissingControl {
        /// Metric.
        metric: String,
        /// Control label.
        control: String,
    },
    /// A configured variant has no data for this metric, or the data name an unknown variant.
    #[error("metric {metric}: variant {variant}: {reason}")]
    Variant {
        /// Metric.
        metric: String,
        /// Variant label.
        variant: String,
        /// What is wrong.
        reason: String,
    },
    /// Covariates (or regressors) that are (nearly) linearly dependent.
    #[error(
        "{context}: covariates {covariates:?} are collinear (reciprocal condition number {rcond:e} \
         of the scaled cross-product matrix is below {threshold:e}); drop one of them"
    )]
    Singular {
        /// Metric and comparison, or "regression".
        context: String,
        /// Names of the covariates involved in the dependence.
        covariates: Vec<String>,
        /// Reciprocal condition number estimate (0 when a covariate is constant).
        rcond: f64,
        /// Smallest accepted value.
        threshold: f64,
    },
    /// An argument or input shape outside its domain.
    #[error("{context}: {what} = {value}: {reason}")]
    Invalid {
        /// Metric, or the function called.
        context: String,
        /// The argument.
        what: String,
        /// Its value, printed.
        value: String,
        /// What it must satisfy.
        reason: String,
    },
    /// An error of the statistics engine, with the metric it occurred in.
    #[error("{context}: {source}")]
    Stats {
        /// Metric and comparison.
        context: String,
        /// The engine's error.
        source: StatsError,
    },
}

impl ModelError {
    pub(crate) fn invalid(
        context: &str,
        what: &str,
        value: impl std::fmt::Display,
        reason: &str,
    ) -> Self {
        ModelError::Invalid {
            context: context.to_string(),
            what: what.to_string(),
            value: value.to_string(),
            reason: reason.to_string(),
        }
    }

    pub(crate) fn stats(context: &str) -> impl FnOnce(StatsError) -> Self + '_ {
        move |source| ModelError::Stats {
            context: context.to_string(),
            source,
        }
    }
}
