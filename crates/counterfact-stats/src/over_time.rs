//! Treatment effects over time: per-period effects with confidence intervals, a test for a trend
//! in the effect (novelty or primacy), a test of heterogeneity across periods, and a carryover
//! check for units exposed to a previous experiment.
//!
//! The input is one pair of [`Moments`] (control, treatment) per period, so days or hours can be
//! summarized in SQL or in parallel chunks and analysed here. Each period's effect is the
//! difference of means treatment − control with Welch's interval; the trend is the weighted least
//! squares slope of those effects on time with weights 1/SE² (a meta-regression, Thompson &
//! Higgins 2002), with the residual scale estimated as statsmodels' `WLS` does, so that the slope
//! test stays valid when periods differ by more than sampling error. Heterogeneity is Cochran's Q
//! (Cochran 1954). Novelty and primacy effects in online experiments: Chen, Liu & Xu (2019),
//! "How A/B tests could go wrong: automatic diagnosis of invalid online experiments", WSDM.

use serde::Serialize;

use crate::dist::{ChiSquared, ContinuousDistribution, Normal, StudentT};
use crate::error::{Result, StatsError, check_confidence};
use crate::inference::{symmetric_ci, symmetric_p_value};
use crate::moments::Moments;
use crate::parametric::{LiftMethod, relative_lift_from_moments, welch_t_test_from_moments};
use crate::result::{Alternative, TestResult};

/// The summaries of one period (a day, an hour) of an experiment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PeriodMoments {
    /// Position of the period on the time axis (e.g. day 0, 1, 2, ...), used as the regressor of
    /// the trend test.
    pub time: f64,
    /// Summary of the metric in the control arm during the period.
    pub control: Moments,
    /// Summary of the metric in the treatment arm during the period.
    pub treatment: Moments,
}

/// The effect of one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodEffect {
    /// The period's time.
    pub time: f64,
    /// Welch's test of treatment − control (estimate, SE, CI, p-value).
    pub difference: TestResult,
    /// Relative lift treatment / control − 1 (delta method); `None` when the control mean is 0.
    pub relative_lift: Option<TestResult>,
}

/// Direction of a significant trend in the effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TrendLabel {
    /// The effect shrinks towards 0 over time (the slope has the opposite sign of the pooled
    /// effect).
    Novelty,
    /// The effect grows in magnitude over time (the slope has the sign of the pooled effect).
    Primacy,
    /// The slope is not significantly different from 0.
    NoTrend,
}

impl TrendLabel {
    /// Human-readable label: "novelty (decaying)", "primacy (growing)" or "no trend".
    pub fn as_str(self) -> &'static str {
        match self {
            TrendLabel::Novelty => "novelty (decaying)",
            TrendLabel::Primacy => "primacy (growing)",
            TrendLabel::NoTrend => "no trend",
        }
    }
}

/// Weighted least squares of per-period effects on time, and Cochran's Q.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendTest {
    /// Effect at time 0 of the fitted line.
    pub intercept: f64,
    /// Standard error of the intercept (residual scale estimated).
    pub intercept_std_error: f64,
    /// Change of the effect per unit of time.
    pub slope: f64,
    /// Standard error of the slope with the residual scale estimated (statsmodels `WLS`).
    pub slope_std_error: f64,
    /// t statistic of the slope, on `df` degrees of freedom.
    pub statistic: f64,
    /// Residual degrees of freedom, periods − 2.
    pub df: f64,
    /// Two-sided p-value of the slope.
    pub p_value: f64,
    /// Confidence interval of the slope.
    pub slope_ci: [f64; 2],
    /// Residual scale (weighted residual sum of squares / df); about 1 when periods differ only by
    /// sampling error.
    pub scale: f64,
    /// z statistic of the slope taking the per-period variances as known (fixed-effect
    /// meta-regression); more powerful, but anti-conservative when periods are heterogeneous.
    pub statistic_known_variance: f64,
    /// Two-sided p-value of `statistic_known_variance`.
    pub p_value_known_variance: f64,
    /// Inverse-variance weighted mean effect (fixed-effect pooled estimate).
    pub pooled_effect: f64,
    /// Standard error of the pooled effect, 1/√Σw.
    pub pooled_std_error: f64,
    /// Cochran's Q = Σ w·(effect − pooled)², chi-square on periods − 1 df under homogeneity.
    pub cochran_q: f64,
    /// Degrees of freedom of Q.
    pub cochran_df: f64,
    /// p-value of Q.
    pub cochran_p_value: f64,
    /// Higgins' I² = max(0, (Q − df)/Q): share of variation beyond sampling error.
    pub i_squared: f64,
    /// Trend label at significance 1 − confidence.
    pub label: TrendLabel,
}

/// Per-period effects and the trend test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EffectsOverTime {
    /// One entry per period, in input order.
    pub periods: Vec<PeriodEffect>,
    /// Trend and heterogeneity across periods.
    pub trend: TrendTest,
    /// Confidence level of every interval.
    pub confidence: f64,
}

