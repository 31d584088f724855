//! Anytime-valid tests against reference values (tests/data/sequential.json, written by
//! tests/reference/gen_sequential.py): GrowthBook's asymptotic confidence sequence and the
//! normal-mixture mSPRT (closed forms, 1e-9 relative), Netflix savvi's Dirichlet-multinomial test
//! (1e-9 relative on the always-valid p-value, 1e-9 absolute on ln B), and published Lan-DeMets
//! boundaries (printed to 4 decimals with their own integration error: 2e-4 absolute) and
//! scipy's bivariate normal CDF for the first two looks (numerical integration: 1e-6 relative).

#![allow(clippy::print_stdout)]

mod common;

use common::{assert_close, cases, num, nums};
use counterfact_stats::Alternative;
use counterfact_stats::moments::Moments;
use counterfact_stats::sequential::group_sequential::{
    Spending, crossing_probabilities, inflation_factor, lan_demets_boundaries,
};
use counterfact_stats::sequential::mixture::{
    Metric, Mixing, MixtureSequentialTest, asymptotic_rho, mixture_test_from_estimate,
    mixture_test_from_moments,
};
use counterfact_stats::sequential::multinomial::{MultinomialSequentialTest, poisson_rate_test};
use serde_json::Value;

/// Closed forms agree with the reference to this relative tolerance.
const TOL: f64 = 1e-9;

fn family(name: &str) -> Vec<Value> {
    cases("sequential")
        .into_iter()
        .filter(|c| c["family"] == name)
        .collect()
}

fn arms(c: &Value) -> (Metric, Moments, Moments) {
    let n_t = c["n_t"].as_u64().unwrap();
    let n_c = c["n_c"].as_u64().unwrap();
    if c["metric"] == "mean" {
        let t = Moments::from_mean_sd(n_t, num(&c["mean_t"]), num(&c["sd_t"])).unwrap();
        let k = Moments::from_mean_sd(n_c, num(&c["mean_c"]), num(&c["sd_c"])).unwrap();
        (Metric::Mean, t, k)
    } else {
        let s_t = num(&c["successes_t"]);
        let s_c = num(&c["successes_c"]);
        let t = Moments::from_sums(n_t, s_t, s_t).unwrap();
        let k = Moments::from_sums(n_c, s_c, s_c).unwrap();
        (Metric::Proportion, t, k)
    }
}

#[test]
fn mixture_matches_gbstats_and_msprt_closed_form() {
    let all = family("mixture");
    assert_eq!(all.len(), 80);
    for c in &all {
        let id = c["id"].as_str().unwrap();
        let (metric, t, k) = arms(c);
        let mixing = if c["mixing"] == "asymptotic" {
            Mixing::Asymptotic {
                tuning_n: num(&c["tuning_n"]),
            }
        } else {
            Mixing::Msprt {
                tau2: num(&c["tau2"]),
            }
        };
        let r = mixture_test_from_moments(
            &t,
            &k,
            metric,
            mixing,
            num(&c["null_value"]),
            num(&c["alpha"]),
        )
        .unwrap();
        let ci = nums(&c["ci"]);
        assert_close(
            r.estimate,
            num(&c["estimate"]),
            TOL,
            &format!("{id} estimate"),
        );
        assert_close(r.cs_look[0], ci[0], TOL, &format!("{id} lo"));
        assert_close(r.cs_look[1], ci[1], TOL, &format!("{id} hi"));
        assert_close(r.p_value_look, num(&c["p_value"]), TOL, &format!("{id} p"));
        assert_close(r.e_value, num(&c["e_value"]), TOL, &format!("{id} e"));
        assert_eq!(r.cs, r.cs_look, "{id}: one look");
        assert_eq!(r.always_valid_p, r.p_value_look, "{id}: one look");
        // The same look from the estimate and its standard error (the readout's path).
        let e = mixture_test_from_estimate(
            r.estimate,
            r.std_error,
            [t.n, k.n],
            mixing,
            num(&c["null_value"]),
            num(&c["alpha"]),
            Alternative::TwoSided,
        )
        .unwrap();
        assert_close(e.cs_look[0], ci[0], TOL, &format!("{id} lo from estimate"));
        assert_close(e.cs_look[1], ci[1], TOL, &format!("{id} hi from estimate"));
        assert_close(
            e.p_value_look,
            num(&c["p_value"]),
            TOL,
            &format!("{id} p from estimate"),
        );
        assert_close(
            e.e_value,
            num(&c["e_value"]),
            TOL,
            &format!("{id} e from estimate"),
        );
    }
}

