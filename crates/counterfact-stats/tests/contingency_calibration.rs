//! Calibration by seeded simulation: A/A false-positive rates of the contingency tests at
//! α = 0.05 and error rates of the multiple-testing adjustments.
#![allow(clippy::print_stdout)]

use counterfact_stats::Alternative;
use counterfact_stats::adjust::{AdjustMethod, adjust_p_values};
use counterfact_stats::contingency::{
    chi2_goodness_of_fit, chi2_independence, fisher_exact, g_test_goodness_of_fit,
    g_test_independence,
};
use counterfact_stats::dist::{ContinuousDistribution, Normal};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const RUNS: usize = 10_000;
const ALPHA: f64 = 0.05;

/// 99% binomial (normal-approximation) interval for a rejection rate of α over `RUNS` runs.
fn interval(alpha: f64) -> (f64, f64) {
    let half = 2.575_829_3 * (alpha * (1.0 - alpha) / RUNS as f64).sqrt();
    (alpha - half, alpha + half)
}

fn binomial(rng: &mut ChaCha8Rng, n: usize, p: f64) -> f64 {
    (0..n).filter(|_| rng.random::<f64>() < p).count() as f64
}

#[test]
fn goodness_of_fit_aa_rate_is_nominal() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let (mut chi2, mut g) = (0, 0);
    for _ in 0..RUNS {
        let mut counts = [0.0; 3];
        for _ in 0..3000 {
            counts[rng.random_range(0..3_usize)] += 1.0;
        }
        chi2 += usize::from(chi2_goodness_of_fit(&counts, None).expect("chi2").p_value < ALPHA);
        g += usize::from(g_test_goodness_of_fit(&counts, None).expect("g").p_value < ALPHA);
    }
    let (lo, hi) = interval(ALPHA);
    let (r_chi2, r_g) = (chi2 as f64 / RUNS as f64, g as f64 / RUNS as f64);
    println!("A/A chi2-gof rate {r_chi2}, g-test gof rate {r_g}, 99% interval [{lo:.4}, {hi:.4}]");
    assert!((lo..=hi).contains(&r_chi2), "chi2-gof A/A rate {r_chi2}");
    assert!((lo..=hi).contains(&r_g), "g-test gof A/A rate {r_g}");
}

#[test]
fn independence_aa_rate_is_nominal() {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let (mut chi2, mut g, mut fisher) = (0, 0, 0);
    let mut fisher_runs = 0;
    for run in 0..RUNS {
        let (n, p) = (2000, 0.2);
        let a = binomial(&mut rng, n, p);
        let b = binomial(&mut rng, n, p);
        let table = [vec![a, n as f64 - a], vec![b, n as f64 - b]];
        chi2 += usize::from(chi2_independence(&table, false).expect("chi2").p_value < ALPHA);
        g += usize::from(g_test_independence(&table, false).expect("g").p_value < ALPHA);
        if run % 2 == 0 {
            // Small arms, where Fisher's conservatism shows.
            let (a, b) = (
                binomial(&mut rng, 30, 0.3) as u64,
                binomial(&mut rng, 30, 0.3) as u64,
            );
            let t = [[a, 30 - a], [b, 30 - b]];
            let r = fisher_exact(&t, Alternative::TwoSided, 0.95).expect("fisher");
            fisher += usize::from(r.p_value < ALPHA);
            fisher_runs += 1;
        }
    }
    let (lo, hi) = interval(ALPHA);
    let rate = |k: usize| k as f64 / RUNS as f64;
    let r_fisher = fisher as f64 / fisher_runs as f64;
    println!(
        "A/A chi2-independence rate {}, g-test rate {}, fisher rate {r_fisher} ({fisher_runs} runs), 99% interval [{lo:.4}, {hi:.4}]",
        rate(chi2),
        rate(g)
    );
    assert!(
        (lo..=hi).contains(&rate(chi2)),
        "chi2 A/A rate {}",
        rate(chi2)
    );
    assert!((lo..=hi).contains(&rate(g)), "g-test A/A rate {}", rate(g));
    let fisher_hi = ALPHA + 2.575_829_3 * (ALPHA * (1.0 - ALPHA) / fisher_runs as f64).sqrt();
    assert!(
        r_fisher <= fisher_hi,
        "fisher A/A rate {r_fisher} > {fisher_hi}"
    );
}

#[test]
fn adjustments_control_their_error_rates() {
    const M: usize = 10;
    const M0: usize = 5;
    let normal = Normal::standard();
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    let fwer_methods = [
        AdjustMethod::Bonferroni,
        AdjustMethod::Holm,
        AdjustMethod::Hochberg,
        AdjustMethod::Hommel,
    ];
    let fdr_methods = [
        AdjustMethod::BenjaminiHochberg,
        AdjustMethod::BenjaminiYekutieli,
    ];
    let mut family_errors = [0usize; 4];
    let mut fdp_sum = [0.0f64; 2];
    for _ in 0..RUNS {
        // Global null for FWER: M independent uniform p-values.
        let null: Vec<f64> = (0..M).map(|_| rng.random::<f64>()).collect();
        for (k, &m) in fwer_methods.iter().enumerate() {
            let a = adjust_p_values(&null, m, ALPHA).expect("adjust");
            family_errors[k] += usize::from(a.reject.iter().any(|&r| r));
        }
        // FDR: M0 nulls and M − M0 one-sided z-tests with a shift of 2.5.
        let mixed: Vec<f64> = (0..M)
            .map(|i| {
                let u: f64 = rng.random::<f64>();
                if i < M0 {
                    u
                } else {
                    normal.sf(normal.quantile(u) + 2.5)
                }
            })
            .collect();
        for (k, &m) in fdr_methods.iter().enumerate() {
            let a = adjust_p_values(&mixed, m, ALPHA).expect("adjust");
            let rejected = a.reject.iter().filter(|&&r| r).count();
            let false_rejections = a.reject[..M0].iter().filter(|&&r| r).count();
            fdp_sum[k] += false_rejections as f64 / rejected.max(1) as f64;
        }
    }
    let (_, hi) = interval(ALPHA);
    for (k, m) in fwer_methods.iter().enumerate() {
        let rate = family_errors[k] as f64 / RUNS as f64;
        println!("FWER under the global null, {m}: {rate}");
        assert!(rate <= hi, "{m} FWER {rate} > {hi}");
    }
    for (k, m) in fdr_methods.iter().enumerate() {
        let fdr = fdp_sum[k] / RUNS as f64;
        println!(
            "FDR with {M0} of {M} nulls, {m}: {fdr} (bound α·m0/m = {})",
            ALPHA * M0 as f64 / M as f64
        );
        assert!(fdr <= hi, "{m} FDR {fdr} > {hi}");
    }
}