/// Per-period Welch effects and relative lifts, and the weighted trend test of the effects on time
/// (Thompson & Higgins 2002 meta-regression; Cochran 1954 Q). Needs at least 3 periods with at
/// least 2 observations per arm and two distinct times.
pub fn effects_over_time(periods: &[PeriodMoments], confidence: f64) -> Result<EffectsOverTime> {
    check_confidence(confidence)?;
    if periods.len() < 3 {
        return Err(StatsError::TooFew {
            what: "periods of the trend test".to_string(),
            n: periods.len(),
            min: 3,
        });
    }
    let mut effects = Vec::with_capacity(periods.len());
    let mut points = Vec::with_capacity(periods.len());
    for (i, p) in periods.iter().enumerate() {
        if !p.time.is_finite() {
            return Err(StatsError::NonFinite {
                what: "period times".to_string(),
                index: i,
                value: p.time,
            });
        }
        let difference =
            welch_t_test_from_moments(&p.treatment, &p.control, Alternative::TwoSided, confidence)
                .map_err(|e| period_error(i, e))?;
        let relative_lift = if p.control.mean == 0.0 {
            None
        } else {
            relative_lift_from_moments(
                &p.treatment,
                &p.control,
                LiftMethod::Delta,
                Alternative::TwoSided,
                confidence,
            )
            .ok()
        };
        let estimate = p.treatment.mean - p.control.mean;
        let se = difference.std_error.unwrap_or(0.0);
        if se <= 0.0 || !se.is_finite() {
            return Err(StatsError::Degenerate(format!(
                "period {i} (time {}): the standard error of the effect is {se}; \
                 the trend test weights periods by 1/SE²",
                p.time
            )));
        }
        points.push((p.time, estimate, se));
        effects.push(PeriodEffect {
            time: p.time,
            difference,
            relative_lift,
        });
    }
    let trend = trend_test(&points, confidence)?;
    Ok(EffectsOverTime {
        periods: effects,
        trend,
        confidence,
    })
}

fn period_error(i: usize, e: StatsError) -> StatsError {
    match e {
        StatsError::Degenerate(msg) => StatsError::Degenerate(format!("period {i}: {msg}")),
        StatsError::Empty { what } => StatsError::Empty {
            what: format!("period {i}: {what}"),
        },
        StatsError::TooFew { what, n, min } => StatsError::TooFew {
            what: format!("period {i}: {what}"),
            n,
            min,
        },
        other => other,
    }
}

/// Weighted least squares of effects on time with weights 1/SE², from `(time, effect, se)` points
/// (Thompson & Higgins 2002); also Cochran's Q and I² (Higgins & Thompson 2002).
pub fn trend_test(points: &[(f64, f64, f64)], confidence: f64) -> Result<TrendTest> {
    check_confidence(confidence)?;
    let k = points.len();
    if k < 3 {
        return Err(StatsError::TooFew {
            what: "periods of the trend test".to_string(),
            n: k,
            min: 3,
        });
    }
    for (i, &(t, d, se)) in points.iter().enumerate() {
        for (what, v) in [("period times", t), ("period effects", d)] {
            if !v.is_finite() {
                return Err(StatsError::NonFinite {
                    what: what.to_string(),
                    index: i,
                    value: v,
                });
            }
        }
        if !(se.is_finite() && se > 0.0) {
            return Err(StatsError::invalid(
                &format!("standard error of period {i}"),
                se,
                "must be finite and positive",
            ));
        }
    }
    let w: Vec<f64> = points.iter().map(|p| 1.0 / (p.2 * p.2)).collect();
    let sw: f64 = w.iter().sum();
    let t_bar = points.iter().zip(&w).map(|(p, w)| w * p.0).sum::<f64>() / sw;
    let d_bar = points.iter().zip(&w).map(|(p, w)| w * p.1).sum::<f64>() / sw;
    let (mut sxx, mut sxy, mut q) = (0.0, 0.0, 0.0);
    for (p, w) in points.iter().zip(&w) {
        let (dt, dd) = (p.0 - t_bar, p.1 - d_bar);
        sxx += w * dt * dt;
        sxy += w * dt * dd;
        q += w * dd * dd;
    }
    if sxx <= 0.0 || !sxx.is_finite() {
        return Err(StatsError::Degenerate(
            "trend test: all periods have the same time, the slope is undefined".to_string(),
        ));
    }
    let slope = sxy / sxx;
    let intercept = d_bar - slope * t_bar;
    let rss: f64 = points
        .iter()
        .zip(&w)
        .map(|(p, w)| {
            let r = p.1 - intercept - slope * p.0;
            w * r * r
        })
        .sum();
    let df = (k - 2) as f64;
    let scale = rss / df;
    if scale <= 0.0 || !scale.is_finite() {
        return Err(StatsError::Degenerate(
            "trend test: the effects lie exactly on a line, the residual scale is 0".to_string(),
        ));
    }
    let slope_se = (scale / sxx).sqrt();
    let intercept_se = (scale * (1.0 / sw + t_bar * t_bar / sxx)).sqrt();
    let statistic = slope / slope_se;
    let student = StudentT::new(df)?;
    let p_value = symmetric_p_value(&student, statistic, Alternative::TwoSided);
    let slope_ci = symmetric_ci(&student, slope, slope_se, confidence, Alternative::TwoSided);
    let z_known = slope * sxx.sqrt();
    let p_known = symmetric_p_value(&Normal::standard(), z_known, Alternative::TwoSided);
    let cochran_df = (k - 1) as f64;
    let cochran_p_value = ChiSquared::new(cochran_df)?.sf(q);
    let i_squared = if q > 0.0 {
        ((q - cochran_df) / q).max(0.0)
    } else {
        0.0
    };
    let label = if p_value < 1.0 - confidence {
        if slope * d_bar < 0.0 {
            TrendLabel::Novelty
        } else {
            TrendLabel::Primacy
        }
    } else {
        TrendLabel::NoTrend
    };
    Ok(TrendTest {
        intercept,
        intercept_std_error: intercept_se,
        slope,
        slope_std_error: slope_se,
        statistic,
        df,
        p_value,
        slope_ci,
        scale,
        statistic_known_variance: z_known,
        p_value_known_variance: p_known,
        pooled_effect: d_bar,
        pooled_std_error: 1.0 / sw.sqrt(),
        cochran_q: q,
        cochran_df,
        cochran_p_value,
        i_squared,
        label,
    })
}

