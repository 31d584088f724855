//! Command-line syntax (clap derive). Doc comments are the help text; the raw arguments are
//! resolved into settings structs by the command modules.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// counterfact: experimentation and causal inference.
#[derive(Debug, Parser)]
#[command(name = "counterfact", version, propagate_version = true)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a hypothesis test on a file, inline values or summary statistics.
    #[command(
        after_long_help = "Direction: with --x/--y the effect is x − y (scipy's order); with \
                           --control/--treatment it is treatment − control; summary statistics \
                           (--n/--mean/--sd, --successes/--trials) are given as x,y so the \
                           effect is first − second.\n\nExit codes: 0 success, 2 bad input, \
                           1 internal failure."
    )]
    Test(Box<TestArgs>),
    /// Adjust p-values for multiple comparisons.
    Adjust(AdjustArgs),
    /// Next allocation weights of a Thompson-sampling bandit from per-arm statistics.
    Bandit(crate::commands::bandit::BanditArgs),
    /// Assign the units of a file to experiment variants by deterministic hashing.
    Assign(Box<crate::commands::assign::AssignArgs>),
    /// Solve for sample size, power, minimum detectable effect or alpha; duration and power curve.
    Power(Box<crate::commands::power::PowerArgs>),
    /// Draw a stratified sample (proportional or Neyman) with an optional matched control.
    Sample(Box<crate::commands::sample::SampleArgs>),
    /// Randomization checks: SRM, covariate balance, hash evenness, placebo, A/A simulation.
    Check(Box<crate::commands::check::CheckArgs>),
    /// Decide continue / advance / halt for each stage of a phased rollout.
    Rollout(crate::commands::rollout::RolloutArgs),
    /// Read out an experiment from its spec and data: effects, CUPED, SRM, guardrails, decision.
    Analyze(crate::commands::analyze::AnalyzeArgs),
    /// Generate the seeded demo experiment (known true effects) and read it out.
    Demo(crate::commands::demo::DemoArgs),
}

/// The hypothesis tests `counterfact test` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Method {
    /// Welch's t-test for a difference in means (unequal variances).
    WelchT,
    /// Student's t-test for a difference in means (pooled variance).
    StudentT,
    /// Paired t-test on the differences x − y.
    PairedT,
    /// One-sample t-test of the mean against --mu0.
    OneSampleT,
    /// z-test for means with known standard deviation(s) --sigma.
    ZMeans,
    /// Two-proportion z-test (--successes/--trials or a 0/1 column).
    ZProportions,
    /// Chi-square goodness of fit of one row of counts (--table).
    Chi2Gof,
    /// Pearson's chi-square test of independence (--table).
    Chi2Independence,
    /// G-test (log-likelihood ratio) of independence (--table).
    GTest,
    /// Fisher's exact test on a 2x2 contingency table (--table).
    FisherExact,
    /// Mann-Whitney U test (Wilcoxon rank-sum) for two independent samples.
    MannWhitney,
    /// Wilcoxon signed-rank test: pairs x − y, or one sample vs --mu0.
    Wilcoxon,
    /// Two-sample Kolmogorov-Smirnov test of equal distributions.
    Ks,
    /// Permutation test for a difference in means (seeded).
    Permutation,
    /// Bootstrap confidence interval for a difference in means (seeded).
    Bootstrap,
    /// Two one-sided tests (TOST) for equivalence of means within ±--margin.
    Tost,
    /// Non-inferiority test of the difference against --margin.
    NonInferiority,
}

impl Method {
    /// The kebab-case name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Method::WelchT => "welch-t",
            Method::StudentT => "student-t",
            Method::PairedT => "paired-t",
            Method::OneSampleT => "one-sample-t",
            Method::ZMeans => "z-means",
            Method::ZProportions => "z-proportions",
            Method::Chi2Gof => "chi2-gof",
            Method::Chi2Independence => "chi2-independence",
            Method::GTest => "g-test",
            Method::FisherExact => "fisher-exact",
            Method::MannWhitney => "mann-whitney",
            Method::Wilcoxon => "wilcoxon",
            Method::Ks => "ks",
            Method::Permutation => "permutation",
            Method::Bootstrap => "bootstrap",
            Method::Tost => "tost",
            Method::NonInferiority => "non-inferiority",
        }
    }
}

/// Direction of the alternative hypothesis, stated for the effect (x − y or treatment − control).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AlternativeArg {
    /// The effect differs from the null value.
    TwoSided,
    /// The effect is below the null value.
    Less,
    /// The effect is above the null value.
    Greater,
}

