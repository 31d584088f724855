//! Seeded goodness-of-fit tests: over >= 100,000 runs each sampler's selection frequencies pass
//! a chi-square test against the exact selection probabilities (p > 1e-4, seeds fixed).
#![allow(clippy::print_stdout)]

use counterfact_stats::dist::{ChiSquared, ContinuousDistribution};
use counterfact_stats::sampling::reservoir::{
    ReservoirL, ReservoirR, SingleReservoir, WeightedMethod, WeightedReservoir, reservoir_l,
};
use counterfact_stats::sampling::seeded_rng;
use counterfact_stats::sampling::weighted::{
    AliasSampler, CumulativeSampler, KeySampler, random_key,
};
use std::collections::HashMap;

const RUNS: usize = 100_000;
const P_FLOOR: f64 = 1e-4;

/// Pearson's chi-square of observed counts against probabilities; categories of probability
/// zero must be empty. Returns (statistic, df, p-value).
fn chi_square(observed: &[u64], probs: &[f64], ctx: &str) -> (f64, usize, f64) {
    let total: u64 = observed.iter().sum();
    let mut stat = 0.0;
    let mut categories = 0;
    for (o, p) in observed.iter().zip(probs) {
        if *p == 0.0 {
            assert_eq!(*o, 0, "{ctx}: a probability-zero category was selected");
            continue;
        }
        let e = p * total as f64;
        stat += (*o as f64 - e).powi(2) / e;
        categories += 1;
    }
    let df = categories - 1;
    let p = ChiSquared::new(df as f64).expect("df > 0").sf(stat);
    println!("{ctx}: chi2 = {stat:.2}, df = {df}, p = {p:.4}");
    assert!(
        p > P_FLOOR,
        "{ctx}: chi2 = {stat}, df = {df}, p = {p} <= {P_FLOOR}"
    );
    (stat, df, p)
}

/// Index of a k-subset of 0..n given as a bitmask, over all k-subsets in mask order.
fn subset_index(n: usize, k: usize) -> HashMap<u32, usize> {
    (0u32..1 << n)
        .filter(|m| m.count_ones() as usize == k)
        .enumerate()
        .map(|(i, m)| (m, i))
        .collect()
}

#[test]
fn single_reservoir_is_uniform_on_every_prefix() {
    const LEN: usize = 10;
    let mut rng = seeded_rng(101);
    // counts[m][i]: after m + 1 items, how often item i was the choice.
    let mut counts = vec![vec![0u64; LEN]; LEN];
    for _ in 0..RUNS {
        let mut reservoir = SingleReservoir::new();
        for (m, item) in (0..LEN).enumerate() {
            reservoir.push(item, &mut rng);
            counts[m][*reservoir.choice().expect("non-empty")] += 1;
        }
    }
    for (m, row) in counts.iter().enumerate().skip(1) {
        let k = m + 1;
        let probs: Vec<f64> = (0..LEN)
            .map(|i| if i < k { 1.0 / k as f64 } else { 0.0 })
            .collect();
        chi_square(row, &probs, &format!("size-1 reservoir, position 1..={k}"));
    }
}

fn check_uniform_subsets(
    name: &str,
    seed: u64,
    sample: impl Fn(&mut rand_chacha::ChaCha8Rng) -> Vec<usize>,
) {
    const N: usize = 10;
    const K: usize = 3;
    let index = subset_index(N, K);
    let mut counts = vec![0u64; index.len()];
    let mut inclusion = [0u64; N];
    let mut rng = seeded_rng(seed);
    for _ in 0..RUNS {
        let s = sample(&mut rng);
        assert_eq!(s.len(), K);
        let mask = s.iter().fold(0u32, |m, &i| m | 1 << i);
        assert_eq!(mask.count_ones() as usize, K, "{name}: duplicate items");
        counts[index[&mask]] += 1;
        for &i in &s {
            inclusion[i] += 1;
        }
    }
    // All C(10, 3) = 120 subsets equally likely; hence inclusion probability 3/10 per position.
    chi_square(
        &counts,
        &vec![1.0 / index.len() as f64; index.len()],
        &format!("{name}: subsets"),
    );
    let rates: Vec<f64> = inclusion.iter().map(|&c| c as f64 / RUNS as f64).collect();
    println!("{name}: inclusion rates {rates:.4?} (exact 0.3)");
}

