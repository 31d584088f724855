//! Nonparametric bootstrap confidence intervals: percentile, basic and BCa, for one-sample
//! statistics and for two-sample contrasts with independent resampling within each sample.

use std::fmt;
use std::str::FromStr;

use rayon::prelude::*;
use serde::Serialize;

use super::bca;
use super::poisson_one::PoissonOne;
use super::statistic::{OneSampleStatistic, TwoSampleStatistic, mean};
use super::{Bits, IndexSampler, WORDS};
use super::{
    block_len, bounded_index, check_bootstrap_resamples, domain, item_rng, n_blocks,
    sorted_quantile,
};
use crate::dist::{ContinuousDistribution, Normal};
use crate::error::{Result, StatsError, check_confidence, check_sample};
use crate::result::{Alternative, TestResult};

/// How the confidence interval is read off the bootstrap distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IntervalMethod {
    /// Quantiles of the replicates (Efron 1981).
    Percentile,
    /// Replicate quantiles reflected about the estimate, 2θ̂ − q (Davison & Hinkley 1997, §5.2).
    Basic,
    /// Bias-corrected and accelerated percentiles (Efron 1987).
    #[default]
    Bca,
}

impl IntervalMethod {
    /// The kebab-case name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            IntervalMethod::Percentile => "percentile",
            IntervalMethod::Basic => "basic",
            IntervalMethod::Bca => "bca",
        }
    }
}

impl fmt::Display for IntervalMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for IntervalMethod {
    type Err = StatsError;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "percentile" => Ok(IntervalMethod::Percentile),
            "basic" => Ok(IntervalMethod::Basic),
            "bca" | "BCa" => Ok(IntervalMethod::Bca),
            other => Err(StatsError::invalid(
                "interval method",
                other,
                "must be one of percentile, basic, bca",
            )),
        }
    }
}

/// Settings of the bootstrap functions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BootstrapOptions {
    /// Number of bootstrap resamples B.
    pub n_resamples: u64,
    /// Confidence level of the interval, in (0, 1).
    pub confidence: f64,
    /// Interval construction.
    pub interval: IntervalMethod,
    /// Two-sided interval, or a one-sided bound (the other end infinite).
    pub alternative: Alternative,
    /// Seed of the resampling.
    pub seed: u64,
}

impl Default for BootstrapOptions {
    fn default() -> Self {
        BootstrapOptions {
            n_resamples: 9999,
            confidence: 0.95,
            interval: IntervalMethod::Bca,
            alternative: Alternative::TwoSided,
            seed: 0,
        }
    }
}

/// A bootstrap confidence interval: plain data, serializable with stable snake_case names.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct BootstrapResult {
    /// "bootstrap" or "poisson-bootstrap".
    pub method: String,
    /// How the interval was formed.
    pub interval_method: IntervalMethod,
    /// Name of the statistic, e.g. "mean-diff".
    pub statistic: String,
    /// Two-sided interval or one-sided bound.
    pub alternative: Alternative,
    /// The statistic on the observed data.
    pub estimate: f64,
    /// Confidence interval `[lo, hi]`; a one-sided bound has an infinite end (JSON `null`).
    pub ci: [f64; 2],
    /// Confidence level.
    pub confidence: f64,
    /// Bootstrap standard error: sample standard deviation (ddof = 1) of the replicates.
    pub std_error: f64,
    /// Number of replicates the interval is based on.
    pub n_resamples: u64,
    /// Observations per sample, in input order.
    pub n: Vec<u64>,
    /// BCa bias correction z0 (BCa only).
    pub bias_correction: Option<f64>,
    /// BCa jackknife acceleration `a` (BCa only).
    pub acceleration: Option<f64>,
    /// Seed of the resampling.
    pub seed: u64,
}