/// Arguments of `counterfact test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// The test to run.
    #[arg(value_enum)]
    pub method: Method,

    /// CSV (.csv, .tsv) or Parquet (.parquet, .pq) file holding one row per unit.
    #[arg(long, value_name = "FILE", help_heading = "Input from a file")]
    pub data: Option<PathBuf>,
    /// Numeric column holding the outcome (with --data).
    #[arg(long, value_name = "COL", help_heading = "Input from a file")]
    pub value: Option<String>,
    /// Column holding the group label of each row (with --data).
    #[arg(long, value_name = "COL", help_heading = "Input from a file")]
    pub group: Option<String>,
    /// Group label of the control arm.
    #[arg(long, value_name = "LABEL", help_heading = "Input from a file")]
    pub control: Option<String>,
    /// Group label of the treatment arm; the effect is treatment − control.
    #[arg(long, value_name = "LABEL", help_heading = "Input from a file")]
    pub treatment: Option<String>,

    /// First sample: comma-separated values, or a column name with --data.
    #[arg(
        long,
        value_name = "VALUES|COL",
        allow_hyphen_values = true,
        help_heading = "Input as samples"
    )]
    pub x: Option<String>,
    /// Second sample: comma-separated values, or a column name with --data; the effect is x − y.
    #[arg(
        long,
        value_name = "VALUES|COL",
        allow_hyphen_values = true,
        help_heading = "Input as samples"
    )]
    pub y: Option<String>,

    /// Sample sizes per group, e.g. 100,120 (order x,y).
    #[arg(
        long,
        value_name = "N,..",
        help_heading = "Input as summary statistics"
    )]
    pub n: Option<String>,
    /// Sample means per group, e.g. 1.2,1.5.
    #[arg(
        long,
        value_name = "MEAN,..",
        allow_hyphen_values = true,
        help_heading = "Input as summary statistics"
    )]
    pub mean: Option<String>,
    /// Sample standard deviations (ddof = 1) per group, e.g. 0.3,0.4.
    #[arg(
        long,
        value_name = "SD,..",
        help_heading = "Input as summary statistics"
    )]
    pub sd: Option<String>,
    /// Successes per group, e.g. 12,20.
    #[arg(
        long,
        value_name = "K,..",
        allow_hyphen_values = true,
        help_heading = "Input as summary statistics"
    )]
    pub successes: Option<String>,
    /// Trials per group, e.g. 100,100.
    #[arg(
        long,
        value_name = "N,..",
        allow_hyphen_values = true,
        help_heading = "Input as summary statistics"
    )]
    pub trials: Option<String>,
    /// Contingency table of counts: cells separated by ',', rows by '/', e.g. 12,5/3,9.
    #[arg(
        long,
        value_name = "ROWS",
        allow_hyphen_values = true,
        help_heading = "Input as summary statistics"
    )]
    pub table: Option<String>,

    /// Alternative hypothesis for the effect [default: two-sided].
    #[arg(long, value_enum, help_heading = "Test options")]
    pub alternative: Option<AlternativeArg>,
    /// Confidence level of the interval, strictly between 0 and 1 [default: 0.95].
    #[arg(long, allow_hyphen_values = true, help_heading = "Test options")]
    pub confidence: Option<f64>,
    /// Null value of one-sample tests: the mean (one-sample-t, z-means, wilcoxon; default 0) or the
    /// proportion p0 (z-proportions).
    #[arg(long, allow_hyphen_values = true, help_heading = "Test options")]
    pub mu0: Option<f64>,
    /// Known population standard deviation(s) for z-means: one value, or one per sample (x,y).
    #[arg(long, value_name = "SD,..", help_heading = "Test options")]
    pub sigma: Option<String>,
    /// Margin for tost / non-inferiority: 0.5 (absolute), 2% (of the control mean); tost also
    /// takes LOWER,UPPER.
    #[arg(
        long,
        value_name = "MARGIN",
        allow_hyphen_values = true,
        help_heading = "Test options"
    )]
    pub margin: Option<String>,
    /// Use the pooled (Student) variance in tost / non-inferiority instead of Welch's.
    #[arg(long, help_heading = "Test options")]
    pub pooled: bool,
    /// Expected shares for chi2-gof / g-test on one row of counts, e.g. 1,1,2 [default: equal].
    #[arg(long, value_name = "W,..", help_heading = "Test options")]
    pub expected: Option<String>,
    /// Skip Yates' continuity correction of 2x2 tables (chi2-independence, g-test).
    #[arg(long, help_heading = "Test options")]
    pub no_correction: bool,
    /// Seed of the random number generator for permutation and bootstrap [default: 0].
    #[arg(long, help_heading = "Test options")]
    pub seed: Option<u64>,
    /// Number of resamples for permutation and bootstrap [default: 9999].
    #[arg(long, value_name = "N", help_heading = "Test options")]
    pub resamples: Option<usize>,
    /// Statistic for permutation / bootstrap: mean-diff (default), median-diff, quantile-diff:Q,
    /// mean-ratio; one-sample bootstrap: mean, median, quantile:Q, sd.
    #[arg(long, value_name = "NAME", help_heading = "Test options")]
    pub statistic: Option<String>,
    /// Bootstrap interval: bca (default), percentile, basic.
    #[arg(long, value_name = "NAME", help_heading = "Test options")]
    pub interval: Option<String>,
    /// P-value method of mann-whitney, wilcoxon, ks: auto (default), exact, asymptotic.
    #[arg(long, value_name = "NAME", help_heading = "Test options")]
    pub p_method: Option<String>,

    /// Print the result as JSON instead of a table.
    #[arg(long, help_heading = "Output")]
    pub json: bool,
}

/// Multiple-comparison adjustments `counterfact adjust` applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AdjustMethodArg {
    /// Bonferroni: multiply by the number of tests (family-wise error rate).
    Bonferroni,
    /// Holm's step-down procedure (family-wise error rate, uniformly better than Bonferroni).
    Holm,
    /// Hochberg's step-up procedure (family-wise error rate, independent tests).
    Hochberg,
    /// Hommel's procedure (family-wise error rate, independent tests).
    Hommel,
    /// Benjamini-Hochberg (false discovery rate, independent or positively dependent tests).
    Bh,
    /// Benjamini-Yekutieli (false discovery rate under any dependence).
    By,
}

/// Arguments of `counterfact adjust`.
#[derive(Debug, Args)]
pub struct AdjustArgs {
    /// The adjustment procedure.
    #[arg(long, value_enum)]
    pub method: AdjustMethodArg,
    /// Family-wise error rate or false discovery rate for the reject decisions.
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
    /// The p-values, separated by spaces or commas.
    #[arg(value_name = "P", required = true)]
    pub p_values: Vec<String>,
    /// Print the result as JSON instead of a table.
    #[arg(long, help_heading = "Output")]
    pub json: bool,
}
