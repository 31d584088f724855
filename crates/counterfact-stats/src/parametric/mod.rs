//! Moment-based tests: t-tests, z-tests for means and proportions, relative lift, equivalence and
//! non-inferiority, and effect sizes.
//!
//! Every test has a `*_from_moments` entry point taking [`Moments`] (the sufficient statistics,
//! mergeable across chunks, threads or SQL partitions) and a raw-sample form that validates its
//! input as [`check_sample`](crate::error::check_sample) does (empty, non-finite, too few) and
//! reduces to it. Two-sample effects are x − y (scipy's order; the CLI maps treatment → x,
//! control → y). Results are named by their CLI method: `one-sample-t`, `student-t`, `welch-t`,
//! `paired-t`, `z-means`, `z-proportions`, `relative-lift`, `tost`, `non-inferiority`.
//!
//! Zero variance follows scipy where scipy gives a number: a zero standard error with a non-zero
//! effect gives an infinite statistic and a p-value of 0 (or 1 in the opposite one-sided
//! direction); a zero standard error with a zero effect is 0/0 in scipy (NaN) and here a
//! [`StatsError::Degenerate`] error. Methods that need a variance per group (Welch, paired,
//! one-sample, estimated-σ z) reject n = 1 with [`StatsError::TooFew`].

mod auto;
mod effect_size;
mod equivalence;
mod lift;
mod proportions;
mod t_tests;
mod z_means;

pub use auto::{AUTO_Z_MIN_N, auto_means_test, auto_means_test_from_moments};
pub use effect_size::{
    EffectSize, cohens_d, cohens_d_from_moments, hedges_correction, hedges_g,
    hedges_g_from_moments, odds_ratio, relative_lift_effect, risk_ratio,
};
pub use equivalence::{
    Margin, non_inferiority, non_inferiority_from_moments, tost, tost_from_moments,
};
pub use lift::{LiftMethod, relative_lift, relative_lift_from_moments};
pub use proportions::{z_proportion_one_sample, z_proportions_test};
pub use t_tests::{
    one_sample_t_test, one_sample_t_test_from_moments, paired_t_test, paired_t_test_from_moments,
    student_t_test, student_t_test_from_moments, welch_t_test, welch_t_test_from_moments,
};
pub use z_means::{
    z_mean_one_sample, z_mean_one_sample_from_moments, z_means_test, z_means_test_from_moments,
};

use rayon::prelude::*;

use crate::error::{Result, StatsError, check_finite};
use crate::moments::Moments;
use crate::result::Alternative;

/// Validates a summary given to a `*_from_moments` function: at least `min` observations, a
/// finite mean and a finite, non-negative sum of squared deviations.
pub(crate) fn check_moments(what: &str, m: &Moments, min: u64) -> Result<()> {
    if m.n == 0 {
        return Err(StatsError::Empty {
            what: what.to_string(),
        });
    }
    if !m.mean.is_finite() {
        return Err(StatsError::invalid(
            &format!("mean of {what}"),
            m.mean,
            "must be finite",
        ));
    }
    if !(m.m2.is_finite() && m.m2 >= 0.0) {
        return Err(StatsError::invalid(
            &format!("sum of squared deviations of {what}"),
            m.m2,
            "must be finite and non-negative",
        ));
    }
    if m.n < min {
        return Err(StatsError::TooFew {
            what: what.to_string(),
            n: usize::try_from(m.n).unwrap_or(usize::MAX),
            min: usize::try_from(min).unwrap_or(usize::MAX),
        });
    }
    Ok(())
}

/// Validates a raw sample and summarizes it.
///
/// Fuses the finiteness check into the summation (a finite sum implies finite values) and
/// summarizes fixed-size, cache-resident chunks in two passes (sum, then squared deviations with
/// the compensating term of Chan, Golub & LeVeque 1983, "Algorithms for computing the sample
/// variance", eq. 1.7), with eight independent accumulators so that the loops vectorize. Chunks
/// are summarized in parallel and merged in input order, so the result does not depend on the
/// thread count.
pub(crate) fn summarize(what: &str, data: &[f64], min: usize) -> Result<Moments> {
    if data.is_empty() {
        return Err(StatsError::Empty {
            what: what.to_string(),
        });
    }
    let parts: Vec<Option<Moments>> = if data.len() <= CHUNK {
        vec![chunk_moments(data)]
    } else {
        data.par_chunks(CHUNK).map(chunk_moments).collect()
    };
    let mut total = Moments::new();
    for part in parts {
        match part {
            Some(m) => total.merge(&m),
            None => {
                // A non-finite chunk sum: either a NaN/inf value (reported with its position) or
                // an overflow of finite values, which the moment checks reject downstream.
                check_finite(what, data)?;
                total = Moments::from_slice(data);
                break;
            }
        }
    }
    check_sample_len(what, data.len(), min)?;
    Ok(total)
}

const CHUNK: usize = 1 << 14;
const LANES: usize = 8;

