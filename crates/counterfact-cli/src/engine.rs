//! The one place where the readout commands call the data layer and the analysis: running a
//! spec, showing its SQL, generating the demo and turning library errors into exit codes.

use std::path::Path;

use anyhow::Result;
use counterfact_data::demo::{DemoConfig, DemoError, TrueEffect};
use counterfact_models::readout::{Readout, ReadoutConfig, analyze, srm_report};

use crate::error::bad_input;
use crate::progress::Progress;

impl counterfact_data::Progress for Progress {
    fn stage(&self, name: &str) {
        Progress::stage(self, name);
    }

    fn done(&self) {}
}

/// Every error of the spec, the data or the analysis is bad input (exit code 2).
fn input_error(error: impl std::fmt::Display) -> anyhow::Error {
    bad_input(error.to_string())
}

/// A configuration the demo cannot generate is bad input; failing to write the files is not.
fn demo_error(error: DemoError) -> anyhow::Error {
    match error {
        DemoError::InvalidConfig(_) => bad_input(error.to_string()),
        other => anyhow::Error::new(other),
    }
}

/// The compiled SQL of every stage of the spec, without running it.
pub fn explain(spec: &Path) -> Result<String> {
    counterfact_data::explain_sql(spec).map_err(input_error)
}

/// Runs the spec's queries and the analysis.
pub fn readout(
    spec: &Path,
    partitions: Option<usize>,
    memory_limit: Option<usize>,
    progress: &Progress,
) -> Result<Readout> {
    let mut options = counterfact_data::EngineOptions {
        memory_limit,
        ..Default::default()
    };
    if let Some(partitions) = partitions {
        options.target_partitions = partitions;
    }
    let prepared =
        counterfact_data::prepare_readout_with(spec, &options, progress).map_err(input_error)?;
    progress.stage("analysis");
    let experiment = &prepared.spec.experiment;
    let config = ReadoutConfig {
        experiment: experiment.name.clone(),
        control: experiment.control.clone(),
        variants: prepared.variants.clone(),
        alpha: experiment.alpha,
        correction: experiment.correction.adjust_method(),
        monitoring: prepared.spec.monitoring.monitoring(),
    };
    let srm = srm_report(
        &prepared.variants,
        &prepared.weights,
        &prepared.srm_overall,
        &prepared.srm_by_dimension,
        experiment.srm_alpha,
    )
    .map_err(input_error)?;
    analyze(
        &config,
        &prepared.metrics,
        &prepared.segments,
        srm,
        prepared.population,
        prepared.notes,
    )
    .map_err(input_error)
}

/// Writes the demo data set and its spec (`experiment.toml`) into `dir`; returns the effects
/// built into the data.
pub fn generate_demo(
    members: u64,
    seed: u64,
    srm_bug: bool,
    dir: &Path,
    progress: &Progress,
) -> Result<Vec<TrueEffect>> {
    let config = DemoConfig {
        members,
        seed,
        srm_bug,
    };
    let report = |done: u64, total: u64| progress.counted("generate demo members", done, total);
    let manifest = counterfact_data::demo::generate(&config, dir, &report).map_err(demo_error)?;
    Ok(manifest.true_effects)
}

/// Copies the demo's true effects into the comparisons, matched by (metric, variant); the
/// uncapped comparison of a winsorized metric gets the effect named `<metric>_uncapped`.
pub fn attach_true_effects(readout: &mut Readout, effects: &[TrueEffect]) {
    let find = |metric: &str, variant: &str| {
        effects
            .iter()
            .find(|e| e.metric == metric && e.variant == variant)
            .map(|e| e.absolute)
    };
    for metric in &mut readout.metrics {
        let uncapped_name = format!("{}_uncapped", metric.name);
        for comparison in &mut metric.comparisons {
            comparison.true_effect = find(&metric.name, &comparison.variant);
            if let Some(uncapped) = comparison.uncapped.as_mut() {
                uncapped.true_effect = find(&uncapped_name, &comparison.variant);
            }
        }
    }
}
