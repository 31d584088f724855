//! Arbitrary inputs (NaN, ±inf, n = 0 or 1, negative variances from rounding, wrong lengths)
//! reach every public function of the crate: each returns Ok or a typed error, never panics.

use counterfact_models::readout::{
    ArmRatioSums, ArmSums, ArmValues, MetricData, MetricDefinition, MetricInput, MetricKind,
    MetricRole, Population, ReadoutConfig, Winsorized, analyze, analyze_metric, srm_report,
};
use counterfact_models::regression::{least_squares_cross_products, least_squares_qr};
use proptest::prelude::*;

fn num() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => -10.0..10.0_f64,
        1 => proptest::num::f64::ANY,
        1 => Just(0.0),
        1 => Just(f64::NAN),
    ]
}

fn count() -> impl Strategy<Value = u64> {
    prop_oneof![0..4_u64, 2..200_u64, Just(u64::MAX)]
}

fn label() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("c".to_string()),
        Just("t".to_string()),
        Just("u".to_string())
    ]
}

fn arm_sums(p: usize) -> impl Strategy<Value = ArmSums> {
    let len = prop_oneof![Just(p), 0..4_usize];
    (label(), count(), num(), num(), len).prop_flat_map(move |(variant, n, sy, syy, l)| {
        (
            proptest::collection::vec(num(), l),
            proptest::collection::vec(num(), l),
            proptest::collection::vec(num(), l * l),
        )
            .prop_map(move |(sum_x, sum_xy, sum_xx)| ArmSums {
                variant: variant.clone(),
                n,
                sum_y: sy,
                // Σy² slightly below (Σy)²/n: a negative variance from rounding.
                sum_yy: if n > 0 && syy < 0.0 {
                    sy * sy / n as f64 - 1e-12
                } else {
                    syy
                },
                sum_x,
                sum_xy,
                sum_xx,
            })
    })
}

fn arm_ratio() -> impl Strategy<Value = ArmRatioSums> {
    (label(), count(), num(), num(), num(), num(), num()).prop_map(
        |(variant, n, sum_a, sum_b, sum_aa, sum_bb, sum_ab)| ArmRatioSums {
            variant,
            n,
            sum_a,
            sum_b,
            sum_aa,
            sum_bb,
            sum_ab,
        },
    )
}

fn arm_values() -> impl Strategy<Value = ArmValues> {
    (
        label(),
        proptest::collection::vec(num(), 0..30),
        prop_oneof![Just(0_usize), 0..30_usize],
    )
        .prop_flat_map(|(variant, values, k)| {
            let n = if k == 0 {
                0
            } else {
                values.len().max(1) + k % 2 - 1
            };
            proptest::collection::vec(0..5_u64, n).prop_map(move |clusters| ArmValues {
                variant: variant.clone(),
                values: values.clone(),
                clusters,
            })
        })
}

fn kind() -> impl Strategy<Value = MetricKind> {
    prop_oneof![
        Just(MetricKind::Mean),
        Just(MetricKind::Count),
        Just(MetricKind::Sum),
        Just(MetricKind::Proportion),
        Just(MetricKind::Ratio),
        Just(MetricKind::Quantile),
        Just(MetricKind::Retention),
    ]
}

fn role() -> impl Strategy<Value = MetricRole> {
    prop_oneof![
        Just(MetricRole::Primary),
        Just(MetricRole::Secondary),
        Just(MetricRole::Guardrail),
    ]
}

/// Names the arms "c", "t", "u" in order, so that inputs get past the label checks.
fn named<T>(mut arms: Vec<T>, set: impl Fn(&mut T, String)) -> Vec<T> {
    for (i, a) in arms.iter_mut().enumerate() {
        set(a, ["c", "t", "u"][i % 3].to_string());
    }
    arms
}

