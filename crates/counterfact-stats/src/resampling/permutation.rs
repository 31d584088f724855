//! Two-sample permutation test with exact enumeration or seeded Monte Carlo resampling.

use rayon::prelude::*;

use super::statistic::{TwoSampleStatistic, sum};
use super::{Bits, WORDS, block_len, bounded_index, domain, item_rng, n_blocks};
use crate::error::{Result, StatsError, check_sample};
use crate::result::{Alternative, TestResult};

/// Settings of [`permutation_test`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PermutationOptions {
    /// Number of random permutations; when all C(n+m, n) splits number at most this many, they
    /// are enumerated exactly instead (scipy's rule).
    pub n_resamples: u64,
    /// Alternative hypothesis for the statistic of x versus y.
    pub alternative: Alternative,
    /// Seed of the random permutations.
    pub seed: u64,
}

impl Default for PermutationOptions {
    fn default() -> Self {
        PermutationOptions {
            n_resamples: 9999,
            alternative: Alternative::TwoSided,
            seed: 0,
        }
    }
}

/// Number of ways to choose `k` of `n`, or `None` when it exceeds `u64`.
pub(crate) fn binomial_count(n: u64, k: u64) -> Option<u64> {
    let k = k.min(n - k);
    let mut c: u128 = 1;
    for i in 0..k {
        c = c.checked_mul((n - i) as u128)? / (i + 1) as u128;
        if c > u64::MAX as u128 {
            return None;
        }
    }
    Some(c as u64)
}

/// Counts of null statistics at or below, and at or above, the observed value (within scipy's
/// tolerance for numerically distinct but theoretically equal values).
#[derive(Debug, Clone, Copy, Default)]
struct TailCounts {
    le: u64,
    ge: u64,
}

impl TailCounts {
    fn add(self, other: TailCounts) -> TailCounts {
        TailCounts {
            le: self.le + other.le,
            ge: self.ge + other.ge,
        }
    }
}

/// Comparison of null statistics against the observed one, with scipy's relative tolerance of
/// 100 machine epsilons.
#[derive(Debug, Clone, Copy)]
struct Comparator {
    observed: f64,
    gamma: f64,
}

impl Comparator {
    fn new(observed: f64) -> Self {
        Comparator {
            observed,
            gamma: (observed * f64::EPSILON * 100.0).abs(),
        }
    }

    #[inline]
    fn count(&self, counts: &mut TailCounts, null: f64) {
        counts.le += u64::from(null <= self.observed + self.gamma);
        counts.ge += u64::from(null >= self.observed - self.gamma);
    }
}

