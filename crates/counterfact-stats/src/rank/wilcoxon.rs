//! Wilcoxon signed-rank test with the Hodges-Lehmann pseudo-median.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::dist::{ContinuousDistribution, Normal};
use crate::error::{Result, StatsError, check_confidence, check_sample};
use crate::result::{Alternative, TestResult};

use super::PValueMethod;
use super::exact::{lower_tail, quantile, signed_rank_pmf, upper_tail};
use super::ranks::sort_finite;
use super::select::{PairSet, WalshAverages, kth_smallest, median};

/// scipy's `auto` uses the normal approximation above this many differences.
const AUTO_EXACT_MAX_N: usize = 50;
/// scipy's `auto` enumerates all 2^n sign flips up to this n when ties or zeros exist.
const AUTO_PERMUTATION_MAX_N: usize = 13;
/// R's wilcox.test computes exact confidence intervals below this size (no ties, no zeros).
const EXACT_CI_MAX_N: usize = 50;

/// How zero differences enter the signed-rank statistic (scipy's `zero_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ZeroMethod {
    /// Drop zero differences (Wilcoxon 1945).
    #[default]
    Wilcox,
    /// Rank zeros with the others, then drop their ranks (Pratt 1959; Cureton 1967 moments).
    Pratt,
    /// Rank zeros with the others and split their ranks between both signs.
    Zsplit,
}

impl ZeroMethod {
    /// The name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ZeroMethod::Wilcox => "wilcox",
            ZeroMethod::Pratt => "pratt",
            ZeroMethod::Zsplit => "zsplit",
        }
    }
}

impl fmt::Display for ZeroMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ZeroMethod {
    type Err = StatsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "wilcox" => Ok(ZeroMethod::Wilcox),
            "pratt" => Ok(ZeroMethod::Pratt),
            "zsplit" => Ok(ZeroMethod::Zsplit),
            other => Err(StatsError::invalid(
                "zero_method",
                other,
                "must be one of wilcox, pratt, zsplit",
            )),
        }
    }
}

/// Options of [`wilcoxon_signed_rank`]; `Default` gives scipy's defaults and a 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WilcoxonOptions {
    /// Alternative for the location of the differences.
    pub alternative: Alternative,
    /// Exact, asymptotic, or scipy's automatic choice.
    pub method: PValueMethod,
    /// Treatment of zero differences.
    pub zero_method: ZeroMethod,
    /// Continuity correction of the normal approximation (scipy's `correction`, off by default).
    pub correction: bool,
    /// Confidence level of the Hodges-Lehmann interval.
    pub confidence: f64,
    /// Whether to compute the pseudo-median and its interval.
    pub hodges_lehmann: bool,
}

impl Default for WilcoxonOptions {
    fn default() -> Self {
        WilcoxonOptions {
            alternative: Alternative::TwoSided,
            method: PValueMethod::Auto,
            zero_method: ZeroMethod::Wilcox,
            correction: false,
            confidence: 0.95,
            hodges_lehmann: true,
        }
    }
}

/// Signed-rank sums of the differences.
struct SignedRanks {
    r_plus: f64,
    r_minus: f64,
    /// Number of differences ranked (zeros excluded for `wilcox`).
    count: usize,
    zeros: usize,
    /// Σ(t³ − t) over tied groups of |d| entering the variance.
    tie_term: f64,
    has_ties: bool,
    /// Average rank (doubled, an integer) of each non-zero difference, with its sign.
    doubled_ranks: Vec<(u64, bool)>,
    /// Rank credited to r_plus by zero differences regardless of signs (zsplit).
    zero_credit: f64,
}

fn signed_ranks(d: &[f64], zero_method: ZeroMethod) -> SignedRanks {
    let zeros = d.iter().filter(|&&v| v == 0.0).count();
    let mut abs: Vec<(f64, bool)> = d
        .iter()
        .filter(|&&v| zero_method != ZeroMethod::Wilcox || v != 0.0)
        .map(|&v| (v.abs(), v > 0.0))
        .collect();
    abs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut s = SignedRanks {
        r_plus: 0.0,
        r_minus: 0.0,
        count: abs.len(),
        zeros,
        tie_term: 0.0,
        has_ties: false,
        doubled_ranks: Vec::with_capacity(abs.len()),
        zero_credit: 0.0,
    };
    let mut start = 0;
    while start < abs.len() {
        let mut end = start + 1;
        while end < abs.len() && abs[end].0 == abs[start].0 {
            end += 1;
        }
        let doubled = (start + 1 + end) as u64;
        let rank = doubled as f64 / 2.0;
        let t = (end - start) as f64;
        if end - start > 1 {
            s.has_ties = true;
        }
        let is_zero = abs[start].0 == 0.0;
        // Pratt's variance leaves the zeros' tie group out.
        if !(is_zero && zero_method == ZeroMethod::Pratt) {
            s.tie_term += t * t * t - t;
        }
        for &(v, positive) in &abs[start..end] {
            if v == 0.0 {
                if zero_method == ZeroMethod::Zsplit {
                    s.zero_credit += rank / 2.0;
                }
            } else {
                s.doubled_ranks.push((doubled, positive));
                if positive {
                    s.r_plus += rank;
                } else {
                    s.r_minus += rank;
                }
            }
        }
        start = end;
    }
    s.r_plus += s.zero_credit;
    s.r_minus += s.zero_credit;
    s
}

