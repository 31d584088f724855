//! Times the bootstrap BCa interval of a difference in means and the permutation test on the
//! data `benches/compare/resampling.py` writes (little-endian f64 files), for the scipy
//! comparison. Usage: `bench_resampling <dir> [n_boot] [n_perm]`; prints one JSON line.
#![allow(clippy::print_stdout)]

use std::time::Instant;

use counterfact_stats::Alternative;
use counterfact_stats::resampling::{
    BootstrapOptions, IntervalMethod, PermutationOptions, TwoSampleStatistic, bootstrap_two_sample,
    permutation_test, poisson_bootstrap_mean_diff,
};

fn read_f64(path: &std::path::Path) -> Vec<f64> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    bytes
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(
        args.get(1)
            .map_or("/tmp/counterfact-bench-resampling", |s| s),
    );
    let n_boot: u64 = args.get(2).map_or(10_000, |s| s.parse().expect("n_boot"));
    let n_perm: u64 = args.get(3).map_or(10_000, |s| s.parse().expect("n_perm"));
    let (bx, by) = (
        read_f64(&dir.join("boot_x.f64")),
        read_f64(&dir.join("boot_y.f64")),
    );
    let (px, py) = (
        read_f64(&dir.join("perm_x.f64")),
        read_f64(&dir.join("perm_y.f64")),
    );

    let boot_opts = BootstrapOptions {
        n_resamples: n_boot,
        confidence: 0.95,
        interval: IntervalMethod::Bca,
        alternative: Alternative::TwoSided,
        seed: 1,
    };
    let t = Instant::now();
    let boot = bootstrap_two_sample(&bx, &by, &TwoSampleStatistic::MeanDiff, &boot_opts)
        .expect("bootstrap");
    let boot_s = t.elapsed().as_secs_f64();

    let perm_opts = PermutationOptions {
        n_resamples: n_perm,
        alternative: Alternative::TwoSided,
        seed: 1,
    };
    let t = Instant::now();
    let perm =
        permutation_test(&px, &py, &TwoSampleStatistic::MeanDiff, &perm_opts).expect("permutation");
    let perm_s = t.elapsed().as_secs_f64();

    let poisson_opts = BootstrapOptions {
        interval: IntervalMethod::Percentile,
        ..boot_opts
    };
    let t = Instant::now();
    let pois = poisson_bootstrap_mean_diff(
        &bx,
        &by,
        &BootstrapOptions {
            n_resamples: 1000,
            ..poisson_opts
        },
    )
    .expect("poisson bootstrap");
    let pois_s = t.elapsed().as_secs_f64();

    println!(
        "{{\"bootstrap_s\": {boot_s}, \"bootstrap_ci\": [{}, {}], \"bootstrap_a\": {}, \
         \"permutation_s\": {perm_s}, \"permutation_p\": {}, \"permutation_stat\": {}, \
         \"poisson_1000_s\": {pois_s}, \"poisson_ci\": [{}, {}], \"threads\": {}}}",
        boot.ci[0],
        boot.ci[1],
        boot.acceleration.unwrap_or(f64::NAN),
        perm.p_value,
        perm.statistic,
        pois.ci[0],
        pois.ci[1],
        rayon::current_num_threads()
    );
}
