//! The readout against its independent reference (tests/reference/gen_readout.py: pandas, scipy,
//! statsmodels, written from docs/experiment-spec.md and docs/readout.md only).
//!
//! Every number of the readout JSON is compared with the reference: floats to 1e-9 relative,
//! counts, labels and flags exactly. Two data sets: the committed toy data
//! (tests/data/readout_toy/, every awkward case of the spec) and the default demo, regenerated
//! here with `counterfact_data::demo::generate` (its fixture is tests/data/readout_demo.json).
#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};

use counterfact_data::demo::{DemoConfig, generate};
use counterfact_data::{NoProgress, prepare_readout};
use counterfact_models::readout::{Readout, ReadoutConfig, analyze, parse_correction, srm_report};
use serde_json::Value;

/// Relative tolerance of every float of the readout.
const TOL: f64 = 1e-9;

/// Keys whose values are prose (not numbers to reproduce).
const PROSE: [&str; 5] = ["decision_rule", "reasons", "notes", "true_effect", "rule"];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(name: &str) -> Value {
    let path = repo().join("tests/data").join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    doc["cases"][0].clone()
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) if s == "inf" => Some(f64::INFINITY),
        Value::String(s) if s == "-inf" => Some(f64::NEG_INFINITY),
        Value::String(s) if s == "nan" => Some(f64::NAN),
        _ => None,
    }
}

/// What identifies an element of a list of objects (so that order does not matter).
fn key_of(v: &Value) -> Option<String> {
    let o = v.as_object()?;
    if let (Some(d), Some(val)) = (o.get("dimension"), o.get("value")) {
        return Some(format!("{}={}", d.as_str()?, val.as_str()?));
    }
    ["scope", "name", "variant"]
        .iter()
        .find_map(|k| o.get(*k).and_then(Value::as_str).map(str::to_owned))
}

/// Walks the reference tree and compares the readout's value at every leaf.
struct Walk {
    worst: f64,
    worst_at: String,
    leaves: usize,
    errors: Vec<String>,
}

impl Walk {
    fn new() -> Self {
        Self {
            worst: 0.0,
            worst_at: String::new(),
            leaves: 0,
            errors: Vec::new(),
        }
    }

    fn fail(&mut self, path: &str, msg: String) {
        self.errors.push(format!("{path}: {msg}"));
    }

    fn walk(&mut self, got: &Value, want: &Value, path: &str) {
        match want {
            Value::Object(w) => {
                let Some(g) = got.as_object() else {
                    return self.fail(path, format!("expected an object, got {got}"));
                };
                for (k, wv) in w {
                    if PROSE.contains(&k.as_str()) {
                        continue;
                    }
                    match g.get(k) {
                        Some(gv) => self.walk(gv, wv, &format!("{path}/{k}")),
                        None => self.fail(path, format!("missing key {k}")),
                    }
                }
            }
            Value::Array(w) => {
                let Some(g) = got.as_array() else {
                    return self.fail(path, format!("expected an array, got {got}"));
                };
                if g.len() != w.len() {
                    return self.fail(path, format!("length {} != {}", g.len(), w.len()));
                }
                for (i, wv) in w.iter().enumerate() {
                    let matched = key_of(wv).and_then(|k| {
                        g.iter()
                            .find(|gv| key_of(gv).as_deref() == Some(&k))
                            .map(|gv| (gv, k))
                    });
                    match matched {
                        Some((gv, k)) => self.walk(gv, wv, &format!("{path}/{k}")),
                        None => self.walk(&g[i], wv, &format!("{path}/{i}")),
                    }
                }
            }
            Value::Number(n) if n.is_u64() && !n.is_f64() => {
                self.leaves += 1;
                if got.as_u64() != n.as_u64() && num(got) != n.as_f64() {
                    self.fail(path, format!("count {got} != {n}"));
                }
            }
            Value::Number(_) | Value::String(_) if num(want).is_some() => {
                self.leaves += 1;
                let (Some(g), Some(w)) = (num(got), num(want)) else {
                    return self.fail(path, format!("expected a number, got {got}"));
                };
                let err = rel_err(g, w);
                if err > self.worst {
                    self.worst = err;
                    self.worst_at = path.to_owned();
                }
                if err > TOL {
                    self.fail(path, format!("got {g:e}, want {w:e}, rel err {err:e}"));
                }
            }
            _ => {
                self.leaves += 1;
                if got != want {
                    self.fail(path, format!("got {got}, want {want}"));
                }
            }
        }
    }
}

/// |got − want| / |want| (absolute when want = 0); equal values and two NaNs give 0.
fn rel_err(got: f64, want: f64) -> f64 {
    if got == want || (got.is_nan() && want.is_nan()) {
        return 0.0;
    }
    if want == 0.0 {
        return got.abs();
    }
    ((got - want) / want).abs()
}

