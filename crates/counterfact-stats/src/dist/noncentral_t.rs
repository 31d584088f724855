//! The noncentral t distribution's CDF and survival function (Lenth 1989, AS 243, summed from
//! the Poisson mode as in Benton & Krishnamoorthy 2003).
//!
//! With d = δ²/2, x = t²/(t² + ν) and t ≥ 0,
//!
//! F(t; ν, δ) = Φ(−δ) + ½ Σⱼ [pⱼ I_x(j + ½, ν/2) + sign(δ) qⱼ I_x(j + 1, ν/2)],
//!
//! where pⱼ = e^{−d} dʲ / j! and qⱼ = e^{−d} d^{j+½} / Γ(j + 3/2) (so Σ pⱼ = 1 and
//! Σ sign(δ) qⱼ = 2Φ(δ) − 1). Substituting those sums gives the survival function as a sum of
//! the complements alone, S(t; ν, δ) = ½ Σⱼ [pⱼ (1 − I_x(j + ½, ν/2)) + sign(δ) qⱼ (1 − I_x(j + 1,
//! ν/2))], which is evaluated directly rather than as 1 − F. For δ ≥ 0 every term of both series
//! is positive, so both tails keep full relative precision; for δ < 0 the qⱼ terms alternate in
//! sign against the pⱼ terms and the result is accurate to about 1e-16 absolute. Negative t uses
//! F(t; ν, δ) = S(−t; ν, −δ). The weights come from Loader's saddle-point Poisson density and the
//! sums run outwards from j = ⌊d⌋, so noncentralities of several hundred do not underflow.
//! For |δ| > 200 (where the series needs thousands of terms) the normal approximation of
//! Abramowitz & Stegun (1964) 26.7.10 is used instead; it is not accurate to 1e-10.

use super::beta::{UnitPoint, incomplete_beta};
use super::normal::std_normal_cdf;
use super::special::ln_dpois_raw;
use crate::error::{Result, check_finite_arg, check_positive_arg};

/// Relative size below which a further term cannot change either sum.
const TERM_EPS: f64 = 1e-18;

/// Hard cap on the number of series terms on each side of the mode (never reached for |δ| ≤ 1e3).
const MAX_TERMS: usize = 200_000;

/// Above this |δ| the series would need thousands of terms; the normal approximation of
/// Abramowitz & Stegun 26.7.10 is used instead (its error in the bulk is ~1e-3 for df ≥ 100 and
/// up to ~3e-2 for df = 5; power analyses only reach such δ where the power is 1 to many digits).
const SERIES_MAX_NC: f64 = 200.0;

/// Noncentral t distribution with `df` degrees of freedom and noncentrality `nc`: the law of
/// (Z + nc) / √(V/df) with Z standard normal and V an independent χ²(df).
#[derive(Debug, Clone, Copy)]
pub struct NoncentralT {
    df: f64,
    nc: f64,
}

impl NoncentralT {
    /// Noncentral t with `df` > 0 (may be +inf: then N(nc, 1)) and finite noncentrality `nc`.
    pub fn new(df: f64, nc: f64) -> Result<Self> {
        check_positive_arg("df", df)?;
        check_finite_arg("nc", nc)?;
        Ok(NoncentralT { df, nc })
    }

    /// The degrees of freedom.
    pub fn df(&self) -> f64 {
        self.df
    }

    /// The noncentrality.
    pub fn nc(&self) -> f64 {
        self.nc
    }

    /// P(T ≤ t).
    pub fn cdf(&self, t: f64) -> f64 {
        self.tails(t).0
    }

    /// P(T > t).
    pub fn sf(&self, t: f64) -> f64 {
        self.tails(t).1
    }

    /// (P(T ≤ t), P(T > t)), each evaluated directly.
    pub fn tails(&self, t: f64) -> (f64, f64) {
        if t.is_nan() {
            return (f64::NAN, f64::NAN);
        }
        if self.df == f64::INFINITY {
            return (std_normal_cdf(t - self.nc), std_normal_cdf(self.nc - t));
        }
        if self.nc.abs() > SERIES_MAX_NC {
            return approximate_tails(t, self.df, self.nc);
        }
        if t >= 0.0 {
            positive_tails(t, self.df, self.nc)
        } else {
            let (c, s) = positive_tails(-t, self.df, -self.nc);
            (s, c)
        }
    }
}

/// (F, S) by Abramowitz & Stegun 26.7.10: z = (t(1 − 1/(4ν)) − δ) / √(1 + t²/(2ν)).
fn approximate_tails(t: f64, df: f64, nc: f64) -> (f64, f64) {
    if t.is_infinite() {
        return if t > 0.0 { (1.0, 0.0) } else { (0.0, 1.0) };
    }
    let z = (t * (1.0 - 0.25 / df) - nc) / (1.0 + t * t / (2.0 * df)).sqrt();
    (std_normal_cdf(z), std_normal_cdf(-z))
}

