//! The rank tests never panic, whatever they are fed: empty, NaN, ±inf, huge or tied values, and
//! arbitrary option combinations. Errors are fine; panics are not.

use counterfact_stats::Alternative;
use counterfact_stats::rank::{
    KsOptions, MannWhitneyOptions, PValueMethod, WilcoxonOptions, ZeroMethod, ks_2samp,
    mann_whitney_u, rank_biserial, wilcoxon_paired, wilcoxon_signed_rank,
};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -10.0..10.0f64,
        2 => (-3i32..4).prop_map(f64::from),
        1 => Just(0.0),
        1 => Just(-0.0),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::MAX),
        1 => Just(-f64::MAX),
        1 => Just(1e-310),
        1 => any::<f64>(),
    ]
}

fn sample() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(value(), 0..40)
}

fn alternative() -> impl Strategy<Value = Alternative> {
    prop_oneof![
        Just(Alternative::TwoSided),
        Just(Alternative::Less),
        Just(Alternative::Greater)
    ]
}

fn method() -> impl Strategy<Value = PValueMethod> {
    prop_oneof![
        Just(PValueMethod::Auto),
        Just(PValueMethod::Exact),
        Just(PValueMethod::Asymptotic)
    ]
}

fn confidence() -> impl Strategy<Value = f64> {
    prop_oneof![
        0.0..=1.0f64,
        Just(f64::NAN),
        Just(0.95),
        Just(1e-12),
        Just(1.0 - 1e-12)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn mann_whitney_never_panics(
        x in sample(), y in sample(), alternative in alternative(), method in method(),
        continuity in any::<bool>(), confidence in confidence(),
    ) {
        let options = MannWhitneyOptions {
            alternative, method, continuity, confidence, hodges_lehmann: true,
        };
        if let Ok(r) = mann_whitney_u(&x, &y, &options) {
            prop_assert!((0.0..=1.0).contains(&r.p_value));
        }
        let _ = rank_biserial(&x, &y);
    }

    #[test]
    fn wilcoxon_never_panics(
        x in sample(), y in sample(), alternative in alternative(), method in method(),
        correction in any::<bool>(), confidence in confidence(), zero in 0..3usize,
    ) {
        let zero_method = [ZeroMethod::Wilcox, ZeroMethod::Pratt, ZeroMethod::Zsplit][zero];
        let options = WilcoxonOptions {
            alternative, method, zero_method, correction, confidence, hodges_lehmann: true,
        };
        if let Ok(r) = wilcoxon_signed_rank(&x, &options) {
            prop_assert!((0.0..=1.0).contains(&r.p_value));
        }
        let _ = wilcoxon_paired(&x, &y, &options);
        let n = x.len().min(y.len());
        let _ = wilcoxon_paired(&x[..n], &y[..n], &options);
    }

    #[test]
    fn ks_never_panics(
        x in sample(), y in sample(), alternative in alternative(), method in method(),
    ) {
        if let Ok(r) = ks_2samp(&x, &y, &KsOptions { alternative, method }) {
            prop_assert!((0.0..=1.0).contains(&r.p_value));
            prop_assert!((0.0..=1.0).contains(&r.statistic));
        }
    }
}
