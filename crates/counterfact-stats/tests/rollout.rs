//! Phased rollouts: the guardrails' normal-mixture confidence sequence (closed form and
//! time-uniform coverage), the decision rule on hand-made observations, typed errors, and seeded simulations of
//! hourly-checked rollouts: a treatment that breaks a guardrail halts at the first stage in most
//! runs; one that breaks nothing advances to global. Shares are printed.
#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;

use counterfact_stats::StatsError;
use counterfact_stats::moments::Moments;
use counterfact_stats::rollout::*;
use counterfact_stats::sequential::mixture::{Metric, Mixing, mixture_test_from_moments};
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn std_normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[test]
fn cs_matches_the_running_mean_form() {
    // Half-width √(v(v+τ²)/τ² · ln((v+τ²)/(v·α²))) with v = s_T²/n_T + s_C²/n_C, τ = margin and
    // α split over the two guardrails.
    let p = plan();
    let (n, sd) = (400u64, 30.0f64);
    let lat = arms(200.0, 201.0, n, sd);
    let conv = arms(0.3, 0.3, n, 0.46);
    let d = evaluate(&p, &[obs("10k", 1.0, n, lat, conv)]).unwrap();
    let g = &d.stages[0].guardrails[0];
    let (v, t2, alpha) = (2.0 * sd * sd / n as f64, 25.0f64, 0.025f64);
    let want = (v * (v + t2) / t2 * ((v + t2) / (v * alpha * alpha)).ln()).sqrt();
    for got in [
        g.confidence_sequence[1] - 1.0,
        1.0 - g.confidence_sequence[0],
    ] {
        assert!(((got - want) / want).abs() < 1e-12, "{got} vs {want}");
    }
    assert_eq!(g.alpha, alpha);
}

#[test]
fn cs_is_time_uniform() {
    // A/A streams of N(0,1), one observation per arm per look, looks 50..1,000 (the variance is a
    // plug-in estimate, so validity is asymptotic: very small arms are anti-conservative): the
    // share of paths whose sequence ever excludes 0 must stay below α (a fixed-n CI would far
    // exceed it).
    const RUNS: usize = 1_000;
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut ever = 0;
    for _ in 0..RUNS {
        let (mut t, mut c) = (Moments::new(), Moments::new());
        for look in 1..=1_000 {
            t.push(std_normal(&mut rng));
            c.push(std_normal(&mut rng));
            if look < 50 {
                continue;
            }
            let r = mixture_test_from_moments(
                &t,
                &c,
                Metric::Mean,
                Mixing::Msprt { tau2: 0.25 },
                0.0,
                0.05,
            )
            .unwrap();
            if r.cs_look[0] > 0.0 || r.cs_look[1] < 0.0 {
                ever += 1;
                break;
            }
        }
    }
    let share = ever as f64 / RUNS as f64;
    println!(
        "normal-mixture CS, looks at n = 50..1,000 per arm: ever excluded the truth in {share:.4} of {RUNS} paths (α = 0.05)"
    );
    assert!(
        share < 0.05 + 2.5758 * (0.05f64 * 0.95 / RUNS as f64).sqrt(),
        "{share}"
    );
}

fn plan() -> RolloutPlan {
    let toml_like = serde_json::json!({
        "stages": [
            {"name": "10k", "target_units": 10_000, "min_duration_hours": 24.0},
            {"name": "100k", "target_units": 100_000, "min_duration_hours": 48.0},
            {"name": "global", "target_units": 1_000_000, "min_duration_hours": 72.0}
        ],
        "guardrails": [
            {"metric": "latency_ms", "direction": "lower-is-better", "margin": 5.0},
            {"metric": "conversion", "direction": "higher", "margin": 0.05, "margin_kind": "relative"}
        ]
    });
    serde_json::from_value(toml_like).unwrap()
}

/// Summary of a batch of `n` normal values with mean `mu` and sd `sigma`, drawn from the sampling
/// distributions of the mean and (approximately) of the sum of squares.
fn batch(rng: &mut ChaCha8Rng, n: u64, mu: f64, sigma: f64) -> Moments {
    let nf = n as f64;
    let mean = mu + sigma / nf.sqrt() * std_normal(rng);
    let m2 =
        sigma * sigma * (nf - 1.0) * (1.0 + (2.0 / (nf - 1.0)).sqrt() * std_normal(rng)).max(0.1);
    Moments {
        n,
        mean,
        m2,
        min: f64::NEG_INFINITY,
        max: f64::INFINITY,
    }
}

