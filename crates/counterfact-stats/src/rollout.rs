//! Phased rollouts: a plan of stages (e.g. 10k → 100k → global), each with a minimum duration and
//! a target number of units, and guardrail metrics with non-inferiority margins; given the data so
//! far, each stage is told to "continue", "advance" or "halt — roll back", with the evidence.
//!
//! Guardrails are judged with anytime-valid confidence sequences ([`crate::sequential::mixture`],
//! mSPRT with a normal mixture of variance τ² = `mixing_sd`²), so the decision may be
//! recomputed at every look (every hour) without inflating the error rate: the normal-mixture
//! boundary of Robbins (1970), in the two-sample form of the mixture SPRT of Johari, Pekelis &
//! Walsh (2017), and Howard, Ramdas, McAuliffe & Sekhon (2021), "Time-uniform, nonparametric,
//! nonasymptotic confidence sequences", Ann. Statist. 49(2). The variances are plug-in estimates,
//! which makes the coverage asymptotic (Waudby-Smith et al. 2023, "Time-uniform central limit
//! theory and asymptotic confidence sequences").

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Result, StatsError};
use crate::moments::Moments;
use crate::sequential::mixture::{Metric, Mixing, mixture_test_from_moments};

/// One stage of a rollout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    /// Stage name, e.g. "10k" or "global".
    pub name: String,
    /// Units that must be exposed to the treatment before the stage may advance.
    pub target_units: u64,
    /// Hours the stage must run before it may advance.
    pub min_duration_hours: f64,
}

/// Which direction of a guardrail metric is good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// Larger values are better (e.g. conversion): harm is a negative effect.
    #[serde(alias = "higher")]
    HigherIsBetter,
    /// Smaller values are better (e.g. latency, errors): harm is a positive effect.
    #[serde(alias = "lower")]
    LowerIsBetter,
}

/// How a non-inferiority margin is expressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MarginKind {
    /// In the units of the metric.
    #[default]
    Absolute,
    /// As a fraction of the control mean (0.02 = 2%).
    Relative,
}

/// A guardrail: the treatment must not be worse than control by more than the margin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Guardrail {
    /// Metric name, as in the observations.
    pub metric: String,
    /// Which direction is good.
    pub direction: Direction,
    /// Largest tolerated harm (non-negative), absolute or relative per `margin_kind`.
    pub margin: f64,
    /// Whether `margin` is absolute or relative to the control mean.
    #[serde(default)]
    pub margin_kind: MarginKind,
    /// Standard deviation of the normal mixture over effects, in metric units; defaults to the
    /// absolute margin (the boundary is then tightest for effects of about the margin's size).
    #[serde(default)]
    pub mixing_sd: Option<f64>,
}

/// A rollout plan: stages in order and the guardrails every stage must hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RolloutPlan {
    /// Stages, from the first exposure to global.
    pub stages: Vec<Stage>,
    /// Guardrail metrics.
    pub guardrails: Vec<Guardrail>,
    /// Total error rate per stage, split evenly over the guardrails (Bonferroni).
    #[serde(default = "default_alpha")]
    pub alpha: f64,
}

fn default_alpha() -> f64 {
    0.05
}

/// The arms of one metric in one stage: cumulative summaries since the stage started.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ArmMoments {
    /// Control (or holdout) arm.
    pub control: Moments,
    /// Treatment arm.
    pub treatment: Moments,
}

/// What has been observed in one stage so far.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageObservation {
    /// Name of the stage, as in the plan.
    pub stage: String,
    /// Hours since the stage started.
    pub hours_elapsed: f64,
    /// Units exposed to the treatment so far in the stage.
    pub units: u64,
    /// Cumulative summaries per metric.
    pub metrics: BTreeMap<String, ArmMoments>,
}

/// The decision for one stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    /// Keep collecting data at this stage.
    Continue,
    /// Move to the next stage (or, at the last stage, the rollout is complete).
    Advance,
    /// A guardrail is broken: halt and roll back.
    Halt,
}

impl Decision {
    /// Human-readable label: "continue", "advance", "halt — roll back".
    pub fn label(self) -> &'static str {
        match self {
            Decision::Continue => "continue",
            Decision::Advance => "advance",
            Decision::Halt => "halt — roll back",
        }
    }
}

/// The evidence on one guardrail at one stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GuardrailEvidence {
    /// Metric name.
    pub metric: String,
    /// Treatment mean − control mean.
    pub estimate: f64,
    /// Standard error of `estimate` (Welch, unpooled).
    pub std_error: f64,
    /// Anytime-valid confidence sequence for the effect at level 1 − `alpha`.
    pub confidence_sequence: [f64; 2],
    /// Error rate of this guardrail's sequence.
    pub alpha: f64,
    /// The effect at the margin, in metric units (−margin for higher-is-better, +margin for
    /// lower-is-better).
    pub threshold: f64,
    /// The sequence lies entirely on the bad side of the threshold: harm beyond the margin.
    pub breached: bool,
    /// The sequence lies entirely on the good side of the threshold: non-inferiority shown.
    pub cleared: bool,
    /// Why the evidence is incomplete, if it is.
    pub note: Option<String>,
}

