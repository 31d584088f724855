//! Dispatch from a method name and loaded input to the statistics library.
//!
//! The CLI is plumbing: it checks that the input has the shape the method needs, calls the
//! library and wraps the result with the labels needed to render it. Two samples are always
//! passed as (x, y) with the effect x − y; a file split by `--control/--treatment` gives
//! x = treatment and y = control.

use anyhow::Result;
use counterfact_stats::moments::Moments;
use counterfact_stats::resampling::BootstrapResult;
use counterfact_stats::{Alternative, TestResult, contingency, parametric};

use crate::cli::Method;
use crate::commands::test::{Data, MarginValue, TestSettings};
use crate::error::{MethodError, bail_input};
use crate::input::Sample;

mod nonparametric;

/// A method's result with the names needed to render it.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The library's result.
    pub result: TestResult,
    /// Names of the groups or samples, in the order of `result.n`.
    pub groups: Vec<String>,
    /// What the estimate is, e.g. "treatment − control".
    pub effect: Option<String>,
    /// The bootstrap's own result, which `--json` prints instead of `result`.
    pub bootstrap: Option<BootstrapResult>,
}

const TWO_SAMPLES: &str = "give --data with --value/--group/--control/--treatment, --x and --y, \
                           or --n/--mean/--sd with two values each";
const PAIRS: &str = "give paired data: --x COL --y COL with --data, --x and --y values, or \
                     one --n/--mean/--sd of the differences";
const ONE_SAMPLE: &str =
    "give --data with --value COL (or --x COL), --x values, or one value each of --n/--mean/--sd";

/// Runs the method `settings` names on `data`.
pub fn run(settings: &TestSettings, data: &Data) -> Result<Outcome> {
    let method = settings.method;
    match method {
        Method::WelchT | Method::StudentT => two_sample_t(settings, data),
        Method::PairedT => paired_t(settings, data),
        Method::OneSampleT => one_sample_t(settings, data),
        Method::ZMeans => z_means(settings, data),
        Method::ZProportions => z_proportions(settings, data),
        Method::Chi2Gof => goodness_of_fit(settings, data),
        Method::Chi2Independence => independence(settings, data),
        Method::GTest => match data {
            Data::Table(rows) if rows.len() == 1 => goodness_of_fit(settings, data),
            _ => independence(settings, data),
        },
        Method::FisherExact => fisher_exact(settings, data),
        Method::Tost => tost(settings, data),
        Method::NonInferiority => non_inferiority(settings, data),
        Method::MannWhitney => nonparametric::mann_whitney(settings, data),
        Method::Wilcoxon => nonparametric::wilcoxon(settings, data),
        Method::Ks => nonparametric::ks(settings, data),
        Method::Permutation => nonparametric::permutation(settings, data),
        Method::Bootstrap => nonparametric::bootstrap(settings, data),
    }
}

/// Fails when an option the method does not use was given explicitly.
pub(crate) fn allow_only(settings: &TestSettings, allowed: &[&str]) -> Result<()> {
    if let Some(flag) = settings.given.iter().find(|f| !allowed.contains(f)) {
        bail_input!(
            "{}: {flag} does not apply to this method; drop it (see counterfact test --help)",
            settings.method.name()
        );
    }
    Ok(())
}

/// Converts a library result into the CLI's error, naming the method and the inputs' roles.
pub(crate) fn call<T>(
    settings: &TestSettings,
    roles: Option<String>,
    result: counterfact_stats::Result<T>,
) -> Result<T> {
    result.map_err(|error| {
        anyhow::Error::new(MethodError {
            method: settings.method.name(),
            error,
            roles,
        })
    })
}

/// The groups of a moment-based test: unit-level values go to the library's raw-sample entry
/// points (so the numbers are exactly the library's), typed summaries to `*_from_moments`.
enum GroupData<'a> {
    Raw(Vec<&'a [f64]>),
    Summary(Vec<Moments>),
}

/// The groups with their names.
struct Groups<'a> {
    data: GroupData<'a>,
    labels: Vec<String>,
    roles: Option<String>,
}

