//! Exact null distributions of the rank statistics, computed with positive-only recurrences in
//! probability space so that tail probabilities keep their relative precision and never overflow.

use crate::error::{Result, StatsError};

/// Largest number of recurrence steps an exact distribution may take (about a second of work).
const MAX_EXACT_WORK: f64 = 4e8;

/// Null pmf of the Mann-Whitney U statistic for samples of sizes `n1`, `n2` without ties,
/// indexed by U = 0..=n1·n2 (Mann & Whitney 1947, recurrence (2)).
///
/// The largest pooled observation comes from the first sample with probability a/(a+b), adding b
/// to U; the recurrence over (a, b) therefore only adds positive terms.
pub fn mann_whitney_pmf(n1: usize, n2: usize) -> Result<Vec<f64>> {
    let (m, n) = (n1.min(n2), n1.max(n2));
    let work = (m as f64 * n as f64).powi(2) / 4.0;
    if work > MAX_EXACT_WORK {
        return Err(StatsError::invalid(
            "method",
            "exact",
            &format!(
                "the exact Mann-Whitney distribution for sizes {n1} and {n2} is too costly; \
                 use the asymptotic method"
            ),
        ));
    }
    // prev[a] is the pmf for sizes (a, b − 1), cur[a] for (a, b); iterating over the larger
    // size outside keeps only O(m²n) values alive.
    let mut prev: Vec<Vec<f64>> = vec![vec![1.0]; m + 1];
    for b in 1..=n {
        let mut cur: Vec<Vec<f64>> = Vec::with_capacity(m + 1);
        cur.push(vec![1.0]);
        for a in 1..=m {
            let mut pmf = vec![0.0; a * b + 1];
            let wa = a as f64 / (a + b) as f64;
            let wb = b as f64 / (a + b) as f64;
            for (u, &p) in cur[a - 1].iter().enumerate() {
                pmf[u + b] += wa * p;
            }
            for (u, &p) in prev[a].iter().enumerate() {
                pmf[u] += wb * p;
            }
            cur.push(pmf);
        }
        prev = cur;
    }
    Ok(prev.swap_remove(m))
}

/// Null pmf of the Wilcoxon signed-rank statistic T+ for n non-zero, untied differences, indexed
/// by T+ = 0..=n(n+1)/2 (Wilcoxon 1945; each rank enters T+ with probability 1/2).
pub fn signed_rank_pmf(n: usize) -> Result<Vec<f64>> {
    let work = (n as f64).powi(3) / 4.0;
    if work > MAX_EXACT_WORK {
        return Err(StatsError::invalid(
            "method",
            "exact",
            &format!(
                "the exact signed-rank distribution for n = {n} is too costly; use the \
                 asymptotic method"
            ),
        ));
    }
    let max = n * (n + 1) / 2;
    let mut pmf = vec![0.0; max + 1];
    pmf[0] = 1.0;
    for k in 1..=n {
        let top = k * (k + 1) / 2;
        for s in (0..=top).rev() {
            let with = if s >= k { pmf[s - k] } else { 0.0 };
            pmf[s] = 0.5 * (pmf[s] + with);
        }
    }
    Ok(pmf)
}

/// P(S ≥ k) of a pmf on 0..len, summing the shorter tail directly.
pub fn upper_tail(pmf: &[f64], k: usize) -> f64 {
    if k >= pmf.len() {
        return 0.0;
    }
    if 2 * k >= pmf.len() {
        pmf[k..].iter().rev().sum()
    } else {
        (1.0 - pmf[..k].iter().sum::<f64>()).max(0.0)
    }
}

/// P(S ≤ k) of a pmf on 0..len, summing the shorter tail directly.
pub fn lower_tail(pmf: &[f64], k: usize) -> f64 {
    if k + 1 >= pmf.len() {
        return 1.0;
    }
    if 2 * k <= pmf.len() {
        pmf[..=k].iter().sum()
    } else {
        (1.0 - pmf[k + 1..].iter().rev().sum::<f64>()).max(0.0)
    }
}

/// The smallest q with P(S ≤ q) ≥ p for a pmf symmetric about its centre, as R's qwilcox and
/// qsignrank compute it (with their 10·ε slack, and via the upper tail for p > 1/2).
pub fn quantile(pmf: &[f64], p: f64) -> usize {
    let last = pmf.len() - 1;
    let mut acc = 0.0;
    if p <= 0.5 {
        let target = p - 10.0 * f64::EPSILON;
        for (q, &f) in pmf.iter().enumerate() {
            acc += f;
            if acc >= target {
                return q;
            }
        }
        last
    } else {
        let target = 1.0 - p + 10.0 * f64::EPSILON;
        for (q, &f) in pmf.iter().enumerate() {
            acc += f;
            if acc > target {
                return last - q;
            }
        }
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_distributions() {
        let p = mann_whitney_pmf(2, 3).unwrap();
        let want = [1.0, 1.0, 2.0, 2.0, 2.0, 1.0, 1.0].map(|c| c / 10.0);
        for (a, b) in p.iter().zip(want) {
            assert!((a - b).abs() < 1e-15);
        }
        let w = signed_rank_pmf(3).unwrap();
        let want = [1.0, 1.0, 1.0, 2.0, 1.0, 1.0, 1.0].map(|c| c / 8.0);
        for (a, b) in w.iter().zip(want) {
            assert!((a - b).abs() < 1e-15);
        }
    }
}
