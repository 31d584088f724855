//! Seeded simulator of Bernoulli bandits: Thompson sampling (plain or top-two, with a floor)
//! against equal allocation, reporting expected regret and the probability of recommending the
//! best arm at the end of the horizon.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{draw, top_two_indices};
use crate::error::{Result, StatsError};

/// Settings of the simulation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimConfig {
    /// True conversion rate of each arm.
    pub rates: Vec<f64>,
    /// Units per run.
    pub horizon: usize,
    /// Independent runs.
    pub runs: usize,
    /// Per-arm traffic floor of the Thompson policy.
    pub floor: f64,
    /// Leader probability of top-two Thompson sampling; `None` for plain Thompson sampling.
    pub top_two: Option<f64>,
    /// Seed; run r uses ChaCha8 stream r.
    pub seed: u64,
}

/// Outcome of one policy over all runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicySummary {
    /// Mean cumulative expected regret Σ (p* − p_arm) per run.
    pub mean_regret: f64,
    /// Share of runs whose final recommendation (highest posterior mean) is the best arm.
    pub prob_pick_best: f64,
}

/// Simulation report: Thompson sampling against equal allocation on the same seeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimReport {
    /// The Thompson policy.
    pub thompson: PolicySummary,
    /// Equal (round-robin) allocation.
    pub equal: PolicySummary,
    /// Runs simulated.
    pub runs: usize,
}

/// Runs the simulation; runs are independent and parallel, keyed by run index (deterministic
/// for any thread count).
pub fn simulate(cfg: &SimConfig) -> Result<SimReport> {
    let k = cfg.rates.len();
    if k < 2 {
        return Err(StatsError::TooFew {
            what: "rates".to_string(),
            n: k,
            min: 2,
        });
    }
    if let Some((i, &p)) = cfg
        .rates
        .iter()
        .enumerate()
        .find(|(_, p)| !(0.0..=1.0).contains(*p))
    {
        return Err(StatsError::invalid(
            &format!("rates[{i}]"),
            p,
            "must lie in [0, 1]",
        ));
    }
    if cfg.horizon == 0 || cfg.runs == 0 {
        return Err(StatsError::invalid(
            "horizon/runs",
            format!("{}/{}", cfg.horizon, cfg.runs),
            "must be > 0",
        ));
    }
    if !(cfg.floor.is_finite() && cfg.floor >= 0.0 && cfg.floor * k as f64 <= 1.0) {
        return Err(StatsError::invalid(
            "floor",
            cfg.floor,
            &format!("must lie in [0, 1/{k}]"),
        ));
    }
    if let Some(b) = cfg.top_two
        && !(0.0..=1.0).contains(&b)
    {
        return Err(StatsError::invalid("top_two", b, "must lie in [0, 1]"));
    }
    let results: Vec<[(f64, bool); 2]> = (0..cfg.runs)
        .into_par_iter()
        .map(|r| {
            let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
            rng.set_stream(r as u64);
            let ts = run(cfg, &mut rng, false);
            let eq = run(cfg, &mut rng, true);
            [ts, eq]
        })
        .collect();
    let n = cfg.runs as f64;
    let summary = |j: usize| PolicySummary {
        mean_regret: results.iter().map(|x| x[j].0).sum::<f64>() / n,
        prob_pick_best: results.iter().filter(|x| x[j].1).count() as f64 / n,
    };
    Ok(SimReport {
        thompson: summary(0),
        equal: summary(1),
        runs: cfg.runs,
    })
}

/// One run of one policy: (regret, recommended the best arm).
fn run(cfg: &SimConfig, rng: &mut ChaCha8Rng, equal: bool) -> (f64, bool) {
    let k = cfg.rates.len();
    let best_rate = cfg.rates.iter().cloned().fold(f64::MIN, f64::max);
    let mut succ = vec![0.0; k];
    let mut fail = vec![0.0; k];
    let mut theta = vec![0.0; k];
    let mut regret = 0.0;
    for t in 0..cfg.horizon {
        let arm = if equal {
            t % k
        } else if rng.random::<f64>() < cfg.floor * k as f64 {
            rng.random_range(0..k)
        } else {
            for (i, th) in theta.iter_mut().enumerate() {
                *th = draw::beta(rng, 1.0 + succ[i], 1.0 + fail[i]);
            }
            let (leader, second) = top_two_indices(&theta);
            match cfg.top_two {
                Some(b) if rng.random::<f64>() >= b => {
                    challenger(rng, &succ, &fail, leader, second)
                }
                _ => leader,
            }
        };
        regret += best_rate - cfg.rates[arm];
        if rng.random::<f64>() < cfg.rates[arm] {
            succ[arm] += 1.0;
        } else {
            fail[arm] += 1.0;
        }
    }
    let mean = |i: usize| (1.0 + succ[i]) / (2.0 + succ[i] + fail[i]);
    let pick = (0..k).fold(0, |b, i| if mean(i) > mean(b) { i } else { b });
    (regret, cfg.rates[pick] == best_rate)
}

/// Russo's challenger: resample until the argmax differs from the leader (at most 100 tries,
/// then the runner-up of the first draw).
fn challenger(
    rng: &mut ChaCha8Rng,
    succ: &[f64],
    fail: &[f64],
    leader: usize,
    fallback: usize,
) -> usize {
    let mut theta = vec![0.0; succ.len()];
    for _ in 0..100 {
        for (i, th) in theta.iter_mut().enumerate() {
            *th = draw::beta(rng, 1.0 + succ[i], 1.0 + fail[i]);
        }
        let (i1, _) = top_two_indices(&theta);
        if i1 != leader {
            return i1;
        }
    }
    fallback
}
