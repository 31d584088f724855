//! Contingency-table tests and multiple-testing adjustment against scipy/statsmodels references
//! (`tests/data/contingency.json`, written by `tests/reference/gen_contingency.py`).
#![allow(clippy::print_stdout)]

mod common;

use common::{assert_close, cases, num, nums};
use counterfact_stats::adjust::{AdjustMethod, adjust_p_values};
use counterfact_stats::contingency::{
    chi2_goodness_of_fit, chi2_independence, expected_frequencies, fisher_exact,
    g_test_goodness_of_fit, g_test_independence, srm_check, table_2x2,
};
use counterfact_stats::{Alternative, StatsError};
use serde_json::Value;

/// Closed forms: statistics and p-values agree with scipy to 1e-9 relative.
const TOL: f64 = 1e-9;
/// The conditional MLE odds ratio and its CI come from root finding on both sides (ours to
/// ~1e-15 in ln ψ; scipy's brentq with xtol = 1e-13 absolute in ψ on BiasedUrn sums accurate to
/// ~1e-12), so they are compared to 1e-6 relative; the largest difference seen is printed.
const ROOT_TOL: f64 = 1e-6;

fn table(v: &Value) -> Vec<Vec<f64>> {
    v.as_array().expect("table").iter().map(nums).collect()
}

fn of_kind(kind: &str) -> Vec<Value> {
    let all: Vec<Value> = cases("contingency")
        .into_iter()
        .filter(|c| c["kind"] == kind)
        .collect();
    assert!(!all.is_empty(), "no {kind} cases");
    all
}

#[test]
fn goodness_of_fit_matches_scipy() {
    for (kind, f) in [
        (
            "chi2-gof",
            chi2_goodness_of_fit as fn(&[f64], Option<&[f64]>) -> _,
        ),
        ("g-gof", g_test_goodness_of_fit),
    ] {
        for c in of_kind(kind) {
            let observed = nums(&c["observed"]);
            let weights = (!c["weights"].is_null()).then(|| nums(&c["weights"]));
            let ctx = format!("{kind} {observed:?} {weights:?}");
            let r = f(&observed, weights.as_deref()).expect(&ctx);
            assert_close(r.statistic, num(&c["statistic"]), TOL, &ctx);
            assert_close(r.p_value, num(&c["p_value"]), TOL, &ctx);
            assert_eq!(r.df, Some(num(&c["df"])), "{ctx}");
        }
    }
}

#[test]
fn independence_matches_scipy() {
    for (kind, f) in [
        (
            "chi2-independence",
            chi2_independence as fn(&[Vec<f64>], bool) -> _,
        ),
        ("g-independence", g_test_independence),
    ] {
        for c in of_kind(kind) {
            let t = table(&c["table"]);
            let correction = c["correction"].as_bool().expect("correction");
            let ctx = format!("{kind} {t:?} correction={correction}");
            let r = f(&t, correction).expect(&ctx);
            assert_close(r.statistic, num(&c["statistic"]), TOL, &ctx);
            assert_close(r.p_value, num(&c["p_value"]), TOL, &ctx);
            assert_eq!(r.df, Some(num(&c["df"])), "{ctx}");
            let expected = expected_frequencies(&t).expect(&ctx);
            for (got, want) in expected.iter().zip(table(&c["expected"])) {
                for (g, w) in got.iter().zip(want) {
                    assert_close(*g, w, TOL, &ctx);
                }
            }
        }
    }
}

#[test]
fn fisher_exact_matches_scipy_and_r() {
    let mut worst_root = 0.0_f64;
    for c in of_kind("fisher") {
        let t = table_2x2(&table(&c["table"])).expect("2x2");
        let alternative: Alternative = c["alternative"]
            .as_str()
            .expect("alt")
            .parse()
            .expect("alt");
        let confidence = if c["confidence"].is_null() {
            0.95
        } else {
            num(&c["confidence"])
        };
        let ctx = format!("fisher {t:?} {alternative}");
        let r = fisher_exact(&t, alternative, confidence).expect(&ctx);
        assert_close(r.statistic, num(&c["statistic"]), TOL, &ctx);
        assert_close(r.p_value, num(&c["p_value"]), TOL, &ctx);
        if c["odds_ratio_mle"].is_null() {
            assert!(r.estimate.is_none(), "{ctx}: empty margin has no estimate");
            continue;
        }
        let mle = r.estimate.expect("estimate");
        let ci = r.ci.expect("ci");
        let mut checks = vec![(mle, num(&c["odds_ratio_mle"]), "mle")];
        if !c["ci"].is_null() {
            checks.push((ci[0], num(&c["ci"][0]), "ci lo"));
            checks.push((ci[1], num(&c["ci"][1]), "ci hi"));
        }
        for (got, want, what) in checks {
            // brentq's absolute xtol = 1e-13 dominates for odds ratios below ~1e-7.
            let tol = ROOT_TOL.max(1e-12 / want.abs());
            assert_close(got, want, tol, &format!("{ctx} {what}"));
            if want.is_finite() && want.abs() >= 1e-3 {
                let e = common::rel_err(got, want);
                if e > 1e-9 {
                    println!("{ctx} {what}: {got:e} vs {want:e} ({e:e})");
                }
                worst_root = worst_root.max(e);
            }
        }
    }
    println!(
        "fisher: largest relative difference of CMLE odds ratio / CI (>= 1e-3) vs scipy: {worst_root:e}"
    );
}

