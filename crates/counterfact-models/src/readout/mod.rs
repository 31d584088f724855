//! The experiment readout: effects per metric and arm, CUPED, SRM, multiplicity and the decision
//! (methods in docs/readout.md).

mod analysis;
mod decision;
mod monitoring;
mod quantile;
mod srm;
mod types;

pub use analysis::analyze_metric;
pub use decision::{DECISION_RULE, ReadoutConfig, analyze, parse_correction};
pub use srm::{MIN_EXPECTED_COUNT, srm_report};
pub use types::*;
