//! Writes the demo data set (`counterfact_data::demo::generate`, default configuration) into the
//! folder given as the first argument, optionally with another member count as the second; the
//! readout reference (`tests/reference/gen_readout.py`) runs it.

use std::path::PathBuf;

use counterfact_data::demo::{DemoConfig, generate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1);
    let out = args
        .next()
        .map(PathBuf::from)
        .ok_or("usage: write_demo DIR [MEMBERS]")?;
    let mut config = DemoConfig::default();
    if let Some(members) = args.next() {
        let members = members.to_str().ok_or("MEMBERS is not UTF-8")?;
        config.members = members.parse()?;
    }
    generate(&config, &out, &|_, _| {})?;
    Ok(())
}
