//! Power, sample size, minimum detectable effect (MDE), significance level and duration of an
//! A/B test: [`solve`] one of them given the others, and [`power_curve`] tables.
//!
//! Every metric reduces to a noncentrality per √n: the expected test statistic is
//! λ = c·√(n₁/f), where n₁ is the control arm's size, c depends on the metric and the effect, and
//! f = (1 − ρ²)·DE·IF inflates the sample size for the adjustments:
//!
//! - means, ratio metrics and standardized effects: c = d·√(r/(1 + r)) with d = Δ/σ and r the
//!   allocation ratio n₂/n₁ (Cohen 1988; statsmodels `NormalIndPower`, `TTestIndPower`), or
//!   c = d for a one-sample / paired design (`TTestPower`);
//! - proportions, arcsine: d = h = 2 asin √p₂ − 2 asin √p₁ (Cohen 1988, ch. 6);
//! - proportions, unpooled: c = Δ/√(p₁q₁ + p₂q₂/r) (Chow, Shao & Wang 2008, §4.2);
//! - CUPED multiplies the variance by 1 − ρ² (Deng, Xu, Kohavi & Walker 2013);
//! - a cluster design multiplies it by DE = 1 + (m − 1)·ICC (Donner & Klar 2000);
//! - a group-sequential design multiplies the maximum sample size by its inflation factor IF
//!   (Jennison & Turnbull 2000, ch. 2);
//! - k arms are k − 1 comparisons with control, each at α/(k − 1) under Bonferroni; power is
//!   per comparison.
//!
//! The t test uses df = n₁/f·(1 + r) − 2 (one sample: n/f − 1). Solving uses Brent's method on
//! the monotone power function (statsmodels `solve_power` uses `brentq` too).

mod core;
mod spec;

use serde::{Deserialize, Serialize};

use counterfact_stats::Alternative;

use self::core::{Reference, power_at, solve_increasing_bracket};
use crate::error::{DesignError, Result};
pub use spec::{
    Correction, Metric, PowerSpec, ProportionMethod, Sequential, TestKind, Unknown,
    parse_alternative,
};
use spec::{check_open, required, sequential_factor};

/// The solved design: every quantity, whichever was the unknown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PowerResult {
    /// The quantity that was solved for.
    pub solved_for: Unknown,
    /// Family-wise significance level.
    pub alpha: f64,
    /// Level of each treatment-versus-control comparison after the multiplicity correction.
    pub alpha_per_comparison: f64,
    /// Power of each comparison.
    pub power: f64,
    /// Effect treatment − control in the metric's units.
    pub effect: f64,
    /// Effect relative to the control level, when the control level is known.
    pub relative_effect: Option<f64>,
    /// Standardized effect size (Cohen's d, or h for arcsine proportions).
    pub standardized_effect: Option<f64>,
    /// Expected test statistic λ.
    pub noncentrality: f64,
    /// Degrees of freedom of the t test.
    pub df: Option<f64>,
    /// Units in the control arm (fractional, as solved).
    pub n_control: f64,
    /// Units in each treatment arm.
    pub n_treatment: f64,
    /// Units over all arms.
    pub n_total: f64,
    /// Units over all arms with each arm rounded up to whole units.
    pub n_total_ceil: f64,
    /// Clusters in the control arm, for a cluster design.
    pub clusters_control: Option<f64>,
    /// Variance factor of CUPED, 1 − ρ².
    pub cuped_factor: f64,
    /// Cluster design effect 1 + (m − 1)·ICC.
    pub design_effect: f64,
    /// Sequential sample-size inflation.
    pub sequential_factor: f64,
    /// Days to enroll `n_total_ceil` units at the allocated traffic.
    pub duration_days: Option<f64>,
}

/// One point of a power curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PowerPoint {
    /// Effect treatment − control in the metric's units.
    pub effect: f64,
    /// Effect relative to the control level, when known.
    pub relative_effect: Option<f64>,
    /// Units in the control arm.
    pub n_control: f64,
    /// Units over all arms.
    pub n_total: f64,
    /// Power of each comparison.
    pub power: f64,
}

