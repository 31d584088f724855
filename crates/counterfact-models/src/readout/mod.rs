//! The experiment readout: effects per metric and arm, CUPED, SRM, multiplicity and the decision
//! (methods in docs/readout.md).

mod types;

pub use types::*;
