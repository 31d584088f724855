//! The settings of a power analysis ([`PowerSpec`]) and their validation.

use counterfact_stats::Alternative;
use serde::{Deserialize, Serialize};

use crate::error::{DesignError, Result};

/// The metric whose difference (treatment − control) the experiment tests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Metric {
    /// A mean with per-unit standard deviation `sd` (equal in both arms); `mean` is the control
    /// mean, needed only for a relative effect. Effect size d = Δ / sd (Cohen 1988, ch. 2).
    Means {
        /// Per-unit standard deviation.
        sd: f64,
        /// Control mean (for relative effects).
        #[serde(default)]
        mean: Option<f64>,
    },
    /// A conversion rate with control rate `baseline`.
    Proportions {
        /// Control proportion, in (0, 1).
        baseline: f64,
        /// The effect size / variance formula.
        method: ProportionMethod,
    },
    /// A ratio metric Σnum / Σden per randomization unit with the delta-method variance
    /// (σ²ₙ − 2R σₙd + R² σ²_d) / μ²_d, R = μₙ / μ_d (Deng, Knoblich & Lu 2018).
    Ratio {
        /// Per-unit mean of the numerator.
        mean_num: f64,
        /// Per-unit mean of the denominator.
        mean_den: f64,
        /// Per-unit variance of the numerator.
        var_num: f64,
        /// Per-unit variance of the denominator.
        var_den: f64,
        /// Per-unit covariance of numerator and denominator.
        cov: f64,
    },
    /// The effect is given directly as a standardized effect size (Cohen's d or h), as in
    /// statsmodels' `NormalIndPower` / `TTestIndPower`.
    Standardized,
}

/// How a difference of proportions becomes a test statistic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProportionMethod {
    /// Cohen's h = 2 asin √p₂ − 2 asin √p₁ with a normal test (Cohen 1988, ch. 6; statsmodels
    /// `proportion_effectsize` with `NormalIndPower`).
    Arcsine,
    /// The textbook unpooled formula: λ = Δ / √(p₁q₁/n₁ + p₂q₂/n₂), ignoring the far rejection
    /// region of a two-sided test (Chow, Shao & Wang 2008, §4.2).
    Unpooled,
}

/// The test the analysis will use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestKind {
    /// Normal reference distribution.
    #[default]
    Z,
    /// Student's t with n₁ + n₂ − 2 (one sample: n − 1) degrees of freedom, power through the
    /// noncentral t.
    T,
}

/// Multiplicity correction over the k − 1 treatment-versus-control comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Correction {
    /// Each comparison at level α.
    None,
    /// Each comparison at level α / (k − 1) (Bonferroni).
    #[default]
    Bonferroni,
}

/// Group-sequential design whose maximum sample size inflates the fixed-design one.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Sequential {
    /// A fixed-horizon test.
    #[default]
    None,
    /// O'Brien-Fleming boundaries with `looks` equally spaced analyses.
    OBrienFleming {
        /// Number of analyses K (1..=20, tabulated values).
        looks: u32,
    },
    /// Pocock boundaries with `looks` equally spaced analyses.
    Pocock {
        /// Number of analyses K (1..=20, tabulated values).
        looks: u32,
    },
    /// A user-given inflation factor ≥ 1.
    Factor {
        /// n_max / n_fixed.
        factor: f64,
    },
}

/// The quantity [`super::solve`] solves for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unknown {
    /// Sample size of the control arm (and from it every other arm and the total).
    N,
    /// Power.
    Power,
    /// Minimum detectable effect: a decrease for alternative `less`, an increase for `greater`,
    /// and for `two-sided` the direction of the spec's `effect` if given (else an increase).
    Mde,
    /// Significance level.
    Alpha,
}

/// Settings of a power analysis; the field of the quantity being solved for is ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PowerSpec {
    /// The metric.
    pub metric: Metric,
    /// z or t test.
    #[serde(default)]
    pub test: TestKind,
    /// One-sample or paired design (n pairs, df = n − 1) instead of two independent arms.
    #[serde(default)]
    pub one_sample: bool,
    /// Direction of the alternative for the effect treatment − control.
    #[serde(default, with = "alternative_serde")]
    pub alternative: Alternative,
    /// Family-wise significance level.
    #[serde(default)]
    pub alpha: Option<f64>,
    /// Target power.
    #[serde(default)]
    pub power: Option<f64>,
    /// The effect treatment − control (absolute, or relative to the control level if `relative`).
    #[serde(default)]
    pub effect: Option<f64>,
    /// Whether `effect` is relative to the control level (0.05 = +5 %).
    #[serde(default)]
    pub relative: bool,
    /// Units in the control arm (nobs1 in statsmodels); give this or `total`.
    #[serde(default)]
    pub n: Option<f64>,
    /// Units over all arms; an alternative to `n`.
    #[serde(default)]
    pub total: Option<f64>,
    /// Allocation ratio treatment : control of each treatment arm (statsmodels `ratio`).
    #[serde(default = "one")]
    pub ratio: f64,
    /// Number of arms including control (≥ 2).
    #[serde(default = "two")]
    pub arms: u32,
    /// Multiplicity correction the analysis will use.
    #[serde(default)]
    pub correction: Correction,
    /// Expected correlation between the metric and its pre-period covariate (CUPED).
    #[serde(default)]
    pub cuped_rho: f64,
    /// Units per cluster (1 = unit randomization).
    #[serde(default = "one")]
    pub cluster_size: f64,
    /// Intra-cluster correlation.
    #[serde(default)]
    pub icc: f64,
    /// Group-sequential monitoring.
    #[serde(default)]
    pub sequential: Sequential,
    /// Eligible units per day (for the duration).
    #[serde(default)]
    pub daily_traffic: Option<f64>,
    /// Share of eligible traffic allocated to the experiment, in (0, 1].
    #[serde(default = "one")]
    pub share: f64,
}

