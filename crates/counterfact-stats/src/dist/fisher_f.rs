//! Fisher-Snedecor F distribution through the incomplete beta function:
//! P(F ≤ f) = I_x(d1/2, d2/2) with x = d1 f / (d1 f + d2).

use super::beta::{BetaTails, UnitPoint, incomplete_beta, inverse_incomplete_beta};
use super::{ContinuousDistribution, bad_p};
use crate::error::{Result, check_positive_arg};

/// Fisher-Snedecor F distribution.
#[derive(Debug, Clone, Copy)]
pub struct FisherF {
    d1: f64,
    d2: f64,
}

impl FisherF {
    /// F with `d1` and `d2` degrees of freedom.
    pub fn new(d1: f64, d2: f64) -> Result<Self> {
        check_positive_arg("d1", d1)?;
        check_positive_arg("d2", d2)?;
        Ok(FisherF { d1, d2 })
    }

    /// The point x = d1 f/(d1 f + d2), from the odds d1 f / d2 without overflow.
    fn unit_point(&self, f: f64) -> UnitPoint {
        let u = self.d1 * f / self.d2;
        let ln_u = if u.is_finite() && u > 1e-300 {
            u.ln()
        } else {
            self.d1.ln() + f.ln() - self.d2.ln()
        };
        let u = if u.is_finite() { u } else { ln_u.exp() };
        UnitPoint::from_odds(u, ln_u)
    }

    fn tails(&self, f: f64) -> BetaTails {
        let pt = if f.is_nan() {
            UnitPoint::from_x(f64::NAN)
        } else if f <= 0.0 {
            UnitPoint::from_x(0.0)
        } else if f == f64::INFINITY {
            UnitPoint::from_x(1.0)
        } else {
            self.unit_point(f)
        };
        incomplete_beta(0.5 * self.d1, 0.5 * self.d2, &pt)
    }

    /// f = (d2/d1) x/y for the beta point solving the given tail.
    fn ratio_to_f(&self, pt: UnitPoint) -> f64 {
        if pt.x > 1e-300 && pt.y > 1e-300 {
            self.d2 / self.d1 * (pt.x / pt.y)
        } else {
            (self.d2.ln() - self.d1.ln() + pt.ln_x - pt.ln_y).exp()
        }
    }
}

impl ContinuousDistribution for FisherF {
    fn pdf(&self, f: f64) -> f64 {
        self.ln_pdf(f).exp()
    }

    fn ln_pdf(&self, f: f64) -> f64 {
        if f.is_nan() {
            return f64::NAN;
        }
        if f < 0.0 || f == f64::INFINITY {
            return f64::NEG_INFINITY;
        }
        if f == 0.0 {
            return if self.d1 < 2.0 {
                f64::INFINITY
            } else if self.d1 == 2.0 {
                0.0
            } else {
                f64::NEG_INFINITY
            };
        }
        // density = x^{d1/2} y^{d2/2} / (B(d1/2, d2/2) f)
        self.tails(f).ln_kernel - f.ln()
    }

    fn cdf(&self, f: f64) -> f64 {
        self.tails(f).lower
    }

    fn sf(&self, f: f64) -> f64 {
        self.tails(f).upper
    }

    fn ln_cdf(&self, f: f64) -> f64 {
        self.tails(f).ln_lower
    }

    fn ln_sf(&self, f: f64) -> f64 {
        self.tails(f).ln_upper
    }

    fn quantile(&self, p: f64) -> f64 {
        if bad_p(p) {
            return f64::NAN;
        }
        if p == 0.0 {
            return 0.0;
        }
        if p == 1.0 {
            return f64::INFINITY;
        }
        self.ratio_to_f(inverse_incomplete_beta(
            0.5 * self.d1,
            0.5 * self.d2,
            p.ln(),
            false,
        ))
    }

    fn isf(&self, q: f64) -> f64 {
        if bad_p(q) {
            return f64::NAN;
        }
        if q == 0.0 {
            return f64::INFINITY;
        }
        if q == 1.0 {
            return 0.0;
        }
        self.ratio_to_f(inverse_incomplete_beta(
            0.5 * self.d1,
            0.5 * self.d2,
            q.ln(),
            true,
        ))
    }
}
