//! Exact beta-binomial readout (Stucchio 2015): per-arm posteriors Beta(α₀ + s, β₀ + n − s);
//! P(p_t > p_c), expected losses and credible intervals of the lift by tanh-sinh quadrature of
//! one-dimensional integrals against the accurate regularized incomplete beta function.

use serde::{Deserialize, Serialize};

use crate::dist::ContinuousDistribution;
use crate::dist::beta::{Beta, UnitPoint, incomplete_beta};
use crate::error::{Result, StatsError, check_confidence};

use super::LiftScale;

/// Posterior Beta(a, b) of a conversion rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BetaPosterior {
    /// First shape α₀ + successes.
    pub a: f64,
    /// Second shape β₀ + failures.
    pub b: f64,
}

impl BetaPosterior {
    /// Conjugate update of a Beta(prior_a, prior_b) prior by `successes` out of `trials`.
    pub fn update(prior_a: f64, prior_b: f64, successes: f64, trials: f64) -> Result<Self> {
        for (name, v) in [("prior a", prior_a), ("prior b", prior_b)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(StatsError::invalid(name, v, "must be finite and > 0"));
            }
        }
        check_counts(successes, trials)?;
        Ok(BetaPosterior {
            a: prior_a + successes,
            b: prior_b + trials - successes,
        })
    }

    /// Posterior mean a / (a + b).
    pub fn mean(&self) -> f64 {
        self.a / (self.a + self.b)
    }

    /// Posterior standard deviation.
    pub fn sd(&self) -> f64 {
        let s = self.a + self.b;
        (self.a * self.b / (s * s * (s + 1.0))).sqrt()
    }

    /// Equal-tailed credible interval of the rate: the Beta(a, b) quantiles at
    /// (1 − confidence)/2 and its complement (the upper end from the upper tail, so both keep
    /// full relative precision).
    pub fn credible_interval(&self, confidence: f64) -> Result<[f64; 2]> {
        check_confidence(confidence)?;
        self.check("posterior")?;
        let d = Beta::new(self.a, self.b)?;
        let tail = 0.5 * (1.0 - confidence);
        Ok([d.quantile(tail), d.isf(tail)])
    }

    fn check(&self, what: &str) -> Result<()> {
        for (name, v) in [("a", self.a), ("b", self.b)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(StatsError::invalid(
                    &format!("{what} {name}"),
                    v,
                    "must be finite and > 0",
                ));
            }
        }
        Ok(())
    }

    /// (lower, upper) tails at x.
    fn tails(&self, x: f64) -> (f64, f64) {
        if x <= 0.0 {
            return (0.0, 1.0);
        }
        if x >= 1.0 {
            return (1.0, 0.0);
        }
        let t = incomplete_beta(self.a, self.b, &UnitPoint::from_x(x));
        (t.lower, t.upper)
    }

    /// Density by the crate's Beta (saddle-point form: the naive
    /// exp((a − 1) ln x + (b − 1) ln(1 − x) − ln B(a, b)) loses ~7 digits at shapes of 1e7).
    fn pdf(&self, x: f64) -> f64 {
        if x <= 0.0 || x >= 1.0 {
            return 0.0;
        }
        match Beta::new(self.a, self.b) {
            Ok(d) => d.pdf(x),
            Err(_) => f64::NAN,
        }
    }
}

/// Checks a success count against its trials: finite, 0 ≤ successes ≤ trials.
pub(crate) fn check_counts(successes: f64, trials: f64) -> Result<()> {
    if !(trials.is_finite() && trials > 0.0) {
        return Err(StatsError::invalid(
            "trials",
            trials,
            "must be finite and > 0",
        ));
    }
    if !(successes.is_finite() && (0.0..=trials).contains(&successes)) {
        return Err(StatsError::invalid(
            "successes",
            successes,
            "must lie in [0, trials]",
        ));
    }
    Ok(())
}

/// Beta-binomial readout of a treatment against control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BetaReadout {
    /// Posterior of the control rate.
    pub control: BetaPosterior,
    /// Posterior of the treatment rate.
    pub treatment: BetaPosterior,
    /// P(p_t > p_c).
    pub chance_to_win: f64,
    /// Expected loss of shipping control, E[max(p_t − p_c, 0)].
    pub risk_control: f64,
    /// Expected loss of shipping the treatment, E[max(p_c − p_t, 0)].
    pub risk_treatment: f64,
    /// Scale of the lift summaries below.
    pub scale: LiftScale,
    /// Posterior mean of the lift (relative: E[p_t] E[1/p_c] − 1, infinite when a_c ≤ 1).
    pub lift_mean: f64,
    /// Equal-tailed credible interval of the lift.
    pub ci: [f64; 2],
    /// Credibility of the interval.
    pub confidence: f64,
}

