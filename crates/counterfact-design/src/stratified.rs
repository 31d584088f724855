//! Stratified sampling: draw K units whose strata mirror the population (proportional
//! allocation) or minimize the variance of a stratified mean (Neyman allocation), with a matched
//! control of the same allocation drawn from the remainder (Cochran 1977, *Sampling Techniques*,
//! §5.5 and §5.9).
//!
//! Counts per stratum come from largest-remainder (Hamilton) rounding of the exact quotas, so each
//! differs from its exact target by less than one unit whenever no stratum is too small to hold
//! its quota. Units are drawn without replacement by a partial Fisher-Yates shuffle seeded per
//! stratum, so the same seed gives the same sample on any machine.

use std::collections::BTreeMap;

use counterfact_stats::moments::Moments;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::error::{DesignError, Result};

/// How the sample size is split across strata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StratumAllocation {
    /// n_h ∝ N_h: each stratum's share of the sample equals its share of the population.
    Proportional,
    /// n_h ∝ N_h·S_h (Neyman 1934): more units where the chosen variable varies more.
    Neyman,
}

impl StratumAllocation {
    /// The kebab-case name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            StratumAllocation::Proportional => "proportional",
            StratumAllocation::Neyman => "neyman",
        }
    }
}

/// Settings of [`stratified_sample`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StratifiedOptions {
    /// Units to draw (K).
    pub size: usize,
    /// Proportional or Neyman allocation.
    pub allocation: StratumAllocation,
    /// Also draw a control of the same size and allocation from the units not sampled.
    pub matched_control: bool,
    /// Seed of the within-stratum draws.
    pub seed: u64,
}

/// What was targeted and achieved in one stratum.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StratumReport {
    /// The stratum's key: its values of the strata columns joined by `|`.
    pub stratum: String,
    /// Eligible units in the stratum (N_h).
    pub population: usize,
    /// Units of the stratum removed by the exclusion rule.
    pub excluded: usize,
    /// Standard deviation S_h of the Neyman variable (Neyman allocation only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
    /// Target share of the sample: N_h/N, or N_h·S_h/Σ N_h·S_h.
    pub target_share: f64,
    /// Exact (fractional) target count K·target_share.
    pub target_count: f64,
    /// Units drawn into the sample.
    pub achieved: usize,
    /// achieved / K.
    pub achieved_share: f64,
    /// Units drawn into the matched control (equal to `achieved` when one was requested).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control: Option<usize>,
}

/// A stratified sample: row indices of the sample (and control) and the per-stratum report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StratifiedSample {
    /// The allocation rule.
    pub allocation: StratumAllocation,
    /// Requested sample size K.
    pub size: usize,
    /// Eligible units (after exclusions).
    pub eligible: usize,
    /// Units removed by the exclusion rule.
    pub excluded: usize,
    /// Largest |achieved − target_count| over strata.
    pub max_deviation: f64,
    /// Per-stratum report, ordered by stratum key.
    pub strata: Vec<StratumReport>,
    /// Row indices of the sample, ascending.
    #[serde(skip)]
    pub sample: Vec<usize>,
    /// Row indices of the matched control, ascending (empty when none was requested).
    #[serde(skip)]
    pub control: Vec<usize>,
}

