//! Terminal and JSON rendering of experiment readouts.
//!
//! [`render_readout`] prints the decision first, then the population accounting, the
//! sample-ratio-mismatch checks, one table per metric role and the segments; [`readout_json`] is
//! the stable JSON tree documented in docs/readout-json.md.

mod format;
mod json;
mod terminal;

pub use format::{
    count, number, p_value, percent, scientific, signed, signed_percent, significant, trim_zeros,
};
pub use json::{SCHEMA, readout_json};
pub use terminal::{RenderOptions, render_readout};
