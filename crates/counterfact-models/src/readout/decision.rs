//! The whole readout: every metric, the multiplicity correction across primary and secondary
//! metrics × arms, segments, and the ship / don't ship / inconclusive decision per arm.

use std::str::FromStr;

use counterfact_stats::adjust::{AdjustMethod, adjust_p_values};

use super::analysis::{analyze_metric, check_alpha};
use super::monitoring::monitor;
use super::types::{
    Comparison, Decision, MetricData, MetricInput, MetricReadout, MetricRole, Monitoring,
    Population, Readout, SegmentReadout, SrmReport, Verdict,
};
use crate::error::ModelError;

/// What the analysis needs from the spec besides the metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadoutConfig {
    /// Experiment name.
    pub experiment: String,
    /// Control variant.
    pub control: String,
    /// All variants (any order; the readout lists control first).
    pub variants: Vec<String>,
    /// Significance level; CIs are (1 − alpha).
    pub alpha: f64,
    /// Multiple-testing correction across primary and secondary metrics × arms; `None` = none.
    pub correction: Option<AdjustMethod>,
    /// Sequential and Bayesian readouts to add (none by default).
    pub monitoring: Monitoring,
}

/// Parses a spec's `correction`: "none", or an [`AdjustMethod`] name (also "benjamini-hochberg"
/// and "benjamini-yekutieli").
pub fn parse_correction(text: &str) -> Result<Option<AdjustMethod>, ModelError> {
    match text.to_ascii_lowercase().as_str() {
        "none" => Ok(None),
        "benjamini-hochberg" => Ok(Some(AdjustMethod::BenjaminiHochberg)),
        "benjamini-yekutieli" => Ok(Some(AdjustMethod::BenjaminiYekutieli)),
        other => AdjustMethod::from_str(other)
            .map(Some)
            .map_err(ModelError::stats("correction")),
    }
}

/// The decision rule, as printed in every readout.
pub const DECISION_RULE: &str = "don't ship when the SRM check fails, a primary metric is \
    significantly worse (adjusted p < alpha) or a guardrail is significantly worse (two-sided \
    p < alpha); ship when every primary metric is significantly better (adjusted p < alpha) and \
    every guardrail is non-inferior within its margin; otherwise inconclusive";

fn data_variants(data: &MetricData) -> Vec<&str> {
    match data {
        MetricData::Sums { arms } => arms.iter().map(|a| a.variant.as_str()).collect(),
        MetricData::Ratio { arms } => arms.iter().map(|a| a.variant.as_str()).collect(),
        MetricData::Values { arms } => arms.iter().map(|a| a.variant.as_str()).collect(),
    }
}

/// Every configured variant has data and the data name no other variant.
fn check_variants(metric: &MetricInput, variants: &[String]) -> Result<(), ModelError> {
    let present = data_variants(&metric.data);
    let name = &metric.definition.name;
    if let Some(v) = variants.iter().find(|v| !present.contains(&v.as_str())) {
        return Err(ModelError::Variant {
            metric: name.clone(),
            variant: v.clone(),
            reason: "has no data for this metric".to_string(),
        });
    }
    if let Some(v) = present.iter().find(|v| !variants.iter().any(|c| c == *v)) {
        return Err(ModelError::Variant {
            metric: name.clone(),
            variant: v.to_string(),
            reason: "is not one of the experiment's variants".to_string(),
        });
    }
    Ok(())
}

/// Arms and comparisons in `variants` order.
fn order(mut readout: MetricReadout, variants: &[String]) -> MetricReadout {
    let pos = |v: &str| variants.iter().position(|x| x == v).unwrap_or(usize::MAX);
    readout.arms.sort_by_key(|a| pos(&a.variant));
    readout.comparisons.sort_by_key(|c| pos(&c.variant));
    readout
}

fn better(c: &Comparison, higher_is_better: bool) -> bool {
    if higher_is_better {
        c.absolute.estimate > 0.0
    } else {
        c.absolute.estimate < 0.0
    }
}

