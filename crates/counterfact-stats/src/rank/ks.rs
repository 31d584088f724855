//! Two-sample Kolmogorov-Smirnov test.

use rayon::prelude::*;

use crate::error::{Result, StatsError, check_sample};
use crate::result::{Alternative, TestResult};

use super::PValueMethod;
use super::kolmogorov::{
    binom_is_finite, kolmogorov_sf, lattice_exit_probability, one_sided_equal, two_sided_equal,
};
use super::ranks::{merge_walk, sort_finite};

/// Pooled sizes from which the ECDF walk is split across threads.
const PARALLEL_MIN_LEN: usize = 1 << 16;
/// scipy's `auto` attempts the exact p-value while both samples have at most this many values.
const MAX_AUTO_EXACT_N: usize = 10_000;

/// Options of [`ks_2samp`]; `Default` gives scipy's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct KsOptions {
    /// `two-sided`: the distributions differ; `less`: the CDF of x lies below that of y somewhere
    /// (x tends to be larger, statistic D−); `greater`: the CDF of x lies above (statistic D+).
    pub alternative: Alternative,
    /// Exact, asymptotic, or scipy's automatic choice.
    pub method: PValueMethod,
}

/// The extreme ECDF differences of two samples and where they occur.
struct Extremes {
    /// max(F_x − F_y) ≥ 0 and its location.
    d_plus: f64,
    loc_plus: f64,
    /// max(F_y − F_x) ≥ 0 and its location.
    d_minus: f64,
    loc_minus: f64,
}

/// Tracks the first location of an extreme in scipy's order: values of x before values of y,
/// ascending within each.
struct Extreme {
    value: f64,
    in_x: Option<f64>,
    in_y: Option<f64>,
}

impl Extreme {
    fn offer(&mut self, diff: f64, at: f64, in_x: bool, in_y: bool) {
        if diff > self.value {
            *self = Extreme {
                value: diff,
                in_x: None,
                in_y: None,
            };
        }
        if diff == self.value {
            if in_x && self.in_x.is_none() {
                self.in_x = Some(at);
            }
            if in_y && self.in_y.is_none() {
                self.in_y = Some(at);
            }
        }
    }
    fn location(&self) -> f64 {
        self.in_x.or(self.in_y).unwrap_or(f64::NAN)
    }
}

/// The extremes of F_x − F_y over the pooled values of xs[i0..i1] and ys[j0..j1], a stretch that
/// starts after i0 values of x and j0 of y.
fn extremes_in(
    xs: &[f64],
    ys: &[f64],
    (i0, j0): (usize, usize),
    (i1, j1): (usize, usize),
) -> (Extreme, Extreme) {
    let (n1, n2) = (xs.len() as f64, ys.len() as f64);
    let (mut cx, mut cy) = (i0, j0);
    let mut hi = Extreme::new();
    let mut lo = Extreme::new();
    merge_walk(&xs[i0..i1], &ys[j0..j1], |v| {
        cx += v.in_x;
        cy += v.in_y;
        // The same floating-point expression as scipy's searchsorted(...)/n1 − .../n2.
        let diff = cx as f64 / n1 - cy as f64 / n2;
        hi.offer(diff, v.value, v.in_x > 0, v.in_y > 0);
        lo.offer(-diff, v.value, v.in_x > 0, v.in_y > 0);
    });
    (hi, lo)
}

/// Splits the pooled values into stretches at values of x (never inside a run of equal values)
/// and walks them in parallel; merging keeps the first location of each extreme, as one
/// sequential walk would.
fn extremes(xs: &[f64], ys: &[f64]) -> Extremes {
    let parts = if xs.len() + ys.len() >= PARALLEL_MIN_LEN {
        4 * rayon::current_num_threads()
    } else {
        1
    };
    let mut bounds = vec![(0, 0)];
    for p in 1..parts {
        let v = xs[p * xs.len() / parts];
        let cut = (
            xs.partition_point(|&a| a < v),
            ys.partition_point(|&b| b < v),
        );
        if bounds.last().is_some_and(|&last| cut > last) {
            bounds.push(cut);
        }
    }
    bounds.push((xs.len(), ys.len()));
    let (hi, lo) = bounds
        .par_windows(2)
        .map(|w| extremes_in(xs, ys, w[0], w[1]))
        .collect::<Vec<_>>()
        .into_iter()
        .fold((Extreme::new(), Extreme::new()), |(h, l), (h2, l2)| {
            (h.then(h2), l.then(l2))
        });
    Extremes {
        d_plus: hi.value,
        loc_plus: hi.location(),
        d_minus: lo.value.clamp(0.0, 1.0),
        loc_minus: lo.location(),
    }
}

impl Extreme {
    /// The extreme of a walk followed by a later walk.
    fn then(self, later: Extreme) -> Extreme {
        if later.value > self.value {
            later
        } else if later.value == self.value {
            Extreme {
                value: self.value,
                in_x: self.in_x.or(later.in_x),
                in_y: self.in_y.or(later.in_y),
            }
        } else {
            self
        }
    }

