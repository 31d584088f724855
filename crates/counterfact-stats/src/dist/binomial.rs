//! Binomial distribution: pmf by Loader's saddle-point form, cdf and sf through the incomplete
//! beta function, P(X > k) = I_p(k + 1, n − k).

use super::beta::{BetaTails, UnitPoint, bd0_diff, incomplete_beta};
use super::normal::std_normal_quantile;
use super::special::stirlerr;
use super::{DiscreteDistribution, bad_p};
use crate::error::{Result, StatsError};

/// ln of the binomial-type saddle-point prefactor √(n / (2π k (n − k))) e^{δ(n) − δ(k) − δ(n−k)}
/// for 0 < k < n (Loader 2000); 0 at the edges k = 0 and k = n, where the powers are exact.
pub(crate) fn ln_stirling_part(k: f64, n: f64) -> f64 {
    if k <= 0.0 || k >= n {
        return 0.0;
    }
    stirlerr(n)
        - stirlerr(k)
        - stirlerr(n - k)
        - 0.5 * (std::f64::consts::TAU.ln() + k.ln() + (-k / n).ln_1p())
}

/// k − n p with the product n p not rounded.
fn diff_product(k: f64, n: f64, p: f64) -> f64 {
    let hi = n * p;
    let lo = n.mul_add(p, -hi);
    (k - hi) - lo
}

/// Smallest k in [lo, hi] with `reached(k)`, for a monotone predicate true at hi: an expanding
/// bracket from the (saturating) start `guess`, then integer bisection.
pub(crate) fn search_quantile(lo: u64, hi: u64, guess: f64, reached: impl Fn(u64) -> bool) -> u64 {
    // The float-to-int cast saturates (NaN gives 0); the bracket search corrects any start.
    let start = (guess.floor() as u64).clamp(lo, hi);
    let (mut below, mut above);
    if reached(start) {
        above = start;
        let mut step = 1u64;
        loop {
            if above == lo {
                return lo;
            }
            let cand = above.saturating_sub(step).max(lo);
            if !reached(cand) {
                below = cand;
                break;
            }
            above = cand;
            step = step.saturating_mul(2);
        }
    } else {
        below = start;
        let mut step = 1u64;
        loop {
            let cand = below.saturating_add(step).min(hi);
            if cand == hi || reached(cand) {
                above = cand;
                break;
            }
            below = cand;
            step = step.saturating_mul(2);
        }
    }
    while above - below > 1 {
        let mid = below + (above - below) / 2;
        if reached(mid) {
            above = mid;
        } else {
            below = mid;
        }
    }
    above
}

/// Binomial distribution with `n` trials and success probability `p`.
#[derive(Debug, Clone, Copy)]
pub struct Binomial {
    n: u64,
    p: f64,
}

impl Binomial {
    /// Binomial(n, p) with p in [0, 1].
    pub fn new(n: u64, p: f64) -> Result<Self> {
        if bad_p(p) {
            return Err(StatsError::invalid("p", p, "must lie in [0, 1]"));
        }
        Ok(Binomial { n, p })
    }

    /// The single support point when the distribution is degenerate.
    fn point_mass(&self) -> Option<u64> {
        if self.p == 0.0 || self.n == 0 {
            Some(0)
        } else if self.p == 1.0 {
            Some(self.n)
        } else {
            None
        }
    }

    /// P(X ≤ k) and P(X > k) with logs, for k < n and 0 < p < 1.
    fn tails(&self, k: u64) -> BetaTails {
        let a = k as f64 + 1.0;
        let b = (self.n - k) as f64;
        incomplete_beta(a, b, &UnitPoint::from_x(self.p))
    }
}

impl DiscreteDistribution for Binomial {
    fn pmf(&self, k: u64) -> f64 {
        self.ln_pmf(k).exp()
    }

    fn ln_pmf(&self, k: u64) -> f64 {
        if let Some(m) = self.point_mass() {
            return if k == m { 0.0 } else { f64::NEG_INFINITY };
        }
        if k > self.n {
            return f64::NEG_INFINITY;
        }
        let (n, kf, p) = (self.n as f64, k as f64, self.p);
        // Loader's form: −bd0(k, np) − bd0(n−k, nq) with k − np = d and (n−k) − nq = −d.
        let d = diff_product(kf, n, p);
        ln_stirling_part(kf, n) - bd0_diff(kf, n * p, d) - bd0_diff(n - kf, n * (1.0 - p), -d)
    }

    fn cdf(&self, k: u64) -> f64 {
        self.ln_cdf(k).exp()
    }

    fn sf(&self, k: u64) -> f64 {
        self.ln_sf(k).exp()
    }

    fn ln_cdf(&self, k: u64) -> f64 {
        match self.point_mass() {
            Some(m) => {
                if k >= m {
                    0.0
                } else {
                    f64::NEG_INFINITY
                }
            }
            None if k >= self.n => 0.0,
            None => self.tails(k).ln_upper,
        }
    }

    fn ln_sf(&self, k: u64) -> f64 {
        match self.point_mass() {
            Some(m) => {
                if k >= m {
                    f64::NEG_INFINITY
                } else {
                    0.0
                }
            }
            None if k >= self.n => f64::NEG_INFINITY,
            None => self.tails(k).ln_lower,
        }
    }

    fn quantile(&self, p: f64) -> f64 {
        if bad_p(p) {
            return f64::NAN;
        }
        if let Some(m) = self.point_mass() {
            return m as f64;
        }
        if p == 0.0 {
            return 0.0;
        }
        // Smallest k with cdf(k) ≥ p, tested on the tail that is small at the answer.
        let reached = |k: u64| {
            if p <= 0.5 {
                self.ln_cdf(k) >= p.ln()
            } else {
                self.ln_sf(k) <= (1.0 - p).ln()
            }
        };
        // Normal start with the Cornish–Fisher skewness term.
        let (n, q) = (self.n as f64, 1.0 - self.p);
        let sd = (n * self.p * q).sqrt();
        let z = std_normal_quantile(p);
        let guess = n * self.p + sd * z + (q - self.p) * (z * z - 1.0) / 6.0 - 0.5;
        search_quantile(0, self.n, guess, reached) as f64
    }
}
