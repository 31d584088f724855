//! A seeded synthetic experiment: units hashed 50/50 into control and treatment, assignment
//! days, a device dimension, numeric and categorical covariates, and pre/post metrics.

#![allow(dead_code)]

use counterfact_design::HashScheme;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The salt of the synthetic experiment.
pub const SALT: &str = "synthetic-exp";

/// One synthetic experiment, column by column.
pub struct Experiment {
    pub units: Vec<String>,
    pub arms: Vec<usize>,
    pub days: Vec<String>,
    pub device: Vec<String>,
    pub country: Vec<String>,
    pub tenure: Vec<f64>,
    pub spend: Vec<f64>,
    pub pre_metric: Vec<f64>,
    pub metric: Vec<f64>,
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn pick<'a>(rng: &mut ChaCha8Rng, levels: &[(&'a str, f64)]) -> &'a str {
    let u: f64 = rng.random();
    let mut acc = 0.0;
    for (name, p) in levels {
        acc += p;
        if u < acc {
            return name;
        }
    }
    levels[levels.len() - 1].0
}

/// A clean experiment of `n` units: assignment by the fast hash with a 50/50 split.
pub fn clean(n: usize, seed: u64) -> Experiment {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let hash = HashScheme::Fast.salted(SALT);
    let mut e = Experiment {
        units: Vec::with_capacity(n),
        arms: Vec::with_capacity(n),
        days: Vec::with_capacity(n),
        device: Vec::with_capacity(n),
        country: Vec::with_capacity(n),
        tenure: Vec::with_capacity(n),
        spend: Vec::with_capacity(n),
        pre_metric: Vec::with_capacity(n),
        metric: Vec::with_capacity(n),
    };
    for i in 0..n {
        let unit = format!("user-{i}");
        e.arms.push(usize::from(hash.bucket(&unit) >= 0.5));
        e.units.push(unit);
        e.days
            .push(format!("2026-11-{:02}", 1 + rng.random_range(0..7u32)));
        e.device.push(
            pick(
                &mut rng,
                &[("mobile", 0.6), ("desktop", 0.3), ("tablet", 0.1)],
            )
            .to_string(),
        );
        e.country
            .push(pick(&mut rng, &[("US", 0.5), ("DE", 0.3), ("BR", 0.2)]).to_string());
        let tenure = 12.0 + 4.0 * normal(&mut rng);
        e.tenure.push(tenure);
        e.spend.push(-20.0 * (1.0 - rng.random::<f64>()).ln());
        let pre = 10.0 + 0.2 * tenure + 3.0 * normal(&mut rng);
        e.pre_metric.push(pre);
        e.metric.push(0.7 * pre + 3.0 + 2.0 * normal(&mut rng));
    }
    e
}

/// Standard deviation (ddof 1) of `values`.
pub fn sd(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
}
