//! `counterfact power`: solve for sample size, power, minimum detectable effect or α, with the
//! duration and an optional power curve.

use anyhow::Result;
use clap::{Args, ValueEnum};
use counterfact_design::power::{
    Correction, CurveAxis, Metric, PowerPoint, PowerResult, PowerSpec, ProportionMethod,
    Sequential, TestKind, Unknown, parse_alternative, power_curve, solve,
};
use serde::Serialize;

use crate::error::{bad_input, bail_input};
use crate::render;

/// Arguments of `counterfact power`.
#[derive(Debug, Args)]
pub struct PowerArgs {
    /// What to solve for.
    #[arg(long, value_enum, default_value = "n")]
    pub solve: SolveArg,
    /// The metric.
    #[arg(long, value_enum, default_value = "means")]
    pub metric: MetricArg,
    /// Per-unit standard deviation (means).
    #[arg(long)]
    pub sd: Option<f64>,
    /// Control mean (means; needed with --relative).
    #[arg(long, allow_hyphen_values = true)]
    pub mean: Option<f64>,
    /// Control conversion rate (proportions).
    #[arg(long)]
    pub baseline: Option<f64>,
    /// Proportion formula: Cohen's h (arcsine) or the textbook unpooled formula.
    #[arg(long, value_enum, default_value = "arcsine")]
    pub method: MethodArg,
    /// Ratio metric: per-unit mean of the numerator.
    #[arg(long, allow_hyphen_values = true)]
    pub mean_num: Option<f64>,
    /// Ratio metric: per-unit mean of the denominator.
    #[arg(long)]
    pub mean_den: Option<f64>,
    /// Ratio metric: per-unit variance of the numerator.
    #[arg(long)]
    pub var_num: Option<f64>,
    /// Ratio metric: per-unit variance of the denominator.
    #[arg(long)]
    pub var_den: Option<f64>,
    /// Ratio metric: per-unit covariance of numerator and denominator.
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    pub cov: f64,
    /// Test statistic's reference distribution.
    #[arg(long, value_enum, default_value = "z")]
    pub test: TestArg,
    /// One-sample or paired design (n pairs) instead of two independent arms.
    #[arg(long)]
    pub one_sample: bool,
    /// Minimum detectable effect, treatment − control (absolute; relative with --relative).
    #[arg(long, allow_hyphen_values = true)]
    pub mde: Option<f64>,
    /// The effect is relative to the control level (0.05 = +5 %).
    #[arg(long)]
    pub relative: bool,
    /// Target power.
    #[arg(long)]
    pub power: Option<f64>,
    /// Family-wise significance level.
    #[arg(long)]
    pub alpha: Option<f64>,
    /// Alternative: two-sided, greater (larger) or less (smaller).
    #[arg(long, default_value = "two-sided")]
    pub alternative: String,
    /// Units in the control arm.
    #[arg(long)]
    pub n: Option<f64>,
    /// Units over all arms (instead of --n).
    #[arg(long, conflicts_with = "n")]
    pub total: Option<f64>,
    /// Allocation ratio treatment : control of each treatment arm.
    #[arg(long, default_value_t = 1.0)]
    pub ratio: f64,
    /// Number of arms including control.
    #[arg(long, default_value_t = 2)]
    pub arms: u32,
    /// Multiplicity correction over the arms' comparisons with control.
    #[arg(long, value_enum, default_value = "bonferroni")]
    pub correction: CorrectionArg,
    /// Expected correlation of the metric with its CUPED covariate.
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    pub cuped_rho: f64,
    /// Units per cluster (cluster randomization).
    #[arg(long, default_value_t = 1.0)]
    pub cluster_size: f64,
    /// Intra-cluster correlation.
    #[arg(long, default_value_t = 0.0)]
    pub icc: f64,
    /// Group-sequential design: obf:K, pocock:K (K looks) or an inflation factor such as 1.1.
    #[arg(long, value_name = "DESIGN")]
    pub sequential: Option<String>,
    /// Eligible units per day.
    #[arg(long, allow_hyphen_values = true)]
    pub daily_traffic: Option<f64>,
    /// Share of the eligible traffic allocated to the experiment.
    #[arg(long, default_value_t = 1.0)]
    pub share: f64,
    /// Also print the power curve over effects around the solution.
    #[arg(long)]
    pub curve: bool,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The unknown on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SolveArg {
    /// Sample size.
    N,
    /// Power.
    Power,
    /// Minimum detectable effect.
    Mde,
    /// Significance level.
    Alpha,
}

/// The metric on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MetricArg {
    /// A mean (--sd, optional --mean).
    Means,
    /// A conversion rate (--baseline).
    Proportions,
    /// A ratio of per-unit sums (--mean-num, --mean-den, --var-num, --var-den, --cov).
    Ratio,
    /// A standardized effect size (--mde is Cohen's d).
    Standardized,
}

