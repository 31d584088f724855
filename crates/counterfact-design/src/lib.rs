//! # counterfact-design
//!
//! Experiment design: power and sample size, deterministic assignment of units to variants,
//! stratified samples and randomization checks. Pure computation, no I/O.
//!
//! - [`power`]: solve for sample size, power, minimum detectable effect or α; duration and
//!   power curves, with CUPED, cluster and sequential adjustments.
//!
//! - [`hash`]: (salt, unit) → bucket in [0, 1) under a fast default or GrowthBook's and
//!   PlanOut's schemes, bit-compatible with those tools.
//! - [`allocation`]: weights and coverage → bucket ranges (GrowthBook's `getBucketRanges`),
//!   ramps that only add units to treatment.
//! - [`layers`]: layers (namespaces) of mutually exclusive experiments, holdouts.
//! - [`targeting`] and [`pattern`]: targeting rules on unit attributes with full-string
//!   wildcard patterns.
//! - [`assign`]: a design spec compiled into an [`Assigner`].
//! - [`stratified`]: stratified samples (proportional or Neyman) with a matched control.
//! - [`checks`]: randomization checks (SRM, balance, hash evenness, placebo, A/A simulation).

pub mod allocation;
pub mod assign;
pub mod checks;
pub mod error;
pub mod hash;
pub mod layers;
pub mod pattern;
pub mod power;
pub mod stratified;
pub mod targeting;

pub use allocation::{Allocation, BucketRange, ramp_weights};
pub use assign::{Assigner, Assignment, DesignSpec, Exclusion, ExperimentSpec};
pub use error::{DesignError, Result};
pub use hash::{HashScheme, SaltedHash, fnv1a32, planout_hash};
