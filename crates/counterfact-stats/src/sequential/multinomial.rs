//! Anytime-valid Dirichlet-multinomial test for category counts: sample-ratio mismatch, and the
//! ratio of Poisson rates (two Poisson streams conditioned on their total count are binomial with
//! success probability set by the exposure shares).
//!
//! Lindon & Malek (2022), "Anytime-valid inference for multinomial count data", NeurIPS 35,
//! arXiv:2011.03567. Under H₀ the counts are multinomial(θ₀); the alternative mixes θ over a
//! Dirichlet(k·θ₀) prior. The Bayes factor after counts c is
//! B = B(k·θ₀ + c) / B(k·θ₀) / Π θ₀ᵢ^cᵢ with B the multivariate beta function; it is a
//! nonnegative martingale under H₀, so min(1, 1/B) minimized over looks is an always-valid
//! p-value. One observation in category i multiplies B by (k·θ₀ᵢ + cᵢ) / ((k + n) θ₀ᵢ), so a look
//! per observation costs O(1). Agrees with Netflix's savvi `Multinomial`.

use serde::Serialize;

use super::check_alpha;
use crate::dist::special::ln_gamma;
use crate::error::{Result, StatsError};

/// Result of the Dirichlet-multinomial test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MultinomialResult {
    /// Method name.
    pub method: String,
    /// Observed category shares cᵢ / n (NaN before any observation).
    pub estimate: Vec<f64>,
    /// Null category probabilities θ₀.
    pub null_probabilities: Vec<f64>,
    /// Natural log of the Bayes factor (e-value) against H₀ at the last observation.
    pub ln_bayes_factor: f64,
    /// Always-valid p-value: min over looks of min(1, 1/B).
    pub always_valid_p: f64,
    /// Significance level α.
    pub alpha: f64,
    /// Category counts.
    pub counts: Vec<u64>,
    /// Total count n.
    pub n: u64,
}

/// Streaming Dirichlet-multinomial sequential test (Lindon & Malek 2022).
#[derive(Debug, Clone, PartialEq)]
pub struct MultinomialSequentialTest {
    theta0: Vec<f64>,
    ln_theta0: Vec<f64>,
    concentration: f64,
    alpha: f64,
    counts: Vec<u64>,
    n: u64,
    ln_bf: f64,
    min_p: f64,
    cs: Vec<[f64; 2]>,
}

impl MultinomialSequentialTest {
    /// A test of H₀: probabilities = `theta0` (positive, summing to 1 within 1e-9) with a
    /// Dirichlet(`concentration`·θ₀) mixture (savvi's default concentration is 100).
    pub fn new(theta0: &[f64], concentration: f64, alpha: f64) -> Result<Self> {
        check_alpha(alpha)?;
        if theta0.len() < 2 {
            return Err(StatsError::TooFew {
                what: "theta0 (null probabilities)".into(),
                n: theta0.len(),
                min: 2,
            });
        }
        if let Some((i, &p)) = theta0
            .iter()
            .enumerate()
            .find(|(_, p)| !(p.is_finite() && **p > 0.0 && **p < 1.0))
        {
            return Err(StatsError::invalid(
                &format!("theta0[{i}]"),
                p,
                "null probabilities must lie strictly between 0 and 1",
            ));
        }
        let sum: f64 = theta0.iter().sum();
        if (sum - 1.0).abs() > 1e-9 {
            return Err(StatsError::invalid("theta0", sum, "must sum to 1"));
        }
        if !(concentration.is_finite() && concentration > 0.0) {
            return Err(StatsError::invalid(
                "concentration",
                concentration,
                "must be finite and positive",
            ));
        }
        Ok(MultinomialSequentialTest {
            theta0: theta0.to_vec(),
            ln_theta0: theta0.iter().map(|p| p.ln()).collect(),
            concentration,
            alpha,
            counts: vec![0; theta0.len()],
            n: 0,
            ln_bf: 0.0,
            min_p: 1.0,
            cs: vec![[0.0, 1.0]; theta0.len()],
        })
    }

    /// Adds one observation in `category` and looks (O(1)).
    pub fn push(&mut self, category: usize) -> Result<()> {
        let Some(&c) = self.counts.get(category) else {
            return Err(StatsError::invalid(
                "category",
                category,
                &format!(
                    "must be below the number of categories {}",
                    self.counts.len()
                ),
            ));
        };
        let a = self.concentration * self.theta0[category] + c as f64;
        let total = self.concentration + self.n as f64;
        self.ln_bf += (a / total).ln() - self.ln_theta0[category];
        self.counts[category] += 1;
        self.n += 1;
        self.min_p = self.min_p.min((-self.ln_bf).exp());
        Ok(())
    }

