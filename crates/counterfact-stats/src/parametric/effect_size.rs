//! Effect sizes with confidence intervals: Cohen's d, Hedges' g, odds ratio, risk ratio and the
//! relative lift.

use serde::Serialize;
use statrs::function::gamma::ln_gamma;

use crate::dist::{ContinuousDistribution, Normal};
use crate::error::{Result, StatsError, check_confidence};
use crate::moments::Moments;
use crate::result::Alternative;

use super::lift::{LiftMethod, relative_lift_from_moments};
use super::t_tests::check_two_sample;
use super::{check_counts, summarize};

/// An effect size with its two-sided confidence interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EffectSize {
    /// Name in kebab case: "cohens-d", "hedges-g", "odds-ratio", "risk-ratio", "relative-lift".
    pub name: String,
    /// Point estimate.
    pub estimate: f64,
    /// Two-sided confidence interval `[lo, hi]`, where one is defined.
    pub ci: Option<[f64; 2]>,
    /// Confidence level of `ci`.
    pub confidence: f64,
}

fn z_crit(confidence: f64) -> f64 {
    Normal::standard().isf((1.0 - confidence) / 2.0)
}

/// Standardized mean difference (x̄ − ȳ) / s_pooled and its large-sample standard error
/// √((n_x + n_y)/(n_x n_y) + d²/(2(n_x + n_y))) (Hedges & Olkin 1985, §5.B).
fn standardized_difference(x: &Moments, y: &Moments) -> Result<(f64, f64, f64)> {
    check_two_sample(x, y, true)?;
    let (nx, ny) = (x.n as f64, y.n as f64);
    let df = nx + ny - 2.0;
    let sp = ((x.m2 + y.m2) / df).sqrt();
    let d = (x.mean - y.mean) / sp;
    if !(sp > 0.0 && d.is_finite()) {
        return Err(StatsError::Degenerate(format!(
            "standardized mean difference: undefined with pooled standard deviation {sp} and \
             difference of means {}",
            x.mean - y.mean
        )));
    }
    let se = ((nx + ny) / (nx * ny) + d * d / (2.0 * (nx + ny))).sqrt();
    Ok((d, se, df))
}

/// Cohen's d with the pooled standard deviation (Cohen 1988, *Statistical Power Analysis*, §2.2)
/// and the normal-approximation CI d ± z·se of Hedges & Olkin (1985).
pub fn cohens_d_from_moments(x: &Moments, y: &Moments, confidence: f64) -> Result<EffectSize> {
    check_confidence(confidence)?;
    let (d, se, _) = standardized_difference(x, y)?;
    let z = z_crit(confidence);
    Ok(EffectSize {
        name: "cohens-d".to_string(),
        estimate: d,
        ci: Some([d - z * se, d + z * se]),
        confidence,
    })
}

/// Cohen's d on raw samples (see [`cohens_d_from_moments`]).
pub fn cohens_d(x: &[f64], y: &[f64], confidence: f64) -> Result<EffectSize> {
    let mx = summarize("sample x", x, 1)?;
    let my = summarize("sample y", y, 1)?;
    cohens_d_from_moments(&mx, &my, confidence)
}

/// Hedges' exact small-sample bias correction J(df) = Γ(df/2) / (√(df/2)·Γ((df − 1)/2))
/// (Hedges 1981, J. Educ. Stat. 6(2), eq. 6b); NaN for df ≤ 1.
///
/// For df ≥ 40 the log-gamma difference is taken from Stirling's series, which avoids the
/// cancellation of two large log-gammas.
pub fn hedges_correction(df: f64) -> f64 {
    if df.is_nan() || df <= 1.0 {
        return f64::NAN;
    }
    if df.is_infinite() {
        return 1.0;
    }
    let m = df / 2.0;
    let ln_j = if m < 20.0 {
        ln_gamma(m) - ln_gamma(m - 0.5) - 0.5 * m.ln()
    } else {
        let stirling = |z: f64| {
            let z2 = z * z;
            (1.0 / 12.0
                + (-1.0 / 360.0 + (1.0 / 1260.0 + (-1.0 / 1680.0 + 1.0 / (1188.0 * z2)) / z2) / z2)
                    / z2)
                / z
        };
        -(m - 1.0) * (-0.5 / m).ln_1p() - 0.5 + stirling(m) - stirling(m - 0.5)
    };
    ln_j.exp()
}

