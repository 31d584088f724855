//! `counterfact analyze SPEC.toml [--json] [--show-sql] [--partitions N] [--memory-limit SIZE]`:
//! the readout of an experiment from its spec and data (docs/experiment-spec.md,
//! docs/readout.md).

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
    /// Memory the query engine may hold (e.g. 4G, 512M, or bytes); larger aggregations spill
    /// to the temporary directory [default: no limit].
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub memory_limit: Option<usize>,
}

/// A byte count with an optional binary suffix: K, M, G or T (powers of 1024).
fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let (digits, shift) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let shift = match c.to_ascii_uppercase() {
                'K' => 10,
                'M' => 20,
                'G' => 30,
                'T' => 40,
                _ => return Err(format!("unknown size suffix {c:?} (use K, M, G or T)")),
            };
            (&t[..i], shift)
        }
        _ => (t, 0),
    };
    let n: usize = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a size such as 4G, 512M or 1000000"))?;
    if n == 0 {
        return Err("the memory limit must be positive".to_string());
    }
    n.checked_mul(1usize << shift)
        .ok_or_else(|| format!("{text:?} is too large"))
}

/// Runs `counterfact analyze`; `Ok(false)` when the readout is untrustworthy.
pub fn run(args: &AnalyzeArgs) -> Result<bool> {
    if args.show_sql {
        render::write_sql(&engine::explain(&args.spec)?, args.json)?;
    }
    let progress = Progress::new(!args.json);
    let readout = engine::readout(
        &args.spec,
        args.partitions.map(usize::from),
        args.memory_limit,
        &progress,
    )?;
    progress.finish();
    render::print_readout(&readout, args.json)?;
    Ok(readout.trustworthy)
}
