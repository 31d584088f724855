//! Dispatch from a method name and loaded input to the statistics library.
//!
//! The CLI is plumbing: it checks that the input has the shape the method needs, calls the
//! library and wraps the result with the labels needed to render it.

use anyhow::{Context, Result};
use counterfact_stats::TestResult;

use crate::cli::Method;
use crate::commands::test::{Data, TestSettings};
use crate::error::bail_input;
use crate::input::Sample;

/// A method's result with the names needed to render it.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The library's result.
    pub result: TestResult,
    /// Names of the groups or samples, in the order of `result.n`.
    pub groups: Vec<String>,
    /// What the estimate is, e.g. "treatment − control".
    pub effect: Option<String>,
}

/// Runs the method `settings` names on `data`.
pub fn run(settings: &TestSettings, data: &Data) -> Result<Outcome> {
    let method = settings.method;
    match method {
        Method::WelchT
        | Method::StudentT
        | Method::PairedT
        | Method::OneSampleT
        | Method::ZMeans
        | Method::ZProportions
        | Method::Chi2Gof
        | Method::Chi2Independence
        | Method::GTest
        | Method::FisherExact
        | Method::MannWhitney
        | Method::Wilcoxon
        | Method::Ks
        | Method::Permutation
        | Method::Bootstrap
        | Method::Tost
        | Method::NonInferiority => not_available(method),
    }
    .with_context(|| method.name().to_string())
}

fn not_available(method: Method) -> Result<Outcome> {
    bail_input!(
        "method '{}' is not available yet in this build of counterfact",
        method.name()
    )
}

/// Fails when an option the method does not use was given explicitly.
fn allow_only(settings: &TestSettings, allowed: &[&str]) -> Result<()> {
    if let Some(flag) = settings.given.iter().find(|f| !allowed.contains(f)) {
        bail_input!(
            "{flag} does not apply to {}; drop it (see counterfact test --help)",
            settings.method.name()
        );
    }
    Ok(())
}

/// The two samples, first − second being the effect.
fn two_samples<'a>(data: &'a Data, hint: &str) -> Result<(&'a Sample, &'a Sample)> {
    match data {
        Data::Samples { samples, .. } if samples.len() == 2 => Ok((&samples[0], &samples[1])),
        Data::Samples { samples, .. } => bail_input!(
            "this method needs two samples but {} was given: {hint}",
            samples.len()
        ),
        _ => bail_input!("this method needs unit-level samples: {hint}"),
    }
}

/// The effect description for two samples.
fn difference(x: &Sample, y: &Sample) -> String {
    format!("{} − {}", x.label, y.label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_samples_rejects_other_inputs() {
        let data = Data::Table(vec![vec![1, 2]]);
        assert!(two_samples(&data, "hint").is_err());
        let x = Sample {
            label: "a".into(),
            values: vec![1.0],
        };
        let data = Data::Samples {
            samples: vec![x.clone(), x.clone()],
            paired: false,
        };
        let (a, b) = two_samples(&data, "hint").unwrap();
        assert_eq!(difference(a, b), "a − a");
    }
}