/// One hourly-checked rollout; returns the index of the stage where it halted (`Err`) or the
/// number of stages completed (`Ok`).
fn run(
    rng: &mut ChaCha8Rng,
    plan: &RolloutPlan,
    latency_effect: f64,
    conversion_effect: f64,
) -> std::result::Result<usize, usize> {
    let mut observed: Vec<StageObservation> = Vec::new();
    for (si, stage) in plan.stages.iter().enumerate() {
        // Units arrive so that the target is reached at 3/4 of the minimum duration; the stage
        // gives up (counted as stuck) after four times its minimum duration.
        let per_hour =
            (stage.target_units as f64 / (0.75 * stage.min_duration_hours)).ceil() as u64;
        let mut lat = (Moments::new(), Moments::new());
        let mut conv = (Moments::new(), Moments::new());
        let mut hours = 0.0;
        loop {
            hours += 1.0;
            lat.0.merge(&batch(rng, per_hour, 200.0, 50.0));
            lat.1
                .merge(&batch(rng, per_hour, 200.0 + latency_effect, 50.0));
            let p = 0.3f64;
            let sd = (p * (1.0 - p)).sqrt();
            conv.0.merge(&batch(rng, per_hour, p, sd));
            conv.1
                .merge(&batch(rng, per_hour, p + conversion_effect, sd));
            let mut metrics = BTreeMap::new();
            metrics.insert(
                "latency_ms".to_string(),
                ArmMoments {
                    control: lat.0,
                    treatment: lat.1,
                },
            );
            metrics.insert(
                "conversion".to_string(),
                ArmMoments {
                    control: conv.0,
                    treatment: conv.1,
                },
            );
            let obs = StageObservation {
                stage: stage.name.clone(),
                hours_elapsed: hours,
                units: lat.1.n,
                metrics,
            };
            let mut all = observed.clone();
            all.push(obs.clone());
            let d = evaluate(plan, &all).unwrap();
            match d.decision {
                Decision::Halt => return Err(si),
                Decision::Advance => {
                    observed.push(obs);
                    break;
                }
                Decision::Continue if hours >= 4.0 * stage.min_duration_hours => return Ok(si),
                Decision::Continue => {}
            }
        }
    }
    Ok(plan.stages.len())
}

const RUNS: usize = 200;

#[test]
fn broken_guardrail_halts_at_the_first_stage() {
    let plan = plan();
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut first = 0;
    for _ in 0..RUNS {
        // Latency worse by 10 ms against a 5 ms margin.
        if run(&mut rng, &plan, 10.0, 0.0) == Err(0) {
            first += 1;
        }
    }
    let share = first as f64 / RUNS as f64;
    println!(
        "latency +10 ms (margin 5 ms), hourly checks: halted at the first stage in {share:.3} of {RUNS} runs"
    );
    assert!(share > 0.9, "{share}");
    let mut first = 0;
    for _ in 0..RUNS {
        // Conversion 0.30 → 0.27 (−10%) against a 5% relative margin.
        if run(&mut rng, &plan, 0.0, -0.03) == Err(0) {
            first += 1;
        }
    }
    let share = first as f64 / RUNS as f64;
    println!(
        "conversion −10% (margin 5%), hourly checks: halted at the first stage in {share:.3} of {RUNS} runs"
    );
    assert!(share > 0.8, "{share}");
}

#[test]
fn harmless_treatment_advances_to_global() {
    let plan = plan();
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let (mut global, mut halted) = (0, 0);
    for _ in 0..RUNS {
        match run(&mut rng, &plan, 0.0, 0.0) {
            Ok(n) if n == plan.stages.len() => global += 1,
            Err(_) => halted += 1,
            Ok(_) => {}
        }
    }
    let share = global as f64 / RUNS as f64;
    println!(
        "no harm, hourly checks: advanced through global in {share:.3} of {RUNS} runs; halted in {halted}"
    );
    assert!(share > 0.9, "{share}");
    assert!(halted as f64 / (RUNS as f64) < 0.05, "{halted}");
}

fn arms(mc: f64, mt: f64, n: u64, sd: f64) -> ArmMoments {
    ArmMoments {
        control: Moments::from_mean_sd(n, mc, sd).unwrap(),
        treatment: Moments::from_mean_sd(n, mt, sd).unwrap(),
    }
}

fn obs(stage: &str, hours: f64, units: u64, lat: ArmMoments, conv: ArmMoments) -> StageObservation {
    let mut metrics = BTreeMap::new();
    metrics.insert("latency_ms".to_string(), lat);
    metrics.insert("conversion".to_string(), conv);
    StageObservation {
        stage: stage.to_string(),
        hours_elapsed: hours,
        units,
        metrics,
    }
}

