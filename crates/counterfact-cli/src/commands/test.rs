//! `counterfact test <method>`: resolve the arguments into settings, load the input, run the
//! method and render the result.

use std::path::PathBuf;

use anyhow::Result;
use counterfact_stats::Alternative;

use crate::cli::{AlternativeArg, Method, TestArgs};
use crate::error::bail_input;
use crate::input::{self, FileSelection, Sample};
use crate::methods;
use crate::parse;
use crate::render;

/// Where the input of a test comes from, after the flags have been checked for consistency.
#[derive(Debug, Clone, PartialEq)]
pub enum InputSpec {
    /// Samples read from a CSV or Parquet file.
    File {
        /// The file.
        path: PathBuf,
        /// Which columns make up the samples.
        selection: FileSelection,
    },
    /// Samples typed as comma lists: `--x` and optionally `--y`.
    Inline {
        /// First sample.
        x: Vec<f64>,
        /// Second sample.
        y: Option<Vec<f64>>,
    },
    /// Per-group n, mean and (optionally, for z-means) standard deviation.
    Summary {
        /// Sample sizes.
        n: Vec<u64>,
        /// Sample means.
        mean: Vec<f64>,
        /// Sample standard deviations (ddof = 1).
        sd: Option<Vec<f64>>,
    },
    /// Per-group successes and trials.
    Proportions {
        /// Successes per group.
        successes: Vec<u64>,
        /// Trials per group.
        trials: Vec<u64>,
    },
    /// A contingency table of counts, row by row.
    Table(Vec<Vec<u64>>),
}

/// Everything `counterfact test` needs, resolved and validated.
#[derive(Debug, Clone, PartialEq)]
pub struct TestSettings {
    /// The method to run.
    pub method: Method,
    /// Where the input comes from.
    pub input: InputSpec,
    /// Alternative hypothesis.
    pub alternative: Alternative,
    /// Confidence level of intervals.
    pub confidence: f64,
    /// Null value, if given.
    pub mu0: Option<f64>,
    /// Known standard deviation(s), if given.
    pub sigma: Option<Vec<f64>>,
    /// Equivalence / non-inferiority margin(s), if given.
    pub margin: Option<Vec<MarginValue>>,
    /// Pooled (Student) variance for tost / non-inferiority.
    pub pooled: bool,
    /// Expected shares for goodness of fit, if given.
    pub expected: Option<Vec<f64>>,
    /// Yates' continuity correction for 2x2 independence tests.
    pub correction: bool,
    /// Seed for the random methods.
    pub seed: u64,
    /// Number of resamples for the random methods, if given.
    pub resamples: Option<usize>,
    /// Resampling statistic name, if given.
    pub statistic: Option<String>,
    /// Bootstrap interval method name, if given.
    pub interval: Option<String>,
    /// Rank-test p-value method name, if given.
    pub p_method: Option<String>,
    /// Print JSON instead of a table.
    pub json: bool,
    /// The optional test options given explicitly, by flag name (for relevance checks).
    pub given: Vec<&'static str>,
}

/// A margin as typed: absolute (`0.5`) or relative to the control mean (`2%`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MarginValue {
    /// The number: data units, or a fraction when relative (2% is 0.02).
    pub value: f64,
    /// Whether the margin is a fraction of the control mean.
    pub relative: bool,
}

/// The input after loading: what the methods consume.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    /// One or two samples; with two, the effect is first − second. `paired` tells whether the
    /// samples are row-aligned (from `--x/--y`) and so may be analysed as pairs.
    Samples {
        /// The samples.
        samples: Vec<Sample>,
        /// Whether the samples are row-aligned.
        paired: bool,
    },
    /// Per-group n, mean and standard deviation.
    Summary {
        /// Sample sizes.
        n: Vec<u64>,
        /// Sample means.
        mean: Vec<f64>,
        /// Sample standard deviations, if given.
        sd: Option<Vec<f64>>,
    },
    /// Per-group successes and trials.
    Proportions {
        /// Successes per group.
        successes: Vec<u64>,
        /// Trials per group.
        trials: Vec<u64>,
    },
    /// A contingency table.
    Table(Vec<Vec<u64>>),
}

/// Upper bound on `--resamples`: the bootstrap keeps every replicate in memory (8 bytes each).
const MAX_RESAMPLES: usize = 10_000_000;

/// Runs `counterfact test`.
pub fn run(args: &TestArgs) -> Result<()> {
    let settings = resolve(args)?;
    let data = load(&settings.input)?;
    let outcome = methods::run(&settings, &data)?;
    render::print_outcome(&outcome, settings.json)
}

