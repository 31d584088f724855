//! Stratified sampling: 10,000 of 1M units within one unit of the target allocation per stratum,
//! Neyman allocation, exclusions, matched control, determinism and errors.

#![allow(clippy::print_stdout)]

use counterfact_design::stratified::{
    StratifiedOptions, StratumAllocation, largest_remainder, stratified_sample,
};
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const DEVICES: [(&str, f64); 3] = [("mobile", 0.62), ("desktop", 0.31), ("tablet", 0.07)];
const REGIONS: [(&str, f64); 4] = [("NA", 0.4), ("EU", 0.3), ("APAC", 0.2), ("LATAM", 0.1)];
const TIERS: [(&str, f64); 3] = [("low", 0.5), ("mid", 0.35), ("high", 0.15)];

fn pick(rng: &mut ChaCha8Rng, levels: &[(&'static str, f64)]) -> &'static str {
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

/// `n` units with a device|region|tier stratum, a churn-risk flag and a spend variable whose
/// spread grows with the tier.
fn population(n: usize, seed: u64) -> (Vec<String>, Vec<bool>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut strata = Vec::with_capacity(n);
    let mut churn = Vec::with_capacity(n);
    let mut spend = Vec::with_capacity(n);
    for _ in 0..n {
        let tier = pick(&mut rng, &TIERS);
        strata.push(format!(
            "{}|{}|{tier}",
            pick(&mut rng, &DEVICES),
            pick(&mut rng, &REGIONS)
        ));
        churn.push(rng.random::<f64>() < 0.05);
        let scale = match tier {
            "low" => 1.0,
            "mid" => 3.0,
            _ => 10.0,
        };
        spend.push(scale * rng.random::<f64>());
    }
    (strata, churn, spend)
}

fn options(size: usize, allocation: StratumAllocation, matched_control: bool) -> StratifiedOptions {
    StratifiedOptions {
        size,
        allocation,
        matched_control,
        seed: 7,
    }
}

#[test]
fn ten_thousand_of_a_million_match_stratum_shares_within_one_unit() {
    let (strata, churn, _) = population(1_000_000, 1);
    let eligible: Vec<bool> = churn.iter().map(|c| !c).collect();
    let start = std::time::Instant::now();
    let s = stratified_sample(
        &strata,
        &eligible,
        None,
        &options(10_000, StratumAllocation::Proportional, true),
    )
    .unwrap();
    println!(
        "1M units, {} strata: sampled 10,000 + matched control in {:?}; max |achieved − target| = {:.3}",
        s.strata.len(),
        start.elapsed(),
        s.max_deviation
    );
    assert_eq!(s.strata.len(), 36);
    assert_eq!(s.sample.len(), 10_000);
    assert_eq!(s.control.len(), 10_000);
    assert!(s.max_deviation < 1.0);
    let eligible_total: usize = eligible.iter().filter(|&&e| e).count();
    assert_eq!(s.eligible, eligible_total);
    assert_eq!(s.excluded, 1_000_000 - eligible_total);
    for r in &s.strata {
        let target = 10_000.0 * r.population as f64 / eligible_total as f64;
        assert!((r.target_count - target).abs() < 1e-9);
        assert!((r.achieved as f64 - target).abs() < 1.0, "{r:?}");
        assert_eq!(r.control, Some(r.achieved));
    }
    // The sample really has those counts, holds no excluded unit and is disjoint from the control.
    for (rows, label) in [(&s.sample, "sample"), (&s.control, "control")] {
        for r in &s.strata {
            let got = rows.iter().filter(|&&i| strata[i] == r.stratum).count();
            assert_eq!(got, r.achieved, "{label} {}", r.stratum);
        }
        assert!(rows.iter().all(|&i| eligible[i]));
    }
    let mut both: Vec<usize> = s.sample.iter().chain(&s.control).copied().collect();
    both.sort_unstable();
    both.dedup();
    assert_eq!(both.len(), 20_000);
}

#[test]
fn neyman_allocates_by_stratum_spread() {
    let (strata, _, spend) = population(100_000, 2);
    let eligible = vec![true; strata.len()];
    let s = stratified_sample(
        &strata,
        &eligible,
        Some(&spend),
        &options(2_000, StratumAllocation::Neyman, false),
    )
    .unwrap();
    let weights: Vec<f64> = s
        .strata
        .iter()
        .map(|r| r.population as f64 * r.sd.unwrap())
        .collect();
    let total: f64 = weights.iter().sum();
    for (r, w) in s.strata.iter().zip(&weights) {
        assert!((r.target_count - 2_000.0 * w / total).abs() < 1e-9);
        assert!((r.achieved as f64 - r.target_count).abs() < 1.0);
    }
    let share = |tier: &str| -> f64 {
        s.strata
            .iter()
            .filter(|r| r.stratum.ends_with(tier))
            .map(|r| r.achieved_share)
            .sum()
    };
    // High tier: 15% of units but the largest spread, so far more than 15% of the sample.
    println!(
        "neyman shares: low {:.3}, high {:.3}",
        share("|low"),
        share("|high")
    );
    assert!(share("|high") > 0.4);
}

#[test]
fn same_seed_same_sample_different_seed_different_sample() {
    let (strata, _, _) = population(20_000, 3);
    let eligible = vec![true; strata.len()];
    let o = options(500, StratumAllocation::Proportional, true);
    let a = stratified_sample(&strata, &eligible, None, &o).unwrap();
    let b = stratified_sample(&strata, &eligible, None, &o).unwrap();
    assert_eq!(a, b);
    let c = stratified_sample(
        &strata,
        &eligible,
        None,
        &StratifiedOptions { seed: 8, ..o },
    )
    .unwrap();
    assert_ne!(a.sample, c.sample);
    assert_eq!(
        a.strata.iter().map(|r| r.achieved).collect::<Vec<_>>(),
        c.strata.iter().map(|r| r.achieved).collect::<Vec<_>>()
    );
}

#[test]
fn k_larger_than_the_eligible_population_is_an_error() {
    let strata: Vec<String> = (0..10).map(|i| format!("s{}", i % 2)).collect();
    let mut eligible = vec![true; 10];
    eligible[0] = false;
    let err = stratified_sample(
        &strata,
        &eligible,
        None,
        &options(10, StratumAllocation::Proportional, false),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("larger than the eligible population of 9"),
        "{err}"
    );
    let err = stratified_sample(
        &strata,
        &eligible,
        None,
        &options(5, StratumAllocation::Proportional, true),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("matched control needs 10"), "{err}");
    let err = stratified_sample(
        &strata,
        &eligible,
        None,
        &options(3, StratumAllocation::Neyman, false),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("neyman"), "{err}");
    assert!(
        stratified_sample(
            &[],
            &[],
            None,
            &options(1, StratumAllocation::Proportional, false)
        )
        .is_err()
    );
}

#[test]
fn a_fully_excluded_stratum_gets_nothing() {
    let strata: Vec<String> = (0..100).map(|i| format!("s{}", i % 4)).collect();
    let eligible: Vec<bool> = (0..100).map(|i| i % 4 != 3).collect();
    let s = stratified_sample(
        &strata,
        &eligible,
        None,
        &options(30, StratumAllocation::Proportional, false),
    )
    .unwrap();
    let s3 = s.strata.iter().find(|r| r.stratum == "s3").unwrap();
    assert_eq!((s3.population, s3.excluded, s3.achieved), (0, 25, 0));
    assert_eq!(s.sample.len(), 30);
}

proptest! {
    #[test]
    fn largest_remainder_never_panics_and_sums(
        quotas in prop::collection::vec(prop_oneof![0.0..100.0f64, Just(f64::NAN), Just(f64::INFINITY)], 0..8),
        total in 0usize..300,
    ) {
        let capacity = vec![50usize; quotas.len()];
        if let Ok(c) = largest_remainder(&quotas, total, &capacity) {
            prop_assert_eq!(c.iter().sum::<usize>(), total);
        }
    }

    #[test]
    fn stratified_sample_never_panics(
        keys in prop::collection::vec(0u8..4, 0..60),
        size in 0usize..80,
        control in any::<bool>(),
        neyman in any::<bool>(),
        value in prop_oneof![0.0..10.0f64, Just(f64::NAN)],
    ) {
        let strata: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        let eligible: Vec<bool> = keys.iter().map(|k| *k != 3).collect();
        let values: Vec<f64> = keys.iter().map(|&k| value * f64::from(k)).collect();
        let allocation = if neyman { StratumAllocation::Neyman } else { StratumAllocation::Proportional };
        if let Ok(s) = stratified_sample(&strata, &eligible, Some(&values), &options(size, allocation, control)) {
            prop_assert_eq!(s.sample.len(), size);
        }
    }
}
