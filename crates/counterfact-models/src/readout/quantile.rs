//! Quantile metrics: numpy's linear quantile and the outer confidence interval of Deng,
//! Knoblich and Lu (2018, "Applying the Delta Method in Metric Analytics"), at unit level and at
//! event level with the level's standard error clustered by unit.

use super::analysis::{
    Analysed, arm_order, check_n, comparison, finite_all, relative, with_test, z_crit, z_estimate,
};
use super::types::{ArmSummary, ArmValues, MetricDefinition};
use crate::error::ModelError;

/// numpy's default ("linear", Hyndman and Fan type 7) quantile of sorted values, with numpy's
/// virtual index and lerp so that the result matches it to the last bit.
pub(crate) fn linear_quantile(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    let nf = n as f64;
    // numpy: n·p + (α + p(1 − α − β)) − 1 with α = β = 1.
    let (a, b) = (1.0, 1.0);
    let virtual_index = nf * p + (a + p * (1.0 - a - b)) - 1.0;
    let prev = virtual_index.floor().clamp(0.0, nf - 1.0);
    let next = (prev + 1.0).min(nf - 1.0);
    let gamma = virtual_index - prev;
    let (a, b) = (sorted[prev as usize], sorted[next as usize]);
    let diff = b - a;
    if gamma >= 0.5 {
        b - diff * (1.0 - gamma)
    } else {
        a + diff * gamma
    }
}

/// One arm of a quantile metric: N, q̂, σ_q and the outer CI of the quantile.
struct QuantileArm {
    n: u64,
    q: f64,
    sigma: f64,
}

/// Mean and ddof-1 variances/covariance of per-unit pairs (k_i, n_i), by two passes.
fn clustered_ratio_se(pairs: &[(f64, f64)]) -> f64 {
    let u = pairs.len() as f64;
    let (sk, sn) = pairs
        .iter()
        .fold((0.0, 0.0), |(a, b), (k, n)| (a + k, b + n));
    let (mk, mn) = (sk / u, sn / u);
    let (mut vkk, mut vnn, mut vkn) = (0.0, 0.0, 0.0);
    for (k, n) in pairs {
        let (dk, dn) = (k - mk, n - mn);
        vkk += dk * dk;
        vnn += dn * dn;
        vkn += dk * dn;
    }
    let (vkk, vnn, vkn) = (vkk / (u - 1.0), vnn / (u - 1.0), vkn / (u - 1.0));
    let f = sk / sn;
    ((vkk - 2.0 * f * vkn + f * f * vnn) / (u * mn * mn))
        .max(0.0)
        .sqrt()
}

/// Per cluster, in ascending cluster id: (events at or below `q`, events). Dense ids (unit
/// indices, as the engine sends) are counted in one pass; sparse ones by sorting.
fn cluster_counts(clusters: &[u64], values: &[f64], q: f64) -> Vec<(f64, f64)> {
    let max = clusters.iter().copied().max().unwrap_or(0);
    let dense = usize::try_from(max)
        .ok()
        .filter(|&m| m <= 4 * clusters.len() + 1024);
    if let Some(max) = dense {
        let mut counts = vec![(0.0, 0.0); max + 1];
        for (&c, &x) in clusters.iter().zip(values) {
            let pair = &mut counts[c as usize];
            pair.1 += 1.0;
            if x <= q {
                pair.0 += 1.0;
            }
        }
        counts.retain(|p| p.1 > 0.0);
        return counts;
    }
    let mut events: Vec<(u64, f64)> = clusters
        .iter()
        .copied()
        .zip(values.iter().copied())
        .collect();
    events.sort_by_key(|e| e.0);
    let mut pairs: Vec<(f64, f64)> = Vec::new();
    let mut last = None;
    for (c, x) in events {
        if last != Some(c) {
            pairs.push((0.0, 0.0));
            last = Some(c);
        }
        if let Some(pair) = pairs.last_mut() {
            pair.1 += 1.0;
            if x <= q {
                pair.0 += 1.0;
            }
        }
    }
    pairs
}

