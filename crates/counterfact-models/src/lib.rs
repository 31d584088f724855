//! Regression adjustment and the experiment readout analysis (no I/O).

pub mod readout;
