//! Times always-valid p-values over a long stream with a look after every observation and prints
//! one JSON object (read by benches/compare/sequential.py).
//!
//! - SRM: the Dirichlet-multinomial test (Lindon & Malek 2022) on a stream of 50/50 assignments,
//!   the quantity savvi's `Multinomial` computes; assignment i is the top bit of
//!   splitmix64(seed + i), which the Python side reproduces.
//! - mSPRT: the normal-mixture test on alternating treatment/control values
//!   (splitmix64 uniforms), one push and one look per observation (no savvi equivalent).
//!
//! Usage: `cargo run --release -p counterfact-stats --example bench_sequential -- [n] [prefix] [seed]`
#![allow(clippy::print_stdout)]

use std::time::Instant;

use counterfact_stats::sequential::mixture::{Metric, Mixing, MixtureSequentialTest};
use counterfact_stats::sequential::multinomial::MultinomialSequentialTest;

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Generates the stream in chunks so that 100M observations need no 100M-element buffer.
const CHUNK: u64 = 1 << 16;

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("arguments: n prefix seed (integers)"))
        .collect();
    let n = args.first().copied().unwrap_or(100_000_000);
    let prefix = args.get(1).copied().unwrap_or(100_000);
    let seed = args.get(2).copied().unwrap_or(20261127);

    let mut srm = MultinomialSequentialTest::new(&[0.5, 0.5], 100.0, 0.05).expect("valid test");
    let mut prefix_p = f64::NAN;
    let mut prefix_ln_bf = f64::NAN;
    let mut buf = Vec::with_capacity(CHUNK as usize);
    let t = Instant::now();
    let mut i = 0u64;
    while i < n {
        let m = CHUNK.min(n - i);
        buf.clear();
        buf.extend((i..i + m).map(|j| (splitmix64(seed.wrapping_add(j)) >> 63) as usize));
        for (k, &c) in buf.iter().enumerate() {
            srm.push(c).expect("category 0 or 1");
            if i + k as u64 + 1 == prefix {
                let r = srm.result();
                prefix_p = r.always_valid_p;
                prefix_ln_bf = r.ln_bayes_factor;
            }
        }
        i += m;
    }
    let srm_secs = t.elapsed().as_secs_f64();
    let srm_result = srm.result();

    let mut msprt =
        MixtureSequentialTest::new(Metric::Mean, Mixing::Msprt { tau2: 0.01 }, 0.0, 0.05)
            .expect("valid test");
    let t = Instant::now();
    let mut i = 0u64;
    while i < n {
        let m = CHUNK.min(n - i);
        for j in i..i + m {
            let x =
                (splitmix64(seed ^ 0x5555_5555_5555_5555 ^ j) >> 11) as f64 / (1u64 << 53) as f64;
            if j % 2 == 0 {
                msprt.push_treatment(x).expect("finite");
            } else {
                msprt.push_control(x).expect("finite");
                msprt.look();
            }
        }
        i += m;
    }
    let msprt_secs = t.elapsed().as_secs_f64();
    let msprt_result = msprt.result();

    println!(
        "{{\"n\": {n}, \"prefix\": {prefix}, \"seed\": {seed}, \
         \"srm_seconds\": {srm_secs}, \"srm_updates_per_second\": {}, \
         \"srm_always_valid_p\": {}, \"srm_ln_bayes_factor\": {}, \
         \"prefix_always_valid_p\": {prefix_p}, \"prefix_ln_bayes_factor\": {prefix_ln_bf}, \
         \"msprt_seconds\": {msprt_secs}, \"msprt_updates_per_second\": {}, \
         \"msprt_always_valid_p\": {}}}",
        n as f64 / srm_secs,
        srm_result.always_valid_p,
        srm_result.ln_bayes_factor,
        n as f64 / msprt_secs,
        msprt_result.always_valid_p,
    );
}
