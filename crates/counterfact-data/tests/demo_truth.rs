//! The demo's true effects against an independent reconstruction: with every arm given one
//! variant's effects, the written files hold every unit's potential outcomes under that
//! variant, so plain Rust arithmetic on the files (tests/demo_common) must give the
//! manifest's per-variant values; and arms with equal effects have a true effect of exactly 0.
#![allow(clippy::print_stdout)]

mod demo_common;

use std::path::PathBuf;

use counterfact_data::demo::{
    ArmEffects, DemoConfig, DemoManifest, generate, generate_with_effects,
};
use demo_common::{VARIANTS, observe, pooled_values, watch_cap};

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("counterfact-demo-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn value(m: &DemoManifest, metric: &str, variant: &str) -> f64 {
    m.true_values
        .iter()
        .find(|t| t.metric == metric && t.variant == variant)
        .unwrap_or_else(|| panic!("true value of {metric} for {variant}"))
        .value
}

const METRICS: [&str; 7] = [
    "watch_hours",
    "watch_hours_uncapped",
    "conversion",
    "plays_per_session",
    "play_delay_p90",
    "retention_d7",
    "sessions",
];

#[test]
fn true_values_match_files_generated_under_each_variant() {
    let config = DemoConfig {
        members: 20_000,
        seed: 7,
        srm_bug: false,
    };
    let dir = out_dir("truth-mixed");
    let manifest = generate(&config, &dir, &|_, _| {}).expect("demo");
    let mixed = observe(&dir);
    let cap = watch_cap(&mixed);
    // The cap of the capped estimand is the one the readout computes on the realized data.
    let manifest_cap = manifest.watch_hours_cap.expect("cap");
    assert!(
        (manifest_cap - cap).abs() <= 1e-12 * cap,
        "cap {manifest_cap} vs files {cap}"
    );
    for (v, variant) in VARIANTS.iter().enumerate() {
        let arms = [ArmEffects::DEMO[v]; 3];
        let forced_dir = out_dir(&format!("truth-{variant}"));
        generate_with_effects(&config, &arms, &forced_dir, &|_, _| {}).expect("forced demo");
        let forced = observe(&forced_dir);
        let got = pooled_values(&forced, &[0, 1, 2], manifest_cap);
        for metric in METRICS {
            let want = value(&manifest, metric, variant);
            let g = got[metric];
            println!("{variant:>16} {metric:>22}: truth {want:.9} files {g:.9}");
            // Sums of the same terms in another order: 1e-12 relative.
            assert!(
                (g - want).abs() <= 1e-12 * want.abs(),
                "{variant} {metric}: {g} vs {want}"
            );
        }
        std::fs::remove_dir_all(&forced_dir).expect("cleanup");
    }
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[test]
fn arms_with_equal_effects_have_exactly_zero_true_effect() {
    let config = DemoConfig {
        members: 5_000,
        seed: 11,
        srm_bug: false,
    };
    let cases = [
        [ArmEffects::NONE, ArmEffects::NONE, ArmEffects::DEMO[2]],
        [
            ArmEffects::DEMO[2],
            ArmEffects::DEMO[1],
            ArmEffects::DEMO[2],
        ],
    ];
    for (k, arms) in cases.iter().enumerate() {
        let dir = out_dir(&format!("aa-{k}"));
        let m = generate_with_effects(&config, arms, &dir, &|_, _| {}).expect("demo");
        let same = if k == 0 {
            "top_row"
        } else {
            "personalized_row"
        };
        let other = if k == 0 {
            "personalized_row"
        } else {
            "top_row"
        };
        for metric in METRICS {
            let effects: Vec<_> = m
                .true_effects
                .iter()
                .filter(|t| t.metric == metric)
                .collect();
            let e = effects.iter().find(|t| t.variant == same).expect("effect");
            assert_eq!((e.absolute, e.relative), (0.0, 0.0), "A/A {same} {metric}");
            assert!(
                effects.iter().any(|t| t.variant == other),
                "{metric} {other}"
            );
        }
        let nonzero = m
            .true_effects
            .iter()
            .filter(|t| t.variant == other && t.absolute != 0.0);
        assert!(nonzero.count() >= 5, "the real arm keeps its effects");
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
