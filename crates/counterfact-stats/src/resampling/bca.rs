//! Constants of the bias-corrected and accelerated (BCa) bootstrap interval: the bias correction
//! z0 from the bootstrap replicates and the acceleration `a` from the jackknife (Efron 1987,
//! JASA 82(397); Efron & Tibshirani 1993, §14.3, eq. 14.15), as `scipy.stats.bootstrap` computes
//! them.
//!
//! The jackknife of means, ratios of means and quantiles takes O(n) or O(n log n) time: the
//! leave-one-out values follow from the full-sample sums or the sorted sample, and are formed as
//! deviations from the full-sample statistic so that no precision is lost to cancellation.

use super::statistic::{OneSampleStatistic, TwoSampleStatistic, interpolate, mean};
use crate::dist::{ContinuousDistribution, Normal};
use crate::error::{Result, StatsError, check_sample};

/// Bias correction z0 = Φ⁻¹(p), with p the share of replicates below the estimate, ties counted
/// half (Efron & Tibshirani 1993, eq. 14.14, with scipy's tie rule).
pub fn bias_correction(replicates: &[f64], estimate: f64) -> f64 {
    if replicates.is_empty() {
        return f64::NAN;
    }
    let below = replicates.iter().filter(|&&t| t < estimate).count();
    let at_or_below = replicates.iter().filter(|&&t| t <= estimate).count();
    let share = (below + at_or_below) as f64 / (2 * replicates.len()) as f64;
    Normal::standard().quantile(share)
}

/// Jackknife acceleration `a` of a one-sample statistic (Efron 1987, eq. 6.6): with U_i =
/// (n − 1)(θ̄ − θ₍ᵢ₎), a = Σ U³ / n³ / (6 (Σ U² / n²)^{3/2}).
pub fn jackknife_acceleration_one_sample(x: &[f64], statistic: &OneSampleStatistic) -> Result<f64> {
    statistic.validate()?;
    check_sample("sample x", x, 2)?;
    let d = one_sample_deviations(x, statistic)?;
    acceleration(&[d])
}

/// Jackknife acceleration `a` of a two-sample statistic, leaving out one observation of one
/// sample at a time and summing the per-sample terms as scipy does.
pub fn jackknife_acceleration_two_sample(
    x: &[f64],
    y: &[f64],
    statistic: &TwoSampleStatistic,
) -> Result<f64> {
    statistic.validate()?;
    check_sample("sample x", x, 2)?;
    check_sample("sample y", y, 2)?;
    let (dx, dy) = two_sample_deviations(x, y, statistic)?;
    acceleration(&[dx, dy])
}

/// `a` from the per-sample leave-one-out deviations θ₍ᵢ₎ − θ̂.
pub(crate) fn acceleration(deviations: &[Vec<f64>]) -> Result<f64> {
    let mut num = 0.0;
    let mut den = 0.0;
    for d in deviations {
        let n = d.len() as f64;
        let dbar = d.iter().sum::<f64>() / n;
        let (mut s2, mut s3) = (0.0, 0.0);
        for &di in d {
            let u = (n - 1.0) * (dbar - di);
            s2 += u * u;
            s3 += u * u * u;
        }
        num += s3 / (n * n * n);
        den += s2 / (n * n);
    }
    let a = num / (6.0 * den.powf(1.5));
    if a.is_finite() {
        Ok(a)
    } else {
        Err(StatsError::Degenerate(
            "the BCa acceleration is undefined: every leave-one-out estimate equals the full \
             estimate (constant data?)"
                .to_string(),
        ))
    }
}

/// Leave-one-out deviations θ₍ᵢ₎ − θ̂ of a one-sample statistic.
pub(crate) fn one_sample_deviations(x: &[f64], statistic: &OneSampleStatistic) -> Result<Vec<f64>> {
    match statistic {
        OneSampleStatistic::Mean => Ok(mean_deviations(x, 1.0)),
        OneSampleStatistic::Median => Ok(quantile_deviations(x, 0.5, 1.0)),
        OneSampleStatistic::Quantile(q) => Ok(quantile_deviations(x, *q, 1.0)),
        OneSampleStatistic::Sd => sd_deviations(x),
    }
}

/// Leave-one-out deviations of a two-sample statistic, for x's and for y's observations.
pub(crate) fn two_sample_deviations(
    x: &[f64],
    y: &[f64],
    statistic: &TwoSampleStatistic,
) -> Result<(Vec<f64>, Vec<f64>)> {
    Ok(match statistic {
        TwoSampleStatistic::MeanDiff => (mean_deviations(x, 1.0), mean_deviations(y, -1.0)),
        TwoSampleStatistic::MedianDiff => (
            quantile_deviations(x, 0.5, 1.0),
            quantile_deviations(y, 0.5, -1.0),
        ),
        TwoSampleStatistic::QuantileDiff(q) => (
            quantile_deviations(x, *q, 1.0),
            quantile_deviations(y, *q, -1.0),
        ),
        TwoSampleStatistic::MeanRatio => {
            let (mx, my) = (mean(x), mean(y));
            let dx = mean_deviations(x, 1.0 / my);
            let m1 = (y.len() - 1) as f64;
            let dy = y
                .iter()
                .map(|&v| {
                    let shift = (my - v) / m1;
                    -mx * shift / ((my + shift) * my)
                })
                .collect();
            (dx, dy)
        }
        TwoSampleStatistic::Custom { func, .. } => {
            let full = func(x, y);
            let mut buf = Vec::with_capacity(x.len().max(y.len()));
            let dx = leave_one_out(x, &mut buf, |b| func(b, y) - full);
            let dy = leave_one_out(y, &mut buf, |b| func(x, b) - full);
            (dx, dy)
        }
    })
}

