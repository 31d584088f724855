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

/// CPU seconds (user + system, all threads) this process has used so far, from
/// /proc/self/stat (Linux; clock ticks of 1/100 s), or NaN where unavailable. On a shared,
/// oversubscribed machine CPU time is steadier than wall-clock time.
fn process_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1;
            let f: Vec<&str> = after.split_whitespace().collect();
            let utime: f64 = f.get(11)?.parse().ok()?;
            let stime: f64 = f.get(12)?.parse().ok()?;
            Some((utime + stime) / 100.0)
        })
        .unwrap_or(f64::NAN)
}

/// Best of `reps` wall-clock times in seconds, mean CPU seconds per call, and the last result.
fn best_of<T>(reps: usize, mut f: impl FnMut() -> T) -> (f64, f64, T) {
    let mut best = f64::INFINITY;
    let mut out = f();
    let cpu0 = process_cpu_seconds();
    for _ in 0..reps {
        let t = Instant::now();
        out = f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    let cpu = (process_cpu_seconds() - cpu0) / reps.max(1) as f64;
    (best, cpu, out)
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
    let (t_mw, c_mw, r_mw) = best_of(reps, || mann_whitney_u(&x, &y, &mw));
    let r_mw = r_mw?;
    let mw_hl = MannWhitneyOptions {
        hodges_lehmann: true,
        ..mw
    };
    let (t_hl, c_hl, r_hl) = best_of(1, || mann_whitney_u(&x, &y, &mw_hl));
    let r_hl = r_hl?;
    let ks = KsOptions {
        method: PValueMethod::Asymptotic,
        ..Default::default()
    };
    let (t_ks, c_ks, r_ks) = best_of(reps, || ks_2samp(&x, &y, &ks));
    let r_ks = r_ks?;
    let ci = r_hl.ci.unwrap_or([f64::NAN, f64::NAN]);
    println!(
        "{{\"n_x\": {}, \"n_y\": {}, \"threads\": {}, \
         \"mannwhitneyu_seconds\": {t_mw}, \"mannwhitneyu_cpu_seconds\": {c_mw}, \"mannwhitneyu_statistic\": {}, \"mannwhitneyu_p\": {:e}, \
         \"mannwhitneyu_hl_seconds\": {t_hl}, \"mannwhitneyu_hl_cpu_seconds\": {c_hl}, \"hl_estimate\": {:e}, \"hl_ci\": [{:e}, {:e}], \
         \"ks_seconds\": {t_ks}, \"ks_cpu_seconds\": {c_ks}, \"ks_statistic\": {:e}, \"ks_p\": {:e}}}",
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