/// Hedges' g = J·d with the exact gamma-function correction [`hedges_correction`] and the CI
/// g ± z·J·se(d) (Hedges 1981; Borenstein et al. 2009, *Introduction to Meta-Analysis*, §4).
///
/// Needs n_x + n_y ≥ 4 (J is undefined for fewer than 2 degrees of freedom).
pub fn hedges_g_from_moments(x: &Moments, y: &Moments, confidence: f64) -> Result<EffectSize> {
    check_confidence(confidence)?;
    check_two_sample(x, y, true)?;
    if x.n.saturating_add(y.n) < 4 {
        return Err(StatsError::TooFew {
            what: "samples x and y together (Hedges' g)".to_string(),
            n: usize::try_from(x.n.saturating_add(y.n)).unwrap_or(usize::MAX),
            min: 4,
        });
    }
    let (d, se, df) = standardized_difference(x, y)?;
    let j = hedges_correction(df);
    let (g, se_g) = (j * d, j * se);
    let z = z_crit(confidence);
    Ok(EffectSize {
        name: "hedges-g".to_string(),
        estimate: g,
        ci: Some([g - z * se_g, g + z * se_g]),
        confidence,
    })
}

/// Hedges' g on raw samples (see [`hedges_g_from_moments`]).
pub fn hedges_g(x: &[f64], y: &[f64], confidence: f64) -> Result<EffectSize> {
    let mx = summarize("sample x", x, 1)?;
    let my = summarize("sample y", y, 1)?;
    hedges_g_from_moments(&mx, &my, confidence)
}

/// The 2×2 table [[a, b], [c, d]] of successes and failures of x (first row) and y, with the
/// Haldane–Anscombe correction (0.5 added to every cell) applied only when a cell is 0.
fn two_by_two(sx: i64, nx: i64, sy: i64, ny: i64) -> Result<[f64; 4]> {
    let (a, tx) = check_counts("group x", sx, nx)?;
    let (c, ty) = check_counts("group y", sy, ny)?;
    let cells = [a, tx - a, c, ty - c];
    if cells.contains(&0.0) {
        Ok(cells.map(|v| v + 0.5))
    } else {
        Ok(cells)
    }
}

/// Odds ratio of success, x versus y, from counts, with the Woolf log-scale Wald CI
/// exp(ln OR ± z·√(1/a + 1/b + 1/c + 1/d)) (Woolf 1955; Agresti, *Categorical Data Analysis*,
/// §3.1.1).
///
/// When any cell of the 2×2 table is 0, 0.5 is added to every cell (Haldane 1956) before both the
/// estimate and the interval; otherwise the counts are used as given.
pub fn odds_ratio(
    successes_x: i64,
    trials_x: i64,
    successes_y: i64,
    trials_y: i64,
    confidence: f64,
) -> Result<EffectSize> {
    check_confidence(confidence)?;
    let [a, b, c, d] = two_by_two(successes_x, trials_x, successes_y, trials_y)?;
    let ln_or = a.ln() - b.ln() - c.ln() + d.ln();
    let se = (1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d).sqrt();
    let z = z_crit(confidence);
    Ok(EffectSize {
        name: "odds-ratio".to_string(),
        estimate: ln_or.exp(),
        ci: Some([(ln_or - z * se).exp(), (ln_or + z * se).exp()]),
        confidence,
    })
}

/// Risk ratio p_x / p_y from counts, with the log-scale Wald CI
/// exp(ln RR ± z·√(1/a − 1/n_x + 1/c − 1/n_y)) (Katz et al. 1978; Agresti §3.1.4), and the same
/// Haldane correction as [`odds_ratio`] when a cell is 0.
pub fn risk_ratio(
    successes_x: i64,
    trials_x: i64,
    successes_y: i64,
    trials_y: i64,
    confidence: f64,
) -> Result<EffectSize> {
    check_confidence(confidence)?;
    let [a, b, c, d] = two_by_two(successes_x, trials_x, successes_y, trials_y)?;
    let (n1, n2) = (a + b, c + d);
    let ln_rr = a.ln() - n1.ln() - c.ln() + n2.ln();
    let se = ((b / a) / n1 + (d / c) / n2).sqrt();
    let z = z_crit(confidence);
    Ok(EffectSize {
        name: "risk-ratio".to_string(),
        estimate: ln_rr.exp(),
        ci: Some([(ln_rr - z * se).exp(), (ln_rr + z * se).exp()]),
        confidence,
    })
}

/// Relative lift mean_x / mean_y − 1 as an effect size, with its two-sided CI by the delta method
/// or Fieller's theorem (see [`relative_lift_from_moments`]); an unbounded Fieller set gives
/// `ci = None`.
pub fn relative_lift_effect(
    x: &Moments,
    y: &Moments,
    method: LiftMethod,
    confidence: f64,
) -> Result<EffectSize> {
    let r = relative_lift_from_moments(x, y, method, Alternative::TwoSided, confidence)?;
    let estimate = r
        .estimate
        .ok_or_else(|| StatsError::Internal("relative lift without estimate".to_string()))?;
    let ci = r.ci.filter(|[lo, hi]| lo.is_finite() && hi.is_finite());
    Ok(EffectSize {
        name: "relative-lift".to_string(),
        estimate,
        ci,
        confidence,
    })
}
