//! Errors of the design crate: each names the problem and the input at fault.

use thiserror::Error;

/// Result alias of the design crate.
pub type Result<T> = std::result::Result<T, DesignError>;

/// A problem with an experiment design or a targeting rule.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum DesignError {
    /// Variant weights that cannot define an allocation.
    #[error("invalid weights {weights:?}: {reason}")]
    InvalidWeights {
        /// The weights as given.
        weights: Vec<f64>,
        /// Why they are rejected.
        reason: String,
    },
    /// Two experiments of one layer claim overlapping ranges of the layer's hash space.
    #[error(
        "layer '{layer}': experiment '{first}' [{first_lo}, {first_hi}) overlaps experiment '{second}' [{second_lo}, {second_hi})"
    )]
    OverlappingRanges {
        /// The layer.
        layer: String,
        /// The first experiment.
        first: String,
        /// Start of the first experiment's range.
        first_lo: f64,
        /// End of the first experiment's range.
        first_hi: f64,
        /// The second experiment.
        second: String,
        /// Start of the second experiment's range.
        second_lo: f64,
        /// End of the second experiment's range.
        second_hi: f64,
    },
    /// A targeting rule names an attribute the units do not have.
    #[error("targeting rule uses unknown attribute '{name}'; attributes available: {available}")]
    UnknownAttribute {
        /// The attribute named in the rule.
        name: String,
        /// The attributes the units have, comma-separated.
        available: String,
    },
    /// A wildcard pattern that is not well formed.
    #[error("invalid pattern \"{pattern}\" at character {position}: {reason}")]
    InvalidPattern {
        /// The pattern as given.
        pattern: String,
        /// Character position (0-based) of the fault.
        position: usize,
        /// What is wrong.
        reason: String,
    },
    /// A targeting rule that does not parse.
    #[error("invalid targeting rule \"{rule}\" at character {position}: {reason}")]
    RuleSyntax {
        /// The rule as given.
        rule: String,
        /// Character position (0-based) of the fault.
        position: usize,
        /// What is wrong.
        reason: String,
    },
    /// Any other invalid setting, named with its value.
    #[error("invalid {what} {value}: {reason}")]
    InvalidArgument {
        /// The setting at fault.
        what: String,
        /// Its value, rendered.
        value: String,
        /// Why it is rejected.
        reason: String,
    },
}

impl DesignError {
    /// Builds [`DesignError::InvalidArgument`].
    pub fn invalid(what: &str, value: impl std::fmt::Display, reason: &str) -> Self {
        DesignError::InvalidArgument {
            what: what.to_string(),
            value: value.to_string(),
            reason: reason.to_string(),
        }
    }
}