impl<'a> Groups<'a> {
    fn from_samples(samples: &'a [Sample]) -> Groups<'a> {
        Groups {
            data: GroupData::Raw(samples.iter().map(|s| s.values.as_slice()).collect()),
            labels: samples.iter().map(|s| s.label.clone()).collect(),
            roles: sample_roles(samples),
        }
    }

    fn effect(&self) -> Option<String> {
        match self.labels.as_slice() {
            [x, y] => Some(format!("{x} − {y}")),
            _ => None,
        }
    }
}

/// "x is group 'treatment' of column 'variant', y is ..." for samples that are not plain --x/--y.
pub(crate) fn sample_roles(samples: &[Sample]) -> Option<String> {
    if samples.iter().all(|s| s.source.starts_with("--")) {
        return None;
    }
    let names = ["x", "y"];
    Some(
        samples
            .iter()
            .zip(names)
            .map(|(s, name)| format!("sample {name} is {}", s.source))
            .collect::<Vec<_>>()
            .join(", "),
    )
}

/// The moments of `count` groups from unit-level samples or from typed summaries. A missing
/// `--sd` is allowed only when `sd_optional` (z-means with `--sigma`).
fn moment_groups<'a>(
    settings: &TestSettings,
    data: &'a Data,
    count: usize,
    sd_optional: bool,
    hint: &str,
) -> Result<Groups<'a>> {
    let method = settings.method.name();
    match data {
        Data::Samples { samples, .. } if samples.len() == count => {
            if let Some(empty) = samples.iter().find(|s| s.values.is_empty()) {
                bail_input!("{method}: {} is empty", empty.source);
            }
            Ok(Groups::from_samples(samples))
        }
        Data::Summary { n, mean, sd } if n.len() == count => {
            let sd = match sd {
                Some(sd) => sd.clone(),
                None if sd_optional => vec![0.0; count],
                None => bail_input!("{method}: summary statistics need --sd as well"),
            };
            let mut moments = Vec::with_capacity(count);
            for (i, ((n, mean), sd)) in n.iter().zip(mean).zip(&sd).enumerate() {
                moments.push(call(
                    settings,
                    Some(format!("group {} of --n/--mean/--sd", i + 1)),
                    Moments::from_mean_sd(*n, *mean, *sd),
                )?);
            }
            let labels = ["x", "y"]
                .iter()
                .take(count)
                .map(|s| s.to_string())
                .collect();
            Ok(Groups {
                data: GroupData::Summary(moments),
                labels,
                roles: (count == 2).then(|| {
                    "sample x is the first value of --n/--mean/--sd, sample y the second"
                        .to_string()
                }),
            })
        }
        Data::Samples { samples, .. } => bail_input!(
            "{method}: needs {count} sample(s) but {} were given; {hint}",
            samples.len()
        ),
        Data::Summary { n, .. } => bail_input!(
            "{method}: needs {count} group(s) of summary statistics but --n has {}; {hint}",
            n.len()
        ),
        Data::Proportions { .. } | Data::Table(_) => {
            bail_input!("{method}: cannot use counts as input; {hint}")
        }
    }
}

fn outcome(result: TestResult, groups: &Groups) -> Outcome {
    Outcome {
        result,
        groups: groups.labels.clone(),
        effect: groups.effect(),
        bootstrap: None,
    }
}

fn two_sample_t(settings: &TestSettings, data: &Data) -> Result<Outcome> {
    allow_only(settings, &["--alternative", "--confidence"])?;
    let g = moment_groups(settings, data, 2, false, TWO_SAMPLES)?;
    let (alt, conf) = (settings.alternative, settings.confidence);
    let student = settings.method == Method::StudentT;
    let result = match &g.data {
        GroupData::Raw(v) if student => parametric::student_t_test(v[0], v[1], alt, conf),
        GroupData::Raw(v) => parametric::welch_t_test(v[0], v[1], alt, conf),
        GroupData::Summary(m) if student => {
            parametric::student_t_test_from_moments(&m[0], &m[1], alt, conf)
        }
        GroupData::Summary(m) => parametric::welch_t_test_from_moments(&m[0], &m[1], alt, conf),
    };
    Ok(outcome(call(settings, g.roles.clone(), result)?, &g))
}

