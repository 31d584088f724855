//! Deterministic hashing of (salt, unit id) to a bucket in [0, 1).
//!
//! Four schemes: a fast default (XXH3-64, seeded by the XXH3 of the salt) and three that
//! reproduce existing tools bit for bit so that users can migrate without reshuffling units:
//! GrowthBook's v1 and v2 bucketing (32-bit FNV-1a) and PlanOut's SHA-1 hashing.

use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};
use twox_hash::XxHash3_64;

/// How (salt, unit) is turned into a bucket in [0, 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HashScheme {
    /// XXH3-64 (Collet, xxHash) of the unit seeded by XXH3-64 of the salt; top 53 bits / 2^53.
    #[default]
    Fast,
    /// GrowthBook hash version 1: `fnv1a32(unit + salt) % 1000 / 1000`.
    #[serde(rename = "growthbook-v1")]
    GrowthBookV1,
    /// GrowthBook hash version 2: `fnv1a32(decimal(fnv1a32(salt + unit))) % 10000 / 10000`.
    #[serde(rename = "growthbook-v2")]
    GrowthBookV2,
    /// PlanOut (Bakshy et al. 2014): SHA-1 of `"salt.unit"`, first 15 hex digits as an integer
    /// divided by 0xFFFFFFFFFFFFFFF. PlanOut's salt is `"experiment_salt.parameter_salt"`.
    #[serde(rename = "planout")]
    PlanOut,
}

impl HashScheme {
    /// All schemes, in documentation order.
    pub const ALL: [HashScheme; 4] = [
        HashScheme::Fast,
        HashScheme::GrowthBookV1,
        HashScheme::GrowthBookV2,
        HashScheme::PlanOut,
    ];

    /// The kebab-case name used on the command line and in spec files.
    pub fn name(self) -> &'static str {
        match self {
            HashScheme::Fast => "fast",
            HashScheme::GrowthBookV1 => "growthbook-v1",
            HashScheme::GrowthBookV2 => "growthbook-v2",
            HashScheme::PlanOut => "planout",
        }
    }

    /// Parses a scheme from its kebab-case name.
    pub fn from_name(name: &str) -> Option<HashScheme> {
        HashScheme::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The bucket of `unit` under `salt`, in [0, 1) (PlanOut's can reach 1.0 with probability
    /// 2^-54, as in PlanOut itself).
    pub fn bucket(self, salt: &str, unit: &str) -> f64 {
        self.salted(salt).bucket(unit)
    }

    /// Precomputes the salt-dependent part of the hash for hashing many units.
    pub fn salted(self, salt: &str) -> SaltedHash {
        let state = match self {
            HashScheme::Fast => State::Fast(XxHash3_64::oneshot(salt.as_bytes())),
            HashScheme::GrowthBookV1 => State::GrowthBookV1(salt.to_string()),
            HashScheme::GrowthBookV2 => State::GrowthBookV2(fnv1a32_update(FNV_OFFSET_BASIS, salt)),
            HashScheme::PlanOut => {
                let mut prefix = Sha1::new();
                prefix.update(salt.as_bytes());
                prefix.update(b".");
                State::PlanOut(Box::new(prefix))
            }
        };
        SaltedHash {
            scheme: self,
            state,
        }
    }
}

impl std::fmt::Display for HashScheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A hash scheme with its salt folded in: hashes units without re-reading the salt.
#[derive(Debug, Clone)]
pub struct SaltedHash {
    scheme: HashScheme,
    state: State,
}

#[derive(Debug, Clone)]
enum State {
    Fast(u64),
    GrowthBookV1(String),
    GrowthBookV2(u32),
    PlanOut(Box<Sha1>),
}

/// 2^-53: maps the top 53 bits of a 64-bit hash onto [0, 1) exactly.
const TWO_POW_MINUS_53: f64 = 1.0 / 9_007_199_254_740_992.0;
/// PlanOut's LONG_SCALE, 0xFFFFFFFFFFFFFFF (15 hex digits).
const PLANOUT_LONG_SCALE: u64 = 0xFFF_FFFF_FFFF_FFFF;

impl SaltedHash {
    /// The scheme this hash uses.
    pub fn scheme(&self) -> HashScheme {
        self.scheme
    }

    /// The bucket of `unit`, as [`HashScheme::bucket`] gives it.
    pub fn bucket(&self, unit: &str) -> f64 {
        match &self.state {
            State::Fast(seed) => {
                let h = XxHash3_64::oneshot_with_seed(*seed, unit.as_bytes());
                (h >> 11) as f64 * TWO_POW_MINUS_53
            }
            State::GrowthBookV1(salt) => {
                let h = fnv1a32_update(fnv1a32_update(FNV_OFFSET_BASIS, unit), salt);
                f64::from(h % 1000) / 1000.0
            }
            State::GrowthBookV2(salted) => {
                let inner = fnv1a32_update(*salted, unit);
                let mut digits = [0u8; 10];
                let h = fnv1a32_bytes(FNV_OFFSET_BASIS, decimal(inner, &mut digits));
                f64::from(h % 10000) / 10000.0
            }
            State::PlanOut(prefix) => {
                // Python divides a float-converted int by float(LONG_SCALE); so does this.
                planout_digest(prefix, unit) as f64 / PLANOUT_LONG_SCALE as f64
            }
        }
    }
}

/// The first 15 hex digits of SHA-1(prefix ‖ unit), i.e. the digest's top 60 bits.
fn planout_digest(prefix: &Sha1, unit: &str) -> u64 {
    let mut hasher = prefix.clone();
    hasher.update(unit.as_bytes());
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first) >> 4
}