impl BootstrapResult {
    /// The interval as a [`TestResult`] (p-value NaN, since an interval is not a test), so that
    /// tools rendering test results can show it; z0, `a`, B and the seed go to `extra`.
    pub fn to_test_result(&self) -> TestResult {
        let mut r = TestResult::new(
            &format!("{}-{}", self.method, self.interval_method),
            self.alternative,
            self.estimate,
            f64::NAN,
            self.n.clone(),
        )
        .with_estimate(self.estimate, self.ci, self.confidence)
        .with_std_error(self.std_error)
        .with_extra("n_resamples", self.n_resamples as f64)
        .with_note(format!("statistic: {}", self.statistic))
        .with_note(format!("seed: {}", self.seed));
        if let Some(z0) = self.bias_correction {
            r = r.with_extra("bias_correction", z0);
        }
        if let Some(a) = self.acceleration {
            r = r.with_extra("acceleration", a);
        }
        r
    }
}

fn check_options(options: &BootstrapOptions) -> Result<()> {
    check_confidence(options.confidence)?;
    check_bootstrap_resamples(options.n_resamples)
}

/// Draws resamples of one sample: the mean by summing random picks of the centered data (no
/// buffer), anything else by filling `buf` and evaluating.
struct Resampler<'a> {
    data: &'a [f64],
    centered: Vec<f64>,
    center: f64,
    poisson: PoissonOne,
}

/// Sample size from which a resample's mean is formed from multinomial counts in one sequential
/// pass rather than from n random picks, whose gathers miss the cache.
const COUNTS_MIN_N: usize = 1 << 14;

impl<'a> Resampler<'a> {
    fn new(data: &'a [f64], needs_mean: bool) -> Self {
        let center = if needs_mean { mean(data) } else { 0.0 };
        let centered = if needs_mean {
            data.iter().map(|v| v - center).collect()
        } else {
            Vec::new()
        };
        Resampler {
            data,
            centered,
            center,
            poisson: PoissonOne::new(),
        }
    }

    /// The sum of n picks with replacement from the centered sample, as Σ c_i z_i with
    /// multinomial counts c: iid Poisson(1) counts drawn in one sequential pass are, given their
    /// total t, Multinomial(t, 1/n) (Johnson, Kotz & Balakrishnan 1997, ch. 35); removing t − n
    /// uniformly chosen picks (an observation with probability ∝ its count, by rejection) or
    /// adding n − t uniform picks then gives exactly Multinomial(n, 1/n). The correction takes
    /// O(√n) draws.
    fn multinomial_sum(&self, rng: &mut Bits, counts: &mut Vec<u8>) -> f64 {
        let z = &self.centered;
        let n = z.len();
        counts.clear();
        counts.resize(n, 0);
        let mut bytes = [0u8; WORDS * 4];
        let mut acc = [0.0f64; 4];
        let (mut total, mut max_count) = (0usize, 0u8);
        for (zc, cc) in z.chunks(bytes.len()).zip(counts.chunks_mut(bytes.len())) {
            rng.bytes(&mut bytes);
            for (k, ((&v, c), &b)) in zc.iter().zip(cc.iter_mut()).zip(&bytes).enumerate() {
                let w = self.poisson.weight(b, rng);
                *c = w;
                total += usize::from(w);
                max_count = max_count.max(w);
                acc[k & 3] += f64::from(w) * v;
            }
        }
        let mut sum = (acc[0] + acc[1]) + (acc[2] + acc[3]);
        while total > n {
            let i = bounded_index(rng, n as u64);
            if bounded_index(rng, u64::from(max_count)) < usize::from(counts[i]) {
                counts[i] -= 1;
                sum -= z[i];
                total -= 1;
            }
        }
        while total < n {
            sum += z[bounded_index(rng, n as u64)];
            total += 1;
        }
        sum
    }