#[test]
fn fisher_odds_ratios_match_40_digit_mpmath() {
    for c in of_kind("fisher-mpmath") {
        let t = table_2x2(&table(&c["table"])).expect("2x2");
        let confidence = num(&c["confidence"]);
        let ctx = format!("fisher {t:?} vs mpmath");
        let r = fisher_exact(&t, Alternative::TwoSided, confidence).expect(&ctx);
        let ci = r.ci.expect("ci");
        // Exact sums at 40 digits: our root finding reaches 1e-11 relative here.
        assert_close(
            r.estimate.expect("mle"),
            num(&c["odds_ratio_mle"]),
            TOL,
            &ctx,
        );
        assert_close(ci[0], num(&c["ci"][0]), 1e-11, &ctx);
        assert_close(ci[1], num(&c["ci"][1]), 1e-11, &ctx);
    }
}

#[test]
fn adjustments_match_statsmodels() {
    for c in of_kind("adjust") {
        let p = nums(&c["p"]);
        let method: AdjustMethod = c["method"]
            .as_str()
            .expect("method")
            .parse()
            .expect("method");
        let alpha = num(&c["alpha"]);
        let ctx = format!("{method} alpha={alpha} p={p:?}");
        let a = adjust_p_values(&p, method, alpha).expect(&ctx);
        for (got, want) in a.p_adjusted.iter().zip(nums(&c["p_adjusted"])) {
            // Identical arithmetic except the Benjamini-Yekutieli harmonic sum (numpy sums
            // pairwise), hence 1e-12 rather than exact equality.
            assert_close(*got, want, 1e-12, &ctx);
        }
        let reject: Vec<bool> = c["reject"]
            .as_array()
            .expect("reject")
            .iter()
            .map(|v| v.as_bool().expect("bool"))
            .collect();
        assert_eq!(a.reject, reject, "{ctx}");
    }
}

#[test]
fn srm_check_flags_a_point_three_percent_imbalance_at_a_million_units() {
    let check = srm_check(&[501_500.0, 498_500.0], None, 0.01).expect("srm");
    assert!(check.mismatch);
    assert_close(check.result.statistic, 9.0, TOL, "srm statistic");
    assert_close(
        check.residuals[0],
        1500.0 / 500_000_f64.sqrt(),
        TOL,
        "residual",
    );
    let fine = srm_check(&[500_100.0, 499_900.0], Some(&[1.0, 1.0]), 0.001).expect("srm");
    assert!(!fine.mismatch);
}

#[test]
fn bad_inputs_are_typed_errors() {
    assert!(matches!(
        chi2_goodness_of_fit(&[1.0, -2.0], None),
        Err(StatsError::InvalidArgument { .. })
    ));
    assert!(matches!(
        chi2_goodness_of_fit(&[0.0, 0.0], None),
        Err(StatsError::Degenerate(_))
    ));
    assert!(matches!(
        chi2_goodness_of_fit(&[1.0, 2.0], Some(&[1.0, 0.0])),
        Err(StatsError::InvalidArgument { .. })
    ));
    assert!(matches!(
        chi2_goodness_of_fit(&[1.0, 2.0], Some(&[1.0, 1.0, 1.0])),
        Err(StatsError::InvalidArgument { .. })
    ));
    assert!(matches!(
        chi2_goodness_of_fit(&[1.0, f64::NAN], None),
        Err(StatsError::NonFinite { .. })
    ));
    assert!(matches!(
        chi2_goodness_of_fit(&[], None),
        Err(StatsError::Empty { .. })
    ));
    assert!(matches!(
        srm_check(&[10.5, 10.0], None, 0.01),
        Err(StatsError::InvalidArgument { .. })
    ));
    assert!(matches!(
        chi2_independence(&[vec![1.0, 2.0], vec![3.0]], true),
        Err(StatsError::InvalidArgument { .. })
    ));
    assert!(matches!(
        chi2_independence(&[vec![1.0, 2.0], vec![0.0, 0.0]], true),
        Err(StatsError::Degenerate(_))
    ));
    assert!(matches!(
        g_test_independence(&[vec![1.0, 0.0], vec![3.0, 0.0]], false),
        Err(StatsError::Degenerate(_))
    ));
    assert!(matches!(
        chi2_independence(&[vec![1.0, -1.0], vec![3.0, 2.0]], false),
        Err(StatsError::InvalidArgument { .. })
    ));
    assert!(matches!(
        table_2x2(&[vec![1.0, 2.5], vec![3.0, 4.0]]),
        Err(StatsError::InvalidArgument { .. })
    ));
    assert!(matches!(
        table_2x2(&[vec![1.0, 2.0, 3.0], vec![3.0, 4.0, 5.0]]),
        Err(StatsError::InvalidArgument { .. })
    ));
    assert!(matches!(
        fisher_exact(&[[1, 2], [3, 4]], Alternative::TwoSided, 1.0),
        Err(StatsError::InvalidArgument { .. })
    ));
    assert!(matches!(
        fisher_exact(&[[u64::MAX, 2], [3, 4]], Alternative::TwoSided, 0.95),
        Err(StatsError::InvalidArgument { .. })
    ));
    for bad in [vec![], vec![0.1, 1.5], vec![0.1, f64::NAN], vec![-0.0001]] {
        assert!(
            adjust_p_values(&bad, AdjustMethod::Holm, 0.05).is_err(),
            "{bad:?}"
        );
    }
    assert!(adjust_p_values(&[0.1], AdjustMethod::Holm, 0.0).is_err());
    assert!("fdr_bh".parse::<AdjustMethod>().is_ok());
    assert!("sidak".parse::<AdjustMethod>().is_err());
}

#[test]
fn fisher_underflows_cleanly_beyond_double_range() {
    // The true p-value is far below the smallest double: it underflows to 0, never NaN.
    let r = fisher_exact(&[[2000, 10], [10, 2000]], Alternative::Greater, 0.95).expect("fisher");
    assert_eq!(r.p_value, 0.0);
    assert!(r.ci.expect("ci")[0].is_finite());
}
