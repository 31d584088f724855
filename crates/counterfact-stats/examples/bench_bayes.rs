//! Times GrowthBook-style Bayesian chance to win for many metrics × arms (arm 0 is control),
//! reading `metrics arms` then `n successes` per arm as whitespace-separated numbers. Used by
//! `benches/compare/bayes.py`, which runs gbstats on the same inputs in the same run.
//!
//! Usage: `bench_bayes <file> [reps]`; prints one JSON object with the chance-to-win values.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::exit;
use std::time::Instant;

use counterfact_stats::bayes::{ArmSummary, GaussianPrior, LiftScale, effect_posterior};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 2 {
        eprintln!("usage: bench_bayes <file> [reps]");
        exit(2);
    }
    let reps: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(5).max(1);
    let text = std::fs::read_to_string(&args[1]).unwrap_or_else(|e| {
        eprintln!("{}: {e}", args[1]);
        exit(1)
    });
    let v: Vec<f64> = text
        .split_whitespace()
        .map(|s| {
            s.parse().unwrap_or_else(|e| {
                eprintln!("{s}: {e}");
                exit(2)
            })
        })
        .collect();
    if v.len() < 2 {
        eprintln!("file too short");
        exit(2);
    }
    let (metrics, arms) = (v[0] as usize, v[1] as usize);
    if v.len() != 2 + 2 * metrics * arms {
        eprintln!("expected {} numbers", 2 + 2 * metrics * arms);
        exit(2);
    }
    let counts = &v[2..];
    let prior = GaussianPrior::flat();
    let mut best = f64::INFINITY;
    let mut ctw = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        let mut out = Vec::with_capacity(metrics * (arms - 1));
        for m in 0..metrics {
            let row = &counts[2 * m * arms..2 * (m + 1) * arms];
            let summary = |a: usize| ArmSummary::proportion(row[2 * a + 1], row[2 * a]);
            let control = summary(0);
            for a in 1..arms {
                let r = match (&control, summary(a)) {
                    (Ok(c), Ok(t)) => effect_posterior(c, &t, LiftScale::Relative, &prior, 0.95)
                        .map(|r| r.chance_to_win)
                        .unwrap_or(0.5),
                    _ => 0.5,
                };
                out.push(r);
            }
        }
        best = best.min(t.elapsed().as_secs_f64());
        ctw = out;
    }
    let list: Vec<String> = ctw.iter().map(|x| format!("{x:e}")).collect();
    println!(
        "{{\"compute_seconds\": {best}, \"chance_to_win\": [{}]}}",
        list.join(", ")
    );
}
