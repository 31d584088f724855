//! Times the rank tests on two samples stored as little-endian f64 files (written by
//! benches/compare/rank.py) and prints one JSON object with the timings and results.
//!
//! Usage: `cargo run --release -p counterfact-stats --example bench_rank -- x.f64 y.f64`
#![allow(clippy::print_stdout)]

use std::time::Instant;

use counterfact_stats::rank::{
    KsOptions, MannWhitneyOptions, PValueMethod, ks_2samp, mann_whitney_u,
};

fn read_f64(path: &str) -> std::io::Result<Vec<f64>> {
    let bytes = std::fs::read(path)?;
    Ok(bytes
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
        .collect())
}

/// Best of `reps` wall-clock times in seconds, and the last result.
fn best_of<T>(reps: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut out = f();
    for _ in 0..reps {
        let t = Instant::now();
        out = f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    (best, out)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        return Err("usage: bench_rank X.f64 Y.f64 [reps]".into());
    }
    let x = read_f64(&args[1])?;
    let y = read_f64(&args[2])?;
    let reps = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(3);
    let mw = MannWhitneyOptions {
        method: PValueMethod::Asymptotic,
        hodges_lehmann: false,
        ..Default::default()
    };
    let (t_mw, r_mw) = best_of(reps, || mann_whitney_u(&x, &y, &mw));
    let r_mw = r_mw?;
    let mw_hl = MannWhitneyOptions {
        hodges_lehmann: true,
        ..mw
    };
    let (t_hl, r_hl) = best_of(1, || mann_whitney_u(&x, &y, &mw_hl));
    let r_hl = r_hl?;
    let ks = KsOptions {
        method: PValueMethod::Asymptotic,
        ..Default::default()
    };
    let (t_ks, r_ks) = best_of(reps, || ks_2samp(&x, &y, &ks));
    let r_ks = r_ks?;
    let ci = r_hl.ci.unwrap_or([f64::NAN, f64::NAN]);
    println!(
        "{{\"n_x\": {}, \"n_y\": {}, \"threads\": {}, \
         \"mannwhitneyu_seconds\": {t_mw}, \"mannwhitneyu_statistic\": {}, \"mannwhitneyu_p\": {:e}, \
         \"mannwhitneyu_hl_seconds\": {t_hl}, \"hl_estimate\": {:e}, \"hl_ci\": [{:e}, {:e}], \
         \"ks_seconds\": {t_ks}, \"ks_statistic\": {:e}, \"ks_p\": {:e}}}",
        x.len(),
        y.len(),
        rayon::current_num_threads(),
        r_mw.statistic,
        r_mw.p_value,
        r_hl.estimate.unwrap_or(f64::NAN),
        ci[0],
        ci[1],
        r_ks.statistic,
        r_ks.p_value,
    );
    Ok(())
}
