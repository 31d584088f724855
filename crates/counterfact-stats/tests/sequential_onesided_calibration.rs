//! Calibration of the one-sided mixture tests by seeded simulation under continuous monitoring.
//!
//! 2,000 streams of 10,000 standard-normal observations (5,000 per arm, alternating), a look
//! after every 100 (100 looks), H₀: effect ≤ 0 against "greater". At the boundary of the null
//! (effect 0) the half-normal mSPRT and GrowthBook's one-sided sequence must reject in at most α
//! of the streams (one-sided 99% Monte Carlo bound), while the fixed-horizon one-sided z-test
//! (z ≥ 1.645) peeked at every look exceeds α; with effect 0.15 the one-sided lower bounds must
//! stay below the truth at every look in ≥ 1 − α of the streams; with effect 0.05 the one-sided
//! tests detect more often and sooner than the two-sided ones. Rates printed.
#![allow(clippy::print_stdout)]

use counterfact_stats::result::Alternative;
use counterfact_stats::sequential::mixture::{Metric, Mixing, MixtureSequentialTest};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

const STREAMS: usize = 2_000;
const OBS: usize = 10_000;
const LOOK_EVERY: usize = 100;
const ALPHA: f64 = 0.05;

fn normal_pair(rng: &mut ChaCha8Rng) -> (f64, f64) {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    let r = (-2.0 * u1.ln()).sqrt();
    let t = std::f64::consts::TAU * u2;
    (r * t.cos(), r * t.sin())
}

const MIXINGS: [Mixing; 2] = [
    Mixing::Msprt { tau2: 0.01 },
    Mixing::Asymptotic { tuning_n: 5000.0 },
];

/// Per stream: for [half-normal, GrowthBook one-sided, two-sided mSPRT, two-sided asymptotic]
/// the observations per arm at the first rejection (0 = never), whether each one-sided lower
/// bound stayed below `effect`, and whether the peeked one-sided z-test rejected.
fn stream(seed: u64, index: usize, effect: f64) -> ([usize; 4], [bool; 2], bool) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index as u64);
    let mut tests: Vec<MixtureSequentialTest> = MIXINGS
        .iter()
        .map(|&m| {
            MixtureSequentialTest::new(Metric::Mean, m, 0.0, ALPHA)
                .unwrap()
                .with_alternative(Alternative::Greater)
        })
        .chain(
            MIXINGS
                .iter()
                .map(|&m| MixtureSequentialTest::new(Metric::Mean, m, 0.0, ALPHA).unwrap()),
        )
        .collect();
    let mut first = [0usize; 4];
    let mut covered = [true; 2];
    let mut naive = false;
    for i in 0..OBS / 2 {
        let (x, y) = normal_pair(&mut rng);
        for t in tests.iter_mut() {
            t.push_treatment(x + effect).unwrap();
            t.push_control(y).unwrap();
        }
        if (2 * (i + 1)) % LOOK_EVERY == 0 {
            for (j, t) in tests.iter_mut().enumerate() {
                let r = t.look();
                if first[j] == 0 && t.rejected() {
                    first[j] = i + 1;
                }
                if j < 2 {
                    covered[j] &= r.cs_look[0] <= effect;
                    if j == 0 {
                        let z = r.estimate / r.std_error;
                        naive |= z >= 1.644_853_626_951_472_2;
                    }
                }
            }
        }
    }
    (first, covered, naive)
}

fn rate(xs: &[bool]) -> f64 {
    xs.iter().filter(|&&x| x).count() as f64 / xs.len() as f64
}

#[test]
fn one_sided_tests_control_fpr_and_cover() {
    let null: Vec<_> = (0..STREAMS)
        .into_par_iter()
        .map(|i| stream(2026, i, 0.0))
        .collect();
    let hn = rate(&null.iter().map(|o| o.0[0] > 0).collect::<Vec<_>>());
    let gb = rate(&null.iter().map(|o| o.0[1] > 0).collect::<Vec<_>>());
    let naive = rate(&null.iter().map(|o| o.2).collect::<Vec<_>>());
    let bound = ALPHA + 2.3263 * (ALPHA * (1.0 - ALPHA) / STREAMS as f64).sqrt();
    println!(
        "one-sided, effect 0 (boundary of H0), {STREAMS} streams x {OBS} obs, 100 looks: half-normal mSPRT FPR {hn:.4}, GrowthBook one-sided FPR {gb:.4} (must be <= {bound:.4}); one-sided z-test peeked at every look {naive:.4}"
    );
    assert!(hn <= bound && gb <= bound, "FPR {hn} {gb}");
    assert!(naive > 2.0 * ALPHA, "peeked z-test {naive}");

    let shifted: Vec<_> = (0..STREAMS)
        .into_par_iter()
        .map(|i| stream(2027, i, 0.15))
        .collect();
    let c_hn = rate(&shifted.iter().map(|o| o.1[0]).collect::<Vec<_>>());
    let c_gb = rate(&shifted.iter().map(|o| o.1[1]).collect::<Vec<_>>());
    let lower = 1.0 - bound;
    println!(
        "one-sided lower bounds, effect 0.15, 100 looks: uniform coverage half-normal {c_hn:.4}, GrowthBook {c_gb:.4} (must be >= {lower:.4})"
    );
    assert!(c_hn >= lower && c_gb >= lower, "coverage {c_hn} {c_gb}");
}

#[test]
fn one_sided_tests_detect_sooner_than_two_sided() {
    let effect = 0.05;
    let out: Vec<_> = (0..STREAMS)
        .into_par_iter()
        .map(|i| stream(2028, i, effect))
        .collect();
    let names = [
        "half-normal mSPRT (one-sided)",
        "GrowthBook one-sided",
        "mSPRT (two-sided)",
        "asymptotic CS (two-sided)",
    ];
    let mut power = [0.0; 4];
    for (j, name) in names.iter().enumerate() {
        let mut times: Vec<usize> = out.iter().map(|o| o.0[j]).filter(|&t| t > 0).collect();
        times.sort_unstable();
        power[j] = times.len() as f64 / STREAMS as f64;
        let median = times.get(times.len() / 2).copied().unwrap_or(0);
        println!(
            "effect {effect} sd, {OBS} obs: {name}: rejected {:.4}, median detection at {median} per arm",
            power[j]
        );
    }
    assert!(power[0] > power[2] && power[1] > power[3], "{power:?}");
}
