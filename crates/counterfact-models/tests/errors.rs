//! Bad input gives a typed error whose message names the metric and the variant (or covariate)
//! at fault.

use counterfact_models::ModelError;
use counterfact_models::readout::{
    ArmSums, ArmValues, MetricData, MetricDefinition, MetricInput, MetricKind, MetricRole,
    Population, ReadoutConfig, analyze, analyze_metric, parse_correction, srm_report,
};

fn def(kind: MetricKind, covariates: &[&str]) -> MetricDefinition {
    MetricDefinition {
        name: "watch_hours".to_string(),
        kind,
        role: MetricRole::Primary,
        higher_is_better: true,
        margin: None,
        quantile: None,
        covariates: covariates.iter().map(|s| s.to_string()).collect(),
    }
}

/// Sums of y = 1..=n (plus `shift`) and covariates x_j = (j + 1)·y + noise-free offsets.
fn arm(variant: &str, n: u64, shift: f64, p: usize) -> ArmSums {
    let ys: Vec<f64> = (1..=n).map(|i| i as f64 + shift + (i % 3) as f64).collect();
    let xs: Vec<Vec<f64>> = (0..p)
        .map(|j| (1..=n).map(|i| (i % (j + 4) as u64) as f64).collect())
        .collect();
    ArmSums {
        variant: variant.to_string(),
        n,
        sum_y: ys.iter().sum(),
        sum_yy: ys.iter().map(|y| y * y).sum(),
        sum_x: xs.iter().map(|x| x.iter().sum()).collect(),
        sum_xy: xs
            .iter()
            .map(|x| x.iter().zip(&ys).map(|(a, b)| a * b).sum())
            .collect(),
        sum_xx: (0..p * p)
            .map(|k| xs[k / p].iter().zip(&xs[k % p]).map(|(a, b)| a * b).sum())
            .collect(),
    }
}

fn sums(kind: MetricKind, covariates: &[&str], arms: Vec<ArmSums>) -> MetricInput {
    MetricInput {
        definition: def(kind, covariates),
        data: MetricData::Sums { arms },
        winsorized: None,
    }
}

fn err(input: &MetricInput) -> ModelError {
    analyze_metric(input, "control", 0.05).expect_err("must fail")
}

#[test]
fn arm_size_errors_name_metric_and_variant() {
    let e = err(&sums(
        MetricKind::Mean,
        &[],
        vec![arm("control", 10, 0.0, 0), arm("b", 0, 0.0, 0)],
    ));
    assert!(matches!(e, ModelError::EmptyArm { .. }), "{e}");
    assert!(e.to_string().contains("watch_hours") && e.to_string().contains("variant b"));
    let e = err(&sums(
        MetricKind::Mean,
        &[],
        vec![arm("control", 10, 0.0, 0), arm("b", 1, 0.0, 0)],
    ));
    assert!(matches!(e, ModelError::TooFew { n: 1, min: 2, .. }), "{e}");
}

#[test]
fn non_finite_missing_control_and_zero_variance() {
    let mut bad = arm("b", 10, 0.0, 0);
    bad.sum_yy = f64::NAN;
    let e = err(&sums(
        MetricKind::Mean,
        &[],
        vec![arm("control", 10, 0.0, 0), bad],
    ));
    assert!(matches!(e, ModelError::NonFinite { .. }), "{e}");
    assert!(e.to_string().contains("sum_yy"));
    let e = err(&sums(
        MetricKind::Mean,
        &[],
        vec![arm("a", 10, 0.0, 0), arm("b", 10, 0.0, 0)],
    ));
    assert!(matches!(e, ModelError::MissingControl { .. }), "{e}");
    let constant = |v: &str| ArmSums {
        variant: v.to_string(),
        n: 5,
        sum_y: 10.0,
        sum_yy: 20.0,
        sum_x: vec![],
        sum_xy: vec![],
        sum_xx: vec![],
    };
    let e = err(&sums(
        MetricKind::Proportion,
        &[],
        vec![constant("control"), constant("b")],
    ));
    assert!(matches!(e, ModelError::ZeroVariance { .. }), "{e}");
}

