//! Experiment specs, metric SQL on DataFusion, and the demo data set.

pub mod demo;
mod engine;
pub mod error;
pub mod spec;
pub mod sql;

pub use engine::{
    EngineOptions, NoProgress, PreparedReadout, Progress, explain_sql, prepare_readout,
    prepare_readout_with,
};
pub use error::DataError;
pub use spec::{ExperimentSpec, MetricSpec, SourceSpec, load_spec, parse_spec};
