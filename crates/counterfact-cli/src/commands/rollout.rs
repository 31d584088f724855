//! `counterfact rollout --plan plan.toml --data observations.csv [--json]`: decide, for each
//! stage of a phased rollout, "continue", "advance" or "halt — roll back" from anytime-valid
//! confidence sequences on the guardrail metrics (docs/over-time-and-rollouts.md).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;
use counterfact_stats::moments::Moments;
use counterfact_stats::rollout::{
    ArmMoments, Decision, RolloutDecision, RolloutPlan, StageObservation, evaluate,
};

use crate::error::{MethodError, bad_input, bail_input};
use crate::render;

/// Arguments of `counterfact rollout`.
#[derive(Debug, Args)]
#[command(
    after_long_help = "Observations CSV: a header and one row per stage, metric and arm, with \
                       columns stage,hours_elapsed,units,metric,arm,n,mean,sd (arm is control or \
                       treatment; the summaries are cumulative since the stage started). The \
                       effect is treatment − control.\n\nExit codes: 0 success, 2 bad input, 1 \
                       internal failure."
)]
pub struct RolloutArgs {
    /// The rollout plan: stages and guardrails (TOML, or JSON when the name ends in .json).
    #[arg(long, value_name = "FILE")]
    pub plan: PathBuf,
    /// The observations so far (CSV, see below).
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// Print the decision as JSON instead of a table.
    #[arg(long, help_heading = "Output")]
    pub json: bool,
}

/// Runs `counterfact rollout`.
pub fn run(args: &RolloutArgs) -> Result<()> {
    let plan = read_plan(&args.plan)?;
    let text = std::fs::read_to_string(&args.data)
        .map_err(|e| bad_input(format!("cannot read --data {}: {e}", args.data.display())))?;
    let observations = parse_observations(&plan, &text)?;
    let decision = evaluate(&plan, &observations).map_err(|error| {
        anyhow::Error::new(MethodError {
            method: "rollout",
            error,
            roles: None,
        })
    })?;
    if args.json {
        render::write_stdout(&render::json(&decision)?)
    } else {
        render::write_stdout(&table(&decision))
    }
}

fn read_plan(path: &Path) -> Result<RolloutPlan> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad_input(format!("cannot read --plan {}: {e}", path.display())))?;
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let plan: RolloutPlan = if is_json {
        serde_json::from_str(&text)
            .map_err(|e| bad_input(format!("--plan {}: {e}", path.display())))?
    } else {
        toml::from_str(&text).map_err(|e| {
            bad_input(format!(
                "--plan {}: {}",
                path.display(),
                e.to_string().replace('\n', " ")
            ))
        })?
    };
    Ok(plan)
}

const COLUMNS: [&str; 8] = [
    "stage",
    "hours_elapsed",
    "units",
    "metric",
    "arm",
    "n",
    "mean",
    "sd",
];

