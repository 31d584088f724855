//! The statistics the resampling methods evaluate: one-sample summaries and two-sample contrasts,
//! with the command-line names they parse from.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use crate::error::{Result, StatsError, check_finite_arg};

/// A user-supplied two-sample statistic: `f(x, y)` for samples `x` and `y`.
pub type TwoSampleFn = Arc<dyn Fn(&[f64], &[f64]) -> f64 + Send + Sync>;

/// A statistic of one sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OneSampleStatistic {
    /// Arithmetic mean.
    Mean,
    /// Median (the average of the two middle values for an even count, as numpy).
    Median,
    /// Quantile at level `q` ∈ [0, 1], linear interpolation between order statistics
    /// (Hyndman & Fan 1996 type 7, numpy's default).
    Quantile(f64),
    /// Sample standard deviation (ddof = 1).
    Sd,
}

/// A statistic contrasting two samples `x` and `y`, always oriented x versus y.
#[derive(Clone)]
pub enum TwoSampleStatistic {
    /// mean(x) − mean(y).
    MeanDiff,
    /// median(x) − median(y).
    MedianDiff,
    /// quantile(x, q) − quantile(y, q), type-7 quantiles.
    QuantileDiff(f64),
    /// mean(x) / mean(y).
    MeanRatio,
    /// Any statistic given as a function of the two samples, with a display name.
    Custom {
        /// Name shown in results.
        name: String,
        /// The statistic.
        func: TwoSampleFn,
    },
}

/// Either kind of statistic, as named on the command line.
#[derive(Debug, Clone)]
pub enum Statistic {
    /// A one-sample statistic.
    One(OneSampleStatistic),
    /// A two-sample statistic.
    Two(TwoSampleStatistic),
}

impl fmt::Debug for TwoSampleStatistic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl OneSampleStatistic {
    /// The command-line name, e.g. `quantile:0.9`.
    pub fn name(&self) -> String {
        match self {
            OneSampleStatistic::Mean => "mean".to_string(),
            OneSampleStatistic::Median => "median".to_string(),
            OneSampleStatistic::Quantile(q) => format!("quantile:{q}"),
            OneSampleStatistic::Sd => "sd".to_string(),
        }
    }

    /// Checks the statistic's parameters (a quantile level must lie in [0, 1]).
    pub fn validate(&self) -> Result<()> {
        match self {
            OneSampleStatistic::Quantile(q) => check_level(*q),
            _ => Ok(()),
        }
    }

    /// The fewest observations for which the statistic is defined.
    pub fn min_n(&self) -> usize {
        match self {
            OneSampleStatistic::Sd => 2,
            _ => 1,
        }
    }

    /// Evaluates the statistic on a sample after checking it.
    pub fn compute(&self, x: &[f64]) -> Result<f64> {
        self.validate()?;
        crate::error::check_sample("sample x", x, self.min_n())?;
        let mut buf = x.to_vec();
        Ok(self.eval_in_place(&mut buf))
    }

    /// Evaluates the statistic on a checked, non-empty buffer, which it may reorder.
    pub(crate) fn eval_in_place(&self, buf: &mut [f64]) -> f64 {
        match self {
            OneSampleStatistic::Mean => mean(buf),
            OneSampleStatistic::Median => quantile_select(buf, 0.5),
            OneSampleStatistic::Quantile(q) => quantile_select(buf, *q),
            OneSampleStatistic::Sd => sd(buf),
        }
    }
}

impl TwoSampleStatistic {
    /// Wraps a function of two samples as a statistic called `name`.
    pub fn custom<F>(name: &str, func: F) -> Self
    where
        F: Fn(&[f64], &[f64]) -> f64 + Send + Sync + 'static,
    {
        TwoSampleStatistic::Custom {
            name: name.to_string(),
            func: Arc::new(func),
        }
    }

    /// The command-line name, e.g. `quantile-diff:0.9`.
    pub fn name(&self) -> String {
        match self {
            TwoSampleStatistic::MeanDiff => "mean-diff".to_string(),
            TwoSampleStatistic::MedianDiff => "median-diff".to_string(),
            TwoSampleStatistic::QuantileDiff(q) => format!("quantile-diff:{q}"),
            TwoSampleStatistic::MeanRatio => "mean-ratio".to_string(),
            TwoSampleStatistic::Custom { name, .. } => name.clone(),
        }
    }

