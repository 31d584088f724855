//! Exact finite-population true effects: every analysed unit's metric values under every
//! variant (common random numbers), aggregated with the spec's definitions.

use serde::{Deserialize, Serialize};

use super::model::{MAX_DELAY_MS, VARIANTS};

/// Rows of one variant's delay histogram.
const DELAY_BINS: usize = MAX_DELAY_MS + 1;
/// The winsorization quantile of `watch_hours` in the demo spec.
const WATCH_CAP_QUANTILE: f64 = 0.99;
/// The quantile of `play_delay_p90`.
const DELAY_QUANTILE: f64 = 0.9;

/// The true effect of one treatment arm on one metric (treatment − control).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrueEffect {
    /// Metric name from the demo spec (`watch_hours_uncapped` is the uncapped estimand).
    pub metric: String,
    /// Treatment variant.
    pub variant: String,
    /// Absolute effect.
    pub absolute: f64,
    /// Relative effect (treatment / control − 1).
    pub relative: f64,
}

/// The population value of one metric under one variant (every analysed unit's potential
/// outcome under that variant).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrueValue {
    /// Metric name.
    pub metric: String,
    /// Variant.
    pub variant: String,
    /// Mean, proportion, ratio or quantile over the metric's analysed units.
    pub value: f64,
    /// Units in the metric's population (matured analysed units).
    pub units: u64,
}

/// Sums over the analysed units of one part of the members (merged in part order).
pub(crate) struct Tally {
    pub(crate) window_units: u64,
    pub(crate) conversion_units: u64,
    pub(crate) retention_units: u64,
    pub(crate) watch_sum: [f64; 3],
    pub(crate) sessions: [u64; 3],
    pub(crate) plays: [u64; 3],
    pub(crate) retained: [u64; 3],
    pub(crate) converted: [u64; 3],
    /// Play-delay histograms, variant-major, one bin per millisecond.
    pub(crate) delays: Vec<u64>,
    /// Realized per-unit watch hours at or above the threshold known when the part started.
    pub(crate) realized_high: Vec<f64>,
    /// Potential per-unit watch hours at or above that threshold, per variant.
    pub(crate) candidates: [Vec<f64>; 3],
}

impl Tally {
    pub(crate) fn new() -> Self {
        Self {
            window_units: 0,
            conversion_units: 0,
            retention_units: 0,
            watch_sum: [0.0; 3],
            sessions: [0; 3],
            plays: [0; 3],
            retained: [0; 3],
            converted: [0; 3],
            delays: vec![0; 3 * DELAY_BINS],
            realized_high: Vec::new(),
            candidates: [Vec::new(), Vec::new(), Vec::new()],
        }
    }

    pub(crate) fn delays_mut(&mut self, variant: usize) -> &mut [u64] {
        &mut self.delays[variant * DELAY_BINS..(variant + 1) * DELAY_BINS]
    }
}

/// numpy's linear interpolation (`numpy._lerp`): from the nearer end.
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

/// numpy's default (linear) quantile position: the two 0-based order-statistic indices and
/// the weight, for `n >= 1` values.
fn linear_position(n: u64, q: f64) -> (u64, u64, f64) {
    let virtual_index = (n - 1) as f64 * q;
    let lo = virtual_index.floor();
    let lo_index = lo as u64;
    (lo_index, (lo_index + 1).min(n - 1), virtual_index - lo)
}

/// The accumulated truth of the whole population.
pub(crate) struct Truth {
    tally: Tally,
    /// How many top realized values the cap can need: n − ⌊0.99 (n − 1)⌋ at n = members.
    keep: usize,
    threshold: f64,
}

impl Truth {
    pub(crate) fn new(members: u64) -> Self {
        let n = members.max(1);
        let (lo, _, _) = linear_position(n, WATCH_CAP_QUANTILE);
        Self {
            tally: Tally::new(),
            keep: (n - lo) as usize + 1,
            threshold: f64::NEG_INFINITY,
        }
    }

    /// Values below this can never reach the final cap (it only rises as parts merge).
    pub(crate) fn threshold(&self) -> f64 {
        self.threshold
    }

    pub(crate) fn merge(&mut self, part: Tally) {
        let t = &mut self.tally;
        t.window_units += part.window_units;
        t.conversion_units += part.conversion_units;
        t.retention_units += part.retention_units;
        for v in 0..3 {
            t.watch_sum[v] += part.watch_sum[v];
            t.sessions[v] += part.sessions[v];
            t.plays[v] += part.plays[v];
            t.retained[v] += part.retained[v];
            t.converted[v] += part.converted[v];
        }
        for (a, b) in t.delays.iter_mut().zip(&part.delays) {
            *a += b;
        }
        t.realized_high.extend(part.realized_high);
        if t.realized_high.len() > self.keep {
            let cut = t.realized_high.len() - self.keep;
            t.realized_high.select_nth_unstable_by(cut, f64::total_cmp);
            t.realized_high.drain(..cut);
        }
        if t.realized_high.len() >= self.keep {
            self.threshold = t
                .realized_high
                .iter()
                .copied()
                .fold(f64::INFINITY, f64::min);
        }
        let threshold = self.threshold;
        for (all, new) in t.candidates.iter_mut().zip(part.candidates) {
            all.extend(new);
            all.retain(|&y| y >= threshold);
        }
    }

