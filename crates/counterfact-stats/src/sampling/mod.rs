//! Random sampling primitives for telemetry pipelines, all seeded and deterministic.
//!
//! - [`reservoir`]: uniform reservoir sampling over unbounded streams (size 1 in O(1) memory,
//!   size k by Algorithm R and the skip-based Algorithm L) and weighted reservoir sampling
//!   (Efraimidis–Spirakis A-Res and A-ExpJ).
//! - [`weighted`]: drawing keys by weight, by binary search on cumulative weights (O(log n) per
//!   draw) or by Vose's alias method (O(n) build, O(1) per draw).
//!
//! Every sampler takes any `R: rand::Rng`; [`seeded_rng`] gives the project's standard seeded
//! generator (ChaCha8), so the same seed gives the same sample on every platform.

pub mod reservoir;
pub mod weighted;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The project's seeded generator: ChaCha8 (Bernstein 2008) seeded from a `u64`.
///
/// ```
/// use counterfact_stats::sampling::seeded_rng;
/// use rand::RngExt;
/// let a: u64 = seeded_rng(7).random();
/// let b: u64 = seeded_rng(7).random();
/// assert_eq!(a, b);
/// ```
pub fn seeded_rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// A uniform draw in (0, 1]: safe to take the logarithm of.
fn open_unit<R: rand::Rng + ?Sized>(rng: &mut R) -> f64 {
    1.0 - rand::RngExt::random::<f64>(rng)
}