/// Exact p-value of r_plus over all 2^n equally likely sign patterns of the observed ranks
/// (scipy's permutation test, which `auto` runs for n ≤ 13 with ties or zeros).
fn sign_flip_p_value(s: &SignedRanks, alternative: Alternative) -> f64 {
    let max: u64 = s.doubled_ranks.iter().map(|r| r.0).sum();
    let mut counts = vec![0.0f64; max as usize + 1];
    counts[0] = 1.0;
    let mut top = 0usize;
    for &(r, _) in &s.doubled_ranks {
        let r = r as usize;
        for v in (0..=top).rev() {
            counts[v + r] += counts[v];
        }
        top += r;
    }
    let flips = 2f64.powi(s.doubled_ranks.len() as i32);
    let observed = s.r_plus;
    let gamma = (100.0 * f64::EPSILON * observed).abs();
    let (mut less, mut greater) = (0.0, 0.0);
    for (v, &c) in counts.iter().enumerate() {
        let stat = v as f64 / 2.0 + s.zero_credit;
        if stat <= observed + gamma {
            less += c;
        }
        if stat >= observed - gamma {
            greater += c;
        }
    }
    let (less, greater) = (less / flips, greater / flips);
    match alternative {
        Alternative::Less => less,
        Alternative::Greater => greater,
        Alternative::TwoSided => (2.0 * less.min(greater)).min(1.0),
    }
}

/// Wilcoxon signed-rank test of paired samples on the differences x − y (Wilcoxon 1945), as
/// scipy.stats.wilcoxon(x, y).
pub fn wilcoxon_paired(x: &[f64], y: &[f64], options: &WilcoxonOptions) -> Result<TestResult> {
    check_sample("sample x", x, 1)?;
    check_sample("sample y", y, 1)?;
    if x.len() != y.len() {
        return Err(StatsError::invalid(
            "sample y",
            format!("length {}", y.len()),
            &format!("paired samples need equal lengths; x has {}", x.len()),
        ));
    }
    let d: Vec<f64> = x.iter().zip(y).map(|(a, b)| a - b).collect();
    wilcoxon_signed_rank(&d, options)
}

