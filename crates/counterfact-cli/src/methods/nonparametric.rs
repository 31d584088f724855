//! Rank tests (Mann-Whitney, Wilcoxon, Kolmogorov-Smirnov) and resampling methods
//! (permutation, bootstrap): they need the unit-level values.

use anyhow::Result;
use counterfact_stats::rank::{self, KsOptions, MannWhitneyOptions, PValueMethod, WilcoxonOptions};
use counterfact_stats::resampling::{
    self, BootstrapOptions, IntervalMethod, OneSampleStatistic, PermutationOptions,
    TwoSampleStatistic,
};

use super::{Outcome, allow_only, call, pairs, sample_roles};
use crate::commands::test::{Data, TestSettings};
use crate::error::{bail_input, parse_option};
use crate::input::Sample;

const RAW_TWO_SAMPLES: &str =
    "give --data with --value/--group/--control/--treatment, or --x and --y values";

/// Default number of resamples, as scipy's permutation_test and bootstrap.
const DEFAULT_RESAMPLES: u64 = 9999;

/// The unit-level samples, `count` of them.
fn samples<'a>(settings: &TestSettings, data: &'a Data, count: usize) -> Result<&'a [Sample]> {
    let method = settings.method.name();
    match data {
        Data::Samples { samples, .. } if samples.len() == count => {
            if let Some(empty) = samples.iter().find(|s| s.values.is_empty()) {
                bail_input!("{method}: {} is empty", empty.source);
            }
            Ok(samples)
        }
        Data::Samples { samples, .. } => bail_input!(
            "{method}: needs {count} sample(s) but {} were given; {RAW_TWO_SAMPLES}",
            samples.len()
        ),
        _ => bail_input!(
            "{method}: needs unit-level values, not summaries or counts; {RAW_TWO_SAMPLES}"
        ),
    }
}

fn sample_count(data: &Data) -> usize {
    match data {
        Data::Samples { samples, .. } => samples.len(),
        _ => 0,
    }
}

fn p_method(settings: &TestSettings) -> Result<PValueMethod> {
    match settings.p_method.as_deref() {
        Some(name) => parse_option("--p-method", name),
        None => Ok(PValueMethod::Auto),
    }
}

fn resamples(settings: &TestSettings) -> u64 {
    settings
        .resamples
        .map_or(DEFAULT_RESAMPLES, |r| u64::try_from(r).unwrap_or(u64::MAX))
}

fn two_sample_outcome(result: counterfact_stats::TestResult, x: &Sample, y: &Sample) -> Outcome {
    Outcome {
        result,
        groups: vec![x.label.clone(), y.label.clone()],
        effect: Some(format!("{} − {}", x.label, y.label)),
        bootstrap: None,
    }
}

/// Mann-Whitney U test; x = treatment, y = control for labelled groups.
pub fn mann_whitney(settings: &TestSettings, data: &Data) -> Result<Outcome> {
    allow_only(settings, &["--alternative", "--confidence", "--p-method"])?;
    let s = samples(settings, data, 2)?;
    let options = MannWhitneyOptions {
        alternative: settings.alternative,
        method: p_method(settings)?,
        confidence: settings.confidence,
        ..MannWhitneyOptions::default()
    };
    let result = rank::mann_whitney_u(&s[0].values, &s[1].values, &options);
    Ok(two_sample_outcome(
        call(settings, sample_roles(s), result)?,
        &s[0],
        &s[1],
    ))
}

/// Wilcoxon signed-rank test on pairs x − y, or on one sample minus `--mu0`.
pub fn wilcoxon(settings: &TestSettings, data: &Data) -> Result<Outcome> {
    let options = WilcoxonOptions {
        alternative: settings.alternative,
        confidence: settings.confidence,
        method: p_method(settings)?,
        ..WilcoxonOptions::default()
    };
    if sample_count(data) == 1 {
        allow_only(
            settings,
            &["--alternative", "--confidence", "--p-method", "--mu0"],
        )?;
        let s = samples(settings, data, 1)?;
        let mu0 = settings.mu0.unwrap_or(0.0);
        let d: Vec<f64> = s[0].values.iter().map(|v| v - mu0).collect();
        let result = rank::wilcoxon_signed_rank(&d, &options);
        return Ok(Outcome {
            result: call(settings, sample_roles(s), result)?,
            groups: vec![s[0].label.clone()],
            effect: Some(format!("pseudo-median of {} − {mu0}", s[0].label)),
            bootstrap: None,
        });
    }
    allow_only(settings, &["--alternative", "--confidence", "--p-method"])?;
    let (x, y) = pairs(settings, data)?;
    let result = rank::wilcoxon_paired(&x.values, &y.values, &options);
    let pair = [x.clone(), y.clone()];
    Ok(Outcome {
        result: call(settings, sample_roles(&pair), result)?,
        groups: vec![format!("pairs {} − {}", x.label, y.label)],
        effect: Some(format!("pseudo-median of {} − {}", x.label, y.label)),
        bootstrap: None,
    })
}