fn leave_one_out(s: &[f64], buf: &mut Vec<f64>, mut f: impl FnMut(&[f64]) -> f64) -> Vec<f64> {
    (0..s.len())
        .map(|i| {
            buf.clear();
            buf.extend_from_slice(&s[..i]);
            buf.extend_from_slice(&s[i + 1..]);
            f(buf)
        })
        .collect()
}

/// Deviations of leave-one-out means, scaled by `scale`: (x̄ − x_i)/(n − 1).
fn mean_deviations(x: &[f64], scale: f64) -> Vec<f64> {
    let m = mean(x);
    let n1 = (x.len() - 1) as f64;
    x.iter().map(|&v| scale * (m - v) / n1).collect()
}

/// Deviations of leave-one-out type-7 quantiles from the sorted sample, scaled by `scale`.
fn quantile_deviations(x: &[f64], q: f64, scale: f64) -> Vec<f64> {
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    let full = super::statistic::quantile_sorted(&s, q);
    let n = s.len();
    let h = q * (n - 2) as f64;
    let lo = (h.floor() as usize).min(n - 2);
    let frac = h - lo as f64;
    (0..n)
        .map(|removed| {
            let at = |k: usize| if k < removed { s[k] } else { s[k + 1] };
            let value = if frac == 0.0 || lo + 1 >= n - 1 {
                at(lo)
            } else {
                interpolate(at(lo), at(lo + 1), frac, q)
            };
            scale * (value - full)
        })
        .collect()
}

/// Deviations of leave-one-out standard deviations, from the downdated sum of squares.
fn sd_deviations(x: &[f64]) -> Result<Vec<f64>> {
    let n = x.len();
    if n < 3 {
        return Err(StatsError::TooFew {
            what: "sample x (jackknife of the standard deviation)".to_string(),
            n,
            min: 3,
        });
    }
    let m = mean(x);
    let m2: f64 = x.iter().map(|v| (v - m) * (v - m)).sum();
    let nf = n as f64;
    let full = (m2 / (nf - 1.0)).sqrt();
    Ok(x.iter()
        .map(|&v| {
            let loo = (m2 - (v - m) * (v - m) * nf / (nf - 1.0)).max(0.0);
            (loo / (nf - 2.0)).sqrt() - full
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute(x: &[f64], stat: &OneSampleStatistic) -> Vec<f64> {
        let full = stat.compute(x).unwrap();
        (0..x.len())
            .map(|i| {
                let loo: Vec<f64> = x
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, v)| *v)
                    .collect();
                stat.compute(&loo).unwrap() - full
            })
            .collect()
    }

    #[test]
    fn fast_jackknife_matches_brute_force() {
        let x: Vec<f64> = (0..37)
            .map(|i| ((i * 7919) % 101) as f64 / 7.0 + (i % 3) as f64)
            .collect();
        for stat in [
            OneSampleStatistic::Mean,
            OneSampleStatistic::Median,
            OneSampleStatistic::Quantile(0.9),
            OneSampleStatistic::Quantile(0.13),
            OneSampleStatistic::Sd,
        ] {
            // The quantile jackknife lists deviations in sorted order: compare as multisets.
            let mut fast = one_sample_deviations(&x, &stat).unwrap();
            let mut slow = brute(&x, &stat);
            fast.sort_by(f64::total_cmp);
            slow.sort_by(f64::total_cmp);
            for (f, s) in fast.iter().zip(&slow) {
                assert!((f - s).abs() < 1e-12, "{stat:?}: {f} vs {s}");
            }
        }
    }

    #[test]
    fn ratio_jackknife_matches_custom() {
        let x: Vec<f64> = (0..20).map(|i| 1.0 + (i % 7) as f64).collect();
        let y: Vec<f64> = (0..15).map(|i| 2.0 + (i % 5) as f64 * 0.5).collect();
        let fast =
            jackknife_acceleration_two_sample(&x, &y, &TwoSampleStatistic::MeanRatio).unwrap();
        let custom = TwoSampleStatistic::custom("ratio", |a, b| mean(a) / mean(b));
        let slow = jackknife_acceleration_two_sample(&x, &y, &custom).unwrap();
        assert!(
            (fast - slow).abs() < 1e-10 * slow.abs().max(1e-3),
            "{fast} vs {slow}"
        );
    }
}
