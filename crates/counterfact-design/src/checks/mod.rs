//! Randomization checks of a running or finished experiment: sample ratio mismatch overall, per
//! dimension and per assignment day; covariate balance before exposure; evenness of the hash;
//! a placebo test on a pre-period metric; and an A/A simulation of the chosen analysis.
//!
//! Every check yields a [`Check`] with its statistic, p-value (adjusted for multiplicity within
//! its family), verdict and a one-line reason naming the cause; [`run_checks`] gathers them into
//! a [`CheckReport`] whose verdict passes only when every check does.

mod balance;
mod hashing;
mod simulation;
mod srm;

use serde::Serialize;

use counterfact_stats::adjust::{AdjustMethod, adjust_p_values};

use crate::error::{DesignError, Result};
use crate::hash::HashScheme;

pub use balance::standardized_mean_difference;
pub use simulation::binomial_ci;

/// A numeric column (covariate or metric), one finite value per unit.
#[derive(Debug, Clone, Copy)]
pub struct NumericColumn<'a> {
    /// The column's name, used in reasons.
    pub name: &'a str,
    /// One value per unit.
    pub values: &'a [f64],
}

/// A categorical column (dimension or covariate), one label per unit.
#[derive(Debug, Clone, Copy)]
pub struct CategoricalColumn<'a> {
    /// The column's name, used in reasons.
    pub name: &'a str,
    /// One label per unit.
    pub values: &'a [String],
}

/// Hash buckets in [0, 1) of every unit under the experiment's salt and under a second salt.
#[derive(Debug, Clone, Copy)]
pub struct BucketColumns<'a> {
    /// Buckets under the experiment's salt.
    pub primary: &'a [f64],
    /// Buckets under an unrelated salt, for the independence test.
    pub secondary: &'a [f64],
}

/// The A/A simulation's analysis: Welch's t-test on `metric` between re-randomized arms.
#[derive(Debug, Clone, Copy)]
pub struct AaSetup<'a> {
    /// The metric analysed.
    pub metric: NumericColumn<'a>,
    /// Unit ids: re-randomize by hashing them with fresh salts. Without them, seeded draws.
    pub units: Option<&'a [String]>,
    /// The hash scheme used with `units`.
    pub scheme: HashScheme,
}

/// The data of an experiment to check. Arm 0 is the control.
#[derive(Debug, Clone, Default)]
pub struct CheckInput<'a> {
    /// Arm names; index 0 is the control.
    pub arm_names: Vec<String>,
    /// Arm index of each unit.
    pub arms: &'a [usize],
    /// Designed split (equal when `None`).
    pub weights: Option<Vec<f64>>,
    /// Assignment day of each unit: SRM per day.
    pub days: Option<&'a [String]>,
    /// Dimensions to slice SRM by (device, region...).
    pub dimensions: Vec<CategoricalColumn<'a>>,
    /// Numeric pre-exposure covariates: SMD and Kolmogorov-Smirnov.
    pub numeric: Vec<NumericColumn<'a>>,
    /// Categorical pre-exposure covariates: chi-square test of independence.
    pub categorical: Vec<CategoricalColumn<'a>>,
    /// Hash buckets for the evenness checks.
    pub buckets: Option<BucketColumns<'a>>,
    /// Pre-period metric for the placebo test.
    pub placebo: Option<NumericColumn<'a>>,
    /// Setup of the A/A simulation.
    pub aa: Option<AaSetup<'a>>,
}

