//! One module per subcommand.

pub mod adjust;
pub mod assign;
pub mod power;
pub mod check;
pub mod sample;
pub mod test;
