//! `counterfact adjust --method M P...`: multiple-comparison adjustment of p-values.

use anyhow::Result;
use serde::Serialize;

use crate::cli::{AdjustArgs, AdjustMethodArg};
use crate::error::bail_input;
use crate::render;

/// Everything `counterfact adjust` needs, resolved and validated.
#[derive(Debug, Clone, PartialEq)]
pub struct AdjustSettings {
    /// The procedure.
    pub method: AdjustMethodArg,
    /// The raw p-values, each in [0, 1].
    pub p_values: Vec<f64>,
    /// Print JSON instead of a table.
    pub json: bool,
}

/// The JSON shape of `counterfact adjust --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdjustOutput {
    /// The procedure's name.
    pub method: String,
    /// The p-values as given.
    pub p_values: Vec<f64>,
    /// The adjusted p-values, in the input order.
    pub adjusted: Vec<f64>,
}

/// Runs `counterfact adjust`.
pub fn run(args: &AdjustArgs) -> Result<()> {
    let settings = resolve(args)?;
    let adjusted = adjust(&settings)?;
    let output = AdjustOutput {
        method: settings.method.name().to_string(),
        p_values: settings.p_values,
        adjusted,
    };
    if settings.json {
        render::write_stdout(&render::json(&output)?)
    } else {
        let mut rows = vec![("method".to_string(), output.method.clone())];
        for (i, (p, a)) in output.p_values.iter().zip(&output.adjusted).enumerate() {
            rows.push((
                format!("p{}", i + 1),
                format!("{} → {}", render::p_value(*p), render::p_value(*a)),
            ));
        }
        render::write_stdout(&render::key_value_table(&rows).to_string())
    }
}

/// Parses and checks the p-values (space- or comma-separated, each within [0, 1]).
pub fn resolve(args: &AdjustArgs) -> Result<AdjustSettings> {
    let mut p_values = Vec::new();
    for item in args.p_values.iter().flat_map(|a| a.split(',')) {
        let text = item.trim();
        if text.is_empty() {
            continue;
        }
        let position = p_values.len() + 1;
        match text.parse::<f64>() {
            Ok(p) if (0.0..=1.0).contains(&p) => p_values.push(p),
            Ok(_) => bail_input!("p-value {position} is '{text}', outside [0, 1]"),
            Err(_) => bail_input!("p-value {position} is '{text}', not a number"),
        }
    }
    if p_values.is_empty() {
        bail_input!("no p-values given: counterfact adjust --method holm 0.01 0.04 0.03");
    }
    Ok(AdjustSettings {
        method: args.method,
        p_values,
        json: args.json,
    })
}

fn adjust(settings: &AdjustSettings) -> Result<Vec<f64>> {
    bail_input!(
        "adjust --method {} is not available yet in this build of counterfact ({} p-values given)",
        settings.method.name(),
        settings.p_values.len()
    )
}
