//! Resampling inference: permutation tests, bootstrap confidence intervals (percentile, basic,
//! BCa) and the streaming Poisson bootstrap.
//!
//! Everything random is seeded and split into fixed work items (blocks of resamples, chunks of
//! observations), each drawing from its own ChaCha8 stream keyed by the item's index, so the same
//! seed gives the same bits on any number of threads. The conventions (p-values, interval
//! definitions, quantile interpolation) follow `scipy.stats.permutation_test` and
//! `scipy.stats.bootstrap` (scipy 1.17).

pub mod bca;
pub mod bootstrap;
pub mod permutation;
pub mod poisson_bootstrap;
pub mod statistic;

pub use bootstrap::{
    BootstrapOptions, BootstrapResult, IntervalMethod, bootstrap_one_sample, bootstrap_two_sample,
};
pub use permutation::{PermutationOptions, permutation_test};
pub use poisson_bootstrap::{
    PoissonBootstrap, poisson_bootstrap_mean, poisson_bootstrap_mean_diff,
};
pub use statistic::{OneSampleStatistic, Statistic, TwoSampleFn, TwoSampleStatistic};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Most bootstrap replicates accepted: they are held in memory (8 to 40 bytes each).
pub const MAX_BOOTSTRAP_RESAMPLES: u64 = 100_000_000;

/// Checks a bootstrap replicate count: at least 2, at most [`MAX_BOOTSTRAP_RESAMPLES`].
pub(crate) fn check_bootstrap_resamples(n_resamples: u64) -> crate::error::Result<()> {
    if (2..=MAX_BOOTSTRAP_RESAMPLES).contains(&n_resamples) {
        Ok(())
    } else {
        Err(crate::error::StatsError::invalid(
            "n_resamples",
            n_resamples,
            "must lie between 2 and 100,000,000",
        ))
    }
}

/// Resamples per parallel work item: large enough to amortize setup, small enough to balance.
pub(crate) const BLOCK: u64 = 64;

/// Domains separating the random streams of the different methods, so that one seed never
/// reuses the same bits for two purposes.
pub(crate) mod domain {
    pub const PERMUTATION: u64 = 1;
    pub const BOOTSTRAP: u64 = 2;
    pub const POISSON_X: u64 = 3;
    pub const POISSON_Y: u64 = 4;
}

/// The ChaCha8 generator of work item (`key`, `stream`) under `seed` and `domain`: the 256-bit
/// key holds (seed, domain, key) verbatim, so distinct items never share a stream.
pub(crate) fn item_rng(seed: u64, domain: u64, key: u64, stream: u64) -> ChaCha8Rng {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..16].copy_from_slice(&domain.to_le_bytes());
    bytes[16..24].copy_from_slice(&key.to_le_bytes());
    let mut rng = ChaCha8Rng::from_seed(bytes);
    rng.set_stream(stream);
    rng
}

/// A uniform integer in `[0, s)` for `0 < s ≤ 2^32`, by Lemire's multiply-shift with rejection
/// (Lemire 2019, "Fast random integer generation in an interval", ACM TOMACS 29(1)): unbiased,
/// and almost never divides.
#[inline]
pub(crate) fn bounded_index<R: Rng>(rng: &mut R, s: u64) -> usize {
    if s <= u32::MAX as u64 {
        let s32 = s as u32;
        let mut m = rng.next_u32() as u64 * s;
        if (m as u32) < s32 {
            let threshold = s32.wrapping_neg() % s32;
            while (m as u32) < threshold {
                m = rng.next_u32() as u64 * s;
            }
        }
        (m >> 32) as usize
    } else {
        let mut m = rng.next_u64() as u128 * s as u128;
        if (m as u64) < s {
            let threshold = s.wrapping_neg() % s;
            while (m as u64) < threshold {
                m = rng.next_u64() as u128 * s as u128;
            }
        }
        (m >> 64) as usize
    }
}

/// Number of resamples in block `b` of `total` resamples split into blocks of [`BLOCK`].
pub(crate) fn block_len(b: u64, total: u64) -> usize {
    (total - b * BLOCK).min(BLOCK) as usize
}

/// Number of blocks covering `total` resamples.
pub(crate) fn n_blocks(total: u64) -> u64 {
    total.div_ceil(BLOCK)
}

/// Type-7 quantile of an ascending slice at each level (NaN levels give NaN).
pub(crate) fn sorted_quantile(sorted: &[f64], q: f64) -> f64 {
    if !q.is_finite() {
        return f64::NAN;
    }
    statistic::quantile_sorted(sorted, q.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_index_is_uniform_enough() {
        let mut rng = item_rng(7, 0, 0, 0);
        let mut counts = [0u32; 7];
        for _ in 0..70_000 {
            counts[bounded_index(&mut rng, 7)] += 1;
        }
        for c in counts {
            assert!((c as i64 - 10_000).abs() < 500, "{counts:?}");
        }
        let big = (u32::MAX as u64) * 3;
        for _ in 0..100 {
            assert!((bounded_index(&mut rng, big) as u64) < big);
        }
    }
}
