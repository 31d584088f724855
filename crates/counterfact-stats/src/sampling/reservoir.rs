//! Reservoir sampling over streams of unknown length.

use super::open_unit;
use crate::error::{Result, StatsError};
use rand::{Rng, RngExt};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

fn check_k(k: usize) -> Result<()> {
    if k == 0 {
        return Err(StatsError::invalid(
            "k",
            k,
            "the reservoir size must be at least 1",
        ));
    }
    Ok(())
}

/// A uniform sample of one item from a stream in O(1) memory (Knuth, TAOCP vol. 2, §3.4.2,
/// Algorithm R with k = 1): keeps (choice, count) and, on the k-th item, replaces the choice
/// with probability 1/k, so after k items each of them is the choice with probability 1/k.
///
/// ```
/// use counterfact_stats::sampling::{reservoir::SingleReservoir, seeded_rng};
/// let mut rng = seeded_rng(1);
/// let mut reservoir = SingleReservoir::new();
/// assert_eq!(reservoir.choice(), None);
/// for item in ["a", "b", "c"] {
///     reservoir.push(item, &mut rng);
/// }
/// assert_eq!(reservoir.count(), 3);
/// assert!(["a", "b", "c"].contains(reservoir.choice().unwrap()));
/// ```
#[derive(Debug, Clone)]
pub struct SingleReservoir<T> {
    choice: Option<T>,
    count: u64,
}

impl<T> SingleReservoir<T> {
    /// An empty reservoir.
    pub fn new() -> Self {
        SingleReservoir {
            choice: None,
            count: 0,
        }
    }

    /// Offers the next stream item; it becomes the choice with probability 1/count.
    pub fn push<R: Rng + ?Sized>(&mut self, item: T, rng: &mut R) {
        self.count += 1;
        if self.count == 1 || rng.random_range(0..self.count) == 0 {
            self.choice = Some(item);
        }
    }

    /// The current choice; `None` before the first item.
    pub fn choice(&self) -> Option<&T> {
        self.choice.as_ref()
    }

    /// Items seen so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The final choice; `None` for an empty stream.
    pub fn into_choice(self) -> Option<T> {
        self.choice
    }
}

impl<T> Default for SingleReservoir<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// One item chosen uniformly from `items` by [`SingleReservoir`]; `None` for an empty stream.
///
/// ```
/// use counterfact_stats::sampling::{reservoir::sample_one, seeded_rng};
/// let pick = sample_one(1..=6, &mut seeded_rng(3)).unwrap();
/// assert!((1..=6).contains(&pick));
/// assert_eq!(sample_one(std::iter::empty::<u8>(), &mut seeded_rng(3)), None);
/// ```
pub fn sample_one<I: IntoIterator, R: Rng + ?Sized>(items: I, rng: &mut R) -> Option<I::Item> {
    let mut reservoir = SingleReservoir::new();
    for item in items {
        reservoir.push(item, rng);
    }
    reservoir.into_choice()
}

/// A uniform sample of k items without replacement from a stream by Algorithm R (Vitter 1985,
/// "Random sampling with a reservoir", ACM TOMS 11(1), attributing it to Waterman): item t > k
/// replaces a uniformly chosen slot with probability k/t. O(k) memory, one random number per
/// item.
///
/// ```
/// use counterfact_stats::sampling::{reservoir::ReservoirR, seeded_rng};
/// let mut rng = seeded_rng(5);
/// let mut reservoir = ReservoirR::new(3).unwrap();
/// for item in 0..100 {
///     reservoir.push(item, &mut rng);
/// }
/// assert_eq!(reservoir.seen(), 100);
/// assert_eq!(reservoir.sample().len(), 3);
/// ```
#[derive(Debug, Clone)]
pub struct ReservoirR<T> {
    k: usize,
    sample: Vec<T>,
    seen: u64,
}

impl<T> ReservoirR<T> {
    /// An empty reservoir of size `k` (k ≥ 1).
    pub fn new(k: usize) -> Result<Self> {
        check_k(k)?;
        Ok(ReservoirR {
            k,
            sample: Vec::with_capacity(k),
            seen: 0,
        })
    }