fn data(p: usize) -> impl Strategy<Value = MetricData> {
    prop_oneof![
        proptest::collection::vec(arm_sums(p), 2..4).prop_map(|a| MetricData::Sums {
            arms: named(a, |x, v| x.variant = v)
        }),
        proptest::collection::vec(arm_ratio(), 2..4).prop_map(|a| MetricData::Ratio {
            arms: named(a, |x, v| x.variant = v)
        }),
        proptest::collection::vec(arm_values(), 2..4).prop_map(|a| MetricData::Values {
            arms: named(a, |x, v| x.variant = v)
        }),
        proptest::collection::vec(arm_sums(p), 0..4).prop_map(|arms| MetricData::Sums { arms }),
        proptest::collection::vec(arm_ratio(), 0..4).prop_map(|arms| MetricData::Ratio { arms }),
        proptest::collection::vec(arm_values(), 0..4).prop_map(|arms| MetricData::Values { arms }),
    ]
}

fn metric() -> impl Strategy<Value = MetricInput> {
    (0..4_usize).prop_flat_map(|p| {
        (
            kind(),
            role(),
            any::<bool>(),
            proptest::option::of(num()),
            proptest::option::of(num()),
            data(p),
            proptest::option::of((num(), data(p))),
        )
            .prop_map(
                move |(kind, role, higher, margin, quantile, data, w)| MetricInput {
                    definition: MetricDefinition {
                        name: "m".to_string(),
                        kind,
                        role,
                        higher_is_better: higher,
                        margin,
                        quantile,
                        covariates: (0..p).map(|j| format!("x{j}")).collect(),
                    },
                    data,
                    winsorized: w.map(|(cap, uncapped)| Winsorized {
                        cap,
                        rule: "fixed".to_string(),
                        capped_units: 1,
                        uncapped,
                    }),
                },
            )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn analyze_metric_never_panics(input in metric(), alpha in num()) {
        let _ = analyze_metric(&input, "c", alpha);
        let _ = analyze_metric(&input, "c", 0.05);
    }

    #[test]
    fn analyze_never_panics(metrics in proptest::collection::vec(metric(), 0..3), alpha in num()) {
        let variants = vec!["c".to_string(), "t".to_string()];
        if let Ok(srm) = srm_report(&variants, &[1.0, 1.0], &[100, 100], &[], 0.001) {
            let config = ReadoutConfig {
                experiment: "e".to_string(),
                control: "c".to_string(),
                variants,
                alpha,
                correction: Some(counterfact_stats::adjust::AdjustMethod::Holm),
                monitoring: Default::default(),
            };
            let segments = vec![("d".to_string(), "v".to_string(), metrics.clone())];
            let _ = analyze(&config, &metrics, &segments, srm, Population::default(), Vec::new());
        }
    }

    #[test]
    fn srm_report_never_panics(
        weights in proptest::collection::vec(num(), 0..4),
        overall in proptest::collection::vec(count(), 0..4),
        dims in proptest::collection::vec(proptest::collection::vec(count(), 0..4), 0..3),
        alpha in num(),
    ) {
        let variants: Vec<String> = (0..weights.len()).map(|i| format!("v{i}")).collect();
        let dims: Vec<(String, Vec<u64>)> =
            dims.into_iter().enumerate().map(|(i, d)| (format!("d={i}"), d)).collect();
        let _ = srm_report(&variants, &weights, &overall, &dims, alpha);
    }

    #[test]
    fn least_squares_never_panics(
        cols in proptest::collection::vec(proptest::collection::vec(num(), 0..12), 0..4),
        y in proptest::collection::vec(num(), 0..12),
        intercept in any::<bool>(),
        s in proptest::collection::vec(num(), 0..20),
        df in num(),
    ) {
        let names: Vec<String> = (0..cols.len()).map(|j| format!("x{j}")).collect();
        let refs: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
        let _ = least_squares_qr(&refs, &names, &y, intercept);
        let p = names.len();
        if s.len() > p * p + p {
            let _ = least_squares_cross_products(&s[..p * p], &s[p * p..p * p + p], s[p * p + p], df, &names, "t");
        }
        let _ = least_squares_cross_products(&s, &y, df, df, &names, "t");
    }
}
