//! Regression adjustment and the experiment readout analysis (no I/O).

// `!(x > 0.0)` is the NaN-rejecting form of every domain check here: NaN must fail it.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod error;
pub mod readout;
pub mod regression;

pub use error::ModelError;