    /// Offers the next stream item.
    pub fn push<R: Rng + ?Sized>(&mut self, item: T, rng: &mut R) {
        self.seen += 1;
        if self.sample.len() < self.k {
            self.sample.push(item);
            return;
        }
        let slot = rng.random_range(0..self.seen);
        if let Some(kept) = usize::try_from(slot)
            .ok()
            .and_then(|s| self.sample.get_mut(s))
        {
            *kept = item;
        }
    }

    /// The current sample (fewer than k items while the stream is shorter than k).
    pub fn sample(&self) -> &[T] {
        &self.sample
    }

    /// Items seen so far.
    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// The final sample.
    pub fn into_sample(self) -> Vec<T> {
        self.sample
    }
}

/// k items sampled uniformly without replacement from `items` by Algorithm R ([`ReservoirR`]).
///
/// ```
/// use counterfact_stats::sampling::{reservoir::reservoir_r, seeded_rng};
/// let sample = reservoir_r(0..1000, 10, &mut seeded_rng(9)).unwrap();
/// assert_eq!(sample.len(), 10);
/// ```
pub fn reservoir_r<I: IntoIterator, R: Rng + ?Sized>(
    items: I,
    k: usize,
    rng: &mut R,
) -> Result<Vec<I::Item>> {
    let mut reservoir = ReservoirR::new(k)?;
    for item in items {
        reservoir.push(item, rng);
    }
    Ok(reservoir.into_sample())
}

/// A uniform sample of k items by Algorithm L (Li 1994, "Reservoir-sampling algorithms of time
/// complexity O(n(1 + log(N/n)))", ACM TOMS 20(4)): instead of one random number per item it
/// draws the geometric number of items to skip before the next replacement, so it needs
/// O(k (1 + log(N/k))) random numbers for N items. Skipped items cost one counter decrement in
/// [`ReservoirL::push`] and nothing at all through [`reservoir_l`] on iterators whose `nth` is
/// O(1).
///
/// ```
/// use counterfact_stats::sampling::{reservoir::ReservoirL, seeded_rng};
/// let mut rng = seeded_rng(5);
/// let mut reservoir = ReservoirL::new(2).unwrap();
/// for item in ["a", "b", "c", "d"] {
///     reservoir.push(item, &mut rng);
/// }
/// assert_eq!(reservoir.sample().len(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct ReservoirL<T> {
    k: usize,
    sample: Vec<T>,
    seen: u64,
    /// Running value W = max key threshold, the product of U^(1/k) draws.
    w: f64,
    /// Items still to skip before the next replacement.
    skip: u64,
}

impl<T> ReservoirL<T> {
    /// An empty reservoir of size `k` (k ≥ 1).
    pub fn new(k: usize) -> Result<Self> {
        check_k(k)?;
        Ok(ReservoirL {
            k,
            sample: Vec::with_capacity(k),
            seen: 0,
            w: 1.0,
            skip: 0,
        })
    }

    fn shrink_w<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        self.w *= (open_unit(rng).ln() / self.k as f64).exp();
    }

    /// Geometric skip length with success probability W: floor(ln U / ln(1 − W)).
    fn draw_skip<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        let skip = (open_unit(rng).ln() / (-self.w).ln_1p()).floor();
        // Saturating float-to-int cast: an astronomically long skip just means "never again".
        skip as u64
    }

    fn replace<R: Rng + ?Sized>(&mut self, item: T, rng: &mut R) {
        let slot = rng.random_range(0..self.k);
        if let Some(kept) = self.sample.get_mut(slot) {
            *kept = item;
        }
        self.shrink_w(rng);
        self.skip = self.draw_skip(rng);
    }

    /// Offers the next stream item.
    pub fn push<R: Rng + ?Sized>(&mut self, item: T, rng: &mut R) {
        self.seen += 1;
        if self.sample.len() < self.k {
            self.sample.push(item);
            if self.sample.len() == self.k {
                self.shrink_w(rng);
                self.skip = self.draw_skip(rng);
            }
        } else if self.skip > 0 {
            self.skip -= 1;
        } else {
            self.replace(item, rng);
        }
    }

    /// The current sample (fewer than k items while the stream is shorter than k).
    pub fn sample(&self) -> &[T] {
        &self.sample
    }

    /// Items seen so far.
    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// The final sample.
    pub fn into_sample(self) -> Vec<T> {
        self.sample
    }
}

