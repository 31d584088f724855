//! The `counterfact` command-line tool.

mod cli;
mod commands;
mod engine;
mod error;
mod input;
mod methods;
mod parse;
mod progress;
mod render;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

use crate::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return syntax_error(&e),
    };
    let outcome = match &cli.command {
        Command::Test(args) => commands::test::run(args),
        Command::Adjust(args) => commands::adjust::run(args),
        Command::Bandit(args) => commands::bandit::run(args),
        Command::Assign(args) => commands::assign::run(args),
        Command::Power(args) => commands::power::run(args),
        Command::Sample(args) => commands::sample::run(args),
        Command::Check(args) => match commands::check::run(args) {
            Ok(false) => return ExitCode::from(error::EXIT_FAILURE),
            other => other.map(|_| ()),
        },
        Command::Rollout(args) => commands::rollout::run(args),
        Command::Analyze(args) => match commands::analyze::run(args) {
            Ok(false) => return ExitCode::from(error::EXIT_FAILURE),
            other => other.map(|_| ()),
        },
        Command::Demo(args) => match commands::demo::run(args) {
            Ok(false) => return ExitCode::from(error::EXIT_FAILURE),
            other => other.map(|_| ()),
        },
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

/// Prints help or version as clap does; condenses a syntax error into one line (exit code 2).
fn syntax_error(error: &clap::Error) -> ExitCode {
    let code = u8::try_from(error.exit_code()).unwrap_or(error::EXIT_BAD_INPUT);
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        // A closed stdout while printing help is not worth reporting.
        let _ = error.print();
        return ExitCode::from(code);
    }
    let text = error.render().to_string();
    let line = text
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with("Usage:") && !l.starts_with("For more information")
        })
        .collect::<Vec<_>>()
        .join(" ");
    let _ = writeln!(std::io::stderr(), "{line} (see --help)");
    ExitCode::from(code)
}
