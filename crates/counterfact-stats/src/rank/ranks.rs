//! Shared machinery of the rank tests: fast sorting of finite samples, tie-aware average ranks and
//! the walk over two sorted samples that yields the Mann-Whitney and Kolmogorov-Smirnov statistics.

use rayon::prelude::*;

/// Below this length a plain comparison sort is as fast as distributing into buckets.
const BUCKET_MIN_LEN: usize = 1 << 14;
/// Average number of values per first-level bucket: small enough to stay in cache while the
/// bucket is distributed again.
const VALUES_PER_BUCKET: usize = 2048;
/// Average number of values per second-level bucket, finished by insertion sort.
const VALUES_PER_SUB_BUCKET: usize = 8;
/// Buckets longer than this are finished by a comparison sort instead of insertion sort.
const INSERTION_MAX: usize = 32;

/// Sorts finite values ascending (−0.0 becomes +0.0 so that the two tie).
///
/// Large inputs are distributed into buckets by linear interpolation between the minimum and
/// maximum, which is monotone in the value (Neubert's flashsort; Knuth, TAOCP vol. 3, §5.2.5),
/// then each bucket is distributed once more in cache and finished by insertion sort, in
/// parallel. Skewed buckets fall back to a comparison sort, so the worst case stays
/// O(n log n) while smooth data sort in close to linear time.
pub fn sort_finite(data: &[f64]) -> Vec<f64> {
    let n = data.len();
    if n < BUCKET_MIN_LEN {
        let mut v: Vec<f64> = data.iter().map(|&x| x + 0.0).collect();
        v.sort_unstable_by(f64::total_cmp);
        return v;
    }
    let (min, max) = min_max(data);
    let mut out = vec![0.0; n];
    let counts = match distribute(data, min, max, n / VALUES_PER_BUCKET, &mut out) {
        Some(counts) => counts,
        None => return vec![min + 0.0; n],
    };
    let mut slices = Vec::with_capacity(counts.len());
    let mut rest: &mut [f64] = &mut out;
    for w in counts.windows(2) {
        let (head, tail) = rest.split_at_mut(w[1] - w[0]);
        slices.push(head);
        rest = tail;
    }
    slices
        .into_par_iter()
        .for_each_init(Vec::new, |scratch, s| sort_bucket(s, scratch));
    out
}

fn min_max(data: &[f64]) -> (f64, f64) {
    data.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        })
}

/// Writes `data` into `out` grouped by interpolation bucket (about `buckets` of them) and
/// returns the bucket boundaries, or None when all values are equal.
fn distribute(
    data: &[f64],
    min: f64,
    max: f64,
    buckets: usize,
    out: &mut [f64],
) -> Option<Vec<usize>> {
    let buckets = buckets.max(1);
    // Halving keeps max − min finite for any finite inputs.
    let (lo, span) = (min / 2.0, max / 2.0 - min / 2.0);
    if span <= 0.0 {
        return None;
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
    let mut next = counts.clone();
    for &v in data {
        let b = bucket_of(v);
        out[next[b]] = v + 0.0;
        next[b] += 1;
    }
    Some(counts)
}

/// Sorts one first-level bucket: a second, in-cache distribution, then insertion sort.
fn sort_bucket(s: &mut [f64], scratch: &mut Vec<f64>) {
    if s.len() <= INSERTION_MAX {
        insertion_sort(s);
        return;
    }
    let (min, max) = min_max(s);
    scratch.clear();
    scratch.resize(s.len(), 0.0);
    let Some(counts) = distribute(s, min, max, s.len() / VALUES_PER_SUB_BUCKET, scratch) else {
        return;
    };
    s.copy_from_slice(scratch);
    for w in counts.windows(2) {
        let sub = &mut s[w[0]..w[1]];
        if sub.len() <= INSERTION_MAX {
            insertion_sort(sub);
        } else {
            sub.sort_unstable_by(f64::total_cmp);
        }
    }
}

fn insertion_sort(s: &mut [f64]) {
    for i in 1..s.len() {
        let v = s[i];
        let mut j = i;
        while j > 0 && s[j - 1] > v {
            s[j] = s[j - 1];
            j -= 1;
        }
        s[j] = v;
    }
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
    // End of the run of values equal to s[start] (runs are rare in continuous data, so the
    // loop condition predicts well; only the x-or-y choice below is data dependent).
    fn run_end(s: &[f64], start: usize) -> usize {
        let v = s[start];
        let mut end = start + 1;
        while end < s.len() && s[end] == v {
            end += 1;
        }
        end
    }
    let (mut i, mut j) = (0, 0);
    while i < xs.len() && j < ys.len() {
        let (a, b) = (xs[i], ys[j]);
        if a < b {
            let e = run_end(xs, i);
            visit(PooledValue {
                value: a,
                in_x: e - i,
                in_y: 0,
            });
            i = e;
        } else if b < a {
            let e = run_end(ys, j);
            visit(PooledValue {
                value: b,
                in_x: 0,
                in_y: e - j,
            });
            j = e;
        } else {
            let (ex, ey) = (run_end(xs, i), run_end(ys, j));
            visit(PooledValue {
                value: a,
                in_x: ex - i,
                in_y: ey - j,
            });
            (i, j) = (ex, ey);
        }
    }
    while i < xs.len() {
        let e = run_end(xs, i);
        visit(PooledValue {
            value: xs[i],
            in_x: e - i,
            in_y: 0,
        });
        i = e;
    }
    while j < ys.len() {
        let e = run_end(ys, j);
        visit(PooledValue {
            value: ys[j],
            in_x: 0,
            in_y: e - j,
        });
        j = e;
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
