//! Times Welch's t-test on two samples stored back to back as little-endian f64 in one file,
//! separating I/O (reading and decoding the file) from compute (validation, moments, test). Used
//! by `benches/compare/welch.py`, which runs scipy on the same data.
//!
//! Usage: `bench_welch <file> <n_x> [reps]`; prints one JSON object.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Read;
use std::process::exit;
use std::time::Instant;

use counterfact_stats::Alternative;
use counterfact_stats::parametric::welch_t_test;

/// Reads little-endian f64s through a 1 MiB buffer straight into the output vector (no second
/// full-size byte copy).
fn read_f64s(path: &str) -> std::io::Result<Vec<f64>> {
    let mut file = std::fs::File::open(path)?;
    let len = usize::try_from(file.metadata()?.len()).unwrap_or(0);
    let mut out = Vec::with_capacity(len / 8);
    let mut buf = vec![0u8; 1 << 20];
    let mut filled = 0;
    loop {
        let got = file.read(&mut buf[filled..])?;
        filled += got;
        let whole = filled / 8 * 8;
        out.extend(
            buf[..whole]
                .chunks_exact(8)
                .map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])),
        );
        buf.copy_within(whole..filled, 0);
        filled -= whole;
        if got == 0 {
            return Ok(out);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: bench_welch <file> <n_x> [reps]");
        exit(2);
    }
    let n_x: usize = args[2].parse().unwrap_or_else(|e| {
        eprintln!("n_x: {e}");
        exit(2)
    });
    let reps: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(5).max(1);

    let t = Instant::now();
    let data = read_f64s(&args[1]).unwrap_or_else(|e| {
        eprintln!("{}: {e}", args[1]);
        exit(1)
    });
    let io_seconds = t.elapsed().as_secs_f64();
    if n_x > data.len() {
        eprintln!("n_x = {n_x} exceeds the {} values in the file", data.len());
        exit(2);
    }
    let (x, y) = data.split_at(n_x);

    let mut best = f64::INFINITY;
    let mut last = Err(String::from("no repetition ran"));
    for _ in 0..reps {
        let t = Instant::now();
        // The raw-sample API checks finiteness, then reduces to moments: time exactly that.
        let r = welch_t_test(x, y, Alternative::TwoSided, 0.95);
        best = best.min(t.elapsed().as_secs_f64());
        last = r.map_err(|e| e.to_string());
    }
    match last {
        Ok(r) => println!(
            "{{\"threads\": {}, \"io_seconds\": {io_seconds}, \"compute_seconds\": {best}, \
             \"statistic\": {}, \"p_value\": {}, \"df\": {}}}",
            rayon::current_num_threads(),
            r.statistic,
            r.p_value,
            r.df.unwrap_or(f64::NAN)
        ),
        Err(e) => {
            eprintln!("welch-t: {e}");
            exit(1)
        }
    }
}
