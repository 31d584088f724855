//! One module per subcommand.

pub mod adjust;
pub mod assign;
pub mod test;