    /// Adds a batch of counts per category and looks once at the end of the batch.
    pub fn update(&mut self, counts: &[u64]) -> Result<()> {
        if counts.len() != self.counts.len() {
            return Err(StatsError::invalid(
                "counts",
                counts.len(),
                &format!("must have one entry per category ({})", self.counts.len()),
            ));
        }
        let added: u64 = counts.iter().fold(0u64, |s, &c| s.saturating_add(c));
        if added == 0 {
            return Ok(());
        }
        let k = self.concentration;
        let mut delta = 0.0;
        for (i, &x) in counts.iter().enumerate() {
            if x == 0 {
                continue;
            }
            let a = k * self.theta0[i] + self.counts[i] as f64;
            delta += ln_gamma(a + x as f64) - ln_gamma(a) - x as f64 * self.ln_theta0[i];
        }
        let total = k + self.n as f64;
        delta -= ln_gamma(total + added as f64) - ln_gamma(total);
        self.ln_bf += delta;
        for (c, &x) in self.counts.iter_mut().zip(counts) {
            *c = c.saturating_add(x);
        }
        self.n = self.n.saturating_add(added);
        self.min_p = self.min_p.min((-self.ln_bf).exp());
        Ok(())
    }

    /// Confidence interval, valid at every look, for the log rate ratio
    /// ln((θ₁/θ₀₁) / (θ₀/θ₀₀)) of a two-category test (savvi's `InhomogeneousPoissonProcess`
    /// contrast [−1, 1]): the set of d with ℓ(d) ≥ ln B(kθ₀ + c) − ln B(kθ₀) + ln α, where
    /// ℓ(d) = Σ cᵢ ln θᵢ(d) is the multinomial log-likelihood at θ(d) ∝ (θ₀₀, θ₀₁ eᵈ)
    /// (Lindon & Malek 2022, §4). ℓ is concave, so the two ends are found by bisection.
    pub fn log_rate_ratio_cs(&self) -> Result<[f64; 2]> {
        if self.counts.len() != 2 {
            return Err(StatsError::invalid(
                "categories",
                self.counts.len(),
                "the rate-ratio interval needs exactly two categories",
            ));
        }
        let (c0, c1) = (self.counts[0] as f64, self.counts[1] as f64);
        let (l0, l1) = (self.ln_theta0[0], self.ln_theta0[1]);
        let k = self.concentration;
        let a0 = [k * self.theta0[0], k * self.theta0[1]];
        let ln_beta = |a: f64, b: f64| ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b);
        let bound = ln_beta(a0[0] + c0, a0[1] + c1) - ln_beta(a0[0], a0[1]) + self.alpha.ln();
        let loglik = |d: f64| {
            // ln(θ₀₀ + θ₀₁ eᵈ) without overflow.
            let lse = if d + l1 > l0 {
                d + l1 + (l0 - d - l1).exp().ln_1p()
            } else {
                l0 + (d + l1 - l0).exp().ln_1p()
            };
            let t0 = if c0 > 0.0 { c0 * (l0 - lse) } else { 0.0 };
            let t1 = if c1 > 0.0 { c1 * (d + l1 - lse) } else { 0.0 };
            t0 + t1
        };
        let mode = match (c0 > 0.0, c1 > 0.0) {
            (true, true) => (c1 / c0).ln() - l1 + l0,
            (false, true) => f64::INFINITY,
            (true, false) => f64::NEG_INFINITY,
            (false, false) => return Ok([f64::NEG_INFINITY, f64::INFINITY]),
        };
        let root = |inside: f64, outward: f64| -> f64 {
            let mut step = 1.0;
            let mut out = inside + outward * step;
            while loglik(out) >= bound {
                step *= 2.0;
                if step > 1e7 {
                    return outward * f64::INFINITY;
                }
                out = inside + outward * step;
            }
            let (mut a, mut b) = (inside, out);
            for _ in 0..200 {
                let m = 0.5 * (a + b);
                if loglik(m) >= bound {
                    a = m;
                } else {
                    b = m;
                }
                if (b - a).abs() <= 1e-14 * (1.0 + a.abs()) {
                    break;
                }
            }
            0.5 * (a + b)
        };
        if !mode.is_finite() {
            // All counts in one category: the interval is one-sided.
            let anchor = if mode > 0.0 { 1e6 } else { -1e6 };
            return Ok(if mode > 0.0 {
                [root(anchor, -1.0).min(anchor), f64::INFINITY]
            } else {
                [f64::NEG_INFINITY, root(anchor, 1.0).max(anchor)]
            });
        }
        if loglik(mode) < bound {
            return Err(StatsError::Internal(format!(
                "rate-ratio interval: the likelihood at its mode {mode} is below the bound"
            )));
        }
        Ok([root(mode, -1.0), root(mode, 1.0)])
    }

    /// Simultaneous intervals for every category probability θᵢ at this look (any number of
    /// categories): the projections of the confidence set
    /// {θ : Σ cⱼ ln θⱼ ≥ ln B(kθ₀ + c) − ln B(kθ₀) + ln α} (Lindon & Malek 2022, §4; savvi's
    /// `Multinomial.calculate_conf_int` solves the same programs with cvxpy). With θᵢ = t fixed
    /// the other coordinates maximize the likelihood at θⱼ = (1 − t) cⱼ / (n − cᵢ), so each end
    /// is a root of the concave profile cᵢ ln t + (n − cᵢ) ln(1 − t) + Σⱼ≠ᵢ cⱼ ln(cⱼ/(n − cᵢ)),
    /// found by bisection.
    pub fn probability_cs(&self) -> Vec<[f64; 2]> {
        if self.n == 0 {
            return vec![[0.0, 1.0]; self.counts.len()];
        }
        let k = self.concentration;
        let n = self.n as f64;
        let mut bound = self.alpha.ln() - ln_gamma(k + n) + ln_gamma(k);
        for (c, t) in self.counts.iter().zip(&self.theta0) {
            let a = k * t;
            bound += ln_gamma(a + *c as f64) - ln_gamma(a);
        }
        // Σ cⱼ ln(cⱼ/n): the likelihood at the MLE, split per category.
        let xlogx = |c: f64, m: f64| if c > 0.0 { c * (c / m).ln() } else { 0.0 };
        let total: f64 = self.counts.iter().map(|&c| xlogx(c as f64, n)).sum();
        self.counts
            .iter()
            .map(|&ci| {
                let ci = ci as f64;
                let rest = n - ci;
                // Σⱼ≠ᵢ cⱼ ln(cⱼ/rest) = Σⱼ≠ᵢ cⱼ ln(cⱼ/n) − rest ln(rest/n).
                let others = total - xlogx(ci, n) - xlogx(rest, n);
                let profile = |t: f64| {
                    let a = if ci > 0.0 { ci * t.ln() } else { 0.0 };
                    let b = if rest > 0.0 { rest * (-t).ln_1p() } else { 0.0 };
                    a + b + others
                };
                let mode = ci / n;
                let root = |inside: f64, outside: f64| -> f64 {
                    if profile(outside) >= bound {
                        return outside;
                    }
                    let (mut a, mut b) = (inside, outside);
                    for _ in 0..200 {
                        let m = 0.5 * (a + b);
                        if m == a || m == b {
                            break;
                        }
                        if profile(m) >= bound {
                            a = m;
                        } else {
                            b = m;
                        }
                    }
                    0.5 * (a + b)
                };
                if profile(mode) < bound {
                    // The mixture's marginal likelihood never exceeds the maximum likelihood, so
                    // this only guards against rounding at the MLE.
                    return [mode, mode];
                }
                [root(mode, 0.0), root(mode, 1.0)]
            })
            .collect()
    }

    /// Takes a look at the probability intervals and intersects them with the previous looks'
    /// (the running confidence sequence), returning it.
    pub fn look_probability_cs(&mut self) -> &[[f64; 2]] {
        let now = self.probability_cs();
        for (run, cur) in self.cs.iter_mut().zip(now) {
            run[0] = run[0].max(cur[0]);
            run[1] = run[1].min(cur[1]);
        }
        &self.cs
    }

    /// Whether H₀ has been rejected at level α at some look so far.
    pub fn rejected(&self) -> bool {
        self.min_p <= self.alpha
    }

    /// The current result.
    pub fn result(&self) -> MultinomialResult {
        let n = self.n as f64;
        MultinomialResult {
            method: "Dirichlet-multinomial sequential test (Lindon & Malek 2022)".into(),
            estimate: self.counts.iter().map(|&c| c as f64 / n).collect(),
            null_probabilities: self.theta0.clone(),
            ln_bayes_factor: self.ln_bf,
            always_valid_p: self.min_p,
            alpha: self.alpha,
            counts: self.counts.clone(),
            n: self.n,
        }
    }
}

/// Always-valid comparison of two Poisson rates: counts `x_a`, `x_b` over exposures `t_a`, `t_b`
/// (e.g. user-hours) under H₀ of equal rates are binomial given the total with success
/// probability t_a / (t_a + t_b) (Lindon & Malek 2022, §5). One look at the given totals.
pub fn poisson_rate_test(
    x_a: u64,
    x_b: u64,
    t_a: f64,
    t_b: f64,
    concentration: f64,
    alpha: f64,
) -> Result<MultinomialResult> {
    for (name, t) in [("t_a", t_a), ("t_b", t_b)] {
        if !(t.is_finite() && t > 0.0) {
            return Err(StatsError::invalid(
                name,
                t,
                "exposure must be finite and positive",
            ));
        }
    }
    let share = t_a / (t_a + t_b);
    let mut test = MultinomialSequentialTest::new(&[share, 1.0 - share], concentration, alpha)?;
    test.update(&[x_a, x_b])?;
    Ok(test.result())
}
