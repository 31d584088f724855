//! Beta-binomial quantile confidence sequences and the two-sample quantile test (Howard &
//! Ramdas 2022) against mpmath evaluations of the published formulas
//! (`tests/reference/gen_sequential_quantile.py`, `tests/data/sequential_quantile.json`).

mod common;

use common::{assert_close, cases, num, nums};
use counterfact_stats::sequential::quantile::{
    QuantileAbTest, QuantileSequence, beta_binomial_r, quantile_log_mixture,
};
use serde_json::Value;

fn family(name: &str) -> Vec<Value> {
    cases("sequential_quantile")
        .into_iter()
        .filter(|c| c["family"] == name)
        .collect()
}

#[test]
fn log_mixture_matches_mpmath() {
    let all = family("log_mixture");
    assert_eq!(all.len(), 19);
    for c in &all {
        let (p, alpha, tuning) = (num(&c["p"]), num(&c["alpha"]), num(&c["tuning_n"]));
        let r = beta_binomial_r(p, alpha, tuning).unwrap();
        assert_close(r, num(&c["r"]), 1e-12, &format!("r {c}"));
        let got = quantile_log_mixture(num(&c["k"]), num(&c["n"]), p, r);
        let want = num(&c["ln_m"]);
        // ln M is a difference of ln Γ terms of size ~n; relative 1e-9, or 1e-9 absolute near 0.
        let err = (got - want).abs();
        assert!(
            err <= 1e-9 * want.abs().max(1.0),
            "ln M {c}: got {got}, want {want}"
        );
    }
}

#[test]
fn interval_matches_exhaustive_count_search() {
    let all = family("interval");
    assert_eq!(all.len(), 7);
    for c in &all {
        let mut q =
            QuantileSequence::new(num(&c["p"]), num(&c["alpha"]), num(&c["tuning_n"])).unwrap();
        q.extend(&nums(&c["data"])).unwrap();
        let r = q.look();
        let want = nums(&c["cs"]);
        // The ends are order statistics: exact.
        assert_eq!(r.cs_look, [want[0], want[1]], "interval {}", c["k"]);
        assert_eq!(r.cs, r.cs_look);
    }
}

#[test]
fn two_sample_e_value_matches_brute_force() {
    let all = family("ab");
    assert_eq!(all.len(), 5);
    for c in &all {
        let mut t = QuantileAbTest::new(
            num(&c["p"]),
            num(&c["alpha"]),
            num(&c["tuning_n"]),
            num(&c["delta"]),
        )
        .unwrap();
        t.extend_treatment(&nums(&c["treatment"])).unwrap();
        t.extend_control(&nums(&c["control"])).unwrap();
        let r = t.look();
        let want = num(&c["ln_e"]);
        assert!(
            (r.ln_e_value - want).abs() <= 1e-9 * want.abs().max(1.0),
            "ln e: got {}, want {want}",
            r.ln_e_value
        );
        assert_close(r.p_value_look, (-want).exp().min(1.0), 1e-8, "p-value");
    }
}

#[test]
fn streaming_in_batches_equals_one_batch() {
    let xs: Vec<f64> = (0..2000).map(|i| ((i * 7919) % 2003) as f64).collect();
    let mut a = QuantileSequence::new(0.9, 0.05, 1000.0).unwrap();
    for chunk in xs.chunks(137) {
        a.extend(chunk).unwrap();
    }
    let mut b = QuantileSequence::new(0.9, 0.05, 1000.0).unwrap();
    b.extend(&xs).unwrap();
    assert_eq!(a.look().cs_look, b.look().cs_look);
}

#[test]
fn quantile_inputs_are_checked() {
    assert!(beta_binomial_r(0.0, 0.05, 100.0).is_err());
    assert!(beta_binomial_r(0.5, 1.5, 100.0).is_err());
    assert!(beta_binomial_r(0.5, 0.05, -1.0).is_err());
    assert!(QuantileAbTest::new(0.9, 0.05, 100.0, f64::NAN).is_err());
    let mut t = QuantileAbTest::new(0.9, 0.05, 100.0, 0.0).unwrap();
    assert!(t.extend_treatment(&[1.0, f64::NAN]).is_err());
    // No data in one arm: no evidence.
    t.extend_control(&[1.0, 2.0]).unwrap();
    let r = t.look();
    assert_eq!(r.always_valid_p, 1.0);
    assert_eq!(r.looks, 0);
}