/// The proportion formula on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// Cohen's h.
    Arcsine,
    /// Textbook unpooled formula.
    Unpooled,
}

/// The test on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestArg {
    /// z test.
    Z,
    /// t test.
    T,
}

/// The multiplicity correction on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CorrectionArg {
    /// Bonferroni over the k − 1 comparisons with control.
    Bonferroni,
    /// No correction.
    None,
}

#[derive(Serialize)]
struct Output<'a> {
    spec: &'a PowerSpec,
    result: &'a PowerResult,
    #[serde(skip_serializing_if = "Option::is_none")]
    curve: Option<Vec<PowerPoint>>,
}

/// Runs `counterfact power`.
pub fn run(args: &PowerArgs) -> Result<()> {
    let (spec, unknown) = spec(args)?;
    let result = solve(&spec, unknown).map_err(|e| bad_input(e.to_string()))?;
    let curve = args.curve.then(|| curve(&spec, &result));
    if args.json {
        let out = Output {
            spec: &spec,
            result: &result,
            curve,
        };
        return render::write_stdout(&render::json(&out)?);
    }
    let mut text = render::key_value_table(&rows(&spec, &result)).to_string();
    if let Some(points) = curve {
        let mut table = render::grid(&["effect", "relative effect", "n control", "power"]);
        for p in &points {
            table.add_row(vec![
                render::number(p.effect),
                p.relative_effect.map_or("-".to_string(), render::number),
                render::number(p.n_control),
                render::number(p.power),
            ]);
        }
        text.push_str("\n\npower curve at the solved sample size\n");
        text.push_str(&table.to_string());
    }
    render::write_stdout(&text)
}

fn spec(args: &PowerArgs) -> Result<(PowerSpec, Unknown)> {
    let need = |what: &str, v: Option<f64>| {
        v.ok_or_else(|| bad_input(format!("--metric {what} needs --{what}")))
    };
    let metric = match args.metric {
        MetricArg::Means => Metric::Means {
            sd: args
                .sd
                .ok_or_else(|| bad_input("--metric means needs --sd"))?,
            mean: args.mean,
        },
        MetricArg::Proportions => Metric::Proportions {
            baseline: args
                .baseline
                .ok_or_else(|| bad_input("--metric proportions needs --baseline"))?,
            method: match args.method {
                MethodArg::Arcsine => ProportionMethod::Arcsine,
                MethodArg::Unpooled => ProportionMethod::Unpooled,
            },
        },
        MetricArg::Ratio => Metric::Ratio {
            mean_num: need("mean-num", args.mean_num).map_err(|_| ratio_missing())?,
            mean_den: args.mean_den.ok_or_else(ratio_missing)?,
            var_num: args.var_num.ok_or_else(ratio_missing)?,
            var_den: args.var_den.ok_or_else(ratio_missing)?,
            cov: args.cov,
        },
        MetricArg::Standardized => Metric::Standardized,
    };
    let unknown = match args.solve {
        SolveArg::N => Unknown::N,
        SolveArg::Power => Unknown::Power,
        SolveArg::Mde => Unknown::Mde,
        SolveArg::Alpha => Unknown::Alpha,
    };
    let mut spec = PowerSpec::new(metric);
    spec.test = match args.test {
        TestArg::Z => TestKind::Z,
        TestArg::T => TestKind::T,
    };
    spec.one_sample = args.one_sample;
    spec.alternative = parse_alternative(&args.alternative)
        .map_err(|e| bad_input(format!("--alternative: {e}")))?;
    spec.alpha = Some(args.alpha.unwrap_or(0.05));
    spec.power = Some(args.power.unwrap_or(0.8));
    spec.effect = args.mde;
    spec.relative = args.relative;
    spec.n = args.n;
    spec.total = args.total;
    spec.ratio = args.ratio;
    spec.arms = args.arms;
    spec.correction = match args.correction {
        CorrectionArg::Bonferroni => Correction::Bonferroni,
        CorrectionArg::None => Correction::None,
    };
    spec.cuped_rho = args.cuped_rho;
    spec.cluster_size = args.cluster_size;
    spec.icc = args.icc;
    spec.sequential = match &args.sequential {
        None => Sequential::None,
        Some(s) => sequential(s)?,
    };
    spec.daily_traffic = args.daily_traffic;
    spec.share = args.share;
    match unknown {
        Unknown::N | Unknown::Power | Unknown::Alpha if args.mde.is_none() => {
            bail_input!("--solve {} needs --mde", solve_name(unknown))
        }
        Unknown::Power | Unknown::Mde | Unknown::Alpha
            if args.n.is_none() && args.total.is_none() =>
        {
            bail_input!("--solve {} needs --n or --total", solve_name(unknown))
        }
        _ => {}
    }
    Ok((spec, unknown))
}

