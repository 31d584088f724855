//! Shared machinery of the rank tests: fast sorting of finite samples, tie-aware average ranks and
//! the walk over two sorted samples that yields the Mann-Whitney and Kolmogorov-Smirnov statistics.

use rayon::prelude::*;

/// Below this length a plain comparison sort is as fast as distributing into buckets.
const BUCKET_MIN_LEN: usize = 1 << 14;
/// Average number of values per bucket: small enough that each bucket sorts inside the cache.
const VALUES_PER_BUCKET: usize = 128;

/// Sorts finite values ascending (−0.0 becomes +0.0 so that the two tie).
///
/// Large inputs are distributed into buckets by linear interpolation between the minimum and
/// maximum (Neubert's flashsort idea; Knuth, TAOCP vol. 3, §5.2.5), which is monotone in the
/// value, and the buckets are then sorted in parallel with a comparison sort, so the work stays
/// O(n log n) in the worst case and is close to linear for smooth data.
pub fn sort_finite(data: &[f64]) -> Vec<f64> {
    let n = data.len();
    if n < BUCKET_MIN_LEN {
        let mut v: Vec<f64> = data.iter().map(|&x| x + 0.0).collect();
        v.sort_unstable_by(f64::total_cmp);
        return v;
    }
    let (min, max) = data
        .par_iter()
        .fold(
            || (f64::INFINITY, f64::NEG_INFINITY),
            |(lo, hi), &v| (lo.min(v), hi.max(v)),
        )
        .reduce(
            || (f64::INFINITY, f64::NEG_INFINITY),
            |a, b| (a.0.min(b.0), a.1.max(b.1)),
        );
    let buckets = (n / VALUES_PER_BUCKET).max(1);
    // Halving keeps max − min finite for any finite inputs.
    let (lo, span) = (min / 2.0, max / 2.0 - min / 2.0);
    if span <= 0.0 {
        return vec![min + 0.0; n];
    }
    let scale = buckets as f64 / span;
    let bucket_of = |v: f64| (((v / 2.0 - lo) * scale) as usize).min(buckets - 1);
    let mut counts = vec![0usize; buckets + 1];
    for &v in data {
        counts[bucket_of(v) + 1] += 1;
    }
    for b in 1..=buckets {
        counts[b] += counts[b - 1];
    }
    let mut out = vec![0.0; n];
    let mut next = counts.clone();
    for &v in data {
        let b = bucket_of(v);
        out[next[b]] = v + 0.0;
        next[b] += 1;
    }
    let mut slices = Vec::with_capacity(buckets);
    let mut rest: &mut [f64] = &mut out;
    for b in 0..buckets {
        let (head, tail) = rest.split_at_mut(counts[b + 1] - counts[b]);
        slices.push(head);
        rest = tail;
    }
    slices
        .into_par_iter()
        .with_min_len(64)
        .for_each(|s| s.sort_unstable_by(f64::total_cmp));
    out
}

/// One distinct value of the pooled sample with its multiplicity in each sample.
#[derive(Debug, Clone, Copy)]
pub struct PooledValue {
    /// The value.
    pub value: f64,
    /// How often it occurs in the first sample.
    pub in_x: usize,
    /// How often it occurs in the second sample.
    pub in_y: usize,
}

/// Calls `visit` for each distinct value of two ascending samples in increasing order.
pub fn merge_walk(xs: &[f64], ys: &[f64], mut visit: impl FnMut(PooledValue)) {
    let (mut i, mut j) = (0, 0);
    while i < xs.len() || j < ys.len() {
        let value = match (xs.get(i), ys.get(j)) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => break,
        };
        let i0 = i;
        while i < xs.len() && xs[i] == value {
            i += 1;
        }
        let j0 = j;
        while j < ys.len() && ys[j] == value {
            j += 1;
        }
        visit(PooledValue {
            value,
            in_x: i - i0,
            in_y: j - j0,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_sort_matches_comparison_sort() {
        let data: Vec<f64> = (0..50_000)
            .map(|i| ((i * 7919) % 10_007) as f64 * if i % 3 == 0 { -1.5 } else { 0.25 })
            .chain([0.0, -0.0, f64::MAX, f64::MIN, 1e-310, -1e-310])
            .collect();
        let mut want = data.clone();
        want.sort_unstable_by(f64::total_cmp);
        let got = sort_finite(&data);
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert!(g == w);
        }
        let skewed: Vec<f64> = (0..40_000)
            .map(|i| if i % 1000 == 0 { 1e300 } else { (i % 7) as f64 })
            .collect();
        let mut want = skewed.clone();
        want.sort_unstable_by(f64::total_cmp);
        assert_eq!(sort_finite(&skewed), want);
        assert_eq!(sort_finite(&[2.0; 20_000]), vec![2.0; 20_000]);
    }
}
