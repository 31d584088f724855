//! Effects over time: per-period Welch effects, the WLS trend test and Cochran's Q, and the
//! carryover check, against statsmodels/scipy (tests/reference/gen_over_time.py) at 1e-9
//! relative; typed errors on bad input; seeded simulations of the trend test's power against a
//! decaying effect and its false-positive rate under a constant effect (rates printed).
#![allow(clippy::print_stdout)]

mod common;

use common::{assert_close, cases, num, nums};
use counterfact_stats::StatsError;
use counterfact_stats::moments::Moments;
use counterfact_stats::over_time::*;
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

const TOL: f64 = 1e-9;

fn moments(v: &Value) -> Moments {
    Moments::from_mean_sd(v["n"].as_u64().unwrap(), num(&v["mean"]), num(&v["sd"])).unwrap()
}

fn check_welch(got: &counterfact_stats::TestResult, want: &Value, ctx: &str) {
    assert_close(got.estimate.unwrap(), num(&want["estimate"]), TOL, ctx);
    assert_close(got.std_error.unwrap(), num(&want["std_error"]), TOL, ctx);
    assert_close(got.statistic, num(&want["statistic"]), TOL, ctx);
    assert_close(got.p_value, num(&want["p_value"]), TOL, ctx);
    if let Some(df) = want.get("df") {
        assert_close(got.df.unwrap(), num(df), TOL, ctx);
    }
    let ci = nums(&want["ci"]);
    let got_ci = got.ci.unwrap();
    assert_close(got_ci[0], ci[0], TOL, ctx);
    assert_close(got_ci[1], ci[1], TOL, ctx);
}

#[test]
fn matches_statsmodels_and_scipy() {
    let all = cases("over_time");
    assert!(all.len() >= 20, "need >= 20 fixture cases");
    let (mut n_over, mut n_carry) = (0, 0);
    for (ci, case) in all.iter().enumerate() {
        let input = &case["input"];
        let want = &case["expected"];
        let conf = num(&input["confidence"]);
        match case["kind"].as_str().unwrap() {
            "over-time" => {
                n_over += 1;
                let periods: Vec<PeriodMoments> = input["periods"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| PeriodMoments {
                        time: num(&p["time"]),
                        control: moments(&p["control"]),
                        treatment: moments(&p["treatment"]),
                    })
                    .collect();
                let r = effects_over_time(&periods, conf).unwrap();
                for (i, (got, w)) in r
                    .periods
                    .iter()
                    .zip(want["periods"].as_array().unwrap())
                    .enumerate()
                {
                    check_welch(&got.difference, w, &format!("case {ci} period {i}"));
                }
                let t = &r.trend;
                let ctx = format!("case {ci} trend");
                for (got, key) in [
                    (t.intercept, "intercept"),
                    (t.intercept_std_error, "intercept_std_error"),
                    (t.slope, "slope"),
                    (t.slope_std_error, "slope_std_error"),
                    (t.statistic, "statistic"),
                    (t.p_value, "p_value"),
                    (t.df, "df"),
                    (t.scale, "scale"),
                    (t.statistic_known_variance, "statistic_known_variance"),
                    (t.p_value_known_variance, "p_value_known_variance"),
                    (t.pooled_effect, "pooled_effect"),
                    (t.pooled_std_error, "pooled_std_error"),
                    (t.cochran_q, "cochran_q"),
                    (t.cochran_df, "cochran_df"),
                    (t.cochran_p_value, "cochran_p_value"),
                ] {
                    assert_close(got, num(&want[key]), TOL, &format!("{ctx} {key}"));
                }
                let sci = nums(&want["slope_ci"]);
                assert_close(t.slope_ci[0], sci[0], TOL, &ctx);
                assert_close(t.slope_ci[1], sci[1], TOL, &ctx);
            }
            "carryover" => {
                n_carry += 1;
                let arms = |g: &str| GroupArms {
                    control: moments(&input[g]["control"]),
                    treatment: moments(&input[g]["treatment"]),
                };
                let r = carryover_check(&arms("exposed"), &arms("unexposed"), conf).unwrap();
                let ctx = format!("case {ci} carryover");
                check_welch(&r.effect_exposed, &want["effect_exposed"], &ctx);
                check_welch(&r.effect_unexposed, &want["effect_unexposed"], &ctx);
                check_welch(&r.level_shift, &want["level_shift"], &ctx);
                check_welch(&r.interaction, &want["interaction"], &ctx);
                assert_eq!(r.effect_shifted, r.interaction.p_value < 1.0 - conf);
            }
            other => panic!("unknown kind {other}"),
        }
    }
    println!("over_time fixtures: {n_over} over-time cases, {n_carry} carryover cases");
}

fn normal_moments(rng: &mut ChaCha8Rng, n: usize, mean: f64, sd: f64) -> Moments {
    let mut m = Moments::new();
    let mut i = 0;
    while i < n {
        // Box–Muller on (0, 1] uniforms.
        let u1: f64 = 1.0 - rng.random::<f64>();
        let u2: f64 = rng.random::<f64>();
        let r = (-2.0 * u1.ln()).sqrt();
        let t = std::f64::consts::TAU * u2;
        m.push(mean + sd * r * t.cos());
        if i + 1 < n {
            m.push(mean + sd * r * t.sin());
        }
        i += 2;
    }
    m
}

