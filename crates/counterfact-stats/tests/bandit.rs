//! Thompson-sampling allocation, floor, top-two and the seeded simulator against equal
//! allocation.
#![allow(clippy::print_stdout)]

use counterfact_stats::bandit::simulate::{SimConfig, simulate};
use counterfact_stats::bandit::{ArmPosterior, ThompsonConfig, thompson_allocation};
use counterfact_stats::bayes::beta::{BetaPosterior, prob_treatment_beats};

fn cfg(floor: f64, top_two: Option<f64>) -> ThompsonConfig {
    ThompsonConfig {
        draws: 200_000,
        floor,
        top_two,
        seed: 7,
    }
}

#[test]
fn two_arm_allocation_matches_exact_prob_best() {
    let arms = [
        ArmPosterior::bernoulli(120.0, 1000.0).unwrap(),
        ArmPosterior::bernoulli(135.0, 1000.0).unwrap(),
    ];
    let alloc = thompson_allocation(&arms, &cfg(0.0, None)).unwrap();
    let exact = prob_treatment_beats(
        &BetaPosterior { a: 121.0, b: 881.0 },
        &BetaPosterior { a: 136.0, b: 866.0 },
    )
    .unwrap();
    // Monte Carlo with 200,000 draws: sd ≈ sqrt(p(1−p)/n) ≤ 0.0012; allow 5 sd.
    let tol = 5.0 * (exact * (1.0 - exact) / 200_000.0).sqrt();
    println!("P(best) MC {:?} exact {exact} tol {tol}", alloc.prob_best);
    assert!((alloc.weights[1] - exact).abs() < tol);
    assert!((alloc.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
}

#[test]
fn floor_is_respected_and_weights_sum_to_one() {
    let arms = [
        ArmPosterior::bernoulli(100.0, 10_000.0).unwrap(),
        ArmPosterior::bernoulli(300.0, 10_000.0).unwrap(),
        ArmPosterior::bernoulli(120.0, 10_000.0).unwrap(),
        ArmPosterior::gaussian(10_000.0, 0.011, 0.1).unwrap(),
    ];
    for floor in [0.0, 0.01, 0.05, 0.1, 0.25] {
        for top_two in [None, Some(0.5)] {
            let a = thompson_allocation(&arms, &cfg(floor, top_two)).unwrap();
            println!("floor {floor} top_two {top_two:?}: {:?}", a.weights);
            assert!(a.weights.iter().all(|&w| w >= floor - 1e-12), "{a:?}");
            assert!((a.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
    }
    assert!(thompson_allocation(&arms, &cfg(0.3, None)).is_err());
}

#[test]
fn top_two_gives_the_challenger_traffic() {
    let arms = [
        ArmPosterior::gaussian(1000.0, 1.0, 1.0).unwrap(),
        ArmPosterior::gaussian(1000.0, 1.1, 1.0).unwrap(),
        ArmPosterior::gaussian(1000.0, 1.3, 1.0).unwrap(),
    ];
    let ts = thompson_allocation(&arms, &cfg(0.0, None)).unwrap();
    let tt = thompson_allocation(&arms, &cfg(0.0, Some(0.5))).unwrap();
    println!("TS {:?}\nTTTS {:?}", ts.weights, tt.weights);
    // The leader is near-certain: TS gives it ~all traffic, top-two about half.
    assert!(ts.weights[2] > 0.99);
    assert!((tt.weights[2] - 0.5).abs() < 0.01);
    assert!(tt.weights[1] > 0.4);
}

#[test]
fn same_seed_same_allocation() {
    let arms = [
        ArmPosterior::bernoulli(5.0, 50.0).unwrap(),
        ArmPosterior::bernoulli(7.0, 50.0).unwrap(),
    ];
    let c = ThompsonConfig::default();
    assert_eq!(
        thompson_allocation(&arms, &c).unwrap(),
        thompson_allocation(&arms, &c).unwrap()
    );
}

#[test]
fn simulator_beats_equal_allocation() {
    let base = SimConfig {
        rates: vec![0.10, 0.12, 0.15],
        horizon: 1_000,
        runs: 2_000,
        floor: 0.02,
        top_two: None,
        seed: 2026,
    };
    let r = simulate(&base).unwrap();
    println!(
        "Thompson (floor 0.02) over {} runs: {:?}",
        r.runs, r.thompson
    );
    println!("equal allocation: {:?}", r.equal);
    assert!(r.thompson.mean_regret < r.equal.mean_regret);
    assert!(r.thompson.prob_pick_best >= r.equal.prob_pick_best);
    let tt = simulate(&SimConfig {
        top_two: Some(0.5),
        ..base.clone()
    })
    .unwrap();
    println!("top-two Thompson: {:?}", tt.thompson);
    assert!(tt.thompson.mean_regret < tt.equal.mean_regret);
    assert_eq!(simulate(&base).unwrap(), r);
}