/// The decision and evidence for one stage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageDecision {
    /// Stage name.
    pub stage: String,
    /// "continue", "advance" or "halt".
    pub decision: Decision,
    /// Why, in one sentence.
    pub reason: String,
    /// Hours since the stage started.
    pub hours_elapsed: f64,
    /// Units exposed so far.
    pub units: u64,
    /// Whether the minimum duration has elapsed.
    pub min_duration_met: bool,
    /// Whether the target units are reached.
    pub target_met: bool,
    /// Per guardrail, in plan order.
    pub guardrails: Vec<GuardrailEvidence>,
}

/// The decisions for every observed stage and the resulting action.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RolloutDecision {
    /// One entry per observed stage, in plan order.
    pub stages: Vec<StageDecision>,
    /// Overall action: halt if any stage halted, else the decision of the latest stage.
    pub decision: Decision,
    /// The stage to move to when the decision is "advance" (`None` once global is done).
    pub next_stage: Option<String>,
}

fn validate_plan(plan: &RolloutPlan) -> Result<()> {
    if plan.stages.is_empty() {
        return Err(StatsError::Empty {
            what: "rollout plan stages".to_string(),
        });
    }
    if !(plan.alpha > 0.0 && plan.alpha < 1.0) {
        return Err(StatsError::invalid(
            "alpha",
            plan.alpha,
            "must lie strictly between 0 and 1",
        ));
    }
    for (i, s) in plan.stages.iter().enumerate() {
        if plan.stages[..i].iter().any(|o| o.name == s.name) {
            return Err(StatsError::invalid(
                "stage name",
                &s.name,
                "stage names must be unique",
            ));
        }
        if !(s.min_duration_hours.is_finite() && s.min_duration_hours >= 0.0) {
            return Err(StatsError::invalid(
                &format!("min_duration_hours of stage '{}'", s.name),
                s.min_duration_hours,
                "must be finite and non-negative",
            ));
        }
    }
    for g in &plan.guardrails {
        if !(g.margin.is_finite() && g.margin >= 0.0) {
            return Err(StatsError::invalid(
                &format!("margin of guardrail '{}'", g.metric),
                g.margin,
                "must be finite and non-negative",
            ));
        }
        if let Some(sd) = g.mixing_sd
            && !(sd.is_finite() && sd > 0.0)
        {
            return Err(StatsError::invalid(
                &format!("mixing_sd of guardrail '{}'", g.metric),
                sd,
                "must be finite and positive",
            ));
        }
        if g.margin == 0.0 && g.mixing_sd.is_none() {
            return Err(StatsError::invalid(
                &format!("margin of guardrail '{}'", g.metric),
                g.margin,
                "is 0, so mixing_sd must be given (it defaults to the margin)",
            ));
        }
    }
    Ok(())
}

fn check_arm(metric: &str, arm: &str, m: &Moments) -> Result<()> {
    if !(m.mean.is_finite() && m.m2.is_finite() && m.m2 >= 0.0) {
        return Err(StatsError::invalid(
            &format!("{arm} summary of metric '{metric}'"),
            format!("mean {}, m2 {}", m.mean, m.m2),
            "mean must be finite and m2 finite and non-negative",
        ));
    }
    Ok(())
}

fn guardrail_evidence(g: &Guardrail, arms: &ArmMoments, alpha: f64) -> Result<GuardrailEvidence> {
    check_arm(&g.metric, "control", &arms.control)?;
    check_arm(&g.metric, "treatment", &arms.treatment)?;
    let estimate = arms.treatment.mean - arms.control.mean;
    let margin_abs = match g.margin_kind {
        MarginKind::Absolute => g.margin,
        MarginKind::Relative => g.margin * arms.control.mean.abs(),
    };
    let threshold = match g.direction {
        Direction::HigherIsBetter => -margin_abs,
        Direction::LowerIsBetter => margin_abs,
    };
    let mut evidence = GuardrailEvidence {
        metric: g.metric.clone(),
        estimate,
        std_error: f64::NAN,
        confidence_sequence: [f64::NEG_INFINITY, f64::INFINITY],
        alpha,
        threshold,
        breached: false,
        cleared: false,
        note: None,
    };
    if arms.control.n < 2 || arms.treatment.n < 2 {
        evidence.estimate = if arms.control.n == 0 || arms.treatment.n == 0 {
            f64::NAN
        } else {
            estimate
        };
        evidence.note = Some("fewer than 2 observations in an arm".to_string());
        return Ok(evidence);
    }
    let variance = arms.treatment.variance(1) / arms.treatment.n as f64
        + arms.control.variance(1) / arms.control.n as f64;
    evidence.std_error = variance.sqrt();
    let mixing_sd = g.mixing_sd.unwrap_or(margin_abs);
    if mixing_sd <= 0.0 {
        evidence.note = Some(
            "the relative margin is 0 because the control mean is 0; give mixing_sd".to_string(),
        );
        return Ok(evidence);
    }
    let cs = if variance == 0.0 {
        // v·ln(1/v) → 0: with no sampling noise the sequence collapses to the estimate.
        [estimate, estimate]
    } else {
        let tau2 = mixing_sd * mixing_sd;
        let look = mixture_test_from_moments(
            &arms.treatment,
            &arms.control,
            Metric::Mean,
            Mixing::Msprt { tau2 },
            0.0,
            alpha,
        )?;
        look.cs_look
    };
    evidence.confidence_sequence = cs;
    let (breached, cleared) = match g.direction {
        Direction::HigherIsBetter => (cs[1] < threshold, cs[0] > threshold),
        Direction::LowerIsBetter => (cs[0] > threshold, cs[1] < threshold),
    };
    evidence.breached = breached;
    evidence.cleared = cleared;
    Ok(evidence)
}

