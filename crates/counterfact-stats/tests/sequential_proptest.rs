//! The anytime-valid tests never panic, whatever they are fed: NaN, ±inf, huge values, zero
//! variance, out-of-range categories and levels, arbitrary information fractions. Errors are
//! fine; panics are not.

use counterfact_stats::moments::Moments;
use counterfact_stats::result::Alternative;
use counterfact_stats::sequential::group_sequential::{
    Spending, crossing_probabilities, inflation_factor, lan_demets_boundaries,
};
use counterfact_stats::sequential::mixture::{
    Metric, Mixing, MixtureSequentialTest, asymptotic_rho, mixture_test_from_moments,
    mixture_test_from_moments_with_alternative,
};
use counterfact_stats::sequential::multinomial::{MultinomialSequentialTest, poisson_rate_test};
use counterfact_stats::sequential::quantile::{
    QuantileAbTest, QuantileSequence, beta_binomial_r, quantile_log_mixture,
};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -10.0..10.0f64,
        2 => Just(0.0),
        2 => Just(1.0),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::MAX),
        1 => Just(1e-310),
        1 => any::<f64>(),
    ]
}

fn moments() -> impl Strategy<Value = Moments> {
    (0u64..50, value(), value(), value(), value()).prop_map(|(n, mean, m2, min, max)| Moments {
        n,
        mean,
        m2,
        min,
        max,
    })
}

fn metric() -> impl Strategy<Value = Metric> {
    prop_oneof![Just(Metric::Mean), Just(Metric::Proportion)]
}

fn mixing() -> impl Strategy<Value = Mixing> {
    prop_oneof![
        value().prop_map(|tau2| Mixing::Msprt { tau2 }),
        value().prop_map(|tuning_n| Mixing::Asymptotic { tuning_n }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn mixture_never_panics(
        a in moments(), b in moments(), metric in metric(), mixing in mixing(),
        null in value(), alpha in value(), xs in prop::collection::vec(value(), 0..40),
        side in prop_oneof![
            Just(Alternative::TwoSided), Just(Alternative::Less), Just(Alternative::Greater)
        ],
    ) {
        let _ = mixture_test_from_moments(&a, &b, metric, mixing, null, alpha);
        let _ = mixture_test_from_moments_with_alternative(&a, &b, metric, mixing, null, alpha, side);
        let _ = asymptotic_rho(alpha, null);
        if let Ok(t) = MixtureSequentialTest::new(metric, mixing, null, alpha) {
            let mut t = t.with_alternative(side);
            let _ = t.update(&a, &b);
            for (i, &x) in xs.iter().enumerate() {
                let _ = if i % 2 == 0 { t.push_treatment(x) } else { t.push_control(x) };
                let r = t.look();
                prop_assert!(r.always_valid_p <= 1.0 || r.always_valid_p.is_nan());
            }
            let _ = serde_json::to_string(&t.result());
        }
    }

    #[test]
    fn multinomial_never_panics(
        theta in prop::collection::vec(value(), 0..5), k in value(), alpha in value(),
        cats in prop::collection::vec(0usize..6, 0..50),
        batch in prop::collection::vec(prop_oneof![0u64..1000, Just(u64::MAX)], 0..6),
        xa in any::<u64>(), xb in any::<u64>(), ta in value(), tb in value(),
    ) {
        if let Ok(mut t) = MultinomialSequentialTest::new(&theta, k, alpha) {
            for c in cats {
                let _ = t.push(c);
            }
            let _ = t.update(&batch);
            let _ = t.log_rate_ratio_cs();
            let r = t.result();
            prop_assert!(r.always_valid_p <= 1.0 || r.always_valid_p.is_nan());
        }
        let _ = poisson_rate_test(xa, xb, ta, tb, k, alpha);
    }

    #[test]
    fn multinomial_intervals_never_panic(
        weights in prop::collection::vec(1e-6..1.0f64, 2..7), k in value(), alpha in value(),
        batches in prop::collection::vec(
            prop::collection::vec(prop_oneof![0u64..1000, Just(0u64), Just(u64::MAX)], 2..7), 0..4),
    ) {
        let total: f64 = weights.iter().sum();
        let theta: Vec<f64> = weights.iter().map(|w| w / total).collect();
        if let Ok(mut t) = MultinomialSequentialTest::new(&theta, k, alpha) {
            for b in &batches {
                let _ = t.update(b);
                for ci in t.look_probability_cs() {
                    prop_assert!(ci[0] >= 0.0 && ci[1] <= 1.0);
                }
            }
        }
    }

    #[test]
    fn group_sequential_never_panics(
        fractions in prop::collection::vec(value(), 0..4), alpha in value(),
        pocock in any::<bool>(), drift in value(), power in value(),
    ) {
        let spending = if pocock { Spending::Pocock } else { Spending::OBrienFleming };
        if let Ok(d) = lan_demets_boundaries(&fractions, alpha, spending) {
            let _ = crossing_probabilities(&d, drift);
            let _ = inflation_factor(&d, power);
        }
    }

    #[test]
    fn group_sequential_valid_fractions_never_panic(
        mut fractions in prop::collection::vec(1e-9..1.0f64, 0..3),
        alpha in prop_oneof![1e-12..0.999f64, Just(0.05)],
        pocock in any::<bool>(), drift in -20.0..20.0f64,
    ) {
        fractions.sort_by(f64::total_cmp);
        fractions.dedup();
        fractions.push(1.0);
        let spending = if pocock { Spending::Pocock } else { Spending::OBrienFleming };
        let d = lan_demets_boundaries(&fractions, alpha, spending);
        if let Ok(d) = d {
            let _ = crossing_probabilities(&d, drift);
        }
    }

    #[test]
    fn quantile_never_panics(
        p in value(), alpha in value(), tuning in value(),
        batches in prop::collection::vec(prop::collection::vec(value(), 0..20), 0..5),
    ) {
        if let Ok(mut q) = QuantileSequence::new(p, alpha, tuning) {
            for b in &batches {
                let _ = q.extend(b);
                let r = q.look();
                prop_assert!(r.cs_look[0] <= r.cs_look[1]);
            }
        }
    }

    #[test]
    fn quantile_ab_never_panics(
        p in value(), alpha in value(), tuning in value(), delta in value(),
        k in value(), n in value(),
        batches in prop::collection::vec(
            (prop::collection::vec(value(), 0..20), prop::collection::vec(value(), 0..20)), 0..5),
    ) {
        if let Ok(r) = beta_binomial_r(p, alpha, tuning) {
            let _ = quantile_log_mixture(k, n, p, r);
        }
        if let Ok(mut t) = QuantileAbTest::new(p, alpha, tuning, delta) {
            for (bt, bc) in &batches {
                let _ = t.extend_treatment(bt);
                let _ = t.extend_control(bc);
                let r = t.look();
                prop_assert!(r.cs_difference[0] <= r.cs_difference[1] || r.cs_difference[0].is_nan());
                prop_assert!((0.0..=1.0).contains(&r.always_valid_p));
            }
        }
    }
}
