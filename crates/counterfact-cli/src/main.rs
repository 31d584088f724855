//! The `counterfact` command-line tool.

mod cli;
mod commands;
mod error;
mod input;
mod methods;
mod parse;
mod render;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match &cli.command {
        Command::Test(args) => commands::test::run(args),
        Command::Adjust(args) => commands::adjust::run(args),
        Command::Assign(args) => commands::assign::run(args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if error::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // Nothing sensible is left to do if stderr itself is gone.
            let _ = writeln!(std::io::stderr(), "error: {}", error::message(&e));
            ExitCode::from(error::exit_code(&e))
        }
    }
}