/// Row-aligned pairs from `--x/--y`.
pub(crate) fn pairs<'a>(
    settings: &TestSettings,
    data: &'a Data,
) -> Result<(&'a Sample, &'a Sample)> {
    let method = settings.method.name();
    match data {
        Data::Samples {
            samples,
            paired: true,
        } if samples.len() == 2 => {
            let (x, y) = (&samples[0], &samples[1]);
            if x.values.len() != y.values.len() {
                bail_input!(
                    "{method}: pairs need equal lengths but {} has {} values and {} has {}",
                    x.source,
                    x.values.len(),
                    y.source,
                    y.values.len()
                );
            }
            Ok((x, y))
        }
        Data::Samples { paired: false, .. } => {
            bail_input!("{method}: groups split by --control/--treatment are not paired; {PAIRS}")
        }
        _ => bail_input!("{method}: needs two paired samples; {PAIRS}"),
    }
}

fn paired_t(settings: &TestSettings, data: &Data) -> Result<Outcome> {
    allow_only(settings, &["--alternative", "--confidence"])?;
    if let Data::Summary { n, .. } = data
        && n.len() == 1
    {
        // One summary is that of the differences x − y.
        let g = moment_groups(settings, data, 1, false, PAIRS)?;
        let GroupData::Summary(m) = &g.data else {
            bail_input!("{}: {PAIRS}", settings.method.name());
        };
        let result = parametric::paired_t_test_from_moments(
            &m[0],
            settings.alternative,
            settings.confidence,
        );
        return Ok(Outcome {
            result: call(settings, None, result)?,
            groups: vec!["differences".to_string()],
            effect: Some("mean of the differences x − y".to_string()),
            bootstrap: None,
        });
    }
    let (x, y) = pairs(settings, data)?;
    let result = parametric::paired_t_test(
        &x.values,
        &y.values,
        settings.alternative,
        settings.confidence,
    );
    let samples = [x.clone(), y.clone()];
    Ok(Outcome {
        result: call(settings, sample_roles(&samples), result)?,
        groups: vec![format!("pairs {} − {}", x.label, y.label)],
        effect: Some(format!("{} − {}", x.label, y.label)),
        bootstrap: None,
    })
}

fn one_sample_t(settings: &TestSettings, data: &Data) -> Result<Outcome> {
    allow_only(settings, &["--alternative", "--confidence", "--mu0"])?;
    let g = moment_groups(settings, data, 1, false, ONE_SAMPLE)?;
    let mu0 = settings.mu0.unwrap_or(0.0);
    let (alt, conf) = (settings.alternative, settings.confidence);
    let result = match &g.data {
        GroupData::Raw(v) => parametric::one_sample_t_test(v[0], mu0, alt, conf),
        GroupData::Summary(m) => parametric::one_sample_t_test_from_moments(&m[0], mu0, alt, conf),
    };
    Ok(Outcome {
        result: call(settings, g.roles.clone(), result)?,
        groups: g.labels.clone(),
        effect: Some(format!("mean of {}", g.labels[0])),
        bootstrap: None,
    })
}

