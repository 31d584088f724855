//! Rank and distribution tests: Mann-Whitney U, Wilcoxon signed-rank and two-sample
//! Kolmogorov-Smirnov, with exact small-sample null distributions, normal or Kolmogorov
//! approximations for large samples, and Hodges-Lehmann estimates with distribution-free
//! confidence intervals.

mod exact;
mod kolmogorov;
pub mod ks;
pub mod mann_whitney;
mod ranks;
mod select;
pub mod wilcoxon;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::error::StatsError;

pub use ks::{KsOptions, ks_2samp};
pub use mann_whitney::{MannWhitneyOptions, mann_whitney_u, rank_biserial};
pub use wilcoxon::{WilcoxonOptions, ZeroMethod, wilcoxon_paired, wilcoxon_signed_rank};

/// How a rank test computes its p-value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PValueMethod {
    /// Exact for small samples without ties, asymptotic otherwise (scipy's `auto` rule per test).
    #[default]
    Auto,
    /// The exact null distribution.
    Exact,
    /// The large-sample approximation.
    Asymptotic,
}

impl PValueMethod {
    /// The kebab-case name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            PValueMethod::Auto => "auto",
            PValueMethod::Exact => "exact",
            PValueMethod::Asymptotic => "asymptotic",
        }
    }
}

impl fmt::Display for PValueMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PValueMethod {
    type Err = StatsError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(PValueMethod::Auto),
            "exact" => Ok(PValueMethod::Exact),
            "asymptotic" | "asymp" => Ok(PValueMethod::Asymptotic),
            other => Err(StatsError::invalid(
                "method",
                other,
                "must be one of auto, exact, asymptotic",
            )),
        }
    }
}
