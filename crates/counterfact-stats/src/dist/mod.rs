//! Probability distributions with CDF, survival function, quantile and inverse survival function.
//!
//! Every continuous distribution implements [`ContinuousDistribution`], every discrete one
//! [`DiscreteDistribution`]. Invalid probabilities given to a quantile function (NaN, outside
//! [0, 1]) return NaN, as scipy does; constructors reject invalid parameters with an error.

pub mod beta;
pub mod binomial;
pub mod fisher_f;
pub mod gamma;
pub mod hypergeometric;
pub mod noncentral_t;
pub mod normal;
pub mod poisson;
pub mod solve;
pub mod special;
pub mod student_t;
mod temme;

pub use beta::Beta;
pub use binomial::Binomial;
pub use fisher_f::FisherF;
pub use gamma::{ChiSquared, Gamma};
pub use hypergeometric::Hypergeometric;
pub use noncentral_t::NoncentralT;
pub use normal::Normal;
pub use poisson::Poisson;
pub use student_t::StudentT;

/// A continuous univariate distribution.
pub trait ContinuousDistribution {
    /// Probability density at `x`.
    fn pdf(&self, x: f64) -> f64;
    /// P(X ≤ x).
    fn cdf(&self, x: f64) -> f64;
    /// P(X > x), computed directly (not as 1 − cdf) so that upper tails keep their precision.
    fn sf(&self, x: f64) -> f64;
    /// The x with cdf(x) = p.
    fn quantile(&self, p: f64) -> f64;
    /// The x with sf(x) = q, computed directly so that tiny upper-tail probabilities stay exact.
    fn isf(&self, q: f64) -> f64;
    /// ln f(x); implementations override this where the density underflows.
    fn ln_pdf(&self, x: f64) -> f64 {
        self.pdf(x).ln()
    }
    /// ln P(X ≤ x); implementations override this to stay finite where the cdf underflows.
    fn ln_cdf(&self, x: f64) -> f64 {
        self.cdf(x).ln()
    }
    /// ln P(X > x); implementations override this to stay finite where the sf underflows.
    fn ln_sf(&self, x: f64) -> f64 {
        self.sf(x).ln()
    }
}

/// A discrete distribution on the non-negative integers.
pub trait DiscreteDistribution {
    /// P(X = k).
    fn pmf(&self, k: u64) -> f64;
    /// ln P(X = k).
    fn ln_pmf(&self, k: u64) -> f64;
    /// P(X ≤ k).
    fn cdf(&self, k: u64) -> f64;
    /// P(X > k).
    fn sf(&self, k: u64) -> f64;
    /// The smallest k with cdf(k) ≥ p.
    fn quantile(&self, p: f64) -> f64;
    /// ln P(X ≤ k); implementations override this to stay finite where the cdf underflows.
    fn ln_cdf(&self, k: u64) -> f64 {
        self.cdf(k).ln()
    }
    /// ln P(X > k); implementations override this to stay finite where the sf underflows.
    fn ln_sf(&self, k: u64) -> f64 {
        self.sf(k).ln()
    }
}

fn bad_p(p: f64) -> bool {
    !(0.0..=1.0).contains(&p)
}