fn one() -> f64 {
    1.0
}

fn two() -> u32 {
    2
}

impl PowerSpec {
    /// A spec for `metric` with every other setting at its default (two-sided z test, two equal
    /// arms, no adjustments).
    pub fn new(metric: Metric) -> Self {
        PowerSpec {
            metric,
            test: TestKind::Z,
            one_sample: false,
            alternative: Alternative::TwoSided,
            alpha: None,
            power: None,
            effect: None,
            relative: false,
            n: None,
            total: None,
            ratio: 1.0,
            arms: 2,
            correction: Correction::Bonferroni,
            cuped_rho: 0.0,
            cluster_size: 1.0,
            icc: 0.0,
            sequential: Sequential::None,
            daily_traffic: None,
            share: 1.0,
        }
    }
}

mod alternative_serde {
    use counterfact_stats::Alternative;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(a: &Alternative, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(a.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Alternative, D::Error> {
        let s = String::deserialize(d)?;
        super::parse_alternative(&s).map_err(serde::de::Error::custom)
    }
}

/// Parses "two-sided" / "greater" / "less" (also statsmodels' "larger" / "smaller").
pub fn parse_alternative(s: &str) -> Result<Alternative> {
    match s {
        "two-sided" | "two_sided" | "2s" => Ok(Alternative::TwoSided),
        "greater" | "larger" => Ok(Alternative::Greater),
        "less" | "smaller" => Ok(Alternative::Less),
        _ => Err(DesignError::invalid(
            "alternative",
            s,
            "must be two-sided, greater (larger) or less (smaller)",
        )),
    }
}

/// Requires a finite value in the open interval (lo, hi).
pub(crate) fn check_open(what: &str, v: f64, lo: f64, hi: f64) -> Result<f64> {
    if v.is_finite() && v > lo && v < hi {
        Ok(v)
    } else {
        Err(DesignError::invalid(
            what,
            v,
            &format!("must be a finite number in ({lo}, {hi})"),
        ))
    }
}

/// Requires a setting that the chosen unknown needs.
pub(crate) fn required(what: &str, v: Option<f64>) -> Result<f64> {
    v.ok_or_else(|| DesignError::invalid(what, "missing", "is required to solve for this unknown"))
}

/// Maximum sample size of a group-sequential design relative to the fixed design, two-sided
/// α = 0.05, equally spaced looks (Jennison & Turnbull 2000, Tables 2.2 and 2.4: R_P and R_B);
/// the power-0.9 column is used for power ≥ 0.85, the power-0.8 column otherwise.
pub(crate) fn sequential_factor(seq: Sequential, power: f64) -> Result<f64> {
    const LOOKS: [u32; 10] = [1, 2, 3, 4, 5, 6, 8, 10, 15, 20];
    const POCOCK_80: [f64; 10] = [
        1.000, 1.110, 1.166, 1.202, 1.229, 1.249, 1.279, 1.301, 1.338, 1.362,
    ];
    const POCOCK_90: [f64; 10] = [
        1.000, 1.100, 1.151, 1.183, 1.207, 1.225, 1.252, 1.271, 1.305, 1.327,
    ];
    const OBF_80: [f64; 10] = [
        1.000, 1.008, 1.017, 1.024, 1.028, 1.032, 1.037, 1.040, 1.044, 1.047,
    ];
    const OBF_90: [f64; 10] = [
        1.000, 1.007, 1.016, 1.022, 1.026, 1.030, 1.034, 1.037, 1.041, 1.044,
    ];
    let high = power >= 0.85;
    let (looks, table) = match seq {
        Sequential::None => return Ok(1.0),
        Sequential::Factor { factor } => {
            return if factor.is_finite() && factor >= 1.0 {
                Ok(factor)
            } else {
                Err(DesignError::invalid(
                    "sequential inflation factor",
                    factor,
                    "must be a finite number ≥ 1",
                ))
            };
        }
        Sequential::Pocock { looks } => (looks, if high { POCOCK_90 } else { POCOCK_80 }),
        Sequential::OBrienFleming { looks } => (looks, if high { OBF_90 } else { OBF_80 }),
    };
    match LOOKS.iter().position(|&k| k == looks) {
        Some(i) => Ok(table[i]),
        None => Err(DesignError::invalid(
            "number of sequential looks",
            looks,
            "is tabulated for 1, 2, 3, 4, 5, 6, 8, 10, 15 or 20 looks; give a factor instead",
        )),
    }
}