/// Checks the raw arguments for consistency and turns them into [`TestSettings`].
pub fn resolve(args: &TestArgs) -> Result<TestSettings> {
    let confidence = args.confidence.unwrap_or(0.95);
    if !(confidence > 0.0 && confidence < 1.0) {
        bail_input!("invalid --confidence {confidence}: must lie strictly between 0 and 1");
    }
    if let Some(mu0) = args.mu0
        && !mu0.is_finite()
    {
        bail_input!("invalid --mu0 {mu0}: must be a finite number");
    }
    let margin = args.margin.as_deref().map(parse_margin).transpose()?;
    let expected = match &args.expected {
        Some(text) => {
            let weights = parse::numbers("--expected", text)?;
            if let Some(i) = weights.iter().position(|w| *w <= 0.0) {
                bail_input!(
                    "--expected: entry {} is {}, must be greater than 0",
                    i + 1,
                    weights[i]
                );
            }
            Some(weights)
        }
        None => None,
    };
    let sigma = match &args.sigma {
        Some(text) => {
            let sigma = parse::numbers("--sigma", text)?;
            if let Some(i) = sigma.iter().position(|s| *s <= 0.0) {
                bail_input!(
                    "--sigma: entry {} is {}, must be greater than 0",
                    i + 1,
                    sigma[i]
                );
            }
            Some(sigma)
        }
        None => None,
    };
    if let Some(resamples) = args.resamples
        && !(1..=MAX_RESAMPLES).contains(&resamples)
    {
        bail_input!("invalid --resamples {resamples}: must lie between 1 and {MAX_RESAMPLES}");
    }
    let alternative = match args.alternative.unwrap_or(AlternativeArg::TwoSided) {
        AlternativeArg::TwoSided => Alternative::TwoSided,
        AlternativeArg::Less => Alternative::Less,
        AlternativeArg::Greater => Alternative::Greater,
    };
    let given = [
        ("--alternative", args.alternative.is_some()),
        ("--confidence", args.confidence.is_some()),
        ("--mu0", args.mu0.is_some()),
        ("--sigma", args.sigma.is_some()),
        ("--margin", args.margin.is_some()),
        ("--seed", args.seed.is_some()),
        ("--resamples", args.resamples.is_some()),
        ("--statistic", args.statistic.is_some()),
        ("--interval", args.interval.is_some()),
        ("--p-method", args.p_method.is_some()),
        ("--pooled", args.pooled),
        ("--expected", args.expected.is_some()),
        ("--no-correction", args.no_correction),
    ]
    .into_iter()
    .filter_map(|(flag, set)| set.then_some(flag))
    .collect();
    Ok(TestSettings {
        method: args.method,
        input: resolve_input(args)?,
        alternative,
        confidence,
        mu0: args.mu0,
        sigma,
        margin,
        pooled: args.pooled,
        expected,
        correction: !args.no_correction,
        seed: args.seed.unwrap_or(0),
        resamples: args.resamples,
        statistic: args.statistic.clone(),
        interval: args.interval.clone(),
        p_method: args.p_method.clone(),
        json: args.json,
        given,
    })
}

/// Parses `--margin`: one or two comma-separated values, each a number or a percentage.
fn parse_margin(text: &str) -> Result<Vec<MarginValue>> {
    let mut margins = Vec::new();
    for (i, item) in text.split(',').map(str::trim).enumerate() {
        let (number, relative) = match item.strip_suffix('%') {
            Some(n) => (n.trim(), true),
            None => (item, false),
        };
        let value = match number.parse::<f64>() {
            Ok(v) if v.is_finite() => v,
            _ => bail_input!(
                "--margin: entry {} is '{item}'; give a number like 0.5 or a percentage like 2%",
                i + 1
            ),
        };
        margins.push(MarginValue {
            value: if relative { value / 100.0 } else { value },
            relative,
        });
    }
    if margins.len() > 2 {
        bail_input!("--margin takes one value, or LOWER,UPPER for tost; got '{text}'");
    }
    Ok(margins)
}

fn resolve_input(args: &TestArgs) -> Result<InputSpec> {
    let modes: Vec<&str> = [
        ("--data", args.data.is_some()),
        ("--x", args.data.is_none() && args.x.is_some()),
        (
            "--n/--mean/--sd",
            args.n.is_some() || args.mean.is_some() || args.sd.is_some(),
        ),
        (
            "--successes/--trials",
            args.successes.is_some() || args.trials.is_some(),
        ),
        ("--table", args.table.is_some()),
    ]
    .into_iter()
    .filter_map(|(mode, set)| set.then_some(mode))
    .collect();
    match modes.as_slice() {
        [] => bail_input!(
            "no input given: use --data FILE, --x/--y values, --n/--mean/--sd, \
             --successes/--trials or --table (see counterfact test --help)"
        ),
        [_] => {}
        [a, b, ..] => bail_input!("{a} and {b} are two different inputs; give only one"),
    }
    if args.data.is_none() {
        for (flag, set) in [
            ("--value", args.value.is_some()),
            ("--group", args.group.is_some()),
            ("--control", args.control.is_some()),
            ("--treatment", args.treatment.is_some()),
        ] {
            if set {
                bail_input!("{flag} names a column or label of a file; it needs --data FILE");
            }
        }
        if args.y.is_some() && args.x.is_none() {
            bail_input!("--y needs --x: the effect is x − y");
        }
    }
    match modes[0] {
        "--data" => resolve_file(args),
        "--x" => Ok(InputSpec::Inline {
            x: parse::numbers("--x", args.x.as_deref().unwrap_or_default())?,
            y: args
                .y
                .as_deref()
                .map(|y| parse::numbers("--y", y))
                .transpose()?,
        }),
        "--n/--mean/--sd" => resolve_summary(args),
        "--successes/--trials" => resolve_proportions(args),
        _ => Ok(InputSpec::Table(parse::table(
            "--table",
            args.table.as_deref().unwrap_or_default(),
        )?)),
    }
}