/// The axis a power curve varies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CurveAxis {
    /// Effects (in the units of `effect`: absolute, or relative if `relative`), n from the spec.
    Effects(Vec<f64>),
    /// Control-arm sizes, effect from the spec.
    Ns(Vec<f64>),
}

/// The spec's settings checked and reduced to the quantities of the power equation.
struct Design<'a> {
    spec: &'a PowerSpec,
    comparisons: f64,
    inflation: f64,
    cuped: f64,
    deff: f64,
    seq: f64,
    /// Control level for relative effects (mean, baseline proportion or ratio), when known.
    level: Option<f64>,
    /// Per-unit standard deviation of the metric (None for proportions).
    sigma: Option<f64>,
}

impl<'a> Design<'a> {
    fn new(spec: &'a PowerSpec) -> Result<Self> {
        let (level, sigma) = match spec.metric {
            Metric::Means { sd, mean } => {
                check_open("sd", sd, 0.0, f64::INFINITY)?;
                if let Some(m) = mean.filter(|m| !m.is_finite()) {
                    return Err(DesignError::invalid("mean", m, "must be finite"));
                }
                (mean, Some(sd))
            }
            Metric::Proportions { baseline, method } => {
                check_open("baseline proportion", baseline, 0.0, 1.0)?;
                if method == ProportionMethod::Unpooled && spec.test == TestKind::T {
                    return Err(DesignError::invalid(
                        "test",
                        "t",
                        "the unpooled proportion formula is a z test",
                    ));
                }
                if method == ProportionMethod::Unpooled && spec.one_sample {
                    return Err(DesignError::invalid(
                        "one_sample",
                        true,
                        "the unpooled proportion formula compares two arms",
                    ));
                }
                (Some(baseline), None)
            }
            Metric::Ratio {
                mean_num,
                mean_den,
                var_num,
                var_den,
                cov,
            } => {
                for (what, v) in [("mean_num", mean_num), ("cov", cov)] {
                    if !v.is_finite() {
                        return Err(DesignError::invalid(what, v, "must be finite"));
                    }
                }
                if !(mean_den.is_finite() && mean_den != 0.0) {
                    return Err(DesignError::invalid(
                        "mean_den",
                        mean_den,
                        "must be finite and non-zero",
                    ));
                }
                check_open("var_num", var_num, -f64::MIN_POSITIVE, f64::INFINITY)?;
                check_open("var_den", var_den, -f64::MIN_POSITIVE, f64::INFINITY)?;
                let r = mean_num / mean_den;
                let var = (var_num - 2.0 * r * cov + r * r * var_den) / (mean_den * mean_den);
                if !(var.is_finite() && var > 0.0) {
                    return Err(DesignError::invalid(
                        "ratio metric variance",
                        var,
                        "the delta-method variance must be positive (check var/cov)",
                    ));
                }
                (Some(r), Some(var.sqrt()))
            }
            Metric::Standardized => {
                if spec.relative {
                    return Err(DesignError::invalid(
                        "relative",
                        true,
                        "a standardized effect has no control level",
                    ));
                }
                (None, Some(1.0))
            }
        };
        if spec.relative && level.is_none_or(|l| l == 0.0) {
            return Err(DesignError::invalid(
                "relative",
                true,
                "a relative effect needs a non-zero control level (give the mean)",
            ));
        }
        check_open("ratio", spec.ratio, 0.0, f64::INFINITY)?;
        if spec.arms < 2 {
            return Err(DesignError::invalid(
                "arms",
                spec.arms,
                "must be at least 2 (control and one treatment)",
            ));
        }
        if spec.one_sample && spec.arms != 2 {
            return Err(DesignError::invalid(
                "arms",
                spec.arms,
                "a one-sample design has no further arms",
            ));
        }
        check_open("cuped_rho", spec.cuped_rho, -1.0, 1.0)?;
        if !(spec.cluster_size.is_finite() && spec.cluster_size >= 1.0) {
            return Err(DesignError::invalid(
                "cluster_size",
                spec.cluster_size,
                "must be a finite number ≥ 1",
            ));
        }
        if !(spec.icc.is_finite() && (0.0..=1.0).contains(&spec.icc)) {
            return Err(DesignError::invalid("icc", spec.icc, "must be in [0, 1]"));
        }
        check_open("share", spec.share, 0.0, 1.0 + 1e-12)?;
        if let Some(t) = spec.daily_traffic {
            check_open("daily_traffic", t, 0.0, f64::INFINITY)?;
        }
        let comparisons = match spec.correction {
            Correction::Bonferroni => f64::from(spec.arms - 1),
            Correction::None => 1.0,
        };
        let cuped = 1.0 - spec.cuped_rho * spec.cuped_rho;
        let deff = 1.0 + (spec.cluster_size - 1.0) * spec.icc;
        let seq = sequential_factor(spec.sequential, spec.power.unwrap_or(0.8))?;
        Ok(Design {
            spec,
            comparisons,
            inflation: cuped * deff * seq,
            cuped,
            deff,
            seq,
            level,
            sigma,
        })
    }

