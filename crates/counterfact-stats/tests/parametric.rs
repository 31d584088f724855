//! Reference tests of the moment-based tests against tests/data/parametric.json
//! (scipy.stats, statsmodels and mpmath closed forms; see tests/reference/gen_parametric.py).
#![allow(clippy::print_stdout)]

mod common;

use std::collections::HashMap;

use common::{assert_close, cases, num, nums, rel_err};
use counterfact_stats::moments::Moments;
use counterfact_stats::parametric::*;
use counterfact_stats::{Alternative, StatsError, TestResult};
use serde_json::Value;

/// Relative tolerance of every closed-form comparison.
const TOL: f64 = 1e-9;

enum Outcome {
    Test(Box<TestResult>),
    Effect(EffectSize),
    Number(f64),
}

fn alt(inp: &Value) -> Alternative {
    inp["alternative"]
        .as_str()
        .unwrap_or("two-sided")
        .parse()
        .expect("alternative")
}

fn f(inp: &Value, key: &str) -> f64 {
    num(&inp[key])
}

fn i(inp: &Value, key: &str) -> i64 {
    inp[key].as_i64().expect(key)
}

fn summary(inp: &Value, s: &str) -> Moments {
    let n = inp[format!("n_{s}")].as_u64().expect("n");
    Moments::from_mean_sd(n, f(inp, &format!("mean_{s}")), f(inp, &format!("sd_{s}")))
        .expect("summary")
}

type Datasets = HashMap<String, (Vec<f64>, Vec<f64>)>;

fn samples(inp: &Value, ds: &Datasets) -> (Vec<f64>, Vec<f64>) {
    match inp["name"].as_str() {
        Some(name) => {
            let (x, y) = &ds[name];
            let lx = inp["len_x"].as_u64().expect("len_x") as usize;
            let ly = inp["len_y"].as_u64().map_or(y.len(), |v| v as usize);
            (x[..lx].to_vec(), y[..ly].to_vec())
        }
        None => (
            inp.get("x").map_or_else(Vec::new, nums),
            inp.get("y").map_or_else(Vec::new, nums),
        ),
    }
}

fn margin(inp: &Value, key: &str) -> Margin {
    if inp["relative"].as_bool().expect("relative") {
        Margin::Relative(f(inp, key))
    } else {
        Margin::Absolute(f(inp, key))
    }
}

fn sigma2(inp: &Value) -> Option<[f64; 2]> {
    inp["sigma"].as_array().map(|s| [num(&s[0]), num(&s[1])])
}

fn run(kind: &str, inp: &Value, ds: &Datasets) -> Result<Outcome, StatsError> {
    let (x, y) = samples(inp, ds);
    let a = alt(inp);
    let conf = inp["confidence"].as_f64().unwrap_or(0.95);
    let test = |r: Result<TestResult, StatsError>| r.map(|t| Outcome::Test(Box::new(t)));
    match kind {
        "one-sample-t" => test(one_sample_t_test(&x, f(inp, "mu0"), a, conf)),
        "student-t" => test(student_t_test(&x, &y, a, conf)),
        "welch-t" => test(welch_t_test(&x, &y, a, conf)),
        "paired-t" => test(paired_t_test(&x, &y, a, conf)),
        "student-t-stats" => test(student_t_test_from_moments(
            &summary(inp, "x"),
            &summary(inp, "y"),
            a,
            conf,
        )),
        "welch-t-stats" => test(welch_t_test_from_moments(
            &summary(inp, "x"),
            &summary(inp, "y"),
            a,
            conf,
        )),
        "z-means" => test(z_means_test(&x, &y, sigma2(inp), a, conf)),
        "z-mean-one" => test(z_mean_one_sample(
            &x,
            f(inp, "mu0"),
            inp["sigma"].as_f64(),
            a,
            conf,
        )),
        "z-proportions" => test(z_proportions_test(
            i(inp, "successes_x"),
            i(inp, "trials_x"),
            i(inp, "successes_y"),
            i(inp, "trials_y"),
            inp["pooled"].as_bool().expect("pooled"),
            a,
            conf,
        )),
        "z-proportion-one" => test(z_proportion_one_sample(
            i(inp, "successes"),
            i(inp, "trials"),
            f(inp, "p0"),
            a,
            conf,
        )),
        "lift-delta" | "lift-fieller" => {
            let method = if kind == "lift-delta" {
                LiftMethod::Delta
            } else {
                LiftMethod::Fieller
            };
            test(relative_lift_from_moments(
                &summary(inp, "x"),
                &summary(inp, "y"),
                method,
                a,
                conf,
            ))
        }
        "tost" => test(tost(
            &x,
            &y,
            margin(inp, "lower"),
            margin(inp, "upper"),
            inp["pooled"].as_bool().expect("pooled"),
            conf,
        )),
        "non-inferiority" => test(non_inferiority(
            &x,
            &y,
            margin(inp, "margin"),
            inp["higher_is_better"].as_bool().expect("higher"),
            inp["pooled"].as_bool().expect("pooled"),
            conf,
        )),
        "cohens-d" => cohens_d(&x, &y, conf).map(Outcome::Effect),
        "hedges-g" => hedges_g(&x, &y, conf).map(Outcome::Effect),
        "hedges-j" => Ok(Outcome::Number(hedges_correction(f(inp, "df")))),
        "odds-ratio" | "risk-ratio" => {
            let g = if kind == "odds-ratio" {
                odds_ratio
            } else {
                risk_ratio
            };
            g(
                i(inp, "successes_x"),
                i(inp, "trials_x"),
                i(inp, "successes_y"),
                i(inp, "trials_y"),
                conf,
            )
            .map(Outcome::Effect)
        }
        other => panic!("unknown kind {other}"),
    }
}

