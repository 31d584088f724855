//! Plain-data types shared by the data layer (which fills [`MetricInput`]) and the readout
//! analysis (which turns it into a [`Readout`]). Field names are the documented JSON shape
//! (docs/readout.md): rename nothing without updating the docs and the reference test.

use serde::{Deserialize, Serialize};

/// What a metric measures per unit; decides the estimator (docs/readout.md, "Methods").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricKind {
    /// Per-unit sum of a value over the window, averaged over units.
    Mean,
    /// Per-unit number of rows in the window, averaged over units.
    Count,
    /// Per-unit sum of a value over the window; the readout also shows arm totals.
    Sum,
    /// Per-unit 0/1: at least one qualifying row in the window.
    Proportion,
    /// Ratio of two per-unit sums (plays per session), delta method (Deng et al. 2018).
    Ratio,
    /// A quantile of per-unit values or of events, outer CI (Deng, Knoblich and Lu 2018).
    Quantile,
    /// Per-unit 0/1: active on day k after exposure, over matured units only.
    Retention,
}

/// Where a metric sits in the decision rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricRole {
    /// Decides shipping: must be significant in the good direction.
    Primary,
    /// Reported, multiplicity-corrected with the primaries, not part of the decision.
    Secondary,
    /// Must be non-inferior within its margin.
    Guardrail,
}

/// Per-arm sufficient statistics of a unit-level value `y` and covariates `x` (for CUPED).
///
/// Sums are plain f64 sums as any SQL engine computes them; `sum_xx` is the p×p matrix of
/// Σ x_j x_k in row-major order, `sum_xy` is Σ x_j y.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmSums {
    /// Variant label.
    pub variant: String,
    /// Number of units.
    pub n: u64,
    /// Σ y.
    pub sum_y: f64,
    /// Σ y².
    pub sum_yy: f64,
    /// Σ x_j, one per covariate (empty without CUPED).
    pub sum_x: Vec<f64>,
    /// Σ x_j y.
    pub sum_xy: Vec<f64>,
    /// Σ x_j x_k, row-major p×p.
    pub sum_xx: Vec<f64>,
}

/// Per-arm sufficient statistics of a ratio of per-unit sums a_i / b_i.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmRatioSums {
    /// Variant label.
    pub variant: String,
    /// Number of units.
    pub n: u64,
    /// Σ a (numerator).
    pub sum_a: f64,
    /// Σ b (denominator).
    pub sum_b: f64,
    /// Σ a².
    pub sum_aa: f64,
    /// Σ b².
    pub sum_bb: f64,
    /// Σ a b.
    pub sum_ab: f64,
}

/// Unit-level or event-level values of one arm, for quantile metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmValues {
    /// Variant label.
    pub variant: String,
    /// Values (any order).
    pub values: Vec<f64>,
    /// For event-level quantiles: the cluster (unit) index of each value, same length as
    /// `values`; empty for unit-level quantiles (one value per unit).
    pub clusters: Vec<u64>,
}

/// The data of one metric, as the data layer hands it to the analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "shape", rename_all = "snake_case")]
pub enum MetricData {
    /// Mean, count, sum, proportion and retention metrics.
    Sums {
        /// One entry per variant, control included.
        arms: Vec<ArmSums>,
    },
    /// Ratio metrics.
    Ratio {
        /// One entry per variant.
        arms: Vec<ArmRatioSums>,
    },
    /// Quantile metrics (unit level when `clusters` are empty, event level otherwise).
    Values {
        /// One entry per variant.
        arms: Vec<ArmValues>,
    },
}

/// How a metric is defined for the analysis (the statistical part of the spec).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricDefinition {
    /// Metric name from the spec.
    pub name: String,
    /// Kind.
    pub kind: MetricKind,
    /// Role in the decision.
    pub role: MetricRole,
    /// True when larger values are good.
    pub higher_is_better: bool,
    /// Relative non-inferiority margin for guardrails (0.05 = 5% of control).
    pub margin: Option<f64>,
    /// Quantile level for quantile metrics.
    pub quantile: Option<f64>,
    /// Names of the CUPED / regression-adjustment covariates, in `ArmSums::sum_x` order.
    pub covariates: Vec<String>,
}

/// Everything the analysis needs for one metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricInput {
    /// The definition.
    pub definition: MetricDefinition,
    /// The (capped, when winsorized) data.
    pub data: MetricData,
    /// Winsorization: the cap applied and the uncapped data, shown beside.
    pub winsorized: Option<Winsorized>,
}