/// k items sampled uniformly without replacement from `items` by Algorithm L ([`ReservoirL`]),
/// skipping with [`Iterator::nth`] so that ranges and slices are never walked item by item.
///
/// ```
/// use counterfact_stats::sampling::{reservoir::reservoir_l, seeded_rng};
/// let sample = reservoir_l(0..100_000_000u64, 5, &mut seeded_rng(2)).unwrap();
/// assert_eq!(sample.len(), 5);
/// ```
pub fn reservoir_l<I: IntoIterator, R: Rng + ?Sized>(
    items: I,
    k: usize,
    rng: &mut R,
) -> Result<Vec<I::Item>> {
    let mut reservoir = ReservoirL::new(k)?;
    let mut items = items.into_iter();
    for item in items.by_ref().take(k) {
        reservoir.push(item, rng);
    }
    if reservoir.sample.len() < k {
        return Ok(reservoir.into_sample());
    }
    loop {
        let skip = usize::try_from(reservoir.skip).unwrap_or(usize::MAX);
        let Some(item) = items.nth(skip) else {
            break;
        };
        reservoir.replace(item, rng);
    }
    Ok(reservoir.into_sample())
}

/// Which weighted reservoir algorithm of Efraimidis & Spirakis (2006) to run.
///
/// ```
/// use counterfact_stats::sampling::reservoir::{weighted_reservoir, WeightedMethod};
/// use counterfact_stats::sampling::seeded_rng;
/// let stream = (0..10_000).map(|i| (i, 1.0 + (i % 10) as f64));
/// let sample = weighted_reservoir(stream, 8, WeightedMethod::AExpJ, &mut seeded_rng(0)).unwrap();
/// assert_eq!(sample.len(), 8);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightedMethod {
    /// A-Res: every item draws key U^(1/w); the k largest keys form the sample.
    ARes,
    /// A-ExpJ: exponential jumps; draws a random number only when an item enters the reservoir
    /// (O(k log(N/k)) random numbers), with the same sample distribution as A-Res.
    AExpJ,
}

struct Keyed<T> {
    /// ln of the Efraimidis–Spirakis key U^(1/w): ln(U)/w, monotone in the key and free of
    /// underflow for tiny weights.
    log_key: f64,
    item: T,
}

impl<T> Ord for Keyed<T> {
    // Reversed so that `BinaryHeap` is a min-heap on the key.
    fn cmp(&self, other: &Self) -> Ordering {
        other.log_key.total_cmp(&self.log_key)
    }
}

impl<T> PartialOrd for Keyed<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> PartialEq for Keyed<T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<T> Eq for Keyed<T> {}

/// Weighted sampling of k items without replacement from a stream (Efraimidis & Spirakis 2006,
/// "Weighted random sampling with a reservoir", Information Processing Letters 97(5)), by A-Res
/// or A-ExpJ ([`WeightedMethod`]). The sample has the distribution of k successive draws, each
/// picking a remaining item with probability proportional to its weight. Zero-weight items are
/// never sampled; negative, NaN or infinite weights are an error. O(log k) per entering item.
///
/// ```
/// use counterfact_stats::sampling::reservoir::{WeightedMethod, WeightedReservoir};
/// use counterfact_stats::sampling::seeded_rng;
/// let mut rng = seeded_rng(4);
/// let mut reservoir = WeightedReservoir::new(2, WeightedMethod::AExpJ).unwrap();
/// for (item, weight) in [("rare", 0.1), ("common", 10.0), ("never", 0.0), ("mid", 1.0)] {
///     reservoir.push(item, weight, &mut rng).unwrap();
/// }
/// assert!(reservoir.push("bad", -1.0, &mut rng).is_err());
/// let sample = reservoir.into_sample();
/// assert_eq!(sample.len(), 2);
/// assert!(!sample.contains(&"never"));
/// ```
pub struct WeightedReservoir<T> {
    k: usize,
    method: WeightedMethod,
    heap: BinaryHeap<Keyed<T>>,
    seen: u64,
    /// A-ExpJ: weight still to pass before the next item enters.
    jump: f64,
}