fn worse(c: &Comparison, higher_is_better: bool) -> bool {
    if higher_is_better {
        c.absolute.estimate < 0.0
    } else {
        c.absolute.estimate > 0.0
    }
}

fn decide(variant: &str, metrics: &[MetricReadout], srm: &SrmReport, alpha: f64) -> Decision {
    let mut against = Vec::new();
    let mut for_ship = Vec::new();
    let mut open = Vec::new();
    if !srm.passed {
        against.push(format!(
            "sample ratio mismatch (overall p = {:.3e}): the split differs from the design",
            srm.overall.p_value
        ));
    }
    let mut primaries = 0;
    for m in metrics {
        let Some(c) = m.comparisons.iter().find(|c| c.variant == variant) else {
            continue;
        };
        match m.role {
            MetricRole::Primary => {
                primaries += 1;
                let line = format!(
                    "primary {}: effect {:.4} (adjusted p = {:.3e})",
                    m.name, c.absolute.estimate, c.p_value_adjusted
                );
                if c.significant && worse(c, m.higher_is_better) {
                    against.push(format!("{line}, significantly worse"));
                } else if c.significant && better(c, m.higher_is_better) {
                    for_ship.push(format!("{line}, significantly better"));
                } else {
                    open.push(format!("{line}, not significant"));
                }
            }
            MetricRole::Guardrail => {
                let ni = c.non_inferiority.as_ref();
                if c.p_value < alpha && worse(c, m.higher_is_better) {
                    against.push(format!(
                        "guardrail {}: significantly worse (relative {:.4}, p = {:.3e})",
                        m.name, c.relative.estimate, c.p_value
                    ));
                } else if ni.is_some_and(|n| n.non_inferior) {
                    for_ship.push(format!(
                        "guardrail {}: non-inferior within {} (p = {:.3e})",
                        m.name,
                        ni.map_or(f64::NAN, |n| n.margin),
                        ni.map_or(f64::NAN, |n| n.p_value)
                    ));
                } else {
                    open.push(format!(
                        "guardrail {}: non-inferiority within {} not shown (p = {:.3e})",
                        m.name,
                        ni.map_or(f64::NAN, |n| n.margin),
                        ni.map_or(f64::NAN, |n| n.p_value)
                    ));
                }
            }
            MetricRole::Secondary => {}
        }
    }
    if primaries == 0 {
        open.push("no primary metric: nothing can justify shipping".to_string());
    }
    let (verdict, reasons) = if !against.is_empty() {
        (Verdict::DontShip, against)
    } else if open.is_empty() {
        (Verdict::Ship, for_ship)
    } else {
        (Verdict::Inconclusive, open)
    };
    Decision {
        variant: variant.to_string(),
        verdict,
        reasons,
    }
}

/// The p-value significance and decisions rest on: the anytime-valid one under sequential
/// monitoring, else the fixed-horizon one.
fn decision_p_value(c: &Comparison) -> f64 {
    c.sequential.as_ref().map_or(c.p_value, |s| s.p_value)
}