/// Exact beta-binomial comparison of two posteriors: chance to win, risks and the credible
/// interval of the absolute or relative lift (Stucchio 2015).
pub fn beta_readout(
    control: &BetaPosterior,
    treatment: &BetaPosterior,
    scale: LiftScale,
    confidence: f64,
) -> Result<BetaReadout> {
    check_confidence(confidence)?;
    control.check("control")?;
    treatment.check("treatment")?;
    let chance_to_win = prob_treatment_beats(control, treatment)?;
    let (risk_control, risk_treatment) = beta_risks(control, treatment);
    let (mc, mt) = (control.mean(), treatment.mean());
    let lift_mean = match scale {
        LiftScale::Absolute => mt - mc,
        LiftScale::Relative if control.a > 1.0 => {
            mt * (control.a + control.b - 1.0) / (control.a - 1.0) - 1.0
        }
        LiftScale::Relative => f64::INFINITY,
    };
    let alpha = 1.0 - confidence;
    let ci = [
        lift_quantile(control, treatment, scale, alpha / 2.0),
        lift_quantile(control, treatment, scale, 1.0 - alpha / 2.0),
    ];
    Ok(BetaReadout {
        control: *control,
        treatment: *treatment,
        chance_to_win,
        risk_control,
        risk_treatment,
        scale,
        lift_mean,
        ci,
        confidence,
    })
}

/// P(p_t > p_c) for independent Beta posteriors, by quadrature of ∫ f_c(y) S_t(y) dy and its
/// complement (normalized by their sum, so each tail keeps full relative precision).
pub fn prob_treatment_beats(control: &BetaPosterior, treatment: &BetaPosterior) -> Result<f64> {
    control.check("control")?;
    treatment.check("treatment")?;
    let (below, above) = lift_tails(control, treatment, &|y| y, &|x| x);
    Ok(above / (below + above))
}

/// P(lift ≤ r) and P(lift > r) as ∫ f_c(y) F_t(g(y)) dy with g(y) = y + r or (1 + r) y.
fn lift_cdf(control: &BetaPosterior, treatment: &BetaPosterior, scale: LiftScale, r: f64) -> f64 {
    let (below, above) = match scale {
        LiftScale::Absolute => lift_tails(control, treatment, &|y| y + r, &|x| x - r),
        LiftScale::Relative => {
            lift_tails(control, treatment, &|y| (1.0 + r) * y, &|x| x / (1.0 + r))
        }
    };
    below / (below + above)
}

/// (∫ f_c(y) F_t(g(y)) dy, ∫ f_c(y) S_t(g(y)) dy); `g_inv` maps treatment landmarks to y.
fn lift_tails(
    control: &BetaPosterior,
    treatment: &BetaPosterior,
    g: &dyn Fn(f64) -> f64,
    g_inv: &dyn Fn(f64) -> f64,
) -> (f64, f64) {
    let (mc, sc) = (control.mean(), control.sd());
    let (mt, st) = (treatment.mean(), treatment.sd());
    let lo = (mc - 40.0 * sc).max(0.0);
    let hi = (mc + 40.0 * sc).min(1.0);
    // g(y) = 0 and g(y) = 1 are kinks of F_t(g(y)): split there too.
    let mut marks = vec![lo, hi, g_inv(0.0), g_inv(1.0)];
    for k in [-6.0, -2.0, 0.0, 2.0, 6.0] {
        marks.push(mc + k * sc);
        marks.push(g_inv(mt + k * st));
    }
    let f = |y: f64| {
        let d = control.pdf(y);
        if d == 0.0 {
            return [0.0, 0.0];
        }
        let (l, u) = treatment.tails(g(y));
        [d * l, d * u]
    };
    let [below, above] = integrate_pieces(&f, lo, hi, &mut marks);
    (below, above)
}

/// Expected losses of shipping control and treatment, (E[(p_t − p_c)⁺], E[(p_c − p_t)⁺]).
pub fn expected_losses(control: &BetaPosterior, treatment: &BetaPosterior) -> Result<(f64, f64)> {
    control.check("control")?;
    treatment.check("treatment")?;
    Ok(beta_risks(control, treatment))
}

/// Expected losses (E[(p_t − p_c)⁺], E[(p_c − p_t)⁺]): the smaller by quadrature of
/// ∫ f_c(y) E[(y − p_t)⁺] dy (or its mirror), the larger by E[a − b]⁺ − E[b − a]⁺ = E[a − b].
fn beta_risks(control: &BetaPosterior, treatment: &BetaPosterior) -> (f64, f64) {
    let (mc, mt) = (control.mean(), treatment.mean());
    // small = E[(lo − hi_arm)⁺] where hi_arm has the larger mean.
    let (low_arm, high_arm) = if mt >= mc {
        (control, treatment)
    } else {
        (treatment, control)
    };
    let mh = high_arm.mean();
    let scale = high_arm.a + high_arm.b;
    let (ml, sl) = (low_arm.mean(), low_arm.sd());
    let lo = (ml - 40.0 * sl).max(0.0);
    let hi = (ml + 40.0 * sl).min(1.0);
    let mut marks = vec![lo, hi];
    for k in [-6.0, -2.0, 0.0, 2.0, 6.0] {
        marks.push(ml + k * sl);
        marks.push(mh + k * high_arm.sd());
    }
    // E[(y − X)⁺] = y F(y) − E[X] F_{a+1,b}(y) = (y − E[X]) F(y) + y (1 − y) f(y) / (a + b)
    // by I_y(a + 1, b) = I_y(a, b) − y^a (1 − y)^b / (a B(a, b)): one incomplete beta instead of
    // the difference of two, which cancelled ~4 digits at shapes of 1e7.
    let f = |y: f64| {
        let d = low_arm.pdf(y);
        if d == 0.0 {
            return [0.0, 0.0];
        }
        let inner = (y - mh) * high_arm.tails(y).0 + y * (1.0 - y) * high_arm.pdf(y) / scale;
        [d * inner.max(0.0), d]
    };
    let [num, norm] = integrate_pieces(&f, lo, hi, &mut marks);
    let small = num / norm;
    let large = small + (mh - ml);
    if mt >= mc {
        (large, small)
    } else {
        (small, large)
    }
}

