//! Multi-armed bandits: Thompson sampling allocation for Bernoulli and Gaussian rewards, its
//! top-two variant, a minimum traffic floor per arm, and a seeded simulator against equal
//! allocation.
//!
//! References: Russo, Van Roy, Kazerouni, Osband & Wen (2018), "A Tutorial on Thompson
//! Sampling"; Russo (2016), "Simple Bayesian Algorithms for Best Arm Identification" (top-two
//! Thompson sampling).

pub mod draw;
pub mod simulate;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::{Result, StatsError};

/// Posterior of one arm's mean reward.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ArmPosterior {
    /// Bernoulli rewards: Beta(a, b).
    Beta {
        /// First shape.
        a: f64,
        /// Second shape.
        b: f64,
    },
    /// Gaussian rewards: N(mean, sd²) for the arm mean.
    Normal {
        /// Posterior mean.
        mean: f64,
        /// Posterior standard deviation.
        sd: f64,
    },
}

impl ArmPosterior {
    /// Beta(1 + s, 1 + n − s) from a uniform prior (Russo et al. 2018, §3).
    pub fn bernoulli(successes: f64, trials: f64) -> Result<Self> {
        crate::bayes::beta::check_counts(successes, trials)?;
        Ok(ArmPosterior::Beta {
            a: 1.0 + successes,
            b: 1.0 + trials - successes,
        })
    }

    /// N(mean, sd²/n) for the arm mean under a flat prior.
    pub fn gaussian(n: f64, mean: f64, sd: f64) -> Result<Self> {
        if !(n.is_finite() && n >= 1.0) {
            return Err(StatsError::invalid("n", n, "must be finite and >= 1"));
        }
        crate::error::check_finite_arg("mean", mean)?;
        if !(sd.is_finite() && sd > 0.0) {
            return Err(StatsError::invalid("sd", sd, "must be finite and > 0"));
        }
        Ok(ArmPosterior::Normal {
            mean,
            sd: sd / n.sqrt(),
        })
    }

    fn check(&self, index: usize) -> Result<()> {
        let ok = match *self {
            ArmPosterior::Beta { a, b } => a.is_finite() && a > 0.0 && b.is_finite() && b > 0.0,
            ArmPosterior::Normal { mean, sd } => mean.is_finite() && sd.is_finite() && sd > 0.0,
        };
        if ok {
            Ok(())
        } else {
            Err(StatsError::invalid(
                &format!("arm {index}"),
                format!("{self:?}"),
                "needs finite parameters with positive shapes / sd",
            ))
        }
    }

    /// One draw of the arm mean from its posterior.
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match *self {
            ArmPosterior::Beta { a, b } => draw::beta(rng, a, b),
            ArmPosterior::Normal { mean, sd } => mean + sd * draw::standard_normal(rng),
        }
    }

    /// Posterior mean of the arm.
    pub fn mean(&self) -> f64 {
        match *self {
            ArmPosterior::Beta { a, b } => a / (a + b),
            ArmPosterior::Normal { mean, .. } => mean,
        }
    }
}

/// Settings of the Thompson allocation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ThompsonConfig {
    /// Monte Carlo draws from the joint posterior.
    pub draws: usize,
    /// Minimum share of traffic per arm, in [0, 1/k].
    pub floor: f64,
    /// Top-two Thompson sampling with this probability of playing the leader (Russo 2016 uses
    /// 0.5); `None` is plain Thompson sampling.
    pub top_two: Option<f64>,
    /// Seed of the draws.
    pub seed: u64,
}

impl Default for ThompsonConfig {
    fn default() -> Self {
        ThompsonConfig {
            draws: 10_000,
            floor: 0.0,
            top_two: None,
            seed: 0,
        }
    }
}

/// Allocation weights for the next period (serializable).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Allocation {
    /// Share of traffic per arm: each ≥ floor, summing to 1.
    pub weights: Vec<f64>,
    /// Monte Carlo estimate of P(arm is best).
    pub prob_best: Vec<f64>,
    /// Posterior mean per arm.
    pub posterior_mean: Vec<f64>,
    /// Draws used.
    pub draws: usize,
    /// Floor applied.
    pub floor: f64,
    /// Leader probability of top-two sampling, if used.
    pub top_two: Option<f64>,
}

