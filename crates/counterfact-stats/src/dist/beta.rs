//! The beta distribution and the regularized incomplete beta function I_x(a, b) with its
//! complement, both also in log space, and its inverse.
//!
//! I_x(a, b) is evaluated as x^a y^b / (a B(a, b)) times a continued fraction (the odd
//! contraction of the classical fraction, Abramowitz & Stegun 26.5.8, in the form of DiDonato &
//! Morris, ACM TOMS 708 (1992), `bfrac`, whose terms use λ = a − (a + b) x so that no
//! cancellation occurs near the mean even for shapes of 10⁷). The fraction is applied on the side
//! x < (a + 1)/(a + b + 2) where it converges fast, via the symmetry I_x(a, b) = 1 − I_y(b, a)
//! otherwise. The factor x^a y^b / B(a, b) uses Loader's saddle-point form (Stirling errors and
//! `bd0`) for large shapes so that it keeps full relative precision.

use super::special::{LN_SQRT_2PI, ln_gamma, ln1mexp, stirlerr};
use super::{ContinuousDistribution, bad_p};
use crate::error::{Result, check_positive_arg};

/// A point of (0, 1) carried together with its complement y = 1 − x and both logarithms, so
/// that callers who know y (or only ln x) exactly do not lose it to rounding of 1 − x.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UnitPoint {
    pub x: f64,
    pub y: f64,
    pub ln_x: f64,
    pub ln_y: f64,
}

impl UnitPoint {
    /// The point x, with y = 1 − x (exact for x ≥ ½; for x < ½, ln y comes from ln(1 − x)).
    pub fn from_x(x: f64) -> Self {
        if x > 0.5 {
            return UnitPoint::from_x(1.0 - x).swap();
        }
        UnitPoint {
            x,
            y: 1.0 - x,
            ln_x: x.ln(),
            ln_y: (-x).ln_1p(),
        }
    }

    /// The point x = e^v for v ≤ ln ½, exact in log space even where x underflows.
    pub fn from_ln_x(v: f64) -> Self {
        let x = v.exp();
        UnitPoint {
            x,
            y: -v.exp_m1(),
            ln_x: v,
            ln_y: (-x).ln_1p(),
        }
    }

    /// The point from x and y given as the ratio u = x / y (and its logarithm).
    pub fn from_odds(u: f64, ln_u: f64) -> Self {
        if u <= 1.0 {
            let l = u.ln_1p();
            UnitPoint {
                x: u / (1.0 + u),
                y: 1.0 / (1.0 + u),
                ln_x: ln_u - l,
                ln_y: -l,
            }
        } else {
            let r = 1.0 / u;
            let l = r.ln_1p();
            UnitPoint {
                x: 1.0 / (1.0 + r),
                y: r / (1.0 + r),
                ln_x: -l,
                ln_y: -ln_u - l,
            }
        }
    }

    /// The mirrored point (y, x).
    pub fn swap(self) -> Self {
        UnitPoint {
            x: self.y,
            y: self.x,
            ln_x: self.ln_y,
            ln_y: self.ln_x,
        }
    }
}

/// I_x(a, b) and 1 − I_x(a, b), each also as a logarithm, plus ln(x^a y^b / B(a, b)).
#[derive(Debug, Clone, Copy)]
pub(crate) struct BetaTails {
    pub lower: f64,
    pub upper: f64,
    pub ln_lower: f64,
    pub ln_upper: f64,
    pub ln_kernel: f64,
}

/// ln B(a, b), using Stirling errors for large arguments so that ln Γ(b) − ln Γ(a + b) does not
/// cancel when b ≫ a.
pub(crate) fn ln_beta(a: f64, b: f64) -> f64 {
    let (p, q) = if a < b { (a, b) } else { (b, a) };
    let s = p + q;
    if p >= 10.0 {
        LN_SQRT_2PI + 0.5 * (s.ln() - p.ln() - q.ln()) - p * (q / p).ln_1p() - q * (p / q).ln_1p()
            + stirlerr(p)
            + stirlerr(q)
            - stirlerr(s)
    } else if q >= 10.0 {
        ln_gamma(p) - (q - 0.5) * (p / q).ln_1p() - p * s.ln() + p + stirlerr(q) - stirlerr(s)
    } else {
        ln_gamma(p) + ln_gamma(q) - ln_gamma(s)
    }
}