/// Two-sample permutation test of x versus y for any [`TwoSampleStatistic`] (Fisher 1935;
/// Pitman 1937), following `scipy.stats.permutation_test` with `permutation_type='independent'`.
///
/// When C(n+m, n) ≤ `n_resamples` every split is enumerated and p is the exact proportion;
/// otherwise `n_resamples` seeded random splits give p = (k + 1)/(B + 1) (Phipson & Smyth 2010).
/// Two-sided p is twice the smaller one-sided p, capped at 1. Each sample needs two or more
/// observations, as in scipy. The result's `extra` holds
/// `n_resamples` (splits evaluated) and `exact` (1 or 0).
pub fn permutation_test(
    x: &[f64],
    y: &[f64],
    statistic: &TwoSampleStatistic,
    options: &PermutationOptions,
) -> Result<TestResult> {
    statistic.validate()?;
    check_sample("sample x", x, 2)?;
    check_sample("sample y", y, 2)?;
    if options.n_resamples == 0 {
        return Err(StatsError::invalid("n_resamples", 0, "must be at least 1"));
    }
    let observed = statistic.eval_in_place(&mut x.to_vec(), &mut y.to_vec());
    if !observed.is_finite() {
        return Err(StatsError::Degenerate(format!(
            "the observed {} is {observed}: the statistic is undefined for these samples",
            statistic.name()
        )));
    }
    let (n, m) = (x.len(), y.len());
    let mean_diff = matches!(statistic, TwoSampleStatistic::MeanDiff);
    let pooled = if mean_diff {
        shifted_pool(x, y)
    } else {
        [x, y].concat()
    };
    let exact_count =
        binomial_count((n + m) as u64, n as u64).filter(|&c| c <= options.n_resamples);
    let total = if mean_diff {
        pooled.iter().sum::<f64>()
    } else {
        0.0
    };
    let (counts, evaluated) = match exact_count {
        Some(count) => {
            let comparator = if mean_diff {
                // Summed in the enumeration's order, so the observed split compares equal to
                // itself bit for bit.
                let sequential = |s: &[f64]| s.iter().fold(0.0, |a, v| a + v);
                let sx = if n <= m {
                    sequential(&pooled[..n])
                } else {
                    total - sequential(&pooled[n..])
                };
                Comparator::new(split_mean_diff(sx, total, n, m))
            } else {
                Comparator::new(observed)
            };
            (
                enumerate_exact(&pooled, n, statistic, total, &comparator),
                count,
            )
        }
        None => {
            let comparator = if mean_diff {
                Comparator::new(observed_mean_diff(&pooled, n, m, total))
            } else {
                Comparator::new(observed)
            };
            let counts = monte_carlo(&pooled, n, statistic, total, &comparator, options);
            (counts, options.n_resamples)
        }
    };
    let exact = exact_count.is_some();
    let adjustment = if exact { 0 } else { 1 };
    let denominator = evaluated as f64 + adjustment as f64;
    let p_less = (counts.le as f64 + adjustment as f64) / denominator;
    let p_greater = (counts.ge as f64 + adjustment as f64) / denominator;
    let p_value = match options.alternative {
        Alternative::Less => p_less,
        Alternative::Greater => p_greater,
        Alternative::TwoSided => 2.0 * p_less.min(p_greater),
    }
    .clamp(0.0, 1.0);
    let note = if exact {
        format!("exact: all {evaluated} splits of the pooled sample enumerated")
    } else {
        format!(
            "Monte Carlo: {evaluated} random splits, p = (k + 1)/(B + 1), seed {}",
            options.seed
        )
    };
    Ok(TestResult::new(
        "permutation",
        options.alternative,
        observed,
        p_value,
        vec![n as u64, m as u64],
    )
    .with_extra("n_resamples", evaluated as f64)
    .with_extra("exact", if exact { 1.0 } else { 0.0 })
    .with_note(format!("statistic: {}", statistic.name()))
    .with_note(note))
}

/// x then y, shifted by the rounded pooled mean: mean differences are shift-invariant, the shift
/// keeps sums of large-offset data accurate, and integer data stay integers (exact sums, so
/// ties compare exactly as in scipy).
fn shifted_pool(x: &[f64], y: &[f64]) -> Vec<f64> {
    let n_total = (x.len() + y.len()) as f64;
    let shift = ((sum(x) + sum(y)) / n_total).round();
    let shift = if shift.is_finite() { shift } else { 0.0 };
    x.iter().chain(y).map(|v| v - shift).collect()
}

#[inline]
fn split_mean_diff(sx: f64, total: f64, n: usize, m: usize) -> f64 {
    sx / n as f64 - (total - sx) / m as f64
}

/// Mean difference of the observed split (x first in `pooled`), summing the smaller group as
/// the Monte Carlo loop does.
fn observed_mean_diff(pooled: &[f64], n: usize, m: usize, total: f64) -> f64 {
    if n <= m {
        split_mean_diff(sum(&pooled[..n]), total, n, m)
    } else {
        split_mean_diff(total - sum(&pooled[n..]), total, n, m)
    }
}