/// Thompson-sampling allocation (Russo et al. 2018): weight ∝ P(arm is best), estimated from
/// seeded posterior draws; optionally top-two (Russo 2016) and mixed with a per-arm floor as
/// w = floor + (1 − k·floor)·ψ.
pub fn thompson_allocation(arms: &[ArmPosterior], cfg: &ThompsonConfig) -> Result<Allocation> {
    let k = arms.len();
    if k < 2 {
        return Err(StatsError::TooFew {
            what: "arms".to_string(),
            n: k,
            min: 2,
        });
    }
    for (i, a) in arms.iter().enumerate() {
        a.check(i)?;
    }
    if cfg.draws == 0 || cfg.draws > 100_000_000 {
        return Err(StatsError::invalid(
            "draws",
            cfg.draws,
            "must lie in [1, 1e8]",
        ));
    }
    if !(cfg.floor.is_finite() && cfg.floor >= 0.0 && cfg.floor * k as f64 <= 1.0 + 1e-12) {
        return Err(StatsError::invalid(
            "floor",
            cfg.floor,
            &format!("must lie in [0, 1/{k}]"),
        ));
    }
    if let Some(beta) = cfg.top_two
        && !(beta.is_finite() && (0.0..=1.0).contains(&beta))
    {
        return Err(StatsError::invalid("top_two", beta, "must lie in [0, 1]"));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let mut best = vec![0u64; k];
    let mut second = vec![0u64; k];
    let mut theta = vec![0.0; k];
    for _ in 0..cfg.draws {
        for (t, a) in theta.iter_mut().zip(arms) {
            *t = a.sample(&mut rng);
        }
        let (i1, i2) = top_two_indices(&theta);
        best[i1] += 1;
        second[i2] += 1;
    }
    let n = cfg.draws as f64;
    let alpha: Vec<f64> = best.iter().map(|&c| c as f64 / n).collect();
    let psi = match cfg.top_two {
        None => alpha.clone(),
        Some(beta) => top_two_shares(&alpha, &second, n, beta),
    };
    let spread = 1.0 - k as f64 * cfg.floor;
    let mut weights: Vec<f64> = psi
        .iter()
        .map(|p| cfg.floor + spread.max(0.0) * p)
        .collect();
    let total: f64 = weights.iter().sum();
    for w in &mut weights {
        *w /= total;
    }
    Ok(Allocation {
        weights,
        prob_best: alpha,
        posterior_mean: arms.iter().map(ArmPosterior::mean).collect(),
        draws: cfg.draws,
        floor: cfg.floor,
        top_two: cfg.top_two,
    })
}

/// Indices of the largest and second-largest values (first wins ties).
pub(crate) fn top_two_indices(theta: &[f64]) -> (usize, usize) {
    let (mut i1, mut i2) = if theta[1] > theta[0] { (1, 0) } else { (0, 1) };
    for (i, &t) in theta.iter().enumerate().skip(2) {
        if t > theta[i1] {
            i2 = i1;
            i1 = i;
        } else if t > theta[i2] {
            i2 = i;
        }
    }
    (i1, i2)
}

/// Top-two shares ψ_i = β α_i + (1 − β) Σ_{I≠i} α_I α_i / (1 − α_I) (Russo 2016, resampling
/// the challenger until it differs from the leader I); when some α_I = 1 the challenger share of
/// that leader falls back to the second-best frequencies of the same draws.
fn top_two_shares(alpha: &[f64], second: &[u64], n: f64, beta: f64) -> Vec<f64> {
    let k = alpha.len();
    let mut psi: Vec<f64> = alpha.iter().map(|a| beta * a).collect();
    for lead in 0..k {
        let al = alpha[lead];
        if al == 0.0 {
            continue;
        }
        let rest = 1.0 - al;
        for (j, p) in psi.iter_mut().enumerate() {
            if j == lead {
                continue;
            }
            let share = if rest > 0.0 {
                alpha[j] / rest
            } else {
                second[j] as f64 / n
            };
            *p += (1.0 - beta) * al * share;
        }
    }
    let total: f64 = psi.iter().sum();
    psi.iter().map(|p| p / total).collect()
}