/// (F, S) at t ≥ 0 by the two series of the module documentation.
fn positive_tails(t: f64, df: f64, nc: f64) -> (f64, f64) {
    let base_cdf = std_normal_cdf(-nc);
    if t == f64::INFINITY {
        return (1.0, 0.0);
    }
    if t == 0.0 {
        return (base_cdf, std_normal_cdf(nc));
    }
    let ln_u = 2.0 * t.ln() - df.ln();
    let pt = UnitPoint::from_odds(ln_u.exp(), ln_u);
    let half_b = 0.5 * df;
    let d = 0.5 * nc * nc;
    let sign = if nc < 0.0 { -1.0 } else { 1.0 };

    // One term j: (contribution to Σ I, contribution to Σ (1 − I), total |weight|).
    let term = |j: f64| -> (f64, f64, f64) {
        let p = ln_dpois_raw(j, d).exp();
        let q = if d > 0.0 {
            ln_dpois_raw(j + 0.5, d).exp()
        } else {
            0.0
        };
        let ia = incomplete_beta(j + 0.5, half_b, &pt);
        let ib = if q > 0.0 {
            incomplete_beta(j + 1.0, half_b, &pt)
        } else {
            ia
        };
        (
            p * ia.lower + sign * q * ib.lower,
            p * ia.upper + sign * q * ib.upper,
            p + q,
        )
    };

    let mode = d.floor();
    let mut sum_lower = 0.0;
    let mut sum_upper = 0.0;
    let mut abs_lower = 0.0;
    let mut abs_upper = 0.0;
    let mut add = |(lo, up, _w): (f64, f64, f64), al: &mut f64, au: &mut f64| {
        sum_lower += lo;
        sum_upper += up;
        *al += lo.abs();
        *au += up.abs();
    };
    // Forward from the mode: the weights decrease, I decreases and 1 − I increases (≤ 1).
    let mut j = mode;
    for _ in 0..MAX_TERMS {
        let tm = term(j);
        let w = tm.2;
        add(tm, &mut abs_lower, &mut abs_upper);
        let lower_done = tm.0.abs() <= TERM_EPS * abs_lower;
        let upper_done = w <= TERM_EPS * abs_upper;
        if (lower_done && upper_done) || w == 0.0 {
            break;
        }
        j += 1.0;
    }
    // Backward to 0: the weights decrease, I increases (≤ 1) and 1 − I decreases.
    j = mode - 1.0;
    let mut steps = 0;
    while j >= 0.0 && steps < MAX_TERMS {
        let tm = term(j);
        let w = tm.2;
        add(tm, &mut abs_lower, &mut abs_upper);
        let lower_done = w <= TERM_EPS * abs_lower;
        let upper_done = tm.1.abs() <= TERM_EPS * abs_upper;
        if (lower_done && upper_done) || w == 0.0 {
            break;
        }
        j -= 1.0;
        steps += 1;
    }
    let cdf = (base_cdf + 0.5 * sum_lower).clamp(0.0, 1.0);
    let sf = (0.5 * sum_upper).clamp(0.0, 1.0);
    (cdf, sf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_noncentrality_is_student_t() {
        use crate::dist::{ContinuousDistribution, StudentT};
        for &df in &[2.0, 5.5, 30.0, 1e4] {
            let st = StudentT::new(df).unwrap();
            let nt = NoncentralT::new(df, 0.0).unwrap();
            for &t in &[-3.0, -0.5, 0.0, 0.7, 2.5, 10.0] {
                let (c, s) = nt.tails(t);
                assert!(
                    (c - st.cdf(t)).abs() <= 1e-14 * st.cdf(t),
                    "cdf df={df} t={t}"
                );
                assert!(
                    (s - st.sf(t)).abs() <= 1e-12 * st.sf(t),
                    "sf df={df} t={t}: {s} vs {}",
                    st.sf(t)
                );
            }
        }
    }

    #[test]
    fn tails_sum_to_one() {
        for &(df, nc) in &[(3.0, 1.5), (20.0, -2.0), (200.0, 10.0), (1e6, 35.0)] {
            let nt = NoncentralT::new(df, nc).unwrap();
            for &t in &[-4.0, 0.0, 1.0, 9.0, 36.0] {
                let (c, s) = nt.tails(t);
                assert!(
                    (c + s - 1.0).abs() < 1e-13,
                    "df={df} nc={nc} t={t}: {c} + {s}"
                );
            }
        }
    }

    #[test]
    fn large_noncentrality_uses_the_normal_approximation() {
        // At the switch the two methods agree in the bulk to 5e-3 (df ≥ 100) and 3e-2 (df = 5).
        for &(df, tol) in &[(5.0, 3e-2), (100.0, 5e-3), (1e6, 5e-3)] {
            for &dt in &[-1.0, 0.0, 1.0] {
                let below = NoncentralT::new(df, SERIES_MAX_NC).unwrap();
                let t = SERIES_MAX_NC * (1.0 + 1.0 / df).sqrt() + dt * 10.0;
                let exact = below.cdf(t);
                let approx = approximate_tails(t, df, SERIES_MAX_NC).0;
                assert!(
                    (exact - approx).abs() < tol,
                    "df={df} t={t}: {exact} vs {approx}"
                );
            }
        }
        let far = NoncentralT::new(3.0, 1e6).unwrap();
        assert_eq!(far.sf(2.0), 1.0);
    }

    #[test]
    fn rejects_bad_parameters() {
        assert!(NoncentralT::new(0.0, 1.0).is_err());
        assert!(NoncentralT::new(f64::NAN, 1.0).is_err());
        assert!(NoncentralT::new(5.0, f64::INFINITY).is_err());
        assert!(NoncentralT::new(5.0, 1.0).unwrap().cdf(f64::NAN).is_nan());
    }
}