    /// The mean of one resample.
    #[inline]
    fn resample_mean(&self, rng: &mut Bits, counts: &mut Vec<u8>) -> f64 {
        let z = &self.centered;
        if z.len() >= COUNTS_MIN_N {
            return self.center + self.multinomial_sum(rng, counts) / z.len() as f64;
        }
        let mut acc = [0.0f64; 4];
        match IndexSampler::new(z.len() as u64) {
            Some(sampler) => {
                let mut words = [0u32; WORDS];
                let mut picks = [0usize; WORDS];
                let mut remaining = z.len();
                while remaining > 0 {
                    let len = remaining.min(WORDS);
                    rng.words(&mut words);
                    // Indices first, then the gather: independent loads the CPU overlaps.
                    for (p, &w) in picks.iter_mut().zip(&words[..len]) {
                        *p = sampler.index(w, rng);
                    }
                    for (k, &p) in picks[..len].iter().enumerate() {
                        acc[k & 3] += z[p];
                    }
                    remaining -= len;
                }
            }
            None => {
                for k in 0..z.len() {
                    acc[k & 3] += z[bounded_index(rng, z.len() as u64)];
                }
            }
        }
        self.center + ((acc[0] + acc[1]) + (acc[2] + acc[3])) / z.len() as f64
    }

    /// Fills `buf` with one resample.
    #[inline]
    fn resample_into(&self, rng: &mut Bits, buf: &mut Vec<f64>) {
        let n = self.data.len();
        buf.clear();
        match IndexSampler::new(n as u64) {
            Some(sampler) => {
                let mut words = [0u32; WORDS];
                while buf.len() < n {
                    let len = (n - buf.len()).min(WORDS);
                    rng.words(&mut words);
                    for &w in &words[..len] {
                        buf.push(self.data[sampler.index(w, rng)]);
                    }
                }
            }
            None => buf.extend((0..n).map(|_| self.data[bounded_index(rng, n as u64)])),
        }
    }
}

/// Replicates of `one_replicate`, generated in blocks with one ChaCha8 stream per block and
/// concatenated in block order: identical on any thread count.
fn replicates<S, I, F>(n_resamples: u64, seed: u64, init: I, one_replicate: F) -> Vec<f64>
where
    I: Fn() -> S + Sync,
    F: Fn(&mut Bits, &mut S) -> f64 + Sync,
{
    let blocks: Vec<Vec<f64>> = (0..n_blocks(n_resamples))
        .into_par_iter()
        .map(|block| {
            let mut rng = item_rng(seed, domain::BOOTSTRAP, 0, block);
            let mut state = init();
            (0..block_len(block, n_resamples))
                .map(|_| one_replicate(&mut rng, &mut state))
                .collect()
        })
        .collect();
    blocks.concat()
}

/// Bootstrap confidence interval of a one-sample statistic (Efron 1979; Efron & Tibshirani
/// 1993), with `scipy.stats.bootstrap` semantics: B resamples of size n with replacement, type-7
/// quantiles of the replicates, BCa with the jackknife acceleration.
pub fn bootstrap_one_sample(
    x: &[f64],
    statistic: &OneSampleStatistic,
    options: &BootstrapOptions,
) -> Result<BootstrapResult> {
    statistic.validate()?;
    check_options(options)?;
    check_sample("sample x", x, 2.max(statistic.min_n()))?;
    let estimate = statistic.eval_in_place(&mut x.to_vec());
    let is_mean = matches!(statistic, OneSampleStatistic::Mean);
    let sampler = Resampler::new(x, is_mean);
    let reps = replicates(
        options.n_resamples,
        options.seed,
        Default::default,
        |rng, (buf, counts)| {
            if is_mean {
                sampler.resample_mean(rng, counts)
            } else {
                sampler.resample_into(rng, buf);
                statistic.eval_in_place(buf)
            }
        },
    );
    let deviations = || Ok(vec![bca::one_sample_deviations(x, statistic)?]);
    finish(
        "bootstrap",
        &statistic.name(),
        estimate,
        reps,
        vec![x.len() as u64],
        options,
        deviations,
    )
}