/// Runs `runs` seeded 7-day experiments whose true effect on day t is `effect(t)`; returns the
/// share labelled novelty and the share with a significant slope (either sign).
fn simulate(runs: usize, seed: u64, effect: impl Fn(f64) -> f64) -> (f64, f64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut novelty, mut significant) = (0usize, 0usize);
    for _ in 0..runs {
        let periods: Vec<PeriodMoments> = (0..7)
            .map(|day| {
                let t = day as f64;
                PeriodMoments {
                    time: t,
                    control: normal_moments(&mut rng, 500, 10.0, 1.0),
                    treatment: normal_moments(&mut rng, 500, 10.0 + effect(t), 1.0),
                }
            })
            .collect();
        let r = effects_over_time(&periods, 0.95).unwrap();
        if r.trend.p_value < 0.05 {
            significant += 1;
        }
        if r.trend.label == TrendLabel::Novelty {
            novelty += 1;
        }
    }
    (
        novelty as f64 / runs as f64,
        significant as f64 / runs as f64,
    )
}

#[test]
fn trend_test_detects_novelty_and_holds_alpha() {
    const RUNS: usize = 2_000;
    let (novelty, _) = simulate(RUNS, 1, |t| 0.5 * (-t / 2.0).exp());
    println!(
        "decaying effect 0.5·exp(−t/2), 7 days × 500/arm: novelty detected in {novelty:.4} of {RUNS} runs"
    );
    assert!(novelty > 0.8, "power against novelty {novelty}");
    let (_, fp) = simulate(RUNS, 2, |_| 0.3);
    // 99% binomial band around 0.05 over 2,000 runs.
    let half = 2.5758 * (0.05f64 * 0.95 / RUNS as f64).sqrt();
    println!(
        "constant effect 0.3: trend false-positive rate {fp:.4} (99% band {:.4}..{:.4})",
        0.05 - half,
        0.05 + half
    );
    assert!((fp - 0.05).abs() <= half, "false-positive rate {fp}");
}

#[test]
fn bad_input_gives_typed_errors() {
    let m = Moments::from_mean_sd(10, 1.0, 1.0).unwrap();
    let p = |time: f64| PeriodMoments {
        time,
        control: m,
        treatment: m,
    };
    assert!(matches!(
        effects_over_time(&[p(0.0), p(1.0)], 0.95),
        Err(StatsError::TooFew { .. })
    ));
    assert!(matches!(
        effects_over_time(&[p(0.0), p(1.0), p(2.0)], 1.5),
        Err(StatsError::InvalidArgument { .. })
    ));
    assert!(matches!(
        effects_over_time(&[p(0.0), p(f64::NAN), p(2.0)], 0.95),
        Err(StatsError::NonFinite { .. })
    ));
    let shifted = PeriodMoments {
        time: 1.0,
        control: m,
        treatment: Moments::from_mean_sd(10, 2.0, 1.0).unwrap(),
    };
    assert!(matches!(
        effects_over_time(&[p(0.0), shifted, p(2.0)], 0.95).map(|_| ()),
        Ok(())
    ));
    assert!(matches!(
        effects_over_time(&[p(1.0), shifted, p(1.0)], 0.95),
        Err(StatsError::Degenerate(_))
    ));
    let empty = PeriodMoments {
        time: 0.0,
        control: Moments::new(),
        treatment: m,
    };
    assert!(matches!(
        effects_over_time(&[empty, p(1.0), p(2.0)], 0.95),
        Err(StatsError::Empty { .. })
    ));
    let flat = Moments::from_mean_sd(10, 1.0, 0.0).unwrap();
    let g = GroupArms {
        control: flat,
        treatment: flat,
    };
    assert!(carryover_check(&g, &g, 0.95).is_err());
    assert!(trend_test(&[(0.0, 1.0, 0.0), (1.0, 1.0, 1.0), (2.0, 1.0, 1.0)], 0.95).is_err());
}

fn arb_moments() -> impl Strategy<Value = Moments> {
    (
        0u64..5,
        prop_oneof![any::<f64>(), -10.0..10.0f64],
        prop_oneof![any::<f64>(), 0.0..5.0f64],
    )
        .prop_map(|(n, mean, m2)| Moments {
            n,
            mean,
            m2,
            min: f64::NEG_INFINITY,
            max: f64::INFINITY,
        })
}

proptest! {
    #[test]
    fn never_panics(
        periods in prop::collection::vec((prop_oneof![any::<f64>(), 0.0..10.0f64], arb_moments(), arb_moments()), 0..6),
        conf in prop_oneof![any::<f64>(), 0.5..0.99f64],
    ) {
        let ps: Vec<PeriodMoments> = periods
            .iter()
            .map(|&(time, control, treatment)| PeriodMoments { time, control, treatment })
            .collect();
        let _ = effects_over_time(&ps, conf);
        let pts: Vec<(f64, f64, f64)> = ps.iter().map(|p| (p.time, p.control.mean, p.treatment.m2)).collect();
        let _ = trend_test(&pts, conf);
        if ps.len() >= 2 {
            let a = GroupArms { control: ps[0].control, treatment: ps[0].treatment };
            let b = GroupArms { control: ps[1].control, treatment: ps[1].treatment };
            let _ = carryover_check(&a, &b, conf);
        }
    }
}
