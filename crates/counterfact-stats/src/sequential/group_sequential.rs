//! Group-sequential designs with Lan-DeMets alpha spending: two-sided symmetric boundaries at K
//! planned looks and the sample-size inflation factor.
//!
//! Lan & DeMets (1983), "Discrete sequential boundaries for clinical trials", Biometrika 70(3),
//! doi:10.1093/biomet/70.3.659. Each side spends α₁ = α/2 over information fraction t by
//! O'Brien-Fleming type α₁(t) = 2 − 2Φ(z₁₋α₁/₂ / √t) or Pocock type α₁(t) = α₁ ln(1 + (e − 1)t)
//! (the convention of R's gsDesign `sfLDOF`/`sfLDPocock` and ldbounds). Boundary c_k solves
//! P(|Z_k| ≥ c_k, |Z_j| < c_j for j < k) = 2(α₁(t_k) − α₁(t_{k−1})), computed by the recursive
//! numerical integration of Armitage, McPherson & Rowe (1969), J. R. Stat. Soc. A 132(2),
//! doi:10.2307/2343787, on a Simpson grid (Jennison & Turnbull 2000, ch. 19): the joint density
//! of the z-statistics that have not stopped is carried from look to look, with
//! Z_k√t_k = Z_{k−1}√t_{k−1} + N(θ(t_k − t_{k−1}), t_k − t_{k−1}) for drift θ.

use serde::Serialize;

use super::check_alpha;
use crate::dist::normal::{std_normal_cdf, std_normal_quantile};
use crate::error::{Result, StatsError};

/// Simpson grid intervals on each continuation region (even). The integrands are Gaussian
/// densities truncated at the grid ends, so the error is far below the 1e-6 the tests ask.
const GRID: usize = 1000;

/// Lan-DeMets spending function family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Spending {
    /// O'Brien-Fleming type: spends almost nothing early.
    OBrienFleming,
    /// Pocock type: spends roughly evenly.
    Pocock,
}

/// Alpha spent per side by information fraction `t` ∈ [0, 1] at one-sided level `alpha_side`.
pub fn spent_alpha(spending: Spending, alpha_side: f64, t: f64) -> f64 {
    if t <= 0.0 {
        return 0.0;
    }
    let t = t.min(1.0);
    match spending {
        Spending::OBrienFleming => {
            let z = -std_normal_quantile(alpha_side / 2.0);
            2.0 * std_normal_cdf(-z / t.sqrt())
        }
        Spending::Pocock => alpha_side * (1.0 + (std::f64::consts::E - 1.0) * t).ln(),
    }
}

/// A two-sided symmetric group-sequential design: reject at look k when |Z_k| ≥ c_k.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupSequentialDesign {
    /// Spending function family.
    pub spending: Spending,
    /// Two-sided significance level α (α/2 per side).
    pub alpha: f64,
    /// Information fractions t_k of the looks, increasing, last = 1.
    pub information_fractions: Vec<f64>,
    /// Critical values c_k on the z scale.
    pub boundaries: Vec<f64>,
    /// Nominal two-sided p-value thresholds 2Φ(−c_k).
    pub nominal_p: Vec<f64>,
    /// Cumulative two-sided alpha spent by each look.
    pub cumulative_alpha: Vec<f64>,
}

/// Density of the not-yet-stopped z-statistic on a Simpson grid over (−c, c).
struct Stage {
    z: Vec<f64>,
    /// Density times Simpson weight at each grid point.
    wg: Vec<f64>,
    t: f64,
}

