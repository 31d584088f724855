//! Effects of one metric, every treatment arm against control (docs/readout.md): Welch t and z
//! tests of means, delta-method relative effects, CUPED / regression adjustment, ratio metrics,
//! quantile outer CIs, winsorization and guardrail non-inferiority.

use counterfact_stats::Alternative;
use counterfact_stats::dist::{ContinuousDistribution, Normal};
use counterfact_stats::inference::{symmetric_ci, symmetric_p_value};
use counterfact_stats::moments::Moments;
use counterfact_stats::parametric::welch_t_test_from_moments;

use super::types::{
    Adjustment, ArmRatioSums, ArmSummary, ArmSums, Comparison, Estimate, MetricData,
    MetricDefinition, MetricInput, MetricKind, MetricReadout, MetricRole, NonInferiority,
};
use crate::error::ModelError;
use crate::regression::least_squares_cross_products;

/// Mean and ddof-1 variance of one arm's per-unit values.
#[derive(Debug, Clone, Copy)]
struct ArmStat {
    n: u64,
    mean: f64,
    var: f64,
}

/// The comparisons of one data set plus the per-arm summaries and notes.
pub(super) struct Analysed {
    pub(super) arms: Vec<ArmSummary>,
    pub(super) comparisons: Vec<Comparison>,
    pub(super) notes: Vec<String>,
}

pub(crate) fn check_alpha(context: &str, alpha: f64) -> Result<(), ModelError> {
    if alpha > 0.0 && alpha < 1.0 {
        Ok(())
    } else {
        Err(ModelError::invalid(
            context,
            "alpha",
            alpha,
            "must lie strictly between 0 and 1",
        ))
    }
}

fn finite(metric: &str, variant: &str, what: &str, value: f64) -> Result<(), ModelError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(ModelError::NonFinite {
            metric: metric.to_string(),
            variant: variant.to_string(),
            what: what.to_string(),
            value,
        })
    }
}

pub(super) fn finite_all(
    metric: &str,
    variant: &str,
    what: &str,
    values: &[f64],
) -> Result<(), ModelError> {
    values
        .iter()
        .enumerate()
        .try_for_each(|(i, &v)| finite(metric, variant, &format!("{what}[{i}]"), v))
}

pub(super) fn check_n(metric: &str, variant: &str, n: u64, what: &str) -> Result<(), ModelError> {
    if n == 0 {
        return Err(ModelError::EmptyArm {
            metric: metric.to_string(),
            variant: variant.to_string(),
        });
    }
    if n < 2 {
        return Err(ModelError::TooFew {
            metric: metric.to_string(),
            variant: variant.to_string(),
            n,
            min: 2,
            what: what.to_string(),
        });
    }
    Ok(())
}

/// Index of the control arm and the treatment arms in data order; rejects duplicate labels.
pub(super) fn arm_order(
    metric: &str,
    labels: &[&str],
    control: &str,
) -> Result<(usize, Vec<usize>), ModelError> {
    for (i, l) in labels.iter().enumerate() {
        if labels[..i].contains(l) {
            return Err(ModelError::Variant {
                metric: metric.to_string(),
                variant: l.to_string(),
                reason: "appears twice in the data".to_string(),
            });
        }
    }
    let c =
        labels
            .iter()
            .position(|l| *l == control)
            .ok_or_else(|| ModelError::MissingControl {
                metric: metric.to_string(),
                control: control.to_string(),
            })?;
    Ok((c, (0..labels.len()).filter(|&i| i != c).collect()))
}

pub(super) fn z_crit(alpha: f64) -> f64 {
    Normal::standard().isf(alpha / 2.0)
}

pub(super) fn z_estimate(estimate: f64, se: f64, alpha: f64) -> (Estimate, f64, f64) {
    let normal = Normal::standard();
    let statistic = estimate / se;
    let p = symmetric_p_value(&normal, statistic, Alternative::TwoSided);
    let ci = symmetric_ci(&normal, estimate, se, 1.0 - alpha, Alternative::TwoSided);
    (
        Estimate {
            estimate,
            std_error: se,
            ci,
        },
        statistic,
        p,
    )
}

/// Relative effect a/b − 1 of two estimates with variances `var_a`, `var_b` (independent), by the
/// delta method: SE = √(var_a + (a/b)² var_b) / |b|, normal CI.
pub(super) fn relative(a: f64, b: f64, var_a: f64, var_b: f64, alpha: f64) -> Estimate {
    let ratio = a / b;
    let se = (var_a + ratio * ratio * var_b).sqrt() / b.abs();
    let estimate = ratio - 1.0;
    let z = z_crit(alpha);
    Estimate {
        estimate,
        std_error: se,
        ci: [estimate - z * se, estimate + z * se],
    }
}