fn z_means(settings: &TestSettings, data: &Data) -> Result<Outcome> {
    let method = settings.method.name();
    let count = match data {
        Data::Samples { samples, .. } => samples.len(),
        Data::Summary { n, .. } => n.len(),
        _ => 0,
    };
    let sigma = settings.sigma.as_deref();
    if count == 1 {
        allow_only(
            settings,
            &["--alternative", "--confidence", "--mu0", "--sigma"],
        )?;
        let sigma = match sigma {
            None => None,
            Some([s]) => Some(*s),
            Some(_) => bail_input!("{method}: one sample takes one --sigma value"),
        };
        let g = moment_groups(settings, data, 1, sigma.is_some(), ONE_SAMPLE)?;
        let (mu0, alt, conf) = (
            settings.mu0.unwrap_or(0.0),
            settings.alternative,
            settings.confidence,
        );
        let result = match &g.data {
            GroupData::Raw(v) => parametric::z_mean_one_sample(v[0], mu0, sigma, alt, conf),
            GroupData::Summary(m) => {
                parametric::z_mean_one_sample_from_moments(&m[0], mu0, sigma, alt, conf)
            }
        };
        return Ok(Outcome {
            result: call(settings, g.roles.clone(), result)?,
            groups: g.labels.clone(),
            effect: Some(format!("mean of {}", g.labels[0])),
            bootstrap: None,
        });
    }
    allow_only(settings, &["--alternative", "--confidence", "--sigma"])?;
    let sigma = match sigma {
        None => None,
        Some([s]) => Some([*s, *s]),
        Some([sx, sy]) => Some([*sx, *sy]),
        Some(_) => bail_input!("{method}: --sigma takes one value, or one per sample (x,y)"),
    };
    let g = moment_groups(settings, data, 2, sigma.is_some(), TWO_SAMPLES)?;
    let (alt, conf) = (settings.alternative, settings.confidence);
    let result = match &g.data {
        GroupData::Raw(v) => parametric::z_means_test(v[0], v[1], sigma, alt, conf),
        GroupData::Summary(m) => {
            parametric::z_means_test_from_moments(&m[0], &m[1], sigma, alt, conf)
        }
    };
    Ok(outcome(call(settings, g.roles.clone(), result)?, &g))
}

/// Successes and trials per group with the groups' names and roles.
struct Counts {
    successes: Vec<i64>,
    trials: Vec<i64>,
    labels: Vec<String>,
    roles: Option<String>,
}

/// Successes and trials per group, from typed counts or from a 0/1 value column.
fn proportions(settings: &TestSettings, data: &Data) -> Result<Counts> {
    let method = settings.method.name();
    let to_i64 = |v: u64, flag: &str| {
        i64::try_from(v).map_err(|_| crate::error::bad_input(format!("{flag} {v} is too large")))
    };
    match data {
        Data::Proportions { successes, trials } => {
            let s = successes
                .iter()
                .map(|v| to_i64(*v, "--successes"))
                .collect::<Result<Vec<_>>>()?;
            let t = trials
                .iter()
                .map(|v| to_i64(*v, "--trials"))
                .collect::<Result<Vec<_>>>()?;
            let labels = ["x", "y"]
                .iter()
                .take(s.len())
                .map(|l| l.to_string())
                .collect();
            Ok(Counts {
                successes: s,
                trials: t,
                labels,
                roles: None,
            })
        }
        Data::Samples { samples, .. } => {
            let mut s = Vec::new();
            let mut t = Vec::new();
            for sample in samples {
                if let Some(bad) = sample.values.iter().find(|v| **v != 0.0 && **v != 1.0) {
                    bail_input!(
                        "{method}: {} holds {bad}; proportions need a 0/1 value column",
                        sample.source
                    );
                }
                // The values are 0 or 1, so their sum is a whole number.
                #[allow(clippy::cast_possible_truncation)]
                s.push(sample.values.iter().sum::<f64>() as i64);
                t.push(to_i64(sample.values.len() as u64, "trials")?);
            }
            let labels = samples.iter().map(|x| x.label.clone()).collect();
            Ok(Counts {
                successes: s,
                trials: t,
                labels,
                roles: sample_roles(samples),
            })
        }
        _ => bail_input!(
            "{method}: needs --successes/--trials, or a 0/1 column with --data --value --group"
        ),
    }
}

fn z_proportions(settings: &TestSettings, data: &Data) -> Result<Outcome> {
    let method = settings.method.name();
    let Counts {
        successes: s,
        trials: t,
        labels,
        roles,
    } = proportions(settings, data)?;
    let (alt, conf) = (settings.alternative, settings.confidence);
    let (result, effect) = match (s.as_slice(), t.as_slice()) {
        ([s], [t]) => {
            allow_only(settings, &["--alternative", "--confidence", "--mu0"])?;
            let Some(p0) = settings.mu0 else {
                bail_input!("{method}: one proportion is tested against --mu0 P0 (0 < P0 < 1)");
            };
            (
                parametric::z_proportion_one_sample(*s, *t, p0, alt, conf),
                format!("proportion of {}", labels[0]),
            )
        }
        ([sx, sy], [tx, ty]) => {
            allow_only(settings, &["--alternative", "--confidence"])?;
            (
                parametric::z_proportions_test(*sx, *tx, *sy, *ty, true, alt, conf),
                format!("proportion {} − {}", labels[0], labels[1]),
            )
        }
        _ => bail_input!(
            "{method}: needs one or two groups but {} were given",
            s.len()
        ),
    };
    Ok(Outcome {
        result: call(settings, roles, result)?,
        groups: labels,
        effect: Some(effect),
        bootstrap: None,
    })
}