/// A uniform offset in `[0, s)` from a word (Lemire's multiply-shift with rejection, the
/// threshold computed only in the rare case it may matter).
#[inline]
fn fisher_yates_offset(word: u32, s: u64, rng: &mut Bits) -> usize {
    if s > u32::MAX as u64 {
        return bounded_index(rng, s);
    }
    let mut m = word as u64 * s;
    if (m as u32 as u64) < s {
        let threshold = ((1u64 << 32) % s) as u32;
        while (m as u32) < threshold {
            m = rng.next_u32() as u64 * s;
        }
    }
    (m >> 32) as usize
}

/// Depth-first enumeration of the index sets of size `need` drawn from `start..z.len()`, with
/// the running sum of the chosen values.
fn enumerate_from<F: FnMut(&[usize], f64)>(
    z: &[f64],
    start: usize,
    need: usize,
    chosen: &mut Vec<usize>,
    partial: f64,
    leaf: &mut F,
) {
    if need == 0 {
        leaf(chosen, partial);
        return;
    }
    for i in start..=(z.len() - need) {
        chosen.push(i);
        enumerate_from(z, i + 1, need - 1, chosen, partial + z[i], leaf);
        chosen.pop();
    }
}

/// Every split, enumerated as the index sets of the smaller group (recursion depth min(n, m)).
fn enumerate_exact(
    pooled: &[f64],
    n: usize,
    statistic: &TwoSampleStatistic,
    total: f64,
    comparator: &Comparator,
) -> TailCounts {
    let n_total = pooled.len();
    let m = n_total - n;
    let (small, small_is_x) = (n.min(m), n <= m);
    let mean_diff = matches!(statistic, TwoSampleStatistic::MeanDiff);
    (0..=(n_total - small))
        .into_par_iter()
        .map(|first| {
            let mut counts = TailCounts::default();
            let mut chosen = Vec::with_capacity(small);
            chosen.push(first);
            if mean_diff {
                let mut leaf = |_: &[usize], s: f64| {
                    let sx = if small_is_x { s } else { total - s };
                    comparator.count(&mut counts, split_mean_diff(sx, total, n, m));
                };
                enumerate_from(
                    pooled,
                    first + 1,
                    small - 1,
                    &mut chosen,
                    pooled[first],
                    &mut leaf,
                );
            } else {
                let mut in_small = vec![false; n_total];
                let (mut members, mut rest) = (Vec::with_capacity(small), Vec::new());
                let mut leaf = |idx: &[usize], _: f64| {
                    members.clear();
                    rest.clear();
                    for &i in idx {
                        in_small[i] = true;
                    }
                    for (i, &v) in pooled.iter().enumerate() {
                        if in_small[i] {
                            members.push(v);
                        } else {
                            rest.push(v);
                        }
                    }
                    for &i in idx {
                        in_small[i] = false;
                    }
                    let null = if small_is_x {
                        statistic.eval_in_place(&mut members, &mut rest)
                    } else {
                        statistic.eval_in_place(&mut rest, &mut members)
                    };
                    comparator.count(&mut counts, null);
                };
                enumerate_from(pooled, first + 1, small - 1, &mut chosen, 0.0, &mut leaf);
            }
            counts
        })
        .reduce(TailCounts::default, TailCounts::add)
}

