//! Drawing indices or keys with probability proportional to their weights.

use crate::error::{Result, StatsError};
use rand::{Rng, RngExt};

/// Checks that weights are non-empty, finite, non-negative and not all zero; returns their sum.
fn check_weights(weights: &[f64]) -> Result<f64> {
    if weights.is_empty() {
        return Err(StatsError::Empty {
            what: "weights".to_string(),
        });
    }
    if let Some(index) = weights.iter().position(|w| !w.is_finite()) {
        return Err(StatsError::NonFinite {
            what: "weights".to_string(),
            index,
            value: weights[index],
        });
    }
    if let Some(index) = weights.iter().position(|&w| w < 0.0) {
        return Err(StatsError::invalid(
            &format!("weights[{index}]"),
            weights[index],
            "weights must be >= 0",
        ));
    }
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return Err(StatsError::Degenerate(
            "all weights are zero: nothing can be drawn".to_string(),
        ));
    }
    if !total.is_finite() {
        return Err(StatsError::invalid(
            "weights",
            total,
            "the weights must sum to a finite number",
        ));
    }
    Ok(total)
}

/// Draws indices by weight from a cumulative-weight array: a uniform draw in [0, total) and a
/// binary search for the first cumulative weight above it (Devroye, *Non-Uniform Random Variate
/// Generation*, 1986, §III.2). O(n) build, O(log n) per draw, one f64 per weight. Zero-weight
/// indices are never drawn.
///
/// ```
/// use counterfact_stats::sampling::{seeded_rng, weighted::CumulativeSampler};
/// let sampler = CumulativeSampler::new(&[1.0, 0.0, 3.0]).unwrap();
/// let mut rng = seeded_rng(8);
/// let draws: Vec<usize> = (0..1000).map(|_| sampler.sample(&mut rng)).collect();
/// assert!(!draws.contains(&1));
/// assert!(CumulativeSampler::new(&[0.0, 0.0]).is_err());
/// assert!(CumulativeSampler::new(&[1.0, f64::NAN]).is_err());
/// ```
#[derive(Debug, Clone)]
pub struct CumulativeSampler {
    cumulative: Vec<f64>,
    last_positive: usize,
}

impl CumulativeSampler {
    /// Builds the cumulative array; an error for empty, negative, NaN, infinite or all-zero
    /// weights.
    pub fn new(weights: &[f64]) -> Result<Self> {
        check_weights(weights)?;
        let mut running = 0.0;
        let cumulative = weights
            .iter()
            .map(|w| {
                running += w;
                running
            })
            .collect();
        let last_positive = weights.iter().rposition(|&w| w > 0.0).unwrap_or(0);
        Ok(CumulativeSampler {
            cumulative,
            last_positive,
        })
    }

    /// Sum of the weights.
    pub fn total(&self) -> f64 {
        self.cumulative.last().copied().unwrap_or(0.0)
    }

    /// Number of weights.
    pub fn len(&self) -> usize {
        self.cumulative.len()
    }

    /// Whether there are no weights (never true for a built sampler).
    pub fn is_empty(&self) -> bool {
        self.cumulative.is_empty()
    }

    /// One index drawn with probability weight / total.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> usize {
        let u = rng.random::<f64>() * self.total();
        let index = self.cumulative.partition_point(|&c| c <= u);
        // Rounding can push u up to the total itself; the last positive weight owns that end.
        index.min(self.last_positive)
    }
}

/// Draws indices by weight with Vose's alias method (Vose 1991, "A linear algorithm for
/// generating random numbers with a given distribution", IEEE TSE 17(9); Walker 1977): O(n)
/// build, O(1) per draw (one uniform column, one biased coin), one f64 and one index per weight.
/// Zero-weight indices are never drawn.
///
/// ```
/// use counterfact_stats::sampling::{seeded_rng, weighted::AliasSampler};
/// let sampler = AliasSampler::new(&[0.5, 0.25, 0.25]).unwrap();
/// let mut rng = seeded_rng(8);
/// let zeros = (0..10_000).filter(|_| sampler.sample(&mut rng) == 0).count();
/// assert!((4_700..5_300).contains(&zeros));
/// assert!(AliasSampler::new(&[1.0, -0.5]).is_err());
/// ```
#[derive(Debug, Clone)]
pub struct AliasSampler {
    /// Probability of keeping column i rather than taking its alias.
    keep: Vec<f64>,
    alias: Vec<usize>,
}