/// The experiment readout (docs/readout.md): analyses every metric, adjusts the p-values of the
/// primary and secondary metrics × treatment arms together with `config.correction`
/// (guardrails keep their own p-values), decides per arm, and breaks metrics down by segment
/// without correction (a segment metric that cannot be analysed is skipped with a note).
pub fn analyze(
    config: &ReadoutConfig,
    metrics: &[MetricInput],
    segments: &[(String, String, Vec<MetricInput>)],
    srm: SrmReport,
    population: Population,
    mut notes: Vec<String>,
) -> Result<Readout, ModelError> {
    const CONTEXT: &str = "readout";
    check_alpha(CONTEXT, config.alpha)?;
    for (i, v) in config.variants.iter().enumerate() {
        if config.variants[..i].contains(v) {
            return Err(ModelError::invalid(CONTEXT, "variants", v, "listed twice"));
        }
    }
    if !config.variants.contains(&config.control) {
        return Err(ModelError::invalid(
            CONTEXT,
            "control",
            &config.control,
            "must be one of the variants",
        ));
    }
    if config.variants.len() < 2 {
        return Err(ModelError::invalid(
            CONTEXT,
            "variants",
            config.variants.len(),
            "need a control and at least one treatment",
        ));
    }
    let variants: Vec<String> = std::iter::once(config.control.clone())
        .chain(
            config
                .variants
                .iter()
                .filter(|v| **v != config.control)
                .cloned(),
        )
        .collect();
    let mut readouts = Vec::with_capacity(metrics.len());
    for m in metrics {
        check_variants(m, &variants)?;
        let mut r = order(analyze_metric(m, &config.control, config.alpha)?, &variants);
        monitor(&mut r, &config.monitoring, config.alpha)?;
        for c in &mut r.comparisons {
            c.p_value_adjusted = decision_p_value(c);
            c.significant = c.p_value_adjusted < config.alpha;
        }
        readouts.push(r);
    }
    let family: Vec<(usize, usize)> = readouts
        .iter()
        .enumerate()
        .filter(|(_, r)| matches!(r.role, MetricRole::Primary | MetricRole::Secondary))
        .flat_map(|(i, r)| (0..r.comparisons.len()).map(move |j| (i, j)))
        .collect();
    if let (Some(method), false) = (config.correction, family.is_empty()) {
        let p: Vec<f64> = family
            .iter()
            .map(|&(i, j)| decision_p_value(&readouts[i].comparisons[j]))
            .collect();
        let adjusted = adjust_p_values(&p, method, config.alpha)
            .map_err(ModelError::stats("multiplicity correction"))?;
        for (&(i, j), pa) in family.iter().zip(adjusted.p_adjusted) {
            let c = &mut readouts[i].comparisons[j];
            c.p_value_adjusted = pa;
            c.significant = pa < config.alpha;
        }
    }
    let decisions = variants[1..]
        .iter()
        .map(|v| decide(v, &readouts, &srm, config.alpha))
        .collect();
    let mut segment_readouts = Vec::with_capacity(segments.len());
    for (dimension, value, inputs) in segments {
        let mut seg = Vec::with_capacity(inputs.len());
        for m in inputs {
            let result = check_variants(m, &variants)
                .and_then(|()| analyze_metric(m, &config.control, config.alpha))
                .map(|r| order(r, &variants))
                .and_then(|mut r| {
                    monitor(&mut r, &config.monitoring, config.alpha)?;
                    Ok(r)
                });
            match result {
                Ok(r) => seg.push(r),
                Err(e) => notes.push(format!(
                    "segment {dimension}={value}: metric {} skipped: {e}",
                    m.definition.name
                )),
            }
        }
        segment_readouts.push(SegmentReadout {
            dimension: dimension.clone(),
            value: value.clone(),
            metrics: seg,
        });
    }
    if !srm.passed {
        notes.push("the SRM check failed: the effects below must not be trusted".to_string());
    }
    if let Some(n) = config.monitoring.sequential_tuning_n {
        notes.push(format!(
            "sequential: significance and decisions use anytime-valid p-values (asymptotic \
             confidence sequence tuned at N* = {n}); p_value is the fixed-horizon one; guardrail \
             non-inferiority stays fixed-horizon"
        ));
    }
    Ok(Readout {
        experiment: config.experiment.clone(),
        control: config.control.clone(),
        variants,
        alpha: config.alpha,
        correction: config
            .correction
            .map_or_else(|| "none".to_string(), |m| m.as_str().to_string()),
        monitoring: config.monitoring,
        decision_rule: DECISION_RULE.to_string(),
        trustworthy: srm.passed,
        decisions,
        srm,
        population,
        metrics: readouts,
        segments: segment_readouts,
        notes,
    })
}