fn monte_carlo(
    pooled: &[f64],
    n: usize,
    statistic: &TwoSampleStatistic,
    total: f64,
    comparator: &Comparator,
    options: &PermutationOptions,
) -> TailCounts {
    let n_total = pooled.len();
    let m = n_total - n;
    let front = n.min(m);
    let mean_diff = matches!(statistic, TwoSampleStatistic::MeanDiff);
    // Mean difference with a smaller group of at least a quarter: coin-flip subsets (sequential,
    // 64 elements per random word) beat Fisher–Yates' random swaps.
    let coin_flips = mean_diff && 4 * front >= n_total;
    (0..n_blocks(options.n_resamples))
        .into_par_iter()
        .map(|block| {
            let mut rng = item_rng(options.seed, domain::PERMUTATION, [0, 0], block);
            let mut counts = TailCounts::default();
            let len = block_len(block, options.n_resamples);
            if coin_flips {
                let mut subset = CoinFlipSubset::new(n_total);
                for _ in 0..len {
                    let front_sum = subset.draw_sum(pooled, front, &mut rng);
                    let sx = if n <= m { front_sum } else { total - front_sum };
                    comparator.count(&mut counts, split_mean_diff(sx, total, n, m));
                }
                return counts;
            }
            // Every block starts from the input order, so its splits depend on its stream only;
            // within a block, a partial Fisher–Yates shuffle of any arrangement gives a uniform
            // random subset for the front, so no reset between splits is needed.
            let mut work = pooled.to_vec();
            let mut words = [0u32; WORDS];
            let mut targets = vec![0usize; front];
            for _ in 0..len {
                // Draw all swap targets first, then swap: the swap loop then only loads and
                // stores, and the CPU overlaps its cache misses.
                for (c, chunk) in targets.chunks_mut(WORDS).enumerate() {
                    rng.words(&mut words);
                    for (k, (t, &w)) in chunk.iter_mut().zip(&words).enumerate() {
                        let i = c * WORDS + k;
                        *t = i + fisher_yates_offset(w, (n_total - i) as u64, &mut rng);
                    }
                }
                let mut acc = [0.0f64; 4];
                for (i, &j) in targets.iter().enumerate() {
                    work.swap(i, j);
                    acc[i & 3] += work[i];
                }
                let front_sum = (acc[0] + acc[1]) + (acc[2] + acc[3]);
                let null = if mean_diff {
                    let sx = if n <= m { front_sum } else { total - front_sum };
                    split_mean_diff(sx, total, n, m)
                } else if n <= m {
                    let (bx, by) = work.split_at_mut(n);
                    statistic.eval_in_place(bx, by)
                } else {
                    let (by, bx) = work.split_at_mut(m);
                    statistic.eval_in_place(bx, by)
                };
                comparator.count(&mut counts, null);
            }
            counts
        })
        .reduce(TailCounts::default, TailCounts::add)
}

/// Uniform random k-subsets by fair coin flips plus a correction: each element joins with
/// probability 1/2 (one random bit), then uniformly chosen members leave, or non-members join,
/// until exactly k are in. The flips are exchangeable and the correction picks uniformly, so
/// every k-subset is equally likely; the correction needs O(√N) draws when k ≈ N/2.
struct CoinFlipSubset {
    mask: Vec<u64>,
    n_total: usize,
}

impl CoinFlipSubset {
    fn new(n_total: usize) -> Self {
        CoinFlipSubset {
            mask: vec![0; n_total.div_ceil(64)],
            n_total,
        }
    }

