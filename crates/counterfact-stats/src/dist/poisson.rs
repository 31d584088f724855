//! Poisson distribution: pmf in Loader's (2000) saddle-point form, cdf and sf through the
//! regularized incomplete gamma function (P(X ≤ k) = Q(k + 1, λ)).

use super::DiscreteDistribution;
use super::gamma::{gamma_p, gamma_q, ln_gamma_p, ln_gamma_q};
use super::normal::std_normal_quantile;
use super::special::ln_dpois_raw;
use crate::error::{Result, check_positive_arg};

/// Poisson distribution with mean `lambda`.
#[derive(Debug, Clone, Copy)]
pub struct Poisson {
    lambda: f64,
}

impl Poisson {
    /// Poisson(lambda) with lambda > 0.
    pub fn new(lambda: f64) -> Result<Self> {
        check_positive_arg("lambda", lambda)?;
        Ok(Poisson { lambda })
    }

    /// The mean λ.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }

    /// Whether P(X ≤ k) ≥ p, decided on the tail that holds the smaller probability
    /// (P(X ≤ k) ≥ p ⇔ P(X > k) ≤ 1 − p, and 1 − p is exact for p ≥ ½).
    fn reaches(&self, k: u64, p: f64) -> bool {
        if p <= 0.5 {
            self.cdf(k) >= p
        } else {
            self.sf(k) <= 1.0 - p
        }
    }
}

impl DiscreteDistribution for Poisson {
    fn pmf(&self, k: u64) -> f64 {
        self.ln_pmf(k).exp()
    }
    fn ln_pmf(&self, k: u64) -> f64 {
        ln_dpois_raw(k as f64, self.lambda)
    }
    fn cdf(&self, k: u64) -> f64 {
        gamma_q(k as f64 + 1.0, self.lambda)
    }
    fn sf(&self, k: u64) -> f64 {
        gamma_p(k as f64 + 1.0, self.lambda)
    }
    fn ln_cdf(&self, k: u64) -> f64 {
        ln_gamma_q(k as f64 + 1.0, self.lambda)
    }
    fn ln_sf(&self, k: u64) -> f64 {
        ln_gamma_p(k as f64 + 1.0, self.lambda)
    }
    /// Exact for every p; for λ beyond 2^53 the integer answer is rounded to the nearest double,
    /// and beyond 2^64 it saturates at `u64::MAX`.
    fn quantile(&self, p: f64) -> f64 {
        if p.is_nan() || !(0.0..=1.0).contains(&p) {
            return f64::NAN;
        }
        if p == 1.0 {
            return f64::INFINITY;
        }
        if p == 0.0 || self.reaches(0, p) {
            return 0.0;
        }
        // Cornish–Fisher start, then an expanding bracket and integer bisection.
        let z = std_normal_quantile(p);
        let guess = self.lambda + self.lambda.sqrt() * z + (z * z - 1.0) / 6.0;
        // The float-to-int cast saturates; the bracket search below corrects any start.
        let mut k = guess.max(0.0).floor() as u64;
        let (mut lo, mut hi);
        if self.reaches(k, p) {
            hi = k;
            let mut step = 1u64;
            loop {
                let cand = hi.saturating_sub(step);
                if cand == 0 || !self.reaches(cand, p) {
                    lo = cand;
                    break;
                }
                hi = cand;
                step = step.saturating_mul(2);
            }
        } else {
            lo = k;
            let mut step = 1u64;
            loop {
                let cand = lo.saturating_add(step);
                if self.reaches(cand, p) || cand == u64::MAX {
                    hi = cand;
                    break;
                }
                lo = cand;
                step = step.saturating_mul(2);
            }
        }
        // Invariant: not reaches(lo) (lo = 0 was excluded above), reaches(hi).
        while hi - lo > 1 {
            k = lo + (hi - lo) / 2;
            if self.reaches(k, p) {
                hi = k;
            } else {
                lo = k;
            }
        }
        hi as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_lambda_values() {
        let d = Poisson::new(2.0).unwrap_or_else(|e| panic!("{e}"));
        let want = 2.0 * (-2.0f64).exp();
        assert!((d.pmf(1) - want).abs() < 1e-16);
        assert!((d.cdf(0) - (-2.0f64).exp()).abs() < 1e-16);
        assert_eq!(d.quantile(0.0), 0.0);
        assert_eq!(d.quantile(1.0), f64::INFINITY);
        assert!(d.quantile(f64::NAN).is_nan());
        assert_eq!(d.quantile(0.5), 2.0);
        assert!(Poisson::new(-1.0).is_err());
    }
}
