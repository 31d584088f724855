//! Student's t distribution through the incomplete beta function, with closed forms for one
//! (Cauchy) and two degrees of freedom.

use std::f64::consts::{FRAC_1_PI, PI};

use super::beta::{UnitPoint, incomplete_beta, inverse_incomplete_beta, ln_beta};
use super::special::ln1mexp;
use super::{ContinuousDistribution, bad_p};
use crate::error::{Result, check_positive_arg};

/// Student's t distribution with `df` degrees of freedom.
#[derive(Debug, Clone, Copy)]
pub struct StudentT {
    df: f64,
}

impl StudentT {
    /// t with `df` > 0 degrees of freedom.
    pub fn new(df: f64) -> Result<Self> {
        check_positive_arg("df", df)?;
        Ok(StudentT { df })
    }

    /// The degrees of freedom.
    pub fn df(&self) -> f64 {
        self.df
    }

    /// ln P(T ≤ −|t|) for |t| > 0: the lower tail beyond −|t|, never formed as a difference.
    fn ln_tail(&self, t: f64) -> f64 {
        let a = t.abs();
        if a == f64::INFINITY {
            return f64::NEG_INFINITY;
        }
        if self.df == 1.0 {
            // Cauchy: P(T ≤ −a) = atan(1/a)/π.
            let v = if a > 1.0 {
                (1.0 / a).atan() * FRAC_1_PI
            } else {
                0.5 - a.atan() * FRAC_1_PI
            };
            return v.ln();
        }
        if self.df == 2.0 {
            // P(T ≤ −a) = ½ (1 − a/√(2 + a²)) = 1 / (√(2+a²) (√(2+a²) + a)).
            let r = if a > 1e150 { a } else { (2.0 + a * a).sqrt() };
            return -(r.ln() + (r + a).ln());
        }
        let tails = incomplete_beta(0.5 * self.df, 0.5, &self.unit_point(a));
        tails.ln_lower - std::f64::consts::LN_2
    }

    /// x = df/(df + t²) and y = t²/(df + t²) without overflow of t².
    fn unit_point(&self, a: f64) -> UnitPoint {
        let u = self.df / a / a;
        let ln_u = if u.is_finite() && u > 1e-300 {
            u.ln()
        } else {
            self.df.ln() - 2.0 * a.ln()
        };
        UnitPoint::from_odds(u, ln_u)
    }

    /// The t with P(T ≤ t) = p for p ≤ ½, from ln p.
    fn lower_quantile(&self, p: f64) -> f64 {
        if p == 0.0 {
            return f64::NEG_INFINITY;
        }
        if p == 0.5 {
            return 0.0;
        }
        if self.df == 1.0 {
            return if p < 0.25 {
                -1.0 / (PI * p).tan()
            } else {
                (PI * (p - 0.5)).tan()
            };
        }
        if self.df == 2.0 {
            return (2.0 * p - 1.0) / (2.0 * p * (1.0 - p)).sqrt();
        }
        let pt = inverse_incomplete_beta(0.5 * self.df, 0.5, (2.0 * p).ln(), false);
        // t² = df y / x
        let ratio = if pt.x > 1e-300 && pt.y > 1e-300 {
            (pt.y / pt.x).sqrt()
        } else {
            (0.5 * (pt.ln_y - pt.ln_x)).exp()
        };
        -(self.df.sqrt() * ratio)
    }
}

impl ContinuousDistribution for StudentT {
    fn pdf(&self, t: f64) -> f64 {
        self.ln_pdf(t).exp()
    }

    fn ln_cdf(&self, t: f64) -> f64 {
        if t.is_nan() {
            return f64::NAN;
        }
        if t == 0.0 {
            return -std::f64::consts::LN_2;
        }
        let l = self.ln_tail(t);
        if t < 0.0 { l } else { ln1mexp(l) }
    }

    fn ln_sf(&self, t: f64) -> f64 {
        self.ln_cdf(-t)
    }

    fn ln_pdf(&self, t: f64) -> f64 {
        if t.is_nan() {
            return f64::NAN;
        }
        let df = self.df;
        let a = t.abs();
        // ln(1 + t²/df) without overflow of t²
        let r = a / df.sqrt();
        let l = if r <= 1.0 {
            (r * r).ln_1p()
        } else {
            2.0 * r.ln() + (1.0 / (r * r)).ln_1p()
        };
        -0.5 * (df + 1.0) * l - 0.5 * df.ln() - ln_beta(0.5 * df, 0.5)
    }

    fn cdf(&self, t: f64) -> f64 {
        self.ln_cdf(t).exp()
    }

    fn sf(&self, t: f64) -> f64 {
        self.ln_sf(t).exp()
    }

    fn quantile(&self, p: f64) -> f64 {
        if bad_p(p) {
            return f64::NAN;
        }
        if p <= 0.5 {
            self.lower_quantile(p)
        } else {
            -self.lower_quantile(1.0 - p)
        }
    }

    fn isf(&self, q: f64) -> f64 {
        if bad_p(q) {
            return f64::NAN;
        }
        if q <= 0.5 {
            -self.lower_quantile(q)
        } else {
            self.lower_quantile(1.0 - q)
        }
    }
}
