//! Arbitrary inputs (NaN, ±inf, negatives, empty and ragged tables, huge counts) never panic
//! any public function of the contingency and adjustment modules; accepted inputs give p-values
//! in [0, 1].

use counterfact_stats::Alternative;
use counterfact_stats::adjust::{AdjustMethod, adjust_p_values};
use counterfact_stats::contingency::{
    chi2_goodness_of_fit, chi2_independence, expected_frequencies, fisher_exact,
    g_test_goodness_of_fit, g_test_independence, srm_check, table_2x2,
};
use proptest::prelude::*;

fn count() -> impl Strategy<Value = f64> {
    prop_oneof![
        (0u32..50).prop_map(f64::from),
        (0u64..3_000_000).prop_map(|v| v as f64),
        prop::num::f64::ANY,
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(-1.0),
        Just(0.5),
        Just(1e300),
    ]
}

fn cell() -> impl Strategy<Value = u64> {
    prop_oneof![0u64..60, 0u64..3_000_000, any::<u64>()]
}

fn level() -> impl Strategy<Value = f64> {
    prop_oneof![0.0..1.0, prop::num::f64::ANY, Just(0.95)]
}

fn alternative() -> impl Strategy<Value = Alternative> {
    prop_oneof![
        Just(Alternative::TwoSided),
        Just(Alternative::Less),
        Just(Alternative::Greater)
    ]
}

fn method() -> impl Strategy<Value = AdjustMethod> {
    prop_oneof![
        Just(AdjustMethod::Bonferroni),
        Just(AdjustMethod::Holm),
        Just(AdjustMethod::Hochberg),
        Just(AdjustMethod::Hommel),
        Just(AdjustMethod::BenjaminiHochberg),
        Just(AdjustMethod::BenjaminiYekutieli),
    ]
}

fn valid_p(p: f64) -> bool {
    (0.0..=1.0).contains(&p)
}

proptest! {
    #[test]
    fn goodness_of_fit_never_panics(
        observed in prop::collection::vec(count(), 0..6),
        weights in prop::option::of(prop::collection::vec(count(), 0..6)),
        alpha in level(),
    ) {
        let w = weights.as_deref();
        if let Ok(r) = chi2_goodness_of_fit(&observed, w) {
            prop_assert!(valid_p(r.p_value), "chi2 p = {}", r.p_value);
        }
        if let Ok(r) = g_test_goodness_of_fit(&observed, w) {
            prop_assert!(valid_p(r.p_value), "g p = {}", r.p_value);
        }
        if let Ok(c) = srm_check(&observed, w, alpha) {
            prop_assert!(valid_p(c.result.p_value));
        }
    }

    #[test]
    fn independence_never_panics(
        table in prop::collection::vec(prop::collection::vec(count(), 0..5), 0..5),
        correction in any::<bool>(),
    ) {
        if let Ok(r) = chi2_independence(&table, correction) {
            prop_assert!(valid_p(r.p_value), "chi2 p = {}", r.p_value);
        }
        if let Ok(r) = g_test_independence(&table, correction) {
            prop_assert!(valid_p(r.p_value), "g p = {}", r.p_value);
        }
        let _ = expected_frequencies(&table);
        let _ = table_2x2(&table);
    }

    #[test]
    fn fisher_never_panics(
        t in [[cell(), cell()], [cell(), cell()]],
        alternative in alternative(),
        confidence in level(),
    ) {
        if let Ok(r) = fisher_exact(&t, alternative, confidence) {
            prop_assert!(valid_p(r.p_value), "p = {}", r.p_value);
            if let Some([lo, hi]) = r.ci {
                prop_assert!(lo <= hi, "ci [{lo}, {hi}]");
            }
        }
    }

    #[test]
    fn adjust_never_panics(
        p in prop::collection::vec(prop_oneof![0.0..=1.0, prop::num::f64::ANY, Just(0.0), Just(1.0)], 0..30),
        method in method(),
        alpha in level(),
        name in ".*",
    ) {
        if let Ok(a) = adjust_p_values(&p, method, alpha) {
            prop_assert_eq!(a.p_adjusted.len(), p.len());
            for (adj, raw) in a.p_adjusted.iter().zip(&p) {
                prop_assert!(valid_p(*adj) && *adj >= *raw, "adjusted {adj} from {raw}");
            }
        }
        let _ = name.parse::<AdjustMethod>();
    }
}