/// bd0(x, m) = x ln(x/m) + m − x (Loader 2000) given the difference d = x − m computed
/// accurately by the caller, which keeps its relative precision when x ≈ m and both are large.
pub(crate) fn bd0_diff(x: f64, m: f64, d: f64) -> f64 {
    if x == 0.0 {
        return m;
    }
    if d.abs() < 0.5 * (x + m) {
        let v = d / (x + m);
        let mut s = d * v;
        let mut ej = 2.0 * x * v;
        let v2 = v * v;
        for j in 1..500 {
            ej *= v2;
            let s1 = s + ej / f64::from(2 * j + 1);
            if s1 == s {
                break;
            }
            s = s1;
        }
        s
    } else {
        x * (d / m).ln_1p() - d
    }
}

/// λ = a − (a + b) x, computed from whichever of x, y is smaller and with the rounding of
/// a + b and of the product compensated, so that it is accurate where it is near 0.
fn lambda(a: f64, b: f64, pt: &UnitPoint) -> f64 {
    let s = a + b;
    if pt.x <= pt.y {
        let s_err = (a - s) + b;
        let hi = s * pt.x;
        let lo = s.mul_add(pt.x, -hi);
        (a - hi) - lo - s_err * pt.x
    } else {
        let s_err = (b - s) + a;
        let hi = s * pt.y;
        let lo = s.mul_add(pt.y, -hi);
        -((b - hi) - lo - s_err * pt.y)
    }
}

/// ln(x^a y^b / B(a, b)) where λ = a − (a + b) x.
fn ln_kernel(a: f64, b: f64, pt: &UnitPoint, lam: f64) -> f64 {
    if a >= 10.0 && b >= 10.0 && pt.x > 1e-280 && pt.y > 1e-280 {
        let s = a + b;
        // Saddle-point form: x^a y^b / B = √(ab/(2πs)) e^{δ(s)−δ(a)−δ(b)−bd0(a, sx)−bd0(b, sy)},
        // with a − sx = λ and b − sy = −λ.
        0.5 * (a.ln() + b.ln() - s.ln())
            - LN_SQRT_2PI
            - bd0_diff(a, s * pt.x, lam)
            - bd0_diff(b, s * pt.y, -lam)
            + stirlerr(s)
            - stirlerr(a)
            - stirlerr(b)
    } else {
        let t = a * pt.ln_x + b * pt.ln_y;
        if t == f64::NEG_INFINITY {
            t
        } else {
            t - ln_beta(a, b)
        }
    }
}

/// Terms of the continued fraction at most: it needs O(√max(a, b)) terms near the mean, about
/// a thousand at shapes 10⁷, so this cap only truncates shapes beyond ~10¹⁰.
const MAX_FRACTION_TERMS: u32 = 50_000;

/// ln of the continued fraction value F with I_x(a, b) = x^a y^b / (a B(a, b) F), valid and
/// fast for x < (a + 1)/(a + b + 2) (λ = a − (a + b) x).
fn ln_fraction(a: f64, b: f64, x: f64, lam: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let s = a + b;
    // Odd contraction F = β₁ + α₂/(β₂ + α₃/(β₃ + …)) of 1 + d₁/(1 + d₂/(1 + …)), A&S 26.5.8;
    // β terms are rearranged around λ so that nothing cancels.
    let beta1 = (lam + 1.0) / (a + 1.0);
    let mut f = if beta1.abs() < TINY { TINY } else { beta1 };
    let mut c = f;
    let mut d = 0.0;
    let mut ln_scale = 0.0;
    for m in 1..MAX_FRACTION_TERMS {
        let m = f64::from(m);
        let aa = a + 2.0 * m;
        let alpha = (a + m - 1.0) * (s + m - 1.0) / ((aa - 2.0) * (aa - 1.0))
            * (m * (b - m) / ((aa - 1.0) * aa))
            * x
            * x;
        let beta = (m * (3.0 * a + 4.0 * m + 2.0) + a + (a + m) * lam) / (aa * (aa + 1.0))
            + m * x * ((b - m) / ((aa - 1.0) * aa) - (a + m) / (aa * (aa + 1.0)));
        d = beta + alpha * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = beta + alpha / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = c * d;
        f *= delta;
        if !(f.abs() > 1e-200 && f.abs() < 1e200) {
            ln_scale += f.abs().ln();
            f = f.signum();
        }
        if (delta - 1.0).abs() <= f64::EPSILON || !delta.is_finite() {
            break;
        }
    }
    f.abs().ln() + ln_scale
}