impl<T> WeightedReservoir<T> {
    /// An empty reservoir of size `k` (k ≥ 1).
    pub fn new(k: usize, method: WeightedMethod) -> Result<Self> {
        check_k(k)?;
        Ok(WeightedReservoir {
            k,
            method,
            heap: BinaryHeap::with_capacity(k),
            seen: 0,
            jump: 0.0,
        })
    }

    fn min_log_key(&self) -> f64 {
        self.heap.peek().map_or(f64::NEG_INFINITY, |e| e.log_key)
    }

    fn draw_jump<R: Rng + ?Sized>(&mut self, rng: &mut R) {
        // X_w = ln(r) / ln(T_w), T_w the smallest key in the reservoir.
        self.jump = open_unit(rng).ln() / self.min_log_key();
    }

    /// Offers the next stream item with its weight; an error (and no change) when the weight is
    /// negative, NaN or infinite.
    pub fn push<R: Rng + ?Sized>(&mut self, item: T, weight: f64, rng: &mut R) -> Result<()> {
        if !(weight.is_finite() && weight >= 0.0) {
            return Err(StatsError::NonFinite {
                what: "weight (must be finite and >= 0)".to_string(),
                index: usize::try_from(self.seen).unwrap_or(usize::MAX),
                value: weight,
            });
        }
        self.seen += 1;
        if weight == 0.0 {
            return Ok(());
        }
        if self.heap.len() < self.k {
            let log_key = open_unit(rng).ln() / weight;
            self.heap.push(Keyed { log_key, item });
            if self.heap.len() == self.k && self.method == WeightedMethod::AExpJ {
                self.draw_jump(rng);
            }
            return Ok(());
        }
        match self.method {
            WeightedMethod::ARes => {
                let log_key = open_unit(rng).ln() / weight;
                if log_key > self.min_log_key() {
                    self.heap.pop();
                    self.heap.push(Keyed { log_key, item });
                }
            }
            WeightedMethod::AExpJ => {
                self.jump -= weight;
                if self.jump <= 0.0 {
                    // The new key is U^(1/w) with U uniform on (T_w^w, 1): above the threshold.
                    let floor = (weight * self.min_log_key()).exp();
                    let u = floor + (1.0 - floor) * open_unit(rng);
                    let log_key = u.ln() / weight;
                    self.heap.pop();
                    self.heap.push(Keyed { log_key, item });
                    self.draw_jump(rng);
                }
            }
        }
        Ok(())
    }

    /// Items offered so far (including zero-weight ones).
    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// Items currently held.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether no item is held.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// The sample, ordered by decreasing key: this order is distributed as the order of
    /// successive weighted draws without replacement.
    pub fn into_sample(self) -> Vec<T> {
        // `into_sorted_vec` sorts ascending by `Ord`, which is reversed: largest key first.
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|e| e.item)
            .collect()
    }
}

/// k items sampled by weight without replacement from `(item, weight)` pairs
/// ([`WeightedReservoir`]).
///
/// ```
/// use counterfact_stats::sampling::reservoir::{weighted_reservoir, WeightedMethod};
/// use counterfact_stats::sampling::seeded_rng;
/// let items = [("a", 1.0), ("b", 2.0), ("c", 3.0)];
/// let sample = weighted_reservoir(items, 2, WeightedMethod::ARes, &mut seeded_rng(1)).unwrap();
/// assert_eq!(sample.len(), 2);
/// ```
pub fn weighted_reservoir<T, I, R>(
    items: I,
    k: usize,
    method: WeightedMethod,
    rng: &mut R,
) -> Result<Vec<T>>
where
    I: IntoIterator<Item = (T, f64)>,
    R: Rng + ?Sized,
{
    let mut reservoir = WeightedReservoir::new(k, method)?;
    for (item, weight) in items {
        reservoir.push(item, weight, rng)?;
    }
    Ok(reservoir.into_sample())
}
