//! Probability distributions with CDF, survival function, quantile and inverse survival function.
//!
//! Every continuous distribution implements [`ContinuousDistribution`], every discrete one
//! [`DiscreteDistribution`]. Invalid probabilities given to a quantile function (NaN, outside
//! [0, 1]) return NaN, as scipy does; constructors reject invalid parameters with an error.

pub mod gamma;
pub mod normal;
pub mod poisson;
pub mod solve;
pub mod special;
mod temme;

pub use gamma::{ChiSquared, Gamma};
pub use normal::Normal;
pub use poisson::Poisson;

use statrs::distribution::{
    Beta as SBeta, Binomial as SBinomial, Continuous, ContinuousCDF, Discrete, DiscreteCDF,
    FisherSnedecor as SF, Hypergeometric as SHyper, StudentsT as SStudentsT,
};

use crate::error::{Result, StatsError, check_positive_arg};

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

macro_rules! continuous_via_statrs {
    ($name:ident) => {
        impl ContinuousDistribution for $name {
            fn pdf(&self, x: f64) -> f64 {
                self.inner.pdf(x)
            }
            fn cdf(&self, x: f64) -> f64 {
                self.inner.cdf(x)
            }
            fn sf(&self, x: f64) -> f64 {
                self.inner.sf(x)
            }
            fn quantile(&self, p: f64) -> f64 {
                if bad_p(p) {
                    f64::NAN
                } else {
                    self.inner.inverse_cdf(p)
                }
            }
            fn isf(&self, q: f64) -> f64 {
                if bad_p(q) {
                    f64::NAN
                } else {
                    self.inner.inverse_cdf(1.0 - q)
                }
            }
        }
    };
}

/// Student's t distribution with `df` degrees of freedom.
#[derive(Debug, Clone, Copy)]
pub struct StudentT {
    inner: SStudentsT,
}

impl StudentT {
    /// t with `df` > 0 degrees of freedom.
    pub fn new(df: f64) -> Result<Self> {
        check_positive_arg("df", df)?;
        Ok(StudentT {
            inner: SStudentsT::new(0.0, 1.0, df)
                .map_err(|e| StatsError::Internal(e.to_string()))?,
        })
    }
}
continuous_via_statrs!(StudentT);

/// Fisher-Snedecor F distribution.
#[derive(Debug, Clone, Copy)]
pub struct FisherF {
    inner: SF,
}

impl FisherF {
    /// F with `d1` and `d2` degrees of freedom.
    pub fn new(d1: f64, d2: f64) -> Result<Self> {
        check_positive_arg("d1", d1)?;
        check_positive_arg("d2", d2)?;
        Ok(FisherF {
            inner: SF::new(d1, d2).map_err(|e| StatsError::Internal(e.to_string()))?,
        })
    }
}
continuous_via_statrs!(FisherF);

/// Beta distribution on [0, 1].
#[derive(Debug, Clone, Copy)]
pub struct Beta {
    inner: SBeta,
}

impl Beta {
    /// Beta(a, b) with shapes a, b > 0.
    pub fn new(a: f64, b: f64) -> Result<Self> {
        check_positive_arg("a", a)?;
        check_positive_arg("b", b)?;
        Ok(Beta {
            inner: SBeta::new(a, b).map_err(|e| StatsError::Internal(e.to_string()))?,
        })
    }
}
continuous_via_statrs!(Beta);

macro_rules! discrete_via_statrs {
    ($name:ident) => {
        impl DiscreteDistribution for $name {
            fn pmf(&self, k: u64) -> f64 {
                self.inner.pmf(k)
            }
            fn ln_pmf(&self, k: u64) -> f64 {
                self.inner.ln_pmf(k)
            }
            fn cdf(&self, k: u64) -> f64 {
                self.inner.cdf(k)
            }
            fn sf(&self, k: u64) -> f64 {
                self.inner.sf(k)
            }
            fn quantile(&self, p: f64) -> f64 {
                if bad_p(p) {
                    f64::NAN
                } else {
                    self.inner.inverse_cdf(p) as f64
                }
            }
        }
    };
}

/// Binomial distribution with `n` trials and success probability `p`.
#[derive(Debug, Clone, Copy)]
pub struct Binomial {
    inner: SBinomial,
}

impl Binomial {
    /// Binomial(n, p) with p in [0, 1].
    pub fn new(n: u64, p: f64) -> Result<Self> {
        if bad_p(p) || p.is_nan() {
            return Err(StatsError::invalid("p", p, "must lie in [0, 1]"));
        }
        Ok(Binomial {
            inner: SBinomial::new(p, n).map_err(|e| StatsError::Internal(e.to_string()))?,
        })
    }
}
discrete_via_statrs!(Binomial);

/// Hypergeometric distribution: `draws` draws without replacement from a population of
/// `population` items of which `successes` are successes.
#[derive(Debug, Clone, Copy)]
pub struct Hypergeometric {
    inner: SHyper,
}

impl Hypergeometric {
    /// Hypergeometric(population, successes, draws).
    pub fn new(population: u64, successes: u64, draws: u64) -> Result<Self> {
        if successes > population {
            return Err(StatsError::invalid(
                "successes",
                successes,
                "must not exceed the population",
            ));
        }
        if draws > population {
            return Err(StatsError::invalid(
                "draws",
                draws,
                "must not exceed the population",
            ));
        }
        Ok(Hypergeometric {
            inner: SHyper::new(population, successes, draws)
                .map_err(|e| StatsError::Internal(e.to_string()))?,
        })
    }
}
discrete_via_statrs!(Hypergeometric);
