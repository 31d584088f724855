//! `counterfact demo [--members N] [--seed S] [--srm-bug] [--out DIR] [--json]`: generates the
//! seeded demo experiment (known true effects) and prints its readout.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use counterfact_data::demo::DemoConfig;

use crate::commands::demo_units;
use crate::engine;
use crate::progress::Progress;
use crate::render;

/// Arguments of `counterfact demo`.
#[derive(Debug, Args)]
#[command(
    after_long_help = "The demo writes members, assignments, exposures, sessions, viewing and \
                       subscriptions tables with effects of known size, and experiment.toml \
                       beside them, then runs `counterfact analyze` on that spec and shows each \
                       true effect beside its estimate.\n\nExit codes: 0 readout trustworthy, 1 \
                       readout untrustworthy (always with --srm-bug), 2 bad input."
)]
pub struct DemoArgs {
    /// Members in the demo population.
    #[arg(long, value_name = "N", default_value_t = DemoConfig::default().members)]
    pub members: u64,
    /// Seed of the generator: the same seed gives the same data and readout.
    #[arg(long, default_value_t = DemoConfig::default().seed)]
    pub seed: u64,
    /// Break the exposure logging of one arm on one device, so the sample ratio check fails.
    #[arg(long)]
    pub srm_bug: bool,
    /// Directory to write the data, experiment.toml and units.parquet (the analysed units, for
    /// `counterfact check`) into; kept [default: a temporary directory, deleted afterwards].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Print the readout as JSON (docs/readout-json.md) instead of tables.
    #[arg(long)]
    pub json: bool,
}

/// Runs `counterfact demo`; `Ok(false)` when the readout is untrustworthy.
pub fn run(args: &DemoArgs) -> Result<bool> {
    let temporary;
    let dir = match &args.out {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating --out directory {}", dir.display()))?;
            dir.clone()
        }
        None => {
            temporary = tempfile::Builder::new()
                .prefix("counterfact-demo-")
                .tempdir()
                .context("creating a temporary directory for the demo data")?;
            temporary.path().to_path_buf()
        }
    };
    let progress = Progress::new(!args.json);
    let effects = engine::generate_demo(args.members, args.seed, args.srm_bug, &dir, &progress)?;
    let spec = dir.join("experiment.toml");
    let mut readout = engine::readout(&spec, None, None, &progress)?;
    engine::attach_true_effects(&mut readout, &effects);
    if args.out.is_some() {
        progress.stage("unit table for counterfact check");
        demo_units::write_units(&dir, &readout.experiment)?;
    }
    progress.finish();
    if args.out.is_some() && !args.json {
        // Where the data went is worth saying; stderr keeps stdout the readout alone.
        let _ = writeln!(
            std::io::stderr(),
            "demo data and spec written to {}; rerun with: counterfact analyze {}; \
             randomization checks: counterfact check --data {} (see docs/checks.md)",
            dir.display(),
            spec.display(),
            dir.join(demo_units::UNITS_FILE).display()
        );
    }
    render::print_readout(&readout, args.json)?;
    Ok(readout.trustworthy)
}
