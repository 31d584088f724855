//! Markov chains against exact rational references (tests/reference/gen_markov.py).
#![allow(clippy::print_stdout)]

mod common;

use counterfact_stats::StatsError;
use counterfact_stats::markov::{MarkovChain, RainModel, member_lifecycle};
use num_rational::BigRational;
use num_traits::ToPrimitive;
use proptest::prelude::*;
use serde_json::Value;
use std::str::FromStr;

fn rational(v: &Value) -> BigRational {
    BigRational::from_str(v.as_str().expect("rational string")).expect("p/q")
}

fn rational_matrix(v: &Value) -> Vec<Vec<BigRational>> {
    v.as_array()
        .expect("rows")
        .iter()
        .map(|row| row.as_array().expect("row").iter().map(rational).collect())
        .collect()
}

fn to_f64(x: &BigRational) -> f64 {
    x.to_f64().expect("finite")
}

fn rain_models(c: &Value) -> (RainModel<BigRational>, RainModel<f64>) {
    let p = &c["params"];
    let exact = RainModel {
        rain_after_rr: rational(&p["rr"]),
        rain_after_nr: rational(&p["nr"]),
        rain_after_rn: rational(&p["rn"]),
        rain_after_nn: rational(&p["nn"]),
        day1_rain: c["day1_rain"].as_bool().expect("bool"),
        day2_rain: c["day2_rain"].as_bool().expect("bool"),
    };
    let float = RainModel {
        rain_after_rr: to_f64(&exact.rain_after_rr),
        rain_after_nr: to_f64(&exact.rain_after_nr),
        rain_after_rn: to_f64(&exact.rain_after_rn),
        rain_after_nn: to_f64(&exact.rain_after_nn),
        day1_rain: exact.day1_rain,
        day2_rain: exact.day2_rain,
    };
    (exact, float)
}

#[test]
fn rain_days_matches_exact_fractions() {
    let cases: Vec<Value> = common::cases("markov")
        .into_iter()
        .filter(|c| c["kind"] == "rain")
        .collect();
    assert!(cases.len() >= 200);
    let mut checked_n = std::collections::BTreeSet::new();
    for c in &cases {
        let (exact, float) = rain_models(c);
        let n = c["n"].as_u64().expect("n");
        let ctx = format!(
            "{} day1={} day2={} n={n}",
            c["model"], exact.day1_rain, exact.day2_rain
        );
        // Exact arithmetic reproduces the fraction itself (n = 1000, with ~6000-digit terms,
        // for one start per model to keep the test fast).
        if n < 1000 || (exact.day1_rain && exact.day2_rain) {
            assert_eq!(
                exact.rain_days(n).expect("exact"),
                rational(&c["exact"]),
                "{ctx}"
            );
        }
        // f64 through repeated squaring: 1e-12 relative (absolute 1e-15 near zero).
        let got = float.rain_days(n).expect("f64");
        let want = common::num(&c["value"]);
        assert!(
            (got - want).abs() <= 1e-12 * want.abs().max(1e-3),
            "{ctx}: got {got}, want {want}"
        );
        let stationary = rational(&c["stationary_rain"]);
        assert_eq!(
            exact.stationary_rain().expect("stationary"),
            stationary,
            "{ctx}"
        );
        common::assert_close(
            float.stationary_rain().expect("f64"),
            to_f64(&stationary),
            1e-12,
            &ctx,
        );
        checked_n.insert(n);
    }
    assert!([1, 2, 3, 1000].iter().all(|n| checked_n.contains(n)));
}

#[test]
fn rain_days_converges_to_stationary_probability() {
    for c in common::cases("markov") {
        if c["kind"] != "rain" || c["n"] != 3 || c["converges"] != true {
            continue;
        }
        let (_, float) = rain_models(&c);
        let limit = to_f64(&rational(&c["stationary_rain"]));
        for n in [10_000u64, 1_000_000, u64::MAX] {
            let got = float.rain_days(n).expect("f64");
            // Convergence is geometric: by n = 10^4 the gap is below rounding.
            common::assert_close(got, limit, 1e-12, &format!("{} n={n}", c["model"]));
        }
        println!("{}: P(rain) -> {limit}", c["model"]);
    }
}

