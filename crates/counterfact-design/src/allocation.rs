//! Weighted variant allocation: weights and coverage → bucket ranges, as GrowthBook's
//! `getBucketRanges` and `chooseVariation` define them, and ramps that only add treated units.

use serde::{Deserialize, Serialize};

use crate::error::{DesignError, Result};

/// A half-open range [lo, hi) of the hash space [0, 1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BucketRange {
    /// Inclusive start.
    pub lo: f64,
    /// Exclusive end.
    pub hi: f64,
}

impl BucketRange {
    /// True when `bucket` lies in [lo, hi).
    pub fn contains(&self, bucket: f64) -> bool {
        self.lo <= bucket && bucket < self.hi
    }

    /// Width of the range.
    pub fn width(&self) -> f64 {
        self.hi - self.lo
    }
}

/// Variant weights checked and laid out as contiguous bucket ranges.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Allocation {
    weights: Vec<f64>,
    coverage: f64,
    ranges: Vec<BucketRange>,
}

/// Weights within this distance of a unit total are used as given, so that the ranges are
/// bit-identical to GrowthBook's; others are divided by their total.
const UNIT_TOTAL_TOLERANCE: f64 = 1e-9;

impl Allocation {
    /// Allocation of `weights` (non-negative, positive finite total; normalized) with a share
    /// `coverage` in [0, 1] of each variant's range taken in, as GrowthBook's `getBucketRanges`:
    /// variant i gets [c_i, c_i + coverage · w_i) where c_i is the cumulative weight before it.
    pub fn new(weights: &[f64], coverage: f64) -> Result<Allocation> {
        let weights = normalized_weights(weights)?;
        if !(0.0..=1.0).contains(&coverage) {
            return Err(DesignError::invalid(
                "coverage",
                coverage,
                "must lie in [0, 1]",
            ));
        }
        let mut cumulative = 0.0;
        let ranges = weights
            .iter()
            .map(|&w| {
                let lo = cumulative;
                cumulative += w;
                BucketRange {
                    lo,
                    hi: lo + coverage * w,
                }
            })
            .collect();
        Ok(Allocation {
            weights,
            coverage,
            ranges,
        })
    }

    /// Equal weights over `variants` variants, GrowthBook's `getEqualWeights`.
    pub fn equal(variants: usize, coverage: f64) -> Result<Allocation> {
        if variants == 0 {
            return Err(DesignError::InvalidWeights {
                weights: Vec::new(),
                reason: "an experiment needs at least one variant".to_string(),
            });
        }
        let w = 1.0 / variants as f64;
        Allocation::new(&vec![w; variants], coverage)
    }

    /// The normalized weights.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// The coverage.
    pub fn coverage(&self) -> f64 {
        self.coverage
    }

    /// The bucket range of each variant.
    pub fn ranges(&self) -> &[BucketRange] {
        &self.ranges
    }

    /// The variant whose range holds `bucket` (GrowthBook's `chooseVariation`), or `None` when
    /// the bucket falls outside the coverage. A bucket of exactly 1.0 (possible under PlanOut's
    /// scaling) counts as the largest bucket below 1.
    pub fn choose(&self, bucket: f64) -> Option<usize> {
        let bucket = if bucket >= 1.0 {
            LARGEST_BELOW_ONE
        } else {
            bucket
        };
        self.ranges.iter().position(|r| r.contains(bucket))
    }
}

const LARGEST_BELOW_ONE: f64 = 1.0 - f64::EPSILON / 2.0;

/// Checks weights and scales them to a unit total (kept as given when already within 1e-9).
pub fn normalized_weights(weights: &[f64]) -> Result<Vec<f64>> {
    let fail = |reason: &str| DesignError::InvalidWeights {
        weights: weights.to_vec(),
        reason: reason.to_string(),
    };
    if weights.is_empty() {
        return Err(fail("an experiment needs at least one variant"));
    }
    if let Some(i) = weights.iter().position(|w| !w.is_finite()) {
        return Err(fail(&format!("weight {i} is not finite")));
    }
    if let Some(i) = weights.iter().position(|&w| w < 0.0) {
        return Err(fail(&format!("weight {i} is negative")));
    }
    let total: f64 = weights.iter().sum();
    if !(total > 0.0 && total.is_finite()) {
        return Err(fail("the weights must sum to a positive, finite total"));
    }
    if (total - 1.0).abs() <= UNIT_TOTAL_TOLERANCE {
        Ok(weights.to_vec())
    } else {
        Ok(weights.iter().map(|w| w / total).collect())
    }
}

