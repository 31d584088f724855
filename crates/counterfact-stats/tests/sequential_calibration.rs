//! Calibration of the anytime-valid tests by seeded simulation under continuous monitoring.
//!
//! Each A/A stream has 10,000 observations (5,000 per arm, standard normal, alternating arms) and
//! a look after every 100 observations (100 looks). The always-valid tests must reject at some
//! look in at most α of the streams (within Monte Carlo error: the one-sided 99% bound), while a
//! fixed-horizon z-test at |z| ≥ 1.96 applied at every look must exceed α several times over; the
//! confidence sequences must cover the true effect at every look in at least 1 − α of the streams.
//! The Dirichlet-multinomial sample-ratio test looks after every single assignment. Rates printed.
#![allow(clippy::print_stdout)]

use counterfact_stats::sequential::mixture::{Metric, Mixing, MixtureSequentialTest};
use counterfact_stats::sequential::multinomial::MultinomialSequentialTest;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

const STREAMS: usize = 4_000;
const OBS: usize = 10_000;
const LOOK_EVERY: usize = 100;
const ALPHA: f64 = 0.05;

/// One-sided 99% Monte Carlo upper bound on a rate whose true value is at most `p`.
fn upper(p: f64) -> f64 {
    p + 2.3263 * (p * (1.0 - p) / STREAMS as f64).sqrt()
}

fn normal_pair(rng: &mut ChaCha8Rng) -> (f64, f64) {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    let r = (-2.0 * u1.ln()).sqrt();
    let t = std::f64::consts::TAU * u2;
    (r * t.cos(), r * t.sin())
}

#[derive(Default, Clone, Copy)]
struct Outcome {
    msprt: bool,
    asymptotic: bool,
    naive: bool,
    naive_once: bool,
    msprt_cover: bool,
    asymptotic_cover: bool,
}

/// One A/A stream with true effect `effect`; rejection means rejecting θ = `effect`.
fn stream(index: usize, effect: f64) -> Outcome {
    let mut rng = ChaCha8Rng::seed_from_u64(20261127);
    rng.set_stream(index as u64);
    let mixing_m = Mixing::Msprt { tau2: 0.01 };
    let mixing_a = Mixing::Asymptotic { tuning_n: 5000.0 };
    let mut m = MixtureSequentialTest::new(Metric::Mean, mixing_m, effect, ALPHA).unwrap();
    let mut a = MixtureSequentialTest::new(Metric::Mean, mixing_a, effect, ALPHA).unwrap();
    let mut naive = false;
    let mut naive_once = false;
    for i in 0..OBS / 2 {
        let (x, y) = normal_pair(&mut rng);
        m.push_treatment(x + effect).unwrap();
        m.push_control(y).unwrap();
        a.push_treatment(x + effect).unwrap();
        a.push_control(y).unwrap();
        if (2 * i + 2) % LOOK_EVERY == 0 {
            let r = m.look();
            a.look();
            let z = (r.estimate - effect) / r.std_error;
            let reject = z.abs() >= 1.959963984540054;
            naive |= reject;
            if 2 * i + 2 == OBS {
                naive_once = reject;
            }
        }
    }
    let (rm, ra) = (m.result(), a.result());
    Outcome {
        msprt: m.rejected(),
        asymptotic: a.rejected(),
        naive,
        naive_once,
        msprt_cover: rm.cs[0] <= effect && effect <= rm.cs[1],
        asymptotic_cover: ra.cs[0] <= effect && effect <= ra.cs[1],
    }
}

fn rate(v: &[Outcome], f: impl Fn(&Outcome) -> bool) -> f64 {
    v.iter().filter(|o| f(o)).count() as f64 / v.len() as f64
}

