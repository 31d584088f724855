//! # counterfact-stats
//!
//! The statistics engine of counterfact: pure computation, no I/O.
//!
//! - [`dist`]: distributions with CDF, survival function, quantile and inverse survival function
//!   accurate into the far tails.
//! - [`moments`]: mergeable sufficient statistics ([`moments::Moments`],
//!   [`moments::CrossMoments`]) computed in parallel, deterministic chunks.
//! - Hypothesis tests, each returning one plain, serializable [`TestResult`].
//!
//! Direction conventions: for samples given as `x` and `y` the effect is x − y (scipy's order);
//! the [`Alternative`] is stated for that effect.

pub mod adjust;
pub mod contingency;
pub mod dist;
pub mod error;
pub mod inference;
pub mod moments;
pub mod parametric;
pub mod rank;
pub mod resampling;
pub mod result;

pub use error::{Result, StatsError};
pub use result::{Alternative, TestResult};