#[test]
fn gbstats_rho_at_default_tuning() {
    // sqrt((-2 ln 0.05 + ln(1 - 2 ln 0.05)) / 5000), evaluated with numpy.
    let l = -2.0 * 0.05f64.ln();
    let want = ((l + (l + 1.0).ln()) / 5000.0).sqrt();
    assert_close(asymptotic_rho(0.05, 5000.0).unwrap(), want, 1e-15, "rho");
}

#[test]
fn streaming_equals_one_shot_and_running_min() {
    let mut s =
        MixtureSequentialTest::new(Metric::Mean, Mixing::Msprt { tau2: 0.01 }, 0.0, 0.05).unwrap();
    let mut min_p: f64 = 1.0;
    let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::INFINITY);
    for i in 0..2000u32 {
        let x = f64::from(i % 7) * 0.3;
        let y = f64::from(i % 5) * 0.31;
        s.push_treatment(x).unwrap();
        s.push_control(y).unwrap();
        if i % 100 == 99 {
            let r = s.look();
            min_p = min_p.min(r.p_value_look);
            lo = lo.max(r.cs_look[0]);
            hi = hi.min(r.cs_look[1]);
            assert_eq!(r.always_valid_p, min_p);
            assert_eq!(r.cs, [lo, hi]);
        }
    }
    let r = s.result();
    assert_eq!(r.looks, 20);
    assert_eq!(r.n, [2000, 2000]);
    let json = serde_json::to_value(&r).unwrap();
    for key in ["estimate", "cs", "always_valid_p", "alpha", "n", "e_value"] {
        assert!(json.get(key).is_some(), "{key} in JSON");
    }
}

#[test]
fn multinomial_matches_savvi() {
    let all = family("multinomial");
    assert_eq!(all.len(), 5);
    for c in &all {
        let id = c["id"].as_str().unwrap();
        let theta0 = nums(&c["theta0"]);
        let mut t =
            MultinomialSequentialTest::new(&theta0, num(&c["k"]), num(&c["alpha"])).unwrap();
        let ps = nums(&c["always_valid_p"]);
        let lbf = nums(&c["ln_bayes_factor"]);
        for (j, b) in c["batches"].as_array().unwrap().iter().enumerate() {
            let counts: Vec<u64> = b
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap())
                .collect();
            if counts.iter().sum::<u64>() == 1 {
                let cat = counts.iter().position(|&x| x == 1).unwrap();
                t.push(cat).unwrap();
            } else {
                t.update(&counts).unwrap();
            }
            let r = t.result();
            assert!(
                (r.ln_bayes_factor - lbf[j]).abs() <= 1e-9 * lbf[j].abs().max(1.0),
                "{id} batch {j}: ln B {} vs {}",
                r.ln_bayes_factor,
                lbf[j]
            );
            assert_close(r.always_valid_p, ps[j], TOL, &format!("{id} batch {j} p"));
        }
    }
}

#[test]
fn poisson_rates_reduce_to_binomial() {
    let r = poisson_rate_test(130, 100, 1000.0, 1000.0, 100.0, 0.05).unwrap();
    let mut t = MultinomialSequentialTest::new(&[0.5, 0.5], 100.0, 0.05).unwrap();
    t.update(&[130, 100]).unwrap();
    assert_eq!(r, t.result());
    assert!(poisson_rate_test(1, 1, 0.0, 1.0, 100.0, 0.05).is_err());
}

