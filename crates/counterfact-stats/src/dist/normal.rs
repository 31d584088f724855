//! Normal distribution: Φ via Cody's erfcx with an exactly split exponent, quantile via Wichura's
//! AS 241 (PPND16).

use super::ContinuousDistribution;
use super::special::{LN_SQRT_2PI, erfc, erfcx};
use crate::error::{Result, check_finite_arg, check_positive_arg};

const FRAC_1_SQRT_2: f64 = std::f64::consts::FRAC_1_SQRT_2;
/// Below this z the lower tail is computed as ½ erfcx(−z/√2) e^{−z²/2}.
const TAIL_Z: f64 = -0.662_912_607_362_388_1; // −0.46875·√2

/// e^{−z²/2}, splitting z on a 1/16 grid so that the rounding of z² costs no relative precision.
fn exp_neg_half_sq(z: f64) -> f64 {
    let zh = (z * 16.0).trunc() / 16.0;
    let del = (z - zh) * (z + zh);
    (-0.5 * zh * zh).exp() * (-0.5 * del).exp()
}

/// Standard normal CDF Φ(z) to a few ulps in relative terms, down to the underflow threshold
/// (Cody 1969 rational approximations).
pub fn std_normal_cdf(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    if z < TAIL_Z {
        if z < -38.5 {
            return if z < -40.0 {
                0.0
            } else {
                std_normal_ln_cdf(z).exp()
            };
        }
        return 0.5 * erfcx(-z * FRAC_1_SQRT_2) * exp_neg_half_sq(z);
    }
    if z <= -TAIL_Z {
        return 0.5 * erfc(-z * FRAC_1_SQRT_2);
    }
    1.0 - std_normal_cdf(-z)
}

/// ln Φ(z), finite for every finite z (no underflow in the far lower tail).
pub fn std_normal_ln_cdf(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    if z == f64::NEG_INFINITY {
        return f64::NEG_INFINITY;
    }
    if z < TAIL_Z {
        return (0.5 * erfcx(-z * FRAC_1_SQRT_2)).ln() - 0.5 * z * z;
    }
    if z <= 0.0 {
        return std_normal_cdf(z).ln();
    }
    // Φ(z) is within rounding of 1 here; the information is in Φ(−z).
    (-std_normal_cdf(-z)).ln_1p()
}

/// Standard normal quantile Φ⁻¹(p): Wichura (1988), Algorithm AS 241 (PPND16), relative accuracy
/// about 1e-16; Φ⁻¹(0) = −inf, Φ⁻¹(1) = +inf, NaN outside [0, 1].
pub fn std_normal_quantile(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q * poly(&PPND_A, r) / poly(&PPND_B, r);
    }
    // Tail: the smaller of p and 1 − p (exact for p > ½).
    let tail = if q < 0.0 { p } else { 1.0 - p };
    let z = tail_deviate(tail);
    if q < 0.0 { -z } else { z }
}

/// The positive z with Φ(−z) = tail, for tail ≤ 0.075 (AS 241's two tail approximations).
fn tail_deviate(tail: f64) -> f64 {
    let r = (-tail.ln()).sqrt();
    if r <= 5.0 {
        let r = r - 1.6;
        poly(&PPND_C, r) / poly(&PPND_D, r)
    } else {
        let r = r - 5.0;
        poly(&PPND_E, r) / poly(&PPND_F, r)
    }
}

/// Horner evaluation of Σ c_i r^i.
fn poly(c: &[f64; 8], r: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, &ci| acc * r + ci)
}

