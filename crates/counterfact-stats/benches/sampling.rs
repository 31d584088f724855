//! Per-draw cost of weighted sampling (alias O(1) vs cumulative binary search O(log n)) from 10
//! to 10M keys, and Algorithm L vs Algorithm R reservoir sampling over 100M items.

use counterfact_stats::sampling::reservoir::{ReservoirL, reservoir_l, reservoir_r};
use counterfact_stats::sampling::seeded_rng;
use counterfact_stats::sampling::weighted::{AliasSampler, CumulativeSampler};
use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use rand::RngExt;
use std::hint::black_box;

const DRAWS: usize = 1_000;
const SIZES: [usize; 7] = [10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];
const STREAM: u64 = 100_000_000;
const K: usize = 100;

fn bench_weighted(c: &mut Criterion) {
    let mut group = c.benchmark_group("weighted_draw");
    group.throughput(Throughput::Elements(DRAWS as u64));
    for &n in &SIZES {
        let mut rng = seeded_rng(n as u64);
        let weights: Vec<f64> = (0..n).map(|_| rng.random::<f64>() + 0.01).collect();
        let cumulative = CumulativeSampler::new(&weights).expect("valid weights");
        let alias = AliasSampler::new(&weights).expect("valid weights");
        drop(weights);
        let mut rng = seeded_rng(1);
        group.bench_function(BenchmarkId::new("cumulative_binary_search", n), |b| {
            b.iter(|| {
                for _ in 0..DRAWS {
                    black_box(cumulative.sample(&mut rng));
                }
            })
        });
        group.bench_function(BenchmarkId::new("alias_vose", n), |b| {
            b.iter(|| {
                for _ in 0..DRAWS {
                    black_box(alias.sample(&mut rng));
                }
            })
        });
    }
    group.finish();
}

fn bench_reservoir(c: &mut Criterion) {
    let mut group = c.benchmark_group("reservoir_100m");
    // Each iteration takes up to seconds: ten flat samples of one or a few iterations.
    group.sample_size(10).sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(STREAM));
    let mut rng = seeded_rng(3);
    group.bench_function("algorithm_r", |b| {
        b.iter(|| black_box(reservoir_r(0..STREAM, K, &mut rng)))
    });
    group.bench_function("algorithm_l_push", |b| {
        b.iter(|| {
            let mut reservoir = ReservoirL::new(K).expect("k >= 1");
            for item in 0..STREAM {
                reservoir.push(black_box(item), &mut rng);
            }
            black_box(reservoir.into_sample())
        })
    });
    group.bench_function("algorithm_l_nth_skip", |b| {
        b.iter(|| black_box(reservoir_l(0..STREAM, K, &mut rng)))
    });
    group.finish();
}

criterion_group!(benches, bench_weighted, bench_reservoir);
criterion_main!(benches);
