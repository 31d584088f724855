//! One module per subcommand.

pub mod adjust;
pub mod test;
