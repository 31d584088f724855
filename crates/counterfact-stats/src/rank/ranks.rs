//! Shared machinery of the rank tests: fast sorting of finite samples, tie-aware average ranks and
//! the walk over two sorted samples that yields the Mann-Whitney and Kolmogorov-Smirnov statistics.

use rayon::prelude::*;

/// Below this length a comparison sort beats the radix sort's fixed passes.
const RADIX_MIN_LEN: usize = 4096;
/// Radix digit width in bits (11 bits: six passes cover the 64-bit key).
const DIGIT_BITS: u32 = 11;

/// An order-preserving unsigned key of a finite f64 (−0.0 and +0.0 share a key, so they tie).
fn key(v: f64) -> u64 {
    let bits = (v + 0.0).to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

fn from_key(k: u64) -> f64 {
    let bits = if k >> 63 == 1 { k & !(1 << 63) } else { !k };
    f64::from_bits(bits)
}

/// Sorts finite values ascending: LSD radix sort on the order-preserving bit pattern for large
/// inputs (Knuth, TAOCP vol. 3, §5.2.5), so that sorting is linear in the input size.
pub fn sort_finite(data: &[f64]) -> Vec<f64> {
    if data.len() < RADIX_MIN_LEN {
        let mut v: Vec<f64> = data.iter().map(|&x| x + 0.0).collect();
        v.sort_unstable_by(f64::total_cmp);
        return v;
    }
    let mut keys: Vec<u64> = data.par_iter().map(|&v| key(v)).collect();
    radix_sort_u64(&mut keys);
    keys.par_iter().map(|&k| from_key(k)).collect()
}

fn radix_sort_u64(keys: &mut Vec<u64>) {
    let buckets = 1usize << DIGIT_BITS;
    let mask = (buckets - 1) as u64;
    let passes = 64_u32.div_ceil(DIGIT_BITS);
    // One histogram per pass, gathered in a single read of the data.
    let mut hist = vec![vec![0usize; buckets]; passes as usize];
    for &k in keys.iter() {
        for (p, h) in hist.iter_mut().enumerate() {
            h[((k >> (p as u32 * DIGIT_BITS)) & mask) as usize] += 1;
        }
    }
    let mut buf = vec![0u64; keys.len()];
    for (p, h) in hist.iter().enumerate() {
        // A digit shared by every key leaves the order unchanged: skip the pass.
        if h.iter().any(|&c| c == keys.len()) {
            continue;
        }
        let shift = p as u32 * DIGIT_BITS;
        let mut offsets = vec![0usize; buckets];
        let mut total = 0;
        for (o, &c) in offsets.iter_mut().zip(h.iter()) {
            *o = total;
            total += c;
        }
        for &k in keys.iter() {
            let d = ((k >> shift) & mask) as usize;
            buf[offsets[d]] = k;
            offsets[d] += 1;
        }
        std::mem::swap(keys, &mut buf);
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
    fn radix_sort_matches_comparison_sort() {
        let data: Vec<f64> = (0..10_000)
            .map(|i| ((i * 7919) % 10_007) as f64 * if i % 3 == 0 { -1.5 } else { 0.25 })
            .chain([0.0, -0.0, f64::MAX, f64::MIN, 1e-310, -1e-310])
            .collect();
        let mut want = data.clone();
        want.sort_unstable_by(f64::total_cmp);
        let got = sort_finite(&data);
        for (g, w) in got.iter().zip(&want) {
            assert!(g == w);
        }
    }
}
