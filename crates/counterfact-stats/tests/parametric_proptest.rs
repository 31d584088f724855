//! Every public function of `parametric` returns `Ok` or `Err` on arbitrary input (empty, NaN,
//! ±inf, huge, negative counts, invalid confidence) and never panics; every `Ok` p-value lies in
//! [0, 1].

use counterfact_stats::moments::Moments;
use counterfact_stats::parametric::*;
use counterfact_stats::{Alternative, TestResult};
use proptest::prelude::*;

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -1e3..1e3f64,
        1 => any::<f64>(),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(0.0),
        1 => Just(1e308),
        1 => Just(-1e308),
    ]
}

fn sample() -> impl Strategy<Value = Vec<f64>> {
    prop_oneof![
        4 => prop::collection::vec(-1e3..1e3f64, 0..12),
        1 => prop::collection::vec(any_f64(), 0..12),
        1 => prop::collection::vec(Just(2.5), 0..6),
    ]
}

fn moments() -> impl Strategy<Value = Moments> {
    (
        // Counts stay at or below 1e6: the statrs-backed StudentT quantile of the skeleton's
        // distribution layer does not terminate for df of about 1e8 and above.
        prop_oneof![Just(0u64), Just(1), Just(2), 0..50u64, Just(1_000_000)],
        any_f64(),
        any_f64(),
    )
        .prop_map(|(n, mean, m2)| Moments {
            n,
            mean,
            m2,
            min: f64::NEG_INFINITY,
            max: f64::INFINITY,
        })
}

fn alternative() -> impl Strategy<Value = Alternative> {
    prop_oneof![
        Just(Alternative::TwoSided),
        Just(Alternative::Less),
        Just(Alternative::Greater)
    ]
}

fn confidence() -> impl Strategy<Value = f64> {
    prop_oneof![4 => 0.01..0.999f64, 1 => any_f64()]
}

fn count() -> impl Strategy<Value = i64> {
    prop_oneof![4 => 0..100i64, 1 => any::<i64>(), 1 => Just(0), 1 => Just(-1)]
}

fn margin() -> impl Strategy<Value = Margin> {
    prop_oneof![
        any_f64().prop_map(Margin::Absolute),
        any_f64().prop_map(Margin::Relative)
    ]
}

fn sigma() -> impl Strategy<Value = Option<[f64; 2]>> {
    prop_oneof![
        Just(None),
        (any_f64(), any_f64()).prop_map(|(a, b)| Some([a, b]))
    ]
}

fn lift_method() -> impl Strategy<Value = LiftMethod> {
    prop_oneof![Just(LiftMethod::Delta), Just(LiftMethod::Fieller)]
}

fn p_ok(r: &Result<TestResult, counterfact_stats::StatsError>) -> bool {
    match r {
        Ok(t) => (0.0..=1.0).contains(&t.p_value),
        Err(e) => !e.to_string().is_empty(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(384))]

    #[test]
    fn raw_sample_tests_never_panic(
        x in sample(), y in sample(), mu0 in any_f64(), a in alternative(),
        c in confidence(), s in sigma(), m in lift_method(),
    ) {
        prop_assert!(p_ok(&one_sample_t_test(&x, mu0, a, c)));
        prop_assert!(p_ok(&student_t_test(&x, &y, a, c)));
        prop_assert!(p_ok(&welch_t_test(&x, &y, a, c)));
        prop_assert!(p_ok(&paired_t_test(&x, &y, a, c)));
        let n = x.len().min(y.len());
        prop_assert!(p_ok(&paired_t_test(&x[..n], &y[..n], a, c)));
        prop_assert!(p_ok(&z_means_test(&x, &y, s, a, c)));
        prop_assert!(p_ok(&z_mean_one_sample(&x, mu0, s.map(|v| v[0]), a, c)));
        prop_assert!(p_ok(&auto_means_test(&x, &y, s, a, c)));
        prop_assert!(p_ok(&relative_lift(&x, &y, m, a, c)));
        let _ = cohens_d(&x, &y, c);
        let _ = hedges_g(&x, &y, c);
    }

    #[test]
    fn moment_tests_never_panic(
        x in moments(), y in moments(), mu0 in any_f64(), a in alternative(),
        c in confidence(), s in sigma(), m in lift_method(), lo in margin(), hi in margin(),
        flag in any::<bool>(), pooled in any::<bool>(),
    ) {
        prop_assert!(p_ok(&one_sample_t_test_from_moments(&x, mu0, a, c)));
        prop_assert!(p_ok(&student_t_test_from_moments(&x, &y, a, c)));
        prop_assert!(p_ok(&welch_t_test_from_moments(&x, &y, a, c)));
        prop_assert!(p_ok(&paired_t_test_from_moments(&x, a, c)));
        prop_assert!(p_ok(&z_means_test_from_moments(&x, &y, s, a, c)));
        prop_assert!(p_ok(&z_mean_one_sample_from_moments(&x, mu0, s.map(|v| v[1]), a, c)));
        prop_assert!(p_ok(&auto_means_test_from_moments(&x, &y, s, a, c)));
        prop_assert!(p_ok(&relative_lift_from_moments(&x, &y, m, a, c)));
        prop_assert!(p_ok(&tost_from_moments(&x, &y, lo, hi, pooled, c)));
        prop_assert!(p_ok(&non_inferiority_from_moments(&x, &y, lo, flag, pooled, c)));
        let _ = cohens_d_from_moments(&x, &y, c);
        let _ = hedges_g_from_moments(&x, &y, c);
        let _ = relative_lift_effect(&x, &y, m, c);
        let _ = hedges_correction(mu0);
    }

    #[test]
    fn margin_tests_on_samples_never_panic(
        x in sample(), y in sample(), lo in margin(), hi in margin(),
        flag in any::<bool>(), pooled in any::<bool>(), c in confidence(),
    ) {
        prop_assert!(p_ok(&tost(&x, &y, lo, hi, pooled, c)));
        prop_assert!(p_ok(&non_inferiority(&x, &y, lo, flag, pooled, c)));
    }

    #[test]
    fn count_tests_never_panic(
        sx in count(), nx in count(), sy in count(), ny in count(), p0 in any_f64(),
        a in alternative(), c in confidence(), pooled in any::<bool>(),
    ) {
        prop_assert!(p_ok(&z_proportions_test(sx, nx, sy, ny, pooled, a, c)));
        prop_assert!(p_ok(&z_proportion_one_sample(sx, nx, p0, a, c)));
        let _ = odds_ratio(sx, nx, sy, ny, c);
        let _ = risk_ratio(sx, nx, sy, ny, c);
    }
}