#[test]
fn lumped_and_full_rain_chains_agree() {
    let merged = RainModel {
        rain_after_rr: 0.6,
        rain_after_nr: 0.5,
        rain_after_rn: 0.25,
        rain_after_nn: 0.25,
        day1_rain: false,
        day2_rain: true,
    };
    let (chain, labels, _) = merged.chain().expect("valid");
    assert_eq!((chain.states(), labels), (3, vec!["RR", "NR", "N"]));
    // Perturbing one no-rain state by a hair switches to the four-state chain; answers move by
    // no more than the perturbation.
    let full = RainModel {
        rain_after_nn: 0.25 + 1e-14,
        ..merged.clone()
    };
    assert_eq!(full.chain().expect("valid").0.states(), 4);
    for n in [3, 4, 10, 500] {
        let (a, b) = (
            merged.rain_days(n).expect("ok"),
            full.rain_days(n).expect("ok"),
        );
        assert!((a - b).abs() < 1e-12, "n={n}: {a} vs {b}");
    }
}

fn matrix_case(c: &Value) -> (MarkovChain<BigRational>, MarkovChain<f64>) {
    let exact = MarkovChain::new(rational_matrix(&c["matrix"])).expect("valid chain");
    let float = exact.to_f64();
    (exact, float)
}

#[test]
fn n_step_stationary_and_hitting_times_match_exact() {
    let mut counts = [0usize; 3];
    for c in common::cases("markov") {
        let ctx = format!("{} {}", c["kind"], c["chain"]);
        match c["kind"].as_str() {
            Some("n_step") => {
                let (exact, float) = matrix_case(&c);
                let steps = c["steps"].as_u64().expect("steps");
                let want = rational_matrix(&c["exact"]);
                assert_eq!(exact.n_step(steps), want, "{ctx} steps={steps}");
                for (got_row, want_row) in float.n_step(steps).iter().zip(&want) {
                    for (g, w) in got_row.iter().zip(want_row) {
                        assert!((g - to_f64(w)).abs() <= 1e-13, "{ctx}: {g} vs {w}");
                    }
                }
                counts[0] += 1;
            }
            Some("stationary") => {
                let (exact, float) = matrix_case(&c);
                if c["exact"].is_null() {
                    assert!(matches!(exact.stationary(), Err(StatsError::Degenerate(_))));
                    assert!(matches!(float.stationary(), Err(StatsError::Degenerate(_))));
                } else {
                    let want: Vec<BigRational> = c["exact"]
                        .as_array()
                        .expect("pi")
                        .iter()
                        .map(rational)
                        .collect();
                    assert_eq!(exact.stationary().expect("pi"), want, "{ctx}");
                    for (g, w) in float.stationary().expect("pi").iter().zip(&want) {
                        assert!((g - to_f64(w)).abs() <= 1e-12, "{ctx}: {g} vs {w}");
                    }
                }
                counts[1] += 1;
            }
            Some("hitting") => {
                let (exact, float) = matrix_case(&c);
                let target = c["target"].as_u64().expect("target") as usize;
                let want: Vec<Option<BigRational>> = c["exact"]
                    .as_array()
                    .expect("h")
                    .iter()
                    .map(|v| (!v.is_null()).then(|| rational(v)))
                    .collect();
                assert_eq!(exact.expected_steps_to(target).expect("h"), want, "{ctx}");
                for (g, w) in float
                    .expected_steps_to(target)
                    .expect("h")
                    .iter()
                    .zip(&want)
                {
                    match (g, w) {
                        (Some(g), Some(w)) => common::assert_close(*g, to_f64(w), 1e-12, &ctx),
                        (None, None) => {}
                        other => panic!("{ctx}: finiteness differs: {other:?}"),
                    }
                }
                counts[2] += 1;
            }
            _ => {}
        }
    }
    println!(
        "n_step {} stationary {} hitting {}",
        counts[0], counts[1], counts[2]
    );
    assert!(counts.iter().all(|&k| k >= 4));
}

#[test]
fn member_lifecycle_expected_time_to_churn() {
    let chain = member_lifecycle(0.1, 0.3, 0.2).expect("valid");
    let h = chain.expected_steps_to(2).expect("h");
    common::assert_close(h[0].expect("finite"), 30.0, 1e-12, "active");
    common::assert_close(h[1].expect("finite"), 20.0, 1e-12, "lapsed");
    assert_eq!(chain.stationary().expect("unique"), vec![0.0, 0.0, 1.0]);
    let exact = member_lifecycle(
        BigRational::from_str("1/10").expect("q"),
        BigRational::from_str("3/10").expect("q"),
        BigRational::from_str("1/5").expect("q"),
    )
    .expect("valid");
    assert_eq!(
        exact.expected_steps_to(2).expect("h")[0],
        Some(BigRational::from_integer(30.into()))
    );
}

