//! Shared helpers of the integration tests: reading reference fixtures and comparing numbers.
#![allow(dead_code)]

use counterfact_stats::dist::{ContinuousDistribution, DiscreteDistribution};
use serde_json::Value;

/// Cases of `tests/data/<area>.json`.
pub fn cases(area: &str) -> Vec<Value> {
    let path = format!(
        "{}/../../tests/data/{area}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    doc["cases"].as_array().expect("cases array").clone()
}

/// A number from a fixture; the generators write non-finite values as "inf", "-inf", "nan".
pub fn num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        Value::String(s) if s == "nan" => f64::NAN,
        other => panic!("not a number: {other}"),
    }
}

/// A vector of numbers from a fixture.
pub fn nums(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(num).collect()
}

/// Relative difference |got − want| / |want| (absolute when want = 0); equal non-finite values
/// and two NaNs count as 0.
pub fn rel_err(got: f64, want: f64) -> f64 {
    if got == want || (got.is_nan() && want.is_nan()) {
        return 0.0;
    }
    if want == 0.0 {
        return got.abs();
    }
    ((got - want) / want).abs()
}

/// Asserts `got` agrees with `want` to relative tolerance `tol`.
#[track_caller]
pub fn assert_close(got: f64, want: f64, tol: f64, ctx: &str) {
    let e = rel_err(got, want);
    assert!(
        e <= tol,
        "{ctx}: got {got:e}, want {want:e}, rel err {e:e} > {tol:e}"
    );
}

/// Smallest positive subnormal double: a reference below the normal range is only representable
/// to within this absolute spacing.
pub const SUBNORMAL_ULP: f64 = 5e-324;

/// Evaluates the continuous-distribution function a fixture names (pdf, cdf, sf, ln_cdf, ln_sf,
/// quantile, isf) at `x`.
pub fn eval_continuous<D: ContinuousDistribution>(d: &D, f: &str, x: f64) -> f64 {
    match f {
        "pdf" => d.pdf(x),
        "cdf" => d.cdf(x),
        "sf" => d.sf(x),
        "ln_cdf" => d.ln_cdf(x),
        "ln_sf" => d.ln_sf(x),
        "quantile" => d.quantile(x),
        "isf" => d.isf(x),
        other => panic!("unknown function {other}"),
    }
}

/// Evaluates the discrete-distribution function a fixture names (pmf, ln_pmf, cdf, sf, ln_cdf,
/// ln_sf, quantile) at `x`.
pub fn eval_discrete<D: DiscreteDistribution>(d: &D, f: &str, x: f64) -> f64 {
    // Fixture k values are exact integers below 2^53.
    let k = x as u64;
    match f {
        "pmf" => d.pmf(k),
        "ln_pmf" => d.ln_pmf(k),
        "cdf" => d.cdf(k),
        "sf" => d.sf(k),
        "ln_cdf" => d.ln_cdf(k),
        "ln_sf" => d.ln_sf(k),
        "quantile" => d.quantile(x),
        other => panic!("unknown function {other}"),
    }
}
