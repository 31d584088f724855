//! The demo's own spec runs through the SQL engine, and the engine counts the population and
//! computes the watch-hours cap exactly as the demo manifest states.

use counterfact_data::demo::{DemoConfig, generate};
use counterfact_data::{NoProgress, prepare_readout};
use counterfact_models::readout::MetricData;

#[test]
fn engine_reads_the_demo_and_agrees_with_the_manifest() {
    let dir = std::env::temp_dir().join(format!("counterfact-demo-{}-engine", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let m = generate(
        &DemoConfig {
            members: 20_000,
            seed: 4,
            srm_bug: false,
        },
        &dir,
        &|_, _| {},
    )
    .expect("demo");
    let prepared = prepare_readout(&dir.join("experiment.toml"), &NoProgress).expect("readout");
    let p = &prepared.population;
    assert_eq!(p.assigned_units, m.population.assigned_units);
    assert_eq!(
        p.multiple_variant_units,
        m.population.multiple_variant_units
    );
    assert_eq!(p.unexposed_units, m.population.unexposed_units);
    assert_eq!(p.analysed_units, m.population.analysed_units);
    let watch = &prepared.metrics[0];
    assert_eq!(watch.definition.name, "watch_hours");
    let cap = watch.winsorized.as_ref().expect("winsorized").cap;
    let want = m.watch_hours_cap.expect("cap");
    // The same p99 of per-unit sums computed in another order: 1e-12 relative.
    assert!(
        (cap - want).abs() <= 1e-12 * want,
        "engine cap {cap} vs manifest {want}"
    );
    let units = m
        .true_values
        .iter()
        .find(|t| t.metric == "watch_hours")
        .expect("units")
        .units;
    let MetricData::Sums { arms } = &watch.data else {
        panic!("sums")
    };
    assert_eq!(arms.iter().map(|a| a.n).sum::<u64>(), units);
    std::fs::remove_dir_all(&dir).expect("cleanup");
}
