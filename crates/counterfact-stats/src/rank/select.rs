//! Order statistics of implicit pairwise sets without enumerating them: the pairwise differences
//! x_i − y_j (Hodges-Lehmann shift) and the Walsh averages (x_i + x_j)/2 (pseudo-median).
//!
//! Selection narrows a value bracket around the wanted rank, counting "how many elements are ≤ t"
//! with a monotone two-pointer sweep over the sorted samples in O(n + m) per step (the counting
//! idea of Johnson & Mizoguchi 1978 and Monahan 1984). Steps interpolate the count linearly to
//! place two probes just either side of the rank (shrinking the bracket ~30-fold per step on
//! smooth data) and fall back to bisection, so termination never depends on the data; once few
//! candidates remain they are gathered and selected directly.

use rayon::prelude::*;

/// Rows per parallel work item of a counting sweep.
const ROWS_PER_TASK: usize = 1 << 16;
/// Interpolation steps (two counting sweeps each) before falling back to bisection.
const GUESS_STEPS: usize = 16;
/// Value-axis bisections before switching to bisection on the bit pattern, which bounds the
/// number of steps even when values span many orders of magnitude.
const VALUE_STEPS: usize = 60;

/// A set of pairwise values defined by sorted samples, with a monotone counting sweep.
pub trait PairSet: Sync {
    /// Number of elements.
    fn total(&self) -> u64;
    /// Smallest element.
    fn min(&self) -> f64;
    /// Largest element.
    fn max(&self) -> f64;
    /// Number of elements ≤ t.
    fn count_le(&self, t: f64) -> u64;
    /// Appends the elements in (a, b] to `out`.
    fn collect_in(&self, a: f64, b: f64, out: &mut Vec<f64>);
    /// The smallest element > t (+inf if none).
    fn min_above(&self, t: f64) -> f64;
    /// Numbers of elements ≤ a and ≤ b.
    fn count_le_pair(&self, a: f64, b: f64) -> (u64, u64) {
        (self.count_le(a), self.count_le(b))
    }
}

/// The n·m differences x_i − y_j of two ascending samples.
pub struct PairwiseDifferences<'a> {
    /// First sample, ascending.
    pub xs: &'a [f64],
    /// Second sample, ascending.
    pub ys: &'a [f64],
}

impl PairwiseDifferences<'_> {
    /// First j with x_i − y_j ≤ t (x_i − y_j falls as j grows).
    fn first_le(&self, xi: f64, t: f64) -> usize {
        self.ys.partition_point(|&y| xi - y > t)
    }
}

impl PairSet for PairwiseDifferences<'_> {
    fn total(&self) -> u64 {
        self.xs.len() as u64 * self.ys.len() as u64
    }
    fn min(&self) -> f64 {
        self.xs[0] - self.ys[self.ys.len() - 1]
    }
    fn max(&self) -> f64 {
        self.xs[self.xs.len() - 1] - self.ys[0]
    }
    fn count_le(&self, t: f64) -> u64 {
        let m = self.ys.len();
        self.xs
            .par_chunks(ROWS_PER_TASK)
            .map(|rows| {
                // The boundary index only grows with x_i, so one sweep serves the whole chunk.
                let mut p = self.first_le(rows[0], t);
                let mut count = 0u64;
                for &xi in rows {
                    while p < m && xi - self.ys[p] > t {
                        p += 1;
                    }
                    count += (m - p) as u64;
                }
                count
            })
            .sum()
    }
    fn count_le_pair(&self, a: f64, b: f64) -> (u64, u64) {
        let m = self.ys.len();
        self.xs
            .par_chunks(ROWS_PER_TASK)
            .map(|rows| {
                let (mut p, mut q) = (self.first_le(rows[0], a), self.first_le(rows[0], b));
                let (mut ca, mut cb) = (0u64, 0u64);
                for &xi in rows {
                    while p < m && xi - self.ys[p] > a {
                        p += 1;
                    }
                    while q < m && xi - self.ys[q] > b {
                        q += 1;
                    }
                    ca += (m - p) as u64;
                    cb += (m - q) as u64;
                }
                (ca, cb)
            })
            .reduce(|| (0, 0), |x, y| (x.0 + y.0, x.1 + y.1))
    }
    fn collect_in(&self, a: f64, b: f64, out: &mut Vec<f64>) {
        let m = self.ys.len();
        // Both boundaries only move right as x_i grows.
        let (mut lo, mut hi) = (0, 0);
        for &xi in self.xs {
            while lo < m && xi - self.ys[lo] > b {
                lo += 1;
            }
            hi = hi.max(lo);
            while hi < m && xi - self.ys[hi] > a {
                hi += 1;
            }
            out.extend(self.ys[lo..hi].iter().map(|&y| xi - y));
        }
    }
    fn min_above(&self, t: f64) -> f64 {
        let m = self.ys.len();
        let mut p = 0;
        let mut best = f64::INFINITY;
        for &xi in self.xs {
            while p < m && xi - self.ys[p] > t {
                p += 1;
            }
            // Row i's elements above t are j < p; the smallest of them is at j = p − 1.
            if p > 0 {
                best = best.min(xi - self.ys[p - 1]);
            }
        }
        best
    }
}