fn gaussian(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

fn simpson_grid(c: f64) -> (Vec<f64>, Vec<f64>) {
    let h = 2.0 * c / GRID as f64;
    let z = (0..=GRID).map(|i| -c + h * i as f64).collect();
    let w = (0..=GRID)
        .map(|i| {
            let m = if i == 0 || i == GRID {
                1.0
            } else if i % 2 == 1 {
                4.0
            } else {
                2.0
            };
            m * h / 3.0
        })
        .collect();
    (z, w)
}

/// First stage: Z_1 ~ N(θ√t₁, 1) restricted to (−c, c).
fn first_stage(c: f64, t: f64, drift: f64) -> Stage {
    let (z, w) = simpson_grid(c);
    let mu = drift * t.sqrt();
    let wg = z
        .iter()
        .zip(&w)
        .map(|(&z, &w)| w * gaussian(z - mu))
        .collect();
    Stage { z, wg, t }
}

/// Probability of exiting above `c` and below `−c` at the next look at fraction `t`.
fn exit_probability(prev: &Stage, c: f64, t: f64, drift: f64) -> (f64, f64) {
    let dt = t - prev.t;
    let (st, sp, sd) = (t.sqrt(), prev.t.sqrt(), dt.sqrt());
    let mut up = 0.0;
    let mut down = 0.0;
    for (&u, &wg) in prev.z.iter().zip(&prev.wg) {
        let m = u * sp + drift * dt;
        up += wg * std_normal_cdf((m - c * st) / sd);
        down += wg * std_normal_cdf((-c * st - m) / sd);
    }
    (up, down)
}

/// Density of the not-yet-stopped statistic at the next look, restricted to (−c, c).
fn next_stage(prev: &Stage, c: f64, t: f64, drift: f64) -> Stage {
    let dt = t - prev.t;
    let (st, sp, sd) = (t.sqrt(), prev.t.sqrt(), dt.sqrt());
    let (z, w) = simpson_grid(c);
    let wg = z
        .iter()
        .zip(&w)
        .map(|(&z, &w)| {
            let dens: f64 = prev
                .z
                .iter()
                .zip(&prev.wg)
                .map(|(&u, &g)| g * gaussian((z * st - u * sp - drift * dt) / sd))
                .sum();
            w * dens * st / sd
        })
        .collect();
    Stage { z, wg, t }
}

fn check_fractions(fractions: &[f64]) -> Result<()> {
    if fractions.is_empty() {
        return Err(StatsError::Empty {
            what: "information fractions".into(),
        });
    }
    let mut prev = 0.0;
    for (i, &t) in fractions.iter().enumerate() {
        if !(t.is_finite() && t > prev && t <= 1.0) {
            return Err(StatsError::invalid(
                &format!("information_fractions[{i}]"),
                t,
                "fractions must increase strictly within (0, 1]",
            ));
        }
        prev = t;
    }
    if prev != 1.0 {
        return Err(StatsError::invalid(
            "information_fractions",
            prev,
            "the last look must be at fraction 1",
        ));
    }
    Ok(())
}

/// Solves a decreasing `f(c) = target` for c by bisection on [0, 40].
fn solve_decreasing(f: impl Fn(f64) -> f64, target: f64) -> f64 {
    let (mut lo, mut hi) = (0.0_f64, 40.0_f64);
    if f(hi) >= target {
        return hi;
    }
    for _ in 0..80 {
        let mid = 0.5 * (lo + hi);
        if f(mid) > target {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-12 {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// Lan-DeMets two-sided symmetric boundaries at the given information fractions (increasing,
/// last = 1) for total two-sided level `alpha`.
pub fn lan_demets_boundaries(
    information_fractions: &[f64],
    alpha: f64,
    spending: Spending,
) -> Result<GroupSequentialDesign> {
    check_alpha(alpha)?;
    check_fractions(information_fractions)?;
    if information_fractions.len() > 100 {
        return Err(StatsError::invalid(
            "information_fractions",
            information_fractions.len(),
            "at most 100 looks are supported",
        ));
    }
    let side = alpha / 2.0;
    let mut boundaries = Vec::with_capacity(information_fractions.len());
    let mut cumulative = Vec::with_capacity(information_fractions.len());
    let mut stage: Option<Stage> = None;
    let mut spent_before = 0.0;
    for &t in information_fractions {
        let spent = spent_alpha(spending, side, t);
        let target = (spent - spent_before).max(0.0);
        let c = match &stage {
            None => -std_normal_quantile(target),
            Some(prev) => solve_decreasing(
                |c| {
                    let (u, d) = exit_probability(prev, c, t, 0.0);
                    0.5 * (u + d)
                },
                target,
            ),
        };
        stage = Some(match &stage {
            None => first_stage(c, t, 0.0),
            Some(prev) => next_stage(prev, c, t, 0.0),
        });
        boundaries.push(c);
        cumulative.push(2.0 * spent);
        spent_before = spent;
    }
    Ok(GroupSequentialDesign {
        spending,
        alpha,
        information_fractions: information_fractions.to_vec(),
        nominal_p: boundaries
            .iter()
            .map(|&c| 2.0 * std_normal_cdf(-c))
            .collect(),
        boundaries,
        cumulative_alpha: cumulative,
    })
}

/// Probabilities of first crossing the upper and the lower boundary at each look when the
/// z-statistic at full information has mean `drift` (Armitage-McPherson-Rowe recursion).
pub fn crossing_probabilities(
    design: &GroupSequentialDesign,
    drift: f64,
) -> Result<(Vec<f64>, Vec<f64>)> {
    if !drift.is_finite() {
        return Err(StatsError::invalid("drift", drift, "must be finite"));
    }
    check_fractions(&design.information_fractions)?;
    let mut upper = Vec::new();
    let mut lower = Vec::new();
    let mut stage: Option<Stage> = None;
    for (&t, &c) in design.information_fractions.iter().zip(&design.boundaries) {
        let (u, d) = match &stage {
            None => {
                let mu = drift * t.sqrt();
                (std_normal_cdf(mu - c), std_normal_cdf(-c - mu))
            }
            Some(prev) => exit_probability(prev, c, t, drift),
        };
        upper.push(u);
        lower.push(d);
        stage = Some(match &stage {
            None => first_stage(c, t, drift),
            Some(prev) => next_stage(prev, c, t, drift),
        });
    }
    Ok((upper, lower))
}

/// Sample-size inflation factor: the maximum information of the design relative to a fixed-size
/// test, for power `power` (of crossing the upper boundary) at level α/2 per side
/// (Jennison & Turnbull 2000, §2.4).
pub fn inflation_factor(design: &GroupSequentialDesign, power: f64) -> Result<f64> {
    if !(power.is_finite() && power > 0.5 && power < 1.0) {
        return Err(StatsError::invalid(
            "power",
            power,
            "must lie strictly between 0.5 and 1",
        ));
    }
    let fixed = -std_normal_quantile(design.alpha / 2.0) + std_normal_quantile(power);
    let upper_power = |drift: f64| -> f64 {
        crossing_probabilities(design, drift)
            .map(|(u, _)| u.iter().sum())
            .unwrap_or(f64::NAN)
    };
    // Illinois (modified regula falsi): power is smooth and increasing in the drift, so this
    // converges in a handful of the costly recursions where bisection needs dozens.
    let (mut a, mut b) = (fixed, 1.5 * fixed);
    let (mut fa, mut fb) = (upper_power(a) - power, upper_power(b) - power);
    while fb < 0.0 && b < 50.0 {
        a = b;
        fa = fb;
        b *= 1.5;
        fb = upper_power(b) - power;
    }
    if !(fa <= 0.0 && fb >= 0.0) {
        return Err(StatsError::Internal(format!(
            "inflation factor: power {power} not bracketed (f({a}) = {fa}, f({b}) = {fb})"
        )));
    }
    let mut drift = b;
    let mut side = 0i8;
    for _ in 0..100 {
        drift = (a * fb - b * fa) / (fb - fa);
        let f = upper_power(drift) - power;
        if f.abs() < 1e-13 || (b - a).abs() < 1e-12 * b {
            break;
        }
        if f > 0.0 {
            b = drift;
            fb = f;
            if side == 1 {
                fa /= 2.0;
            }
            side = 1;
        } else {
            a = drift;
            fa = f;
            if side == -1 {
                fb /= 2.0;
            }
            side = -1;
        }
    }
    Ok((drift / fixed).powi(2))
}
