//! `counterfact bandit`: next allocation weights by Thompson sampling from per-arm statistics
//! (`--successes/--trials` for conversions, `--n/--mean/--sd` for means).

use anyhow::Result;
use clap::Args;
use counterfact_stats::bandit::{ArmPosterior, ThompsonConfig, thompson_allocation};
use serde::Serialize;

use crate::error::{MethodError, bail_input};
use crate::render;

/// Arguments of `counterfact bandit`.
#[derive(Debug, Args)]
pub struct BanditArgs {
    /// Successes per arm, comma-separated (Bernoulli rewards, Beta(1, 1) prior).
    #[arg(long, value_delimiter = ',', requires = "trials")]
    pub successes: Vec<f64>,
    /// Trials per arm, comma-separated.
    #[arg(long, value_delimiter = ',', requires = "successes")]
    pub trials: Vec<f64>,
    /// Units per arm, comma-separated (Gaussian rewards, flat prior on the mean).
    #[arg(long, value_delimiter = ',', requires_all = ["mean", "sd"], conflicts_with = "successes")]
    pub n: Vec<f64>,
    /// Mean per arm, comma-separated.
    #[arg(long, value_delimiter = ',', allow_negative_numbers = true)]
    pub mean: Vec<f64>,
    /// Standard deviation per arm, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub sd: Vec<f64>,
    /// Minimum share of traffic per arm, in [0, 1/arms].
    #[arg(long, default_value_t = 0.0)]
    pub floor: f64,
    /// Top-two Thompson sampling (Russo 2016) with leader probability 0.5.
    #[arg(long)]
    pub top_two: bool,
    /// Monte Carlo draws from the posteriors.
    #[arg(long, default_value_t = 10_000)]
    pub draws: usize,
    /// Seed of the draws.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Print the result as JSON instead of a table.
    #[arg(long, help_heading = "Output")]
    pub json: bool,
}

/// The JSON shape of `counterfact bandit --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BanditOutput {
    /// "thompson" or "top-two-thompson".
    pub method: String,
    /// Allocation weights, P(best), posterior means, draws and floor.
    #[serde(flatten)]
    pub allocation: counterfact_stats::bandit::Allocation,
    /// Seed used.
    pub seed: u64,
}

/// Runs `counterfact bandit`.
pub fn run(args: &BanditArgs) -> Result<()> {
    let arms = resolve(args)?;
    let cfg = ThompsonConfig {
        draws: args.draws,
        floor: args.floor,
        top_two: args.top_two.then_some(0.5),
        seed: args.seed,
    };
    let method = if args.top_two {
        "top-two-thompson"
    } else {
        "thompson"
    };
    let allocation = thompson_allocation(&arms, &cfg).map_err(|error| {
        anyhow::Error::new(MethodError {
            method: "bandit",
            error,
            roles: None,
        })
    })?;
    let output = BanditOutput {
        method: method.to_string(),
        allocation,
        seed: args.seed,
    };
    if args.json {
        return render::write_stdout(&render::json(&output)?);
    }
    let a = &output.allocation;
    let mut table = render::grid(&["arm", "weight", "P(best)", "posterior mean"]);
    for i in 0..a.weights.len() {
        table.add_row(vec![
            (i + 1).to_string(),
            render::number(a.weights[i]),
            render::number(a.prob_best[i]),
            render::number(a.posterior_mean[i]),
        ]);
    }
    let heading = format!(
        "{method} allocation, floor {}, {} draws, seed {}",
        a.floor, a.draws, output.seed
    );
    render::write_stdout(&format!("{heading}\n{table}"))
}

/// Builds the arm posteriors from the flags, naming the arm at fault on bad input.
fn resolve(args: &BanditArgs) -> Result<Vec<ArmPosterior>> {
    let mut arms = Vec::new();
    if !args.successes.is_empty() {
        if args.successes.len() != args.trials.len() {
            bail_input!(
                "--successes has {} arms but --trials has {}",
                args.successes.len(),
                args.trials.len()
            );
        }
        for (i, (&s, &t)) in args.successes.iter().zip(&args.trials).enumerate() {
            match ArmPosterior::bernoulli(s, t) {
                Ok(a) => arms.push(a),
                Err(e) => bail_input!("arm {}: {e}", i + 1),
            }
        }
    } else if !args.n.is_empty() {
        if args.n.len() != args.mean.len() || args.n.len() != args.sd.len() {
            bail_input!(
                "--n, --mean and --sd must list the same number of arms (got {}, {}, {})",
                args.n.len(),
                args.mean.len(),
                args.sd.len()
            );
        }
        for i in 0..args.n.len() {
            match ArmPosterior::gaussian(args.n[i], args.mean[i], args.sd[i]) {
                Ok(a) => arms.push(a),
                Err(e) => bail_input!("arm {}: {e}", i + 1),
            }
        }
    } else {
        bail_input!(
            "no arms given: counterfact bandit --successes 120,135 --trials 1000,1000 \
             (or --n/--mean/--sd)"
        );
    }
    if arms.len() < 2 {
        bail_input!("a bandit needs at least 2 arms, got {}", arms.len());
    }
    Ok(arms)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    fn args(line: &str) -> BanditArgs {
        let cli = Cli::try_parse_from(line.split_whitespace()).expect("parses");
        match cli.command {
            Command::Bandit(a) => a,
            other => panic!("not bandit: {other:?}"),
        }
    }

    #[test]
    fn allocation_respects_the_floor() {
        for line in [
            "counterfact bandit --successes 120,135,128,300 --trials 1000,1000,1000,1000 --floor 0.05",
            "counterfact bandit --n 100,100,100 --mean 1.0,1.5,-0.5 --sd 1,1,2 --floor 0.1 --top-two",
        ] {
            let a = args(line);
            let arms = resolve(&a).expect("valid arms");
            let cfg = ThompsonConfig {
                draws: a.draws,
                floor: a.floor,
                top_two: a.top_two.then_some(0.5),
                seed: a.seed,
            };
            let w = thompson_allocation(&arms, &cfg)
                .expect("allocation")
                .weights;
            assert!(w.iter().all(|&x| x >= a.floor - 1e-12), "{line}: {w:?}");
            assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn mismatched_arms_are_input_errors() {
        assert!(resolve(&args("counterfact bandit --successes 1,2 --trials 10")).is_err());
        assert!(resolve(&args("counterfact bandit --successes 1 --trials 10")).is_err());
    }
}
