//! One-sided anytime-valid mixture tests against mpmath (`tests/reference/gen_sequential_onesided.py`,
//! `tests/data/sequential_onesided.json`): the half-normal mSPRT (Howard et al. 2021, in confseq's
//! parametrization) and GrowthBook's one-sided asymptotic sequence; p-values, ln e-values and
//! one-sided confidence bounds within 1e-9 relative.

mod common;

use common::{assert_close, cases, num};
use counterfact_stats::moments::Moments;
use counterfact_stats::result::Alternative;
use counterfact_stats::sequential::mixture::{
    Metric, Mixing, MixtureSequentialTest, mixture_test_from_moments_with_alternative,
};
use serde_json::Value;

const TOL: f64 = 1e-9;

fn arms(c: &Value) -> (Metric, Moments, Moments) {
    let n_t = c["n_t"].as_u64().unwrap();
    let n_c = c["n_c"].as_u64().unwrap();
    if c["metric"] == "mean" {
        let t = Moments::from_mean_sd(n_t, num(&c["mean_t"]), num(&c["sd_t"])).unwrap();
        let k = Moments::from_mean_sd(n_c, num(&c["mean_c"]), num(&c["sd_c"])).unwrap();
        (Metric::Mean, t, k)
    } else {
        let (s_t, s_c) = (num(&c["successes_t"]), num(&c["successes_c"]));
        let t = Moments::from_sums(n_t, s_t, s_t).unwrap();
        let k = Moments::from_sums(n_c, s_c, s_c).unwrap();
        (Metric::Proportion, t, k)
    }
}

#[test]
fn one_sided_mixtures_match_mpmath() {
    let all = cases("sequential_onesided");
    assert_eq!(all.len(), 140);
    for c in &all {
        let id = c["id"].as_str().unwrap();
        let (metric, t, k) = arms(c);
        let mixing = if c["family"] == "growthbook" {
            Mixing::Asymptotic {
                tuning_n: num(&c["tuning_n"]),
            }
        } else {
            Mixing::Msprt {
                tau2: num(&c["tau2"]),
            }
        };
        let alternative = if c["alternative"] == "greater" {
            Alternative::Greater
        } else {
            Alternative::Less
        };
        let r = mixture_test_from_moments_with_alternative(
            &t,
            &k,
            metric,
            mixing,
            num(&c["null_value"]),
            num(&c["alpha"]),
            alternative,
        )
        .unwrap();
        assert_close(
            r.estimate,
            num(&c["estimate"]),
            TOL,
            &format!("{id} estimate"),
        );
        let bound = num(&c["bound"]);
        match alternative {
            Alternative::Greater => {
                assert_close(r.cs[0], bound, TOL, &format!("{id} lower bound"));
                assert_eq!(r.cs[1], f64::INFINITY);
            }
            _ => {
                assert_close(r.cs[1], bound, TOL, &format!("{id} upper bound"));
                assert_eq!(r.cs[0], f64::NEG_INFINITY);
            }
        }
        let want_p = num(&c["p_value"]);
        if want_p > 1e-300 {
            assert_close(r.p_value_look, want_p, TOL, &format!("{id} p"));
        } else {
            assert!(r.p_value_look < 1e-290, "{id} p {}", r.p_value_look);
        }
        let ln_e = num(&c["ln_e"]);
        if ln_e.is_finite() && r.e_value.is_finite() && r.e_value > 0.0 {
            let got = r.e_value.ln();
            assert!(
                (got - ln_e).abs() <= TOL * ln_e.abs().max(1.0),
                "{id} ln e: {got} vs {ln_e}"
            );
        } else if ln_e == f64::NEG_INFINITY {
            assert_eq!(r.e_value, 0.0, "{id}");
        }
    }
}

#[test]
fn one_sided_bound_is_tighter_than_two_sided() {
    let t = Moments::from_mean_sd(1000, 10.2, 3.0).unwrap();
    let k = Moments::from_mean_sd(1000, 10.0, 3.0).unwrap();
    for mixing in [
        Mixing::Msprt { tau2: 0.01 },
        Mixing::Asymptotic { tuning_n: 5000.0 },
    ] {
        let two = mixture_test_from_moments_with_alternative(
            &t,
            &k,
            Metric::Mean,
            mixing,
            0.0,
            0.05,
            Alternative::TwoSided,
        )
        .unwrap();
        let one = mixture_test_from_moments_with_alternative(
            &t,
            &k,
            Metric::Mean,
            mixing,
            0.0,
            0.05,
            Alternative::Greater,
        )
        .unwrap();
        assert!(
            one.cs[0] > two.cs[0],
            "{mixing:?}: {:?} vs {:?}",
            one.cs,
            two.cs
        );
        assert!(one.p_value_look < two.p_value_look, "{mixing:?}");
        assert_eq!(one.alternative, Alternative::Greater);
        // Evidence in the wrong direction never rejects.
        let less = MixtureSequentialTest::new(Metric::Mean, mixing, 0.0, 0.05)
            .unwrap()
            .with_alternative(Alternative::Less);
        let mut less = less;
        less.update(&t, &k).unwrap();
        assert!(less.look().p_value_look > 0.5, "{mixing:?}");
    }
}