/// The readout as `counterfact analyze` computes it: the data layer, then the analysis.
fn run_readout(spec: &Path) -> Readout {
    let prep = prepare_readout(spec, &NoProgress).expect("prepare_readout");
    let exp = &prep.spec.experiment;
    let correction = serde_json::to_value(exp.correction).expect("correction serialises");
    let config = ReadoutConfig {
        experiment: exp.name.clone(),
        control: exp.control.clone(),
        variants: prep.variants.clone(),
        alpha: exp.alpha,
        correction: parse_correction(correction.as_str().expect("correction name"))
            .expect("correction parses"),
        monitoring: Default::default(),
    };
    let srm = srm_report(
        &prep.variants,
        &prep.weights,
        &prep.srm_overall,
        &prep.srm_by_dimension,
        exp.srm_alpha,
    )
    .expect("srm_report");
    analyze(
        &config,
        &prep.metrics,
        &prep.segments,
        srm,
        prep.population,
        prep.notes,
    )
    .expect("analyze")
}

fn readout_json(spec: &Path) -> Value {
    let readout = run_readout(spec);
    serde_json::to_value(&readout).expect("readout serialises")
}

fn check(name: &str, got: &Value, want: &Value) {
    let mut w = Walk::new();
    w.walk(got, want, "");
    println!(
        "{name}: {} leaves, worst relative error {:.2e} at {}",
        w.leaves, w.worst, w.worst_at
    );
    assert!(
        w.errors.is_empty(),
        "{name}: {} mismatches (tolerance {TOL:e} relative, counts exact):\n{}",
        w.errors.len(),
        w.errors.join("\n")
    );
}

/// CUPED: the variance reduction is close to the reference's pooled within-arm ρ² (one
/// covariate), and `r_squared` equals it to 1e-9 relative.
fn check_cuped(got: &Value, reference: &Value) {
    for m in got["metrics"].as_array().expect("metrics") {
        let name = m["name"].as_str().expect("name");
        for c in m["comparisons"].as_array().expect("comparisons") {
            let Some(adj) = c["adjustment"].as_object() else {
                continue;
            };
            let variant = c["variant"].as_str().expect("variant");
            let Some(rho2) = num(&reference[name][variant]["rho_squared"]) else {
                continue;
            };
            let vr = num(&adj["variance_reduction"]).expect("variance_reduction");
            let r2 = num(&adj["r_squared"]).expect("r_squared");
            println!(
                "{name}/{variant}: variance_reduction {vr:.6}, 1 - SE*²/SE² vs rho² {rho2:.6}"
            );
            assert!(
                rel_err(r2, rho2) <= TOL,
                "{name}/{variant}: r_squared {r2} vs rho² {rho2}"
            );
            assert!(
                (vr - rho2).abs() <= 0.02,
                "{name}/{variant}: variance reduction {vr} far from rho² {rho2}"
            );
        }
    }
}

#[test]
fn toy_readout_matches_reference() {
    let case = fixture("readout_toy");
    let spec = repo().join("tests/data/readout_toy/experiment.toml");
    let got = readout_json(&spec);
    check("toy", &got, &case["readout"]);
    check_cuped(&got, &case["reference"]);
}

#[test]
fn demo_readout_matches_reference() {
    let case = fixture("readout_demo");
    let dir = std::env::temp_dir().join(format!("counterfact-readout-ref-{}", std::process::id()));
    let manifest = generate(&DemoConfig::default(), &dir, &|_, _| {}).expect("demo generates");
    let got = readout_json(&dir.join("experiment.toml"));
    std::fs::remove_dir_all(&dir).ok();
    check("demo", &got, &case["readout"]);
    check_cuped(&got, &case["reference"]);
    let mut outside = Vec::new();
    for t in &manifest.true_effects {
        let (metric, uncapped) = match t.metric.strip_suffix("_uncapped") {
            Some(base) => (base, true),
            None => (t.metric.as_str(), false),
        };
        let Some(m) = got["metrics"]
            .as_array()
            .and_then(|ms| ms.iter().find(|m| m["name"] == metric))
        else {
            continue;
        };
        let Some(c) = m["comparisons"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["variant"] == t.variant.as_str()))
        else {
            continue;
        };
        let c = if uncapped { &c["uncapped"] } else { c };
        let (Some(lo), Some(hi)) = (num(&c["absolute"]["ci"][0]), num(&c["absolute"]["ci"][1]))
        else {
            continue;
        };
        let covered = lo <= t.absolute && t.absolute <= hi;
        println!(
            "{}/{}: true {:.6} in [{lo:.6}, {hi:.6}]: {}",
            t.metric,
            t.variant,
            t.absolute,
            if covered { "yes" } else { "NO" }
        );
        if !covered {
            outside.push(format!("{}/{}", t.metric, t.variant));
        }
    }
    println!("true effects outside their 95% CI: {outside:?}");
}