/// Relative error of a CI bound, measured against the interval's scale so that a bound near 0
/// (from cancellation of estimate and half-width) is not held to an impossible relative bar.
fn ci_err(got: f64, want: f64, scale: f64) -> f64 {
    if got == want {
        return 0.0;
    }
    (got - want).abs() / want.abs().max(scale)
}

fn compare(outcome: &Outcome, expected: &Value, ctx: &str, failures: &mut Vec<String>) {
    let mut check = |name: &str, got: Option<f64>, want: f64| match got {
        Some(g) if rel_err(g, want) <= TOL => {}
        Some(g) => failures.push(format!(
            "{ctx} {name}: got {g:e}, want {want:e}, rel err {:e}",
            rel_err(g, want)
        )),
        None => failures.push(format!("{ctx} {name}: missing, want {want:e}")),
    };
    let obj = expected.as_object().expect("expected object");
    let (est, ci): (Option<f64>, Option<[f64; 2]>) = match outcome {
        Outcome::Test(r) => (r.estimate, r.ci),
        Outcome::Effect(e) => (Some(e.estimate), e.ci),
        Outcome::Number(v) => (Some(*v), None),
    };
    for (key, want) in obj {
        let got = match (key.as_str(), outcome) {
            ("ci", _) => continue,
            ("estimate", _) | ("j", Outcome::Number(_)) => est,
            ("j", _) => continue,
            ("statistic", Outcome::Test(r)) => Some(r.statistic),
            ("p_value", Outcome::Test(r)) => Some(r.p_value),
            ("df", Outcome::Test(r)) => r.df,
            ("std_error", Outcome::Test(r)) => r.std_error,
            (k, Outcome::Test(r)) => r.extra.get(k).copied(),
            _ => None,
        };
        check(key, got, num(want));
    }
    if let Some(want) = obj.get("ci") {
        let want = nums(want);
        match ci {
            Some(got) => {
                let finite: Vec<f64> = want.iter().copied().filter(|v| v.is_finite()).collect();
                let scale = if finite.len() == 2 {
                    (finite[1] - finite[0]).abs()
                } else {
                    0.0
                };
                for k in 0..2 {
                    // scipy gives NaN where a zero-variance interval degenerates to a point.
                    if want[k].is_nan() {
                        continue;
                    }
                    let e = ci_err(got[k], want[k], scale);
                    if e.is_nan() || e > TOL {
                        failures.push(format!(
                            "{ctx} ci[{k}]: got {:e}, want {:e}, err {e:e}",
                            got[k], want[k]
                        ));
                    }
                }
            }
            None if want.iter().all(|v| v.is_infinite()) => {}
            None => failures.push(format!("{ctx} ci: missing")),
        }
    }
}