    /// Checks the statistic's parameters (a quantile level must lie in [0, 1]).
    pub fn validate(&self) -> Result<()> {
        match self {
            TwoSampleStatistic::QuantileDiff(q) => check_level(*q),
            _ => Ok(()),
        }
    }

    /// Evaluates the statistic on two samples after checking them.
    pub fn compute(&self, x: &[f64], y: &[f64]) -> Result<f64> {
        self.validate()?;
        crate::error::check_sample("sample x", x, 1)?;
        crate::error::check_sample("sample y", y, 1)?;
        let mut bx = x.to_vec();
        let mut by = y.to_vec();
        Ok(self.eval_in_place(&mut bx, &mut by))
    }

    /// Evaluates the statistic on checked, non-empty buffers, which it may reorder.
    pub(crate) fn eval_in_place(&self, x: &mut [f64], y: &mut [f64]) -> f64 {
        match self {
            TwoSampleStatistic::MeanDiff => mean(x) - mean(y),
            TwoSampleStatistic::MedianDiff => quantile_select(x, 0.5) - quantile_select(y, 0.5),
            TwoSampleStatistic::QuantileDiff(q) => quantile_select(x, *q) - quantile_select(y, *q),
            TwoSampleStatistic::MeanRatio => mean(x) / mean(y),
            TwoSampleStatistic::Custom { func, .. } => func(x, y),
        }
    }
}

impl Statistic {
    /// The command-line name.
    pub fn name(&self) -> String {
        match self {
            Statistic::One(s) => s.name(),
            Statistic::Two(s) => s.name(),
        }
    }
}

fn check_level(q: f64) -> Result<()> {
    check_finite_arg("quantile level", q)?;
    if (0.0..=1.0).contains(&q) {
        Ok(())
    } else {
        Err(StatsError::invalid(
            "quantile level",
            q,
            "must lie in [0, 1]",
        ))
    }
}

fn parse_level(s: &str, text: &str) -> Result<f64> {
    let q: f64 = text
        .trim()
        .parse()
        .map_err(|_| StatsError::invalid("statistic", s, "the quantile level must be a number"))?;
    check_level(q)?;
    Ok(q)
}

impl FromStr for OneSampleStatistic {
    type Err = StatsError;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "mean" => Ok(OneSampleStatistic::Mean),
            "median" => Ok(OneSampleStatistic::Median),
            "sd" => Ok(OneSampleStatistic::Sd),
            _ => match s.strip_prefix("quantile:") {
                Some(q) => Ok(OneSampleStatistic::Quantile(parse_level(s, q)?)),
                None => Err(StatsError::invalid(
                    "statistic",
                    s,
                    "one-sample statistics are mean, median, sd, quantile:<q>",
                )),
            },
        }
    }
}

impl FromStr for TwoSampleStatistic {
    type Err = StatsError;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "mean-diff" => Ok(TwoSampleStatistic::MeanDiff),
            "median-diff" => Ok(TwoSampleStatistic::MedianDiff),
            "mean-ratio" => Ok(TwoSampleStatistic::MeanRatio),
            _ => match s.strip_prefix("quantile-diff:") {
                Some(q) => Ok(TwoSampleStatistic::QuantileDiff(parse_level(s, q)?)),
                None => Err(StatsError::invalid(
                    "statistic",
                    s,
                    "two-sample statistics are mean-diff, median-diff, mean-ratio, \
                     quantile-diff:<q>",
                )),
            },
        }
    }
}

impl FromStr for Statistic {
    type Err = StatsError;

    fn from_str(s: &str) -> Result<Self> {
        if let Ok(two) = s.parse::<TwoSampleStatistic>() {
            return Ok(Statistic::Two(two));
        }
        if let Ok(one) = s.parse::<OneSampleStatistic>() {
            return Ok(Statistic::One(one));
        }
        Err(StatsError::invalid(
            "statistic",
            s,
            "must be one of mean, median, sd, quantile:<q>, mean-diff, median-diff, mean-ratio, \
             quantile-diff:<q> (q in [0, 1])",
        ))
    }
}