const PPND_A: [f64; 8] = [
    3.387_132_872_796_366_6,
    133.141_667_891_784_38,
    1_971.590_950_306_551_4,
    13_731.693_765_509_46,
    45_921.953_931_549_87,
    67_265.770_927_008_7,
    33_430.575_583_588_13,
    2_509.080_928_730_122_7,
];
const PPND_B: [f64; 8] = [
    1.0,
    42.313_330_701_600_91,
    687.187_007_492_057_9,
    5_394.196_021_424_751,
    21_213.794_301_586_597,
    39_307.895_800_092_71,
    28_729.085_735_721_943,
    5_226.495_278_852_854,
];
const PPND_C: [f64; 8] = [
    1.423_437_110_749_683_6,
    4.630_337_846_156_545,
    5.769_497_221_460_691,
    3.647_848_324_763_204_6,
    1.270_458_252_452_368_4,
    0.241_780_725_177_450_6,
    0.022_723_844_989_269_184,
    7.745_450_142_783_414e-4,
];
const PPND_D: [f64; 8] = [
    1.0,
    2.053_191_626_637_759,
    1.676_384_830_183_803_8,
    0.689_767_334_985_1,
    0.148_103_976_427_480_07,
    0.015_198_666_563_616_457,
    5.475_938_084_995_345e-4,
    1.050_750_071_644_416_8e-9,
];
const PPND_E: [f64; 8] = [
    6.657_904_643_501_103,
    5.463_784_911_164_114,
    1.784_826_539_917_291_3,
    0.296_560_571_828_504_9,
    0.026_532_189_526_576_124,
    0.001_242_660_947_388_078_4,
    2.711_555_568_743_487_6e-5,
    2.010_334_399_292_288_1e-7,
];
const PPND_F: [f64; 8] = [
    1.0,
    0.599_832_206_555_888,
    0.136_929_880_922_735_8,
    0.014_875_361_290_850_615,
    7.868_691_311_456_133e-4,
    1.846_318_317_510_054_8e-5,
    1.421_511_758_316_446e-7,
    2.044_263_103_389_939_8e-15,
];

/// Normal distribution N(mean, sd²).
#[derive(Debug, Clone, Copy)]
pub struct Normal {
    mean: f64,
    sd: f64,
}

impl Normal {
    /// N(mean, sd²); `sd` must be positive.
    pub fn new(mean: f64, sd: f64) -> Result<Self> {
        check_finite_arg("mean", mean)?;
        check_positive_arg("sd", sd)?;
        Ok(Normal { mean, sd })
    }

    /// The standard normal N(0, 1).
    pub fn standard() -> Self {
        Normal { mean: 0.0, sd: 1.0 }
    }

    /// The mean.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// The standard deviation.
    pub fn sd(&self) -> f64 {
        self.sd
    }

    fn z(&self, x: f64) -> f64 {
        (x - self.mean) / self.sd
    }
}

impl ContinuousDistribution for Normal {
    fn pdf(&self, x: f64) -> f64 {
        let z = self.z(x);
        if z.is_nan() {
            return f64::NAN;
        }
        if z.is_infinite() {
            return 0.0;
        }
        exp_neg_half_sq(z) / (self.sd * std::f64::consts::TAU.sqrt())
    }
    fn cdf(&self, x: f64) -> f64 {
        std_normal_cdf(self.z(x))
    }
    fn sf(&self, x: f64) -> f64 {
        std_normal_cdf(-self.z(x))
    }
    fn quantile(&self, p: f64) -> f64 {
        self.mean + self.sd * std_normal_quantile(p)
    }
    fn isf(&self, q: f64) -> f64 {
        self.mean - self.sd * std_normal_quantile(q)
    }
    fn ln_pdf(&self, x: f64) -> f64 {
        let z = self.z(x);
        -0.5 * z * z - LN_SQRT_2PI - self.sd.ln()
    }
    fn ln_cdf(&self, x: f64) -> f64 {
        std_normal_ln_cdf(self.z(x))
    }
    fn ln_sf(&self, x: f64) -> f64 {
        std_normal_ln_cdf(-self.z(x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges() {
        let n = Normal::standard();
        assert_eq!(n.cdf(f64::NEG_INFINITY), 0.0);
        assert_eq!(n.cdf(f64::INFINITY), 1.0);
        assert_eq!(n.sf(f64::INFINITY), 0.0);
        assert!(n.cdf(f64::NAN).is_nan());
        assert_eq!(n.quantile(0.0), f64::NEG_INFINITY);
        assert_eq!(n.quantile(1.0), f64::INFINITY);
        assert_eq!(n.isf(0.0), f64::INFINITY);
        assert!(n.quantile(f64::NAN).is_nan());
        assert!(n.quantile(-0.1).is_nan());
        assert_eq!(n.quantile(0.5), 0.0);
        assert_eq!(n.ln_cdf(f64::NEG_INFINITY), f64::NEG_INFINITY);
        assert!(Normal::new(0.0, 0.0).is_err());
        assert!(Normal::new(f64::NAN, 1.0).is_err());
    }

    #[test]
    fn far_tail_is_subnormal_not_zero() {
        let n = Normal::standard();
        let p = n.cdf(-38.0);
        assert!(p > 0.0 && p < 1e-300);
        assert!((n.ln_cdf(-100.0) - (-5_005.524_208_694_205)).abs() < 1e-10);
    }
}