/// PlanOut's integer hash (`PlanOutOpRandom.getHash`): the first 15 hex digits of
/// SHA-1(`"salt.unit"`), where PlanOut's salt is `"experiment_salt.parameter_salt"`.
/// `UniformChoice` picks `choices[hash % len(choices)]`.
pub fn planout_hash(salt: &str, unit: &str) -> u64 {
    let mut prefix = Sha1::new();
    prefix.update(salt.as_bytes());
    prefix.update(b".");
    planout_digest(&prefix, unit)
}

const FNV_OFFSET_BASIS: u32 = 0x811c_9dc5;
const FNV_PRIME: u32 = 0x0100_0193;

/// 32-bit FNV-1a (Fowler, Noll, Vo) continued from `state` over `bytes`.
fn fnv1a32_bytes(state: u32, bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .fold(state, |h, &b| (h ^ u32::from(b)).wrapping_mul(FNV_PRIME))
}

/// FNV-1a continued over the UTF-16 code units of `text`, as GrowthBook's SDKs hash strings
/// (JavaScript's `charCodeAt`); for ASCII text these are its bytes.
fn fnv1a32_update(state: u32, text: &str) -> u32 {
    if text.is_ascii() {
        fnv1a32_bytes(state, text.as_bytes())
    } else {
        text.encode_utf16()
            .fold(state, |h, u| (h ^ u32::from(u)).wrapping_mul(FNV_PRIME))
    }
}

/// 32-bit FNV-1a of `text` over its UTF-16 code units (GrowthBook's `fnv1a32`).
pub fn fnv1a32(text: &str) -> u32 {
    fnv1a32_update(FNV_OFFSET_BASIS, text)
}

/// Decimal digits of `n` written into the end of `buf`, returned as a slice.
fn decimal(mut n: u32, buf: &mut [u8; 10]) -> &[u8] {
    let mut start = buf.len();
    loop {
        start -= 1;
        buf[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &buf[start..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_renders_extremes() {
        let mut buf = [0u8; 10];
        assert_eq!(decimal(0, &mut buf), b"0");
        assert_eq!(decimal(u32::MAX, &mut buf), b"4294967295");
        assert_eq!(decimal(1000, &mut buf), b"1000");
    }

    #[test]
    fn fnv_matches_known_values() {
        // Published FNV-1a 32-bit test values (Fowler/Noll/Vo test suite).
        assert_eq!(fnv1a32(""), 0x811c9dc5);
        assert_eq!(fnv1a32("a"), 0xe40c292c);
        assert_eq!(fnv1a32("foobar"), 0xbf9cf968);
    }

    #[test]
    fn names_round_trip() {
        for s in HashScheme::ALL {
            assert_eq!(HashScheme::from_name(s.name()), Some(s));
        }
        assert_eq!(HashScheme::from_name("md5"), None);
    }
}
