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
mod poisson_one;
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
pub(crate) fn item_rng(seed: u64, domain: u64, key: u64, stream: u64) -> Bits {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    bytes[8..16].copy_from_slice(&domain.to_le_bytes());
    bytes[16..24].copy_from_slice(&key.to_le_bytes());
    let mut rng = ChaCha8Rng::from_seed(bytes);
    rng.set_stream(stream);
    Bits {
        rng,
        buf: [0u8; BITS_BUFFER],
        pos: BITS_BUFFER,
    }
}

const BITS_BUFFER: usize = 1024;

/// Words per batch of [`Bits::words`].
pub(crate) const WORDS: usize = 256;

/// Uniform indices in `[0, s)` for a fixed `s ≤ 2^32` from 32-bit words, by Lemire's
/// multiply-shift with the rejection threshold computed once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IndexSampler {
    s: u64,
    threshold: u32,
}

impl IndexSampler {
    /// A sampler of `[0, s)`; `None` when `s` is 0 or exceeds 2^32 (use [`bounded_index`]).
    pub(crate) fn new(s: u64) -> Option<Self> {
        if s == 0 || s > 1 << 32 {
            return None;
        }
        let threshold = ((1u64 << 32) % s) as u32;
        Some(IndexSampler { s, threshold })
    }

    /// The index a word maps to; a rejected word (probability < s/2^32) is replaced by fresh
    /// words from `rng`, so the result is exactly uniform.
    #[inline]
    pub(crate) fn index(&self, word: u32, rng: &mut Bits) -> usize {
        let mut m = word as u64 * self.s;
        while (m as u32) < self.threshold {
            m = rng.next_u32() as u64 * self.s;
        }
        (m >> 32) as usize
    }
}

/// A ChaCha8 stream read through a buffer: `fill_bytes` produces whole ChaCha blocks at once,
/// which makes the inner resampling loops about twice as fast as per-call `next_u32`.
pub(crate) struct Bits {
    rng: ChaCha8Rng,
    buf: [u8; BITS_BUFFER],
    pos: usize,
}

impl Bits {
    /// The next 32 uniform bits of the stream.
    #[inline]
    pub(crate) fn next_u32(&mut self) -> u32 {
        if self.pos == BITS_BUFFER {
            self.rng.fill_bytes(&mut self.buf);
            self.pos = 0;
        }
        let b = &self.buf[self.pos..self.pos + 4];
        self.pos += 4;
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }

    /// Fills `out` with fresh words straight from the generator (bypassing the buffer), for the
    /// hot loops that consume many words at once.
    #[inline]
    pub(crate) fn words(&mut self, out: &mut [u32; WORDS]) {
        let mut bytes = [0u8; WORDS * 4];
        self.rng.fill_bytes(&mut bytes);
        for (w, b) in out.iter_mut().zip(bytes.chunks_exact(4)) {
            *w = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        }
    }

    /// Fills `out` with fresh bytes straight from the generator (bypassing the buffer).
    #[inline]
    pub(crate) fn bytes(&mut self, out: &mut [u8; WORDS * 4]) {
        self.rng.fill_bytes(out);
    }

    /// The next 64 uniform bits of the stream.
    #[inline]
    pub(crate) fn next_u64(&mut self) -> u64 {
        (u64::from(self.next_u32()) << 32) | u64::from(self.next_u32())
    }
}

/// A uniform integer in `[0, s)` for `0 < s`, by Lemire's multiply-shift with rejection
/// (Lemire 2019, "Fast random integer generation in an interval", ACM TOMACS 29(1)): unbiased,
/// and almost never divides.
#[inline]
pub(crate) fn bounded_index(rng: &mut Bits, s: u64) -> usize {
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
