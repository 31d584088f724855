//! One module per subcommand.

pub mod adjust;
pub mod analyze;
pub mod assign;
pub mod bandit;
pub mod check;
pub mod demo;
pub mod demo_units;
pub mod power;
pub mod rollout;
pub mod sample;
pub mod test;
