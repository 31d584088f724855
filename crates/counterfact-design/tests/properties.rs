//! Property tests: the wildcard matcher agrees with the `regex` crate, ramps and coverage
//! increases only ever add units, and no public entry point panics on arbitrary input.
#![allow(clippy::print_stdout)]

use counterfact_design::pattern::Pattern;
use counterfact_design::targeting::Rule;
use counterfact_design::{
    Allocation, Assigner, Assignment, DesignSpec, ExperimentSpec, HashScheme, ramp_weights,
};
use proptest::prelude::*;

/// A pattern element: atom 'a', 'b' or '.', optionally starred.
fn element() -> impl Strategy<Value = (char, bool)> {
    (prop_oneof![Just('a'), Just('b'), Just('.')], any::<bool>())
}

fn render(elements: &[(char, bool)]) -> String {
    elements
        .iter()
        .map(|&(c, star)| if star { format!("{c}*") } else { c.to_string() })
        .collect()
}

fn scheme() -> impl Strategy<Value = HashScheme> {
    prop_oneof![
        Just(HashScheme::Fast),
        Just(HashScheme::GrowthBookV1),
        Just(HashScheme::GrowthBookV2),
        Just(HashScheme::PlanOut),
    ]
}

fn two_arm(scheme: HashScheme, salt: &str, weights: [f64; 2], coverage: f64) -> Assigner {
    let mut e = ExperimentSpec::new(
        "ramp",
        salt,
        vec!["control".into(), "treatment".into()],
        Some(weights.to_vec()),
    );
    e.coverage = Some(coverage);
    Assigner::new(&DesignSpec::single(scheme, e), &[]).unwrap()
}

fn variant(a: &Assigner, unit: &str) -> Option<usize> {
    match a.assign(unit, &[])[0] {
        Assignment::Variant { variant, .. } => Some(variant),
        Assignment::Excluded(_) => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    /// 10,000 generated (pattern, text) pairs: full-string `.`/`*` matching equals the regex
    /// `(?s)^(?:pattern)$`.
    #[test]
    fn matcher_agrees_with_regex(
        elements in proptest::collection::vec(element(), 0..8),
        text in "[ab]{0,12}",
    ) {
        let pattern = render(&elements);
        let ours = Pattern::new(&pattern).unwrap().matches(&text);
        let regex = regex::Regex::new(&format!("(?s)^(?:{pattern})$")).unwrap();
        prop_assert_eq!(ours, regex.is_match(&text), "pattern {:?} text {:?}", pattern, text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// A ramp from share s1 to s2 > s1 (e.g. 10% → 50%) keeps every treated unit in treatment.
    #[test]
    fn ramp_keeps_treated_units(
        scheme in scheme(),
        salt in "[a-z0-9]{0,10}",
        s1 in 0.0f64..1.0,
        grow in 0.0f64..1.0,
        units in proptest::collection::vec("[a-zA-Z0-9_-]{1,16}", 1..200),
    ) {
        let s2 = s1 + grow * (1.0 - s1);
        let before = two_arm(scheme, &salt, ramp_weights(s1).unwrap(), 1.0);
        let after = two_arm(scheme, &salt, ramp_weights(s2).unwrap(), 1.0);
        for u in &units {
            if variant(&before, u) == Some(1) {
                prop_assert_eq!(variant(&after, u), Some(1), "unit {} at {} -> {}", u, s1, s2);
            }
        }
    }

    /// Raising GrowthBook-style coverage keeps every enrolled unit in its variant.
    #[test]
    fn coverage_increase_keeps_variants(
        scheme in scheme(),
        salt in "[a-z0-9]{0,10}",
        w in 0.0f64..1.0,
        c1 in 0.0f64..1.0,
        grow in 0.0f64..1.0,
        units in proptest::collection::vec("[a-zA-Z0-9_-]{1,16}", 1..200),
    ) {
        let c2 = c1 + grow * (1.0 - c1);
        let weights = [1.0 - w, w];
        let before = two_arm(scheme, &salt, weights, c1);
        let after = two_arm(scheme, &salt, weights, c2);
        for u in &units {
            if let Some(v) = variant(&before, u) {
                prop_assert_eq!(variant(&after, u), Some(v));
            }
        }
    }

    /// Parsing, compiling and evaluating arbitrary rules and patterns never panics.
    #[test]
    fn rules_never_panic(rule in "\\PC{0,40}", value in "\\PC{0,10}") {
        if let Ok(r) = Rule::parse(&rule) {
            let names = r.attributes();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let values = vec![Some(value.as_str()); names.len()];
            let compiled = r.compile(&names).unwrap();
            let _ = compiled.matches(&values);
            let _ = compiled.matches(&[]);
        }
        if let Ok(p) = Pattern::new(&rule) {
            let _ = p.matches(&value);
        }
    }

    /// Arbitrary weights and coverage give an allocation or an error, never a panic, and
    /// every valid allocation's ranges lie inside [0, 1].
    #[test]
    fn allocation_never_panics(
        weights in proptest::collection::vec(prop_oneof![
            any::<f64>(), 0.0f64..100.0, Just(0.0), Just(f64::NAN), Just(f64::INFINITY)
        ], 0..6),
        coverage in prop_oneof![any::<f64>(), 0.0f64..=1.0],
        bucket in 0.0f64..=1.0,
    ) {
        if let Ok(a) = Allocation::new(&weights, coverage) {
            for r in a.ranges() {
                prop_assert!(r.lo >= 0.0 && r.lo <= r.hi && r.hi <= 1.0 + 1e-12, "{:?}", r);
            }
            let _ = a.choose(bucket);
        }
    }
}

#[test]
fn invalid_patterns_never_silently_mismatch() {
    for p in ["*", "*a", "a**", "ab\\", "**"] {
        assert!(Pattern::new(p).is_err(), "{p}");
        assert!(Rule::parse(&format!("x ~ '{p}'")).is_err(), "{p}");
    }
}

#[test]
fn matcher_is_quadratic_not_exponential() {
    let text = "a".repeat(20_000);
    let pattern = Pattern::new(&format!("{}b", "a*".repeat(500))).unwrap();
    let start = std::time::Instant::now();
    assert!(!pattern.matches(&text));
    let elapsed = start.elapsed();
    println!("20,000 chars x 1,001 elements: {elapsed:?}");
    assert!(elapsed.as_secs_f64() < 5.0);
}
