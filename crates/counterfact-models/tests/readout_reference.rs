//! The readout analysis against the independent Python reference
//! (tests/reference/gen_models.py → tests/data/models_readout.json): every number within 1e-9
//! relative (`TOL`), counts, flags, verdicts and strings exact.
#![allow(clippy::print_stdout)]

#[path = "../../counterfact-stats/tests/common/mod.rs"]
mod common;

use counterfact_models::readout::{
    MetricInput, Population, ReadoutConfig, analyze, analyze_metric, parse_correction, srm_report,
};
use serde_json::Value;

/// Relative tolerance on every number.
const TOL: f64 = 1e-9;

/// Checks every field of `want` in `got` (extra fields of `got` are not compared).
fn compare(
    got: &Value,
    want: &Value,
    path: &str,
    failures: &mut Vec<String>,
    stats: &mut (usize, f64),
) {
    match want {
        Value::Object(map) => {
            for (k, w) in map {
                match got.get(k) {
                    Some(g) => compare(g, w, &format!("{path}.{k}"), failures, stats),
                    None => failures.push(format!("{path}.{k}: missing")),
                }
            }
        }
        Value::Array(ws) => match got.as_array() {
            Some(gs) if gs.len() == ws.len() => {
                for (i, (g, w)) in gs.iter().zip(ws).enumerate() {
                    compare(g, w, &format!("{path}[{i}]"), failures, stats);
                }
            }
            _ => failures.push(format!("{path}: got {got}, want {} elements", ws.len())),
        },
        Value::Number(n) if n.is_u64() && got.is_u64() => {
            if got.as_u64() != n.as_u64() {
                failures.push(format!("{path}: got {got}, want {n}"));
            }
        }
        Value::Number(_) | Value::String(_) if got.is_number() || want.is_number() => {
            let (g, w) = (got.as_f64().unwrap_or(f64::NAN), common::num(want));
            let e = common::rel_err(g, w);
            stats.0 += 1;
            stats.1 = stats.1.max(e);
            if e.is_nan() || e > TOL {
                failures.push(format!("{path}: got {g:e}, want {w:e}, rel err {e:e}"));
            }
        }
        _ => {
            if got != want {
                failures.push(format!("{path}: got {got}, want {want}"));
            }
        }
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

fn srm_from(case: &Value) -> counterfact_models::readout::SrmReport {
    let dims: Vec<(String, Vec<u64>)> = case["by_dimension"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let counts = d[1].as_array().unwrap().iter().map(|c| c.as_u64().unwrap());
            (d[0].as_str().unwrap().to_string(), counts.collect())
        })
        .collect();
    let overall: Vec<u64> = case["overall"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_u64().unwrap())
        .collect();
    srm_report(
        &strings(&case["variants"]),
        &common::nums(&case["weights"]),
        &overall,
        &dims,
        common::num(&case["srm_alpha"]),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", case["id"]))
}

#[test]
fn readout_matches_reference() {
    let cases = common::cases("models_readout");
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut failures = Vec::new();
    let mut stats = (0usize, 0.0f64);
    let mut counts = std::collections::BTreeMap::new();
    for case in &cases {
        let id = case["id"].as_str().unwrap();
        let kind = case["type"].as_str().unwrap();
        *counts.entry(kind.to_string()).or_insert(0) += 1;
        match kind {
            "metric" => {
                let input: MetricInput = serde_json::from_value(case["input"].clone()).unwrap();
                let alpha = common::num(&case["alpha"]);
                let control = case["control"].as_str().unwrap();
                match analyze_metric(&input, control, alpha) {
                    Ok(r) => {
                        let got = serde_json::to_value(&r).unwrap();
                        compare(&got, &case["expected"], id, &mut failures, &mut stats);
                    }
                    Err(e) => failures.push(format!("{id}: {e}")),
                }
            }
            "srm" => {
                let got = srm_from(case);
                let mut want = case["expected"].clone();
                let skipped = want["skipped"].as_u64().unwrap() as usize;
                want.as_object_mut().unwrap().remove("skipped");
                assert_eq!(got.notes.len(), skipped, "{id}: skipped dimension values");
                compare(
                    &serde_json::to_value(&got).unwrap(),
                    &want,
                    id,
                    &mut failures,
                    &mut stats,
                );
            }
            "readout" => {
                let srm = srm_from(&case["srm"]);
                let variants = strings(&case["srm"]["variants"]);
                let metrics: Vec<MetricInput> =
                    serde_json::from_value(case["metrics"].clone()).unwrap();
                let config = ReadoutConfig {
                    experiment: id.to_string(),
                    control: variants[0].clone(),
                    variants,
                    alpha: common::num(&case["alpha"]),
                    correction: parse_correction(case["correction"].as_str().unwrap()).unwrap(),
                    monitoring: Default::default(),
                };
                let r = analyze(
                    &config,
                    &metrics,
                    &[],
                    srm,
                    Population::default(),
                    Vec::new(),
                )
                .unwrap_or_else(|e| panic!("{id}: {e}"));
                let got = serde_json::to_value(&r).unwrap();
                compare(&got, &case["expected"], id, &mut failures, &mut stats);
            }
            other => panic!("{id}: unknown case type {other}"),
        }
    }
    println!(
        "cases by type: {counts:?}; {} numbers compared, max rel err {:e}",
        stats.0, stats.1
    );
    assert!(stats.0 > 1000);
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