fn quantile_arm(
    metric: &str,
    arm: &ArmValues,
    p: f64,
    alpha: f64,
) -> Result<QuantileArm, ModelError> {
    let v = arm.variant.as_str();
    check_n(metric, v, arm.values.len() as u64, "a quantile CI")?;
    finite_all(metric, v, "values", &arm.values)?;
    let mut sorted = arm.values.clone();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let nf = n as f64;
    let q = linear_quantile(&sorted, p);
    let sigma_p = if arm.clusters.is_empty() {
        (p * (1.0 - p) / nf).sqrt()
    } else {
        if arm.clusters.len() != n {
            return Err(ModelError::Variant {
                metric: metric.to_string(),
                variant: v.to_string(),
                reason: format!(
                    "{} cluster ids for {} values: event-level quantiles need one per value",
                    arm.clusters.len(),
                    n
                ),
            });
        }
        let pairs = cluster_counts(&arm.clusters, &arm.values, q);
        check_n(
            metric,
            v,
            pairs.len() as u64,
            "a clustered quantile CI (units)",
        )?;
        clustered_ratio_se(&pairs)
    };
    if !sigma_p.is_finite() {
        return Err(ModelError::NonFinite {
            metric: metric.to_string(),
            variant: v.to_string(),
            what: "standard error of the quantile's level".to_string(),
            value: sigma_p,
        });
    }
    let z = z_crit(alpha);
    let rank = |x: f64| {
        if x.is_nan() {
            1
        } else {
            x.clamp(1.0, nf) as usize
        }
    };
    let lo = rank((nf * (p - z * sigma_p)).floor());
    let hi = rank((nf * (p + z * sigma_p)).ceil());
    let sigma = (sorted[hi - 1] - sorted[lo - 1]) / (2.0 * z);
    Ok(QuantileArm {
        n: n as u64,
        q,
        sigma,
    })
}

pub(super) fn analyze_quantile(
    def: &MetricDefinition,
    arms: &[ArmValues],
    control: &str,
    alpha: f64,
) -> Result<Analysed, ModelError> {
    let metric = def.name.as_str();
    let p = def.quantile.unwrap_or(f64::NAN);
    if !(p > 0.0 && p < 1.0) {
        return Err(ModelError::invalid(
            &format!("metric {metric}"),
            "quantile",
            p,
            "quantile metrics need a level strictly between 0 and 1",
        ));
    }
    let labels: Vec<&str> = arms.iter().map(|a| a.variant.as_str()).collect();
    let (ci, treated) = arm_order(metric, &labels, control)?;
    let stats: Vec<QuantileArm> = arms
        .iter()
        .map(|a| quantile_arm(metric, a, p, alpha))
        .collect::<Result<_, _>>()?;
    let clustered = arms.iter().any(|a| !a.clusters.is_empty());
    let method = if clustered {
        "quantile_outer_ci_clustered"
    } else {
        "quantile_outer_ci"
    };
    let summary = |i: usize| ArmSummary {
        variant: arms[i].variant.clone(),
        n: stats[i].n,
        value: stats[i].q,
        total: None,
    };
    let mut out = Analysed {
        arms: std::iter::once(ci)
            .chain(treated.iter().copied())
            .map(summary)
            .collect(),
        comparisons: Vec::new(),
        notes: Vec::new(),
    };
    let c = &stats[ci];
    if c.q == 0.0 {
        out.notes.push(format!(
            "the control quantile is 0: relative effects of {metric} are undefined (NaN)"
        ));
    }
    for &ti in &treated {
        let t = &stats[ti];
        let se = (t.sigma * t.sigma + c.sigma * c.sigma).sqrt();
        if !(se > 0.0) {
            return Err(ModelError::ZeroVariance {
                metric: metric.to_string(),
                detail: format!(
                    "the outer CIs of variants {} and {control} have zero width: the standard \
                     error of the quantile difference is 0",
                    labels[ti]
                ),
            });
        }
        let (abs, stat, pv) = z_estimate(t.q - c.q, se, alpha);
        let rel = relative(t.q, c.q, t.sigma * t.sigma, c.sigma * c.sigma, alpha);
        let cmp = comparison(labels[ti], method, abs, rel);
        out.comparisons.push(with_test(cmp, stat, None, pv, alpha));
    }
    Ok(out)
}
