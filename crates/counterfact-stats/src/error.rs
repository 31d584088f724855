//! Typed errors of the statistics engine.

use thiserror::Error;

/// Everything that can go wrong in `counterfact-stats`: each variant names the argument or input
/// at fault and carries the offending value, so that callers can render a one-line message.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum StatsError {
    /// An input sample or table holds no observations.
    #[error("{what} is empty")]
    Empty {
        /// The input, e.g. "sample x" or "group 'control'".
        what: String,
    },
    /// An input has fewer observations than the method needs.
    #[error("{what} needs at least {min} observations, got {n}")]
    TooFew {
        /// The input at fault.
        what: String,
        /// Observations given.
        n: usize,
        /// Observations needed.
        min: usize,
    },
    /// An input holds NaN or ±inf.
    #[error("{what} holds a non-finite value ({value}) at position {index}")]
    NonFinite {
        /// The input at fault.
        what: String,
        /// Zero-based position of the first bad value.
        index: usize,
        /// The bad value.
        value: f64,
    },
    /// An argument lies outside its domain.
    #[error("invalid {name} = {value}: {reason}")]
    InvalidArgument {
        /// Argument name as the user knows it, e.g. "confidence".
        name: String,
        /// The value given, rendered.
        value: String,
        /// What the value must satisfy.
        reason: String,
    },
    /// The data make the statistic undefined (zero variance, all values tied, ...).
    #[error("{0}")]
    Degenerate(String),
    /// A bug: a condition the code should have ruled out.
    #[error("internal error (likely a bug in counterfact): {0}")]
    Internal(String),
}

impl StatsError {
    /// Shorthand for [`StatsError::InvalidArgument`].
    pub fn invalid(name: &str, value: impl std::fmt::Display, reason: &str) -> Self {
        StatsError::InvalidArgument {
            name: name.to_string(),
            value: value.to_string(),
            reason: reason.to_string(),
        }
    }
}

/// Result alias used across the crate.
pub type Result<T, E = StatsError> = std::result::Result<T, E>;

/// Checks that `data` is non-empty, has at least `min` values and holds only finite values.
pub fn check_sample(what: &str, data: &[f64], min: usize) -> Result<()> {
    if data.is_empty() {
        return Err(StatsError::Empty {
            what: what.to_string(),
        });
    }
    check_finite(what, data)?;
    if data.len() < min {
        return Err(StatsError::TooFew {
            what: what.to_string(),
            n: data.len(),
            min,
        });
    }
    Ok(())
}

/// Checks that every value of `data` is finite.
pub fn check_finite(what: &str, data: &[f64]) -> Result<()> {
    match data.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(StatsError::NonFinite {
            what: what.to_string(),
            index,
            value: data[index],
        }),
        None => Ok(()),
    }
}

/// Checks that a confidence level lies strictly between 0 and 1.
pub fn check_confidence(confidence: f64) -> Result<()> {
    if confidence > 0.0 && confidence < 1.0 {
        Ok(())
    } else {
        Err(StatsError::invalid(
            "confidence",
            confidence,
            "must lie strictly between 0 and 1",
        ))
    }
}

/// Checks that a scalar argument is finite.
pub fn check_finite_arg(name: &str, value: f64) -> Result<()> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(StatsError::invalid(name, value, "must be a finite number"))
    }
}

/// Checks that a scalar argument is finite and strictly positive.
pub fn check_positive_arg(name: &str, value: f64) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(StatsError::invalid(
            name,
            value,
            "must be a finite number greater than 0",
        ))
    }
}
