//! Student's t, F, beta, binomial and hypergeometric distributions against mpmath (50 digits)
//! references from `tests/reference/gen_dist_b.py`.
#![allow(clippy::print_stdout)]

mod common;

use std::collections::BTreeMap;

use common::{SUBNORMAL_ULP, cases, eval_continuous, eval_discrete, num, nums, rel_err};
use counterfact_stats::dist::{
    Beta, Binomial, ContinuousDistribution, DiscreteDistribution, FisherF, Hypergeometric, StudentT,
};
use proptest::prelude::*;

fn eval(dist: &str, params: &[f64], f: &str, x: f64) -> f64 {
    match dist {
        "beta" => eval_continuous(&Beta::new(params[0], params[1]).expect("valid beta"), f, x),
        "t" => eval_continuous(&StudentT::new(params[0]).expect("valid t"), f, x),
        "f" => eval_continuous(&FisherF::new(params[0], params[1]).expect("valid F"), f, x),
        "binomial" => {
            let d = Binomial::new(params[0] as u64, params[1]).expect("valid binomial");
            eval_discrete(&d, f, x)
        }
        "hypergeometric" => {
            let d = Hypergeometric::new(params[0] as u64, params[1] as u64, params[2] as u64)
                .expect("valid hypergeometric");
            eval_discrete(&d, f, x)
        }
        other => panic!("unknown distribution {other}"),
    }
}

/// The error measure of one case: relative error (for ln_cdf/ln_sf too, which makes a log tail
/// near 0 as strict as its complement), except ln_pmf (absolute error of the log,
/// i.e. the relative error of the pmf, scaled by max(1, |ln pmf|) because ln pmf itself is only
/// representable to ε|ln pmf|).
fn error(f: &str, got: f64, want: f64) -> f64 {
    if f == "ln_pmf" {
        return if got == want {
            0.0
        } else {
            (got - want).abs() / want.abs().max(1.0)
        };
    }
    if want.abs() < 1e-300 && (got - want).abs() <= 4.0 * SUBNORMAL_ULP {
        return 0.0;
    }
    rel_err(got, want)
}

/// Tolerance of one case. Base: 1e-12 relative, the target wherever double precision allows.
/// Continuous cdf/sf/pdf values add a multiple of their condition number κ (|x F'/F| resp.
/// |x f'/f|, from the fixture): rounding the input x to a double already moves the value by up to
/// κ·ε/2 relative, so no double-precision code can do better than a small multiple of κ·ε. The
/// measured worst case needs 0.36·ε·κ on top of 1e-12 (printed by this test); the tolerance
/// allows 1·ε·κ. Quantiles carry the
/// solver's residual ε·|ln p| divided by the slope d ln F/d ln x, below 1e-12 on every fixture.
fn tolerance(dist: &str, f: &str, cond: Option<f64>, want: f64) -> f64 {
    let eps = f64::EPSILON;
    match (dist, f) {
        // A log tail moves by κ·ε/2 absolute when x is rounded, i.e. κ·ε/(2|ln F|) relative.
        (_, "ln_cdf" | "ln_sf") if want != 0.0 => 1e-12 + eps * cond.unwrap_or(0.0) / want.abs(),
        // Integer answers must match exactly.
        (_, "quantile") if dist == "binomial" || dist == "hypergeometric" => 0.0,
        (_, "cdf" | "sf" | "pdf") => 1e-12 + eps * cond.unwrap_or(0.0),
        _ => 1e-12,
    }
}