/// The part of I computed directly on the side where the fraction converges.
fn direct_tail(a: f64, b: f64, pt: &UnitPoint, lam: f64) -> (f64, f64) {
    let ln_k = ln_kernel(a, b, pt, lam);
    let ln_t = ln_k - a.ln() - ln_fraction(a, b, pt.x, lam);
    (ln_t.min(0.0), ln_k)
}

/// Regularized incomplete beta I_x(a, b), its complement and their logs.
pub(crate) fn incomplete_beta(a: f64, b: f64, pt: &UnitPoint) -> BetaTails {
    if pt.x.is_nan() || pt.y.is_nan() || a.is_nan() || b.is_nan() {
        return BetaTails {
            lower: f64::NAN,
            upper: f64::NAN,
            ln_lower: f64::NAN,
            ln_upper: f64::NAN,
            ln_kernel: f64::NAN,
        };
    }
    if pt.ln_x == f64::NEG_INFINITY || pt.ln_y == f64::NEG_INFINITY {
        let at_zero = pt.ln_x == f64::NEG_INFINITY;
        let (lo, ln_lo) = if at_zero {
            (0.0, f64::NEG_INFINITY)
        } else {
            (1.0, 0.0)
        };
        let (up, ln_up) = if at_zero {
            (1.0, 0.0)
        } else {
            (0.0, f64::NEG_INFINITY)
        };
        return BetaTails {
            lower: lo,
            upper: up,
            ln_lower: ln_lo,
            ln_upper: ln_up,
            ln_kernel: f64::NEG_INFINITY,
        };
    }
    let lam = lambda(a, b, pt);
    // x < (a + 1)/(a + b + 2)  ⇔  λ + 1 − 2x > 0.
    let direct = lam + 1.0 - 2.0 * pt.x > 0.0;
    let (ln_t, ln_k) = if direct {
        direct_tail(a, b, pt, lam)
    } else {
        direct_tail(b, a, &pt.swap(), -lam)
    };
    let t = ln_t.exp();
    let ln_c = ln1mexp(ln_t);
    let c = ln_c.exp();
    if direct {
        BetaTails {
            lower: t,
            upper: c,
            ln_lower: ln_t,
            ln_upper: ln_c,
            ln_kernel: ln_k,
        }
    } else {
        BetaTails {
            lower: c,
            upper: t,
            ln_lower: ln_c,
            ln_upper: ln_t,
            ln_kernel: ln_k,
        }
    }
}