/// Thresholds and settings of the checks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CheckOptions {
    /// Level of the balance, placebo and A/A tests.
    pub alpha: f64,
    /// Level of the SRM and hash tests (0.001 as in Fabijan et al. 2019).
    pub srm_alpha: f64,
    /// |SMD| at or above which a covariate is imbalanced (Austin 2009: 0.1).
    pub smd_threshold: f64,
    /// Multiplicity correction within each family of tests.
    pub adjust: AdjustMethod,
    /// Bins of the bucket-uniformity test.
    pub hash_bins: usize,
    /// Re-randomizations of the A/A simulation.
    pub aa_runs: usize,
    /// Seed of the A/A simulation.
    pub seed: u64,
    /// Also check that each unit's recorded arm is the one its primary bucket maps to under the
    /// designed weights (full coverage, arms in design order).
    pub verify_assignment: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            alpha: 0.05,
            srm_alpha: 0.001,
            smd_threshold: 0.1,
            adjust: AdjustMethod::Holm,
            hash_bins: 100,
            aa_runs: 200,
            seed: 0,
            verify_assignment: false,
        }
    }
}

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Nothing wrong found.
    Pass,
    /// The check found a problem.
    Fail,
    /// The check could not be run on this data (the reason says why).
    Skipped,
}

/// One check with its statistic, p-value and verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// Family: "srm", "balance", "hash", "placebo" or "aa".
    pub family: &'static str,
    /// What was checked, e.g. "srm overall", "smd tenure (treatment vs control)".
    pub name: String,
    /// Test statistic (chi-square, D, t, SMD or the false-positive rate).
    pub statistic: Option<f64>,
    /// Unadjusted p-value, when the check is a test.
    pub p_value: Option<f64>,
    /// p-value adjusted within the family (equal to `p_value` for a family of one).
    pub p_adjusted: Option<f64>,
    /// The threshold the statistic or adjusted p-value was compared with.
    pub threshold: f64,
    /// The verdict.
    pub status: Status,
    /// One line naming the cause of a failure, or what was found.
    pub reason: String,
}

/// Units and designed share of one arm.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArmCount {
    /// The arm's name.
    pub arm: String,
    /// Units assigned to it.
    pub units: usize,
    /// Observed share of all units.
    pub share: f64,
    /// Designed share.
    pub expected_share: f64,
}

/// The result of [`run_checks`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckReport {
    /// True when every check passed (skipped checks do not fail the verdict).
    pub passed: bool,
    /// Units checked.
    pub units: usize,
    /// Per-arm counts.
    pub arms: Vec<ArmCount>,
    /// Settings used.
    pub options: CheckOptions,
    /// Every check in the order run.
    pub checks: Vec<Check>,
    /// Reasons of the failed checks.
    pub failures: Vec<String>,
}

/// Runs every check the input has data for (Fabijan et al. 2019 for SRM; Austin 2009 for the
/// standardized mean difference; Holm 1979 by default within each family of tests).
pub fn run_checks(input: &CheckInput<'_>, options: &CheckOptions) -> Result<CheckReport> {
    validate(input, options)?;
    let weights = design_weights(input)?;
    let mut checks = Vec::new();
    let counts = srm::arm_counts(input.arms, input.arm_names.len());
    checks.extend(srm::srm_checks(input, &weights, options)?);
    checks.extend(balance::balance_checks(input, options)?);
    if let Some(buckets) = &input.buckets {
        checks.extend(hashing::hash_checks(buckets, options)?);
        if options.verify_assignment {
            checks.push(hashing::assignment_check(input, buckets, &weights)?);
        }
    }
    if let Some(pre) = &input.placebo {
        checks.push(simulation::placebo_check(input, pre, options)?);
    }
    if let Some(aa) = &input.aa {
        checks.push(simulation::aa_check(aa, &weights, options)?);
    }
    let total = input.arms.len() as f64;
    let arms = input
        .arm_names
        .iter()
        .zip(&counts)
        .zip(&weights)
        .map(|((name, &n), &w)| ArmCount {
            arm: name.clone(),
            units: n as usize,
            share: n / total,
            expected_share: w,
        })
        .collect();
    let failures: Vec<String> = checks
        .iter()
        .filter(|c| c.status == Status::Fail)
        .map(|c| c.reason.clone())
        .collect();
    Ok(CheckReport {
        passed: failures.is_empty(),
        units: input.arms.len(),
        arms,
        options: *options,
        checks,
        failures,
    })
}

