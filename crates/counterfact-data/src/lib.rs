//! Experiment specs, metric SQL on DataFusion, and the demo data set.
pub mod demo;