#[test]
fn lan_demets_matches_published_tables() {
    let all = family("group_sequential");
    assert_eq!(all.len(), 3);
    for c in &all {
        let id = c["id"].as_str().unwrap();
        let spending = if c["spending"] == "pocock" {
            Spending::Pocock
        } else {
            Spending::OBrienFleming
        };
        let d = lan_demets_boundaries(&nums(&c["fractions"]), num(&c["alpha"]), spending).unwrap();
        // Exact first two looks from scipy's bivariate normal CDF (numerical integration: 1e-6).
        for (got, want) in d.boundaries.iter().zip(nums(&c["scipy_first_two"])) {
            assert_close(*got, want, 1e-6, &format!("{id} vs scipy"));
        }
        if !c["boundaries"].is_null() {
            let tol = num(&c["tol_abs"]);
            for (got, want) in d.boundaries.iter().zip(nums(&c["boundaries"])) {
                assert!((got - want).abs() <= tol, "{id}: {got} vs published {want}");
            }
        }
        // The design spends exactly alpha under the null (numerical integration: 1e-6).
        let (up, down) = crossing_probabilities(&d, 0.0).unwrap();
        let total: f64 = up.iter().chain(&down).sum();
        assert!((total - 0.05).abs() < 1e-6 * 0.05, "{id}: total {total}");
        for k in 0..up.len() {
            let want = d.cumulative_alpha[k]
                - if k == 0 {
                    0.0
                } else {
                    d.cumulative_alpha[k - 1]
                };
            assert!((up[k] + down[k] - want).abs() < 1e-9, "{id} look {k}");
        }
        println!("{id}: boundaries {:?}", d.boundaries);
    }
}

#[test]
fn inflation_factor_gives_the_power() {
    for spending in [Spending::OBrienFleming, Spending::Pocock] {
        let d = lan_demets_boundaries(&[0.2, 0.4, 0.6, 0.8, 1.0], 0.05, spending).unwrap();
        let r = inflation_factor(&d, 0.9).unwrap();
        let fixed = 1.959963984540054 + 1.2815515655446004;
        let (up, _) = crossing_probabilities(&d, fixed * r.sqrt()).unwrap();
        assert!((up.iter().sum::<f64>() - 0.9).abs() < 1e-8, "{spending:?}");
        // Jennison & Turnbull (2000) Table 2.3 gives 1.026 (O'Brien-Fleming) and 1.207 (Pocock)
        // for the classical designs; the Lan-DeMets versions spend alpha slightly differently.
        println!("{spending:?}: inflation factor {r}");
        assert!(r > 1.0 && r < 1.25);
    }
}

#[test]
fn one_look_fixed_design_is_the_z_test() {
    let d = lan_demets_boundaries(&[1.0], 0.05, Spending::Pocock).unwrap();
    assert_close(d.boundaries[0], 1.959963984540054, 1e-12, "z");
    let r = inflation_factor(&d, 0.8).unwrap();
    assert_close(r, 1.0, 1e-8, "inflation of a single look");
}