fn resolve_file(args: &TestArgs) -> Result<InputSpec> {
    let path = args.data.clone().unwrap_or_default();
    let selection = match (&args.value, &args.x) {
        (Some(_), Some(_)) => bail_input!(
            "--value and --x both name columns; use --value with --group, or --x/--y for paired columns"
        ),
        (None, None) => bail_input!(
            "--data needs columns: --value COL --group COL --control A --treatment B, or --x COL [--y COL]"
        ),
        (None, Some(x)) => {
            if args.group.is_some() || args.control.is_some() || args.treatment.is_some() {
                bail_input!("--group/--control/--treatment go with --value, not with --x/--y");
            }
            FileSelection::Columns {
                x: x.clone(),
                y: args.y.clone(),
            }
        }
        (Some(value), None) => {
            if args.y.is_some() {
                bail_input!("--y needs --x COL; with --value use --group");
            }
            match (&args.group, &args.control, &args.treatment) {
                (None, None, None) => FileSelection::Columns {
                    x: value.clone(),
                    y: None,
                },
                (Some(group), Some(control), Some(treatment)) => FileSelection::Groups {
                    value: value.clone(),
                    group: group.clone(),
                    control: control.clone(),
                    treatment: treatment.clone(),
                },
                (None, _, _) => bail_input!("--control/--treatment need --group COL"),
                _ => bail_input!("--group needs both --control LABEL and --treatment LABEL"),
            }
        }
    };
    Ok(InputSpec::File { path, selection })
}

fn resolve_summary(args: &TestArgs) -> Result<InputSpec> {
    let (Some(n), Some(mean)) = (&args.n, &args.mean) else {
        bail_input!("summary statistics need --n and --mean (and --sd), one value per group");
    };
    let n = parse::counts("--n", n)?;
    if let Some(i) = n.iter().position(|n| *n == 0) {
        bail_input!("--n: entry {} is 0, an empty group", i + 1);
    }
    let mean = parse::numbers("--mean", mean)?;
    let sd = args
        .sd
        .as_deref()
        .map(|sd| parse::numbers("--sd", sd))
        .transpose()?;
    if mean.len() != n.len() {
        bail_input!(
            "--mean has {} values but --n has {}; give one per group",
            mean.len(),
            n.len()
        );
    }
    if let Some(sd) = &sd {
        if sd.len() != n.len() {
            bail_input!(
                "--sd has {} values but --n has {}; give one per group",
                sd.len(),
                n.len()
            );
        }
        if let Some(i) = sd.iter().position(|s| *s < 0.0) {
            bail_input!(
                "--sd: entry {} is {}, a negative standard deviation",
                i + 1,
                sd[i]
            );
        }
    }
    Ok(InputSpec::Summary { n, mean, sd })
}

fn resolve_proportions(args: &TestArgs) -> Result<InputSpec> {
    let (Some(successes), Some(trials)) = (&args.successes, &args.trials) else {
        bail_input!("proportions need both --successes and --trials, one value per group");
    };
    let successes = parse::counts("--successes", successes)?;
    let trials = parse::counts("--trials", trials)?;
    if successes.len() != trials.len() {
        bail_input!(
            "--successes has {} values but --trials has {}; give one per group",
            successes.len(),
            trials.len()
        );
    }
    for (i, (s, t)) in successes.iter().zip(&trials).enumerate() {
        if *t == 0 {
            bail_input!("--trials: entry {} is 0, an empty group", i + 1);
        }
        if s > t {
            bail_input!(
                "--successes: entry {} is {s}, more than its {t} --trials",
                i + 1
            );
        }
    }
    Ok(InputSpec::Proportions { successes, trials })
}

/// Loads the input: reads files, keeps typed values.
pub fn load(spec: &InputSpec) -> Result<Data> {
    Ok(match spec {
        InputSpec::File { path, selection } => Data::Samples {
            samples: input::read_samples(path, selection)?,
            paired: matches!(selection, FileSelection::Columns { .. }),
        },
        InputSpec::Inline { x, y } => {
            let mut samples = vec![Sample {
                label: "x".to_string(),
                source: "--x".to_string(),
                values: x.clone(),
            }];
            if let Some(y) = y {
                samples.push(Sample {
                    label: "y".to_string(),
                    source: "--y".to_string(),
                    values: y.clone(),
                });
            }
            Data::Samples {
                samples,
                paired: true,
            }
        }
        InputSpec::Summary { n, mean, sd } => Data::Summary {
            n: n.clone(),
            mean: mean.clone(),
            sd: sd.clone(),
        },
        InputSpec::Proportions { successes, trials } => Data::Proportions {
            successes: successes.clone(),
            trials: trials.clone(),
        },
        InputSpec::Table(rows) => Data::Table(rows.clone()),
    })
}
