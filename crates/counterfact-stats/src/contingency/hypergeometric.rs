//! Central and Fisher noncentral hypergeometric distributions of the top-left cell of a 2×2 table
//! with fixed margins, computed in log space so that tables with counts in the millions and tail
//! probabilities far below 1e-100 keep full relative precision.
//!
//! The log-pmf follows Loader (2000), "Fast and accurate computation of binomial probabilities":
//! the hypergeometric pmf is a ratio of three saddle-point binomial terms, each written with the
//! Stirling remainder `stirlerr` and the deviance term `bd0`, so that no large log-factorials are
//! subtracted. Tail sums walk outward from the cell with the exact pmf ratio recurrence.

use crate::dist::solve::brent;
use crate::dist::special::{bd0, stirlerr};
use crate::error::{Result, StatsError};

const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// Relative size below which a term no longer changes a tail sum.
const NEGLIGIBLE: f64 = 1e-20;

/// ln of the binomial probability of `x` successes in `n` trials with success probability `p`
/// (`q` = 1 − p given separately to keep its precision).
fn ln_binomial_raw(x: f64, n: f64, p: f64, q: f64) -> f64 {
    if p == 0.0 {
        return if x == 0.0 { 0.0 } else { f64::NEG_INFINITY };
    }
    if q == 0.0 {
        return if x == n { 0.0 } else { f64::NEG_INFINITY };
    }
    if x == 0.0 {
        if n == 0.0 {
            return 0.0;
        }
        return if p < 0.1 {
            -bd0(n, n * q) - n * p
        } else {
            n * q.ln()
        };
    }
    if x == n {
        return if q < 0.1 {
            -bd0(n, n * p) - n * q
        } else {
            n * p.ln()
        };
    }
    if x < 0.0 || x > n {
        return f64::NEG_INFINITY;
    }
    let lc = stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(x, n * p) - bd0(n - x, n * q);
    let lf = LN_2PI + x.ln() + (-x / n).ln_1p();
    lc - 0.5 * lf
}

/// The distribution of the top-left cell `a` of a 2×2 table `[[a, b], [c, d]]` given its margins.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TableCell {
    /// First row total a + b (the "successes" of the urn).
    row0: f64,
    /// Second row total c + d.
    row1: f64,
    /// First column total a + c (the draws).
    col0: f64,
    /// Smallest value of `a` the margins allow.
    pub lo: f64,
    /// Largest value of `a` the margins allow.
    pub hi: f64,
}

impl TableCell {
    /// The cell distribution for margins taken from `table`.
    pub fn from_table(table: &[[f64; 2]; 2]) -> Self {
        let row0 = table[0][0] + table[0][1];
        let row1 = table[1][0] + table[1][1];
        let col0 = table[0][0] + table[1][0];
        TableCell {
            row0,
            row1,
            col0,
            lo: (col0 - row1).max(0.0),
            hi: row0.min(col0),
        }
    }

    /// ln P(a = k) under independence (central hypergeometric).
    pub fn ln_pmf(&self, k: f64) -> f64 {
        if k < self.lo || k > self.hi {
            return f64::NEG_INFINITY;
        }
        let total = self.row0 + self.row1;
        let p = self.col0 / total;
        let q = (total - self.col0) / total;
        ln_binomial_raw(k, self.row0, p, q) + ln_binomial_raw(self.col0 - k, self.row1, p, q)
            - ln_binomial_raw(self.col0, total, p, q)
    }

    /// ln of P(a = k + 1) / P(a = k) under independence, for lo ≤ k < hi.
    fn ln_ratio(&self, k: f64) -> f64 {
        ((self.row0 - k) * (self.col0 - k)).ln()
            - ((k + 1.0) * (self.row1 - self.col0 + k + 1.0)).ln()
    }