/// The n(n+1)/2 Walsh averages (x_i + x_j)/2, i ≤ j, of an ascending sample.
pub struct WalshAverages<'a> {
    /// The sample, ascending.
    pub xs: &'a [f64],
}

/// Mean of two values without overflow for finite inputs of large magnitude.
pub fn walsh(a: f64, b: f64) -> f64 {
    let s = a + b;
    if s.is_finite() {
        s / 2.0
    } else {
        a / 2.0 + b / 2.0
    }
}

impl WalshAverages<'_> {
    /// First j ≥ i with (x_i + x_j)/2 > t.
    fn first_gt(&self, i: usize, t: f64) -> usize {
        let xi = self.xs[i];
        i + self.xs[i..].partition_point(|&x| walsh(xi, x) <= t)
    }
}

impl PairSet for WalshAverages<'_> {
    fn total(&self) -> u64 {
        let n = self.xs.len() as u64;
        n * (n + 1) / 2
    }
    fn min(&self) -> f64 {
        self.xs[0]
    }
    fn max(&self) -> f64 {
        self.xs[self.xs.len() - 1]
    }
    fn count_le(&self, t: f64) -> u64 {
        let n = self.xs.len();
        (0..n)
            .into_par_iter()
            .step_by(ROWS_PER_TASK)
            .map(|start| {
                let end = (start + ROWS_PER_TASK).min(n);
                // The end of row i's run only shrinks as x_i grows.
                let mut q = self.first_gt(start, t);
                let mut count = 0u64;
                for i in start..end {
                    let xi = self.xs[i];
                    while q > i && walsh(xi, self.xs[q - 1]) > t {
                        q -= 1;
                    }
                    count += q.saturating_sub(i) as u64;
                }
                count
            })
            .sum()
    }
    fn collect_in(&self, a: f64, b: f64, out: &mut Vec<f64>) {
        let n = self.xs.len();
        // Run ends only move left as x_i grows; they never fall below the diagonal.
        let (mut lo, mut hi) = (n, n);
        for i in 0..n {
            let xi = self.xs[i];
            while lo > i && walsh(xi, self.xs[lo - 1]) > a {
                lo -= 1;
            }
            while hi > i && walsh(xi, self.xs[hi - 1]) > b {
                hi -= 1;
            }
            let (start, end) = (lo.max(i), hi.max(i));
            if end > start {
                out.extend(self.xs[start..end].iter().map(|&x| walsh(xi, x)));
            }
        }
    }
    fn min_above(&self, t: f64) -> f64 {
        let n = self.xs.len();
        let mut q = n;
        let mut best = f64::INFINITY;
        for i in 0..n {
            let xi = self.xs[i];
            while q > i && walsh(xi, self.xs[q - 1]) > t {
                q -= 1;
            }
            // Row i's elements above t are j ≥ max(q, i); the smallest is the first of them.
            let j = q.max(i);
            if j < n {
                best = best.min(walsh(xi, self.xs[j]));
            }
        }
        best
    }
}

