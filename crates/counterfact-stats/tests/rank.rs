//! Rank tests against scipy.stats reference values (tests/data/rank.json, written by
//! tests/reference/gen_rank.py).

mod common;

use std::collections::HashMap;

use common::{assert_close, cases, num, nums};
use counterfact_stats::Alternative;
use counterfact_stats::rank::{
    KsOptions, MannWhitneyOptions, PValueMethod, WilcoxonOptions, ks_2samp, mann_whitney_u,
    wilcoxon_paired, wilcoxon_signed_rank,
};
use serde_json::Value;

/// Closed forms and exact distributions agree with scipy to this relative tolerance.
const TOL: f64 = 1e-9;

struct Fixture {
    data: HashMap<String, (Vec<f64>, Option<Vec<f64>>)>,
    cases: Vec<Value>,
}

fn fixture(test: &str) -> Fixture {
    let all = cases("rank");
    let data = all
        .iter()
        .filter(|c| c["test"] == "data")
        .map(|c| {
            let y = c.get("y").map(nums);
            (c["name"].as_str().unwrap().to_string(), (nums(&c["x"]), y))
        })
        .collect();
    let cases = all.into_iter().filter(|c| c["test"] == test).collect();
    Fixture { data, cases }
}

fn samples<'a>(f: &'a Fixture, c: &Value) -> &'a (Vec<f64>, Option<Vec<f64>>) {
    &f.data[c["data"].as_str().unwrap()]
}

fn alternative(c: &Value) -> Alternative {
    c["alternative"].as_str().unwrap().parse().unwrap()
}

fn method(c: &Value) -> PValueMethod {
    c["method"].as_str().unwrap().parse().unwrap()
}

fn name(c: &Value) -> String {
    c["name"].as_str().unwrap().to_string()
}

/// p-values down to 1e-168 are compared relatively, like every other number.
fn assert_p(got: f64, want: f64, ctx: &str) {
    assert_close(got, want, TOL, ctx);
}

fn assert_ci(got: Option<[f64; 2]>, want: &Value, ctx: &str) {
    let got = got.expect("ci");
    let want = nums(want);
    assert_close(got[0], want[0], TOL, &format!("{ctx} ci lo"));
    assert_close(got[1], want[1], TOL, &format!("{ctx} ci hi"));
}

#[test]
fn mann_whitney_matches_scipy() {
    let f = fixture("mann-whitney");
    assert!(f.cases.len() >= 100, "{} cases", f.cases.len());
    for c in &f.cases {
        let ctx = name(c);
        let (x, y) = samples(&f, c);
        let options = MannWhitneyOptions {
            alternative: alternative(c),
            method: method(c),
            continuity: c["continuity"].as_bool().unwrap(),
            confidence: num(&c["confidence"]),
            hodges_lehmann: true,
        };
        let r = mann_whitney_u(x, y.as_ref().unwrap(), &options).unwrap();
        assert_close(r.statistic, num(&c["statistic"]), TOL, &format!("{ctx} U1"));
        assert_close(r.extra["u2"], num(&c["u2"]), TOL, &format!("{ctx} U2"));
        assert_p(r.p_value, num(&c["p_value"]), &format!("{ctx} p"));
        assert_close(
            r.estimate.unwrap(),
            num(&c["estimate"]),
            TOL,
            &format!("{ctx} HL"),
        );
        assert_ci(r.ci, &c["ci"], &ctx);
    }
}

#[test]
fn wilcoxon_matches_scipy() {
    let f = fixture("wilcoxon");
    assert!(f.cases.len() >= 100, "{} cases", f.cases.len());
    for c in &f.cases {
        let ctx = name(c);
        let (x, y) = samples(&f, c);
        let options = WilcoxonOptions {
            alternative: alternative(c),
            method: method(c),
            zero_method: c["zero_method"].as_str().unwrap().parse().unwrap(),
            correction: c["correction"].as_bool().unwrap(),
            confidence: num(&c["confidence"]),
            hodges_lehmann: true,
        };
        let r = match y {
            Some(y) => wilcoxon_paired(x, y, &options),
            None => wilcoxon_signed_rank(x, &options),
        }
        .unwrap();
        assert_close(r.statistic, num(&c["statistic"]), TOL, &format!("{ctx} T"));
        assert_p(r.p_value, num(&c["p_value"]), &format!("{ctx} p"));
        assert_close(
            r.estimate.unwrap(),
            num(&c["estimate"]),
            TOL,
            &format!("{ctx} HL"),
        );
        assert_ci(r.ci, &c["ci"], &ctx);
    }
}

#[test]
fn ks_matches_scipy() {
    let f = fixture("ks");
    assert!(f.cases.len() >= 50, "{} cases", f.cases.len());
    for c in &f.cases {
        let ctx = name(c);
        let (x, y) = samples(&f, c);
        let options = KsOptions {
            alternative: alternative(c),
            method: method(c),
        };
        let r = ks_2samp(x, y.as_ref().unwrap(), &options).unwrap();
        assert_close(r.statistic, num(&c["statistic"]), TOL, &format!("{ctx} D"));
        assert_p(r.p_value, num(&c["p_value"]), &format!("{ctx} p"));
        assert_close(
            r.extra["location"],
            num(&c["location"]),
            0.0,
            &format!("{ctx} location"),
        );
        assert_close(
            r.extra["sign"],
            num(&c["sign"]),
            0.0,
            &format!("{ctx} sign"),
        );
    }
}

#[test]
fn tiny_p_values_do_not_underflow() {
    let f = fixture("mann-whitney");
    let tiny = f
        .cases
        .iter()
        .filter(|c| num(&c["p_value"]) < 1e-100 && num(&c["p_value"]) > 0.0)
        .count();
    assert!(tiny > 0, "fixture has p-values below 1e-100");
}

#[test]
fn bad_input_is_an_error() {
    let mw = MannWhitneyOptions::default();
    assert!(mann_whitney_u(&[], &[1.0], &mw).is_err());
    assert!(mann_whitney_u(&[f64::NAN], &[1.0], &mw).is_err());
    let bad_conf = MannWhitneyOptions {
        confidence: 1.0,
        ..mw
    };
    assert!(mann_whitney_u(&[1.0], &[2.0], &bad_conf).is_err());
    let wx = WilcoxonOptions::default();
    assert!(wilcoxon_signed_rank(&[0.0, 0.0], &wx).is_err());
    assert!(wilcoxon_paired(&[1.0, 2.0], &[1.0], &wx).is_err());
    assert!(wilcoxon_signed_rank(&[f64::INFINITY], &wx).is_err());
    assert!(ks_2samp(&[1.0], &[], &KsOptions::default()).is_err());
}