#[test]
fn decision_rule_by_hand() {
    let p = plan();
    let fine_lat = arms(200.0, 200.0, 100_000, 10.0);
    let fine_conv = arms(0.3, 0.3, 100_000, 0.46);
    let d = evaluate(&p, &[obs("10k", 30.0, 100_000, fine_lat, fine_conv)]).unwrap();
    assert_eq!(d.decision, Decision::Advance);
    assert_eq!(d.next_stage.as_deref(), Some("100k"));
    let d = evaluate(&p, &[obs("10k", 10.0, 100_000, fine_lat, fine_conv)]).unwrap();
    assert_eq!(d.decision, Decision::Continue);
    assert!(!d.stages[0].min_duration_met);
    let d = evaluate(&p, &[obs("10k", 30.0, 5_000, fine_lat, fine_conv)]).unwrap();
    assert_eq!(d.decision, Decision::Continue);
    let bad_lat = arms(200.0, 230.0, 100_000, 10.0);
    let d = evaluate(&p, &[obs("10k", 1.0, 1_000, bad_lat, fine_conv)]).unwrap();
    assert_eq!(d.decision, Decision::Halt);
    assert_eq!(d.decision.label(), "halt — roll back");
    assert!(d.stages[0].guardrails[0].breached);
    let bad_conv = arms(0.3, 0.2, 100_000, 0.46);
    let d = evaluate(&p, &[obs("10k", 1.0, 1_000, fine_lat, bad_conv)]).unwrap();
    assert_eq!(d.decision, Decision::Halt);
    let all = [
        obs("10k", 30.0, 100_000, fine_lat, fine_conv),
        obs("100k", 50.0, 100_000, fine_lat, fine_conv),
        obs("global", 80.0, 1_000_000, fine_lat, fine_conv),
    ];
    let d = evaluate(&p, &all).unwrap();
    assert_eq!(d.decision, Decision::Advance);
    assert_eq!(d.next_stage, None);
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["decision"], "advance");
    assert!(json["stages"][0]["guardrails"][0]["confidence_sequence"].is_array());
}

#[test]
fn bad_input_gives_typed_errors() {
    let p = plan();
    let a = arms(1.0, 1.0, 10, 1.0);
    assert!(matches!(evaluate(&p, &[]), Err(StatsError::Empty { .. })));
    assert!(matches!(
        evaluate(&p, &[obs("100k", 1.0, 1, a, a)]),
        Err(StatsError::InvalidArgument { .. })
    ));
    assert!(matches!(
        evaluate(&p, &[obs("10k", f64::NAN, 1, a, a)]),
        Err(StatsError::InvalidArgument { .. })
    ));
    let mut missing = obs("10k", 1.0, 1, a, a);
    missing.metrics.remove("conversion");
    assert!(matches!(
        evaluate(&p, &[missing]),
        Err(StatsError::InvalidArgument { .. })
    ));
    let mut q = p.clone();
    q.alpha = 0.0;
    assert!(evaluate(&q, &[obs("10k", 1.0, 1, a, a)]).is_err());
    let mut q = p.clone();
    q.guardrails[0].margin = -1.0;
    assert!(evaluate(&q, &[obs("10k", 1.0, 1, a, a)]).is_err());
    let mut q = p.clone();
    q.guardrails[0].margin = 0.0;
    assert!(evaluate(&q, &[obs("10k", 1.0, 1, a, a)]).is_err());
    // Too little data: no evidence, continue.
    let tiny = ArmMoments {
        control: Moments::new(),
        treatment: Moments::new(),
    };
    let d = evaluate(&p, &[obs("10k", 30.0, 0, tiny, tiny)]).unwrap();
    assert_eq!(d.decision, Decision::Continue);
}

proptest! {
    #[test]
    fn never_panics(
        alpha in any::<f64>(), mix in any::<f64>(),
        n in 0u64..4, mean in any::<f64>(), m2 in any::<f64>(), hours in any::<f64>(), margin in any::<f64>(),
    ) {
        let mut p = plan();
        p.alpha = alpha;
        p.guardrails[0].mixing_sd = Some(mix);
        p.guardrails[1].margin = margin;
        let m = Moments { n, mean, m2, min: f64::NEG_INFINITY, max: f64::INFINITY };
        let a = ArmMoments { control: m, treatment: Moments::from_mean_sd(3, 1.0, 1.0).unwrap() };
        let _ = evaluate(&p, &[obs("10k", hours, n, a, a)]);
    }
}
