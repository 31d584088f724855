//! Arbitrary inputs (NaN, inf, negative, huge) to the Bayesian and bandit functions never panic.

use counterfact_stats::bandit::{ArmPosterior, ThompsonConfig, thompson_allocation};
use counterfact_stats::bayes::beta::{BetaPosterior, expected_losses, prob_treatment_beats};
use counterfact_stats::bayes::{ArmSummary, GaussianPrior, LiftScale, effect_posterior};
use proptest::prelude::*;

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(-1.0),
        Just(0.0),
        0.0..1.0e7f64,
        any::<f64>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn effect_never_panics(v in proptest::collection::vec(any_f64(), 9), proper: bool) {
        let c = ArmSummary { n: v[0], mean: v[1], variance: v[2] };
        let t = ArmSummary { n: v[3], mean: v[4], variance: v[5] };
        let prior = GaussianPrior { mean: v[6], variance: v[7], proper };
        for s in [LiftScale::Absolute, LiftScale::Relative] {
            let _ = effect_posterior(&c, &t, s, &prior, v[8]);
        }
        let _ = ArmSummary::proportion(v[0], v[3]);
    }

    #[test]
    fn beta_never_panics(v in proptest::collection::vec(any_f64(), 4)) {
        let c = BetaPosterior { a: v[0], b: v[1] };
        let t = BetaPosterior { a: v[2], b: v[3] };
        let _ = prob_treatment_beats(&c, &t);
        let _ = expected_losses(&c, &t);
        if let Ok(ci) = c.credible_interval(v[2]) {
            prop_assert!(ci[0] <= ci[1] || ci[0].is_nan());
        }
        let _ = BetaPosterior::update(v[0], v[1], v[2], v[3]);
    }

    #[test]
    fn thompson_never_panics(v in proptest::collection::vec(any_f64(), 6), floor in any_f64()) {
        let arms = [
            ArmPosterior::Beta { a: v[0], b: v[1] },
            ArmPosterior::Normal { mean: v[2], sd: v[3] },
            ArmPosterior::Beta { a: v[4], b: v[5] },
        ];
        let cfg = ThompsonConfig { draws: 50, floor, top_two: Some(0.5), seed: 1 };
        if let Ok(a) = thompson_allocation(&arms, &cfg) {
            prop_assert!((a.weights.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        }
    }
}
