//! One module per subcommand.

pub mod adjust;
pub mod rollout;
pub mod test;