    fn new() -> Extreme {
        Extreme {
            value: f64::NEG_INFINITY,
            in_x: None,
            in_y: None,
        }
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Exact p-value and the statistic rounded to the lattice 1/lcm(n1, n2), or None where scipy
/// gives up on the exact computation.
fn exact_p_value(n1: u64, n2: u64, d: f64, two_sided: bool) -> Option<(f64, f64)> {
    let g = gcd(n1, n2);
    let lcm = (n1 / g) * n2;
    let h = (d * lcm as f64).round_ties_even() as u64;
    let d = h as f64 / lcm as f64;
    if h == 0 {
        return Some((d, 1.0));
    }
    let p = match (two_sided, n1 == n2) {
        (true, true) => two_sided_equal(n1, h),
        (false, true) => one_sided_equal(n1, h),
        (true, false) => lattice_exit_probability(n1, n2, g, h, true),
        (false, false) => {
            if !binom_is_finite(n1, n2) {
                return None;
            }
            lattice_exit_probability(n1, n2, g, h, false)
        }
    };
    (0.0..=1.0).contains(&p).then_some((d, p))
}

/// Asymptotic p-value: Kolmogorov's distribution at the effective size round(nm/(n+m)) for the
/// two-sided test, Hodges' (1958, eq. 5.3) refinement of Smirnov's limit for one-sided tests.
fn asymptotic_p_value(n1: u64, n2: u64, d: f64, two_sided: bool) -> Result<f64> {
    let (m, n) = (n1.max(n2) as f64, n1.min(n2) as f64);
    let en = m * n / (m + n);
    if two_sided {
        let size = en.round_ties_even();
        if size < 1.0 {
            return Err(StatsError::TooFew {
                what: "samples x and y (effective size n·m/(n+m) rounds to 0)".to_string(),
                n: 1,
                min: 2,
            });
        }
        Ok(kolmogorov_sf(size as u64, d))
    } else {
        let z = en.sqrt() * d;
        let expt = -2.0 * z * z - 2.0 * z * (m + 2.0 * n) / (m * n * (m + n)).sqrt() / 3.0;
        Ok(expt.exp().clamp(0.0, 1.0))
    }
}

/// Two-sample Kolmogorov-Smirnov test (Smirnov 1939), as scipy.stats.ks_2samp.
///
/// Ties within and across samples are handled by evaluating both ECDFs after each distinct
/// value. The exact p-value counts lattice paths (Hodges 1958; Gnedenko & Korolyuk 1951 for
/// equal sizes) and rounds the statistic to the lattice as scipy does; `auto` is exact while
/// both samples have at most 10,000 values. `extra` holds d_plus, d_minus, the location of the
/// statistic and its sign (+1 when F_x − F_y attains it).
pub fn ks_2samp(x: &[f64], y: &[f64], options: &KsOptions) -> Result<TestResult> {
    check_sample("sample x", x, 1)?;
    check_sample("sample y", y, 1)?;
    let (xs, ys) = rayon::join(|| sort_finite(x), || sort_finite(y));
    let e = extremes(&xs, &ys);
    let alternative = options.alternative;
    let use_minus = alternative == Alternative::Less
        || (alternative == Alternative::TwoSided && e.d_minus > e.d_plus);
    let (d, location, sign) = if use_minus {
        (e.d_minus, e.loc_minus, -1.0)
    } else {
        (e.d_plus, e.loc_plus, 1.0)
    };
    let (n1, n2) = (x.len() as u64, y.len() as u64);
    let two_sided = alternative == Alternative::TwoSided;
    let g = gcd(n1, n2);
    let mut notes = Vec::new();
    let try_exact = match options.method {
        PValueMethod::Auto => n1.max(n2) as usize <= MAX_AUTO_EXACT_N,
        PValueMethod::Asymptotic => false,
        PValueMethod::Exact => {
            let fits = ((n1 / g) as f64) < i32::MAX as f64 / (n2 / g) as f64;
            if !fits {
                notes.push("lcm(n1, n2) too large for the exact p-value".to_string());
            }
            fits
        }
    };
    let exact = if try_exact {
        let r = exact_p_value(n1, n2, d, two_sided);
        if r.is_none() {
            notes.push("exact p-value not computable at these sizes".to_string());
        }
        r
    } else {
        None
    };
    let (statistic, p_value, how) = match exact {
        Some((d, p)) => (d, p, "exact"),
        None => (d, asymptotic_p_value(n1, n2, d, two_sided)?, "asymptotic"),
    };
    notes.push(format!("p-value: {how}"));
    let mut result = TestResult::new("ks", alternative, statistic, p_value, vec![n1, n2])
        .with_extra("d_plus", e.d_plus)
        .with_extra("d_minus", e.d_minus)
        .with_extra("location", location)
        .with_extra("sign", sign);
    for note in notes {
        result = result.with_note(note);
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_walk_matches_one_walk() {
        for modulus in [7usize, 1000, 1 << 30] {
            let mut xs: Vec<f64> = (0..90_000).map(|i| ((i * 7919) % modulus) as f64).collect();
            let mut ys: Vec<f64> = (0..70_000)
                .map(|i| ((i * 104_729) % modulus) as f64 + 0.5 * (i % 2) as f64)
                .collect();
            xs.sort_unstable_by(f64::total_cmp);
            ys.sort_unstable_by(f64::total_cmp);
            let split = extremes(&xs, &ys);
            let (hi, lo) = extremes_in(&xs, &ys, (0, 0), (xs.len(), ys.len()));
            assert_eq!(split.d_plus, hi.value);
            assert_eq!(split.loc_plus, hi.location());
            assert_eq!(split.d_minus, lo.value.clamp(0.0, 1.0));
            assert_eq!(split.loc_minus, lo.location());
        }
    }
}
