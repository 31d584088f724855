//! The plain result type every test returns, and the direction of the alternative hypothesis.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::error::StatsError;

/// Direction of the alternative hypothesis, always stated for the effect as the method defines it
/// (x − y for two samples given as x and y; treatment − control for labelled groups).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Alternative {
    /// The effect differs from the null value in either direction.
    #[default]
    TwoSided,
    /// The effect is below the null value.
    Less,
    /// The effect is above the null value.
    Greater,
}

impl Alternative {
    /// The kebab-case name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Alternative::TwoSided => "two-sided",
            Alternative::Less => "less",
            Alternative::Greater => "greater",
        }
    }
}

impl fmt::Display for Alternative {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Alternative {
    type Err = StatsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "two-sided" | "two_sided" | "twosided" => Ok(Alternative::TwoSided),
            "less" => Ok(Alternative::Less),
            "greater" => Ok(Alternative::Greater),
            other => Err(StatsError::invalid(
                "alternative",
                other,
                "must be one of two-sided, less, greater",
            )),
        }
    }
}

/// The outcome of a hypothesis test: plain data, serializable with stable snake_case names.
///
/// `ci` is the confidence interval for `estimate` at level `confidence`; for a one-sided
/// alternative one end is infinite (serialized as `null`). Method-specific numbers (U1 and U2,
/// the conditional MLE odds ratio, ...) live in `extra` and are flattened into the JSON object.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TestResult {
    /// Method name in kebab case, e.g. "welch-t".
    pub method: String,
    /// The alternative hypothesis tested.
    pub alternative: Alternative,
    /// The test statistic.
    pub statistic: f64,
    /// The p-value under the null hypothesis.
    pub p_value: f64,
    /// Degrees of freedom, where the reference distribution has them.
    pub df: Option<f64>,
    /// Point estimate of the effect the test is about.
    pub estimate: Option<f64>,
    /// Standard error of `estimate`, where defined.
    pub std_error: Option<f64>,
    /// Confidence interval `[lo, hi]` for `estimate`.
    pub ci: Option<[f64; 2]>,
    /// Confidence level of `ci`.
    pub confidence: Option<f64>,
    /// Number of observations per group (or per sample), in input order.
    pub n: Vec<u64>,
    /// Human-readable remarks on choices the method made (e.g. why `auto` picked z).
    pub notes: Vec<String>,
    /// Method-specific fields, flattened into the serialized object.
    #[serde(flatten)]
    pub extra: BTreeMap<String, f64>,
}

impl TestResult {
    /// A result with the required fields set and every optional field empty.
    pub fn new(
        method: &str,
        alternative: Alternative,
        statistic: f64,
        p_value: f64,
        n: Vec<u64>,
    ) -> Self {
        TestResult {
            method: method.to_string(),
            alternative,
            statistic,
            p_value,
            df: None,
            estimate: None,
            std_error: None,
            ci: None,
            confidence: None,
            n,
            notes: Vec::new(),
            extra: BTreeMap::new(),
        }
    }

    /// Sets the degrees of freedom.
    pub fn with_df(mut self, df: f64) -> Self {
        self.df = Some(df);
        self
    }

    /// Sets the point estimate and its confidence interval at level `confidence`.
    pub fn with_estimate(mut self, estimate: f64, ci: [f64; 2], confidence: f64) -> Self {
        self.estimate = Some(estimate);
        self.ci = Some(ci);
        self.confidence = Some(confidence);
        self
    }

    /// Sets the standard error of the estimate.
    pub fn with_std_error(mut self, std_error: f64) -> Self {
        self.std_error = Some(std_error);
        self
    }

    /// Adds a method-specific field.
    pub fn with_extra(mut self, name: &str, value: f64) -> Self {
        self.extra.insert(name.to_string(), value);
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
}
