//! Mann-Whitney U test (Wilcoxon rank-sum) with the Hodges-Lehmann shift estimate.

use crate::dist::{ContinuousDistribution, Normal};
use crate::error::{Result, StatsError, check_confidence, check_sample};
use crate::result::{Alternative, TestResult};

use super::PValueMethod;
use super::exact::{mann_whitney_pmf, quantile, upper_tail};
use super::ranks::{merge_walk, sort_finite};
use super::select::{PairSet, PairwiseDifferences, kth_smallest, median};

/// Both samples at most this large (or either) and no ties: scipy's `auto` picks the exact test.
const AUTO_EXACT_MAX_N: usize = 8;
/// R's wilcox.test computes exact confidence intervals below this size (and without ties).
const EXACT_CI_MAX_N: usize = 50;

/// Options of [`mann_whitney_u`]; `Default` gives scipy's defaults and a 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannWhitneyOptions {
    /// Alternative for the location shift x − y.
    pub alternative: Alternative,
    /// Exact, asymptotic, or scipy's automatic choice.
    pub method: PValueMethod,
    /// Continuity correction of the normal approximation.
    pub continuity: bool,
    /// Confidence level of the Hodges-Lehmann interval.
    pub confidence: f64,
    /// Whether to compute the Hodges-Lehmann estimate and interval (O((n + m) log(nm)) extra).
    pub hodges_lehmann: bool,
}

impl Default for MannWhitneyOptions {
    fn default() -> Self {
        MannWhitneyOptions {
            alternative: Alternative::TwoSided,
            method: PValueMethod::Auto,
            continuity: true,
            confidence: 0.95,
            hodges_lehmann: true,
        }
    }
}

/// The rank-sum summary of two samples.
struct RankSums {
    xs: Vec<f64>,
    ys: Vec<f64>,
    /// U of x: pairs with x > y plus half the tied pairs.
    u1: f64,
    /// Σ(t³ − t) over groups of tied pooled values.
    tie_term: f64,
    has_ties: bool,
}

fn rank_sums(x: &[f64], y: &[f64]) -> Result<RankSums> {
    check_sample("sample x", x, 1)?;
    check_sample("sample y", y, 1)?;
    let (xs, ys) = rayon::join(|| sort_finite(x), || sort_finite(y));
    let mut twice_u1: u128 = 0;
    let mut below_y: u128 = 0;
    let mut tie_term = 0.0;
    let mut has_ties = false;
    merge_walk(&xs, &ys, |v| {
        twice_u1 += v.in_x as u128 * (2 * below_y + v.in_y as u128);
        below_y += v.in_y as u128;
        let t = (v.in_x + v.in_y) as f64;
        if t > 1.0 {
            has_ties = true;
            tie_term += t * t * t - t;
        }
    });
    Ok(RankSums {
        xs,
        ys,
        u1: twice_u1 as f64 / 2.0,
        tie_term,
        has_ties,
    })
}

/// Rank-biserial correlation 2·U1/(n·m) − 1 of x against y (Cureton 1956; Kerby 2014): the
/// probability that x beats y minus the probability that y beats x.
pub fn rank_biserial(x: &[f64], y: &[f64]) -> Result<f64> {
    let s = rank_sums(x, y)?;
    Ok(2.0 * s.u1 / (x.len() as f64 * y.len() as f64) - 1.0)
}

/// Standard deviation of U under the null with the tie correction (Hollander & Wolfe §4.1).
fn u_sd(n1: f64, n2: f64, tie_term: f64) -> f64 {
    let n = n1 + n2;
    let tie = if n > 1.0 {
        tie_term / (n * (n - 1.0))
    } else {
        0.0
    };
    (n1 * n2 / 12.0 * ((n + 1.0) - tie)).max(0.0).sqrt()
}