/// Control/treatment weights `[1 − share, share]` of a ramp. Laid out by [`Allocation::new`],
/// treatment is the top range [1 − share, 1), so raising the share only adds units to
/// treatment: every unit treated at a smaller share stays treated.
pub fn ramp_weights(treatment_share: f64) -> Result<[f64; 2]> {
    if !(0.0..=1.0).contains(&treatment_share) {
        return Err(DesignError::invalid(
            "treatment share",
            treatment_share,
            "must lie in [0, 1]",
        ));
    }
    Ok([1.0 - treatment_share, treatment_share])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(a: &Allocation) -> Vec<(f64, f64)> {
        a.ranges().iter().map(|r| (r.lo, r.hi)).collect()
    }

    #[test]
    fn matches_growthbook_bucket_range_cases() {
        // GrowthBook SDK conformance cases (cases.json, "getBucketRange").
        let a = Allocation::equal(2, 1.0).unwrap();
        assert_eq!(pairs(&a), vec![(0.0, 0.5), (0.5, 1.0)]);
        let a = Allocation::equal(2, 0.5).unwrap();
        assert_eq!(pairs(&a), vec![(0.0, 0.25), (0.5, 0.75)]);
        let a = Allocation::equal(4, 1.0).unwrap();
        assert_eq!(
            pairs(&a),
            vec![(0.0, 0.25), (0.25, 0.5), (0.5, 0.75), (0.75, 1.0)]
        );
        let a = Allocation::new(&[0.4, 0.6], 1.0).unwrap();
        assert_eq!(pairs(&a), vec![(0.0, 0.4), (0.4, 1.0)]);
        let a = Allocation::new(&[0.2, 0.3, 0.5], 0.2).unwrap();
        let want = [(0.0, 0.04), (0.2, 0.26), (0.5, 0.6)];
        for (got, want) in pairs(&a).iter().zip(want) {
            assert!((got.0 - want.0).abs() < 1e-12 && (got.1 - want.1).abs() < 1e-12);
        }
    }

    #[test]
    fn rejects_bad_weights() {
        assert!(Allocation::new(&[], 1.0).is_err());
        assert!(Allocation::new(&[0.0, 0.0], 1.0).is_err());
        assert!(Allocation::new(&[1.0, -1.0], 1.0).is_err());
        assert!(Allocation::new(&[1.0, f64::NAN], 1.0).is_err());
        assert!(Allocation::new(&[f64::MAX, f64::MAX], 1.0).is_err());
        assert!(Allocation::new(&[1.0], 1.5).is_err());
        assert!(Allocation::new(&[1.0], f64::NAN).is_err());
        let e = Allocation::new(&[0.0, 0.0], 1.0).unwrap_err().to_string();
        assert!(e.contains("positive"), "{e}");
    }

    #[test]
    fn normalizes_other_totals() {
        let a = Allocation::new(&[50.0, 50.0], 1.0).unwrap();
        assert_eq!(a.weights(), &[0.5, 0.5]);
        assert_eq!(a.choose(0.75), Some(1));
        assert_eq!(a.choose(1.0), Some(1));
    }

    #[test]
    fn ramp_treatment_is_top_range() {
        let w = ramp_weights(0.1).unwrap();
        let a = Allocation::new(&w, 1.0).unwrap();
        assert_eq!(a.choose(0.95), Some(1));
        assert_eq!(a.choose(0.5), Some(0));
        assert!(ramp_weights(1.5).is_err());
        let full = Allocation::new(&ramp_weights(1.0).unwrap(), 1.0).unwrap();
        assert_eq!(full.choose(0.0), Some(1));
    }
}