/// The contingency table as `f64` rows: typed with `--table`, or the 2x2 table of successes and
/// failures (rows x then y) from `--successes/--trials` or a 0/1 value column.
/// The rows come with their group names when they were built from groups.
fn table(settings: &TestSettings, data: &Data) -> Result<(Vec<Vec<f64>>, Vec<String>)> {
    let method = settings.method.name();
    match data {
        // Counts were parsed as whole numbers below 2^53, which f64 holds exactly.
        #[allow(clippy::cast_precision_loss)]
        Data::Table(rows) => Ok((
            rows.iter()
                .map(|row| row.iter().map(|c| *c as f64).collect())
                .collect(),
            Vec::new(),
        )),
        Data::Proportions { .. } | Data::Samples { .. } => {
            let counts = proportions(settings, data)?;
            if counts.successes.len() != 2 {
                bail_input!(
                    "{method}: a table from proportions needs two groups, got {}",
                    counts.successes.len()
                );
            }
            // Counts are below 2^53 (they come from u64 counts or sample sizes).
            #[allow(clippy::cast_precision_loss)]
            let rows = counts
                .successes
                .iter()
                .zip(&counts.trials)
                .map(|(s, t)| vec![*s as f64, (t - s) as f64])
                .collect();
            Ok((rows, counts.labels))
        }
        Data::Summary { .. } => bail_input!(
            "{method}: needs counts: --table 12,5/3,9 (rows separated by '/'), \
             --successes/--trials, or a 0/1 value column"
        ),
    }
}

fn goodness_of_fit(settings: &TestSettings, data: &Data) -> Result<Outcome> {
    allow_only(settings, &["--expected"])?;
    let (rows, _) = table(settings, data)?;
    let [observed] = rows.as_slice() else {
        bail_input!(
            "{}: goodness of fit takes one row of counts (--table 30,20,50), got {} rows",
            settings.method.name(),
            rows.len()
        );
    };
    if let Some(expected) = &settings.expected
        && expected.len() != observed.len()
    {
        bail_input!(
            "{}: --expected has {} shares but the row has {} counts",
            settings.method.name(),
            expected.len(),
            observed.len()
        );
    }
    let expected = settings.expected.as_deref();
    let result = if settings.method == Method::GTest {
        contingency::g_test_goodness_of_fit(observed, expected)
    } else {
        contingency::chi2_goodness_of_fit(observed, expected)
    };
    Ok(Outcome {
        result: call(settings, None, result)?,
        groups: Vec::new(),
        effect: None,
        bootstrap: None,
    })
}

fn independence(settings: &TestSettings, data: &Data) -> Result<Outcome> {
    allow_only(settings, &["--no-correction"])?;
    let (rows, groups) = table(settings, data)?;
    let result = if settings.method == Method::GTest {
        contingency::g_test_independence(&rows, settings.correction)
    } else {
        contingency::chi2_independence(&rows, settings.correction)
    };
    Ok(Outcome {
        result: call(settings, None, result)?,
        groups,
        effect: None,
        bootstrap: None,
    })
}

fn fisher_exact(settings: &TestSettings, data: &Data) -> Result<Outcome> {
    allow_only(settings, &["--alternative", "--confidence"])?;
    let (rows, groups) = table(settings, data)?;
    let table = call(settings, None, contingency::table_2x2(&rows))?;
    let result = contingency::fisher_exact(&table, settings.alternative, settings.confidence);
    let effect = match groups.as_slice() {
        [x, y] => format!("odds ratio {x} / {y} (conditional MLE)"),
        _ => "odds ratio (conditional MLE)".to_string(),
    };
    Ok(Outcome {
        result: call(settings, None, result)?,
        groups,
        effect: Some(effect),
        bootstrap: None,
    })
}

