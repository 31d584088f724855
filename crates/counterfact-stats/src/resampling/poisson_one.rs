//! Poisson(1) draws by inversion, one random byte per draw in the common case.

use super::Bits;

/// Largest weight drawn: P(W > 20) < 2⁻⁶⁴, below the resolution of the 64-bit uniforms the
/// inversion works with.
pub(crate) const MAX_WEIGHT: usize = 20;

const AMBIGUOUS: u8 = u8::MAX;

/// Inversion of the Poisson(1) distribution function on a 64-bit uniform `u`: W = #{k : u ≥ T_k}
/// with T_k = 2⁶⁴ · P(W ≤ k) (to double precision). The top byte of `u` alone settles W except in
/// the few byte buckets a threshold cuts (about 5%), where the remaining 56 bits are drawn.
pub(crate) struct PoissonOne {
    thresholds: [u64; MAX_WEIGHT + 1],
    by_top_byte: [u8; 256],
}

impl PoissonOne {
    /// The sampler's tables.
    pub(crate) fn new() -> Self {
        let mut thresholds = [u64::MAX; MAX_WEIGHT + 1];
        let mut pmf = (-1.0f64).exp();
        let mut cdf = 0.0;
        for (k, slot) in thresholds.iter_mut().enumerate() {
            cdf += pmf;
            pmf /= (k + 1) as f64;
            // `as` saturates at u64::MAX once the CDF rounds to 1.
            *slot = (cdf * 18_446_744_073_709_551_616.0) as u64;
        }
        let weight = |u: u64| thresholds.iter().filter(|&&t| u >= t).count() as u8;
        let mut by_top_byte = [AMBIGUOUS; 256];
        for (b, slot) in by_top_byte.iter_mut().enumerate() {
            let lo = (b as u64) << 56;
            if weight(lo) == weight(lo | ((1u64 << 56) - 1)) {
                *slot = weight(lo);
            }
        }
        PoissonOne {
            thresholds,
            by_top_byte,
        }
    }

    /// The weight whose uniform has top byte `byte`; draws the lower 56 bits from `rng` only
    /// when the byte does not settle it.
    #[inline]
    pub(crate) fn weight(&self, byte: u8, rng: &mut Bits) -> u8 {
        match self.by_top_byte[byte as usize] {
            AMBIGUOUS => self.weight_of(((byte as u64) << 56) | (rng.next_u64() >> 8)),
            w => w,
        }
    }

    fn weight_of(&self, u: u64) -> u8 {
        self.thresholds.iter().filter(|&&t| u >= t).count() as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resampling::item_rng;

    #[test]
    fn table_agrees_with_thresholds_and_pmf() {
        let p = PoissonOne::new();
        assert!(p.thresholds.windows(2).all(|w| w[0] <= w[1]));
        let share0 = p.thresholds[0] as f64 / 18_446_744_073_709_551_616.0;
        assert!((share0 - (-1.0f64).exp()).abs() < 1e-15);
        let ambiguous = p.by_top_byte.iter().filter(|&&w| w == AMBIGUOUS).count();
        assert!(ambiguous <= 16, "{ambiguous}");
        for b in 0..=255u8 {
            if p.by_top_byte[b as usize] != AMBIGUOUS {
                let lo = (b as u64) << 56;
                assert_eq!(
                    p.by_top_byte[b as usize],
                    p.weight_of(lo | 0x00AB_CDEF_0123_4567)
                );
            }
        }
        let mut rng = item_rng(3, 0, 0, 0);
        let mut bytes = [0u8; 1024];
        let mut counts = [0u64; MAX_WEIGHT + 1];
        let draws = 400 * 1024;
        for _ in 0..400 {
            rng.bytes(&mut bytes);
            for &b in &bytes {
                counts[p.weight(b, &mut rng) as usize] += 1;
            }
        }
        let e1 = (-1.0f64).exp();
        for (k, want) in [e1, e1, e1 / 2.0, e1 / 6.0].iter().enumerate() {
            let got = counts[k] as f64 / draws as f64;
            let sd = (want * (1.0 - want) / draws as f64).sqrt();
            assert!((got - want).abs() < 5.0 * sd, "k = {k}: {got} vs {want}");
        }
    }
}
