//! Exact beta-binomial readout against mpmath (`tests/reference/gen_bayes_beta.py`,
//! `tests/data/bayes_beta.json`): per-arm credible intervals (Beta quantiles at 50 digits) and
//! expected losses (tanh-sinh quadrature at 30 digits), shapes 0.5 … 1e8, and credible intervals
//! of the absolute and relative lift (Newton at 20 digits), all within 1e-9 relative.
#![allow(clippy::print_stdout)]

mod common;

use common::{assert_close, cases, num, nums, rel_err};
use counterfact_stats::bayes::LiftScale;
use counterfact_stats::bayes::beta::{BetaPosterior, beta_readout, expected_losses};

const TOL: f64 = 1e-9;

fn posterior(v: &serde_json::Value) -> BetaPosterior {
    let s = nums(v);
    BetaPosterior { a: s[0], b: s[1] }
}

#[test]
fn credible_intervals_match_mpmath_beta_quantiles() {
    let all: Vec<_> = cases("bayes_beta")
        .into_iter()
        .filter(|c| c["kind"] == "quantile")
        .collect();
    assert_eq!(all.len(), 33);
    let mut worst = 0.0f64;
    for c in &all {
        let d = posterior(&c["shape"]);
        let got = d.credible_interval(num(&c["confidence"])).unwrap();
        let want = nums(&c["ci"]);
        for j in 0..2 {
            worst = worst.max(rel_err(got[j], want[j]));
            assert_close(got[j], want[j], TOL, &format!("ci[{j}] {c}"));
        }
    }
    println!(
        "beta credible intervals: {} cases, worst relative error {worst:.2e}",
        all.len()
    );
}

#[test]
fn expected_losses_match_mpmath_quadrature() {
    let all: Vec<_> = cases("bayes_beta")
        .into_iter()
        .filter(|c| c["kind"] == "risk")
        .collect();
    assert_eq!(all.len(), 19);
    let mut worst = 0.0f64;
    for c in &all {
        let (control, treatment) = (posterior(&c["control"]), posterior(&c["treatment"]));
        let (rc, rt) = expected_losses(&control, &treatment).unwrap();
        for (got, key) in [(rc, "risk_control"), (rt, "risk_treatment")] {
            let want = num(&c[key]);
            worst = worst.max(rel_err(got, want));
            assert_close(got, want, TOL, &format!("{key} {c}"));
        }
    }
    println!(
        "beta expected losses: {} cases, worst relative error {worst:.2e}",
        all.len()
    );
}

#[test]
fn lift_credible_intervals_match_mpmath() {
    let all: Vec<_> = cases("bayes_beta")
        .into_iter()
        .filter(|c| c["kind"] == "lift_ci")
        .collect();
    assert_eq!(all.len(), 8);
    let mut worst = 0.0f64;
    for c in &all {
        let (control, treatment) = (posterior(&c["control"]), posterior(&c["treatment"]));
        let scale = if c["scale"] == "absolute" {
            LiftScale::Absolute
        } else {
            LiftScale::Relative
        };
        let r = beta_readout(&control, &treatment, scale, num(&c["confidence"])).unwrap();
        let want = nums(&c["ci"]);
        // Relative to the end, or to the lift's sd where an end is near 0.
        let sd = num(&c["sd"]);
        for (j, (got, want)) in r.ci.iter().zip(&want).enumerate() {
            let err = (got - want).abs() / want.abs().max(sd);
            worst = worst.max(err);
            assert!(err <= TOL, "lift ci[{j}] {c}: {got} vs {want}");
        }
    }
    println!(
        "beta lift credible intervals: {} cases, worst error {worst:.2e}",
        all.len()
    );
}

#[test]
fn credible_interval_inputs_are_checked() {
    let d = BetaPosterior { a: 2.0, b: 3.0 };
    assert!(d.credible_interval(1.0).is_err());
    assert!(d.credible_interval(f64::NAN).is_err());
    assert!(
        BetaPosterior { a: 0.0, b: 1.0 }
            .credible_interval(0.95)
            .is_err()
    );
}
