//! Same seed, same bytes: the demo files do not depend on the thread count.

use std::path::{Path, PathBuf};

use counterfact_data::demo::{DemoConfig, generate};

fn run(threads: usize, name: &str, config: &DemoConfig) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("counterfact-demo-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    pool.install(|| generate(config, &dir, &|_, _| {}))
        .expect("demo");
    dir
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

#[test]
fn same_seed_gives_identical_bytes_on_any_thread_count() {
    let config = DemoConfig {
        members: 20_000,
        seed: 99,
        srm_bug: false,
    };
    let one = run(1, "det-1", &config);
    let three = run(3, "det-3", &config);
    let (a, b) = (files(&one), files(&three));
    assert_eq!(a.len(), b.len());
    assert!(a.len() >= 12, "several part files");
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(
            x.strip_prefix(&one).expect("prefix"),
            y.strip_prefix(&three).expect("prefix")
        );
        let (bx, by) = (
            std::fs::read(x).expect("read"),
            std::fs::read(y).expect("read"),
        );
        assert!(bx == by, "{} differs between 1 and 3 threads", x.display());
    }
    let other = run(
        2,
        "det-seed",
        &DemoConfig {
            seed: 100,
            ..config
        },
    );
    let viewing = |d: &Path| std::fs::read(d.join("viewing/part-00000.parquet")).expect("read");
    assert_ne!(
        viewing(&one),
        viewing(&other),
        "another seed gives other data"
    );
    for d in [one, three, other] {
        std::fs::remove_dir_all(d).expect("cleanup");
    }
}
