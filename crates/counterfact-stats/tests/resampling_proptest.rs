//! The resampling functions never panic, whatever the input: NaN, ±inf, empty or tiny samples,
//! extreme magnitudes, out-of-range levels and options.

use counterfact_stats::Alternative;
use counterfact_stats::resampling::bca::{
    bias_correction, jackknife_acceleration_one_sample, jackknife_acceleration_two_sample,
};
use counterfact_stats::resampling::{
    BootstrapOptions, IntervalMethod, OneSampleStatistic, PermutationOptions, PoissonBootstrap,
    Statistic, TwoSampleStatistic, bootstrap_one_sample, bootstrap_two_sample, permutation_test,
    poisson_bootstrap_mean, poisson_bootstrap_mean_diff,
};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => -1e3f64..1e3,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(-1e308f64),
        1 => Just(1e308f64),
        1 => Just(0.0f64),
        1 => any::<f64>(),
    ]
}

fn sample() -> impl Strategy<Value = Vec<f64>> {
    prop_oneof![
        prop::collection::vec(value(), 0..12),
        prop::collection::vec(-1e3f64..1e3, 0..12),
        prop::collection::vec(prop_oneof![Just(0.0f64), Just(1.0), Just(1e300)], 0..12),
    ]
}

fn level() -> impl Strategy<Value = f64> {
    prop_oneof![
        0.0f64..=1.0,
        Just(f64::NAN),
        Just(-0.5),
        Just(1.5),
        Just(0.5)
    ]
}

fn one_stat() -> impl Strategy<Value = OneSampleStatistic> {
    prop_oneof![
        Just(OneSampleStatistic::Mean),
        Just(OneSampleStatistic::Median),
        Just(OneSampleStatistic::Sd),
        level().prop_map(OneSampleStatistic::Quantile),
    ]
}

fn two_stat() -> impl Strategy<Value = TwoSampleStatistic> {
    prop_oneof![
        Just(TwoSampleStatistic::MeanDiff),
        Just(TwoSampleStatistic::MedianDiff),
        Just(TwoSampleStatistic::MeanRatio),
        level().prop_map(TwoSampleStatistic::QuantileDiff),
        Just(TwoSampleStatistic::custom("max-diff", |x, y| {
            x.iter().copied().fold(f64::NEG_INFINITY, f64::max)
                - y.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        })),
    ]
}

fn alternative() -> impl Strategy<Value = Alternative> {
    prop_oneof![
        Just(Alternative::TwoSided),
        Just(Alternative::Less),
        Just(Alternative::Greater)
    ]
}

fn interval() -> impl Strategy<Value = IntervalMethod> {
    prop_oneof![
        Just(IntervalMethod::Percentile),
        Just(IntervalMethod::Basic),
        Just(IntervalMethod::Bca)
    ]
}

fn boot_options() -> impl Strategy<Value = BootstrapOptions> {
    (
        0u64..60,
        prop_oneof![0.0f64..=1.0, Just(f64::NAN), Just(0.95)],
        interval(),
        alternative(),
        any::<u64>(),
    )
        .prop_map(
            |(n_resamples, confidence, interval, alternative, seed)| BootstrapOptions {
                n_resamples,
                confidence,
                interval,
                alternative,
                seed,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn permutation_never_panics(x in sample(), y in sample(), s in two_stat(), b in 0u64..80,
                                alt in alternative(), seed in any::<u64>()) {
        let opts = PermutationOptions { n_resamples: b, alternative: alt, seed };
        if let Ok(r) = permutation_test(&x, &y, &s, &opts) {
            prop_assert!((0.0..=1.0).contains(&r.p_value));
        }
    }

    #[test]
    fn bootstrap_never_panics(x in sample(), y in sample(), s1 in one_stat(), s2 in two_stat(),
                              opts in boot_options()) {
        if let Ok(r) = bootstrap_one_sample(&x, &s1, &opts) {
            prop_assert!(r.ci[0] <= r.ci[1]);
        }
        if let Ok(r) = bootstrap_two_sample(&x, &y, &s2, &opts) {
            prop_assert!(r.ci[0] <= r.ci[1]);
        }
        let _ = jackknife_acceleration_one_sample(&x, &s1);
        let _ = jackknife_acceleration_two_sample(&x, &y, &s2);
        let _ = bias_correction(&x, y.first().copied().unwrap_or(0.0));
    }

    #[test]
    fn poisson_bootstrap_never_panics(x in sample(), y in sample(), opts in boot_options(),
                                      chunk in any::<u64>()) {
        let _ = poisson_bootstrap_mean(&x, &opts);
        let _ = poisson_bootstrap_mean_diff(&x, &y, &opts);
        if let Ok(mut acc) = PoissonBootstrap::new(opts.n_resamples, opts.seed, chunk) {
            let _ = acc.push_chunk(chunk, &x);
            let other = acc.clone();
            let _ = acc.merge(&other);
        }
    }

    #[test]
    fn statistic_names_never_panic(s in ".{0,20}", q in any::<f64>()) {
        let _ = s.parse::<Statistic>();
        let _ = format!("quantile:{q}").parse::<Statistic>();
        let _ = format!("quantile-diff:{q}").parse::<Statistic>();
        let _ = s.parse::<IntervalMethod>();
    }
}