fn zero_se(metric: &str, variant: &str, control: &str) -> ModelError {
    ModelError::ZeroVariance {
        metric: metric.to_string(),
        detail: format!(
            "variants {variant} and {control} both have zero variance: the standard error of the \
             effect is 0 and the test is undefined"
        ),
    }
}

/// Absolute effect of `t` − `c`: Welch t (mean, count, sum) or z (proportion, retention).
/// Returns the estimate, statistic, df and two-sided p-value.
fn mean_difference(
    metric: &str,
    kind: MetricKind,
    t: ArmStat,
    c: ArmStat,
    labels: (&str, &str),
    alpha: f64,
) -> Result<(Estimate, f64, Option<f64>, f64), ModelError> {
    let se = (t.var / t.n as f64 + c.var / c.n as f64).sqrt();
    if !(se > 0.0) {
        return Err(zero_se(metric, labels.0, labels.1));
    }
    let diff = t.mean - c.mean;
    if matches!(kind, MetricKind::Proportion | MetricKind::Retention) {
        let (est, stat, p) = z_estimate(diff, se, alpha);
        return Ok((est, stat, None, p));
    }
    let context = format!("metric {metric}, {} vs {}", labels.0, labels.1);
    let moments = |a: ArmStat| Moments::from_mean_sd(a.n, a.mean, a.var.sqrt());
    let mt = moments(t).map_err(ModelError::stats(&context))?;
    let mc = moments(c).map_err(ModelError::stats(&context))?;
    let r = welch_t_test_from_moments(&mt, &mc, Alternative::TwoSided, 1.0 - alpha)
        .map_err(ModelError::stats(&context))?;
    let ci = r.ci.unwrap_or([f64::NAN, f64::NAN]);
    Ok((
        Estimate {
            estimate: r.estimate.unwrap_or(diff),
            std_error: r.std_error.unwrap_or(se),
            ci,
        },
        r.statistic,
        r.df,
        r.p_value,
    ))
}

pub(super) fn comparison(
    variant: &str,
    method: &str,
    absolute: Estimate,
    relative: Estimate,
) -> Comparison {
    Comparison {
        variant: variant.to_string(),
        method: method.to_string(),
        absolute,
        relative,
        statistic: f64::NAN,
        df: None,
        p_value: f64::NAN,
        p_value_adjusted: f64::NAN,
        significant: false,
        adjustment: None,
        non_inferiority: None,
        uncapped: None,
        true_effect: None,
        sequential: None,
        bayesian: None,
    }
}

pub(super) fn with_test(
    mut c: Comparison,
    statistic: f64,
    df: Option<f64>,
    p: f64,
    alpha: f64,
) -> Comparison {
    c.statistic = statistic;
    c.df = df;
    c.p_value = p;
    c.p_value_adjusted = p;
    c.significant = p < alpha;
    c
}

/// Within-arm centred cross-products of one arm: (x̄, S_xx, S_xy, S_yy).
struct Centred {
    x_mean: Vec<f64>,
    s_xx: Vec<f64>,
    s_xy: Vec<f64>,
    s_yy: f64,
}

fn centred(arm: &ArmSums, p: usize) -> Centred {
    let n = arm.n as f64;
    let x_mean: Vec<f64> = arm.sum_x.iter().map(|s| s / n).collect();
    let s_xx = (0..p * p)
        .map(|k| arm.sum_xx[k] - arm.sum_x[k / p] * x_mean[k % p])
        .collect();
    let s_xy = (0..p)
        .map(|j| arm.sum_xy[j] - arm.sum_x[j] * arm.sum_y / n)
        .collect();
    Centred {
        x_mean,
        s_xx,
        s_xy,
        s_yy: arm.sum_yy - arm.sum_y * arm.sum_y / n,
    }
}