impl AliasSampler {
    /// Builds the alias table; an error for empty, negative, NaN, infinite or all-zero weights.
    pub fn new(weights: &[f64]) -> Result<Self> {
        let total = check_weights(weights)?;
        let n = weights.len();
        let mut scaled: Vec<f64> = weights.iter().map(|w| w * n as f64 / total).collect();
        let mut keep = vec![1.0; n];
        let mut alias: Vec<usize> = (0..n).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) =
            (0..n).partition(|&i| scaled[i] < 1.0);
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            keep[s] = scaled[s];
            alias[s] = l;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // Leftovers are 1 up to rounding; a zero weight left over must still never be drawn.
        let heaviest = weights
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map_or(0, |(i, _)| i);
        for i in small.into_iter().chain(large) {
            if weights[i] == 0.0 {
                keep[i] = 0.0;
                alias[i] = heaviest;
            } else {
                keep[i] = 1.0;
            }
        }
        Ok(AliasSampler { keep, alias })
    }

    /// Number of weights.
    pub fn len(&self) -> usize {
        self.keep.len()
    }

    /// Whether there are no weights (never true for a built sampler).
    pub fn is_empty(&self) -> bool {
        self.keep.is_empty()
    }

    /// One index drawn with probability weight / total.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> usize {
        let column = rng.random_range(0..self.keep.len());
        if rng.random::<f64>() < self.keep[column] {
            column
        } else {
            self.alias[column]
        }
    }
}

/// One key of `weights` drawn with probability proportional to its weight, by a
/// [`CumulativeSampler`] (O(n) for the one draw; build a sampler once for repeated draws, a
/// [`KeySampler`] for large dictionaries). An error for empty, negative, NaN, infinite or
/// all-zero weights. Takes ordered pairs, not a hash map, so that a seed fixes the result.
///
/// ```
/// use counterfact_stats::sampling::{seeded_rng, weighted::random_key};
/// let weights = [("control", 0.5), ("treatment", 0.5), ("holdout", 0.0)];
/// let key = random_key(&weights, &mut seeded_rng(11)).unwrap();
/// assert!(*key == "control" || *key == "treatment");
/// ```
pub fn random_key<'a, K, R: Rng + ?Sized>(weights: &'a [(K, f64)], rng: &mut R) -> Result<&'a K> {
    let values: Vec<f64> = weights.iter().map(|(_, w)| *w).collect();
    let index = CumulativeSampler::new(&values)?.sample(rng);
    Ok(&weights[index].0)
}

/// Repeated draws of keys by weight from a large dictionary through an [`AliasSampler`]:
/// O(n) build, O(1) per draw.
///
/// ```
/// use counterfact_stats::sampling::{seeded_rng, weighted::KeySampler};
/// let sampler = KeySampler::new(vec![("a", 1.0), ("b", 3.0)]).unwrap();
/// let mut rng = seeded_rng(2);
/// let bs = (0..4000).filter(|_| *sampler.sample(&mut rng) == "b").count();
/// assert!((2_850..3_150).contains(&bs));
/// ```
#[derive(Debug, Clone)]
pub struct KeySampler<K> {
    keys: Vec<K>,
    alias: AliasSampler,
}

impl<K> KeySampler<K> {
    /// Builds the sampler from (key, weight) pairs; an error for empty, negative, NaN, infinite
    /// or all-zero weights.
    pub fn new(weights: impl IntoIterator<Item = (K, f64)>) -> Result<Self> {
        let (keys, values): (Vec<K>, Vec<f64>) = weights.into_iter().unzip();
        let alias = AliasSampler::new(&values)?;
        Ok(KeySampler { keys, alias })
    }

    /// One key drawn with probability weight / total.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> &K {
        &self.keys[self.alias.sample(rng)]
    }

    /// The keys, in the order given.
    pub fn keys(&self) -> &[K] {
        &self.keys
    }
}