fn margin(value: MarginValue) -> parametric::Margin {
    if value.relative {
        parametric::Margin::Relative(value.value)
    } else {
        parametric::Margin::Absolute(value.value)
    }
}

fn tost(settings: &TestSettings, data: &Data) -> Result<Outcome> {
    allow_only(settings, &["--confidence", "--margin", "--pooled"])?;
    let method = settings.method.name();
    let (lower, upper) = match settings.margin.as_deref() {
        Some([m]) if m.value > 0.0 => (
            margin(MarginValue {
                value: -m.value,
                relative: m.relative,
            }),
            margin(*m),
        ),
        Some([m]) => bail_input!(
            "{method}: --margin {} must be greater than 0 (equivalence within ±margin)",
            m.value
        ),
        Some([lo, hi]) if lo.value < hi.value => (margin(*lo), margin(*hi)),
        Some([_, _]) => bail_input!("{method}: --margin LOWER,UPPER needs LOWER < UPPER"),
        _ => bail_input!("{method}: needs --margin (e.g. --margin 0.5 or --margin=-0.3,0.5)"),
    };
    // Equivalence at level α matches the (1 − 2α) interval: 90% for the usual α = 0.05.
    let confidence = if settings.given.contains(&"--confidence") {
        settings.confidence
    } else {
        0.90
    };
    let g = moment_groups(settings, data, 2, false, TWO_SAMPLES)?;
    let pooled = settings.pooled;
    let result = match &g.data {
        GroupData::Raw(v) => parametric::tost(v[0], v[1], lower, upper, pooled, confidence),
        GroupData::Summary(m) => {
            parametric::tost_from_moments(&m[0], &m[1], lower, upper, pooled, confidence)
        }
    };
    Ok(outcome(call(settings, g.roles.clone(), result)?, &g))
}

fn non_inferiority(settings: &TestSettings, data: &Data) -> Result<Outcome> {
    allow_only(
        settings,
        &["--alternative", "--confidence", "--margin", "--pooled"],
    )?;
    let method = settings.method.name();
    let delta = match settings.margin.as_deref() {
        Some([m]) if m.value >= 0.0 => margin(*m),
        Some([m]) => bail_input!(
            "{method}: --margin {} must not be negative; set the direction with --alternative",
            m.value
        ),
        Some(_) => bail_input!("{method}: takes one --margin value"),
        None => bail_input!("{method}: needs --margin (e.g. --margin 0.5 or --margin 2%)"),
    };
    let higher_is_better = match settings.alternative {
        Alternative::Greater => true,
        Alternative::Less => false,
        Alternative::TwoSided if !settings.given.contains(&"--alternative") => true,
        Alternative::TwoSided => bail_input!(
            "{method}: is one-sided; use --alternative greater (higher is better, the default) \
             or less (lower is better)"
        ),
    };
    let g = moment_groups(settings, data, 2, false, TWO_SAMPLES)?;
    let (pooled, conf) = (settings.pooled, settings.confidence);
    let result = match &g.data {
        GroupData::Raw(v) => {
            parametric::non_inferiority(v[0], v[1], delta, higher_is_better, pooled, conf)
        }
        GroupData::Summary(m) => parametric::non_inferiority_from_moments(
            &m[0],
            &m[1],
            delta,
            higher_is_better,
            pooled,
            conf,
        ),
    };
    Ok(outcome(call(settings, g.roles.clone(), result)?, &g))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_name_file_sources_only() {
        let x = Sample {
            label: "x".into(),
            source: "--x".into(),
            values: vec![1.0],
        };
        assert_eq!(sample_roles(&[x.clone(), x.clone()]), None);
        let t = Sample {
            label: "treatment".into(),
            source: "group 'treatment' of column 'variant'".into(),
            values: vec![1.0],
        };
        let roles = sample_roles(&[t, x]).unwrap_or_default();
        assert!(roles.starts_with("sample x is group 'treatment'"));
    }
}
