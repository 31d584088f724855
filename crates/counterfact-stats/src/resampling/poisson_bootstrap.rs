//! The Poisson bootstrap: every observation enters each replicate with an independent Poisson(1)
//! weight, so replicates accumulate chunk by chunk, in any order and on any machine, without
//! holding a resample (Hanley & MacGibbon 2006; Chamandy et al. 2012, "Estimating uncertainty
//! for massive data streams", Google).
//!
//! The weights of chunk `c` for replicate block `b` come from the ChaCha8 stream keyed by
//! (seed, sample, c, b), so chunks are processed independently and their per-replicate weighted
//! [`Moments`] merged (Chan et al.). Memory is O(B) per accumulator.

use rayon::prelude::*;

use super::bootstrap::{BootstrapOptions, BootstrapResult, IntervalMethod, finish};
use super::poisson_one::PoissonOne;
use super::{BLOCK, WORDS, block_len, check_bootstrap_resamples, domain, item_rng, n_blocks};
use crate::error::{Result, StatsError, check_confidence, check_finite, check_sample};
use crate::moments::Moments;

/// Observations per chunk of the one-shot functions.
const CHUNK: usize = 1 << 14;

/// Per-replicate weighted moments of a stream of observations, built chunk by chunk.
#[derive(Debug, Clone, PartialEq)]
pub struct PoissonBootstrap {
    seed: u64,
    sample: u64,
    replicates: Vec<Moments>,
}

impl PoissonBootstrap {
    /// An empty accumulator of `n_replicates` replicates; `sample` separates the weight streams
    /// of samples that share a seed (0 for x, 1 for y in the two-sample functions).
    pub fn new(n_replicates: u64, seed: u64, sample: u64) -> Result<Self> {
        check_bootstrap_resamples(n_replicates)?;
        let len = usize::try_from(n_replicates)
            .map_err(|_| StatsError::invalid("n_resamples", n_replicates, "is too large"))?;
        Ok(PoissonBootstrap {
            seed,
            sample,
            replicates: vec![Moments::new(); len],
        })
    }

    /// Adds chunk number `chunk` of the stream. Every chunk of a stream needs a distinct index
    /// (the weights are keyed by it); the result does not depend on the order chunks arrive in,
    /// beyond floating-point rounding of the merges.
    pub fn push_chunk(&mut self, chunk: u64, values: &[f64]) -> Result<()> {
        check_finite("chunk", values)?;
        let total = self.replicates.len() as u64;
        let parts: Vec<Vec<Moments>> = (0..n_blocks(total))
            .into_par_iter()
            .map(|b| self.chunk_block(chunk, b, block_len(b, total), values))
            .collect();
        for (b, part) in parts.iter().enumerate() {
            let start = b * BLOCK as usize;
            for (acc, m) in self.replicates[start..start + part.len()]
                .iter_mut()
                .zip(part)
            {
                acc.merge(m);
            }
        }
        Ok(())
    }

    /// Weighted moments of one chunk for one block of replicates: the chunk is centered at its
    /// mean so that the weighted sums of squares do not cancel.
    fn chunk_block(&self, chunk: u64, block: u64, len: usize, values: &[f64]) -> Vec<Moments> {
        let poisson = PoissonOne::new();
        let mut bytes = [0u8; WORDS * 4];
        let mut used = bytes.len();
        let mut rng = item_rng(self.seed, domain_of(self.sample), chunk, block);
        let pivot = super::statistic::mean(values);
        let mut w_sum = vec![0u64; len];
        let mut s1 = vec![0.0f64; len];
        let mut s2 = vec![0.0f64; len];
        for &v in values {
            let d = v - pivot;
            for r in 0..len {
                if used == bytes.len() {
                    rng.bytes(&mut bytes);
                    used = 0;
                }
                let w = u64::from(poisson.weight(bytes[used], &mut rng));
                used += 1;
                w_sum[r] += w;
                let wd = w as f64 * d;
                s1[r] += wd;
                s2[r] += wd * d;
            }
        }
        (0..len)
            .map(|r| {
                if w_sum[r] == 0 {
                    return Moments::new();
                }
                let w = w_sum[r] as f64;
                Moments {
                    n: w_sum[r],
                    mean: pivot + s1[r] / w,
                    m2: (s2[r] - s1[r] * s1[r] / w).max(0.0),
                    min: f64::NEG_INFINITY,
                    max: f64::INFINITY,
                }
            })
            .collect()
    }

    /// Merges an accumulator of other chunks of the same stream (same seed, sample and B).
    pub fn merge(&mut self, other: &PoissonBootstrap) -> Result<()> {
        if other.seed != self.seed
            || other.sample != self.sample
            || other.replicates.len() != self.replicates.len()
        {
            return Err(StatsError::invalid(
                "accumulator",
                format!(
                    "seed {}, sample {}, B = {}",
                    other.seed,
                    other.sample,
                    other.replicates.len()
                ),
                "must share seed, sample and number of replicates to merge",
            ));
        }
        for (a, b) in self.replicates.iter_mut().zip(&other.replicates) {
            a.merge(b);
        }
        Ok(())
    }

