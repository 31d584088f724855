//! `counterfact analyze SPEC.toml [--json] [--show-sql] [--partitions N]`: the readout of an
//! experiment from its spec and data (docs/experiment-spec.md, docs/readout.md).

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::engine;
use crate::progress::Progress;
use crate::render;

/// Arguments of `counterfact analyze`.
#[derive(Debug, Args)]
#[command(
    after_long_help = "The spec format is in docs/experiment-spec.md, the methods in \
                       docs/readout.md and the JSON tree in docs/readout-json.md.\n\nExit codes: \
                       0 readout produced and trustworthy, 1 readout untrustworthy (sample ratio \
                       mismatch: the decisions say don't ship), 2 bad input (the spec or the \
                       data; the message names the problem)."
)]
pub struct AnalyzeArgs {
    /// The experiment spec (TOML).
    #[arg(value_name = "SPEC.toml")]
    pub spec: PathBuf,
    /// Print the readout as JSON (docs/readout-json.md) instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Print the SQL of every stage before the readout (to stderr with --json).
    #[arg(long)]
    pub show_sql: bool,
    /// Partitions the query engine splits the work into; floating-point sums depend on it, so
    /// the default is fixed for reproducible readouts [default: 4].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub partitions: Option<u16>,
}

/// Runs `counterfact analyze`; `Ok(false)` when the readout is untrustworthy.
pub fn run(args: &AnalyzeArgs) -> Result<bool> {
    if args.show_sql {
        render::write_sql(&engine::explain(&args.spec)?, args.json)?;
    }
    let progress = Progress::new(!args.json);
    let readout = engine::readout(&args.spec, args.partitions.map(usize::from), &progress)?;
    progress.finish();
    render::print_readout(&readout, args.json)?;
    Ok(readout.trustworthy)
}