/// Two values expected to bracket rank k tightly, by linear interpolation of the count between
/// lo and hi (the elements' empirical CDF is close to linear on a short interval), aiming a
/// margin of ranks either side of k; a probe may land on an end of the bracket, and None means
/// the interval is too wide to interpolate or both probes fell on its ends.
fn guesses(
    lo: f64,
    hi: f64,
    c_lo: u64,
    c_hi: u64,
    k: u64,
    budget: u64,
    margin_frac: f64,
) -> Option<(f64, f64)> {
    let width = hi - lo;
    if !width.is_finite() {
        return None;
    }
    let cand = (c_hi - c_lo) as f64;
    let margin = (budget as f64 / 4.0).max(cand * margin_frac);
    let at = |rank: f64| lo + width * ((rank - c_lo as f64) / cand).clamp(0.0, 1.0);
    let t1 = at(k as f64 - margin);
    let t2 = at(k as f64 + 1.0 + margin);
    let (t1, t2) = (t1.max(lo), t2.min(hi));
    (t1 <= t2 && (lo < t1 || t2 < hi)).then_some((t1, t2))
}

fn ordered_key(v: f64) -> i64 {
    let bits = (v + 0.0).to_bits() as i64;
    if bits < 0 { bits ^ i64::MAX } else { bits }
}

fn from_ordered_key(k: i64) -> f64 {
    f64::from_bits(if k < 0 {
        (k ^ i64::MAX) as u64
    } else {
        k as u64
    })
}

/// The element of 0-based rank `k` (k < total) of a non-empty pairwise set.
pub fn kth_smallest<S: PairSet>(set: &S, k: u64) -> f64 {
    let total = set.total();
    let k = k.min(total.saturating_sub(1));
    let mut lo = set.min();
    let mut c_lo = set.count_le(lo);
    if c_lo > k {
        return lo;
    }
    let mut hi = set.max();
    let mut c_hi = total;
    let budget = (total / 64).clamp(1 << 16, 1 << 20);
    let mut step = 0;
    // Fraction of the candidates kept either side of the interpolated rank: shrinks while the
    // interpolation proves accurate, grows when a probe misses.
    let mut margin_frac = 1.0 / 64.0;
    loop {
        if c_hi - c_lo <= budget {
            let mut cand = Vec::with_capacity((c_hi - c_lo) as usize);
            set.collect_in(lo, hi, &mut cand);
            if cand.is_empty() {
                return hi;
            }
            let idx = ((k - c_lo) as usize).min(cand.len() - 1);
            let (_, v, _) = cand.select_nth_unstable_by(idx, f64::total_cmp);
            return *v;
        }
        if step < GUESS_STEPS {
            step += 1;
            if let Some((t1, t2)) = guesses(lo, hi, c_lo, c_hi, k, budget, margin_frac) {
                let before = c_hi - c_lo;
                // A probe clamped to an end of the bracket already has its count.
                let (c1, c2) = match (t1 > lo, t2 < hi) {
                    (true, true) => set.count_le_pair(t1, t2),
                    (true, false) => (set.count_le(t1), c_hi),
                    (false, true) => (c_lo, set.count_le(t2)),
                    (false, false) => (c_lo, c_hi),
                };
                margin_frac = if c1 <= k && k < c2 {
                    (margin_frac / 8.0).max(1.0 / 65536.0)
                } else {
                    (margin_frac * 8.0).min(0.25)
                };
                if c1 > k {
                    (hi, c_hi) = (t1, c1);
                } else {
                    (lo, c_lo) = (t1, c1);
                    if c2 > k {
                        (hi, c_hi) = (t2, c2);
                    } else {
                        (lo, c_lo) = (t2, c2);
                    }
                }
                if c_hi - c_lo < before {
                    continue;
                }
            }
        }
        let mid = if step < GUESS_STEPS + VALUE_STEPS {
            lo / 2.0 + hi / 2.0
        } else {
            let (a, b) = (ordered_key(lo), ordered_key(hi));
            from_ordered_key(a + (b - a) / 2)
        };
        if mid <= lo || mid >= hi {
            // lo and hi are adjacent floats: everything in (lo, hi] equals hi.
            return hi;
        }
        let c = set.count_le(mid);
        if c > k {
            hi = mid;
            c_hi = c;
        } else {
            lo = mid;
            c_lo = c;
        }
        step += 1;
    }
}

