//! Hypergeometric distribution. The pmf is a ratio of three binomial pmfs at p = draws /
//! population, each in Loader's saddle-point form (as in R's dhyper), with every deviance term
//! fed the exact difference (k·N − K·n)/N so that populations in the millions keep full relative
//! precision; cdf and sf sum the pmf ratios outward from the tail that does not contain the
//! mean, so that tiny tail probabilities (Fisher's exact test) keep their relative precision.

use super::DiscreteDistribution;
use super::bad_p;
use super::beta::bd0_diff;
use super::binomial::{ln_stirling_part, search_quantile};
use super::normal::std_normal_quantile;
use super::special::ln1mexp;
use crate::error::{Result, StatsError};

/// Terms summed at most by one tail sum: enough for standard deviations up to ~3·10⁴
/// (populations up to ~10⁹); beyond that the sum is truncated rather than run for seconds.
const MAX_TERMS: u64 = 300_000;

/// Hypergeometric distribution: `draws` draws without replacement from a population of
/// `population` items of which `successes` are successes.
#[derive(Debug, Clone, Copy)]
pub struct Hypergeometric {
    population: u64,
    successes: u64,
    draws: u64,
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
            population,
            successes,
            draws,
        })
    }

    /// Smallest and largest possible number of successes drawn.
    pub fn support(&self) -> (u64, u64) {
        let total = u128::from(self.draws) + u128::from(self.successes);
        let lo = total.saturating_sub(u128::from(self.population));
        // lo ≤ min(draws, successes), so it fits in u64.
        (
            u64::try_from(lo).unwrap_or(0),
            self.draws.min(self.successes),
        )
    }

    /// (k·N − K·n)/N, exact up to one rounding.
    fn deviation(&self, k: u64) -> f64 {
        let big_n = i128::from(self.population);
        let exact = i128::from(k)
            .checked_mul(big_n)
            .zip(i128::from(self.successes).checked_mul(i128::from(self.draws)))
            .map(|(a, b)| a - b);
        match exact {
            Some(d) => d as f64 / self.population as f64,
            None => k as f64 - self.successes as f64 * (self.draws as f64 / self.population as f64),
        }
    }

    /// pmf(j + 1)/pmf(j).
    fn ratio_up(&self, j: u64) -> f64 {
        let (big_n, big_k, n) = (
            self.population as f64,
            self.successes as f64,
            self.draws as f64,
        );
        let j = j as f64;
        (big_k - j) * (n - j) / ((j + 1.0) * (big_n - big_k - n + j + 1.0))
    }

    /// ln Σ_{j} pmf(j) over j = k, k∓1, … to the end of the support in the direction `up`.
    fn ln_tail_from(&self, k: u64, up: bool) -> f64 {
        let (lo, hi) = self.support();
        let mut term = 1.0f64;
        let mut sum = 1.0f64;
        let mut j = k;
        for _ in 0..MAX_TERMS {
            if up {
                if j >= hi {
                    break;
                }
                term *= self.ratio_up(j);
                j += 1;
            } else {
                if j <= lo {
                    break;
                }
                term /= self.ratio_up(j - 1);
                j -= 1;
            }
            sum += term;
            if term <= sum * 1e-17 {
                break;
            }
        }
        self.ln_pmf(k) + sum.ln()
    }

    /// (ln P(X ≤ k), ln P(X > k)).
    fn ln_tails(&self, k: u64) -> (f64, f64) {
        let (lo, hi) = self.support();
        if k >= hi {
            return (0.0, f64::NEG_INFINITY);
        }
        if k < lo {
            return (f64::NEG_INFINITY, 0.0);
        }
        let mean = self.draws as f64 * (self.successes as f64 / self.population as f64);
        if (k as f64) < mean {
            let l = self.ln_tail_from(k, false);
            (l, ln1mexp(l))
        } else {
            let l = self.ln_tail_from(k + 1, true);
            (ln1mexp(l), l)
        }
    }
}

impl DiscreteDistribution for Hypergeometric {
    fn pmf(&self, k: u64) -> f64 {
        self.ln_pmf(k).exp()
    }

    fn ln_pmf(&self, k: u64) -> f64 {
        let (lo, hi) = self.support();
        if k < lo || k > hi {
            return f64::NEG_INFINITY;
        }
        if lo == hi {
            return 0.0;
        }
        let (big_n, big_k, n) = (
            self.population as f64,
            self.successes as f64,
            self.draws as f64,
        );
        let kf = k as f64;
        let rest = big_n - big_k - n + kf;
        // dbinom(k; K, p) dbinom(n − k; N − K, p) / dbinom(n; N, p) at p = n/N; the deviations
        // from the binomial means are ±d, and those of the denominator vanish.
        let d = self.deviation(k);
        let (p, q) = (n / big_n, (big_n - n) / big_n);
        ln_stirling_part(kf, big_k) + ln_stirling_part(n - kf, big_n - big_k)
            - ln_stirling_part(n, big_n)
            - bd0_diff(kf, big_k * p, d)
            - bd0_diff(big_k - kf, big_k * q, -d)
            - bd0_diff(n - kf, (big_n - big_k) * p, -d)
            - bd0_diff(rest, (big_n - big_k) * q, d)
    }

    fn cdf(&self, k: u64) -> f64 {
        self.ln_cdf(k).exp()
    }

    fn sf(&self, k: u64) -> f64 {
        self.ln_sf(k).exp()
    }

    fn ln_cdf(&self, k: u64) -> f64 {
        self.ln_tails(k).0
    }

    fn ln_sf(&self, k: u64) -> f64 {
        self.ln_tails(k).1
    }

    fn quantile(&self, p: f64) -> f64 {
        if bad_p(p) {
            return f64::NAN;
        }
        let (lo, hi) = self.support();
        if p == 0.0 {
            return lo as f64;
        }
        let reached = |k: u64| {
            let (c, s) = self.ln_tails(k);
            if p <= 0.5 {
                c >= p.ln()
            } else {
                s <= (1.0 - p).ln()
            }
        };
        let (big_n, big_k, n) = (
            self.population as f64,
            self.successes as f64,
            self.draws as f64,
        );
        let mean = n * (big_k / big_n);
        let var = mean * ((big_n - big_k) / big_n) * ((big_n - n) / (big_n - 1.0).max(1.0));
        let guess = mean + var.sqrt() * std_normal_quantile(p) - 0.5;
        search_quantile(lo, hi, guess, reached) as f64
    }
}