    /// P(a = k + 1) / P(a = k) under odds ratio ψ = e^`ln_psi`, for lo ≤ k < hi.
    fn ratio(&self, k: f64, ln_psi: f64, psi: f64) -> f64 {
        if psi.is_normal() && psi.is_finite() {
            (self.row0 - k) * (self.col0 - k) / ((k + 1.0) * (self.row1 - self.col0 + k + 1.0))
                * psi
        } else {
            (self.ln_ratio(k) + ln_psi).exp()
        }
    }

    /// The mode under odds ratio e^`ln_psi`: the largest k whose pmf is not below its
    /// predecessor's, found by bisection because the pmf ratio decreases in k.
    fn mode(&self, ln_psi: f64) -> f64 {
        let (mut lo, mut hi) = (self.lo, self.hi);
        while lo < hi {
            let mid = lo + ((hi - lo) / 2.0).ceil();
            if self.ln_ratio(mid - 1.0) + ln_psi >= 0.0 {
                lo = mid;
            } else {
                hi = mid - 1.0;
            }
        }
        lo
    }

    /// The central mode.
    pub fn central_mode(&self) -> f64 {
        self.mode(0.0)
    }

    /// Σ_{k ≤ x} P(a = k) / P(a = x) under independence, for x at or below the mode.
    fn lower_sum_relative(&self, x: f64) -> f64 {
        let (mut sum, mut term, mut k) = (1.0, 1.0, x);
        while k > self.lo {
            term /= self.ln_ratio(k - 1.0).exp();
            sum += term;
            if term < NEGLIGIBLE * sum {
                break;
            }
            k -= 1.0;
        }
        sum
    }

    /// Σ_{k ≥ x} P(a = k) / P(a = x) under independence, for x at or above the mode.
    fn upper_sum_relative(&self, x: f64) -> f64 {
        let (mut sum, mut term, mut k) = (1.0, 1.0, x);
        while k < self.hi {
            term *= self.ln_ratio(k).exp();
            sum += term;
            if term < NEGLIGIBLE * sum {
                break;
            }
            k += 1.0;
        }
        sum
    }

    /// P(a ≤ x) under independence.
    pub fn cdf(&self, x: f64) -> f64 {
        if x < self.lo {
            return 0.0;
        }
        if x >= self.hi {
            return 1.0;
        }
        if x <= self.central_mode() {
            (self.ln_pmf(x) + self.lower_sum_relative(x).ln()).exp()
        } else {
            1.0 - self.sf_from(x + 1.0)
        }
    }

    /// P(a ≥ x) under independence.
    pub fn sf_from(&self, x: f64) -> f64 {
        if x <= self.lo {
            return 1.0;
        }
        if x > self.hi {
            return 0.0;
        }
        if x >= self.central_mode() {
            (self.ln_pmf(x) + self.upper_sum_relative(x).ln()).exp()
        } else {
            1.0 - self.cdf(x - 1.0)
        }
    }

    /// Two-sided p-value of Fisher's exact test as R's `fisher.test` defines it: the total
    /// probability of tables no more likely than the observed one, with relative tolerance
    /// 1 + 1e-7 on "no more likely".
    pub fn two_sided_p(&self, x: f64) -> f64 {
        let threshold = self.ln_pmf(x) + 1e-7_f64.ln_1p();
        let mode = self.central_mode();
        if self.ln_pmf(mode) <= threshold {
            return 1.0;
        }
        // The pmf rises on [lo, mode] and falls on [mode, hi]: bisect each side for the last
        // (first) table at or below the threshold.
        let at_or_below = |k: f64| self.ln_pmf(k) <= threshold;
        let (mut a_lo, mut a_hi) = (self.lo - 1.0, mode);
        while a_hi - a_lo > 1.0 {
            let mid = a_lo + ((a_hi - a_lo) / 2.0).floor();
            if at_or_below(mid) {
                a_lo = mid;
            } else {
                a_hi = mid;
            }
        }
        let (mut b_lo, mut b_hi) = (mode, self.hi + 1.0);
        while b_hi - b_lo > 1.0 {
            let mid = b_lo + ((b_hi - b_lo) / 2.0).floor();
            if at_or_below(mid) {
                b_hi = mid;
            } else {
                b_lo = mid;
            }
        }
        (self.cdf(a_lo) + self.sf_from(b_hi)).min(1.0)
    }

