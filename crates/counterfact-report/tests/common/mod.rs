//! A hand-built readout with every optional field filled somewhere, for the rendering tests.

#![allow(dead_code)]

use counterfact_models::readout::{
    Adjustment, ArmSummary, BayesianReadout, Comparison, Decision, Estimate, MetricKind,
    MetricReadout, MetricRole, Monitoring, NonInferiority, Population, Readout, SegmentReadout,
    SequentialReadout, SrmReport, SrmTest, Verdict,
};
use counterfact_stats::bayes::GaussianPrior;

fn estimate(estimate: f64, std_error: f64) -> Estimate {
    Estimate {
        estimate,
        std_error,
        ci: [estimate - 1.96 * std_error, estimate + 1.96 * std_error],
    }
}

fn arm(variant: &str, n: u64, value: f64) -> ArmSummary {
    ArmSummary {
        variant: variant.to_string(),
        n,
        value,
        total: None,
    }
}

fn comparison(variant: &str, control: f64, treatment: f64, se: f64, p: f64) -> Comparison {
    let absolute = estimate(treatment - control, se);
    let relative = estimate(treatment / control - 1.0, se / control);
    Comparison {
        variant: variant.to_string(),
        method: "welch_t".to_string(),
        statistic: absolute.estimate / se,
        absolute,
        relative,
        df: Some(129_874.3),
        p_value: p,
        p_value_adjusted: (p * 3.0).min(1.0),
        significant: p * 3.0 < 0.05,
        adjustment: None,
        non_inferiority: None,
        uncapped: None,
        true_effect: None,
        sequential: None,
        bayesian: None,
    }
}

fn metric(
    name: &str,
    kind: MetricKind,
    role: MetricRole,
    values: [f64; 3],
    ses: [f64; 2],
    ps: [f64; 2],
) -> MetricReadout {
    let variants = ["control", "top_row", "personalized_row"];
    MetricReadout {
        name: name.to_string(),
        kind,
        role,
        higher_is_better: true,
        arms: variants
            .iter()
            .zip(values)
            .zip([65_012, 64_877, 65_101])
            .map(|((v, value), n)| arm(v, n, value))
            .collect(),
        comparisons: (0..2)
            .map(|i| comparison(variants[i + 1], values[0], values[i + 1], ses[i], ps[i]))
            .collect(),
        cap: None,
        notes: Vec::new(),
    }
}

fn srm_test(scope: &str, observed: [u64; 3], p: f64, p_adjusted: f64, alpha: f64) -> SrmTest {
    let total: u64 = observed.iter().sum();
    #[allow(clippy::cast_precision_loss)]
    let expected = total as f64 / 3.0;
    SrmTest {
        scope: scope.to_string(),
        observed: observed.to_vec(),
        expected: vec![expected; 3],
        statistic: 1.234,
        df: 2.0,
        p_value: p,
        p_value_adjusted: p_adjusted,
        mismatch: p_adjusted < alpha,
    }
}