/// The cap and the uncapped data of a winsorized metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Winsorized {
    /// Upper cap applied to per-unit values.
    pub cap: f64,
    /// How the cap was chosen, e.g. "p99 of pooled unit values" or "fixed".
    pub rule: String,
    /// Number of units whose value was capped, over all arms.
    pub capped_units: u64,
    /// The same metric without the cap.
    pub uncapped: MetricData,
}

/// A point estimate with standard error and confidence interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Point estimate.
    pub estimate: f64,
    /// Standard error.
    pub std_error: f64,
    /// Two-sided confidence interval at the readout's confidence.
    pub ci: [f64; 2],
}

/// One arm's summary for one metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmSummary {
    /// Variant label.
    pub variant: String,
    /// Units (or events for event-level quantiles) analysed.
    pub n: u64,
    /// The metric's value in this arm (mean, proportion, ratio or quantile).
    pub value: f64,
    /// Arm total for sum metrics.
    pub total: Option<f64>,
}

/// Result of a non-inferiority test of a guardrail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NonInferiority {
    /// Relative margin.
    pub margin: f64,
    /// One-sided p-value of H0: the arm is worse than control by more than the margin.
    pub p_value: f64,
    /// True when H0 is rejected at alpha.
    pub non_inferior: bool,
}

/// CUPED / regression adjustment details of one comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adjustment {
    /// Covariate names.
    pub covariates: Vec<String>,
    /// Coefficients θ (pooled within-arm least squares).
    pub theta: Vec<f64>,
    /// 1 − SE²(adjusted) / SE²(unadjusted) of the effect.
    pub variance_reduction: f64,
    /// Pooled within-arm R² of y on the covariates (ρ² for one covariate).
    pub r_squared: f64,
    /// The unadjusted absolute effect, for comparison.
    pub unadjusted: Estimate,
}

/// One treatment arm against control on one metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Treatment variant.
    pub variant: String,
    /// Method, e.g. "welch_t", "z_delta_ratio", "quantile_outer_ci".
    pub method: String,
    /// Absolute effect (treatment − control).
    pub absolute: Estimate,
    /// Relative effect (treatment / control − 1).
    pub relative: Estimate,
    /// Test statistic of the absolute effect.
    pub statistic: f64,
    /// Degrees of freedom (t methods only).
    pub df: Option<f64>,
    /// Two-sided p-value.
    pub p_value: f64,
    /// p-value after the multiplicity correction (equals `p_value` for guardrails).
    pub p_value_adjusted: f64,
    /// `p_value_adjusted < alpha`.
    pub significant: bool,
    /// CUPED / regression adjustment, when covariates were given.
    pub adjustment: Option<Adjustment>,
    /// Guardrail non-inferiority test.
    pub non_inferiority: Option<NonInferiority>,
    /// The same comparison without winsorization.
    pub uncapped: Option<Box<Comparison>>,
    /// The true effect baked into demo data (absolute), when known.
    pub true_effect: Option<f64>,
    /// Anytime-valid test of the absolute effect, when monitoring asks for it.
    #[serde(default)]
    pub sequential: Option<SequentialReadout>,
    /// Bayesian readout of the relative lift, when monitoring asks for it.
    #[serde(default)]
    pub bayesian: Option<BayesianReadout>,
}

/// Anytime-valid p-value and interval of one comparison's absolute effect: the asymptotic
/// confidence sequence of Waudby-Smith et al. (2023) as GrowthBook computes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SequentialReadout {
    /// Method, e.g. "asymptotic confidence sequence, effect estimate".
    pub method: String,
    /// Always-valid p-value of this look.
    pub p_value: f64,
    /// Confidence-sequence interval of the absolute effect at this look.
    pub ci: [f64; 2],
}

/// Bayesian readout of one comparison's relative lift: a normal model of the delta-method lift
/// updated by a normal prior (GrowthBook's effect model), oriented by `higher_is_better`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BayesianReadout {
    /// Posterior mean of the relative lift.
    pub mean: f64,
    /// Posterior standard deviation of the relative lift.
    pub sd: f64,
    /// Equal-tailed (1 − alpha) credible interval of the relative lift.
    pub ci: [f64; 2],
    /// Posterior probability that the arm is better than control in the metric's good direction.
    pub chance_to_beat_control: f64,
    /// Expected relative loss of shipping the arm if it is in fact worse.
    pub risk_ship: f64,
    /// Expected relative loss of keeping control if the arm is in fact better.
    pub risk_keep_control: f64,
}