#[test]
fn collinear_covariates_are_named() {
    let mut c = arm("control", 50, 0.0, 2);
    let mut t = arm("b", 50, 1.0, 2);
    // Second covariate = 3 × the first: the within-arm cross-product matrix is singular.
    for a in [&mut c, &mut t] {
        a.sum_x[1] = 3.0 * a.sum_x[0];
        a.sum_xy[1] = 3.0 * a.sum_xy[0];
        a.sum_xx[1] = 3.0 * a.sum_xx[0];
        a.sum_xx[2] = 3.0 * a.sum_xx[0];
        a.sum_xx[3] = 9.0 * a.sum_xx[0];
    }
    let e = err(&sums(MetricKind::Mean, &["pre", "pre_x3"], vec![c, t]));
    match &e {
        ModelError::Singular { covariates, .. } => {
            assert_eq!(covariates, &["pre".to_string(), "pre_x3".to_string()]);
        }
        other => panic!("{other}"),
    }
    assert!(e.to_string().contains("watch_hours"), "{e}");
}

#[test]
fn shape_and_definition_errors() {
    let e = err(&sums(
        MetricKind::Ratio,
        &[],
        vec![arm("control", 10, 0.0, 0)],
    ));
    assert!(matches!(e, ModelError::Invalid { .. }), "{e}");
    let values = |v: &str| ArmValues {
        variant: v.to_string(),
        values: (0..20).map(f64::from).collect(),
        clusters: vec![],
    };
    let q = MetricInput {
        definition: def(MetricKind::Quantile, &[]),
        data: MetricData::Values {
            arms: vec![values("control"), values("b")],
        },
        winsorized: None,
    };
    assert!(err(&q).to_string().contains("quantile"));
    let mut g = sums(
        MetricKind::Mean,
        &[],
        vec![arm("control", 10, 0.0, 0), arm("b", 10, 1.0, 0)],
    );
    g.definition.role = MetricRole::Guardrail;
    assert!(err(&g).to_string().contains("margin"));
    assert!(analyze_metric(&g, "control", 1.5).is_err());
}

#[test]
fn readout_level_errors_and_segment_notes() {
    let variants = vec!["control".to_string(), "b".to_string(), "c".to_string()];
    let srm = srm_report(&variants, &[1.0, 1.0, 1.0], &[10, 10, 10], &[], 0.001).unwrap();
    let config = ReadoutConfig {
        experiment: "e".to_string(),
        control: "control".to_string(),
        variants: variants.clone(),
        alpha: 0.05,
        correction: parse_correction("benjamini-hochberg").unwrap(),
        monitoring: Default::default(),
    };
    let two_arms = sums(
        MetricKind::Mean,
        &[],
        vec![arm("control", 10, 0.0, 0), arm("b", 10, 1.0, 0)],
    );
    let e = analyze(
        &config,
        std::slice::from_ref(&two_arms),
        &[],
        srm.clone(),
        Population::default(),
        vec![],
    )
    .expect_err("variant c has no data");
    assert!(e.to_string().contains("variant c"), "{e}");
    let three = sums(
        MetricKind::Mean,
        &[],
        vec![
            arm("control", 10, 0.0, 0),
            arm("b", 10, 1.0, 0),
            arm("c", 10, 2.0, 0),
        ],
    );
    let segments = vec![("device".to_string(), "tv".to_string(), vec![two_arms])];
    let r = analyze(
        &config,
        &[three],
        &segments,
        srm,
        Population::default(),
        vec![],
    )
    .unwrap();
    assert_eq!(r.correction, "bh");
    assert!(r.segments[0].metrics.is_empty());
    assert!(
        r.notes.iter().any(|n| n.contains("device=tv")),
        "{:?}",
        r.notes
    );
    assert!(parse_correction("none").unwrap().is_none());
    assert!(parse_correction("sidak").is_err());
    let e = srm_report(&variants, &[1.0, -1.0, 1.0], &[10, 10, 10], &[], 0.001).unwrap_err();
    assert!(e.to_string().contains("weight of b"), "{e}");
}