#[test]
fn algorithm_r_subsets_are_uniform() {
    check_uniform_subsets("algorithm R", 202, |rng| {
        let mut r = ReservoirR::new(3).expect("k");
        for i in 0..10 {
            r.push(i, rng);
        }
        r.into_sample()
    });
}

#[test]
fn algorithm_l_subsets_are_uniform() {
    check_uniform_subsets("algorithm L (push)", 303, |rng| {
        let mut r = ReservoirL::new(3).expect("k");
        for i in 0..10 {
            r.push(i, rng);
        }
        r.into_sample()
    });
    check_uniform_subsets("algorithm L (nth skip)", 304, |rng| {
        reservoir_l(0..10usize, 3, rng).expect("k")
    });
}

const WEIGHTS: [f64; 6] = [0.5, 1.0, 0.0, 2.0, 3.0, 4.5];

/// Exact probability of each ordered draw (i1, i2, i3) of successive sampling without
/// replacement: prod w_ij / (W − earlier weights).
fn ordered_probabilities(weights: &[f64], k: usize) -> HashMap<Vec<usize>, f64> {
    fn extend(
        prefix: Vec<usize>,
        p: f64,
        weights: &[f64],
        k: usize,
        out: &mut HashMap<Vec<usize>, f64>,
    ) {
        if prefix.len() == k {
            out.insert(prefix, p);
            return;
        }
        let left: f64 = (0..weights.len())
            .filter(|i| !prefix.contains(i))
            .map(|i| weights[i])
            .sum();
        for i in 0..weights.len() {
            if !prefix.contains(&i) && weights[i] > 0.0 {
                let mut next = prefix.clone();
                next.push(i);
                extend(next, p * weights[i] / left, weights, k, out);
            }
        }
    }
    let mut out = HashMap::new();
    extend(Vec::new(), 1.0, weights, k, &mut out);
    out
}

fn check_weighted(method: WeightedMethod, seed: u64) {
    let k = 3;
    let exact = ordered_probabilities(&WEIGHTS, k);
    let total: f64 = exact.values().sum();
    assert!((total - 1.0).abs() < 1e-12);
    let mut keys: Vec<&Vec<usize>> = exact.keys().collect();
    keys.sort();
    let position: HashMap<&Vec<usize>, usize> =
        keys.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    let mut ordered = vec![0u64; keys.len()];
    let mut sets: HashMap<Vec<usize>, u64> = HashMap::new();
    let mut rng = seeded_rng(seed);
    for _ in 0..RUNS {
        let mut reservoir = WeightedReservoir::new(k, method).expect("k");
        for (i, &w) in WEIGHTS.iter().enumerate() {
            reservoir.push(i, w, &mut rng).expect("valid weight");
        }
        let sample = reservoir.into_sample();
        ordered[position[&sample]] += 1;
        let mut set = sample;
        set.sort();
        *sets.entry(set).or_default() += 1;
    }
    let probs: Vec<f64> = keys.iter().map(|k| exact[*k]).collect();
    // The order by decreasing key is that of successive weighted draws (Efraimidis & Spirakis).
    chi_square(&ordered, &probs, &format!("{method:?}: ordered samples"));
    let mut set_probs: HashMap<Vec<usize>, f64> = HashMap::new();
    for (seq, p) in &exact {
        let mut set = seq.clone();
        set.sort();
        *set_probs.entry(set).or_default() += p;
    }
    let set_keys: Vec<Vec<usize>> = set_probs.keys().cloned().collect();
    let observed: Vec<u64> = set_keys
        .iter()
        .map(|s| sets.get(s).copied().unwrap_or(0))
        .collect();
    let expected: Vec<f64> = set_keys.iter().map(|s| set_probs[s]).collect();
    assert_eq!(
        observed.iter().sum::<u64>(),
        RUNS as u64,
        "a zero-weight item was sampled"
    );
    chi_square(&observed, &expected, &format!("{method:?}: sets"));
}