/// Readouts for teams that look at a running test (docs/readout.md, "Monitoring").
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Monitoring {
    /// Anytime-valid inference tuned at this total sample size N*; significance and the
    /// decisions then use the anytime-valid p-values.
    pub sequential_tuning_n: Option<f64>,
    /// Bayesian readout of the relative lift under this prior.
    pub bayesian_prior: Option<counterfact_stats::bayes::GaussianPrior>,
}

/// The readout of one metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricReadout {
    /// Metric name.
    pub name: String,
    /// Kind.
    pub kind: MetricKind,
    /// Role.
    pub role: MetricRole,
    /// True when larger values are good.
    pub higher_is_better: bool,
    /// Per-arm summaries, control first.
    pub arms: Vec<ArmSummary>,
    /// One comparison per treatment arm.
    pub comparisons: Vec<Comparison>,
    /// Winsorization cap, when applied.
    pub cap: Option<f64>,
    /// Notes (e.g. units excluded because their window has not matured).
    pub notes: Vec<String>,
}

/// One chi-square sample-ratio-mismatch test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SrmTest {
    /// `"overall"` or `"<dimension>=<value>"`.
    pub scope: String,
    /// Observed units per variant, in `Readout::variants` order.
    pub observed: Vec<u64>,
    /// Expected units per variant.
    pub expected: Vec<f64>,
    /// Chi-square statistic.
    pub statistic: f64,
    /// Degrees of freedom.
    pub df: f64,
    /// p-value.
    pub p_value: f64,
    /// p-value after Holm's correction across the dimension tests (equals p for overall).
    pub p_value_adjusted: f64,
    /// True when `p_value_adjusted < srm_alpha`.
    pub mismatch: bool,
}

/// Sample-ratio-mismatch checks, overall and per dimension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SrmReport {
    /// Threshold (default 0.001).
    pub alpha: f64,
    /// Expected weights per variant, normalised to sum to 1.
    pub weights: Vec<f64>,
    /// Overall test.
    pub overall: SrmTest,
    /// Per-dimension tests.
    pub by_dimension: Vec<SrmTest>,
    /// True when no test flags a mismatch.
    pub passed: bool,
    /// Dimension values left untested (expected counts too small for chi-square).
    #[serde(default)]
    pub notes: Vec<String>,
}

/// Counts of units and rows on their way into the analysis.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Population {
    /// Distinct units in the assignment table for this experiment.
    pub assigned_units: u64,
    /// Units assigned to more than one variant (excluded).
    pub multiple_variant_units: u64,
    /// Single-variant units never exposed (excluded).
    pub unexposed_units: u64,
    /// Units analysed per variant, in `Readout::variants` order.
    pub analysed_units: Vec<u64>,
    /// Duplicate rows dropped, per source table ("viewing": 1234).
    pub duplicate_rows: Vec<(String, u64)>,
}

/// The decision for one treatment arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every primary significant in its good direction, guardrails non-inferior, no SRM.
    Ship,
    /// A primary significant in the bad direction, a guardrail failed, or SRM.
    DontShip,
    /// Anything else.
    Inconclusive,
}

/// The decision line of one arm and the rule it applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// Treatment variant.
    pub variant: String,
    /// Verdict.
    pub verdict: Verdict,
    /// The reasons, one per metric or check that decided.
    pub reasons: Vec<String>,
}

/// Breakdown of metrics by one segment value (exploratory: no multiplicity correction).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentReadout {
    /// Segment column.
    pub dimension: String,
    /// Segment value.
    pub value: String,
    /// Metric readouts within the segment.
    pub metrics: Vec<MetricReadout>,
}

/// The whole readout of an experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Readout {
    /// Experiment name.
    pub experiment: String,
    /// Control variant.
    pub control: String,
    /// All variants, control first.
    pub variants: Vec<String>,
    /// Significance level.
    pub alpha: f64,
    /// Multiple-testing correction applied across primary and secondary metrics × arms.
    pub correction: String,
    /// Monitoring readouts added to the comparisons (sequential, Bayesian).
    #[serde(default)]
    pub monitoring: Monitoring,
    /// The rule the decisions applied, in words.
    pub decision_rule: String,
    /// False when the SRM check failed: the numbers below must not be trusted.
    pub trustworthy: bool,
    /// One decision per treatment arm.
    pub decisions: Vec<Decision>,
    /// SRM checks.
    pub srm: SrmReport,
    /// Unit and row accounting.
    pub population: Population,
    /// Metric readouts in spec order.
    pub metrics: Vec<MetricReadout>,
    /// Segment breakdowns.
    pub segments: Vec<SegmentReadout>,
    /// Warnings and notes.
    pub notes: Vec<String>,
}