/// Two-pass summary of one chunk; `None` when its sum is not finite.
fn chunk_moments(c: &[f64]) -> Option<Moments> {
    let mut sum = [0.0; LANES];
    let mut lo = [f64::INFINITY; LANES];
    let mut hi = [f64::NEG_INFINITY; LANES];
    let blocks = c.chunks_exact(LANES);
    let tail = blocks.remainder();
    for b in blocks {
        for k in 0..LANES {
            sum[k] += b[k];
            lo[k] = if b[k] < lo[k] { b[k] } else { lo[k] };
            hi[k] = if b[k] > hi[k] { b[k] } else { hi[k] };
        }
    }
    let total: f64 = sum.iter().sum::<f64>() + tail.iter().sum::<f64>();
    if !total.is_finite() {
        return None;
    }
    let n = c.len() as f64;
    let mean = total / n;
    let mut sq = [0.0; LANES];
    let mut dev = [0.0; LANES];
    for b in c.chunks_exact(LANES) {
        for k in 0..LANES {
            let d = b[k] - mean;
            sq[k] += d * d;
            dev[k] += d;
        }
    }
    let (mut sq_t, mut dev_t) = (sq.iter().sum::<f64>(), dev.iter().sum::<f64>());
    for &v in tail {
        let d = v - mean;
        sq_t += d * d;
        dev_t += d;
    }
    let corrected_mean = mean + dev_t / n;
    let m2 = (sq_t - dev_t * dev_t / n).max(0.0);
    let fold = |a: [f64; LANES], f: fn(f64, f64) -> f64| a.iter().copied().reduce(f);
    let min = tail.iter().copied().fold(fold(lo, f64::min)?, f64::min);
    let max = tail.iter().copied().fold(fold(hi, f64::max)?, f64::max);
    Some(Moments {
        n: c.len() as u64,
        mean: corrected_mean,
        m2: if m2.is_finite() { m2 } else { f64::NAN },
        min,
        max,
    })
}

fn check_sample_len(what: &str, n: usize, min: usize) -> Result<()> {
    if n < min {
        return Err(StatsError::TooFew {
            what: what.to_string(),
            n,
            min,
        });
    }
    Ok(())
}

/// Sample variance of a validated summary, clamped at 0 against rounding in merged inputs.
pub(crate) fn var1(m: &Moments) -> f64 {
    m.variance(1).max(0.0)
}

/// The result of a pivot `(estimate − null) / std_error` when `std_error` is 0: scipy gives an
/// infinite statistic and a p-value of 0 or 1 when the effect is non-zero, and NaN (here an error)
/// when it is zero.
pub(crate) fn zero_se_outcome(
    method: &str,
    diff: f64,
    alternative: Alternative,
) -> Result<(f64, f64)> {
    if diff == 0.0 {
        return Err(StatsError::Degenerate(format!(
            "{method}: zero variance and zero effect make the statistic 0/0 (all values equal)"
        )));
    }
    let statistic = if diff > 0.0 {
        f64::INFINITY
    } else {
        f64::NEG_INFINITY
    };
    let p = match alternative {
        Alternative::TwoSided => 0.0,
        Alternative::Greater => {
            if diff > 0.0 {
                0.0
            } else {
                1.0
            }
        }
        Alternative::Less => {
            if diff < 0.0 {
                0.0
            } else {
                1.0
            }
        }
    };
    Ok((statistic, p))
}

/// Rejects an effect or standard error that overflowed f64 (inputs near ±1e308), which would
/// otherwise turn into an infinite statistic or be mistaken for a zero standard error.
pub(crate) fn check_overflow(method: &str, effect: f64, se: f64) -> Result<()> {
    if effect.is_finite() && se.is_finite() {
        Ok(())
    } else {
        Err(StatsError::Degenerate(format!(
            "{method}: the effect ({effect}) or its standard error ({se}) overflows f64; \
             rescale the data"
        )))
    }
}

/// Confidence interval of a point mass (zero standard error) at `estimate`, one-sided as asked.
pub(crate) fn point_ci(estimate: f64, alternative: Alternative) -> [f64; 2] {
    match alternative {
        Alternative::TwoSided => [estimate, estimate],
        Alternative::Less => [f64::NEG_INFINITY, estimate],
        Alternative::Greater => [estimate, f64::INFINITY],
    }
}

/// Checks a count pair (successes, trials) of a proportion.
pub(crate) fn check_counts(what: &str, successes: i64, trials: i64) -> Result<(f64, f64)> {
    if successes < 0 {
        return Err(StatsError::invalid(
            &format!("successes of {what}"),
            successes,
            "must not be negative",
        ));
    }
    if trials <= 0 {
        return Err(StatsError::invalid(
            &format!("trials of {what}"),
            trials,
            "must be at least 1",
        ));
    }
    if successes > trials {
        return Err(StatsError::invalid(
            &format!("successes of {what}"),
            successes,
            &format!("must not exceed the number of trials ({trials})"),
        ));
    }
    Ok((successes as f64, trials as f64))
}
