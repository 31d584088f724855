//! The `counterfact` command-line tool.

use std::process::ExitCode;

use clap::Parser;

/// counterfact: experimentation and causal inference.
#[derive(Debug, Parser)]
#[command(name = "counterfact", version)]
struct Cli {}

fn main() -> ExitCode {
    let _cli = Cli::parse();
    ExitCode::SUCCESS
}