fn ratio_missing() -> anyhow::Error {
    bad_input("--metric ratio needs --mean-num, --mean-den, --var-num and --var-den")
}

fn solve_name(u: Unknown) -> &'static str {
    match u {
        Unknown::N => "n",
        Unknown::Power => "power",
        Unknown::Mde => "mde",
        Unknown::Alpha => "alpha",
    }
}

/// Parses obf:K, pocock:K or a factor.
fn sequential(text: &str) -> Result<Sequential> {
    let looks = |k: &str| {
        k.trim().parse::<u32>().map_err(|_| {
            bad_input(format!(
                "--sequential {text}: '{k}' is not a number of looks"
            ))
        })
    };
    match text.split_once(':') {
        Some(("obf" | "obrien-fleming", k)) => Ok(Sequential::OBrienFleming { looks: looks(k)? }),
        Some(("pocock", k)) => Ok(Sequential::Pocock { looks: looks(k)? }),
        Some(_) => bail_input!("--sequential {text}: use obf:K, pocock:K or a factor such as 1.1"),
        None => text
            .trim()
            .parse::<f64>()
            .map(|factor| Sequential::Factor { factor })
            .map_err(|_| {
                bad_input(format!(
                    "--sequential {text}: use obf:K, pocock:K or a factor such as 1.1"
                ))
            }),
    }
}

/// Power at effects ¼ … 2 × the solved effect, at the solved sample size; points whose effect
/// leaves the metric's range (proportions outside (0, 1)) are left out.
fn curve(spec: &PowerSpec, result: &PowerResult) -> Vec<PowerPoint> {
    let mut at = spec.clone();
    at.n = Some(result.n_control);
    at.total = None;
    at.alpha = Some(result.alpha);
    let base = if spec.relative {
        result.relative_effect.unwrap_or(result.effect)
    } else {
        result.effect
    };
    [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0]
        .iter()
        .filter_map(|m| {
            power_curve(&at, &CurveAxis::Effects(vec![base * m]))
                .ok()
                .and_then(|v| v.into_iter().next())
        })
        .collect()
}

fn rows(spec: &PowerSpec, r: &PowerResult) -> Vec<(String, String)> {
    let num = render::number;
    let mut rows = vec![
        (
            "solved for".to_string(),
            solve_name(r.solved_for).to_string(),
        ),
        (
            "alternative".to_string(),
            spec.alternative.as_str().to_string(),
        ),
        ("alpha".to_string(), num(r.alpha)),
    ];
    if (r.alpha_per_comparison - r.alpha).abs() > 0.0 {
        rows.push(("alpha per comparison".into(), num(r.alpha_per_comparison)));
    }
    rows.push(("power".into(), num(r.power)));
    rows.push(("effect".into(), num(r.effect)));
    if let Some(rel) = r.relative_effect {
        rows.push(("relative effect".into(), format!("{}%", num(rel * 100.0))));
    }
    if let Some(d) = r.standardized_effect {
        rows.push(("standardized effect".into(), num(d)));
    }
    if let Some(df) = r.df {
        rows.push(("df".into(), num(df)));
    }
    rows.push(("n control".into(), num(r.n_control)));
    if !spec.one_sample {
        rows.push(("n per treatment arm".into(), num(r.n_treatment)));
    }
    rows.push(("n total".into(), num(r.n_total)));
    rows.push(("n total (whole units)".into(), num(r.n_total_ceil)));
    if let Some(c) = r.clusters_control {
        rows.push(("clusters in control".into(), num(c)));
    }
    if r.cuped_factor != 1.0 {
        rows.push(("CUPED variance factor".into(), num(r.cuped_factor)));
    }
    if r.design_effect != 1.0 {
        rows.push(("design effect".into(), num(r.design_effect)));
    }
    if r.sequential_factor != 1.0 {
        rows.push(("sequential inflation".into(), num(r.sequential_factor)));
    }
    if let Some(d) = r.duration_days {
        rows.push(("duration (days)".into(), num(d)));
    }
    rows
}
