//! Layers (namespaces) and holdouts.
//!
//! A layer hashes every unit into [0, 1) with its own salt; the experiments of a layer claim
//! disjoint ranges of that space, so a unit is in at most one experiment per layer (mutually
//! exclusive), while distinct layers use distinct salts, so membership in one layer's
//! experiments is independent of another's (orthogonal). A holdout hashes units with its own salt
//! and keeps the share [0, share) out of every experiment; growing the share only adds units.

use crate::allocation::BucketRange;
use crate::error::{DesignError, Result};
use crate::hash::{HashScheme, SaltedHash};

/// The hash a layer uses: GrowthBook's namespaces (`inNamespace`: v1 hash with seed
/// `"__" + name`) under the GrowthBook schemes, the design's own scheme otherwise.
pub fn layer_hash(scheme: HashScheme, salt: &str) -> SaltedHash {
    match scheme {
        HashScheme::GrowthBookV1 | HashScheme::GrowthBookV2 => {
            HashScheme::GrowthBookV1.salted(&format!("__{salt}"))
        }
        HashScheme::Fast | HashScheme::PlanOut => scheme.salted(salt),
    }
}

/// A layer: a salted hash and the ranges claimed by its experiments.
#[derive(Debug, Clone)]
pub struct Layer {
    name: String,
    hash: SaltedHash,
    claims: Vec<(String, BucketRange)>,
}

impl Layer {
    /// A layer named `name` hashing with `salt`; `claims` are (experiment, range) pairs whose
    /// ranges must lie in [0, 1] and must not overlap.
    pub fn new(
        name: &str,
        scheme: HashScheme,
        salt: &str,
        claims: Vec<(String, BucketRange)>,
    ) -> Result<Layer> {
        for (experiment, r) in &claims {
            if !(r.lo.is_finite() && r.hi.is_finite() && 0.0 <= r.lo && r.lo <= r.hi && r.hi <= 1.0)
            {
                return Err(DesignError::invalid(
                    &format!("range of experiment '{experiment}' in layer '{name}'"),
                    format!("[{}, {}]", r.lo, r.hi),
                    "must satisfy 0 <= start <= end <= 1",
                ));
            }
        }
        let mut sorted: Vec<&(String, BucketRange)> =
            claims.iter().filter(|(_, r)| r.width() > 0.0).collect();
        sorted.sort_by(|a, b| a.1.lo.total_cmp(&b.1.lo));
        for pair in sorted.windows(2) {
            let (first, a) = pair[0];
            let (second, b) = pair[1];
            if b.lo < a.hi {
                return Err(DesignError::OverlappingRanges {
                    layer: name.to_string(),
                    first: first.clone(),
                    first_lo: a.lo,
                    first_hi: a.hi,
                    second: second.clone(),
                    second_lo: b.lo,
                    second_hi: b.hi,
                });
            }
        }
        Ok(Layer {
            name: name.to_string(),
            hash: layer_hash(scheme, salt),
            claims,
        })
    }

    /// The layer's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The layer bucket of `unit`.
    pub fn bucket(&self, unit: &str) -> f64 {
        self.hash.bucket(unit)
    }

    /// The index (in claim order) of the experiment whose range holds `unit`, if any.
    pub fn experiment_of(&self, unit: &str) -> Option<usize> {
        let b = self.bucket(unit);
        self.claims.iter().position(|(_, r)| r.contains(b))
    }
}

/// A holdout group: units whose bucket under the holdout salt is below `share`.
#[derive(Debug, Clone)]
pub struct Holdout {
    hash: SaltedHash,
    share: f64,
}

impl Holdout {
    /// Holds out the share `share` in [0, 1] of units, hashed with `salt`.
    pub fn new(scheme: HashScheme, salt: &str, share: f64) -> Result<Holdout> {
        if !(0.0..=1.0).contains(&share) {
            return Err(DesignError::invalid(
                "holdout share",
                share,
                "must lie in [0, 1]",
            ));
        }
        Ok(Holdout {
            hash: scheme.salted(salt),
            share,
        })
    }

    /// True when `unit` is held out.
    pub fn holds_out(&self, unit: &str) -> bool {
        self.hash.bucket(unit) < self.share
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(name: &str, lo: f64, hi: f64) -> (String, BucketRange) {
        (name.to_string(), BucketRange { lo, hi })
    }

    #[test]
    fn overlapping_ranges_are_rejected() {
        let err = Layer::new(
            "checkout",
            HashScheme::Fast,
            "checkout",
            vec![claim("a", 0.0, 0.5), claim("b", 0.4, 0.9)],
        )
        .unwrap_err();
        assert!(matches!(err, DesignError::OverlappingRanges { .. }));
        assert!(err.to_string().contains("'a'") && err.to_string().contains("'b'"));
        assert!(
            Layer::new(
                "l",
                HashScheme::Fast,
                "l",
                vec![
                    claim("a", 0.0, 0.5),
                    claim("b", 0.5, 1.0),
                    claim("c", 0.3, 0.3)
                ]
            )
            .is_ok()
        );
        assert!(Layer::new("l", HashScheme::Fast, "l", vec![claim("a", 0.5, 0.2)]).is_err());
        assert!(Layer::new("l", HashScheme::Fast, "l", vec![claim("a", 0.0, 1.5)]).is_err());
    }

    #[test]
    fn experiments_in_a_layer_are_exclusive() {
        let layer = Layer::new(
            "l",
            HashScheme::Fast,
            "l",
            vec![claim("a", 0.0, 0.3), claim("b", 0.3, 0.8)],
        )
        .unwrap();
        let mut counts = [0usize; 3];
        for i in 0..30_000 {
            match layer.experiment_of(&format!("u{i}")) {
                Some(k) => counts[k] += 1,
                None => counts[2] += 1,
            }
        }
        for (got, want) in counts.iter().zip([0.3, 0.5, 0.2]) {
            let share = *got as f64 / 30_000.0;
            assert!((share - want).abs() < 0.015, "{counts:?}");
        }
    }

    #[test]
    fn holdout_share_checked() {
        assert!(Holdout::new(HashScheme::Fast, "h", 1.2).is_err());
        let h = Holdout::new(HashScheme::Fast, "h", 0.0).unwrap();
        assert!(!h.holds_out("u"));
        let h = Holdout::new(HashScheme::Fast, "h", 1.0).unwrap();
        assert!(h.holds_out("u"));
    }
}
