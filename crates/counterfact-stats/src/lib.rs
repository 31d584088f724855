//! # counterfact-stats
//!
//! The statistics engine of counterfact: pure computation, no I/O.
//!
//! - [`dist`]: distributions with CDF, survival function, quantile and inverse survival function
//!   accurate into the far tails (checked against mpmath at 50 digits).
//! - [`moments`]: mergeable sufficient statistics ([`moments::Moments`],
//!   [`moments::CrossMoments`]) computed in parallel, deterministic chunks.
//! - Hypothesis tests, each returning one plain, serializable [`TestResult`]:
//!   [`parametric`] (t, z, proportions, relative lift, TOST, non-inferiority, effect sizes),
//!   [`contingency`] (chi-square, G-test, Fisher exact), [`rank`] (Mann-Whitney, Wilcoxon,
//!   Kolmogorov-Smirnov), [`resampling`] (permutation tests, bootstrap CIs); [`adjust`] corrects
//!   p-values for multiple testing; [`sequential`] gives anytime-valid tests (mixture SPRT,
//!   confidence sequences) and group-sequential boundaries.
//! - Experiments over time: [`over_time`] (per-period effects, novelty/primacy trend test,
//!   carryover check) and [`rollout`] (phased rollouts decided by anytime-valid confidence
//!   sequences on guardrails).
//! - Primitives: [`sampling`] (reservoir and weighted sampling), [`markov`] (Markov chains),
//!   [`matrix`] (in-place rotation).
//!
//! Direction conventions: for samples given as `x` and `y` the effect is x − y (scipy's order);
//! the [`Alternative`] is stated for that effect.
//!
//! ```
//! use counterfact_stats::{Alternative, parametric::welch_t_test};
//!
//! let treatment = [5.1, 4.9, 6.2, 5.8, 6.0, 5.5];
//! let control = [4.8, 4.1, 5.0, 4.6, 4.9, 5.2];
//! let r = welch_t_test(&treatment, &control, Alternative::TwoSided, 0.95)?;
//! assert!(r.p_value < 0.05 && r.ci.unwrap()[0] > 0.0);
//! # Ok::<(), counterfact_stats::StatsError>(())
//! ```

pub mod adjust;
pub mod bandit;
pub mod bayes;
pub mod contingency;
pub mod dist;
pub mod error;
pub mod inference;
pub mod moments;
pub mod over_time;
pub mod parametric;
pub mod rank;
pub mod resampling;
pub mod result;
pub mod rollout;
pub mod sequential;

// Streaming, sampling and linear-algebra primitives (docs/primitives.md).
pub mod markov;
pub mod matrix;
pub mod sampling;

pub use error::{Result, StatsError};
pub use result::{Alternative, TestResult};