/// Bootstrap confidence interval of a two-sample statistic of x versus y, resampling each
/// sample independently within itself (`scipy.stats.bootstrap` with `paired=False`).
pub fn bootstrap_two_sample(
    x: &[f64],
    y: &[f64],
    statistic: &TwoSampleStatistic,
    options: &BootstrapOptions,
) -> Result<BootstrapResult> {
    statistic.validate()?;
    check_options(options)?;
    check_sample("sample x", x, 2)?;
    check_sample("sample y", y, 2)?;
    let estimate = statistic.eval_in_place(&mut x.to_vec(), &mut y.to_vec());
    if !estimate.is_finite() {
        return Err(StatsError::Degenerate(format!(
            "the {} of the observed samples is {estimate}",
            statistic.name()
        )));
    }
    let fast_means = matches!(
        statistic,
        TwoSampleStatistic::MeanDiff | TwoSampleStatistic::MeanRatio
    );
    let sx = Resampler::new(x, fast_means);
    let sy = Resampler::new(y, fast_means);
    let reps = replicates(
        options.n_resamples,
        options.seed,
        || (Vec::new(), Vec::new(), Vec::new()),
        |rng, (bx, by, counts)| match statistic {
            TwoSampleStatistic::MeanDiff => {
                sx.resample_mean(rng, counts) - sy.resample_mean(rng, counts)
            }
            TwoSampleStatistic::MeanRatio => {
                let mx = sx.resample_mean(rng, counts);
                mx / sy.resample_mean(rng, counts)
            }
            _ => {
                sx.resample_into(rng, bx);
                sy.resample_into(rng, by);
                statistic.eval_in_place(bx, by)
            }
        },
    );
    let deviations = || {
        let (dx, dy) = bca::two_sample_deviations(x, y, statistic)?;
        Ok(vec![dx, dy])
    };
    finish(
        "bootstrap",
        &statistic.name(),
        estimate,
        reps,
        vec![x.len() as u64, y.len() as u64],
        options,
        deviations,
    )
}