    /// Weighted moments of every replicate (total weight, mean, sum of squared deviations);
    /// min and max are unknown (∓inf).
    pub fn replicates(&self) -> &[Moments] {
        &self.replicates
    }
}

fn domain_of(sample: u64) -> u64 {
    if sample == 0 {
        domain::POISSON_X
    } else {
        domain::POISSON_Y + sample - 1
    }
}

fn accumulate(values: &[f64], options: &BootstrapOptions, sample: u64) -> Result<PoissonBootstrap> {
    let mut acc = PoissonBootstrap::new(options.n_resamples, options.seed, sample)?;
    for (c, chunk) in values.chunks(CHUNK).enumerate() {
        acc.push_chunk(c as u64, chunk)?;
    }
    Ok(acc)
}

fn check_poisson_options(options: &BootstrapOptions) -> Result<()> {
    check_confidence(options.confidence)?;
    if options.interval == IntervalMethod::Bca {
        return Err(StatsError::invalid(
            "interval method",
            "bca",
            "the Poisson bootstrap offers percentile and basic intervals only",
        ));
    }
    Ok(())
}

/// Poisson-bootstrap percentile or basic interval for the mean of `x`. Replicates whose total
/// weight is 0 (probability e⁻ⁿ) are dropped; `n_resamples` reports those used.
pub fn poisson_bootstrap_mean(x: &[f64], options: &BootstrapOptions) -> Result<BootstrapResult> {
    check_poisson_options(options)?;
    check_sample("sample x", x, 2)?;
    let estimate = Moments::from_slice(x).mean;
    let acc = accumulate(x, options, 0)?;
    let reps: Vec<f64> = acc
        .replicates
        .iter()
        .filter(|m| m.n > 0)
        .map(|m| m.mean)
        .collect();
    poisson_finish("mean", estimate, reps, vec![x.len() as u64], options)
}

/// Poisson-bootstrap percentile or basic interval for mean(x) − mean(y), weighting each sample
/// independently.
pub fn poisson_bootstrap_mean_diff(
    x: &[f64],
    y: &[f64],
    options: &BootstrapOptions,
) -> Result<BootstrapResult> {
    check_poisson_options(options)?;
    check_sample("sample x", x, 2)?;
    check_sample("sample y", y, 2)?;
    let estimate = Moments::from_slice(x).mean - Moments::from_slice(y).mean;
    let ax = accumulate(x, options, 0)?;
    let ay = accumulate(y, options, 1)?;
    let reps: Vec<f64> = ax
        .replicates
        .iter()
        .zip(&ay.replicates)
        .filter(|(a, b)| a.n > 0 && b.n > 0)
        .map(|(a, b)| a.mean - b.mean)
        .collect();
    poisson_finish(
        "mean-diff",
        estimate,
        reps,
        vec![x.len() as u64, y.len() as u64],
        options,
    )
}

fn poisson_finish(
    statistic: &str,
    estimate: f64,
    reps: Vec<f64>,
    n: Vec<u64>,
    options: &BootstrapOptions,
) -> Result<BootstrapResult> {
    if reps.len() < 2 {
        return Err(StatsError::Degenerate(format!(
            "only {} Poisson-bootstrap replicates have positive weight",
            reps.len()
        )));
    }
    finish(
        "poisson-bootstrap",
        statistic,
        estimate,
        reps,
        n,
        options,
        || {
            Err(StatsError::Internal(
                "BCa requested of the Poisson bootstrap".to_string(),
            ))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_merge_in_any_grouping() {
        let x: Vec<f64> = (0..3000).map(|i| ((i * 31) % 97) as f64).collect();
        let mut whole = PoissonBootstrap::new(100, 5, 0).unwrap();
        for (c, chunk) in x.chunks(1000).enumerate() {
            whole.push_chunk(c as u64, chunk).unwrap();
        }
        let mut left = PoissonBootstrap::new(100, 5, 0).unwrap();
        left.push_chunk(0, &x[..1000]).unwrap();
        let mut right = PoissonBootstrap::new(100, 5, 0).unwrap();
        right.push_chunk(1, &x[1000..2000]).unwrap();
        right.push_chunk(2, &x[2000..]).unwrap();
        left.merge(&right).unwrap();
        for (a, b) in whole.replicates().iter().zip(left.replicates()) {
            assert_eq!(a.n, b.n);
            assert!((a.mean - b.mean).abs() < 1e-12);
        }
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let opts = BootstrapOptions {
            n_resamples: 300,
            interval: IntervalMethod::Percentile,
            ..Default::default()
        };
        let a = one.install(|| poisson_bootstrap_mean(&x, &opts).unwrap());
        assert_eq!(a, poisson_bootstrap_mean(&x, &opts).unwrap());
    }
}
