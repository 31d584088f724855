//! Calibration of the quantile confidence sequences and the two-sample quantile test (Howard &
//! Ramdas 2022) by seeded simulation under continuous monitoring; rates printed.
//!
//! A/A: 2,000 streams of 10,000 Exponential(1) observations (5,000 per arm, alternating), a look
//! after every 100 (50 per arm, 100 looks). The always-valid p90 test must reject at some look in
//! at most α of the streams (one-sided 99% Monte Carlo bound), while Mood's fixed-horizon quantile
//! test (pooled p90, two-proportion z-test of the shares below it) applied at every look exceeds
//! α. Regression: treatment delays ×1.1 (p90 +10%), up to 40,000 per arm.
#![allow(clippy::print_stdout)]

use counterfact_stats::sequential::quantile::{QuantileAbTest, QuantileSequence};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

const ALPHA: f64 = 0.05;

fn exponential(rng: &mut ChaCha8Rng) -> f64 {
    -(1.0 - rng.random::<f64>()).ln()
}

fn upper(p: f64, runs: usize) -> f64 {
    p + 2.3263 * (p * (1.0 - p) / runs as f64).sqrt()
}

/// Mood's quantile test at the pooled sample p-quantile: |z| ≥ 1.96 for the difference of the
/// shares at or below it.
fn mood_rejects(t: &[f64], c: &[f64], p: f64) -> bool {
    let mut pooled: Vec<f64> = t.iter().chain(c).copied().collect();
    let k = ((pooled.len() as f64 * p).ceil() as usize).max(1) - 1;
    let (_, m, _) = pooled.select_nth_unstable_by(k, f64::total_cmp);
    let m = *m;
    let (nt, nc) = (t.len() as f64, c.len() as f64);
    let at = t.iter().filter(|&&x| x <= m).count() as f64;
    let ac = c.iter().filter(|&&x| x <= m).count() as f64;
    let pi = (at + ac) / (nt + nc);
    let se = (pi * (1.0 - pi) * (1.0 / nt + 1.0 / nc)).sqrt();
    se > 0.0 && ((at / nt - ac / nc) / se).abs() >= 1.959_963_984_540_054
}

#[test]
fn two_sample_p90_test_controls_fpr_under_peeking() {
    let (streams, per_arm, batch) = (2_000usize, 5_000usize, 50usize);
    let out: Vec<(bool, bool, bool)> = (0..streams)
        .into_par_iter()
        .map(|i| {
            let mut rng = ChaCha8Rng::seed_from_u64(71);
            rng.set_stream(i as u64);
            let mut test = QuantileAbTest::new(0.9, ALPHA, 5_000.0, 0.0).unwrap();
            let (mut t, mut c) = (Vec::new(), Vec::new());
            let (mut naive, mut naive_last) = (false, false);
            for look in 0..per_arm / batch {
                let bt: Vec<f64> = (0..batch).map(|_| exponential(&mut rng)).collect();
                let bc: Vec<f64> = (0..batch).map(|_| exponential(&mut rng)).collect();
                test.extend_treatment(&bt).unwrap();
                test.extend_control(&bc).unwrap();
                test.look();
                t.extend_from_slice(&bt);
                c.extend_from_slice(&bc);
                let reject = mood_rejects(&t, &c, 0.9);
                naive |= reject;
                if look + 1 == per_arm / batch {
                    naive_last = reject;
                }
            }
            (test.rejected(), naive, naive_last)
        })
        .collect();
    let rate = |f: fn(&(bool, bool, bool)) -> bool| {
        out.iter().filter(|o| f(o)).count() as f64 / streams as f64
    };
    let (seq, naive, last) = (rate(|o| o.0), rate(|o| o.1), rate(|o| o.2));
    let bound = upper(ALPHA, streams);
    println!(
        "p90 A/A, {streams} streams x 2 x {per_arm}, 100 looks: always-valid test FPR {seq:.4} (must be <= {bound:.4}); Mood's fixed-horizon test at every look {naive:.4}, at the last look only {last:.4}"
    );
    assert!(seq <= bound, "sequential FPR {seq}");
    assert!(naive > 2.0 * ALPHA, "peeked fixed-horizon FPR {naive}");
}

#[test]
fn two_sample_p90_test_detects_a_ten_percent_regression() {
    let (streams, per_arm, batch) = (400usize, 40_000usize, 400usize);
    let out: Vec<(i8, u64)> = (0..streams)
        .into_par_iter()
        .map(|i| {
            let mut rng = ChaCha8Rng::seed_from_u64(72);
            rng.set_stream(i as u64);
            let mut test = QuantileAbTest::new(0.9, ALPHA, 10_000.0, 0.0).unwrap();
            for _ in 0..per_arm / batch {
                let bt: Vec<f64> = (0..batch).map(|_| 1.1 * exponential(&mut rng)).collect();
                let bc: Vec<f64> = (0..batch).map(|_| exponential(&mut rng)).collect();
                test.extend_treatment(&bt).unwrap();
                test.extend_control(&bc).unwrap();
                if test.look().direction != 0 {
                    break;
                }
            }
            let r = test.result();
            (r.direction, r.n_at_rejection[0])
        })
        .collect();
    let mut times: Vec<u64> = out.iter().filter(|o| o.0 == 1).map(|o| o.1).collect();
    times.sort_unstable();
    let power = times.len() as f64 / streams as f64;
    let wrong = out.iter().filter(|o| o.0 == -1).count();
    let median = times.get(times.len() / 2).copied().unwrap_or(0);
    let q90 = times.get(times.len() * 9 / 10).copied().unwrap_or(0);
    println!(
        "p90 +10% regression (Exp(1) vs 1.1 Exp(1)), {streams} streams, look every {batch} per arm up to {per_arm}: detected {power:.4}, wrong direction {wrong}, median detection at {median} per arm (90th percentile {q90})"
    );
    assert!(power >= 0.9, "power {power}");
    assert_eq!(wrong, 0);
}

#[test]
fn p90_confidence_sequence_covers_uniformly() {
    // Exponential(1) delays; true p90 = ln 10. 2,000 streams of 2,000 observations, a look
    // every 50 (40 looks).
    let (streams, n, every) = (2_000usize, 2_000usize, 50usize);
    let truth = 10f64.ln();
    let out: Vec<(bool, f64)> = (0..streams)
        .into_par_iter()
        .map(|i| {
            let mut rng = ChaCha8Rng::seed_from_u64(5);
            rng.set_stream(i as u64);
            let mut q = QuantileSequence::new(0.9, ALPHA, 1000.0).unwrap();
            let mut batch = Vec::with_capacity(every);
            for _ in 0..n / every {
                batch.clear();
                batch.extend((0..every).map(|_| exponential(&mut rng)));
                q.extend(&batch).unwrap();
                q.look();
            }
            let r = q.result();
            (r.cs[0] <= truth && truth <= r.cs[1], r.cs[1] - r.cs[0])
        })
        .collect();
    let rate = out.iter().filter(|o| o.0).count() as f64 / streams as f64;
    let mean_width = out.iter().map(|o| o.1).sum::<f64>() / streams as f64;
    let lower = 1.0 - ALPHA - 2.3263 * (ALPHA * (1.0 - ALPHA) / streams as f64).sqrt();
    println!(
        "p90 beta-binomial confidence sequence, {streams} streams x {n} obs, 40 looks: uniform coverage {rate:.4} (must be >= {lower:.4}); mean final width {mean_width:.3} around ln 10 = {truth:.3}"
    );
    assert!(rate >= lower, "coverage {rate}");
    assert!(mean_width.is_finite() && mean_width < 0.7);
}
