//! Power, sample size, MDE and alpha against tests/data/design_power.json (statsmodels 0.15.0
//! NormalIndPower / TTestIndPower / TTestPower and proportion_effectsize, and the textbook
//! unpooled two-proportion formula in mpmath; see tests/reference/gen_design_power.py).
#![allow(clippy::print_stdout)]

use counterfact_design::power::{
    Metric, PowerSpec, ProportionMethod, Sequential, TestKind, Unknown, parse_alternative, solve,
};
use serde_json::Value;

fn cases() -> Vec<Value> {
    let path = format!(
        "{}/../../tests/data/design_power.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    doc["cases"].as_array().expect("cases").clone()
}

/// The power / sample size cases (every family but "sequential").
fn power_cases() -> Vec<Value> {
    cases()
        .into_iter()
        .filter(|c| c["family"] != "sequential")
        .collect()
}

fn opt(v: &Value) -> Option<f64> {
    v.as_f64()
}

/// The spec a fixture case describes.
fn spec_of(c: &Value) -> (PowerSpec, Unknown) {
    let family = c["family"].as_str().expect("family");
    let metric = match family {
        "prop_arcsine" => Metric::Proportions {
            baseline: c["baseline"].as_f64().expect("baseline"),
            method: ProportionMethod::Arcsine,
        },
        "prop_unpooled" => Metric::Proportions {
            baseline: c["baseline"].as_f64().expect("baseline"),
            method: ProportionMethod::Unpooled,
        },
        _ => Metric::Standardized,
    };
    let mut spec = PowerSpec::new(metric);
    spec.test = if family.starts_with("ttest") {
        TestKind::T
    } else {
        TestKind::Z
    };
    spec.one_sample = family == "ttest_one";
    spec.alternative = parse_alternative(c["alternative"].as_str().expect("alt")).unwrap();
    spec.ratio = c["ratio"].as_f64().expect("ratio");
    spec.alpha = opt(&c["alpha"]);
    spec.power = opt(&c["power"]);
    spec.effect = opt(&c["effect"]);
    spec.n = opt(&c["n"]);
    let unknown = match c["solve"].as_str().expect("solve") {
        "n" => Unknown::N,
        "power" => Unknown::Power,
        "mde" => Unknown::Mde,
        "alpha" => Unknown::Alpha,
        other => panic!("solve {other}"),
    };
    (spec, unknown)
}

#[test]
fn agrees_with_statsmodels_and_textbook() {
    let all = power_cases();
    assert!(all.len() >= 60, "only {} cases", all.len());
    let mut worst = 0.0f64;
    let mut worst_raw = 0.0f64;
    let mut failures = Vec::new();
    for c in &all {
        let (spec, unknown) = spec_of(c);
        let want = c["expected"].as_f64().expect("expected");
        let ctx = format!(
            "{} solve {} {} ratio {}",
            c["family"], c["solve"], c["alternative"], c["ratio"]
        );
        let r = match solve(&spec, unknown) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{ctx}: error {e}"));
                continue;
            }
        };
        let got = match unknown {
            Unknown::N => r.n_control,
            Unknown::Power => r.power,
            Unknown::Mde => r.effect,
            Unknown::Alpha => r.alpha,
        };
        let err = ((got - want) / want).abs();
        worst = worst.max(err);
        if let Some(raw) = c["statsmodels"].as_f64() {
            worst_raw = worst_raw.max(((got - raw) / raw).abs());
        }
        // Tolerance: 1e-9 relative to the root of statsmodels' power equation (the issue asks
        // for 1e-6; the solver and the noncentral t do better).
        if err > 1e-9 {
            failures.push(format!(
                "{ctx}: got {got:e}, want {want:e}, rel err {err:e}"
            ));
        }
        if let Some(h) = c["h"].as_f64() {
            let got_h = r.standardized_effect.expect("h");
            if ((got_h - h) / h).abs() > 1e-9 {
                failures.push(format!("{ctx}: h {got_h} vs {h}"));
            }
        }
    }
    println!(
        "{} cases, worst rel err {worst:e}; vs statsmodels' raw solve_power output {worst_raw:e}",
        all.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn solving_round_trips() {
    // Solving for each unknown at the others' solved values returns the same design.
    for c in power_cases() {
        let (mut spec, unknown) = spec_of(&c);
        if unknown != Unknown::Power {
            continue;
        }
        let r = solve(&spec, Unknown::Power).unwrap();
        if r.power > 0.999 || r.power < 0.1 {
            continue;
        }
        spec.power = Some(r.power);
        let n = solve(&spec, Unknown::N).unwrap().n_control;
        assert!(
            (n / r.n_control - 1.0).abs() < 1e-9,
            "n {n} vs {}",
            r.n_control
        );
        let e = solve(&spec, Unknown::Mde).unwrap().effect;
        assert!((e / r.effect - 1.0).abs() < 1e-9, "mde {e} vs {}", r.effect);
        let a = solve(&spec, Unknown::Alpha).unwrap().alpha;
        assert!((a / r.alpha - 1.0).abs() < 1e-9, "alpha {a} vs {}", r.alpha);
    }
}

#[test]
fn sequential_table_matches_the_group_sequential_computation() {
    let mut checked = 0;
    for c in cases().iter().filter(|c| c["family"] == "sequential") {
        let looks = u32::try_from(c["looks"].as_u64().expect("looks")).expect("small");
        let power = c["power"].as_f64().expect("power");
        let mut spec = PowerSpec::new(Metric::Standardized);
        spec.alpha = Some(0.05);
        spec.power = Some(power);
        spec.effect = Some(0.2);
        let fixed = solve(&spec, Unknown::N).unwrap().n_control;
        spec.sequential = match c["design"].as_str() {
            Some("pocock") => Sequential::Pocock { looks },
            _ => Sequential::OBrienFleming { looks },
        };
        let factor = solve(&spec, Unknown::N).unwrap().n_control / fixed;
        let want = c["expected"].as_f64().expect("expected");
        // Tolerance 2e-3 absolute: the table has three decimals and the reference is computed by
        // quasi-Monte Carlo integration (~1e-5) with xtol 1e-6.
        assert!(
            (factor - want).abs() < 2e-3,
            "{} K={looks} power {power}: table {factor}, computed {want}",
            c["design"]
        );
        checked += 1;
    }
    assert_eq!(checked, 16);
}
