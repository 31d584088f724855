//! Adjustments of the power analysis by their closed forms (CUPED, cluster design effect,
//! sequential inflation, several arms, duration, relative effects, ratio metrics), power
//! curves, and the errors for impossible inputs. Tolerances are stated per assertion.

use counterfact_design::DesignError;
use counterfact_design::power::{
    Correction, CurveAxis, Metric, PowerSpec, ProportionMethod, Sequential, TestKind, Unknown,
    power_curve, solve,
};
use counterfact_stats::Alternative;
use counterfact_stats::dist::normal::std_normal_quantile;

fn close(got: f64, want: f64, tol: f64, ctx: &str) {
    let e = ((got - want) / want).abs();
    assert!(e <= tol, "{ctx}: got {got}, want {want}, rel err {e:e}");
}

fn means() -> PowerSpec {
    let mut s = PowerSpec::new(Metric::Means {
        sd: 2.0,
        mean: Some(10.0),
    });
    s.alpha = Some(0.05);
    s.power = Some(0.8);
    s.effect = Some(0.5);
    s
}

/// One-sided z-test n per arm: 2 (z₁₋α + z_power)² σ² / Δ² (exact).
fn z_n(alpha: f64, power: f64, sd: f64, delta: f64) -> f64 {
    let z = std_normal_quantile(1.0 - alpha) + std_normal_quantile(power);
    2.0 * z * z * sd * sd / (delta * delta)
}

#[test]
fn z_sample_size_matches_closed_form() {
    let mut s = means();
    s.alternative = Alternative::Greater;
    let r = solve(&s, Unknown::N).unwrap();
    close(r.n_control, z_n(0.05, 0.8, 2.0, 0.5), 1e-12, "n");
    close(r.n_total, 2.0 * r.n_control, 1e-15, "total");
    close(r.standardized_effect.unwrap(), 0.25, 1e-15, "d");
    close(r.relative_effect.unwrap(), 0.05, 1e-15, "relative");
}

#[test]
fn cuped_cluster_and_sequential_scale_n() {
    let base = solve(&means(), Unknown::N).unwrap().n_control;
    let mut s = means();
    s.cuped_rho = 0.6;
    close(
        solve(&s, Unknown::N).unwrap().n_control,
        base * 0.64,
        1e-12,
        "cuped",
    );
    let mut s = means();
    s.cluster_size = 11.0;
    s.icc = 0.02;
    let r = solve(&s, Unknown::N).unwrap();
    close(r.n_control, base * 1.2, 1e-12, "cluster");
    close(
        r.clusters_control.unwrap(),
        base * 1.2 / 11.0,
        1e-12,
        "clusters",
    );
    let mut s = means();
    s.sequential = Sequential::OBrienFleming { looks: 5 };
    close(
        solve(&s, Unknown::N).unwrap().n_control,
        base * 1.028,
        1e-12,
        "obf",
    );
    s.sequential = Sequential::Pocock { looks: 2 };
    s.power = Some(0.9);
    let mut plain = means();
    plain.power = Some(0.9);
    let base90 = solve(&plain, Unknown::N).unwrap().n_control;
    close(
        solve(&s, Unknown::N).unwrap().n_control,
        base90 * 1.100,
        1e-12,
        "pocock",
    );
    s.sequential = Sequential::Factor { factor: 1.3 };
    close(
        solve(&s, Unknown::N).unwrap().n_control,
        base90 * 1.3,
        1e-12,
        "factor",
    );
    s.sequential = Sequential::Pocock { looks: 7 };
    assert!(solve(&s, Unknown::N).is_err());
}

#[test]
fn arms_use_bonferroni_and_count_every_arm() {
    let mut s = means();
    s.arms = 4;
    s.ratio = 2.0;
    let r = solve(&s, Unknown::N).unwrap();
    let mut single = means();
    single.alpha = Some(0.05 / 3.0);
    single.ratio = 2.0;
    let one = solve(&single, Unknown::N).unwrap();
    close(r.n_control, one.n_control, 1e-12, "bonferroni n");
    close(
        r.alpha_per_comparison,
        0.05 / 3.0,
        1e-15,
        "alpha per comparison",
    );
    close(r.n_total, r.n_control * (1.0 + 3.0 * 2.0), 1e-15, "total");
    s.correction = Correction::None;
    let unc = solve(&s, Unknown::N).unwrap();
    assert!(unc.n_control < r.n_control);
}

#[test]
fn duration_from_traffic_and_share() {
    let mut s = means();
    s.daily_traffic = Some(1000.0);
    s.share = 0.25;
    let r = solve(&s, Unknown::N).unwrap();
    let ceil_total = 2.0 * r.n_control.ceil();
    close(r.n_total_ceil, ceil_total, 0.0, "ceil");
    close(r.duration_days.unwrap(), ceil_total / 250.0, 1e-15, "days");
    s.daily_traffic = Some(-5.0);
    assert!(matches!(
        solve(&s, Unknown::N),
        Err(DesignError::InvalidArgument { .. })
    ));
}

