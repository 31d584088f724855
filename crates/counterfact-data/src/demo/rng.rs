//! Counter-keyed random streams: every random quantity of a member is drawn from a stream
//! keyed by (member key, purpose, index), so the same draw is reused under every variant
//! (common random numbers) and no draw depends on thread scheduling or on how many draws
//! another purpose consumed.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Members per ChaCha8 block stream; member keys are drawn sequentially within a block.
pub(crate) const BLOCK: u64 = 4096;

/// What a stream is used for (the `purpose` part of the key).
#[derive(Clone, Copy)]
pub(crate) enum Purpose {
    Attributes = 1,
    Assignment = 2,
    Exposure = 3,
    Subscription = 4,
    Day = 5,
    Session = 6,
}

/// The 64-bit keys of the members of block `block` (ChaCha8, `set_stream(block)`).
pub(crate) fn block_keys(seed: u64, block: u64, count: usize) -> Vec<u64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(block);
    (0..count).map(|_| rng.next_u64()).collect()
}

/// SplitMix64's finaliser (Steele, Lea and Flood 2014): a bijective 64-bit mixer.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A SplitMix64 sequence started at a state derived from (key, purpose, index).
pub(crate) struct Stream {
    state: u64,
}

impl Stream {
    pub(crate) fn new(key: u64, purpose: Purpose, index: u64) -> Self {
        let salt = mix64((purpose as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ mix64(index));
        Self {
            state: mix64(key ^ salt),
        }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix64(self.state)
    }

    /// Uniform on [0, 1) with 53 random bits.
    pub(crate) fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform on (0, 1): safe for logarithms and negative powers.
    pub(crate) fn open_uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal by Box–Muller (always two uniforms, so draw counts stay fixed).
    pub(crate) fn normal(&mut self) -> f64 {
        let u1 = self.open_uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Exponential with the given mean.
    pub(crate) fn exponential(&mut self, mean: f64) -> f64 {
        -self.open_uniform().ln() * mean
    }
}

/// Poisson(λ) by inversion of one uniform, capped at `cap`: monotone in λ for a fixed `u`,
/// so a higher rate under treatment never removes an event present under control.
pub(crate) fn poisson_inverse(u: f64, lambda: f64, cap: u32) -> u32 {
    let mut p = (-lambda).exp();
    let mut cdf = p;
    let mut k = 0;
    while u >= cdf && k < cap {
        k += 1;
        p *= lambda / f64::from(k);
        cdf += p;
    }
    k
}