#[test]
fn a_res_matches_successive_weighted_draws() {
    check_weighted(WeightedMethod::ARes, 404);
}

#[test]
fn a_expj_matches_successive_weighted_draws() {
    check_weighted(WeightedMethod::AExpJ, 505);
}

#[test]
fn a_expj_over_a_long_stream_matches_inclusion_of_a_res() {
    // Jumps only matter once the reservoir is full and many items pass: compare A-ExpJ with
    // A-Res on 200 items, k = 2, as a two-sample chi-square on inclusion counts.
    let weights: Vec<f64> = (0..200).map(|i| 1.0 + (i % 7) as f64).collect();
    let runs = 20_000;
    let mut counts = [vec![0u64; 200], vec![0u64; 200]];
    for (m, method) in [WeightedMethod::ARes, WeightedMethod::AExpJ]
        .into_iter()
        .enumerate()
    {
        let mut rng = seeded_rng(606 + m as u64);
        for _ in 0..runs {
            let mut reservoir = WeightedReservoir::new(2, method).expect("k");
            for (i, &w) in weights.iter().enumerate() {
                reservoir.push(i, w, &mut rng).expect("valid");
            }
            for i in reservoir.into_sample() {
                counts[m][i] += 1;
            }
        }
    }
    // Group items by weight class (7 classes) so expected counts are large.
    let mut class = [[0u64; 7]; 2];
    for m in 0..2 {
        for i in 0..200 {
            class[m][i % 7] += counts[m][i];
        }
    }
    let pooled: Vec<f64> = (0..7)
        .map(|c| (class[0][c] + class[1][c]) as f64 / (4 * runs) as f64)
        .collect();
    let mut stat = 0.0;
    for row in &class {
        for c in 0..7 {
            let e = pooled[c] * (2 * runs) as f64;
            stat += (row[c] as f64 - e).powi(2) / e;
        }
    }
    let p = ChiSquared::new(6.0).expect("df").sf(stat);
    println!("A-ExpJ vs A-Res homogeneity on 200 items: chi2 = {stat:.2}, df = 6, p = {p:.4}");
    assert!(p > P_FLOOR);
}

#[test]
fn cumulative_and_alias_draw_in_proportion_to_weight() {
    let weights = [3.0, 0.0, 1.0, 0.25, 5.75, 0.0, 2.0, 8.0];
    let total: f64 = weights.iter().sum();
    let probs: Vec<f64> = weights.iter().map(|w| w / total).collect();
    let cumulative = CumulativeSampler::new(&weights).expect("valid");
    let alias = AliasSampler::new(&weights).expect("valid");
    let mut rng = seeded_rng(707);
    let mut counts = [vec![0u64; weights.len()], vec![0u64; weights.len()]];
    for _ in 0..RUNS {
        counts[0][cumulative.sample(&mut rng)] += 1;
        counts[1][alias.sample(&mut rng)] += 1;
    }
    chi_square(&counts[0], &probs, "cumulative binary search");
    chi_square(&counts[1], &probs, "Vose alias");

    let pairs: Vec<(char, f64)> = "abcdefgh".chars().zip(weights).collect();
    let keys = KeySampler::new(pairs.clone()).expect("valid");
    let mut key_counts = [vec![0u64; weights.len()], vec![0u64; weights.len()]];
    for _ in 0..RUNS {
        let a = *keys.sample(&mut rng);
        key_counts[0][(a as u8 - b'a') as usize] += 1;
        let b = *random_key(&pairs, &mut rng).expect("valid");
        key_counts[1][(b as u8 - b'a') as usize] += 1;
    }
    chi_square(&key_counts[0], &probs, "KeySampler");
    chi_square(&key_counts[1], &probs, "random_key");
}
