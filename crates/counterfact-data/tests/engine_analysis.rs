//! The engine's output feeds the readout analysis as is: prepare → SRM → analyze.

mod fixture;

use counterfact_data::{NoProgress, prepare_readout};
use counterfact_models::readout::{ReadoutConfig, analyze, srm_report};
use fixture::*;

#[test]
fn prepared_readout_analyzes() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_default(dir.path());
    let spec = format!(
        "{HEADER}{WATCH_HOURS}{}",
        r#"
[[metric]]
name = "plays_per_session"
kind = "ratio"
role = "secondary"
numerator = { table = "sessions", timestamp = "start", value = "plays" }
denominator = { table = "sessions", timestamp = "start", value = "1" }

[[metric]]
name = "sessions"
kind = "count"
role = "guardrail"
table = "sessions"
timestamp = "start"
margin = 0.5
"#
    );
    let path = write_spec(dir.path(), &spec);
    let p = prepare_readout(&path, &NoProgress).expect("prepare");
    let srm = srm_report(
        &p.variants,
        &p.weights,
        &p.srm_overall,
        &p.srm_by_dimension,
        p.spec.experiment.srm_alpha,
    )
    .expect("srm");
    let config = ReadoutConfig {
        experiment: p.spec.experiment.name.clone(),
        control: p.spec.experiment.control.clone(),
        variants: p.variants.clone(),
        alpha: p.spec.experiment.alpha,
        correction: p.spec.experiment.correction.adjust_method(),
        monitoring: p.spec.monitoring.monitoring(),
    };
    let readout = analyze(
        &config,
        &p.metrics,
        &p.segments,
        srm,
        p.population.clone(),
        p.notes.clone(),
    )
    .expect("analyze");
    assert_eq!(readout.metrics.len(), 3);
    let watch = &readout.metrics[0];
    assert_eq!(watch.arms[0].variant, "control");
    // Mean 3.5 / 3 in control, 4 / 3 in treatment (tolerance 1e-12 relative).
    assert!((watch.arms[0].value - 3.5 / 3.0).abs() < 1e-12);
    assert!((watch.arms[1].value - 4.0 / 3.0).abs() < 1e-12);
}
