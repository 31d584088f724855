//! The power function of a z or t test given its noncentrality, and a bracketing root finder.
//!
//! With noncentrality λ (the expected test statistic), level α and the alternative, the power is
//! (statsmodels `normal_power` / `ttest_power`, Cohen 1988 ch. 2):
//!
//! - z, greater: 1 − Φ(z₁₋α − λ); less: Φ(−z₁₋α − λ); two-sided: both with α/2.
//! - t with ν degrees of freedom: the same with the noncentral t, P(T′ > t₁₋α,ν) and
//!   P(T′ ≤ −t₁₋α,ν).

use counterfact_stats::Alternative;
use counterfact_stats::dist::normal::std_normal_cdf;
use counterfact_stats::dist::{ContinuousDistribution, NoncentralT, StudentT};

use crate::error::{DesignError, Result};

/// The reference distribution of the test statistic.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Reference {
    /// Standard normal (z test).
    Normal,
    /// Student's t with the given degrees of freedom (t test).
    T(f64),
}

/// Power of a level-`alpha` test whose statistic has noncentrality `lambda`; `far_tail` = false
/// drops the rejection region opposite to λ in a two-sided test (the textbook approximation).
pub(crate) fn power_at(
    lambda: f64,
    alpha: f64,
    alternative: Alternative,
    reference: Reference,
    far_tail: bool,
) -> Result<f64> {
    let tail_alpha = match alternative {
        Alternative::TwoSided => alpha / 2.0,
        _ => alpha,
    };
    let (upper, lower) = match reference {
        Reference::Normal => {
            let crit = -counterfact_stats::dist::normal::std_normal_quantile(tail_alpha);
            (
                std_normal_cdf(lambda - crit),
                std_normal_cdf(-crit - lambda),
            )
        }
        Reference::T(df) => {
            let t = StudentT::new(df)
                .map_err(|_| DesignError::invalid("degrees of freedom", df, "must be > 0"))?;
            let crit = t.isf(tail_alpha);
            let nct = NoncentralT::new(df, lambda).map_err(|_| {
                DesignError::invalid("noncentrality", lambda, "must be a finite number")
            })?;
            (nct.sf(crit), nct.cdf(-crit))
        }
    };
    Ok(match alternative {
        Alternative::Greater => upper,
        Alternative::Less => lower,
        Alternative::TwoSided if !far_tail => {
            if lambda >= 0.0 {
                upper
            } else {
                lower
            }
        }
        Alternative::TwoSided => upper + lower,
    })
}

/// Brent's method on [a, b] for the power equation `f`, whose ends must differ in sign; stops
/// when the bracket is below `xtol` + 4ε|x|.
pub(crate) fn brent<F>(mut f: F, a: f64, b: f64, xtol: f64) -> Result<f64>
where
    F: FnMut(f64) -> Result<f64>,
{
    let fa = f(a)?;
    let fb = f(b)?;
    if fa == 0.0 {
        return Ok(a);
    }
    if fb == 0.0 {
        return Ok(b);
    }
    if !(fa.is_finite() && fb.is_finite()) || (fa > 0.0) == (fb > 0.0) {
        return Err(DesignError::invalid(
            "power equation",
            format!("f({a}) = {fa}, f({b}) = {fb}"),
            "has no root in the search interval: no solution for these settings",
        ));
    }
    counterfact_stats::dist::solve::brent(f, (a, fa), (b, fb), xtol, 300)
}

/// Expands [lo, hi] geometrically upwards (hi ← 2·hi, up to `limit`) until `f` changes sign,
/// then solves with [`brent`]; `f` must be monotone.
pub(crate) fn solve_increasing_bracket<F>(mut f: F, lo: f64, mut hi: f64, limit: f64) -> Result<f64>
where
    F: FnMut(f64) -> Result<f64>,
{
    let f_lo = f(lo)?;
    let mut f_hi = f(hi)?;
    while (f_lo > 0.0) == (f_hi > 0.0) && hi < limit {
        hi = (hi * 2.0).min(limit);
        f_hi = f(hi)?;
    }
    brent(f, lo, hi, 1e-13 * hi.abs().max(1e-300))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brent_finds_cube_root() {
        let r = brent(|x| Ok(x * x * x - 2.0), 0.0, 2.0, 1e-15).unwrap();
        assert!((r - 2f64.cbrt()).abs() < 1e-14);
    }

    #[test]
    fn brent_rejects_unbracketed() {
        assert!(brent(|x| Ok(x * x + 1.0), -1.0, 1.0, 1e-12).is_err());
    }

    #[test]
    fn zero_effect_has_power_alpha() {
        for alt in [
            Alternative::TwoSided,
            Alternative::Greater,
            Alternative::Less,
        ] {
            for r in [Reference::Normal, Reference::T(12.0)] {
                let p = power_at(0.0, 0.05, alt, r, true).unwrap();
                assert!((p - 0.05).abs() < 1e-13, "{alt:?} {r:?}: {p}");
            }
        }
    }
}