/// The arms of one group of units (previously exposed or not) in the current experiment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GroupArms {
    /// Summary of the metric in the current control arm.
    pub control: Moments,
    /// Summary of the metric in the current treatment arm.
    pub treatment: Moments,
}

/// Whether exposure to a previous experiment's treatment shifts the current effect.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CarryoverCheck {
    /// Current effect among units that were in the previous experiment's treatment (Welch).
    pub effect_exposed: TestResult,
    /// Current effect among units that were not (Welch).
    pub effect_unexposed: TestResult,
    /// Difference in differences (effect_exposed − effect_unexposed), z-test with SE
    /// √(SE_exposed² + SE_unexposed²).
    pub interaction: TestResult,
    /// Welch test of the metric level in the current control arm, exposed − unexposed: a lasting
    /// effect of the previous treatment on the metric itself.
    pub level_shift: TestResult,
    /// Whether the interaction is significant at 1 − confidence.
    pub effect_shifted: bool,
    /// Whether the level shift is significant at 1 − confidence.
    pub level_shifted: bool,
}

/// Carryover check: difference in differences of the current effect between units previously in
/// another experiment's treatment and the rest (a treatment-by-history interaction, normal
/// approximation), plus a Welch test of the control-arm level (Kohavi, Tang & Xu 2020, ch. 23).
pub fn carryover_check(
    exposed: &GroupArms,
    unexposed: &GroupArms,
    confidence: f64,
) -> Result<CarryoverCheck> {
    check_confidence(confidence)?;
    let two = Alternative::TwoSided;
    let effect_exposed =
        welch_t_test_from_moments(&exposed.treatment, &exposed.control, two, confidence)
            .map_err(|e| group_error("exposed", e))?;
    let effect_unexposed =
        welch_t_test_from_moments(&unexposed.treatment, &unexposed.control, two, confidence)
            .map_err(|e| group_error("unexposed", e))?;
    let level_shift =
        welch_t_test_from_moments(&exposed.control, &unexposed.control, two, confidence)
            .map_err(|e| group_error("control arms", e))?;
    let d1 = exposed.treatment.mean - exposed.control.mean;
    let d0 = unexposed.treatment.mean - unexposed.control.mean;
    let se1 = effect_exposed.std_error.unwrap_or(0.0);
    let se0 = effect_unexposed.std_error.unwrap_or(0.0);
    let se = se1.hypot(se0);
    let did = d1 - d0;
    if !(se > 0.0 && se.is_finite()) {
        return Err(StatsError::Degenerate(
            "carryover check: every arm has zero variance, the difference in differences has no \
             standard error"
                .to_string(),
        ));
    }
    let normal = Normal::standard();
    let z = did / se;
    let p = symmetric_p_value(&normal, z, two);
    let ci = symmetric_ci(&normal, did, se, confidence, two);
    let n = vec![
        exposed.treatment.n,
        exposed.control.n,
        unexposed.treatment.n,
        unexposed.control.n,
    ];
    let interaction = TestResult::new("carryover-did", two, z, p, n)
        .with_estimate(did, ci, confidence)
        .with_std_error(se);
    let alpha = 1.0 - confidence;
    Ok(CarryoverCheck {
        effect_shifted: interaction.p_value < alpha,
        level_shifted: level_shift.p_value < alpha,
        effect_exposed,
        effect_unexposed,
        interaction,
        level_shift,
    })
}

fn group_error(group: &str, e: StatsError) -> StatsError {
    match e {
        StatsError::Degenerate(msg) => StatsError::Degenerate(format!("{group} units: {msg}")),
        StatsError::Empty { what } => StatsError::Empty {
            what: format!("{group} units: {what}"),
        },
        StatsError::TooFew { what, n, min } => StatsError::TooFew {
            what: format!("{group} units: {what}"),
            n,
            min,
        },
        other => other,
    }
}
