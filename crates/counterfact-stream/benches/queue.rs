//! List vs heap priority queue under the classic "hold" workload (Jones 1986): a queue of n
//! elements, each operation deleting the top and inserting a new element whose priority is the
//! deleted one minus a random increment. All n priorities start within one increment of each
//! other, so every new element lands at a uniformly random depth (a list walks ~n/2 nodes).

use counterfact_stream::{ArenaListQueue, HeapQueue, LinkedListQueue, PriorityQueue};
use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;

const SIZES: [usize; 13] = [
    10, 15, 20, 25, 30, 50, 100, 300, 1_000, 3_000, 10_000, 30_000, 100_000,
];
const INCREMENT: i64 = 1 << 32;
const OPS_PER_ITER: usize = 64;

fn fill<Q: PriorityQueue<u64, i64>>(queue: &mut Q, n: usize, rng: &mut ChaCha8Rng) {
    // Ascending order puts every insert at the head: an O(n) fill even for the lists.
    let mut priorities: Vec<i64> = (0..n).map(|_| rng.random_range(0..INCREMENT)).collect();
    priorities.sort_unstable();
    for (i, priority) in priorities.into_iter().enumerate() {
        queue.insert(i as u64, priority);
    }
}

fn hold<Q: PriorityQueue<u64, i64>>(queue: &mut Q, increments: &[i64], cursor: &mut usize) {
    for _ in 0..OPS_PER_ITER {
        if let Some((element, priority)) = queue.delete_entry() {
            *cursor = (*cursor + 1) % increments.len();
            queue.insert(element, priority - increments[*cursor]);
        }
    }
    black_box(queue.peek());
}

fn bench_queues(c: &mut Criterion) {
    let mut group = c.benchmark_group("queue_hold");
    group.throughput(Throughput::Elements(OPS_PER_ITER as u64));
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let increments: Vec<i64> = (0..4096).map(|_| rng.random_range(0..INCREMENT)).collect();
    for &n in &SIZES {
        if n >= 10_000 {
            // Lists take milliseconds per iteration here: few flat samples keep runs short.
            group.sample_size(10).sampling_mode(SamplingMode::Flat);
        }
        let mut cursor = 0;
        let mut arena = ArenaListQueue::with_capacity(n);
        fill(&mut arena, n, &mut ChaCha8Rng::seed_from_u64(n as u64));
        group.bench_function(BenchmarkId::new("arena_list", n), |b| {
            b.iter(|| hold(&mut arena, &increments, &mut cursor))
        });
        let mut boxed = LinkedListQueue::new();
        fill(&mut boxed, n, &mut ChaCha8Rng::seed_from_u64(n as u64));
        group.bench_function(BenchmarkId::new("boxed_list", n), |b| {
            b.iter(|| hold(&mut boxed, &increments, &mut cursor))
        });
        let mut heap = HeapQueue::with_capacity(n);
        fill(&mut heap, n, &mut ChaCha8Rng::seed_from_u64(n as u64));
        group.bench_function(BenchmarkId::new("heap", n), |b| {
            b.iter(|| hold(&mut heap, &increments, &mut cursor))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_queues);
criterion_main!(benches);