#[test]
fn relative_effect_and_ratio_metric() {
    let mut s = means();
    s.alternative = Alternative::Greater;
    s.relative = true;
    s.effect = Some(0.05);
    close(
        solve(&s, Unknown::N).unwrap().n_control,
        z_n(0.05, 0.8, 2.0, 0.5),
        1e-12,
        "relative",
    );
    s.n = Some(300.0);
    let mde = solve(&s, Unknown::Mde).unwrap();
    close(
        mde.relative_effect.unwrap(),
        mde.effect / 10.0,
        1e-15,
        "rel mde",
    );

    let (mn, md, vn, vd, cov) = (3.0, 2.0, 4.0, 1.5, 1.2);
    let ratio = mn / md;
    let var = (vn - 2.0 * ratio * cov + ratio * ratio * vd) / (md * md);
    let mut r = means();
    r.metric = Metric::Ratio {
        mean_num: mn,
        mean_den: md,
        var_num: vn,
        var_den: vd,
        cov,
    };
    r.effect = Some(0.05);
    let mut m = means();
    m.metric = Metric::Means {
        sd: var.sqrt(),
        mean: None,
    };
    m.effect = Some(0.05);
    close(
        solve(&r, Unknown::N).unwrap().n_control,
        solve(&m, Unknown::N).unwrap().n_control,
        1e-13,
        "ratio = means with delta-method sd",
    );
}

#[test]
fn t_test_needs_more_units_than_z() {
    let mut s = means();
    let z = solve(&s, Unknown::N).unwrap();
    s.test = TestKind::T;
    let t = solve(&s, Unknown::N).unwrap();
    assert!(t.n_control > z.n_control && t.n_control < z.n_control + 2.0);
    close(t.df.unwrap(), 2.0 * t.n_control - 2.0, 1e-14, "df");
}

#[test]
fn curve_is_monotone_and_hits_the_solution() {
    let s = means();
    let r = solve(&s, Unknown::N).unwrap();
    let ns: Vec<f64> = (1..=8).map(|i| r.n_control * f64::from(i) / 4.0).collect();
    let pts = power_curve(&s, &CurveAxis::Ns(ns)).unwrap();
    close(pts[3].power, 0.8, 1e-10, "curve at solved n");
    assert!(pts.windows(2).all(|w| w[1].power > w[0].power));
    let mut s2 = means();
    s2.n = Some(r.n_control);
    let effects: Vec<f64> = (1..=8).map(|i| 0.125 * f64::from(i)).collect();
    let pts = power_curve(&s2, &CurveAxis::Effects(effects)).unwrap();
    close(pts[3].power, 0.8, 1e-10, "curve at effect 0.5");
    assert!(pts.windows(2).all(|w| w[1].power > w[0].power));
}

#[test]
fn impossible_inputs_are_errors() {
    let mut s = means();
    s.power = Some(0.04);
    assert!(solve(&s, Unknown::N).is_err(), "power ≤ α");
    let mut s = means();
    s.effect = Some(0.0);
    assert!(solve(&s, Unknown::N).is_err(), "zero effect");
    let mut s = means();
    s.alternative = Alternative::Greater;
    s.effect = Some(-0.5);
    assert!(solve(&s, Unknown::N).is_err(), "wrong sign");
    for b in [0.0, 1.0, -0.2, f64::NAN] {
        let mut p = PowerSpec::new(Metric::Proportions {
            baseline: b,
            method: ProportionMethod::Arcsine,
        });
        p.alpha = Some(0.05);
        p.power = Some(0.8);
        p.effect = Some(0.01);
        assert!(solve(&p, Unknown::N).is_err(), "baseline {b}");
    }
    let mut p = PowerSpec::new(Metric::Proportions {
        baseline: 0.95,
        method: ProportionMethod::Unpooled,
    });
    p.alpha = Some(0.05);
    p.power = Some(0.8);
    p.effect = Some(0.1);
    assert!(solve(&p, Unknown::N).is_err(), "p2 ≥ 1");
    p.n = Some(10.0);
    assert!(solve(&p, Unknown::Mde).is_err(), "no MDE below 1 at n = 10");
    let mut s = means();
    s.alpha = Some(1.5);
    assert!(solve(&s, Unknown::N).is_err(), "alpha");
    let mut s = means();
    s.arms = 1;
    assert!(solve(&s, Unknown::N).is_err(), "arms");
    let s = means();
    assert!(solve(&s, Unknown::Power).is_err(), "n missing");
    let mut s = means();
    s.cuped_rho = 1.0;
    assert!(solve(&s, Unknown::N).is_err(), "rho = 1");
}

#[test]
fn spec_round_trips_through_json() {
    let mut s = means();
    s.sequential = Sequential::Pocock { looks: 3 };
    s.alternative = Alternative::Less;
    let text = serde_json::to_string(&s).unwrap();
    let back: PowerSpec = serde_json::from_str(&text).unwrap();
    assert_eq!(s, back);
    let parsed: PowerSpec = serde_json::from_str(
        r#"{"metric": {"kind": "proportions", "baseline": 0.1, "method": "arcsine"},
            "alternative": "larger", "alpha": 0.05, "power": 0.8, "effect": 0.02}"#,
    )
    .unwrap();
    assert_eq!(parsed.alternative, Alternative::Greater);
    assert!(solve(&parsed, Unknown::N).is_ok());
}
