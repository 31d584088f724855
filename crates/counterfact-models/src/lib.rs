//! Regression adjustment and the experiment readout analysis (no I/O).

pub mod error;
pub mod readout;
pub mod regression;

pub use error::ModelError;