#[test]
fn bad_input_is_an_error() {
    assert!(
        MixtureSequentialTest::new(Metric::Mean, Mixing::Msprt { tau2: 0.0 }, 0.0, 0.05).is_err()
    );
    assert!(
        MixtureSequentialTest::new(
            Metric::Mean,
            Mixing::Asymptotic { tuning_n: -1.0 },
            0.0,
            0.05
        )
        .is_err()
    );
    assert!(
        MixtureSequentialTest::new(Metric::Mean, Mixing::Msprt { tau2: 1.0 }, 0.0, 1.0).is_err()
    );
    let mut p =
        MixtureSequentialTest::new(Metric::Proportion, Mixing::Msprt { tau2: 1.0 }, 0.0, 0.05)
            .unwrap();
    assert!(p.push_treatment(0.5).is_err());
    assert!(p.push_control(f64::NAN).is_err());
    let m = Moments::from_mean_sd(10, 1.0, 0.0).unwrap();
    assert!(
        mixture_test_from_moments(&m, &m, Metric::Mean, Mixing::Msprt { tau2: 1.0 }, 0.0, 0.05)
            .is_err()
    );
    let asymptotic = Mixing::Asymptotic { tuning_n: 5000.0 };
    for (estimate, se, n) in [
        (f64::NAN, 1.0, [10, 10]),
        (0.1, 0.0, [10, 10]),
        (0.1, f64::INFINITY, [10, 10]),
        (0.1, 1.0, [0, 10]),
    ] {
        assert!(
            mixture_test_from_estimate(
                estimate,
                se,
                n,
                asymptotic,
                0.0,
                0.05,
                Alternative::TwoSided
            )
            .is_err(),
            "{estimate} {se} {n:?}"
        );
    }
    assert!(MultinomialSequentialTest::new(&[0.5, 0.6], 100.0, 0.05).is_err());
    assert!(MultinomialSequentialTest::new(&[1.0], 100.0, 0.05).is_err());
    let mut t = MultinomialSequentialTest::new(&[0.5, 0.5], 100.0, 0.05).unwrap();
    assert!(t.push(2).is_err());
    assert!(t.update(&[1]).is_err());
    assert!(lan_demets_boundaries(&[0.5, 0.4, 1.0], 0.05, Spending::Pocock).is_err());
    assert!(lan_demets_boundaries(&[0.5], 0.05, Spending::Pocock).is_err());
    assert!(lan_demets_boundaries(&[], 0.05, Spending::Pocock).is_err());
}

#[test]
fn quantile_sequence_order_statistics() {
    use counterfact_stats::sequential::quantile::QuantileSequence;
    let mut q = QuantileSequence::new(0.5, 0.05, 100.0).unwrap();
    let xs: Vec<f64> = (1..=1000).map(f64::from).collect();
    q.extend(&xs).unwrap();
    let r = q.look();
    assert_eq!(r.estimate, 500.0);
    assert!(
        r.cs[0] < 500.0 && r.cs[1] > 500.0 && r.cs[0] > 400.0 && r.cs[1] < 600.0,
        "{:?}",
        r.cs
    );
    assert!(QuantileSequence::new(1.0, 0.05, 100.0).is_err());
    assert!(q.extend(&[f64::NAN]).is_err());
}

#[test]
fn rate_ratio_interval_matches_savvi() {
    let all = family("rate_ratio");
    assert_eq!(all.len(), 4);
    for c in &all {
        let id = c["id"].as_str().unwrap();
        let mut t =
            MultinomialSequentialTest::new(&nums(&c["theta0"]), num(&c["k"]), num(&c["alpha"]))
                .unwrap();
        let counts: Vec<u64> = c["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        t.update(&counts).unwrap();
        let cs = t.log_rate_ratio_cs().unwrap();
        // Exact roots (brentq): 1e-9 relative; savvi's cvxpy solution: 1e-5 absolute.
        let exact = nums(&c["cs"]);
        let savvi = nums(&c["savvi_cs"]);
        for j in 0..2 {
            assert_close(cs[j], exact[j], 1e-9, &format!("{id} end {j}"));
            assert!(
                (cs[j] - savvi[j]).abs() < 1e-5,
                "{id} end {j}: {} vs savvi {}",
                cs[j],
                savvi[j]
            );
        }
    }
    let mut one_sided = MultinomialSequentialTest::new(&[0.5, 0.5], 100.0, 0.05).unwrap();
    one_sided.update(&[0, 40]).unwrap();
    let cs = one_sided.log_rate_ratio_cs().unwrap();
    assert!(
        cs[0].is_finite() && cs[0] > 0.0 && cs[1] == f64::INFINITY,
        "{cs:?}"
    );
    let three = MultinomialSequentialTest::new(&[0.2, 0.3, 0.5], 100.0, 0.05).unwrap();
    assert!(three.log_rate_ratio_cs().is_err());
}