/// Median of a non-empty pairwise set (mean of the two middle elements for an even count).
pub fn median<S: PairSet>(set: &S) -> f64 {
    let total = set.total();
    if total % 2 == 1 {
        kth_smallest(set, total / 2)
    } else {
        let k = total / 2 - 1;
        let a = kth_smallest(set, k);
        // The next order statistic is a again if a is tied, else the smallest element above a.
        let b = if set.count_le(a) > k + 1 {
            a
        } else {
            set.min_above(a)
        };
        a / 2.0 + b / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_matches_enumeration() {
        for tied in [false, true] {
            let scale = |v: usize, m: usize| {
                if tied {
                    (v % 7) as f64
                } else {
                    (v % m) as f64 * 0.37
                }
            };
            let mut xs: Vec<f64> = (0..1000).map(|i| scale(i * 37, 1009)).collect();
            let mut ys: Vec<f64> = (0..700).map(|i| scale(i * 53, 701) - 3.0).collect();
            xs.sort_unstable_by(f64::total_cmp);
            ys.sort_unstable_by(f64::total_cmp);
            let d = PairwiseDifferences { xs: &xs, ys: &ys };
            let mut all: Vec<f64> = xs
                .iter()
                .flat_map(|&x| ys.iter().map(move |&y| x - y))
                .collect();
            all.sort_unstable_by(f64::total_cmp);
            for k in [0, 1, 777, 30_000, 349_999, 350_000, 699_999] {
                assert_eq!(kth_smallest(&d, k as u64), all[k], "k = {k}, tied = {tied}");
            }
            let mut w_all = Vec::new();
            for i in 0..xs.len() {
                for j in i..xs.len() {
                    w_all.push(walsh(xs[i], xs[j]));
                }
            }
            w_all.sort_unstable_by(f64::total_cmp);
            let w = WalshAverages { xs: &xs };
            for k in [0, 5, 20_000, 250_249, w_all.len() - 1] {
                assert_eq!(
                    kth_smallest(&w, k as u64),
                    w_all[k],
                    "k = {k}, tied = {tied}"
                );
            }
        }
    }

    #[test]
    fn min_above_matches_enumeration() {
        let xs: Vec<f64> = (0..300).map(|i| ((i * 37) % 101) as f64 * 0.5).collect();
        let ys: Vec<f64> = (0..200)
            .map(|i| ((i * 53) % 89) as f64 * 0.75 - 3.0)
            .collect();
        let mut xs = xs;
        let mut ys = ys;
        xs.sort_unstable_by(f64::total_cmp);
        ys.sort_unstable_by(f64::total_cmp);
        let d = PairwiseDifferences { xs: &xs, ys: &ys };
        let mut all = Vec::new();
        for i in 0..xs.len() {
            for j in i..xs.len() {
                all.push(walsh(xs[i], xs[j]));
            }
        }
        let w = WalshAverages { xs: &xs };
        let mut all = Vec::new();
        for i in 0..xs.len() {
            for j in i..xs.len() {
                all.push(walsh(xs[i], xs[j]));
            }
        }
        for t in [-1.0, 3.3, 20.0, 24.75] {
            let above = all
                .iter()
                .copied()
                .filter(|&v| v > t)
                .fold(f64::INFINITY, f64::min);
            assert_eq!(w.min_above(t), above);
        }
        let diffs: Vec<f64> = xs
            .iter()
            .flat_map(|&x| ys.iter().map(move |&y| x - y))
            .collect();
        for t in [-100.0, -3.0, 0.0, 7.25, 60.0] {
            let above = diffs
                .iter()
                .copied()
                .filter(|&v| v > t)
                .fold(f64::INFINITY, f64::min);
            assert_eq!(d.min_above(t), above);
        }
    }
}
