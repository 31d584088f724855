//! Hashing throughput of each scheme on the ids of a file (a header line, then one id per
//! line), in memory and on one thread: hash plus 50/50 variant choice per id. Prints JSON:
//! `{"ids": n, "<scheme>_seconds": best-of-reps seconds, ...}`.
//!
//! Used by benches/compare/assign.py; run: `bench_assign IDS_FILE REPS`.
#![allow(clippy::print_stdout)]

use std::time::Instant;

use counterfact_design::{Allocation, HashScheme};

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(path), reps) = (args.next(), args.next()) else {
        print_usage();
        return;
    };
    let reps: usize = reps.and_then(|r| r.parse().ok()).unwrap_or(3);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            println!("{{\"error\": \"{path}: {e}\"}}");
            return;
        }
    };
    let ids: Vec<&str> = text.lines().skip(1).collect();
    let allocation = Allocation::new(&[0.5, 0.5], 1.0).expect("valid weights");
    let mut fields = vec![format!("\"ids\": {}", ids.len())];
    for scheme in HashScheme::ALL {
        let hash = scheme.salted("bench-salt");
        let mut best = f64::INFINITY;
        let mut treated = 0usize;
        for _ in 0..reps {
            let start = Instant::now();
            treated = ids
                .iter()
                .filter(|id| allocation.choose(hash.bucket(id)) == Some(1))
                .count();
            best = best.min(start.elapsed().as_secs_f64());
        }
        fields.push(format!(
            "\"{}_seconds\": {best}",
            scheme.name().replace('-', "_")
        ));
        fields.push(format!(
            "\"{}_treated\": {treated}",
            scheme.name().replace('-', "_")
        ));
    }
    println!("{{{}}}", fields.join(", "));
}

fn print_usage() {
    println!("{{\"error\": \"usage: bench_assign IDS_FILE [REPS]\"}}");
}