fn validate(input: &CheckInput<'_>, options: &CheckOptions) -> Result<()> {
    let n = input.arms.len();
    let k = input.arm_names.len();
    if k < 2 {
        return Err(DesignError::invalid(
            "arms",
            k,
            "need a control and at least one treatment",
        ));
    }
    if n == 0 {
        return Err(DesignError::invalid("units", 0, "nothing to check"));
    }
    if let Some(&a) = input.arms.iter().find(|&&a| a >= k) {
        return Err(DesignError::invalid(
            "arm index",
            a,
            &format!("must be below the {k} arms"),
        ));
    }
    for (what, value, lo, hi) in [
        ("alpha", options.alpha, 0.0, 1.0),
        ("srm alpha", options.srm_alpha, 0.0, 1.0),
    ] {
        if !(value > lo && value < hi) {
            return Err(DesignError::invalid(
                what,
                value,
                "must lie strictly between 0 and 1",
            ));
        }
    }
    if !(options.smd_threshold > 0.0 && options.smd_threshold.is_finite()) {
        return Err(DesignError::invalid(
            "smd threshold",
            options.smd_threshold,
            "must be positive and finite",
        ));
    }
    if options.hash_bins < 2 {
        return Err(DesignError::invalid(
            "hash bins",
            options.hash_bins,
            "must be at least 2",
        ));
    }
    let mut lengths: Vec<(&str, usize)> = Vec::new();
    if let Some(days) = input.days {
        lengths.push(("day", days.len()));
    }
    for c in input.dimensions.iter().chain(&input.categorical) {
        lengths.push((c.name, c.values.len()));
    }
    let numeric = input
        .numeric
        .iter()
        .chain(input.placebo.iter())
        .chain(input.aa.iter().map(|a| &a.metric));
    for c in numeric {
        lengths.push((c.name, c.values.len()));
        if let Some(i) = c.values.iter().position(|v| !v.is_finite()) {
            return Err(DesignError::invalid(
                &format!("column '{}'", c.name),
                c.values[i],
                &format!("unit {} is not finite", i + 1),
            ));
        }
    }
    if let Some(b) = &input.buckets {
        lengths.push(("buckets", b.primary.len()));
        lengths.push(("buckets under the second salt", b.secondary.len()));
    }
    if let Some(units) = input.aa.and_then(|a| a.units) {
        lengths.push(("unit ids", units.len()));
    }
    if let Some((name, len)) = lengths.into_iter().find(|&(_, len)| len != n) {
        return Err(DesignError::invalid(
            &format!("column '{name}'"),
            len,
            &format!("must have one value per unit ({n})"),
        ));
    }
    Ok(())
}

/// The designed share of each arm, normalized.
fn design_weights(input: &CheckInput<'_>) -> Result<Vec<f64>> {
    let k = input.arm_names.len();
    match &input.weights {
        None => Ok(vec![1.0 / k as f64; k]),
        Some(w) => {
            if w.len() != k {
                return Err(DesignError::invalid(
                    "weights",
                    format!("{w:?}"),
                    &format!("must have one weight per arm ({k})"),
                ));
            }
            crate::allocation::normalized_weights(w)
        }
    }
}

/// Adjusts the p-values of a family with `method`; a family of one keeps its p-value.
fn adjust_family(p: &[f64], method: AdjustMethod) -> Result<Vec<f64>> {
    if p.is_empty() {
        return Ok(Vec::new());
    }
    adjust_p_values(p, method, 0.05)
        .map(|a| a.p_adjusted)
        .map_err(stats_error("multiplicity correction"))
}

/// Wraps a statistics error as an invalid-argument design error naming the step.
fn stats_error(step: &str) -> impl Fn(counterfact_stats::StatsError) -> DesignError + '_ {
    move |e| DesignError::invalid(step, "", &e.to_string())
}

/// Formats a p-value compactly for reasons.
fn fmt_p(p: f64) -> String {
    if p >= 0.001 {
        format!("{p:.3}")
    } else {
        format!("{p:.2e}")
    }
}