/// Largest-remainder (Hamilton) rounding of non-negative `quotas` summing to `total`, with counts
/// capped at `capacity`: each count is the quota's floor, plus one for the largest remainders
/// until the total is reached (ties to the lower index).
pub fn largest_remainder(quotas: &[f64], total: usize, capacity: &[usize]) -> Result<Vec<usize>> {
    if quotas.len() != capacity.len() {
        return Err(DesignError::invalid(
            "capacity",
            capacity.len(),
            &format!("must have one entry per quota ({})", quotas.len()),
        ));
    }
    if let Some(q) = quotas.iter().find(|q| !(q.is_finite() && **q >= 0.0)) {
        return Err(DesignError::invalid(
            "quota",
            q,
            "must be finite and non-negative",
        ));
    }
    let room: usize = capacity.iter().sum();
    if total > room {
        return Err(DesignError::invalid(
            "sample size",
            total,
            &format!("exceeds the {room} units available"),
        ));
    }
    let mut counts: Vec<usize> = quotas
        .iter()
        .zip(capacity)
        .map(|(q, &c)| (q.floor() as usize).min(c))
        .collect();
    let floors: usize = counts.iter().sum();
    if floors > total {
        return Err(DesignError::invalid(
            "quotas",
            format!("{quotas:?}"),
            &format!("round down to {floors} units, more than the total {total}"),
        ));
    }
    let mut left = total - floors;
    let mut order: Vec<usize> = (0..quotas.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = quotas[a] - counts[a] as f64;
        let rb = quotas[b] - counts[b] as f64;
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    // A quota capped below its floor leaves units that go round again by remainder order.
    while left > 0 {
        let before = left;
        for &h in &order {
            if left == 0 {
                break;
            }
            if counts[h] < capacity[h] {
                counts[h] += 1;
                left -= 1;
            }
        }
        if left == before {
            return Err(DesignError::invalid(
                "sample size",
                total,
                "cannot be placed within the strata's capacities",
            ));
        }
    }
    Ok(counts)
}

/// Exact quotas K·w_h/Σw for weights `w` (N_h or N_h·S_h), where strata whose quota exceeds
/// their capacity are fixed at the capacity and the rest re-spread over the others.
fn capped_quotas(weights: &[f64], capacity: &[usize], size: usize) -> Vec<f64> {
    let mut quotas = vec![0.0; weights.len()];
    let mut fixed = vec![false; weights.len()];
    loop {
        let free_weight: f64 = (0..weights.len())
            .filter(|&h| !fixed[h])
            .map(|h| weights[h])
            .sum();
        let placed: f64 = (0..weights.len())
            .filter(|&h| fixed[h])
            .map(|h| quotas[h])
            .sum();
        let left = size as f64 - placed;
        let mut changed = false;
        for h in 0..weights.len() {
            if fixed[h] {
                continue;
            }
            quotas[h] = if free_weight > 0.0 {
                left * weights[h] / free_weight
            } else {
                0.0
            };
            if quotas[h] > capacity[h] as f64 {
                quotas[h] = capacity[h] as f64;
                fixed[h] = true;
                changed = true;
            }
        }
        if !changed {
            return quotas;
        }
    }
}

/// Draws a stratified sample of `options.size` units (Cochran 1977, §5.5 proportional and §5.9
/// Neyman allocation). `strata[i]` is unit i's stratum key, `eligible[i]` false excludes it, and
/// `neyman_values` (required for Neyman allocation) gives the variable whose within-stratum
/// standard deviation S_h weights the allocation.
pub fn stratified_sample(
    strata: &[String],
    eligible: &[bool],
    neyman_values: Option<&[f64]>,
    options: &StratifiedOptions,
) -> Result<StratifiedSample> {
    if eligible.len() != strata.len() {
        return Err(DesignError::invalid(
            "eligibility flags",
            eligible.len(),
            &format!("must have one entry per unit ({})", strata.len()),
        ));
    }
    if strata.is_empty() {
        return Err(DesignError::invalid(
            "population",
            0,
            "has no units to sample from",
        ));
    }
    if options.size == 0 {
        return Err(DesignError::invalid("sample size", 0, "must be at least 1"));
    }
    let mut groups: BTreeMap<&str, (Vec<usize>, usize)> = BTreeMap::new();
    for (i, key) in strata.iter().enumerate() {
        let entry = groups.entry(key.as_str()).or_default();
        if eligible[i] {
            entry.0.push(i);
        } else {
            entry.1 += 1;
        }
    }
    let eligible_total: usize = groups.values().map(|g| g.0.len()).sum();
    let excluded_total = strata.len() - eligible_total;
    let needed = if options.matched_control {
        options.size.saturating_mul(2)
    } else {
        options.size
    };
    if needed > eligible_total {
        let what = if options.matched_control {
            format!(
                "with a matched control needs {needed} units but only {eligible_total} are eligible"
            )
        } else {
            format!("is larger than the eligible population of {eligible_total} units")
        };
        return Err(DesignError::invalid(
            "sample size K",
            options.size,
            &format!("{what} ({excluded_total} excluded)"),
        ));
    }
    let sds = match options.allocation {
        StratumAllocation::Proportional => None,
        StratumAllocation::Neyman => Some(stratum_sds(&groups, strata.len(), neyman_values)?),
    };
    let weights: Vec<f64> = groups
        .values()
        .enumerate()
        .map(|(h, g)| {
            let n = g.0.len() as f64;
            sds.as_ref().map_or(n, |s| n * s[h])
        })
        .collect();
    let weight_total: f64 = weights.iter().sum();
    if weight_total <= 0.0 || !weight_total.is_finite() {
        return Err(DesignError::invalid(
            "neyman variable",
            "",
            "has zero standard deviation within every stratum; use proportional allocation",
        ));
    }
    let per_arm = if options.matched_control { 2 } else { 1 };
    let capacity: Vec<usize> = groups.values().map(|g| g.0.len() / per_arm).collect();
    let quotas = capped_quotas(&weights, &capacity, options.size);
    let counts = largest_remainder(&quotas, options.size, &capacity)?;

    let mut strata_report = Vec::with_capacity(groups.len());
    let mut sample = Vec::with_capacity(options.size);
    let mut control = Vec::new();
    let mut max_deviation: f64 = 0.0;
    for (h, (key, (members, excluded))) in groups.into_iter().enumerate() {
        let n = counts[h];
        let drawn = draw(&members, n * per_arm, options.seed, h as u64);
        sample.extend_from_slice(&drawn[..n]);
        if options.matched_control {
            control.extend_from_slice(&drawn[n..]);
        }
        max_deviation = max_deviation.max((n as f64 - quotas[h]).abs());
        strata_report.push(StratumReport {
            stratum: key.to_string(),
            population: members.len(),
            excluded,
            sd: sds.as_ref().map(|s| s[h]),
            target_share: weights[h] / weight_total,
            target_count: quotas[h],
            achieved: n,
            achieved_share: n as f64 / options.size as f64,
            control: options.matched_control.then_some(n),
        });
    }
    sample.sort_unstable();
    control.sort_unstable();
    Ok(StratifiedSample {
        allocation: options.allocation,
        size: options.size,
        eligible: eligible_total,
        excluded: excluded_total,
        max_deviation,
        strata: strata_report,
        sample,
        control,
    })
}

/// Standard deviation (ddof 1; 0 for a single unit) of the Neyman variable per stratum.
fn stratum_sds(
    groups: &BTreeMap<&str, (Vec<usize>, usize)>,
    units: usize,
    values: Option<&[f64]>,
) -> Result<Vec<f64>> {
    let Some(values) = values else {
        return Err(DesignError::invalid(
            "allocation",
            "neyman",
            "needs a variable whose standard deviation weights the strata",
        ));
    };
    if values.len() != units {
        return Err(DesignError::invalid(
            "neyman variable",
            values.len(),
            &format!("must have one value per unit ({units})"),
        ));
    }
    groups
        .iter()
        .map(|(key, (members, _))| {
            let mut m = Moments::new();
            for &i in members {
                let v = values[i];
                if !v.is_finite() {
                    return Err(DesignError::invalid(
                        "neyman variable",
                        v,
                        &format!("must be finite (unit {} of stratum '{key}')", i + 1),
                    ));
                }
                m.push(v);
            }
            Ok(if m.n > 1 { m.sd() } else { 0.0 })
        })
        .collect()
}

/// The first `n` of a seeded partial Fisher-Yates shuffle of `members`; stream `stratum` keeps
/// each stratum's draw independent of the others.
fn draw(members: &[usize], n: usize, seed: u64, stratum: u64) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stratum);
    let mut pool = members.to_vec();
    for i in 0..n {
        let j = rng.random_range(i..pool.len());
        pool.swap(i, j);
    }
    pool.truncate(n);
    pool
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_remainder_hits_the_total_within_one_unit() {
        let quotas = [3.4, 2.35, 4.25];
        let counts = largest_remainder(&quotas, 10, &[10, 10, 10]).unwrap();
        assert_eq!(counts, vec![4, 2, 4]);
        for (c, q) in counts.iter().zip(quotas) {
            assert!((*c as f64 - q).abs() < 1.0);
        }
    }

    #[test]
    fn capped_strata_spill_over() {
        let quotas = capped_quotas(&[1.0, 1.0], &[2, 100], 10);
        assert_eq!(quotas, vec![2.0, 8.0]);
    }
}