    /// Draws a fresh subset of size `k` and returns the sum of its values.
    fn draw_sum(&mut self, values: &[f64], k: usize, rng: &mut Bits) -> f64 {
        let mut words = [0u32; WORDS];
        for chunk in self.mask.chunks_mut(WORDS / 2) {
            rng.words(&mut words);
            for (m, pair) in chunk.iter_mut().zip(words.chunks_exact(2)) {
                *m = (u64::from(pair[0]) << 32) | u64::from(pair[1]);
            }
        }
        let tail = self.n_total % 64;
        if tail != 0
            && let Some(last) = self.mask.last_mut()
        {
            *last &= (1u64 << tail) - 1;
        }
        // Branch-free select (all-ones keeps v, zero gives +0.0), unrolled over eight
        // accumulators so that the compiler vectorizes it.
        let select = |v: f64, bits: u64, b: usize| {
            f64::from_bits(v.to_bits() & 0u64.wrapping_sub((bits >> b) & 1))
        };
        let mut acc = [0.0f64; 8];
        let mut size = 0usize;
        let full = values.chunks_exact(64);
        let rest = full.remainder();
        for (&bits, chunk) in self.mask.iter().zip(full) {
            size += bits.count_ones() as usize;
            for j in 0..8 {
                for (l, a) in acc.iter_mut().enumerate() {
                    let b = j * 8 + l;
                    *a += select(chunk[b], bits, b);
                }
            }
        }
        if let Some(&bits) = self.mask.get(self.n_total / 64) {
            size += bits.count_ones() as usize;
            for (b, &v) in rest.iter().enumerate() {
                acc[b & 7] += select(v, bits, b);
            }
        }
        let mut sum =
            ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
        let n = self.n_total as u64;
        while size != k {
            let i = bounded_index(rng, n);
            let (word, bit) = (i / 64, 1u64 << (i % 64));
            let member = self.mask[word] & bit != 0;
            if size > k && member {
                self.mask[word] &= !bit;
                sum -= values[i];
                size -= 1;
            } else if size < k && !member {
                self.mask[word] |= bit;
                sum += values[i];
                size += 1;
            }
        }
        sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coin_flip_subsets_are_uniform() {
        // Each element of 10 should be in a random 3-subset with probability 3/10, and the
        // subset sum of 0..10 should average 3 × 4.5.
        let values: Vec<f64> = (0..10).map(f64::from).collect();
        let mut subset = CoinFlipSubset::new(10);
        let mut rng = item_rng(1, 0, [0, 0], 0);
        let runs = 200_000;
        let mut hits = [0u32; 10];
        let mut total = 0.0;
        for _ in 0..runs {
            total += subset.draw_sum(&values, 3, &mut rng);
            assert_eq!(subset.mask[0].count_ones(), 3);
            for (i, h) in hits.iter_mut().enumerate() {
                *h += ((subset.mask[0] >> i) & 1) as u32;
            }
        }
        for h in hits {
            let share = h as f64 / runs as f64;
            assert!((share - 0.3).abs() < 0.005, "{hits:?}");
        }
        assert!((total / runs as f64 - 13.5).abs() < 0.03);
    }

    #[test]
    fn exact_enumeration_is_symmetric_in_group_sizes() {
        // Enumerating the smaller group must give the same p-value whichever sample it is.
        let x = [3.1, 0.4, 2.2, 5.0, 1.7, 2.9, 4.4];
        let y = [0.2, 1.1, 0.9];
        let opts = PermutationOptions::default();
        for s in [TwoSampleStatistic::MeanDiff, TwoSampleStatistic::MedianDiff] {
            let xy = permutation_test(&x, &y, &s, &opts).unwrap();
            let yx = permutation_test(&y, &x, &s, &opts).unwrap();
            assert_eq!(xy.extra["n_resamples"], 120.0);
            assert!((xy.p_value - yx.p_value).abs() < 1e-12, "{s:?}");
            assert!((xy.statistic + yx.statistic).abs() < 1e-12);
        }
    }

    #[test]
    fn binomial_counts() {
        assert_eq!(binomial_count(10, 3), Some(120));
        assert_eq!(binomial_count(40, 20), Some(137_846_528_820));
        assert_eq!(binomial_count(200, 100), None);
    }

    #[test]
    fn exact_matches_scipy_doc_example() {
        // Every split of {1,2,3} vs {4,5,6}: the observed split is the most extreme of 20.
        let x = [1.0, 2.0, 3.0];
        let y = [4.0, 5.0, 6.0];
        let opts = PermutationOptions {
            alternative: Alternative::Less,
            ..Default::default()
        };
        let r = permutation_test(&x, &y, &TwoSampleStatistic::MeanDiff, &opts).unwrap();
        assert_eq!(r.p_value, 1.0 / 20.0);
        assert_eq!(r.extra["exact"], 1.0);
        // {1,2,4} vs {3,5,6} ties the observed median difference of −3.
        let r = permutation_test(&x, &y, &TwoSampleStatistic::MedianDiff, &opts).unwrap();
        assert_eq!(r.p_value, 2.0 / 20.0);
    }
}