impl fmt::Display for OneSampleStatistic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl fmt::Display for TwoSampleStatistic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// Mean by pairwise-blocked summation (eight accumulators), as accurate as numpy's.
pub(crate) fn mean(x: &[f64]) -> f64 {
    sum(x) / x.len() as f64
}

/// Sum with eight independent accumulators: fast and with error growing like n/8 rather than n.
pub(crate) fn sum(x: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let chunks = x.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for (a, v) in acc.iter_mut().zip(c) {
            *a += v;
        }
    }
    let tail: f64 = rest.iter().sum();
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + tail
}

fn sd(x: &[f64]) -> f64 {
    let m = mean(x);
    let ss: f64 = x.iter().map(|v| (v - m) * (v - m)).sum();
    (ss / (x.len() as f64 - 1.0)).sqrt()
}

/// Linear interpolation as numpy computes it (`numpy._lerp`): from the nearer end, so that
/// results are monotone in `t` and bit-identical to `np.quantile`.
#[inline]
pub(crate) fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let d = b - a;
    if t >= 0.5 {
        b - d * (1.0 - t)
    } else {
        a + d * t
    }
}

/// Type-7 quantile by selection: O(n), reorders `x`. A level of exactly 0.5 averages the two
/// middle values as `np.median` does.
pub(crate) fn quantile_select(x: &mut [f64], q: f64) -> f64 {
    let n = x.len();
    let h = q * (n - 1) as f64;
    let lo = (h.floor() as usize).min(n - 1);
    let frac = h - lo as f64;
    let (_, lo_val, upper) = x.select_nth_unstable_by(lo, f64::total_cmp);
    let lo_val = *lo_val;
    if frac == 0.0 || upper.is_empty() {
        return lo_val;
    }
    let hi_val = upper.iter().copied().fold(f64::INFINITY, f64::min);
    interpolate(lo_val, hi_val, frac, q)
}

/// Interpolates between neighbouring order statistics: the average for the median, numpy's
/// `lerp` otherwise.
#[inline]
pub(crate) fn interpolate(a: f64, b: f64, frac: f64, q: f64) -> f64 {
    if q == 0.5 {
        (a + b) / 2.0
    } else {
        lerp(a, b, frac)
    }
}

/// Type-7 quantile of an ascending slice, with the same interpolation as [`quantile_select`].
pub(crate) fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let h = q * (n - 1) as f64;
    let lo = (h.floor() as usize).min(n - 1);
    let frac = h - lo as f64;
    if frac == 0.0 || lo + 1 >= n {
        return sorted[lo];
    }
    interpolate(sorted[lo], sorted[lo + 1], frac, q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in [
            "mean-diff",
            "median-diff",
            "quantile-diff:0.9",
            "mean-ratio",
        ] {
            let st: TwoSampleStatistic = s.parse().unwrap();
            assert_eq!(st.name(), s);
        }
        for s in ["mean", "median", "quantile:0.9", "sd"] {
            let st: OneSampleStatistic = s.parse().unwrap();
            assert_eq!(st.name(), s);
        }
        assert!(matches!(
            "quantile:0.25".parse::<Statistic>(),
            Ok(Statistic::One(_))
        ));
        assert!("quantile:1.5".parse::<Statistic>().is_err());
        assert!("quantile-diff:x".parse::<TwoSampleStatistic>().is_err());
        assert!("mode".parse::<Statistic>().is_err());
    }

    #[test]
    fn quantiles_match_numpy_linear() {
        let mut x = vec![3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];
        let mut s = x.clone();
        s.sort_by(f64::total_cmp);
        for q in [0.0, 0.1, 0.25, 0.5, 0.9, 1.0] {
            assert_eq!(quantile_select(&mut x, q), quantile_sorted(&s, q));
        }
        // np.median([3,1,4,1,5,9,2,6]) = 3.5; np.quantile(..., 0.9) = 6.9
        assert_eq!(quantile_sorted(&s, 0.5), 3.5);
        assert!((quantile_sorted(&s, 0.9) - 6.9).abs() < 1e-12);
    }
}
