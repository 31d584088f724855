//! The placebo test (the analysis run on a metric measured before exposure must find nothing) and
//! the A/A simulation (re-randomize with fresh salts; the analysis must reject at its nominal
//! rate), both with Welch's t-test (Welch 1947) between the control and the first treatment.

use counterfact_stats::Alternative;
use counterfact_stats::dist::{Beta, ContinuousDistribution};
use counterfact_stats::parametric::welch_t_test;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{AaSetup, Check, CheckInput, CheckOptions, NumericColumn, Status, fmt_p, stats_error};
use crate::allocation::Allocation;
use crate::error::{DesignError, Result};

/// Clopper-Pearson exact binomial interval for `successes` of `trials` at `confidence`
/// (Clopper & Pearson 1934).
pub fn binomial_ci(successes: u64, trials: u64, confidence: f64) -> Result<[f64; 2]> {
    if trials == 0 || successes > trials {
        return Err(DesignError::invalid(
            "binomial counts",
            format!("{successes}/{trials}"),
            "need 0 ≤ successes ≤ trials and trials > 0",
        ));
    }
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(DesignError::invalid(
            "confidence",
            confidence,
            "must lie strictly between 0 and 1",
        ));
    }
    let tail = (1.0 - confidence) / 2.0;
    let (x, n) = (successes as f64, trials as f64);
    let lo = if successes == 0 {
        0.0
    } else {
        Beta::new(x, n - x + 1.0)
            .map_err(stats_error("binomial interval"))?
            .quantile(tail)
    };
    let hi = if successes == trials {
        1.0
    } else {
        Beta::new(x + 1.0, n - x)
            .map_err(stats_error("binomial interval"))?
            .quantile(1.0 - tail)
    };
    Ok([lo, hi])
}

/// Values of `column` in the control (arm 0) and the first treatment (arm 1) under `arms`.
fn split(column: &[f64], arms: impl Iterator<Item = usize>) -> (Vec<f64>, Vec<f64>) {
    let mut control = Vec::new();
    let mut treatment = Vec::new();
    for (&v, a) in column.iter().zip(arms) {
        match a {
            0 => control.push(v),
            1 => treatment.push(v),
            _ => {}
        }
    }
    (control, treatment)
}

/// Welch's t-test of treatment − control on the pre-period metric: an "effect" before exposure
/// means the arms differed from the start.
pub(super) fn placebo_check(
    input: &CheckInput<'_>,
    pre: &NumericColumn<'_>,
    options: &CheckOptions,
) -> Result<Check> {
    let (c, t) = split(pre.values, input.arms.iter().copied());
    let (control_name, treatment_name) = (&input.arm_names[0], &input.arm_names[1]);
    let name = format!("placebo {} ({treatment_name} vs {control_name})", pre.name);
    let r = match welch_t_test(&t, &c, Alternative::TwoSided, 0.95) {
        Ok(r) => r,
        Err(e) => {
            return Ok(Check {
                family: "placebo",
                name,
                statistic: None,
                p_value: None,
                p_adjusted: None,
                threshold: options.alpha,
                status: Status::Skipped,
                reason: format!("placebo on {}: {e}", pre.name),
            });
        }
    };
    let fail = r.p_value < options.alpha;
    let effect = r.estimate.unwrap_or(f64::NAN);
    Ok(Check {
        family: "placebo",
        name,
        statistic: Some(r.statistic),
        p_value: Some(r.p_value),
        p_adjusted: Some(r.p_value),
        threshold: options.alpha,
        status: if fail { Status::Fail } else { Status::Pass },
        reason: if fail {
            format!(
                "placebo: pre-period metric {} already differs between {control_name} and \
                 {treatment_name} before exposure (difference {effect:.4}, Welch t {:.2}, \
                 p {} < {})",
                pre.name,
                r.statistic,
                fmt_p(r.p_value),
                options.alpha
            )
        } else {
            format!(
                "placebo on {}: difference {effect:.4}, Welch t {:.2}, p {}",
                pre.name,
                r.statistic,
                fmt_p(r.p_value)
            )
        },
    })
}

/// Re-randomizes the units `options.aa_runs` times (fresh salts "aa-{seed}-{run}" when unit ids
/// are given, else seeded draws on stream `run`), splits them by the design's weights and runs
/// Welch's t-test on the metric; fails when the Clopper-Pearson 95% interval of the rejection
/// rate lies wholly above alpha.
pub(super) fn aa_check(aa: &AaSetup<'_>, weights: &[f64], options: &CheckOptions) -> Result<Check> {
    let runs = options.aa_runs;
    if runs == 0 {
        return Err(DesignError::invalid("a/a runs", 0, "must be at least 1"));
    }
    let allocation = Allocation::new(weights, 1.0)?;
    let metric = aa.metric.values;
    let mut rejections = 0u64;
    let mut arms = vec![0usize; metric.len()];
    for run in 0..runs {
        match aa.units {
            Some(units) => {
                let hash = aa.scheme.salted(&format!("aa-{}-{run}", options.seed));
                for (slot, unit) in arms.iter_mut().zip(units) {
                    *slot = allocation.choose(hash.bucket(unit)).unwrap_or(usize::MAX);
                }
            }
            None => {
                let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
                rng.set_stream(run as u64);
                for slot in arms.iter_mut() {
                    let u: f64 = rng.random();
                    *slot = allocation.choose(u).unwrap_or(usize::MAX);
                }
            }
        }
        let (c, t) = split(metric, arms.iter().copied());
        match welch_t_test(&t, &c, Alternative::TwoSided, 0.95) {
            Ok(r) if r.p_value < options.alpha => rejections += 1,
            Ok(_) => {}
            Err(e) => {
                return Ok(Check {
                    family: "aa",
                    name: format!("a/a {}", aa.metric.name),
                    statistic: None,
                    p_value: None,
                    p_adjusted: None,
                    threshold: options.alpha,
                    status: Status::Skipped,
                    reason: format!(
                        "a/a on {}: welch-t failed in run {run}: {e}",
                        aa.metric.name
                    ),
                });
            }
        }
    }
    let rate = rejections as f64 / runs as f64;
    let [lo, hi] = binomial_ci(rejections, runs as u64, 0.95)?;
    let fail = lo > options.alpha;
    let how = if aa.units.is_some() {
        "fresh salts"
    } else {
        "seeded draws"
    };
    Ok(Check {
        family: "aa",
        name: format!("a/a {}", aa.metric.name),
        statistic: Some(rate),
        p_value: None,
        p_adjusted: None,
        threshold: options.alpha,
        status: if fail { Status::Fail } else { Status::Pass },
        reason: format!(
            "a/a: welch-t on {} rejected {rejections} of {runs} re-randomizations with {how}: \
             false-positive rate {rate:.3} (95% CI [{lo:.3}, {hi:.3}]) {} alpha {}",
            aa.metric.name,
            if fail {
                "exceeds"
            } else {
                "is consistent with"
            },
            options.alpha
        ),
    })
}