/// Mann-Whitney U test of x against y (Mann & Whitney 1947), as scipy.stats.mannwhitneyu.
///
/// The statistic is U1 (U of x); the p-value is exact (Mann-Whitney recurrence) or from the
/// normal approximation with tie and optional continuity correction. The estimate is the
/// Hodges-Lehmann shift, the median of all x_i − y_j (Hodges & Lehmann 1963), with the
/// distribution-free interval of Bauer (1972) as R's wilcox.test(conf.int = TRUE) computes it:
/// exact quantiles of U when both samples have fewer than 50 values and no ties, otherwise the
/// tie-corrected normal approximation C = round(nm/2 − z·σ_U) (Hollander & Wolfe §4.3).
pub fn mann_whitney_u(x: &[f64], y: &[f64], options: &MannWhitneyOptions) -> Result<TestResult> {
    check_confidence(options.confidence)?;
    let s = rank_sums(x, y)?;
    let (n1, n2) = (x.len(), y.len());
    let (f1, f2) = (n1 as f64, n2 as f64);
    let nm = f1 * f2;
    let u1 = s.u1;
    let u2 = nm - u1;
    let alternative = options.alternative;
    let (u, factor) = match alternative {
        Alternative::Greater => (u1, 1.0),
        Alternative::Less => (u2, 1.0),
        Alternative::TwoSided => (u1.max(u2), 2.0),
    };
    let exact = match options.method {
        PValueMethod::Exact => true,
        PValueMethod::Asymptotic => false,
        PValueMethod::Auto => (n1 <= AUTO_EXACT_MAX_N || n2 <= AUTO_EXACT_MAX_N) && !s.has_ties,
    };
    let exact_ci = !s.has_ties && n1 < EXACT_CI_MAX_N && n2 < EXACT_CI_MAX_N;
    let pmf = if exact || (exact_ci && options.hodges_lehmann) {
        Some(mann_whitney_pmf(n1, n2)?)
    } else {
        None
    };
    let sd = u_sd(f1, f2, s.tie_term);
    let mut notes = Vec::new();
    let mut z_stat = None;
    let p_value = match (&pmf, exact) {
        (Some(pmf), true) => {
            if s.has_ties {
                notes.push("exact p-value ignores ties (as scipy)".to_string());
            }
            // scipy truncates a half-integer U from ties to an integer.
            (factor * upper_tail(pmf, u.floor() as usize)).min(1.0)
        }
        _ => {
            let mut numerator = u - nm / 2.0;
            if options.continuity {
                numerator -= 0.5;
            }
            if sd == 0.0 && !(options.continuity && numerator < 0.0) {
                return Err(StatsError::Degenerate(
                    "all pooled values of x and y are tied: the normal approximation of U is \
                     undefined without continuity correction"
                        .to_string(),
                ));
            }
            let z = numerator / sd;
            z_stat = Some((u1 - nm / 2.0) / sd);
            (factor * Normal::standard().sf(z)).min(1.0)
        }
    };
    notes.push(format!(
        "p-value: {}",
        if exact {
            "exact"
        } else {
            "normal approximation"
        }
    ));
    let mut result = TestResult::new(
        "mann-whitney",
        alternative,
        u1,
        p_value,
        vec![n1 as u64, n2 as u64],
    )
    .with_extra("u1", u1)
    .with_extra("u2", u2)
    .with_extra("rank_biserial", 2.0 * u1 / nm - 1.0);
    if let Some(z) = z_stat.filter(|z| z.is_finite()) {
        result = result.with_extra("z", z);
    }
    if options.hodges_lehmann {
        let diffs = PairwiseDifferences {
            xs: &s.xs,
            ys: &s.ys,
        };
        let estimate = median(&diffs);
        let alpha = 1.0 - options.confidence;
        let tail = match alternative {
            Alternative::TwoSided => alpha / 2.0,
            _ => alpha,
        };
        let total = diffs.total();
        let q = match (&pmf, exact_ci) {
            (Some(pmf), true) => quantile(pmf, tail) as u64,
            _ => {
                let c = nm / 2.0 - Normal::standard().isf(tail) * sd;
                (c + 0.5).floor().clamp(0.0, nm) as u64
            }
        }
        .clamp(1, total);
        let lower = || kth_smallest(&diffs, q - 1);
        let upper = || kth_smallest(&diffs, total - q);
        let ci = match alternative {
            Alternative::TwoSided => [lower(), upper()],
            Alternative::Greater => [lower(), f64::INFINITY],
            Alternative::Less => [f64::NEG_INFINITY, upper()],
        };
        result = result.with_estimate(estimate, ci, options.confidence);
        notes.push(format!(
            "Hodges-Lehmann interval: {}",
            if exact_ci {
                "exact"
            } else {
                "normal approximation"
            }
        ));
    }
    for note in notes {
        result = result.with_note(note);
    }
    Ok(result)
}