    /// Per-variant values and effects of every demo metric, and the watch-hours cap.
    pub(crate) fn finish(mut self) -> (Vec<TrueValue>, Vec<TrueEffect>, Option<f64>) {
        let t = &mut self.tally;
        let mut values: Vec<(&str, [f64; 3], u64)> = Vec::new();
        let mut cap = None;
        let n = t.window_units;
        if n > 0 {
            let nf = n as f64;
            let mut high = std::mem::take(&mut t.realized_high);
            high.sort_unstable_by(|a, b| b.total_cmp(a));
            let (lo, hi, gamma) = linear_position(n, WATCH_CAP_QUANTILE);
            let at = |i: u64| high[(n - 1 - i) as usize];
            let c = lerp(at(lo), at(hi), gamma);
            cap = Some(c);
            let capped: [f64; 3] = std::array::from_fn(|v| {
                let excess: f64 = t.candidates[v]
                    .iter()
                    .filter(|&&y| y > c)
                    .map(|&y| y - c)
                    .sum();
                (t.watch_sum[v] - excess) / nf
            });
            values.push(("watch_hours", capped, n));
            values.push(("watch_hours_uncapped", t.watch_sum.map(|s| s / nf), n));
            values.push((
                "plays_per_session",
                std::array::from_fn(|v| t.plays[v] as f64 / t.sessions[v] as f64),
                n,
            ));
            let delays: [f64; 3] = std::array::from_fn(|v| {
                histogram_quantile(
                    &t.delays[v * DELAY_BINS..(v + 1) * DELAY_BINS],
                    DELAY_QUANTILE,
                )
            });
            values.push(("play_delay_p90", delays, n));
            values.push(("sessions", t.sessions.map(|s| s as f64 / nf), n));
        }
        if t.conversion_units > 0 {
            let nf = t.conversion_units as f64;
            values.push((
                "conversion",
                t.converted.map(|c| c as f64 / nf),
                t.conversion_units,
            ));
        }
        if t.retention_units > 0 {
            let nf = t.retention_units as f64;
            values.push((
                "retention_d7",
                t.retained.map(|c| c as f64 / nf),
                t.retention_units,
            ));
        }
        let mut true_values = Vec::new();
        let mut effects = Vec::new();
        for (metric, vals, units) in values {
            for (v, name) in VARIANTS.iter().enumerate() {
                true_values.push(TrueValue {
                    metric: metric.to_owned(),
                    variant: (*name).to_owned(),
                    value: vals[v],
                    units,
                });
                if v > 0 {
                    effects.push(TrueEffect {
                        metric: metric.to_owned(),
                        variant: (*name).to_owned(),
                        absolute: vals[v] - vals[0],
                        relative: vals[v] / vals[0] - 1.0,
                    });
                }
            }
        }
        (true_values, effects, cap)
    }
}

/// numpy's linear quantile of the values a histogram of whole milliseconds describes.
fn histogram_quantile(counts: &[u64], q: f64) -> f64 {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return f64::NAN;
    }
    let (lo, hi, gamma) = linear_position(total, q);
    let value_at = |rank: u64| {
        let mut seen = 0;
        for (ms, &c) in counts.iter().enumerate() {
            seen += c;
            if seen > rank {
                return ms as f64;
            }
        }
        (counts.len() - 1) as f64
    };
    lerp(value_at(lo), value_at(hi), gamma)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numpy_linear(mut xs: Vec<f64>, q: f64) -> f64 {
        xs.sort_by(f64::total_cmp);
        let (lo, hi, g) = linear_position(xs.len() as u64, q);
        lerp(xs[lo as usize], xs[hi as usize], g)
    }

    #[test]
    fn histogram_quantile_matches_sorted_values() {
        let xs = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0];
        let mut counts = vec![0u64; 10];
        for &x in &xs {
            counts[x as usize] += 1;
        }
        for q in [0.0, 0.1, 0.5, 0.9, 0.95, 1.0] {
            assert_eq!(
                histogram_quantile(&counts, q),
                numpy_linear(xs.to_vec(), q),
                "q={q}"
            );
        }
        // numpy.quantile([1,1,2,3,3,4,5,5,5,6,9], 0.9) == 6.0
        assert_eq!(histogram_quantile(&counts, 0.9), 6.0);
    }
}
