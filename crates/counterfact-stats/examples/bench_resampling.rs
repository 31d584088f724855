//! Times one resampling task on data written by `benches/compare/resampling.py` (little-endian
//! f64 files) for the scipy comparison, and prints one JSON line with wall and CPU seconds.
//!
//! Usage: `bench_resampling <bootstrap-bca|permutation|poisson> <x.f64> <y.f64> <resamples>`
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::Instant;

use counterfact_stats::Alternative;
use counterfact_stats::resampling::{
    BootstrapOptions, IntervalMethod, PermutationOptions, TwoSampleStatistic, bootstrap_two_sample,
    permutation_test, poisson_bootstrap_mean_diff,
};

fn read_f64(path: &str) -> Vec<f64> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    bytes
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
        .collect()
}

/// User plus system CPU seconds of this process (Linux /proc; NaN elsewhere).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    let after = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    // Fields 14 and 15 of /proc/<pid>/stat (utime, stime) are the 12th and 13th after the ')'.
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        eprintln!(
            "usage: bench_resampling <bootstrap-bca|permutation|poisson> <x> <y> <resamples>"
        );
        std::process::exit(2);
    }
    let (x, y) = (read_f64(&args[2]), read_f64(&args[3]));
    let b: u64 = args[4].parse().expect("resamples");
    let boot = BootstrapOptions {
        n_resamples: b,
        confidence: 0.95,
        interval: IntervalMethod::Bca,
        alternative: Alternative::TwoSided,
        seed: 1,
    };
    let (cpu0, t0) = (cpu_seconds(), Instant::now());
    let summary = match args[1].as_str() {
        "bootstrap-bca" => {
            let r = bootstrap_two_sample(&x, &y, &TwoSampleStatistic::MeanDiff, &boot)
                .expect("bootstrap");
            format!(
                "\"ci\": [{}, {}], \"std_error\": {}",
                r.ci[0], r.ci[1], r.std_error
            )
        }
        "permutation" => {
            let opts = PermutationOptions {
                n_resamples: b,
                alternative: Alternative::TwoSided,
                seed: 1,
            };
            let r = permutation_test(&x, &y, &TwoSampleStatistic::MeanDiff, &opts)
                .expect("permutation");
            format!("\"p_value\": {}, \"statistic\": {}", r.p_value, r.statistic)
        }
        "poisson" => {
            let opts = BootstrapOptions {
                interval: IntervalMethod::Percentile,
                ..boot
            };
            let r = poisson_bootstrap_mean_diff(&x, &y, &opts).expect("poisson bootstrap");
            format!(
                "\"ci\": [{}, {}], \"std_error\": {}",
                r.ci[0], r.ci[1], r.std_error
            )
        }
        other => panic!("unknown task {other}"),
    };
    let wall = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    println!(
        "{{\"task\": \"{}\", \"wall_s\": {wall}, \"cpu_s\": {cpu}, \"threads\": {}, {summary}}}",
        args[1],
        rayon::current_num_threads()
    );
}
