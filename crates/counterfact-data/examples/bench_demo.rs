//! Benchmark: demo generation time at scale.
//! `COUNTERFACT_DEMO_MEMBERS=10000000 cargo run --release -p counterfact-data --example bench_demo`
#![allow(clippy::print_stdout)]

use std::time::Instant;

use counterfact_data::demo::{DemoConfig, generate};

fn main() {
    let members = std::env::var("COUNTERFACT_DEMO_MEMBERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
    let dir = std::env::temp_dir().join(format!("counterfact-demo-scale-{members}"));
    let _ = std::fs::remove_dir_all(&dir);
    let start = Instant::now();
    let m = generate(
        &DemoConfig {
            members,
            ..DemoConfig::default()
        },
        &dir,
        &|done, total| {
            println!(
                "{done}/{total} members after {:.1} s",
                start.elapsed().as_secs_f64()
            );
        },
    )
    .expect("demo");
    println!(
        "{members} members on {} threads: {:.1} s, rows {:?}",
        rayon::current_num_threads(),
        start.elapsed().as_secs_f64(),
        m.rows
    );
    println!(
        "{}",
        serde_json::to_string_pretty(&m.true_effects).expect("json")
    );
    std::fs::remove_dir_all(&dir).expect("cleanup");
}