    /// Δ from an effect in the spec's units.
    fn delta(&self, effect: f64) -> Result<f64> {
        if !effect.is_finite() || effect == 0.0 {
            return Err(DesignError::invalid(
                "effect",
                effect,
                "must be a finite non-zero number",
            ));
        }
        Ok(match (self.spec.relative, self.level) {
            (true, Some(l)) => effect * l,
            _ => effect,
        })
    }

    /// Standardized effect d (or h) of Δ, if the metric has one.
    fn standardized(&self, delta: f64) -> Result<Option<f64>> {
        Ok(match self.spec.metric {
            Metric::Proportions {
                baseline,
                method: ProportionMethod::Arcsine,
            } => {
                let p2 = treated_proportion(baseline, delta)?;
                Some(2.0 * p2.sqrt().asin() - 2.0 * baseline.sqrt().asin())
            }
            Metric::Proportions { .. } => None,
            _ => self.sigma.map(|s| delta / s),
        })
    }

    /// c with λ = c·√(n₁/f), and whether a two-sided test keeps its far rejection region.
    fn per_sqrt_n(&self, delta: f64) -> Result<(f64, bool)> {
        let r = self.spec.ratio;
        let two_sample = if self.spec.one_sample {
            1.0
        } else {
            (r / (1.0 + r)).sqrt()
        };
        if let Metric::Proportions {
            baseline,
            method: ProportionMethod::Unpooled,
        } = self.spec.metric
        {
            let p2 = treated_proportion(baseline, delta)?;
            let var = baseline * (1.0 - baseline) + p2 * (1.0 - p2) / r;
            return Ok((delta / var.sqrt(), false));
        }
        let d = self.standardized(delta)?.unwrap_or(0.0);
        Ok((d * two_sample, true))
    }

    fn reference(&self, n_eff: f64) -> Result<Reference> {
        match self.spec.test {
            TestKind::Z => Ok(Reference::Normal),
            TestKind::T => {
                let df = if self.spec.one_sample {
                    n_eff - 1.0
                } else {
                    n_eff * (1.0 + self.spec.ratio) - 2.0
                };
                if df > 0.0 && df.is_finite() {
                    Ok(Reference::T(df))
                } else {
                    Err(DesignError::invalid(
                        "sample size",
                        n_eff,
                        "leaves no degrees of freedom for the t test",
                    ))
                }
            }
        }
    }

    /// Power at control-arm size n₁, effect Δ and family-wise level α.
    fn power(&self, n1: f64, delta: f64, alpha: f64) -> Result<f64> {
        let n_eff = n1 / self.inflation;
        let (c, far) = self.per_sqrt_n(delta)?;
        let reference = self.reference(n_eff)?;
        power_at(
            c * n_eff.sqrt(),
            alpha / self.comparisons,
            self.spec.alternative,
            reference,
            far,
        )
    }

    fn control_n(&self) -> Result<f64> {
        let arms = f64::from(self.spec.arms - 1);
        let n = match (self.spec.n, self.spec.total) {
            (Some(n), _) => n,
            (None, Some(t)) if self.spec.one_sample => t,
            (None, Some(t)) => t / (1.0 + arms * self.spec.ratio),
            (None, None) => return Err(DesignError::invalid("n", "missing", "give n or total")),
        };
        check_open("n", n, 0.0, f64::INFINITY)
    }

