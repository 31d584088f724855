//! `counterfact power`: the table, the JSON result against the library, and bad input.

mod support;

use counterfact_design::power::{Metric, PowerSpec, ProportionMethod, Unknown, solve};
use support::{bad_input, json, ok};

#[test]
fn sample_size_for_a_conversion_rate() {
    let v = json(&[
        "power",
        "--metric",
        "proportions",
        "--baseline",
        "0.1",
        "--mde",
        "0.02",
        "--power",
        "0.8",
        "--alpha",
        "0.05",
    ]);
    let mut spec = PowerSpec::new(Metric::Proportions {
        baseline: 0.1,
        method: ProportionMethod::Arcsine,
    });
    spec.alpha = Some(0.05);
    spec.power = Some(0.8);
    spec.effect = Some(0.02);
    let want = solve(&spec, Unknown::N).unwrap();
    let got = v["result"]["n_control"].as_f64().unwrap();
    // Same library call: equal up to the JSON round trip (1e-15 relative).
    assert!((got / want.n_control - 1.0).abs() < 1e-15);
    // statsmodels: NormalIndPower().solve_power(proportion_effectsize(0.12, 0.1), power=0.8,
    // alpha=0.05) = 3834.5957... (tests/data/design_power.json)
    assert!((got / 3_834.595_739_877 - 1.0).abs() < 1e-9, "n {got}");
}

#[test]
fn every_adjustment_and_the_duration() {
    let v = json(&[
        "power",
        "--metric",
        "means",
        "--sd",
        "1.2",
        "--mde",
        "0.05",
        "--relative",
        "--mean",
        "2",
        "--arms",
        "3",
        "--ratio",
        "2",
        "--cuped-rho",
        "0.5",
        "--cluster-size",
        "4",
        "--icc",
        "0.01",
        "--sequential",
        "pocock:3",
        "--daily-traffic",
        "100000",
        "--share",
        "0.2",
        "--curve",
    ]);
    let r = &v["result"];
    assert_eq!(r["cuped_factor"].as_f64(), Some(0.75));
    assert!((r["design_effect"].as_f64().unwrap() - 1.03).abs() < 1e-15);
    assert_eq!(r["sequential_factor"].as_f64(), Some(1.166));
    assert_eq!(r["alpha_per_comparison"].as_f64(), Some(0.025));
    let n1 = r["n_control"].as_f64().unwrap();
    let total_ceil = n1.ceil() + 2.0 * (2.0 * n1).ceil();
    assert_eq!(r["n_total_ceil"].as_f64(), Some(total_ceil));
    let days = r["duration_days"].as_f64().unwrap();
    assert!((days - total_ceil / 20_000.0).abs() < 1e-12);
    let curve = v["curve"].as_array().unwrap();
    assert_eq!(curve.len(), 7);
    assert!((curve[3]["power"].as_f64().unwrap() - 0.8).abs() < 1e-9);
}

#[test]
fn table_output_and_each_unknown() {
    let out = ok(&[
        "power",
        "--metric",
        "standardized",
        "--test",
        "t",
        "--mde",
        "0.5",
        "--solve",
        "n",
    ]);
    // TTestIndPower().solve_power(0.5, power=0.8, alpha=0.05) = 63.7656...
    assert!(out.contains("63.7656"), "{out}");
    let p = json(&[
        "power",
        "--metric",
        "standardized",
        "--test",
        "t",
        "--mde",
        "0.5",
        "--n",
        "64",
        "--solve",
        "power",
    ]);
    assert!((p["result"]["power"].as_f64().unwrap() - 0.801_459_557_922_254_2).abs() < 1e-9);
    let m = json(&[
        "power",
        "--metric",
        "standardized",
        "--test",
        "t",
        "--n",
        "64",
        "--solve",
        "mde",
    ]);
    assert!((m["result"]["effect"].as_f64().unwrap() - 0.499_069_177_965_820_84).abs() < 1e-9);
    let a = json(&[
        "power",
        "--metric",
        "standardized",
        "--mde",
        "0.2",
        "--n",
        "400",
        "--power",
        "0.8",
        "--solve",
        "alpha",
        "--alternative",
        "larger",
    ]);
    let alpha = a["result"]["alpha"].as_f64().unwrap();
    assert!(alpha > 0.0 && alpha < 0.05, "alpha {alpha}");
}

#[test]
fn impossible_inputs_are_one_line_errors() {
    bad_input(
        &[
            "power",
            "--metric",
            "proportions",
            "--baseline",
            "1.2",
            "--mde",
            "0.01",
        ],
        "baseline",
    );
    bad_input(
        &["power", "--metric", "means", "--sd", "1", "--mde", "0"],
        "effect",
    );
    bad_input(
        &[
            "power", "--metric", "means", "--sd", "1", "--mde", "0.1", "--power", "0.01",
        ],
        "power",
    );
    bad_input(
        &[
            "power",
            "--metric",
            "means",
            "--sd",
            "1",
            "--mde",
            "0.1",
            "--daily-traffic",
            "-5",
        ],
        "daily_traffic",
    );
    bad_input(&["power", "--metric", "means", "--mde", "0.1"], "--sd");
    bad_input(
        &[
            "power",
            "--metric",
            "means",
            "--sd",
            "1",
            "--mde",
            "0.1",
            "--sequential",
            "x:3",
        ],
        "--sequential",
    );
    bad_input(
        &[
            "power", "--metric", "means", "--sd", "1", "--solve", "power", "--mde", "0.1",
        ],
        "--n",
    );
}