#[test]
fn mixture_tests_control_fpr_under_continuous_monitoring() {
    let out: Vec<Outcome> = (0..STREAMS)
        .into_par_iter()
        .map(|i| stream(i, 0.0))
        .collect();
    let bound = upper(ALPHA);
    let fpr_m = rate(&out, |o| o.msprt);
    let fpr_a = rate(&out, |o| o.asymptotic);
    let fpr_naive = rate(&out, |o| o.naive);
    let fpr_once = rate(&out, |o| o.naive_once);
    println!(
        "A/A, {STREAMS} streams x {OBS} obs, look every {LOOK_EVERY} ({} looks), alpha {ALPHA}",
        OBS / LOOK_EVERY
    );
    println!("  mSPRT (tau2 = 0.01)                 FPR {fpr_m:.4}  (must be <= {bound:.4})");
    println!("  asymptotic CS (GrowthBook, N*=5000) FPR {fpr_a:.4}  (must be <= {bound:.4})");
    println!(
        "  fixed-horizon z-test, every look    FPR {fpr_naive:.4}  ({:.1}x alpha)",
        fpr_naive / ALPHA
    );
    println!("  fixed-horizon z-test, last look     FPR {fpr_once:.4}");
    assert!(fpr_m <= bound, "mSPRT FPR {fpr_m}");
    assert!(fpr_a <= bound, "asymptotic CS FPR {fpr_a}");
    assert!(fpr_naive >= 3.0 * ALPHA, "naive FPR {fpr_naive}");
    // The same loop at a single, pre-planned look is calibrated.
    let half = 2.5758 * (ALPHA * (1.0 - ALPHA) / STREAMS as f64).sqrt();
    assert!(
        (fpr_once - ALPHA).abs() <= half,
        "single-look FPR {fpr_once}"
    );
}

#[test]
fn confidence_sequences_cover_uniformly() {
    let effect = 0.15;
    let out: Vec<Outcome> = (0..STREAMS)
        .into_par_iter()
        .map(|i| stream(STREAMS + i, effect))
        .collect();
    let lower = 1.0 - upper(ALPHA);
    let cm = rate(&out, |o| o.msprt_cover);
    let ca = rate(&out, |o| o.asymptotic_cover);
    println!(
        "true effect {effect}: uniform coverage over all {} looks",
        OBS / LOOK_EVERY
    );
    println!("  mSPRT CS       {cm:.4}  (must be >= {lower:.4})");
    println!("  asymptotic CS  {ca:.4}  (must be >= {lower:.4})");
    assert!(cm >= lower && ca >= lower);
}

#[test]
fn multinomial_srm_controls_fpr_looking_after_every_observation() {
    let rejected: Vec<bool> = (0..STREAMS)
        .into_par_iter()
        .map(|i| {
            let mut rng = ChaCha8Rng::seed_from_u64(99);
            rng.set_stream(i as u64);
            let mut t = MultinomialSequentialTest::new(&[0.5, 0.5], 100.0, ALPHA).unwrap();
            for _ in 0..OBS {
                let arm = usize::from(rng.random::<f64>() < 0.5);
                t.push(arm).unwrap();
            }
            t.rejected()
        })
        .collect();
    let fpr = rejected.iter().filter(|&&r| r).count() as f64 / STREAMS as f64;
    let bound = upper(ALPHA);
    println!(
        "SRM (Dirichlet-multinomial, k = 100), look after each of {OBS} assignments: FPR {fpr:.4}  (must be <= {bound:.4})"
    );
    assert!(fpr <= bound, "SRM FPR {fpr}");
}