fn quad(theta: &[f64], m: &[f64]) -> f64 {
    let p = theta.len();
    (0..p * p).map(|k| theta[k / p] * m[k] * theta[k % p]).sum()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn validate_sums(def: &MetricDefinition, arm: &ArmSums) -> Result<(), ModelError> {
    let m = def.name.as_str();
    let v = arm.variant.as_str();
    check_n(m, v, arm.n, "a variance")?;
    finite(m, v, "sum_y", arm.sum_y)?;
    finite(m, v, "sum_yy", arm.sum_yy)?;
    let p = def.covariates.len();
    if p > 0 {
        if arm.sum_x.len() != p || arm.sum_xy.len() != p || arm.sum_xx.len() != p * p {
            return Err(ModelError::Variant {
                metric: m.to_string(),
                variant: v.to_string(),
                reason: format!(
                    "covariate sums have lengths sum_x {}, sum_xy {}, sum_xx {}; {p} covariates \
                     need {p}, {p} and {}",
                    arm.sum_x.len(),
                    arm.sum_xy.len(),
                    arm.sum_xx.len(),
                    p * p
                ),
            });
        }
        finite_all(m, v, "sum_x", &arm.sum_x)?;
        finite_all(m, v, "sum_xy", &arm.sum_xy)?;
        finite_all(m, v, "sum_xx", &arm.sum_xx)?;
    }
    Ok(())
}

fn arm_stat(def: &MetricDefinition, arm: &ArmSums) -> Result<ArmStat, ModelError> {
    let m = Moments::from_sums(arm.n, arm.sum_y, arm.sum_yy).map_err(ModelError::stats(
        &format!("metric {}, variant {}", def.name, arm.variant),
    ))?;
    let var = m.variance(1);
    if !(m.mean.is_finite() && var.is_finite()) {
        return Err(ModelError::NonFinite {
            metric: def.name.clone(),
            variant: arm.variant.clone(),
            what: "variance from the sums (overflow)".to_string(),
            value: var,
        });
    }
    Ok(ArmStat {
        n: arm.n,
        mean: m.mean,
        var,
    })
}

fn mean_method(kind: MetricKind) -> &'static str {
    match kind {
        MetricKind::Proportion | MetricKind::Retention => "z",
        _ => "welch_t",
    }
}

fn relative_of_means(t: ArmStat, c: ArmStat, alpha: f64) -> Estimate {
    relative(
        t.mean,
        c.mean,
        t.var / t.n as f64,
        c.var / c.n as f64,
        alpha,
    )
}

fn analyze_sums(
    def: &MetricDefinition,
    arms: &[ArmSums],
    control: &str,
    alpha: f64,
) -> Result<Analysed, ModelError> {
    let metric = def.name.as_str();
    let labels: Vec<&str> = arms.iter().map(|a| a.variant.as_str()).collect();
    let (ci, treated) = arm_order(metric, &labels, control)?;
    for arm in arms {
        validate_sums(def, arm)?;
    }
    let stats: Vec<ArmStat> = arms
        .iter()
        .map(|a| arm_stat(def, a))
        .collect::<Result<_, _>>()?;
    let summary = |i: usize| ArmSummary {
        variant: arms[i].variant.clone(),
        n: arms[i].n,
        value: stats[i].mean,
        total: (def.kind == MetricKind::Sum).then_some(arms[i].sum_y),
    };
    let mut out = Analysed {
        arms: std::iter::once(ci)
            .chain(treated.iter().copied())
            .map(summary)
            .collect(),
        comparisons: Vec::new(),
        notes: Vec::new(),
    };
    let c = stats[ci];
    if c.mean == 0.0 {
        out.notes.push(format!(
            "the control mean is 0: relative effects of {metric} are undefined (NaN)"
        ));
    }
    for &ti in &treated {
        let t = stats[ti];
        let names = (labels[ti], control);
        let (abs, stat, df, p) = mean_difference(metric, def.kind, t, c, names, alpha)?;
        if def.covariates.is_empty() {
            let rel = relative_of_means(t, c, alpha);
            let cmp = comparison(labels[ti], mean_method(def.kind), abs, rel);
            out.comparisons.push(with_test(cmp, stat, df, p, alpha));
        } else {
            out.comparisons
                .push(cuped(def, &arms[ci], &arms[ti], c, t, abs, alpha)?);
        }
    }
    Ok(out)
}

