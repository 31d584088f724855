//! Anytime-valid inference: tests and confidence sequences that stay valid however often the data
//! are looked at, and group-sequential designs with alpha spending.
//!
//! - [`mixture`]: the normal-mixture sequential probability ratio test (mSPRT; Johari et al. 2017,
//!   2022) and the asymptotic confidence sequence of Waudby-Smith et al. (2023) that GrowthBook
//!   uses, for a difference in means or in proportions, from streaming [`crate::moments::Moments`].
//! - [`multinomial`]: the Dirichlet-multinomial test of Lindon & Malek (2022) for sample-ratio
//!   mismatch and for the ratio of Poisson rates (counts conditioned on their total).
//! - [`quantile`]: confidence sequence for a fixed quantile (Howard & Ramdas 2022).
//! - [`group_sequential`]: Lan-DeMets alpha-spending boundaries (O'Brien-Fleming and Pocock type)
//!   at planned looks by recursive numerical integration, and the sample-size inflation factor.
//!
//! See docs/sequential.md for the formulas and the calibration results.

pub mod group_sequential;
pub mod mixture;
pub mod multinomial;
pub mod quantile;

use crate::error::{Result, StatsError};

/// Checks a significance level α ∈ (0, 1).
fn check_alpha(alpha: f64) -> Result<()> {
    if alpha.is_finite() && alpha > 0.0 && alpha < 1.0 {
        Ok(())
    } else {
        Err(StatsError::invalid(
            "alpha",
            alpha,
            "must lie strictly between 0 and 1",
        ))
    }
}