#[test]
fn multinomial_srm_with_three_and_five_arms_controls_fpr_and_covers() {
    // 2,000 streams of 10,000 assignments to 3 arms (0.2/0.3/0.5) and to 5 equal arms, a look
    // after every assignment; the simultaneous probability intervals of the 3-arm test are looked
    // at every 100 assignments and must cover all three true shares at every look.
    let streams = 2_000usize;
    let theta3 = [0.2, 0.3, 0.5];
    let out: Vec<(bool, bool, bool)> = (0..streams)
        .into_par_iter()
        .map(|i| {
            let mut rng = ChaCha8Rng::seed_from_u64(101);
            rng.set_stream(i as u64);
            let mut t3 = MultinomialSequentialTest::new(&theta3, 100.0, ALPHA).unwrap();
            let mut t5 = MultinomialSequentialTest::new(&[0.2; 5], 100.0, ALPHA).unwrap();
            let mut covered = true;
            for j in 0..OBS {
                let u = rng.random::<f64>();
                t3.push(usize::from(u >= 0.2) + usize::from(u >= 0.5))
                    .unwrap();
                t5.push(((rng.random::<f64>() * 5.0) as usize).min(4))
                    .unwrap();
                if (j + 1) % LOOK_EVERY == 0 {
                    let cs = t3.look_probability_cs();
                    covered &= cs
                        .iter()
                        .zip(&theta3)
                        .all(|(c, t)| c[0] <= *t && *t <= c[1]);
                }
            }
            (t3.rejected(), t5.rejected(), covered)
        })
        .collect();
    let rate = |f: fn(&(bool, bool, bool)) -> bool| {
        out.iter().filter(|o| f(o)).count() as f64 / streams as f64
    };
    let (f3, f5, cover) = (rate(|o| o.0), rate(|o| o.1), rate(|o| o.2));
    let bound = ALPHA + 2.3263 * (ALPHA * (1.0 - ALPHA) / streams as f64).sqrt();
    let lower = 1.0 - bound;
    println!(
        "SRM, {streams} streams x {OBS} assignments, look after each: 3 arms FPR {f3:.4}, 5 arms FPR {f5:.4} (must be <= {bound:.4}); 3-arm simultaneous probability intervals, 100 looks: coverage {cover:.4} (must be >= {lower:.4})"
    );
    assert!(f3 <= bound && f5 <= bound, "FPR {f3} {f5}");
    assert!(cover >= lower, "coverage {cover}");
}

#[test]
fn proportion_tests_control_fpr_under_continuous_monitoring() {
    // A/A conversion streams at p = 0.1: 2,000 streams x 10,000 observations, a look every 100.
    let streams = 2_000usize;
    let out: Vec<(bool, bool)> = (0..streams)
        .into_par_iter()
        .map(|i| {
            let mut rng = ChaCha8Rng::seed_from_u64(31);
            rng.set_stream(i as u64);
            let mix_m = Mixing::Msprt { tau2: 1e-4 };
            let mix_a = Mixing::Asymptotic { tuning_n: 5000.0 };
            let mut m = MixtureSequentialTest::new(Metric::Proportion, mix_m, 0.0, ALPHA).unwrap();
            let mut a = MixtureSequentialTest::new(Metric::Proportion, mix_a, 0.0, ALPHA).unwrap();
            for j in 0..OBS / 2 {
                let x = f64::from(u8::from(rng.random::<f64>() < 0.1));
                let y = f64::from(u8::from(rng.random::<f64>() < 0.1));
                for t in [&mut m, &mut a] {
                    t.push_treatment(x).unwrap();
                    t.push_control(y).unwrap();
                    if (2 * j + 2) % LOOK_EVERY == 0 {
                        t.look();
                    }
                }
            }
            (m.rejected(), a.rejected())
        })
        .collect();
    let fm = out.iter().filter(|o| o.0).count() as f64 / streams as f64;
    let fa = out.iter().filter(|o| o.1).count() as f64 / streams as f64;
    let bound = ALPHA + 2.3263 * (ALPHA * (1.0 - ALPHA) / streams as f64).sqrt();
    println!(
        "proportions p = 0.1, {streams} A/A streams, 100 looks: mSPRT (tau2 = 1e-4) FPR {fm:.4}, asymptotic CS FPR {fa:.4} (must be <= {bound:.4})"
    );
    assert!(fm <= bound && fa <= bound);
}