#[test]
fn invalid_inputs_are_typed_errors() {
    assert!(matches!(
        MarkovChain::<f64>::new(vec![]),
        Err(StatsError::Empty { .. })
    ));
    assert!(MarkovChain::new(vec![vec![1.0, 0.0]]).is_err());
    assert!(MarkovChain::new(vec![vec![0.5, 0.4], vec![0.5, 0.5]]).is_err());
    assert!(MarkovChain::new(vec![vec![1.5, -0.5], vec![0.5, 0.5]]).is_err());
    assert!(MarkovChain::new(vec![vec![f64::NAN, 1.0], vec![0.5, 0.5]]).is_err());
    let chain = MarkovChain::new(vec![vec![0.5, 0.5], vec![0.5, 0.5]]).expect("valid");
    assert!(chain.distribution_after(&[1.0], 3).is_err());
    assert!(chain.distribution_after(&[0.7, 0.7], 3).is_err());
    assert!(chain.expected_steps_to(2).is_err());
    let model = RainModel {
        rain_after_rr: 1.2,
        rain_after_nr: 0.5,
        rain_after_rn: 0.5,
        rain_after_nn: 0.5,
        day1_rain: true,
        day2_rain: true,
    };
    assert!(model.rain_days(5).is_err());
    assert!(
        RainModel {
            rain_after_rr: 0.5,
            ..model
        }
        .rain_days(0)
        .is_err()
    );
    assert!(member_lifecycle(0.1, 0.9, 0.2).is_err());
    assert!(MarkovChain::from_second_order(vec![vec![vec![1.0]], vec![]]).is_err());
}

#[test]
fn near_singular_chains_give_degenerate_in_f64_and_exact_answers_in_rationals() {
    let float = MarkovChain::new(vec![vec![1.0 - 1e-15, 1e-15], vec![0.0, 1.0]]).expect("valid");
    assert!(matches!(
        float.expected_steps_to(1),
        Err(StatsError::Degenerate(_))
    ));
    let q = |s: &str| BigRational::from_str(s).expect("q");
    let exact = MarkovChain::new(vec![
        vec![
            q("999999999999999/1000000000000000"),
            q("1/1000000000000000"),
        ],
        vec![q("0"), q("1")],
    ])
    .expect("valid");
    assert_eq!(
        exact.expected_steps_to(1).expect("h")[0],
        Some(q("1000000000000000"))
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary matrices (NaN, inf, negative, ragged) never panic; valid ones give
    /// distributions that sum to one.
    #[test]
    fn arbitrary_chains_never_panic(
        rows in prop::collection::vec(
            prop::collection::vec(prop_oneof![0.0..1.0f64, Just(f64::NAN), Just(f64::INFINITY), -1.0..0.0f64], 0..5),
            0..5),
        steps in any::<u64>(),
        target in 0usize..6,
    ) {
        // Normalise some rows so that valid chains occur often.
        let normalised: Vec<Vec<f64>> = rows.iter().map(|r| {
            let s: f64 = r.iter().sum();
            if s.is_finite() && s > 0.0 { r.iter().map(|x| x / s).collect() } else { r.clone() }
        }).collect();
        for candidate in [rows, normalised] {
            if let Ok(chain) = MarkovChain::new(candidate) {
                let n = chain.states();
                let mut initial = vec![0.0; n];
                initial[0] = 1.0;
                if let Ok(dist) = chain.distribution_after(&initial, steps) {
                    let total: f64 = dist.iter().sum();
                    prop_assert!((total - 1.0).abs() < 1e-6);
                }
                let _ = chain.stationary();
                let _ = chain.expected_steps_to(target);
            }
        }
    }

    #[test]
    fn arbitrary_rain_models_never_panic(
        p in prop::collection::vec(prop_oneof![0.0..=1.0f64, Just(f64::NAN), -1.0..2.0f64], 4),
        d1 in any::<bool>(), d2 in any::<bool>(), n in any::<u64>(),
    ) {
        let model = RainModel {
            rain_after_rr: p[0], rain_after_nr: p[1], rain_after_rn: p[2], rain_after_nn: p[3],
            day1_rain: d1, day2_rain: d2,
        };
        if let Ok(v) = model.rain_days(n) {
            prop_assert!((-1e-9..=1.0 + 1e-9).contains(&v));
        }
        let _ = model.stationary_rain();
    }
}