/// Quantile of the lift by bisection on its CDF.
fn lift_quantile(
    control: &BetaPosterior,
    treatment: &BetaPosterior,
    scale: LiftScale,
    p: f64,
) -> f64 {
    let (mc, mt) = (control.mean(), treatment.mean());
    let spread = (control.sd().powi(2) + treatment.sd().powi(2)).sqrt();
    let (mut lo, mut hi) = match scale {
        LiftScale::Absolute => (
            (-1.0f64).max(mt - mc - 40.0 * spread),
            (mt - mc + 40.0 * spread).min(1.0),
        ),
        LiftScale::Relative => (-1.0, f64::INFINITY),
    };
    if scale == LiftScale::Relative {
        let center = mt / mc - 1.0;
        let rel_sd = spread / mc * (1.0 + mt / mc);
        lo = (center - 40.0 * rel_sd).max(-1.0);
        hi = center + 40.0 * rel_sd;
        while lift_cdf(control, treatment, scale, hi) < p && hi.is_finite() {
            hi = 2.0 * hi + 1.0;
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi || hi - lo <= 1e-15 * mid.abs().max(1e-300) {
            break;
        }
        if lift_cdf(control, treatment, scale, mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Sums tanh-sinh quadratures of `f` (two integrands at once) over [lo, hi] split at `marks`.
fn integrate_pieces(
    f: &dyn Fn(f64) -> [f64; 2],
    lo: f64,
    hi: f64,
    marks: &mut Vec<f64>,
) -> [f64; 2] {
    marks.retain(|m| m.is_finite() && *m >= lo && *m <= hi);
    marks.sort_by(f64::total_cmp);
    marks.dedup();
    let mut total = [0.0, 0.0];
    for w in marks.windows(2) {
        if w[1] > w[0] {
            let piece = tanh_sinh(f, w[0], w[1]);
            total[0] += piece[0];
            total[1] += piece[1];
        }
    }
    total
}

/// Tanh-sinh (double exponential) quadrature (Takahasi & Mori 1974), halving the step until two
/// successive levels agree to 1e-14; robust to endpoint singularities of beta densities.
fn tanh_sinh(f: &dyn Fn(f64) -> [f64; 2], a: f64, b: f64) -> [f64; 2] {
    const T_MAX: f64 = 3.5;
    let half = 0.5 * (b - a);
    let node = |t: f64| -> ([f64; 2], f64) {
        let u = std::f64::consts::FRAC_PI_2 * t.sinh();
        let ch = u.cosh();
        // Distance from the nearer end, computed directly so points next to a stay distinct.
        let d = half / (u.abs().exp() * ch);
        let x = if t < 0.0 { a + d } else { b - d };
        let w = half * std::f64::consts::FRAC_PI_2 * t.cosh() / (ch * ch);
        if !(x > a && x < b) || w == 0.0 {
            return ([0.0, 0.0], 0.0);
        }
        (f(x), w)
    };
    let mut h = 0.5;
    let (v0, w0) = node(0.0);
    let mut sum = [v0[0] * w0, v0[1] * w0];
    let mut k = 1;
    loop {
        let t = k as f64 * h;
        if t > T_MAX {
            break;
        }
        for s in [t, -t] {
            let (v, w) = node(s);
            sum[0] += v[0] * w;
            sum[1] += v[1] * w;
        }
        k += 1;
    }
    let mut prev = [sum[0] * h, sum[1] * h];
    for _ in 0..8 {
        h *= 0.5;
        let mut t = h;
        while t <= T_MAX {
            for s in [t, -t] {
                let (v, w) = node(s);
                sum[0] += v[0] * w;
                sum[1] += v[1] * w;
            }
            t += 2.0 * h;
        }
        let cur = [sum[0] * h, sum[1] * h];
        let close = |c: f64, p: f64| (c - p).abs() <= 1e-14 * c.abs().max(1e-300);
        if close(cur[0], prev[0]) && close(cur[1], prev[1]) {
            return cur;
        }
        prev = cur;
    }
    prev
}