/// CUPED / regression adjustment of one treatment arm against control (Deng, Xu, Kohavi and
/// Walker 2013): θ pooled within arm over the pair, adjusted means and variances.
fn cuped(
    def: &MetricDefinition,
    c_arm: &ArmSums,
    t_arm: &ArmSums,
    c: ArmStat,
    t: ArmStat,
    unadjusted: Estimate,
    alpha: f64,
) -> Result<Comparison, ModelError> {
    let metric = def.name.as_str();
    let p = def.covariates.len();
    let (cc, tc) = (centred(c_arm, p), centred(t_arm, p));
    let s_xx: Vec<f64> = cc.s_xx.iter().zip(&tc.s_xx).map(|(a, b)| a + b).collect();
    let s_xy: Vec<f64> = cc.s_xy.iter().zip(&tc.s_xy).map(|(a, b)| a + b).collect();
    let s_yy = cc.s_yy + tc.s_yy;
    let context = format!(
        "metric {metric}, CUPED for {} vs {}",
        t_arm.variant, c_arm.variant
    );
    let n_all = c_arm.n as f64 + t_arm.n as f64;
    let df_residual = n_all - 2.0 - p as f64;
    let fit =
        least_squares_cross_products(&s_xx, &s_xy, s_yy, df_residual, &def.covariates, &context)?;
    let theta = fit.coefficients;
    let x_all: Vec<f64> = (0..p)
        .map(|j| (c_arm.sum_x[j] + t_arm.sum_x[j]) / n_all)
        .collect();
    let adjust = |s: ArmStat, ce: &Centred| -> ArmStat {
        let shift: Vec<f64> = ce.x_mean.iter().zip(&x_all).map(|(a, b)| a - b).collect();
        let rss = ce.s_yy - 2.0 * dot(&theta, &ce.s_xy) + quad(&theta, &ce.s_xx);
        ArmStat {
            n: s.n,
            mean: s.mean - dot(&theta, &shift),
            var: (rss / (s.n as f64 - 1.0)).max(0.0),
        }
    };
    let (ca, ta) = (adjust(c, &cc), adjust(t, &tc));
    let names = (t_arm.variant.as_str(), c_arm.variant.as_str());
    let (abs, stat, df, pv) = mean_difference(metric, def.kind, ta, ca, names, alpha)?;
    let rel = relative_of_means(ta, ca, alpha);
    let variance_reduction = 1.0 - (abs.std_error / unadjusted.std_error).powi(2);
    let method = format!("cuped_{}", mean_method(def.kind));
    let mut cmp = comparison(names.0, &method, abs, rel);
    cmp.adjustment = Some(Adjustment {
        covariates: def.covariates.clone(),
        theta,
        variance_reduction,
        r_squared: fit.r_squared,
        unadjusted,
    });
    Ok(with_test(cmp, stat, df, pv, alpha))
}

/// R = Σa/Σb and Var(R) = (s²_a − 2R s_ab + R² s²_b)/(n b̄²) of one arm (Deng et al. 2018).
fn ratio_stat(metric: &str, arm: &ArmRatioSums) -> Result<(f64, f64), ModelError> {
    let v = arm.variant.as_str();
    check_n(metric, v, arm.n, "a variance")?;
    for (what, x) in [
        ("sum_a", arm.sum_a),
        ("sum_b", arm.sum_b),
        ("sum_aa", arm.sum_aa),
        ("sum_bb", arm.sum_bb),
        ("sum_ab", arm.sum_ab),
    ] {
        finite(metric, v, what, x)?;
    }
    if arm.sum_b == 0.0 {
        return Err(ModelError::ZeroVariance {
            metric: metric.to_string(),
            detail: format!("variant {v}: the denominator sums to 0, the ratio is undefined"),
        });
    }
    let n = arm.n as f64;
    let r = arm.sum_a / arm.sum_b;
    let b_mean = arm.sum_b / n;
    let s_aa = (arm.sum_aa - arm.sum_a * arm.sum_a / n) / (n - 1.0);
    let s_bb = (arm.sum_bb - arm.sum_b * arm.sum_b / n) / (n - 1.0);
    let s_ab = (arm.sum_ab - arm.sum_a * arm.sum_b / n) / (n - 1.0);
    let var = ((s_aa - 2.0 * r * s_ab + r * r * s_bb) / (n * b_mean * b_mean)).max(0.0);
    Ok((r, var))
}

fn analyze_ratio(
    def: &MetricDefinition,
    arms: &[ArmRatioSums],
    control: &str,
    alpha: f64,
) -> Result<Analysed, ModelError> {
    let metric = def.name.as_str();
    let labels: Vec<&str> = arms.iter().map(|a| a.variant.as_str()).collect();
    let (ci, treated) = arm_order(metric, &labels, control)?;
    let stats: Vec<(f64, f64)> = arms
        .iter()
        .map(|a| ratio_stat(metric, a))
        .collect::<Result<_, _>>()?;
    let summary = |i: usize| ArmSummary {
        variant: arms[i].variant.clone(),
        n: arms[i].n,
        value: stats[i].0,
        total: None,
    };
    let (rc, vc) = stats[ci];
    let mut out = Analysed {
        arms: std::iter::once(ci)
            .chain(treated.iter().copied())
            .map(summary)
            .collect(),
        comparisons: Vec::new(),
        notes: Vec::new(),
    };
    if rc == 0.0 {
        out.notes.push(format!(
            "the control ratio is 0: relative effects of {metric} are undefined (NaN)"
        ));
    }
    for &ti in &treated {
        let (rt, vt) = stats[ti];
        let se = (vt + vc).sqrt();
        if !(se > 0.0) {
            return Err(zero_se(metric, labels[ti], control));
        }
        let (abs, stat, p) = z_estimate(rt - rc, se, alpha);
        let rel = relative(rt, rc, vt, vc, alpha);
        let cmp = comparison(labels[ti], "z_delta_ratio", abs, rel);
        out.comparisons.push(with_test(cmp, stat, None, p, alpha));
    }
    Ok(out)
}

