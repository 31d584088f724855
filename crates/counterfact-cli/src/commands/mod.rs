//! One module per subcommand.

pub mod adjust;
pub mod bandit;
pub mod test;