/// The interval from the replicates: shared by the ordinary and the Poisson bootstrap.
pub(crate) fn finish(
    method: &str,
    statistic: &str,
    estimate: f64,
    mut reps: Vec<f64>,
    n: Vec<u64>,
    options: &BootstrapOptions,
    deviations: impl FnOnce() -> Result<Vec<Vec<f64>>>,
) -> Result<BootstrapResult> {
    if let Some(bad) = reps.iter().find(|v| !v.is_finite()) {
        return Err(StatsError::Degenerate(format!(
            "a bootstrap replicate of the {statistic} is {bad} (e.g. a resample with zero mean \
             in a ratio): the bootstrap distribution is undefined"
        )));
    }
    let b = reps.len();
    let rep_mean = reps.iter().sum::<f64>() / b as f64;
    let std_error = (reps
        .iter()
        .map(|v| (v - rep_mean) * (v - rep_mean))
        .sum::<f64>()
        / (b - 1) as f64)
        .sqrt();
    let alpha = match options.alternative {
        Alternative::TwoSided => (1.0 - options.confidence) / 2.0,
        _ => 1.0 - options.confidence,
    };
    let (levels, z0, a) = match options.interval {
        IntervalMethod::Bca => {
            let z0 = bca::bias_correction(&reps, estimate);
            if !z0.is_finite() {
                return Err(StatsError::Degenerate(format!(
                    "the BCa interval is undefined: all {b} bootstrap replicates lie on one side \
                     of the estimate {estimate} (degenerate data?)"
                )));
            }
            let a = bca::acceleration(&deviations()?)?;
            let normal = Normal::standard();
            let level = |z: f64| {
                let num = z0 + z;
                normal.cdf(z0 + num / (1.0 - a * num))
            };
            let z_alpha = normal.quantile(alpha);
            ((level(z_alpha), level(-z_alpha)), Some(z0), Some(a))
        }
        _ => ((alpha, 1.0 - alpha), None, None),
    };
    reps.sort_unstable_by(f64::total_cmp);
    let lo = sorted_quantile(&reps, levels.0);
    let hi = sorted_quantile(&reps, levels.1);
    if lo.is_nan() || hi.is_nan() {
        return Err(StatsError::Degenerate(format!(
            "the {} interval is undefined for these data",
            options.interval
        )));
    }
    let mut ci = match options.interval {
        IntervalMethod::Basic => [2.0 * estimate - hi, 2.0 * estimate - lo],
        _ => [lo, hi],
    };
    match options.alternative {
        Alternative::Less => ci[0] = f64::NEG_INFINITY,
        Alternative::Greater => ci[1] = f64::INFINITY,
        Alternative::TwoSided => {}
    }
    Ok(BootstrapResult {
        method: method.to_string(),
        interval_method: options.interval,
        statistic: statistic.to_string(),
        alternative: options.alternative,
        estimate,
        ci,
        confidence: options.confidence,
        std_error,
        n_resamples: b as u64,
        n,
        bias_correction: z0,
        acceleration: a,
        seed: options.seed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resampling::item_rng;

    #[test]
    fn same_bits_on_any_thread_count() {
        let x: Vec<f64> = (0..500).map(|i| (i as f64 * 0.37).sin() * 3.0).collect();
        let y: Vec<f64> = (0..400).map(|i| (i as f64 * 0.53).cos() + 0.1).collect();
        let opts = BootstrapOptions {
            n_resamples: 999,
            ..Default::default()
        };
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        for stat in [TwoSampleStatistic::MeanDiff, TwoSampleStatistic::MedianDiff] {
            let a = one.install(|| bootstrap_two_sample(&x, &y, &stat, &opts).unwrap());
            let b = bootstrap_two_sample(&x, &y, &stat, &opts).unwrap();
            assert_eq!(a, b);
        }
    }

    #[test]
    fn multinomial_counts_have_the_multinomial_law() {
        // With values 1, 10, 100 the resample sum encodes the counts (c0, c1, c2), whose law is
        // Multinomial(3, 1/3): 1/27 for (3,0,0), 3/27 for (2,1,0), 6/27 for (1,1,1).
        let data = [1.0, 10.0, 100.0];
        let sampler = Resampler {
            data: &data,
            centered: data.to_vec(),
            center: 0.0,
            poisson: PoissonOne::new(),
        };
        let mut rng = item_rng(9, 0, 0, 0);
        let mut counts = Vec::new();
        let runs = 270_000;
        let mut seen = std::collections::BTreeMap::new();
        for _ in 0..runs {
            let sum = sampler.multinomial_sum(&mut rng, &mut counts);
            *seen.entry(sum as u64).or_insert(0u64) += 1;
        }
        assert_eq!(seen.len(), 10, "{seen:?}");
        for (sum, want) in [(3u64, 1.0), (300, 1.0), (12, 3.0), (201, 3.0), (111, 6.0)] {
            let p = want / 27.0;
            let got = seen[&sum] as f64 / runs as f64;
            let sd = (p * (1.0 - p) / runs as f64).sqrt();
            assert!((got - p).abs() < 5.0 * sd, "sum {sum}: {got} vs {p}");
        }
    }

    #[test]
    fn constant_data_is_a_clear_error() {
        let x = [2.0; 10];
        let r = bootstrap_one_sample(&x, &OneSampleStatistic::Mean, &BootstrapOptions::default());
        assert!(matches!(r, Err(StatsError::Degenerate(_))));
        let opts = BootstrapOptions {
            interval: IntervalMethod::Percentile,
            ..Default::default()
        };
        let r = bootstrap_one_sample(&x, &OneSampleStatistic::Mean, &opts).unwrap();
        assert_eq!(r.ci, [2.0, 2.0]);
    }
}
