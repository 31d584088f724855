//! The Dirichlet-multinomial test with three or more categories (Lindon & Malek 2022) against
//! savvi 0.3.1 and exact (mpmath) interval ends (`tests/reference/gen_sequential_multinomial.py`,
//! `tests/data/sequential_multinomial.json`).

mod common;

use common::{assert_close, cases, num, nums};
use counterfact_stats::sequential::multinomial::MultinomialSequentialTest;
use serde_json::Value;

fn family(name: &str) -> Vec<Value> {
    cases("sequential_multinomial")
        .into_iter()
        .filter(|c| c["family"] == name)
        .collect()
}

fn counts(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect()
}

#[test]
fn streams_match_savvi() {
    let all = family("stream");
    assert_eq!(all.len(), 6);
    for c in &all {
        let id = c["id"].as_str().unwrap();
        let theta0 = nums(&c["theta0"]);
        assert!(theta0.len() >= 3, "{id}");
        let mut t =
            MultinomialSequentialTest::new(&theta0, num(&c["k"]), num(&c["alpha"])).unwrap();
        let p = nums(&c["always_valid_p"]);
        let lb = nums(&c["ln_bayes_factor"]);
        for (i, b) in c["batches"].as_array().unwrap().iter().enumerate() {
            t.update(&counts(b)).unwrap();
            let r = t.result();
            // ln B: 1e-9 relative, or 1e-9 absolute where |ln B| < 1 (a difference of ln Γ).
            let err = (r.ln_bayes_factor - lb[i]).abs();
            assert!(
                err <= 1e-9 * lb[i].abs().max(1.0),
                "{id} batch {i}: ln B {} vs {}",
                r.ln_bayes_factor,
                lb[i]
            );
            assert_close(r.always_valid_p, p[i], 1e-9, &format!("{id} batch {i} p"));
        }
    }
}

#[test]
fn probability_intervals_match_exact_ends_and_savvi() {
    let all = family("probability_cs");
    assert_eq!(all.len(), 6);
    for c in &all {
        let mut t =
            MultinomialSequentialTest::new(&nums(&c["theta0"]), num(&c["k"]), num(&c["alpha"]))
                .unwrap();
        t.update(&counts(&c["counts"])).unwrap();
        let got = t.probability_cs();
        let exact = c["cs"].as_array().unwrap();
        let savvi = c["savvi_cs"].as_array().unwrap();
        for (i, g) in got.iter().enumerate() {
            let (e, s) = (nums(&exact[i]), nums(&savvi[i]));
            for j in 0..2 {
                let ctx = format!("counts {} category {i} end {j}", c["counts"]);
                // Exact ends: 1e-9 relative (absolute at 0).
                assert!(
                    (g[j] - e[j]).abs() <= 1e-9 * e[j].abs().max(1e-300) || g[j] == e[j],
                    "{ctx}: {} vs {}",
                    g[j],
                    e[j]
                );
                // savvi's cvxpy solution is accurate to ~1e-7.
                assert!(
                    (g[j] - s[j]).abs() <= 1e-6,
                    "{ctx} savvi: {} vs {}",
                    g[j],
                    s[j]
                );
            }
        }
        let run = t.look_probability_cs().to_vec();
        assert_eq!(run, got);
    }
}

#[test]
fn probability_intervals_before_data_are_the_unit_interval() {
    let mut t = MultinomialSequentialTest::new(&[0.2, 0.3, 0.5], 100.0, 0.05).unwrap();
    assert_eq!(t.probability_cs(), vec![[0.0, 1.0]; 3]);
    t.push(2).unwrap();
    for ci in t.look_probability_cs() {
        assert!(0.0 <= ci[0] && ci[0] <= ci[1] && ci[1] <= 1.0, "{ci:?}");
    }
}
