//! # counterfact-design
//!
//! Experiment design: deterministic assignment of units to variants. Pure computation, no I/O.
//!
//! - [`hash`]: (salt, unit) → bucket in [0, 1) under a fast default or GrowthBook's and
//!   PlanOut's schemes, bit-compatible with those tools.
//! - [`allocation`]: weights and coverage → bucket ranges (GrowthBook's `getBucketRanges`),
//!   ramps that only add units to treatment.
//! - [`layers`]: layers (namespaces) of mutually exclusive experiments, holdouts.
//! - [`targeting`] and [`pattern`]: targeting rules on unit attributes with full-string
//!   wildcard patterns.
//! - [`assign`]: a design spec compiled into an [`Assigner`].

pub mod allocation;
pub mod assign;
pub mod checks;
pub mod error;
pub mod hash;
pub mod layers;
pub mod pattern;
pub mod stratified;
pub mod targeting;

pub use allocation::{Allocation, BucketRange, ramp_weights};
pub use assign::{Assigner, Assignment, DesignSpec, Exclusion, ExperimentSpec};
pub use error::{DesignError, Result};
pub use hash::{HashScheme, SaltedHash, fnv1a32, planout_hash};