/// Parses the observations CSV into one [`StageObservation`] per stage, in plan order.
fn parse_observations(plan: &RolloutPlan, text: &str) -> Result<Vec<StageObservation>> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        bail_input!("--data is empty: expected a header {}", COLUMNS.join(","));
    };
    let names: Vec<&str> = header.split(',').map(str::trim).collect();
    let mut index = [0usize; 8];
    for (slot, column) in index.iter_mut().zip(COLUMNS) {
        *slot = names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(column))
            .ok_or_else(|| bad_input(format!("--data lacks column '{column}'")))?;
    }
    let mut by_stage: BTreeMap<usize, StageObservation> = BTreeMap::new();
    let mut arms: BTreeMap<(usize, String), [Option<Moments>; 2]> = BTreeMap::new();
    for (line_no, line) in lines {
        let row = line_no + 1;
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let cell = |i: usize| -> Result<&str> {
            cells.get(index[i]).copied().ok_or_else(|| {
                bad_input(format!(
                    "--data line {row}: missing column '{}'",
                    COLUMNS[i]
                ))
            })
        };
        let number = |i: usize| -> Result<f64> {
            let t = cell(i)?;
            t.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    bad_input(format!(
                        "--data line {row}: {} is '{t}', not a finite number",
                        COLUMNS[i]
                    ))
                })
        };
        let count = |i: usize| -> Result<u64> {
            let t = cell(i)?;
            t.parse::<u64>().map_err(|_| {
                bad_input(format!(
                    "--data line {row}: {} is '{t}', not a non-negative integer",
                    COLUMNS[i]
                ))
            })
        };
        let stage = cell(0)?;
        let Some(position) = plan.stages.iter().position(|s| s.name == stage) else {
            bail_input!("--data line {row}: stage '{stage}' is not in the plan");
        };
        let hours = number(1)?;
        let units = count(2)?;
        let metric = cell(3)?.to_string();
        let arm = match cell(4)?.to_ascii_lowercase().as_str() {
            "control" => 0,
            "treatment" => 1,
            other => bail_input!("--data line {row}: arm is '{other}', not control or treatment"),
        };
        let moments = Moments::from_mean_sd(count(5)?, number(6)?, number(7)?)
            .map_err(|e| bad_input(format!("--data line {row}: {e}")))?;
        let entry = by_stage
            .entry(position)
            .or_insert_with(|| StageObservation {
                stage: stage.to_string(),
                hours_elapsed: hours,
                units,
                metrics: BTreeMap::new(),
            });
        if entry.hours_elapsed != hours || entry.units != units {
            bail_input!(
                "--data line {row}: stage '{stage}' has hours_elapsed/units differing from an \
                 earlier row"
            );
        }
        let slot = arms.entry((position, metric.clone())).or_default();
        if slot[arm].replace(moments).is_some() {
            bail_input!("--data line {row}: a second row for stage '{stage}', metric '{metric}'");
        }
    }
    for ((position, metric), [control, treatment]) in arms {
        let (Some(control), Some(treatment)) = (control, treatment) else {
            bail_input!(
                "--data: stage '{}', metric '{metric}' needs a control and a treatment row",
                plan.stages[position].name
            );
        };
        if let Some(obs) = by_stage.get_mut(&position) {
            obs.metrics
                .insert(metric, ArmMoments { control, treatment });
        }
    }
    if by_stage.is_empty() {
        bail_input!("--data has a header but no rows");
    }
    let observed: Vec<usize> = by_stage.keys().copied().collect();
    if observed.iter().enumerate().any(|(i, &p)| i != p) {
        bail_input!(
            "--data must cover the plan's stages in order from the first without gaps; it has {}",
            observed
                .iter()
                .map(|&p| plan.stages[p].name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(by_stage.into_values().collect())
}

fn table(decision: &RolloutDecision) -> String {
    let mut out = String::new();
    for stage in &decision.stages {
        let mut grid = render::grid(&[
            "guardrail",
            "estimate",
            "anytime-valid CI",
            "threshold",
            "status",
        ]);
        for g in &stage.guardrails {
            let status = if g.breached {
                "breached"
            } else if g.cleared {
                "within margin"
            } else {
                "undecided"
            };
            grid.add_row(vec![
                g.metric.clone(),
                render::number(g.estimate),
                format!(
                    "[{}, {}]",
                    render::number(g.confidence_sequence[0]),
                    render::number(g.confidence_sequence[1])
                ),
                render::number(g.threshold),
                status.to_string(),
            ]);
        }
        out.push_str(&format!(
            "stage {}: {} ({}; {} h, {} units)\n{grid}\n",
            stage.stage,
            stage.decision.label(),
            stage.reason,
            render::number(stage.hours_elapsed),
            stage.units
        ));
    }
    let next = match (&decision.decision, &decision.next_stage) {
        (Decision::Advance, Some(next)) => format!(" to stage {next}"),
        (Decision::Advance, None) => " (rollout complete)".to_string(),
        _ => String::new(),
    };
    out.push_str(&format!("decision: {}{next}", decision.decision.label()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: &str = r#"
[[stages]]
name = "10k"
target_units = 10000
min_duration_hours = 24

[[stages]]
name = "global"
target_units = 1000000
min_duration_hours = 72

[[guardrails]]
metric = "latency_ms"
direction = "lower-is-better"
margin = 5.0
"#;

    fn plan() -> RolloutPlan {
        toml::from_str(PLAN).expect("plan parses")
    }

    #[test]
    fn parses_and_decides() {
        let csv = "stage,hours_elapsed,units,metric,arm,n,mean,sd\n\
                   10k,30,20000,latency_ms,control,20000,200,50\n\
                   10k,30,20000,latency_ms,treatment,20000,200.5,50\n";
        let obs = parse_observations(&plan(), csv).expect("parses");
        let d = evaluate(&plan(), &obs).expect("decides");
        assert_eq!(d.decision, Decision::Advance);
        assert!(table(&d).contains("to stage global"));
    }

    #[test]
    fn rejects_bad_rows() {
        let p = plan();
        let head = "stage,hours_elapsed,units,metric,arm,n,mean,sd\n";
        for body in [
            "global,1,1,latency_ms,control,10,1,1\nglobal,1,1,latency_ms,treatment,10,1,1\n",
            "10k,1,1,latency_ms,control,10,1,1\n",
            "10k,1,1,latency_ms,both,10,1,1\n",
            "10k,x,1,latency_ms,control,10,1,1\n",
            "nope,1,1,latency_ms,control,10,1,1\n",
            "",
        ] {
            assert!(
                parse_observations(&p, &format!("{head}{body}")).is_err(),
                "{body}"
            );
        }
        assert!(parse_observations(&p, "").is_err());
        assert!(read_plan(Path::new("/nonexistent/plan.toml")).is_err());
    }
}