#[test]
fn reference_values() {
    let all = cases("dist_b");
    assert!(
        all.len() > 300,
        "expected a few hundred reference points, got {}",
        all.len()
    );
    let mut worst: BTreeMap<String, (f64, String)> = BTreeMap::new();
    let mut failures = Vec::new();
    // Smallest k with err ≤ 1e-12 + k·ε·κ over all conditioned cases.
    let mut needed_k = 0.0f64;
    for case in &all {
        let dist = case["dist"].as_str().expect("dist");
        let f = case["fn"].as_str().expect("fn");
        let params = nums(&case["params"]);
        let x = num(&case["x"]);
        let want = num(&case["want"]);
        let cond = case.get("cond").map(num);
        let got = eval(dist, &params, f, x);
        let err = error(f, got, want);
        let tol = tolerance(dist, f, cond, want);
        let ctx = format!(
            "{dist}{params:?}.{f}({x:e}): got {got:e} want {want:e} err {err:.2e} tol {tol:.1e}"
        );
        if let Some(c) = cond
            && err > 1e-12
            && c > 0.0
        {
            needed_k = needed_k.max((err - 1e-12) / (f64::EPSILON * c));
        }
        let key = format!("{dist}.{f}");
        let entry = worst.entry(key).or_insert((0.0, String::new()));
        if err > entry.0 {
            *entry = (err, ctx.clone());
        }
        if err.is_nan() || err > tol {
            failures.push(ctx);
        }
    }
    for (key, (err, ctx)) in &worst {
        println!("max error {key:24} {err:.2e}   [{ctx}]");
    }
    println!(
        "{} cases; condition-number multiple needed: {needed_k:.2}",
        all.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn named_tail_facts() {
    // t with one degree of freedom at p = 1e-10: −1/tan(π·1e-10) ≈ −3.1830988618379e9.
    let t1 = StudentT::new(1.0).expect("df 1");
    common::assert_close(
        t1.quantile(1e-10),
        -3.183_098_861_837_907e9,
        1e-12,
        "t1 quantile",
    );
    common::assert_close(t1.isf(1e-10), 3.183_098_861_837_907e9, 1e-12, "t1 isf");
    // Beta(1e7, 1e7) is symmetric: cdf(0.5) = ½ exactly.
    let b = Beta::new(1e7, 1e7).expect("beta");
    common::assert_close(b.cdf(0.5), 0.5, 1e-14, "beta 1e7 cdf(0.5)");
    common::assert_close(b.sf(0.5), 0.5, 1e-14, "beta 1e7 sf(0.5)");
    common::assert_close(b.quantile(0.5), 0.5, 1e-15, "beta 1e7 median");
}

#[test]
fn boundary_probabilities() {
    let t = StudentT::new(3.0).expect("t");
    assert_eq!(t.quantile(0.0), f64::NEG_INFINITY);
    assert_eq!(t.quantile(1.0), f64::INFINITY);
    assert_eq!(t.isf(0.0), f64::INFINITY);
    assert!(t.quantile(f64::NAN).is_nan() && t.isf(-0.1).is_nan() && t.cdf(f64::NAN).is_nan());
    let b = Beta::new(2.0, 3.0).expect("beta");
    assert_eq!(
        (b.quantile(0.0), b.quantile(1.0), b.isf(0.0), b.isf(1.0)),
        (0.0, 1.0, 1.0, 0.0)
    );
    let f = FisherF::new(2.0, 3.0).expect("F");
    assert_eq!((f.quantile(0.0), f.quantile(1.0)), (0.0, f64::INFINITY));
    let bin = Binomial::new(10, 0.3).expect("binomial");
    assert_eq!((bin.quantile(0.0), bin.quantile(1.0)), (0.0, 10.0));
    assert!(bin.quantile(f64::NAN).is_nan());
    let h = Hypergeometric::new(20, 15, 10).expect("hypergeometric");
    assert_eq!((h.quantile(0.0), h.quantile(1.0)), (5.0, 10.0));
    assert_eq!(h.cdf(4), 0.0);
    assert_eq!(h.sf(10), 0.0);
    assert!(Binomial::new(5, f64::NAN).is_err() && Beta::new(0.0, 1.0).is_err());
    assert!(Hypergeometric::new(5, 6, 1).is_err() && StudentT::new(f64::INFINITY).is_err());
}

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        Just(1.0),
        Just(0.5),
        -1e3..1e3f64,
        0.0..1.0f64,
    ]
}

fn shape() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        1e-3..1e3f64,
        Just(1e7),
        Just(1e300),
        Just(1e-300),
        Just(f64::NAN)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn continuous_never_panic(a in shape(), b in shape(), x in any_f64()) {
        let mut conts: Vec<Box<dyn ContinuousDistribution>> = Vec::new();
        if let Ok(d) = Beta::new(a, b) { conts.push(Box::new(d)); }
        if let Ok(d) = StudentT::new(a) { conts.push(Box::new(d)); }
        if let Ok(d) = FisherF::new(a, b) { conts.push(Box::new(d)); }
        for d in &conts {
            let _ = (d.pdf(x), d.cdf(x), d.sf(x), d.ln_pdf(x), d.ln_cdf(x), d.ln_sf(x));
            let (q, s) = (d.quantile(x), d.isf(x));
            // A probability in [0, 1] always has a quantile; anything else gives NaN.
            prop_assert_eq!((0.0..=1.0).contains(&x), !q.is_nan());
            prop_assert_eq!((0.0..=1.0).contains(&x), !s.is_nan());
        }
    }

    #[test]
    fn discrete_never_panic(n in prop_oneof![0u64..100, any::<u64>(), Just(10_000_000u64)],
                            k in prop_oneof![0u64..100, any::<u64>()],
                            m in prop_oneof![0u64..100, any::<u64>()],
                            p in any_f64()) {
        if let Ok(d) = Binomial::new(n, p) {
            let _ = (d.pmf(k), d.ln_pmf(k), d.cdf(k), d.sf(k), d.ln_cdf(k), d.ln_sf(k));
            let _ = (d.quantile(p), d.quantile(0.3));
        }
        if let Ok(d) = Hypergeometric::new(n, m.min(n), k.min(n)) {
            let _ = (d.pmf(k), d.ln_pmf(k), d.cdf(k), d.sf(k), d.ln_cdf(k), d.ln_sf(k));
            let _ = d.quantile(p);
        }
    }
}