/// The readout of a three-arm experiment; `srm_bug` makes the SRM check fail and the decisions
/// don't-ship.
pub fn readout(srm_bug: bool) -> Readout {
    let mut watch = metric(
        "watch_hours",
        MetricKind::Mean,
        MetricRole::Primary,
        [12.345_6, 12.812_3, 12.401_1],
        [0.081_2, 0.080_9],
        [1.2e-8, 0.493_1],
    );
    watch.cap = Some(80.5);
    for c in &mut watch.comparisons {
        let unadjusted = estimate(c.absolute.estimate * 1.01, c.absolute.std_error * 1.25);
        c.adjustment = Some(Adjustment {
            covariates: vec!["pre_watch_hours".to_string()],
            theta: vec![0.612],
            variance_reduction: 0.36,
            r_squared: 0.36,
            unadjusted: unadjusted.clone(),
        });
        let mut uncapped = c.clone();
        uncapped.absolute = estimate(c.absolute.estimate * 1.05, c.absolute.std_error * 1.4);
        uncapped.adjustment = None;
        uncapped.p_value = (c.p_value * 4.0).min(1.0);
        uncapped.p_value_adjusted = (c.p_value_adjusted * 4.0).min(1.0);
        c.uncapped = Some(Box::new(uncapped));
    }
    watch.comparisons[0].true_effect = Some(0.45);
    watch.comparisons[1].true_effect = Some(0.3);
    watch
        .notes
        .push("412 units capped at 80.5 (p99 of pooled unit values)".to_string());

    let mut delay = metric(
        "play_delay_p90",
        MetricKind::Quantile,
        MetricRole::Guardrail,
        [1_843.0, 1_851.2, 2_010.7],
        [12.1, 12.4],
        [0.633, 3.1e-40],
    );
    delay.higher_is_better = false;
    for (c, (p, ok)) in delay
        .comparisons
        .iter_mut()
        .zip([(2.2e-9, true), (0.999_8, false)])
    {
        c.method = "quantile_outer_ci".to_string();
        c.df = None;
        c.p_value_adjusted = c.p_value;
        c.non_inferiority = Some(NonInferiority {
            margin: 0.05,
            p_value: p,
            non_inferior: ok,
        });
    }
    delay.comparisons[1].significant = true;
    for a in &mut delay.arms {
        a.n *= 31;
    }

    let mut retention = metric(
        "retention_d7",
        MetricKind::Retention,
        MetricRole::Guardrail,
        [0.612_3, 0.615_0, 0.609_9],
        [0.002_7, 0.002_7],
        [0.32, 0.37],
    );
    for c in &mut retention.comparisons {
        c.method = "z".to_string();
        c.df = None;
        c.p_value_adjusted = c.p_value;
        c.significant = false;
        c.non_inferiority = Some(NonInferiority {
            margin: 0.02,
            p_value: 1.4e-6,
            non_inferior: true,
        });
    }
    retention
        .notes
        .push("1,204 units excluded: day 7 had not matured by the end".to_string());

    let mut conversion = metric(
        "conversion",
        MetricKind::Proportion,
        MetricRole::Secondary,
        [0.081_2, 0.084_9, 0.079_0],
        [0.001_5, 0.001_5],
        [0.013_5, 0.142],
    );
    for c in &mut conversion.comparisons {
        c.method = "z".to_string();
        c.df = None;
    }

    let mut plays = metric(
        "plays_per_session",
        MetricKind::Ratio,
        MetricRole::Secondary,
        [2.413, 2.498, 2.420],
        [0.011, 0.011],
        [4.0e-14, 0.52],
    );
    for c in &mut plays.comparisons {
        c.method = "z_delta_ratio".to_string();
        c.df = None;
    }

    let mut revenue = metric(
        "revenue",
        MetricKind::Sum,
        MetricRole::Secondary,
        [3.05, 3.11, 2.99],
        [0.04, 0.04],
        [0.134, 0.133],
    );
    for a in &mut revenue.arms {
        #[allow(clippy::cast_precision_loss)]
        let total = a.value * a.n as f64;
        a.total = Some(total);
    }

    let alpha = 0.001;
    let overall = if srm_bug {
        srm_test("overall", [65_012, 64_877, 60_101], 2.1e-40, 2.1e-40, alpha)
    } else {
        srm_test("overall", [65_012, 64_877, 65_101], 0.52, 0.52, alpha)
    };
    let by_dimension = vec![
        srm_test("device=android", [30_001, 29_877, 30_120], 0.61, 1.0, alpha),
        if srm_bug {
            srm_test(
                "device=ios",
                [20_011, 20_100, 15_001],
                1.0e-31,
                6.0e-31,
                alpha,
            )
        } else {
            srm_test("device=ios", [20_011, 20_100, 20_001], 0.41, 1.0, alpha)
        },
        srm_test("device=tv", [15_000, 14_900, 14_980], 0.83, 1.0, alpha),
    ];
    let passed = !overall.mismatch && by_dimension.iter().all(|t| !t.mismatch);
    let srm = SrmReport {
        alpha,
        weights: vec![1.0 / 3.0; 3],
        overall,
        by_dimension,
        passed,
        notes: vec!["plan=family untested: expected 3.2 units in an arm, below 5".to_string()],
    };
    let decisions = if srm_bug {
        ["top_row", "personalized_row"]
            .iter()
            .map(|v| Decision {
                variant: (*v).to_string(),
                verdict: Verdict::DontShip,
                reasons: vec!["sample ratio mismatch: the readout is untrustworthy".to_string()],
            })
            .collect()
    } else {
        vec![
            Decision {
                variant: "top_row".to_string(),
                verdict: Verdict::Ship,
                reasons: vec![
                    "watch_hours +3.78% significant (p < 0.001)".to_string(),
                    "guardrails play_delay_p90, retention_d7 non-inferior".to_string(),
                ],
            },
            Decision {
                variant: "personalized_row".to_string(),
                verdict: Verdict::DontShip,
                reasons: vec!["guardrail play_delay_p90 significantly worse (+9.1%)".to_string()],
            },
        ]
    };
    let segment = |value: &str, scale: f64| SegmentReadout {
        dimension: "device".to_string(),
        value: value.to_string(),
        metrics: vec![metric(
            "watch_hours",
            MetricKind::Mean,
            MetricRole::Primary,
            [12.0 * scale, 12.5 * scale, 12.1 * scale],
            [0.15, 0.15],
            [0.001_2, 0.51],
        )],
    };
    Readout {
        experiment: "homepage-rec-row".to_string(),
        control: "control".to_string(),
        variants: vec![
            "control".to_string(),
            "top_row".to_string(),
            "personalized_row".to_string(),
        ],
        alpha: 0.05,
        correction: "holm".to_string(),
        monitoring: Default::default(),
        decision_rule: "ship when every primary is significant in its good direction and every \
                        guardrail is non-inferior; don't ship on SRM, a primary significantly \
                        bad or a guardrail significantly worse; otherwise inconclusive"
            .to_string(),
        trustworthy: passed,
        decisions,
        population: Population {
            assigned_units: 200_000,
            multiple_variant_units: 123,
            unexposed_units: 4_887,
            analysed_units: srm.overall.observed.clone(),
            duplicate_rows: vec![("viewing".to_string(), 1_234), ("sessions".to_string(), 0)],
        },
        srm,
        metrics: vec![watch, delay, retention, conversion, plays, revenue],
        segments: vec![segment("android", 1.0), segment("ios", 1.1)],
        notes: vec!["data cut-off 2026-03-08T00:00:00Z".to_string()],
    }
}

/// The readout with monitoring on: every comparison carries the anytime-valid test and the
/// Bayesian readout (values shaped like the real ones, not computed).
pub fn monitored(mut r: Readout) -> Readout {
    r.monitoring = Monitoring {
        sequential_tuning_n: Some(5000.0),
        bayesian_prior: Some(GaussianPrior::flat()),
    };
    for m in &mut r.metrics {
        for c in &mut m.comparisons {
            let widen = 1.6 * c.absolute.std_error;
            c.sequential = Some(SequentialReadout {
                method: "asymptotic confidence sequence, effect estimate".to_string(),
                p_value: (c.p_value * 4.0).min(1.0),
                ci: [c.absolute.ci[0] - widen, c.absolute.ci[1] + widen],
            });
            c.bayesian = Some(BayesianReadout {
                mean: c.relative.estimate,
                sd: c.relative.std_error,
                ci: c.relative.ci,
                chance_to_beat_control: 0.97,
                risk_ship: 0.000_4,
                risk_keep_control: 0.021,
            });
        }
    }
    r
}
