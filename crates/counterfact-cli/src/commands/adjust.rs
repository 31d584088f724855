//! `counterfact adjust --method M P...`: multiple-comparison adjustment of p-values.

use anyhow::Result;
use counterfact_stats::adjust::{AdjustMethod, adjust_p_values};
use serde::Serialize;

use crate::cli::{AdjustArgs, AdjustMethodArg};
use crate::error::{MethodError, bail_input};
use crate::render;

/// Everything `counterfact adjust` needs, resolved and validated.
#[derive(Debug, Clone, PartialEq)]
pub struct AdjustSettings {
    /// The procedure.
    pub method: AdjustMethodArg,
    /// The raw p-values, each in [0, 1].
    pub p_values: Vec<f64>,
    /// The error rate for the reject decisions.
    pub alpha: f64,
    /// Print JSON instead of a table.
    pub json: bool,
}

/// The JSON shape of `counterfact adjust --json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdjustOutput {
    /// The procedure's name.
    pub method: String,
    /// The error rate controlled (family-wise or false discovery rate, by method).
    pub alpha: f64,
    /// The p-values as given.
    pub p_values: Vec<f64>,
    /// The adjusted p-values, in the input order.
    pub p_adjusted: Vec<f64>,
    /// Whether each hypothesis is rejected at `alpha`.
    pub reject: Vec<bool>,
}

/// Runs `counterfact adjust`.
pub fn run(args: &AdjustArgs) -> Result<()> {
    let settings = resolve(args)?;
    let method = match settings.method {
        AdjustMethodArg::Bonferroni => AdjustMethod::Bonferroni,
        AdjustMethodArg::Holm => AdjustMethod::Holm,
        AdjustMethodArg::Hochberg => AdjustMethod::Hochberg,
        AdjustMethodArg::Hommel => AdjustMethod::Hommel,
        AdjustMethodArg::Bh => AdjustMethod::BenjaminiHochberg,
        AdjustMethodArg::By => AdjustMethod::BenjaminiYekutieli,
    };
    let adjusted =
        adjust_p_values(&settings.p_values, method, settings.alpha).map_err(|error| {
            anyhow::Error::new(MethodError {
                method: "adjust",
                error,
                roles: None,
            })
        })?;
    let output = AdjustOutput {
        method: method.as_str().to_string(),
        alpha: adjusted.alpha,
        p_values: settings.p_values,
        p_adjusted: adjusted.p_adjusted,
        reject: adjusted.reject,
    };
    if settings.json {
        render::write_stdout(&render::json(&output)?)
    } else {
        let mut table = render::grid(&["#", "p-value", "adjusted", "reject"]);
        for (i, ((p, a), r)) in output
            .p_values
            .iter()
            .zip(&output.p_adjusted)
            .zip(&output.reject)
            .enumerate()
        {
            table.add_row(vec![
                (i + 1).to_string(),
                render::p_value(*p),
                render::p_value(*a),
                if *r { "yes" } else { "no" }.to_string(),
            ]);
        }
        let heading = format!(
            "{} adjustment of {} p-values at alpha = {}",
            output.method,
            output.p_values.len(),
            output.alpha
        );
        render::write_stdout(&format!("{heading}\n{table}"))
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
    if !(args.alpha > 0.0 && args.alpha < 1.0) {
        bail_input!(
            "invalid --alpha {}: must lie strictly between 0 and 1",
            args.alpha
        );
    }
    if p_values.is_empty() {
        bail_input!("no p-values given: counterfact adjust --method holm 0.01 0.04 0.03");
    }
    Ok(AdjustSettings {
        method: args.method,
        p_values,
        alpha: args.alpha,
        json: args.json,
    })
}