/// Wilcoxon signed-rank test that the differences `d` are symmetric about 0 (Wilcoxon 1945), as
/// scipy.stats.wilcoxon(d).
///
/// The statistic is scipy's: min(T+, T−) two-sided, T+ otherwise; `extra` holds r_plus, r_minus
/// and the matched-pairs rank-biserial correlation (T+ − T−)/(T+ + T−) (Kerby 2014). The p-value
/// is exact, an exact sign-flip enumeration (scipy's `auto` for n ≤ 13 with ties or zeros), or
/// the normal approximation with tie (and Pratt/Cureton zero) correction and optional continuity
/// correction. The estimate is the Hodges-Lehmann pseudo-median, the median of the Walsh averages
/// of the non-zero differences, with the interval R's wilcox.test(conf.int = TRUE) gives: exact
/// signed-rank quantiles for n < 50 without ties or zeros, otherwise the normal approximation
/// C = round(n(n+1)/4 − z·σ) (Hollander & Wolfe §3.2).
pub fn wilcoxon_signed_rank(d: &[f64], options: &WilcoxonOptions) -> Result<TestResult> {
    check_confidence(options.confidence)?;
    check_sample("differences", d, 1)?;
    let n = d.len();
    let alternative = options.alternative;
    let s = signed_ranks(d, options.zero_method);
    let nonzero = n - s.zeros;
    if nonzero == 0 {
        return Err(StatsError::Degenerate(
            "all differences are zero: the signed-rank statistic is undefined".to_string(),
        ));
    }
    let count = s.count as f64;
    let mut mean = count * (count + 1.0) / 4.0;
    let mut var_sum = count * (count + 1.0) * (2.0 * count + 1.0);
    if options.zero_method == ZeroMethod::Pratt {
        let z = s.zeros as f64;
        mean -= z * (z + 1.0) / 4.0;
        var_sum -= z * (z + 1.0) * (2.0 * z + 1.0);
    }
    let se = ((var_sum - s.tie_term / 2.0) / 24.0).max(0.0).sqrt();
    #[derive(PartialEq)]
    enum Route {
        Exact,
        SignFlip,
        Normal,
    }
    let route = match options.method {
        PValueMethod::Exact => Route::Exact,
        PValueMethod::Asymptotic => Route::Normal,
        PValueMethod::Auto if n > AUTO_EXACT_MAX_N => Route::Normal,
        PValueMethod::Auto if !(s.has_ties || s.zeros > 0) => Route::Exact,
        PValueMethod::Auto if n <= AUTO_PERMUTATION_MAX_N => Route::SignFlip,
        PValueMethod::Auto => Route::Normal,
    };
    let mut z_stat = None;
    let p_value = match route {
        Route::Exact => {
            let pmf = signed_rank_pmf(s.count)?;
            // Ties or zeros make T+ non-integral: round it conservatively (scipy, gh-19872).
            let up = s.r_plus.ceil() as usize;
            let down = s.r_plus.floor() as usize;
            match alternative {
                Alternative::Less => lower_tail(&pmf, up),
                Alternative::Greater => upper_tail(&pmf, down),
                Alternative::TwoSided => {
                    (2.0 * upper_tail(&pmf, down).min(lower_tail(&pmf, up))).min(1.0)
                }
            }
        }
        Route::SignFlip => sign_flip_p_value(&s, alternative),
        Route::Normal => {
            if se == 0.0 {
                return Err(StatsError::Degenerate(
                    "the signed-rank statistic has zero null variance".to_string(),
                ));
            }
            let mut z = (s.r_plus - mean) / se;
            z_stat = Some(z);
            if options.correction {
                let sign = match alternative {
                    Alternative::Greater => 1.0,
                    Alternative::Less => -1.0,
                    Alternative::TwoSided if z > 0.0 => 1.0,
                    Alternative::TwoSided if z < 0.0 => -1.0,
                    Alternative::TwoSided => 0.0,
                };
                z -= sign * 0.5 / se;
            }
            let normal = Normal::standard();
            match alternative {
                Alternative::Less => normal.cdf(z),
                Alternative::Greater => normal.sf(z),
                Alternative::TwoSided => (2.0 * normal.sf(z.abs())).min(1.0),
            }
        }
    };
    let statistic = match alternative {
        Alternative::TwoSided => s.r_plus.min(s.r_minus),
        _ => s.r_plus,
    };
    let mut result = TestResult::new("wilcoxon", alternative, statistic, p_value, vec![n as u64])
        .with_extra("r_plus", s.r_plus)
        .with_extra("r_minus", s.r_minus)
        .with_extra("zeros", s.zeros as f64)
        .with_extra(
            "rank_biserial",
            (s.r_plus - s.r_minus) / (s.r_plus + s.r_minus),
        )
        .with_note(format!(
            "p-value: {}",
            match route {
                Route::Exact => "exact",
                Route::SignFlip => "exact enumeration of sign flips",
                Route::Normal => "normal approximation",
            }
        ));
    if let Some(z) = z_stat {
        result = result.with_extra("z", z);
    }
    if options.hodges_lehmann {
        let kept: Vec<f64> = d.iter().copied().filter(|&v| v != 0.0).collect();
        let sorted = sort_finite(&kept);
        let walsh = WalshAverages { xs: &sorted };
        let estimate = median(&walsh);
        let exact_ci = nonzero < EXACT_CI_MAX_N && s.zeros == 0 && !s.has_ties;
        let alpha = 1.0 - options.confidence;
        let tail = match alternative {
            Alternative::TwoSided => alpha / 2.0,
            _ => alpha,
        };
        let total = walsh.total();
        let q = if exact_ci {
            quantile(&signed_rank_pmf(nonzero)?, tail) as u64
        } else {
            let m = nonzero as f64;
            let tie_term = tie_sum_of_abs(&sorted);
            let sd = ((m * (m + 1.0) * (2.0 * m + 1.0) - tie_term / 2.0) / 24.0)
                .max(0.0)
                .sqrt();
            let c = m * (m + 1.0) / 4.0 - Normal::standard().isf(tail) * sd;
            (c + 0.5).floor().clamp(0.0, total as f64) as u64
        }
        .clamp(1, total);
        let lower = || kth_smallest(&walsh, q - 1);
        let upper = || kth_smallest(&walsh, total - q);
        let ci = match alternative {
            Alternative::TwoSided => [lower(), upper()],
            Alternative::Greater => [lower(), f64::INFINITY],
            Alternative::Less => [f64::NEG_INFINITY, upper()],
        };
        result = result
            .with_estimate(estimate, ci, options.confidence)
            .with_note(format!(
                "Hodges-Lehmann interval: {}",
                if exact_ci {
                    "exact"
                } else {
                    "normal approximation"
                }
            ));
    }
    Ok(result)
}

/// Σ(t³ − t) over tied groups of |v|.
fn tie_sum_of_abs(values: &[f64]) -> f64 {
    let mut abs: Vec<f64> = values.iter().map(|v| v.abs()).collect();
    abs.sort_unstable_by(f64::total_cmp);
    let mut tie = 0.0;
    let mut start = 0;
    while start < abs.len() {
        let mut end = start + 1;
        while end < abs.len() && abs[end] == abs[start] {
            end += 1;
        }
        let t = (end - start) as f64;
        tie += t * t * t - t;
        start = end;
    }
    tie
}
