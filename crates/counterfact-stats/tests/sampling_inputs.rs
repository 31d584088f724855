//! Sampling: bad input gives typed errors, edge cases, determinism, and no panics.

use counterfact_stats::StatsError;
use counterfact_stats::sampling::reservoir::{
    ReservoirL, ReservoirR, WeightedMethod, WeightedReservoir, reservoir_l, reservoir_r,
    sample_one, weighted_reservoir,
};
use counterfact_stats::sampling::seeded_rng;
use counterfact_stats::sampling::weighted::{
    AliasSampler, CumulativeSampler, KeySampler, random_key,
};
use proptest::prelude::*;

#[test]
fn bad_weights_are_rejected_with_clear_errors() {
    for build in [
        |w: &[f64]| CumulativeSampler::new(w).map(|_| ()),
        |w: &[f64]| AliasSampler::new(w).map(|_| ()),
    ] {
        assert!(matches!(build(&[]), Err(StatsError::Empty { .. })));
        assert!(matches!(
            build(&[1.0, f64::NAN]),
            Err(StatsError::NonFinite { index: 1, .. })
        ));
        assert!(matches!(
            build(&[f64::INFINITY]),
            Err(StatsError::NonFinite { index: 0, .. })
        ));
        let negative = build(&[1.0, 2.0, -0.5]).unwrap_err();
        assert!(negative.to_string().contains("weights[2]"), "{negative}");
        let zero = build(&[0.0, 0.0]).unwrap_err();
        assert!(matches!(zero, StatsError::Degenerate(_)));
        assert!(zero.to_string().contains("all weights are zero"));
        assert!(build(&[f64::MAX, f64::MAX]).is_err(), "overflowing total");
    }
    let mut rng = seeded_rng(1);
    assert!(random_key::<u8, _>(&[], &mut rng).is_err());
    assert!(random_key(&[("a", -1.0)], &mut rng).is_err());
    assert!(KeySampler::new([("a", 0.0)]).is_err());
    let mut reservoir = WeightedReservoir::new(2, WeightedMethod::ARes).unwrap();
    for bad in [-1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert!(reservoir.push("x", bad, &mut rng).is_err(), "weight {bad}");
    }
    assert_eq!(reservoir.seen(), 0, "rejected items are not counted");
    assert!(
        weighted_reservoir(
            [(1, 1.0), (2, f64::NAN)],
            1,
            WeightedMethod::AExpJ,
            &mut rng
        )
        .is_err()
    );
}

#[test]
fn reservoir_size_zero_is_an_error_and_short_streams_are_returned_whole() {
    let mut rng = seeded_rng(2);
    assert!(matches!(
        ReservoirR::<u8>::new(0),
        Err(StatsError::InvalidArgument { .. })
    ));
    assert!(ReservoirL::<u8>::new(0).is_err());
    assert!(WeightedReservoir::<u8>::new(0, WeightedMethod::ARes).is_err());
    assert!(reservoir_r(0..5, 0, &mut rng).is_err());
    let mut short = reservoir_r(0..3, 5, &mut rng).unwrap();
    short.sort();
    assert_eq!(short, vec![0, 1, 2]);
    let mut short = reservoir_l(0..3, 5, &mut rng).unwrap();
    short.sort();
    assert_eq!(short, vec![0, 1, 2]);
    assert!(
        reservoir_l(std::iter::empty::<u8>(), 3, &mut rng)
            .unwrap()
            .is_empty()
    );
    assert_eq!(sample_one(std::iter::empty::<u8>(), &mut rng), None);
    let only_zero =
        weighted_reservoir([(1, 0.0), (2, 0.0)], 2, WeightedMethod::ARes, &mut rng).unwrap();
    assert!(only_zero.is_empty(), "zero-weight items are never sampled");
    let fewer =
        weighted_reservoir([(1, 0.0), (2, 1.0)], 2, WeightedMethod::AExpJ, &mut rng).unwrap();
    assert_eq!(fewer, vec![2]);
}

#[test]
fn same_seed_same_sample() {
    let run = |seed| {
        let mut rng = seeded_rng(seed);
        (
            reservoir_r(0..10_000, 7, &mut rng).unwrap(),
            reservoir_l(0..10_000, 7, &mut rng).unwrap(),
            weighted_reservoir(
                (0..1000).map(|i| (i, 1.0 + (i % 3) as f64)),
                5,
                WeightedMethod::AExpJ,
                &mut rng,
            )
            .unwrap(),
            AliasSampler::new(&[1.0, 2.0, 3.0])
                .unwrap()
                .sample(&mut rng),
        )
    };
    assert_eq!(run(9), run(9));
    assert_ne!(run(9), run(10));
}

#[test]
fn tiny_and_huge_weights_work() {
    let mut rng = seeded_rng(3);
    let sample = weighted_reservoir(
        [(0, 1e-300), (1, 1e-300), (2, 1e300), (3, 5e-324)],
        2,
        WeightedMethod::AExpJ,
        &mut rng,
    )
    .unwrap();
    assert_eq!(sample.len(), 2);
    assert_eq!(sample[0], 2, "the dominant weight comes first");
    let alias = AliasSampler::new(&[1e-300, 1e300]).unwrap();
    assert!((0..1000).all(|_| alias.sample(&mut rng) == 1));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_weights_never_panic_and_never_draw_zero_weight(
        weights in prop::collection::vec(
            prop_oneof![0.0..10.0f64, Just(0.0), Just(f64::NAN), Just(f64::INFINITY), -5.0..0.0f64, Just(1e-310), Just(1e300)],
            0..20),
        k in 0usize..6,
        seed in any::<u64>(),
    ) {
        let mut rng = seeded_rng(seed);
        if let Ok(s) = CumulativeSampler::new(&weights) {
            for _ in 0..50 {
                let i = s.sample(&mut rng);
                prop_assert!(weights[i] > 0.0);
            }
        }
        if let Ok(s) = AliasSampler::new(&weights) {
            for _ in 0..50 {
                let i = s.sample(&mut rng);
                prop_assert!(weights[i] > 0.0);
            }
        }
        for method in [WeightedMethod::ARes, WeightedMethod::AExpJ] {
            let pairs: Vec<(usize, f64)> = weights.iter().copied().enumerate().collect();
            if let Ok(sample) = weighted_reservoir(pairs, k, method, &mut rng) {
                prop_assert!(sample.len() <= k);
                prop_assert!(sample.iter().all(|&i| weights[i] > 0.0));
            }
        }
        if let Ok(s) = reservoir_l(0..weights.len(), k, &mut rng) {
            prop_assert_eq!(s.len(), k.min(weights.len()));
        }
    }
}