fn decide_stage(
    plan: &RolloutPlan,
    stage: &Stage,
    obs: &StageObservation,
) -> Result<StageDecision> {
    if !(obs.hours_elapsed.is_finite() && obs.hours_elapsed >= 0.0) {
        return Err(StatsError::invalid(
            &format!("hours_elapsed of stage '{}'", obs.stage),
            obs.hours_elapsed,
            "must be finite and non-negative",
        ));
    }
    let alpha = plan.alpha / plan.guardrails.len().max(1) as f64;
    let mut guardrails = Vec::with_capacity(plan.guardrails.len());
    for g in &plan.guardrails {
        let arms = obs.metrics.get(&g.metric).ok_or_else(|| {
            StatsError::invalid(
                &format!("observations of stage '{}'", obs.stage),
                &g.metric,
                "lack this guardrail metric",
            )
        })?;
        guardrails.push(guardrail_evidence(g, arms, alpha)?);
    }
    let min_duration_met = obs.hours_elapsed >= stage.min_duration_hours;
    let target_met = obs.units >= stage.target_units;
    let breached: Vec<&str> = guardrails
        .iter()
        .filter(|e| e.breached)
        .map(|e| e.metric.as_str())
        .collect();
    let uncleared: Vec<&str> = guardrails
        .iter()
        .filter(|e| !e.cleared)
        .map(|e| e.metric.as_str())
        .collect();
    let (decision, reason) = if !breached.is_empty() {
        (
            Decision::Halt,
            format!(
                "guardrail(s) {} worse than the margin (confidence sequence beyond it)",
                breached.join(", ")
            ),
        )
    } else if !min_duration_met {
        (
            Decision::Continue,
            format!(
                "{} of {} minimum hours elapsed",
                obs.hours_elapsed, stage.min_duration_hours
            ),
        )
    } else if !target_met {
        (
            Decision::Continue,
            format!(
                "{} of {} target units reached",
                obs.units, stage.target_units
            ),
        )
    } else if !uncleared.is_empty() {
        (
            Decision::Continue,
            format!("non-inferiority not yet shown for {}", uncleared.join(", ")),
        )
    } else {
        (
            Decision::Advance,
            "duration and units reached; every guardrail within its margin".to_string(),
        )
    };
    Ok(StageDecision {
        stage: obs.stage.clone(),
        decision,
        reason,
        hours_elapsed: obs.hours_elapsed,
        units: obs.units,
        min_duration_met,
        target_met,
        guardrails,
    })
}

/// Decides, for each observed stage, "continue", "advance" or "halt — roll back" from
/// anytime-valid confidence sequences on every guardrail (Howard et al. 2021): halt as soon as a
/// sequence lies beyond the margin on the bad side; advance once the minimum duration and target
/// units are reached and every sequence lies on the good side; otherwise continue.
///
/// `observations` hold one entry per started stage, in plan order (the last is the current one).
pub fn evaluate(plan: &RolloutPlan, observations: &[StageObservation]) -> Result<RolloutDecision> {
    validate_plan(plan)?;
    if observations.is_empty() {
        return Err(StatsError::Empty {
            what: "rollout observations".to_string(),
        });
    }
    if observations.len() > plan.stages.len() {
        return Err(StatsError::invalid(
            "observations",
            observations.len(),
            "more stages observed than the plan has",
        ));
    }
    let mut stages = Vec::with_capacity(observations.len());
    for (i, (stage, obs)) in plan.stages.iter().zip(observations).enumerate() {
        if obs.stage != stage.name {
            return Err(StatsError::invalid(
                &format!("stage of observation {i}"),
                &obs.stage,
                &format!(
                    "observations must follow the plan order; expected '{}'",
                    stage.name
                ),
            ));
        }
        stages.push(decide_stage(plan, stage, obs)?);
    }
    let latest = stages.len() - 1;
    let decision = if stages.iter().any(|s| s.decision == Decision::Halt) {
        Decision::Halt
    } else {
        stages[latest].decision
    };
    let next_stage = if decision == Decision::Advance {
        plan.stages.get(latest + 1).map(|s| s.name.clone())
    } else {
        None
    };
    Ok(RolloutDecision {
        stages,
        decision,
        next_stage,
    })
}
