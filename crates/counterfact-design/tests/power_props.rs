//! Property test: arbitrary power specs (NaN, inf, negative and extreme values included) give a
//! result or an error from `solve` and `power_curve`, never a panic; results are in range.

use counterfact_design::power::{
    Correction, CurveAxis, Metric, PowerSpec, ProportionMethod, Sequential, TestKind, Unknown,
    power_curve, solve,
};
use counterfact_stats::Alternative;
use proptest::prelude::*;

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => -2.0f64..2.0,
        2 => 0.0f64..1.0,
        1 => 1.0f64..1e6,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(-f64::INFINITY),
        1 => Just(0.0),
        1 => any::<f64>(),
    ]
}

fn metric() -> impl Strategy<Value = Metric> {
    prop_oneof![
        (any_f64(), any_f64()).prop_map(|(sd, m)| Metric::Means { sd, mean: Some(m) }),
        (any_f64(), any::<bool>()).prop_map(|(b, arc)| Metric::Proportions {
            baseline: b,
            method: if arc {
                ProportionMethod::Arcsine
            } else {
                ProportionMethod::Unpooled
            },
        }),
        (any_f64(), any_f64(), any_f64(), any_f64(), any_f64()).prop_map(
            |(mean_num, mean_den, var_num, var_den, cov)| Metric::Ratio {
                mean_num,
                mean_den,
                var_num,
                var_den,
                cov,
            }
        ),
        Just(Metric::Standardized),
    ]
}

prop_compose! {
    fn spec()(
        metric in metric(),
        t in any::<bool>(),
        one in any::<bool>(),
        alt in 0u8..3,
        alpha in any_f64(),
        power in any_f64(),
        effect in any_f64(),
        n in any_f64(),
        ratio in any_f64(),
        arms in 0u32..6,
        rho in any_f64(),
        m in any_f64(),
        icc in any_f64(),
        seq in 0u8..4,
        looks in 0u32..25,
        traffic in any_f64(),
        share in any_f64(),
        relative in any::<bool>(),
    ) -> PowerSpec {
        let mut s = PowerSpec::new(metric);
        s.test = if t { TestKind::T } else { TestKind::Z };
        s.one_sample = one;
        s.alternative = [Alternative::TwoSided, Alternative::Less, Alternative::Greater][alt as usize];
        s.alpha = Some(alpha);
        s.power = Some(power);
        s.effect = Some(effect);
        s.relative = relative;
        s.n = Some(n);
        s.ratio = ratio;
        s.arms = arms;
        s.correction = if arms % 2 == 0 { Correction::Bonferroni } else { Correction::None };
        s.cuped_rho = rho;
        s.cluster_size = m;
        s.icc = icc;
        s.sequential = match seq {
            0 => Sequential::None,
            1 => Sequential::Pocock { looks },
            2 => Sequential::OBrienFleming { looks },
            _ => Sequential::Factor { factor: m },
        };
        s.daily_traffic = Some(traffic);
        s.share = share;
        s
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn never_panics(s in spec()) {
        for unknown in [Unknown::N, Unknown::Power, Unknown::Mde, Unknown::Alpha] {
            if let Ok(r) = solve(&s, unknown) {
                prop_assert!((0.0..=1.0).contains(&r.power), "power {}", r.power);
                prop_assert!(r.alpha > 0.0 && r.alpha <= 1.0, "alpha {}", r.alpha);
                prop_assert!(r.n_control > 0.0, "n {}", r.n_control);
            }
        }
        let _ = power_curve(&s, &CurveAxis::Effects(vec![0.1, f64::NAN, -3.0]));
        let _ = power_curve(&s, &CurveAxis::Ns(vec![10.0, 0.0, f64::INFINITY]));
    }
}

prop_compose! {
    fn valid_spec()(
        t in any::<bool>(),
        alt in 0u8..3,
        alpha in 1e-10f64..0.5,
        power in 0.01f64..0.9999,
        effect in 1e-4f64..50.0,
        negative in any::<bool>(),
        n in 2.5f64..1e9,
        ratio in 0.01f64..100.0,
        prop in any::<bool>(),
        baseline in 1e-4f64..0.9999,
    ) -> PowerSpec {
        let metric = if prop {
            Metric::Proportions { baseline, method: ProportionMethod::Arcsine }
        } else {
            Metric::Standardized
        };
        let mut s = PowerSpec::new(metric);
        s.test = if t && !prop { TestKind::T } else { TestKind::Z };
        s.alternative = [Alternative::TwoSided, Alternative::Less, Alternative::Greater][alt as usize];
        s.alpha = Some(alpha);
        s.power = Some(power);
        let e = if prop { effect.min(0.99) * if negative { -baseline } else { 1.0 - baseline } } else if negative { -effect } else { effect };
        s.effect = Some(e);
        s.n = Some(n);
        s.ratio = ratio;
        s
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn valid_specs_solve_consistently(s in valid_spec()) {
        for unknown in [Unknown::N, Unknown::Power, Unknown::Mde, Unknown::Alpha] {
            if let Ok(r) = solve(&s, unknown) {
                prop_assert!((0.0..=1.0).contains(&r.power), "power {}", r.power);
                if unknown != Unknown::Power && r.power > 1e-3 && r.power < 0.999 {
                    // The solution reproduces the target power (absolute 1e-8).
                    prop_assert!((r.power - s.power.unwrap()).abs() < 1e-8,
                        "{unknown:?}: power {} vs {}", r.power, s.power.unwrap());
                }
            }
        }
    }
}