#[test]
fn parametric_matches_reference() {
    let all = cases("parametric");
    let mut ds = Datasets::new();
    for c in all.iter().filter(|c| c["kind"] == "dataset") {
        let inp = &c["input"];
        ds.insert(
            inp["name"].as_str().expect("name").to_string(),
            (nums(&inp["x"]), nums(&inp["y"])),
        );
    }
    let mut failures = Vec::new();
    let mut checked = 0;
    for (idx, c) in all.iter().enumerate() {
        let kind = c["kind"].as_str().expect("kind");
        if kind == "dataset" {
            continue;
        }
        let inp = &c["input"];
        let ctx = format!(
            "case {idx} {kind} {}",
            inp.get("name").map_or("", |v| v.as_str().unwrap_or(""))
        );
        let expected = &c["expected"];
        let outcome = run(kind, inp, &ds);
        checked += 1;
        match (expected.get("error"), outcome) {
            (Some(variant), Err(e)) => {
                let name = format!("{e:?}");
                let want = variant.as_str().expect("variant");
                if !name.starts_with(want) {
                    failures.push(format!("{ctx}: error {name}, want {want}"));
                }
                assert!(!e.to_string().is_empty());
            }
            (Some(variant), Ok(_)) => failures.push(format!("{ctx}: ok, want error {variant}")),
            (None, Err(e)) => failures.push(format!("{ctx}: unexpected error {e}")),
            (None, Ok(o)) => compare(&o, expected, &ctx, &mut failures),
        }
    }
    println!(
        "checked {checked} reference cases, {} mismatches",
        failures.len()
    );
    for f in &failures {
        println!("{f}");
    }
    assert!(
        failures.is_empty(),
        "{} mismatches (listed above)",
        failures.len()
    );
}

fn m(n: u64, mean: f64, sd: f64) -> Moments {
    Moments::from_mean_sd(n, mean, sd).expect("summary")
}

#[test]
fn auto_explains_its_choice() {
    let ts = Alternative::TwoSided;
    let r =
        auto_means_test_from_moments(&m(50, 1.0, 1.0), &m(60, 0.8, 1.0), None, ts, 0.95).unwrap();
    assert_eq!(r.method, "welch-t");
    assert!(r.notes[0].starts_with("auto: Welch"), "{:?}", r.notes);
    let big = m(AUTO_Z_MIN_N, 1.0, 1.0);
    let r = auto_means_test_from_moments(&big, &big, None, ts, 0.95).unwrap();
    assert_eq!(r.method, "z-means");
    assert!(r.notes[0].contains("at least 1000"), "{:?}", r.notes);
    let r =
        auto_means_test_from_moments(&m(3, 1.0, 1.0), &m(3, 0.0, 1.0), Some([1.0, 2.0]), ts, 0.95)
            .unwrap();
    assert_eq!(r.method, "z-means");
    assert!(r.notes[0].contains("known"), "{:?}", r.notes);
}

#[test]
fn fieller_reports_an_unbounded_set() {
    let (x, y) = (m(40, 2.0, 5.0), m(40, 0.5, 5.0));
    let r = relative_lift_from_moments(&x, &y, LiftMethod::Fieller, Alternative::TwoSided, 0.95)
        .unwrap();
    assert_eq!(r.ci, Some([f64::NEG_INFINITY, f64::INFINITY]));
    assert!(r.notes.iter().any(|n| n.contains("unbounded")));
    let e = relative_lift_effect(&x, &y, LiftMethod::Fieller, 0.95).unwrap();
    assert_eq!(e.ci, None);
    let zero = m(40, 0.0, 1.0);
    assert!(matches!(
        relative_lift_from_moments(&x, &zero, LiftMethod::Delta, Alternative::TwoSided, 0.95),
        Err(StatsError::Degenerate(_))
    ));
}

#[test]
fn zero_variance_follows_scipy() {
    let ts = Alternative::TwoSided;
    // One constant group: Welch is well defined (scipy gives a number).
    let r = welch_t_test(&[4.0, 4.0, 4.0], &[1.0, 2.0, 3.5], ts, 0.95).unwrap();
    assert!(r.p_value > 0.0 && r.p_value < 1.0);
    // Both constant and different: infinite statistic, p = 0 (scipy: -inf, 0).
    let r = student_t_test(&[1.0, 1.0, 1.0], &[2.0, 2.0, 2.0], ts, 0.95).unwrap();
    assert_eq!((r.statistic, r.p_value), (f64::NEG_INFINITY, 0.0));
    let r = welch_t_test(&[1.0, 1.0], &[2.0, 2.0], Alternative::Greater, 0.95).unwrap();
    assert_eq!(r.p_value, 1.0);
    // Both constant and equal: scipy gives NaN; here a Degenerate error.
    assert!(matches!(
        one_sample_t_test(&[3.0, 3.0], 3.0, ts, 0.95),
        Err(StatsError::Degenerate(_))
    ));
    assert!(matches!(
        cohens_d(&[1.0, 1.0], &[2.0, 2.0], 0.95),
        Err(StatsError::Degenerate(_))
    ));
}