/// Two-sample Kolmogorov-Smirnov test.
pub fn ks(settings: &TestSettings, data: &Data) -> Result<Outcome> {
    allow_only(settings, &["--alternative", "--p-method"])?;
    let s = samples(settings, data, 2)?;
    let options = KsOptions {
        alternative: settings.alternative,
        method: p_method(settings)?,
    };
    let result = rank::ks_2samp(&s[0].values, &s[1].values, &options);
    let mut outcome = two_sample_outcome(call(settings, sample_roles(s), result)?, &s[0], &s[1]);
    outcome.effect = None;
    Ok(outcome)
}

fn two_sample_statistic(settings: &TestSettings) -> Result<TwoSampleStatistic> {
    match settings.statistic.as_deref() {
        Some(name) => parse_option("--statistic", name),
        None => Ok(TwoSampleStatistic::MeanDiff),
    }
}

/// Permutation test of x versus y (seeded).
pub fn permutation(settings: &TestSettings, data: &Data) -> Result<Outcome> {
    allow_only(
        settings,
        &["--alternative", "--seed", "--resamples", "--statistic"],
    )?;
    let s = samples(settings, data, 2)?;
    let statistic = two_sample_statistic(settings)?;
    let options = PermutationOptions {
        alternative: settings.alternative,
        seed: settings.seed,
        n_resamples: resamples(settings),
    };
    let result = resampling::permutation_test(&s[0].values, &s[1].values, &statistic, &options);
    let mut outcome = two_sample_outcome(call(settings, sample_roles(s), result)?, &s[0], &s[1]);
    outcome.effect = Some(format!(
        "{} of {} vs {}",
        statistic.name(),
        s[0].label,
        s[1].label
    ));
    Ok(outcome)
}

/// Bootstrap confidence interval of a two-sample (or one-sample) statistic (seeded).
pub fn bootstrap(settings: &TestSettings, data: &Data) -> Result<Outcome> {
    allow_only(
        settings,
        &[
            "--alternative",
            "--confidence",
            "--seed",
            "--resamples",
            "--statistic",
            "--interval",
        ],
    )?;
    let interval = match settings.interval.as_deref() {
        Some(name) => parse_option::<IntervalMethod>("--interval", name)?,
        None => IntervalMethod::default(),
    };
    let options = BootstrapOptions {
        alternative: settings.alternative,
        confidence: settings.confidence,
        seed: settings.seed,
        n_resamples: resamples(settings),
        interval,
    };
    let (result, groups, effect) = if sample_count(data) == 1 {
        let s = samples(settings, data, 1)?;
        let statistic = match settings.statistic.as_deref() {
            Some(name) => parse_option("--statistic", name)?,
            None => OneSampleStatistic::Mean,
        };
        let result = resampling::bootstrap_one_sample(&s[0].values, &statistic, &options);
        (
            call(settings, sample_roles(s), result)?,
            vec![s[0].label.clone()],
            format!("{} of {}", statistic.name(), s[0].label),
        )
    } else {
        let s = samples(settings, data, 2)?;
        let statistic = two_sample_statistic(settings)?;
        let result =
            resampling::bootstrap_two_sample(&s[0].values, &s[1].values, &statistic, &options);
        (
            call(settings, sample_roles(s), result)?,
            vec![s[0].label.clone(), s[1].label.clone()],
            format!("{} of {} vs {}", statistic.name(), s[0].label, s[1].label),
        )
    };
    Ok(Outcome {
        result: result.to_test_result(),
        groups,
        effect: Some(effect),
        bootstrap: Some(result),
    })
}