    /// Tail sums of Fisher's noncentral hypergeometric distribution with odds ratio e^`ln_psi`:
    /// (mean, P(a ≤ x), P(a ≥ x)).
    fn noncentral(&self, ln_psi: f64, x: f64) -> (f64, f64, f64) {
        let mode = self.mode(ln_psi);
        let psi = ln_psi.exp();
        let (mut total, mut moment, mut below, mut above) = (1.0, 0.0, 0.0, 0.0);
        if mode <= x {
            below += 1.0;
        }
        if mode >= x {
            above += 1.0;
        }
        let (mut term, mut k) = (1.0, mode);
        while k < self.hi {
            term *= self.ratio(k, ln_psi, psi);
            k += 1.0;
            total += term;
            moment += (k - mode) * term;
            if k <= x {
                below += term;
            }
            if k >= x {
                above += term;
            }
            if term < NEGLIGIBLE * total {
                break;
            }
        }
        let (mut term, mut k) = (1.0, mode);
        while k > self.lo {
            term /= self.ratio(k - 1.0, ln_psi, psi);
            k -= 1.0;
            total += term;
            moment += (k - mode) * term;
            if k <= x {
                below += term;
            }
            if k >= x {
                above += term;
            }
            if term < NEGLIGIBLE * total {
                break;
            }
        }
        (mode + moment / total, below / total, above / total)
    }

    /// Conditional maximum-likelihood odds ratio: the ψ whose noncentral mean equals `x`.
    pub fn conditional_mle(&self, x: f64) -> Result<f64> {
        if x <= self.lo {
            return Ok(0.0);
        }
        if x >= self.hi {
            return Ok(f64::INFINITY);
        }
        solve_increasing(|u| self.noncentral(u, x).0 - x).map(f64::exp)
    }

    /// Lower confidence bound: the ψ with P(a ≥ x; ψ) = `alpha` (0 when x is the smallest cell).
    pub fn lower_bound(&self, x: f64, alpha: f64) -> Result<f64> {
        if x <= self.lo {
            return Ok(0.0);
        }
        solve_increasing(|u| self.noncentral(u, x).2 - alpha).map(f64::exp)
    }

    /// Upper confidence bound: the ψ with P(a ≤ x; ψ) = `alpha` (∞ when x is the largest cell).
    pub fn upper_bound(&self, x: f64, alpha: f64) -> Result<f64> {
        if x >= self.hi {
            return Ok(f64::INFINITY);
        }
        solve_increasing(|u| alpha - self.noncentral(u, x).1).map(f64::exp)
    }
}

/// Root of an increasing function of u = ln ψ: bracket by doubling steps from 0, then Brent's
/// method (Brent 1973, "Algorithms for Minimization without Derivatives", ch. 4) to full
/// double precision in u.
fn solve_increasing(f: impl Fn(f64) -> f64) -> Result<f64> {
    let f0 = f(0.0);
    if f0 == 0.0 {
        return Ok(0.0);
    }
    let direction = if f0 > 0.0 { -1.0 } else { 1.0 };
    let (mut a, mut fa) = (0.0, f0);
    let mut step = 1.0;
    loop {
        let b = direction * step;
        let fb = f(b);
        if fb == 0.0 {
            return Ok(b);
        }
        if (fb > 0.0) != (fa > 0.0) {
            return brent(|x| Ok(f(x)), (a, fa), (b, fb), 2e-15, 200);
        }
        if step > 1400.0 || fb.is_nan() {
            return Err(StatsError::Internal(format!(
                "odds-ratio root search found no sign change up to ln(odds ratio) = {b}"
            )));
        }
        a = b;
        fa = fb;
        step *= 2.0;
    }
}