#[test]
fn margins_are_reported() {
    let (x, y) = (m(100, 10.1, 2.0), m(100, 10.0, 2.0));
    let r = tost_from_moments(
        &x,
        &y,
        Margin::Relative(-0.05),
        Margin::Relative(0.05),
        false,
        0.9,
    )
    .unwrap();
    assert_eq!(r.method, "tost");
    assert!((r.extra["margin_lower"] + 0.5).abs() < 1e-12);
    assert!((r.extra["margin_upper"] - 0.5).abs() < 1e-12);
    assert_eq!(r.extra["margin_upper_relative"], 0.05);
    assert_eq!(
        r.p_value,
        r.extra["p_value_lower"].max(r.extra["p_value_upper"])
    );
    assert!(matches!(
        tost_from_moments(
            &x,
            &y,
            Margin::Absolute(1.0),
            Margin::Absolute(-1.0),
            false,
            0.9
        ),
        Err(StatsError::InvalidArgument { .. })
    ));
    let r = non_inferiority_from_moments(&x, &y, Margin::Absolute(0.5), false, true, 0.95).unwrap();
    assert_eq!(r.alternative, Alternative::Less);
    assert_eq!(r.extra["null_value"], 0.5);
    assert_eq!(r.ci.unwrap()[0], f64::NEG_INFINITY);
    assert!(
        non_inferiority_from_moments(&x, &y, Margin::Absolute(-0.5), true, true, 0.95).is_err()
    );
}

#[test]
fn margins_parse_from_the_command_line() {
    assert_eq!("0.5".parse::<Margin>().unwrap(), Margin::Absolute(0.5));
    assert_eq!("-2%".parse::<Margin>().unwrap(), Margin::Relative(-0.02));
    assert!("abc".parse::<Margin>().is_err());
    assert!("inf%".parse::<Margin>().is_err());
}

#[test]
fn bad_counts_are_named() {
    let e = z_proportions_test(11, 10, 3, 10, true, Alternative::TwoSided, 0.95).unwrap_err();
    assert!(e.to_string().contains("must not exceed"), "{e}");
    let e = z_proportions_test(1, 10, -3, 10, true, Alternative::TwoSided, 0.95).unwrap_err();
    assert!(e.to_string().contains("group y"), "{e}");
    let e = odds_ratio(0, 0, 1, 2, 0.95).unwrap_err();
    assert!(e.to_string().contains("trials"), "{e}");
    assert!(z_proportion_one_sample(3, 10, 1.0, Alternative::TwoSided, 0.95).is_err());
}

#[test]
fn raw_and_moment_forms_agree() {
    let x = [1.0, 2.5, 3.25, 4.0, 7.5];
    let y = [0.5, 1.0, 2.0, 2.25];
    let ts = Alternative::Less;
    let (mx, my) = (Moments::from_slice(&x), Moments::from_slice(&y));
    let raw = welch_t_test(&x, &y, ts, 0.9).unwrap();
    let summ = welch_t_test_from_moments(&mx, &my, ts, 0.9).unwrap();
    assert_close(raw.statistic, summ.statistic, 1e-13, "statistic");
    assert_close(raw.p_value, summ.p_value, 1e-12, "p-value");
    let (g1, g2) = (
        hedges_g(&x, &y, 0.9).unwrap(),
        hedges_g_from_moments(&mx, &my, 0.9).unwrap(),
    );
    assert_close(g1.estimate, g2.estimate, 1e-13, "hedges g");
    // Summaries of long inputs (several parallel chunks) agree with the sequential Welford ones.
    let long: Vec<f64> = (0..100_003)
        .map(|i| 1e4 + ((i * 7919) % 1013) as f64 * 0.37)
        .collect();
    let r = one_sample_t_test(&long, 1e4, Alternative::TwoSided, 0.95).unwrap();
    let w = Moments::from_iter_seq(long.iter().copied());
    let rw = one_sample_t_test_from_moments(&w, 1e4, Alternative::TwoSided, 0.95).unwrap();
    assert_close(
        r.statistic,
        rw.statistic,
        1e-11,
        "long one-sample statistic",
    );
    let mut bad = long.clone();
    bad[70_000] = f64::NAN;
    assert!(matches!(
        one_sample_t_test(&bad, 0.0, Alternative::TwoSided, 0.95),
        Err(StatsError::NonFinite { index: 70_000, .. })
    ));
    let json = serde_json::to_string(&cohens_d(&x, &y, 0.95).unwrap()).unwrap();
    assert!(json.contains("\"name\":\"cohens-d\""), "{json}");
}