/// The x with I_x(a, b) = e^{ln_target} (or 1 − I_x(a, b) = e^{ln_target} when `upper`), for
/// ln_target in (−∞, 0). Safeguarded Newton in v = ln z, where z is the smaller of x and 1 − x
/// at the solution: tails are then nearly linear in v and z keeps its relative precision.
pub(crate) fn inverse_incomplete_beta(a: f64, b: f64, ln_target: f64, upper: bool) -> UnitPoint {
    let half = UnitPoint::from_x(0.5);
    let at_half = incomplete_beta(a, b, &half);
    let g_half = if upper {
        at_half.ln_upper
    } else {
        at_half.ln_lower
    };
    if ln_target == g_half {
        return half;
    }
    let use_x = if upper {
        ln_target > g_half
    } else {
        ln_target < g_half
    };
    // Near tail: I_z(an, bn) with z → 0; the target is that tail or its complement.
    let (an, bn) = if use_x { (a, b) } else { (b, a) };
    let near = use_x != upper;
    let sign = if near { 1.0 } else { -1.0 };
    let ln_near_target = if near { ln_target } else { ln1mexp(ln_target) };
    let hi_v = -std::f64::consts::LN_2;
    let mut hi = hi_v;
    let mut lo = f64::NEG_INFINITY;
    // Leading term of the near tail, I_z ≈ z^an / (an B(an, bn)).
    let guess = (ln_near_target + an.ln() + ln_beta(an, bn)) / an;
    let mut v = if guess.is_finite() {
        guess.min(hi_v - 1e-3)
    } else {
        hi_v - 1.0
    };
    let mut best = v;
    for _ in 0..300 {
        let pt = UnitPoint::from_ln_x(v);
        let tails = incomplete_beta(an, bn, &pt);
        let g = if near { tails.ln_lower } else { tails.ln_upper };
        best = v;
        let h = sign * (g - ln_target);
        if h == 0.0 {
            break;
        }
        if h < 0.0 {
            lo = v;
        } else {
            hi = v;
        }
        let slope = (tails.ln_kernel - pt.ln_y - g).exp();
        let newton = v - h / slope;
        let next = if newton.is_finite() && newton > lo && newton < hi {
            newton
        } else if lo.is_finite() {
            0.5 * (lo + hi)
        } else {
            v - (2.0 * (hi - v)).max(1.0)
        };
        let tol = 2.0 * f64::EPSILON * next.abs().max(1.0);
        if (next - v).abs() <= tol {
            best = next;
            break;
        }
        if hi - lo <= tol {
            break;
        }
        v = next;
    }
    let pt = UnitPoint::from_ln_x(best);
    if use_x { pt } else { pt.swap() }
}

/// Beta distribution on [0, 1] with shapes a and b.
#[derive(Debug, Clone, Copy)]
pub struct Beta {
    a: f64,
    b: f64,
}

impl Beta {
    /// Beta(a, b) with shapes a, b > 0.
    pub fn new(a: f64, b: f64) -> Result<Self> {
        check_positive_arg("a", a)?;
        check_positive_arg("b", b)?;
        Ok(Beta { a, b })
    }

    fn tails(&self, x: f64) -> BetaTails {
        incomplete_beta(self.a, self.b, &UnitPoint::from_x(x.clamp(0.0, 1.0)))
    }
}

impl ContinuousDistribution for Beta {
    fn pdf(&self, x: f64) -> f64 {
        self.ln_pdf(x).exp()
    }

    fn ln_pdf(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        if !(0.0..=1.0).contains(&x) {
            return f64::NEG_INFINITY;
        }
        let edge = |shape: f64, other: f64| {
            if shape < 1.0 {
                f64::INFINITY
            } else if shape == 1.0 {
                -ln_beta(1.0, other)
            } else {
                f64::NEG_INFINITY
            }
        };
        if x == 0.0 {
            return edge(self.a, self.b);
        }
        if x == 1.0 {
            return edge(self.b, self.a);
        }
        let pt = UnitPoint::from_x(x);
        let lam = lambda(self.a, self.b, &pt);
        ln_kernel(self.a, self.b, &pt, lam) - pt.ln_x - pt.ln_y
    }

    fn cdf(&self, x: f64) -> f64 {
        self.tails(x).lower
    }

    fn sf(&self, x: f64) -> f64 {
        self.tails(x).upper
    }

    fn ln_cdf(&self, x: f64) -> f64 {
        self.tails(x).ln_lower
    }

    fn ln_sf(&self, x: f64) -> f64 {
        self.tails(x).ln_upper
    }

    fn quantile(&self, p: f64) -> f64 {
        if bad_p(p) {
            return f64::NAN;
        }
        if p == 0.0 || p == 1.0 {
            return p;
        }
        inverse_incomplete_beta(self.a, self.b, p.ln(), false).x
    }

    fn isf(&self, q: f64) -> f64 {
        if bad_p(q) {
            return f64::NAN;
        }
        if q == 0.0 || q == 1.0 {
            return 1.0 - q;
        }
        inverse_incomplete_beta(self.a, self.b, q.ln(), true).x
    }
}
