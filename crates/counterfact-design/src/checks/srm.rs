//! Sample ratio mismatch overall, per level of each dimension and per assignment day
//! (Fabijan et al. 2019, "Diagnosing Sample Ratio Mismatch in Online Controlled Experiments").

use std::collections::BTreeMap;

use counterfact_stats::contingency::{chi2_goodness_of_fit, srm_check};

use super::Check;
use super::{CheckInput, CheckOptions, Status, adjust_family, fmt_p, stats_error};
use crate::error::Result;

/// Expected units per arm below which a slice is too small for the chi-square approximation.
const MIN_EXPECTED: f64 = 5.0;

/// Units per arm as floats (the chi-square functions take counts as `f64`).
pub(super) fn arm_counts(arms: &[usize], k: usize) -> Vec<f64> {
    let mut counts = vec![0.0; k];
    for &a in arms {
        counts[a] += 1.0;
    }
    counts
}

/// "control 10400 (52.0%) vs treatment 9600 (48.0%), expected 50.0%/50.0%".
fn split_text(names: &[String], counts: &[f64], weights: &[f64]) -> String {
    let total: f64 = counts.iter().sum();
    let observed: Vec<String> = names
        .iter()
        .zip(counts)
        .map(|(n, c)| format!("{n} {c} ({:.1}%)", 100.0 * c / total))
        .collect();
    let expected: Vec<String> = weights
        .iter()
        .map(|w| format!("{:.1}%", 100.0 * w))
        .collect();
    format!("{}, expected {}", observed.join(" vs "), expected.join("/"))
}

/// The overall SRM check and one per slice (dimension level, assignment day), the slices
/// adjusted together.
pub(super) fn srm_checks(
    input: &CheckInput<'_>,
    weights: &[f64],
    options: &CheckOptions,
) -> Result<Vec<Check>> {
    let k = input.arm_names.len();
    let counts = arm_counts(input.arms, k);
    let overall =
        srm_check(&counts, Some(weights), options.srm_alpha).map_err(stats_error("srm overall"))?;
    let split = split_text(&input.arm_names, &counts, weights);
    let mut checks = vec![Check {
        family: "srm",
        name: "srm overall".to_string(),
        statistic: Some(overall.result.statistic),
        p_value: Some(overall.result.p_value),
        p_adjusted: Some(overall.result.p_value),
        threshold: options.srm_alpha,
        status: if overall.mismatch {
            Status::Fail
        } else {
            Status::Pass
        },
        reason: if overall.mismatch {
            format!(
                "sample ratio mismatch: {split}; chi-square {:.2}, p {} < {}",
                overall.result.statistic,
                fmt_p(overall.result.p_value),
                options.srm_alpha
            )
        } else {
            format!("split matches the design: {split}")
        },
    }];

    let mut slices: Vec<(String, Vec<f64>)> = Vec::new();
    let by_day = input.days.map(|d| ("day", d));
    let dims = input.dimensions.iter().map(|d| (d.name, d.values));
    for (name, values) in dims.chain(by_day) {
        let mut per_level: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        for (label, &arm) in values.iter().zip(input.arms) {
            per_level
                .entry(label.as_str())
                .or_insert_with(|| vec![0.0; k])[arm] += 1.0;
        }
        for (level, c) in per_level {
            slices.push((format!("{name}={level}"), c));
        }
    }
    let mut tested = Vec::new();
    let mut p_values = Vec::new();
    for (slice, c) in &slices {
        let total: f64 = c.iter().sum();
        let smallest = weights.iter().fold(f64::INFINITY, |m, &w| m.min(w * total));
        if smallest < MIN_EXPECTED {
            checks.push(Check {
                family: "srm",
                name: format!("srm {slice}"),
                statistic: None,
                p_value: None,
                p_adjusted: None,
                threshold: options.srm_alpha,
                status: Status::Skipped,
                reason: format!(
                    "{slice}: {total} units, too few for a chi-square test (expected count \
                     {smallest:.1} < {MIN_EXPECTED} in an arm)"
                ),
            });
            continue;
        }
        let result =
            chi2_goodness_of_fit(c, Some(weights)).map_err(stats_error("srm per slice"))?;
        p_values.push(result.p_value);
        tested.push((slice, c, result.statistic));
    }
    let adjusted = adjust_family(&p_values, options.adjust)?;
    for (((slice, c, statistic), &p), &pa) in tested.into_iter().zip(&p_values).zip(&adjusted) {
        let fail = pa < options.srm_alpha;
        let split = split_text(&input.arm_names, c, weights);
        checks.push(Check {
            family: "srm",
            name: format!("srm {slice}"),
            statistic: Some(statistic),
            p_value: Some(p),
            p_adjusted: Some(pa),
            threshold: options.srm_alpha,
            status: if fail { Status::Fail } else { Status::Pass },
            reason: if fail {
                format!(
                    "sample ratio mismatch within {slice}: {split}; chi-square {statistic:.2}, \
                     adjusted p {} < {}",
                    fmt_p(pa),
                    options.srm_alpha
                )
            } else {
                format!("{slice}: {split}")
            },
        });
    }
    Ok(checks)
}