    fn alpha(&self) -> Result<f64> {
        check_open("alpha", required("alpha", self.spec.alpha)?, 0.0, 1.0)
    }

    fn target_power(&self, alpha: f64) -> Result<f64> {
        let p = check_open("power", required("power", self.spec.power)?, 0.0, 1.0)?;
        if p <= alpha / self.comparisons {
            return Err(DesignError::invalid(
                "power",
                p,
                &format!(
                    "must exceed the per-comparison level {} (power ≤ α needs no data)",
                    alpha / self.comparisons
                ),
            ));
        }
        Ok(p)
    }

    fn check_direction(&self, delta: f64) -> Result<()> {
        let wrong = match self.spec.alternative {
            Alternative::Greater => delta < 0.0,
            Alternative::Less => delta > 0.0,
            Alternative::TwoSided => false,
        };
        if wrong {
            return Err(DesignError::invalid(
                "effect",
                delta,
                &format!(
                    "has the wrong sign for alternative '{}': power stays below α",
                    self.spec.alternative
                ),
            ));
        }
        Ok(())
    }

    fn result(&self, solved_for: Unknown, n1: f64, delta: f64, alpha: f64) -> Result<PowerResult> {
        let power = self.power(n1, delta, alpha)?;
        let (c, _) = self.per_sqrt_n(delta)?;
        let n_eff = n1 / self.inflation;
        let df = match self.reference(n_eff)? {
            Reference::T(df) => Some(df),
            Reference::Normal => None,
        };
        let (n_treatment, n_total, n_total_ceil) = self.totals(n1);
        let duration_days = self
            .spec
            .daily_traffic
            .map(|t| n_total_ceil / (t * self.spec.share));
        Ok(PowerResult {
            solved_for,
            alpha,
            alpha_per_comparison: alpha / self.comparisons,
            power,
            effect: delta,
            relative_effect: self.level.filter(|&l| l != 0.0).map(|l| delta / l),
            standardized_effect: self.standardized(delta)?,
            noncentrality: c * n_eff.sqrt(),
            df,
            n_control: n1,
            n_treatment,
            n_total,
            n_total_ceil,
            clusters_control: (self.spec.cluster_size > 1.0).then(|| n1 / self.spec.cluster_size),
            cuped_factor: self.cuped,
            design_effect: self.deff,
            sequential_factor: self.seq,
            duration_days,
        })
    }

    /// (n per treatment arm, total, total with arms rounded up).
    fn totals(&self, n1: f64) -> (f64, f64, f64) {
        if self.spec.one_sample {
            return (0.0, n1, n1.ceil());
        }
        let k = f64::from(self.spec.arms - 1);
        let n2 = n1 * self.spec.ratio;
        (n2, n1 + k * n2, n1.ceil() + k * n2.ceil())
    }
}

/// p₂ = p₁ + Δ, which must stay inside (0, 1).
fn treated_proportion(baseline: f64, delta: f64) -> Result<f64> {
    let p2 = baseline + delta;
    if p2 > 0.0 && p2 < 1.0 {
        Ok(p2)
    } else {
        Err(DesignError::invalid(
            "treatment proportion",
            p2,
            "baseline + effect must lie in (0, 1)",
        ))
    }
}