fn analyze_data(
    def: &MetricDefinition,
    data: &MetricData,
    control: &str,
    alpha: f64,
) -> Result<Analysed, ModelError> {
    match (def.kind, data) {
        (
            MetricKind::Mean
            | MetricKind::Count
            | MetricKind::Sum
            | MetricKind::Proportion
            | MetricKind::Retention,
            MetricData::Sums { arms },
        ) => analyze_sums(def, arms, control, alpha),
        (MetricKind::Ratio, MetricData::Ratio { arms }) => analyze_ratio(def, arms, control, alpha),
        (MetricKind::Quantile, MetricData::Values { arms }) => {
            super::quantile::analyze_quantile(def, arms, control, alpha)
        }
        (kind, _) => Err(ModelError::invalid(
            &format!("metric {}", def.name),
            "data shape",
            format!("{kind:?}"),
            "mean/count/sum/proportion/retention need per-arm sums, ratio needs ratio sums, \
             quantile needs values",
        )),
    }
}

/// Non-inferiority of a guardrail with relative margin m: H0 r ≤ −m (higher is better) or
/// r ≥ m (lower is better), one-sided z on the delta-method SE of r.
fn non_inferiority(
    def: &MetricDefinition,
    cmp: &Comparison,
    alpha: f64,
) -> Result<NonInferiority, ModelError> {
    let margin = def.margin.unwrap_or(f64::NAN);
    if !(margin.is_finite() && margin >= 0.0) {
        return Err(ModelError::invalid(
            &format!("metric {}", def.name),
            "margin",
            margin,
            "guardrails need a finite non-negative relative margin",
        ));
    }
    let r = &cmp.relative;
    let z = if def.higher_is_better {
        (r.estimate + margin) / r.std_error
    } else {
        (margin - r.estimate) / r.std_error
    };
    let p_value = Normal::standard().sf(z);
    Ok(NonInferiority {
        margin,
        p_value,
        non_inferior: p_value < alpha,
    })
}

/// Analyses one metric: every treatment arm against `control` at level `alpha`
/// (docs/readout.md). `p_value_adjusted` equals `p_value` here; [`super::analyze`] applies the
/// multiplicity correction across metrics.
pub fn analyze_metric(
    input: &MetricInput,
    control: &str,
    alpha: f64,
) -> Result<MetricReadout, ModelError> {
    let def = &input.definition;
    check_alpha(&format!("metric {}", def.name), alpha)?;
    let mut analysed = analyze_data(def, &input.data, control, alpha)?;
    let mut cap = None;
    if let Some(w) = &input.winsorized {
        if !matches!(
            def.kind,
            MetricKind::Mean | MetricKind::Count | MetricKind::Sum
        ) {
            return Err(ModelError::invalid(
                &format!("metric {}", def.name),
                "winsorize",
                format!("{:?}", def.kind),
                "winsorization applies to mean, count and sum metrics",
            ));
        }
        finite(&def.name, "all", "winsorization cap", w.cap)?;
        let uncapped = analyze_data(def, &w.uncapped, control, alpha)?;
        for cmp in &mut analysed.comparisons {
            let u = uncapped
                .comparisons
                .iter()
                .find(|u| u.variant == cmp.variant)
                .ok_or_else(|| ModelError::Variant {
                    metric: def.name.clone(),
                    variant: cmp.variant.clone(),
                    reason: "missing from the uncapped data".to_string(),
                })?;
            cmp.uncapped = Some(Box::new(u.clone()));
        }
        cap = Some(w.cap);
        analysed.notes.push(format!(
            "winsorized at {:.6} ({}): {} units capped",
            w.cap, w.rule, w.capped_units
        ));
    }
    if def.role == MetricRole::Guardrail {
        for cmp in &mut analysed.comparisons {
            cmp.non_inferiority = Some(non_inferiority(def, cmp, alpha)?);
        }
    }
    Ok(MetricReadout {
        name: def.name.clone(),
        kind: def.kind,
        role: def.role,
        higher_is_better: def.higher_is_better,
        arms: analysed.arms,
        comparisons: analysed.comparisons,
        cap,
        notes: analysed.notes,
    })
}
