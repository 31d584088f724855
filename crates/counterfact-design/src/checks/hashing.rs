//! Evenness of the hash: chi-square uniformity of the units' buckets over equal-width bins, and a
//! chi-square test of independence of bucket deciles under two salts (a hash that ignores or
//! leaks the salt correlates experiments that should be independent).

use counterfact_stats::contingency::{chi2_goodness_of_fit, chi2_independence};

use super::{BucketColumns, Check, CheckInput, CheckOptions, Status, fmt_p, stats_error};
use crate::allocation::Allocation;
use crate::error::{DesignError, Result};

/// Compares each unit's recorded arm with the arm its primary bucket falls in under the designed
/// weights: any disagreement means the assignment did not come from this hash and salt.
pub(super) fn assignment_check(
    input: &CheckInput<'_>,
    buckets: &BucketColumns<'_>,
    weights: &[f64],
) -> Result<Check> {
    let allocation = Allocation::new(weights, 1.0)?;
    let mut mismatches = 0usize;
    let mut first = None;
    for (i, (&arm, &bucket)) in input.arms.iter().zip(buckets.primary).enumerate() {
        if allocation.choose(bucket) != Some(arm) {
            mismatches += 1;
            first.get_or_insert(i);
        }
    }
    let n = input.arms.len();
    let share = mismatches as f64 / n as f64;
    Ok(Check {
        family: "hash",
        name: "hash assignment consistency".to_string(),
        statistic: Some(share),
        p_value: None,
        p_adjusted: None,
        threshold: 0.0,
        status: if mismatches > 0 {
            Status::Fail
        } else {
            Status::Pass
        },
        reason: match first {
            Some(i) => format!(
                "broken bucketing: {mismatches} of {n} units ({:.2}%) are not in the arm the \
                 hash assigns them (first: unit {}, recorded {}, hash says {})",
                100.0 * share,
                i + 1,
                input.arm_names[input.arms[i]],
                allocation
                    .choose(buckets.primary[i])
                    .map_or("none", |a| input.arm_names[a].as_str())
            ),
            None => format!("all {n} units are in the arm the hash assigns them"),
        },
    })
}

/// Bins per salt of the independence table.
const DECILES: usize = 10;

fn bin(bucket: f64, bins: usize) -> Result<usize> {
    // PlanOut's buckets reach 1.0 with probability 2^-54; they count in the top bin.
    if !(0.0..=1.0).contains(&bucket) {
        return Err(DesignError::invalid("bucket", bucket, "must lie in [0, 1]"));
    }
    Ok(((bucket * bins as f64) as usize).min(bins - 1))
}

/// Uniformity over `options.hash_bins` bins and independence of deciles across the two salts.
pub(super) fn hash_checks(
    buckets: &BucketColumns<'_>,
    options: &CheckOptions,
) -> Result<Vec<Check>> {
    let bins = options.hash_bins;
    let n = buckets.primary.len();
    let mut checks = Vec::new();
    let mut counts = vec![0.0; bins];
    let mut table = vec![vec![0.0; DECILES]; DECILES];
    for (&a, &b) in buckets.primary.iter().zip(buckets.secondary) {
        counts[bin(a, bins)?] += 1.0;
        table[bin(a, DECILES)?][bin(b, DECILES)?] += 1.0;
    }
    let expected = n as f64 / bins as f64;
    if expected < 5.0 {
        checks.push(skipped(
            "hash uniformity",
            format!("{n} units are too few for {bins} bins (expected {expected:.1} < 5 per bin)"),
            options,
        ));
    } else {
        let r = chi2_goodness_of_fit(&counts, None).map_err(stats_error("hash uniformity"))?;
        let fail = r.p_value < options.srm_alpha;
        let (lo, hi) = counts
            .iter()
            .fold((f64::INFINITY, 0.0_f64), |(l, h), &c| (l.min(c), h.max(c)));
        checks.push(Check {
            family: "hash",
            name: "hash uniformity".to_string(),
            statistic: Some(r.statistic),
            p_value: Some(r.p_value),
            p_adjusted: Some(r.p_value),
            threshold: options.srm_alpha,
            status: if fail { Status::Fail } else { Status::Pass },
            reason: format!(
                "{}buckets over {bins} bins hold {lo}..{hi} units (expected {expected:.1}); \
                 chi-square {:.2}, p {}{}",
                if fail { "bucket unevenness: " } else { "" },
                r.statistic,
                fmt_p(r.p_value),
                if fail {
                    format!(" < {}", options.srm_alpha)
                } else {
                    String::new()
                }
            ),
        });
    }
    let cell = n as f64 / (DECILES * DECILES) as f64;
    let occupied = table.iter().all(|row| row.iter().sum::<f64>() > 0.0)
        && (0..DECILES).all(|j| table.iter().map(|row| row[j]).sum::<f64>() > 0.0);
    if cell < 5.0 || !occupied {
        checks.push(skipped(
            "hash salt independence",
            format!("{n} units are too few or too uneven for a {DECILES}x{DECILES} table"),
            options,
        ));
    } else {
        let r = chi2_independence(&table, false).map_err(stats_error("hash independence"))?;
        let fail = r.p_value < options.srm_alpha;
        checks.push(Check {
            family: "hash",
            name: "hash salt independence".to_string(),
            statistic: Some(r.statistic),
            p_value: Some(r.p_value),
            p_adjusted: Some(r.p_value),
            threshold: options.srm_alpha,
            status: if fail { Status::Fail } else { Status::Pass },
            reason: if fail {
                format!(
                    "salt dependence: bucket deciles under the two salts are not independent \
                     (chi-square {:.2}, p {} < {})",
                    r.statistic,
                    fmt_p(r.p_value),
                    options.srm_alpha
                )
            } else {
                format!(
                    "bucket deciles under two salts are independent (chi-square {:.2}, p {})",
                    r.statistic,
                    fmt_p(r.p_value)
                )
            },
        });
    }
    Ok(checks)
}

fn skipped(name: &str, reason: String, options: &CheckOptions) -> Check {
    Check {
        family: "hash",
        name: name.to_string(),
        statistic: None,
        p_value: None,
        p_adjusted: None,
        threshold: options.srm_alpha,
        status: Status::Skipped,
        reason,
    }
}
