//! Covariate balance before exposure: standardized mean differences (Austin 2009, "Balance
//! diagnostics for comparing the distribution of baseline covariates between treatment groups
//! in propensity-score matched samples"), two-sample Kolmogorov-Smirnov tests for numeric
//! covariates and chi-square tests of independence for categorical ones, the tests adjusted
//! together for multiplicity.

use std::collections::BTreeMap;

use counterfact_stats::contingency::chi2_independence;
use counterfact_stats::moments::Moments;
use counterfact_stats::rank::{KsOptions, PValueMethod, ks_2samp};

use super::{Check, CheckInput, CheckOptions, Status, adjust_family, fmt_p, stats_error};
use crate::error::Result;

/// Standardized mean difference (x̄_t − x̄_c)/√((s_t² + s_c²)/2) (Austin 2009, eq. 1); `None`
/// when both arms are constant or an arm has fewer than two units.
pub fn standardized_mean_difference(treatment: &[f64], control: &[f64]) -> Option<f64> {
    let t = Moments::from_slice(treatment);
    let c = Moments::from_slice(control);
    if t.n < 2 || c.n < 2 {
        return None;
    }
    let scale = ((t.variance(1) + c.variance(1)) / 2.0).sqrt();
    let smd = (t.mean - c.mean) / scale;
    (scale > 0.0 && smd.is_finite()).then_some(smd)
}

/// A test awaiting the family's multiplicity correction.
struct Pending {
    name: String,
    statistic: f64,
    p_value: f64,
    failure: String,
    summary: String,
}

/// SMD and KS for each numeric covariate and each treatment arm against the control; chi-square
/// across all arms for each categorical covariate.
pub(super) fn balance_checks(input: &CheckInput<'_>, options: &CheckOptions) -> Result<Vec<Check>> {
    let k = input.arm_names.len();
    let control_name = &input.arm_names[0];
    let mut checks = Vec::new();
    let mut pending = Vec::new();
    for cov in &input.numeric {
        let mut by_arm: Vec<Vec<f64>> = vec![Vec::new(); k];
        for (&v, &a) in cov.values.iter().zip(input.arms) {
            by_arm[a].push(v);
        }
        for (arm, values) in by_arm.iter().enumerate().skip(1) {
            let arm_name = &input.arm_names[arm];
            let pair = format!("{arm_name} vs {control_name}");
            let name = format!("smd {} ({pair})", cov.name);
            match standardized_mean_difference(values, &by_arm[0]) {
                None => checks.push(Check {
                    family: "balance",
                    name,
                    statistic: None,
                    p_value: None,
                    p_adjusted: None,
                    threshold: options.smd_threshold,
                    status: Status::Skipped,
                    reason: format!(
                        "covariate {}: SMD undefined between {control_name} and {arm_name} \
                         (constant, or an arm with fewer than two units)",
                        cov.name
                    ),
                }),
                Some(smd) => {
                    let fail = smd.abs() >= options.smd_threshold;
                    checks.push(Check {
                        family: "balance",
                        name,
                        statistic: Some(smd),
                        p_value: None,
                        p_adjusted: None,
                        threshold: options.smd_threshold,
                        status: if fail { Status::Fail } else { Status::Pass },
                        reason: format!(
                            "covariate {}: SMD {smd:.3} {} {} between {control_name} and {arm_name}",
                            cov.name,
                            if fail { "≥" } else { "<" },
                            options.smd_threshold
                        ),
                    });
                }
            }
            if values.is_empty() || by_arm[0].is_empty() {
                continue;
            }
            let ks_options = KsOptions {
                method: PValueMethod::Asymptotic,
                ..KsOptions::default()
            };
            let ks = ks_2samp(values, &by_arm[0], &ks_options)
                .map_err(stats_error("kolmogorov-smirnov"))?;
            pending.push(Pending {
                name: format!("ks {} ({pair})", cov.name),
                statistic: ks.statistic,
                p_value: ks.p_value,
                failure: format!(
                    "covariate {}: distributions differ between {control_name} and {arm_name} \
                     (KS D {:.4}",
                    cov.name, ks.statistic
                ),
                summary: format!("covariate {}: KS D {:.4}", cov.name, ks.statistic),
            });
        }
    }
    for cov in &input.categorical {
        let mut table: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        for (label, &a) in cov.values.iter().zip(input.arms) {
            table.entry(label.as_str()).or_insert_with(|| vec![0.0; k])[a] += 1.0;
        }
        let name = format!("chi2 {} (arms x levels)", cov.name);
        let arm_has_units = (0..k).all(|a| table.values().any(|row| row[a] > 0.0));
        if table.len() < 2 || !arm_has_units {
            checks.push(Check {
                family: "balance",
                name,
                statistic: None,
                p_value: None,
                p_adjusted: None,
                threshold: options.alpha,
                status: Status::Skipped,
                reason: format!(
                    "covariate {}: {} level(s); a chi-square test needs two levels and units in \
                     every arm",
                    cov.name,
                    table.len()
                ),
            });
            continue;
        }
        let rows: Vec<Vec<f64>> = table.into_values().collect();
        let result = chi2_independence(&rows, false).map_err(stats_error("chi-square balance"))?;
        pending.push(Pending {
            name,
            statistic: result.statistic,
            p_value: result.p_value,
            failure: format!(
                "covariate {}: category shares differ across arms (chi-square {:.2}",
                cov.name, result.statistic
            ),
            summary: format!("covariate {}: chi-square {:.2}", cov.name, result.statistic),
        });
    }
    let p: Vec<f64> = pending.iter().map(|t| t.p_value).collect();
    let adjusted = adjust_family(&p, options.adjust)?;
    for (t, pa) in pending.into_iter().zip(adjusted) {
        let fail = pa < options.alpha;
        checks.push(Check {
            family: "balance",
            name: t.name,
            statistic: Some(t.statistic),
            p_value: Some(t.p_value),
            p_adjusted: Some(pa),
            threshold: options.alpha,
            status: if fail { Status::Fail } else { Status::Pass },
            reason: if fail {
                format!(
                    "{}, {}-adjusted p {} < {})",
                    t.failure,
                    options.adjust.as_str(),
                    fmt_p(pa),
                    options.alpha
                )
            } else {
                format!(
                    "{}, {}-adjusted p {}",
                    t.summary,
                    options.adjust.as_str(),
                    fmt_p(pa)
                )
            },
        });
    }
    Ok(checks)
}