/// Solves the power equation for `unknown` given the spec's other settings (the unknown's own
/// field is ignored); statsmodels' `solve_power` semantics (Cohen 1988; Chow, Shao & Wang 2008).
pub fn solve(spec: &PowerSpec, unknown: Unknown) -> Result<PowerResult> {
    let design = Design::new(spec)?;
    match unknown {
        Unknown::Power => {
            let n1 = design.control_n()?;
            let delta = design.delta(required("effect", spec.effect)?)?;
            design.result(unknown, n1, delta, design.alpha()?)
        }
        Unknown::N => {
            let alpha = design.alpha()?;
            let target = design.target_power(alpha)?;
            let delta = design.delta(required("effect", spec.effect)?)?;
            design.check_direction(delta)?;
            let min_eff = match (spec.test, spec.one_sample) {
                (TestKind::Z, _) => 1e-9,
                (TestKind::T, true) => 2.0,
                (TestKind::T, false) => 3.0 / (1.0 + spec.ratio),
            };
            let lo = min_eff * design.inflation;
            let f = |n1: f64| Ok(design.power(n1, delta, alpha)? - target);
            if f(lo)? >= 0.0 {
                return Err(DesignError::invalid(
                    "effect",
                    delta,
                    "reaches the target power with fewer units than the test needs",
                ));
            }
            let n1 = solve_increasing_bracket(f, lo, (10.0 * lo).max(100.0), 1e18)?;
            design.result(unknown, n1, delta, alpha)
        }
        Unknown::Alpha => {
            let n1 = design.control_n()?;
            let delta = design.delta(required("effect", spec.effect)?)?;
            let target = check_open("power", required("power", spec.power)?, 0.0, 1.0)?;
            let m = design.comparisons;
            let f = |a: f64| Ok(design.power(n1, delta, a * m)? - target);
            let a = self::core::brent(f, 1e-300, 1.0 - 1e-15, 1e-17)?;
            design.result(unknown, n1, delta, a * m)
        }
        Unknown::Mde => {
            let alpha = design.alpha()?;
            let target = design.target_power(alpha)?;
            let n1 = design.control_n()?;
            // A two-sided MDE is an increase unless the spec's effect says decrease.
            let sign = match spec.alternative {
                Alternative::Less => -1.0,
                Alternative::Greater => 1.0,
                Alternative::TwoSided => match spec.effect {
                    Some(e) if e < 0.0 => -1.0,
                    _ => 1.0,
                },
            };
            let (start, limit) = match spec.metric {
                Metric::Proportions { baseline, .. } => {
                    let room = if sign > 0.0 { 1.0 - baseline } else { baseline };
                    let edge = room * (1.0 - 1e-12);
                    (edge, edge)
                }
                _ => {
                    let s = design.sigma.unwrap_or(1.0);
                    (s, s * 1e12)
                }
            };
            let f = |s: f64| {
                if s == 0.0 {
                    return Ok(alpha_power(&design, alpha) - target);
                }
                Ok(design.power(n1, sign * s, alpha)? - target)
            };
            let s = solve_increasing_bracket(f, 0.0, start, limit)?;
            design.result(unknown, n1, sign * s, alpha)
        }
    }
}

/// Power at zero effect: the per-comparison level (one tail of it for the textbook formula).
fn alpha_power(design: &Design, alpha: f64) -> f64 {
    let a = alpha / design.comparisons;
    match (design.spec.metric.clone(), design.spec.alternative) {
        (
            Metric::Proportions {
                method: ProportionMethod::Unpooled,
                ..
            },
            Alternative::TwoSided,
        ) => a / 2.0,
        _ => a,
    }
}

/// Power at each point of `axis`, the other settings from the spec (its `power` is ignored).
pub fn power_curve(spec: &PowerSpec, axis: &CurveAxis) -> Result<Vec<PowerPoint>> {
    let design = Design::new(spec)?;
    let alpha = design.alpha()?;
    let point = |n1: f64, effect: f64| -> Result<PowerPoint> {
        let n1 = check_open("n", n1, 0.0, f64::INFINITY)?;
        let delta = design.delta(effect)?;
        let (_, n_total, _) = design.totals(n1);
        Ok(PowerPoint {
            effect: delta,
            relative_effect: design.level.filter(|&l| l != 0.0).map(|l| delta / l),
            n_control: n1,
            n_total,
            power: design.power(n1, delta, alpha)?,
        })
    };
    match axis {
        CurveAxis::Effects(effects) => {
            let n1 = design.control_n()?;
            effects.iter().map(|&e| point(n1, e)).collect()
        }
        CurveAxis::Ns(ns) => {
            let effect = required("effect", spec.effect)?;
            ns.iter().map(|&n| point(n, effect)).collect()
        }
    }
}
