//! Null distributions of Kolmogorov-Smirnov statistics: exact two-sample lattice-path
//! probabilities, and the one-sample Kolmogorov and Smirnov distributions that scipy's asymptotic
//! two-sample test evaluates at the effective size n·m/(n + m).

use statrs::function::gamma::ln_gamma;

const E128: i32 = 128;
const P128: f64 = 3.402_823_669_209_385e38; // 2^128
const M128: f64 = 2.938_735_877_055_719e-39; // 2^-128

/// P(D ≥ h/n) for two samples of equal size n (two-sided), by the alternating reflection sum of
/// Gnedenko & Korolyuk (1951), evaluated in nested (Horner) form to avoid cancellation.
pub fn two_sided_equal(n: u64, h: u64) -> f64 {
    let mut p = 0.0;
    let mut k = (n / h) as i64;
    let (n, h) = (n as f64, h as i64);
    while k >= 0 {
        let mut p1 = 1.0;
        let kh = (k * h) as f64;
        for j in 0..h {
            let j = j as f64;
            p1 = (n - kh - j) * p1 / (n + kh + j + 1.0);
        }
        p = p1 * (1.0 - p);
        k -= 1;
    }
    2.0 * p
}

/// P(D+ ≥ h/n) for two samples of equal size n: C(2n, n − h)/C(2n, n) as a product of ratios.
pub fn one_sided_equal(n: u64, h: u64) -> f64 {
    let n = n as f64;
    (0..h)
        .map(|j| (n - j as f64) / (n + j as f64 + 1.0))
        .product()
}

/// Probability that a uniformly random lattice path from (0, 0) to (n1, n2) reaches the boundary
/// n2·i − n1·j ≥ h·g (one-sided) or |n2·i − n1·j| ≥ h·g (two-sided), i.e. P(D ≥ h/lcm).
///
/// A forward recurrence over path prefixes (Hodges 1958): each cell carries the probability of
/// arriving there without having touched the boundary, and steps into the boundary add to the
/// answer. Only positive terms are summed, so tiny p-values keep their relative precision.
pub fn lattice_exit_probability(n1: u64, n2: u64, g: u64, h: u64, two_sided: bool) -> f64 {
    let (m, n) = (n1 as i64, n2 as i64);
    let bound = (h * g) as i64;
    let outside = |i: i64, j: i64| {
        let v = n * i - m * j;
        v >= bound || (two_sided && -v >= bound)
    };
    let width = n as usize + 1;
    let mut cur = vec![0.0f64; width];
    let mut next = vec![0.0f64; width];
    cur[0] = 1.0;
    let mut exit = 0.0;
    for i in 0..=m {
        // Cells of row i inside the band: n·i − m·j < bound and (two-sided) m·j − n·i < bound.
        let j_lo = if n * i - bound < 0 {
            0
        } else {
            (n * i - bound) / m + 1
        };
        let j_hi = if two_sided {
            ((n * i + bound - 1) / m).min(n)
        } else {
            n
        };
        for v in next.iter_mut() {
            *v = 0.0;
        }
        for j in j_lo.max(0)..=j_hi {
            let w = cur[j as usize];
            if w == 0.0 {
                continue;
            }
            let left = (m - i + n - j) as f64;
            if left == 0.0 {
                continue;
            }
            if i < m {
                let p = w * (m - i) as f64 / left;
                if outside(i + 1, j) {
                    exit += p;
                } else {
                    next[j as usize] += p;
                }
            }
            if j < n {
                let p = w * (n - j) as f64 / left;
                if outside(i, j + 1) {
                    exit += p;
                } else {
                    cur[j as usize + 1] += p;
                }
            }
        }
        std::mem::swap(&mut cur, &mut next);
    }
    exit
}

/// ln C(n, k).
fn ln_binom(n: f64, k: f64) -> f64 {
    ln_gamma(n + 1.0) - ln_gamma(k + 1.0) - ln_gamma(n - k + 1.0)
}

/// Whether C(n1 + n2, n1) is finite in f64 (scipy abandons the one-sided exact path otherwise).
pub fn binom_is_finite(n1: u64, n2: u64) -> bool {
    ln_binom((n1 + n2) as f64, n1 as f64) < f64::MAX.ln()
}

/// Smirnov's one-sided one-sample distribution P(D+_n ≥ x) by the exact Birnbaum-Tingey (1951)
/// sum, each term in log space.
pub fn smirnov_sf(n: u64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    if x >= 1.0 {
        return 0.0;
    }
    let nf = n as f64;
    let jmax = (nf * (1.0 - x)).floor() as u64;
    let mut sum = 0.0;
    let mut ln_c = 0.0; // ln C(n, j)
    for j in 0..=jmax.min(n) {
        if j > 0 {
            ln_c += ((n - j + 1) as f64).ln() - (j as f64).ln();
        }
        let jf = j as f64;
        let rest = ((nf - jf) - nf * x) / nf;
        if rest <= 0.0 {
            break;
        }
        let a = x + jf / nf;
        let ln_term = ln_c + (jf - 1.0) * a.ln() + (nf - jf) * rest.ln();
        sum += ln_term.exp();
    }
    (x * sum).clamp(0.0, 1.0)
}

/// ln(n!/n^n) by Stirling's series with n·ln n removed up front.
fn ln_factorial_over_power(n: f64) -> f64 {
    const C: [f64; 8] = [
        -2.955_065_359_477_124e-2,
        6.410_256_410_256_41e-3,
        -1.917_526_917_526_917_5e-3,
        8.417_508_417_508_417e-4,
        -5.952_380_952_380_952e-4,
        7.936_507_936_507_937e-4,
        -2.777_777_777_777_778e-3,
        8.333_333_333_333_333e-2,
    ];
    let rn = 1.0 / n;
    let r2 = rn / n;
    let poly = C.iter().fold(0.0, |acc, &c| acc * r2 + c);
    n.ln() / 2.0 - n + (2.0 * std::f64::consts::PI).ln() / 2.0 + rn * poly
}

fn matmul(a: &[f64], b: &[f64], m: usize) -> Vec<f64> {
    let mut c = vec![0.0; m * m];
    for i in 0..m {
        for k in 0..m {
            let aik = a[i * m + k];
            if aik == 0.0 {
                continue;
            }
            for j in 0..m {
                c[i * m + j] += aik * b[k * m + j];
            }
        }
    }
    c
}

/// Kolmogorov's CDF P(D_n ≤ d) by the Durbin matrix method of Marsaglia, Tsang & Wang (2003).
fn kolmogorov_cdf_durbin(n: u64, d: f64) -> f64 {
    let nd = n as f64 * d;
    if d >= 1.0 {
        return 1.0;
    }
    if nd <= 0.5 {
        return 0.0;
    }
    let k = nd.ceil() as usize;
    let h = k as f64 - nd;
    let m = 2 * k - 1;
    let mut v: Vec<f64> = (1..=m).map(|j| 1.0 - h.powi(j as i32)).collect();
    let mut w = vec![0.0; m];
    let mut fac = 1.0;
    for j in 1..=m {
        w[j - 1] = fac;
        fac /= j as f64;
        v[j - 1] *= fac;
    }
    let tt = (2.0 * h - 1.0).max(0.0).powi(m as i32) - 2.0 * h.powi(m as i32);
    v[m - 1] = (1.0 + tt) * fac;
    let mut hm = vec![0.0; m * m];
    for i in 1..m {
        for r in (i - 1)..m {
            hm[r * m + i] = w[r + 1 - i];
        }
    }
    for r in 0..m {
        hm[r * m] = v[r];
    }
    for c in 0..m {
        hm[(m - 1) * m + c] = v[m - 1 - c];
    }
    let mut pw = vec![0.0; m * m];
    for i in 0..m {
        pw[i * m + i] = 1.0;
    }
    let mut nn = n;
    let mut expnt: i32 = 0;
    let mut h_expnt: i32 = 0;
    while nn > 0 {
        if nn % 2 == 1 {
            pw = matmul(&pw, &hm, m);
            expnt += h_expnt;
        }
        hm = matmul(&hm, &hm, m);
        h_expnt *= 2;
        if hm[(k - 1) * m + k - 1].abs() > P128 {
            for v in hm.iter_mut() {
                *v /= P128;
            }
            h_expnt += E128;
        }
        nn /= 2;
    }
    let mut p = pw[(k - 1) * m + k - 1];
    let nf = n as f64;
    for i in 1..=n {
        p = i as f64 * p / nf;
        if p.abs() < M128 {
            p *= P128;
            expnt -= E128;
        }
    }
    p * 2f64.powi(expnt)
}

/// Pelz & Good's (1976) asymptotic series for Kolmogorov's CDF P(D_n ≤ x).
fn kolmogorov_cdf_pelz_good(n: u64, x: f64) -> f64 {
    use std::f64::consts::PI;
    let pi2 = PI * PI;
    let pi4 = pi2 * pi2;
    let pi6 = pi4 * pi2;
    let sqrt2pi = (2.0 * PI).sqrt();
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let nf = n as f64;
    let z = nf.sqrt() * x;
    let (z2, z3, z4, z6) = (z * z, z * z * z, z.powi(4), z.powi(6));
    let qlog = -pi2 / 8.0 / z2;
    if qlog < -708.0 {
        return 0.0;
    }
    let q = qlog.exp();
    let k1a = -z2;
    let k1b = pi2 / 4.0;
    let k2a = 6.0 * z6 + 2.0 * z4;
    let k2b = (2.0 * z4 - 5.0 * z2) * pi2 / 4.0;
    let k2c = pi4 * (1.0 - 2.0 * z2) / 16.0;
    let k3d = pi6 * (5.0 - 30.0 * z2) / 64.0;
    let k3c = pi4 * (-60.0 * z2 + 212.0 * z4) / 16.0;
    let k3b = pi2 * (135.0 * z4 - 96.0 * z6) / 4.0;
    let k3a = -30.0 * z6 - 90.0 * z.powi(8);
    let mut kk = [0.0f64; 4];
    let maxk = (16.0 * z / PI).ceil() as i64;
    for k in (1..=maxk).rev() {
        let m = (2 * k - 1) as f64;
        let (m2, m4, m6) = (m * m, m.powi(4), m.powi(6));
        let qpower = q.powf(8.0 * k as f64);
        let coeffs = [
            1.0,
            k1a + k1b * m2,
            k2a + k2b * m2 + k2c * m4,
            k3a + k3b * m2 + k3c * m4 + k3d * m6,
        ];
        for (a, c) in kk.iter_mut().zip(coeffs) {
            *a = *a * qpower + c;
        }
    }
    let denom = [z, 6.0 * z4, 72.0 * z.powi(7), 6480.0 * z.powi(10)];
    for (a, d) in kk.iter_mut().zip(denom) {
        *a = *a * q * sqrt2pi / d;
    }
    let q2 = (-pi2 / 2.0 / z2).exp();
    let sqrt3z = 3f64.sqrt() * z;
    let (mut k2extra, mut k3extra) = (0.0, 0.0);
    for k in (1..=maxk).rev() {
        let kf = k as f64;
        let k2 = kf * kf;
        let qp = q2.powf(k2);
        let kpi = PI * kf;
        k2extra += k2 * qp;
        k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qp;
    }
    kk[2] += k2extra * pi2 * sqrt2pi / (-36.0 * z3);
    kk[3] += k3extra * pi2 * sqrt2pi / (216.0 * z6);
    for (i, a) in kk.iter_mut().enumerate() {
        *a /= nf.powf(i as f64 / 2.0);
    }
    kk.iter().sum()
}

/// Kolmogorov's two-sided one-sample distribution P(D_n ≥ x), choosing among exact and
/// asymptotic evaluations by region as Simard & L'Ecuyer (2011) recommend (scipy's kstwo.sf).
pub fn kolmogorov_sf(n: u64, x: f64) -> f64 {
    let clip = |p: f64| p.clamp(0.0, 1.0);
    if x >= 1.0 {
        return 0.0;
    }
    if x <= 0.0 {
        return 1.0;
    }
    let nf = n as f64;
    let t = nf * x;
    if t <= 1.0 {
        // Ruben & Gambino (1982): exact for 1/(2n) ≤ x ≤ 1/n.
        if t <= 0.5 {
            return 1.0;
        }
        let cdf = if n <= 140 {
            (1..=n)
                .map(|i| i as f64 * (1.0 / nf) * (2.0 * t - 1.0))
                .product()
        } else {
            (ln_factorial_over_power(nf) + nf * (2.0 * t - 1.0).ln()).exp()
        };
        return clip(1.0 - cdf);
    }
    if t >= nf - 1.0 {
        return clip(2.0 * (1.0 - x).powf(nf));
    }
    if x >= 0.5 {
        return clip(2.0 * smirnov_sf(n, x));
    }
    let nx2 = t * x;
    if n <= 140 {
        if nx2 <= 4.0 {
            return clip(1.0 - kolmogorov_cdf_durbin(n, x));
        }
        return clip(2.0 * smirnov_sf(n, x));
    }
    if nx2 >= 370.0 {
        return 0.0;
    }
    if nx2 >= 2.2 {
        return clip(2.0 * smirnov_sf(n, x));
    }
    let cdf = if n <= 100_000 && nf * x.powf(1.5) <= 1.4 {
        kolmogorov_cdf_durbin(n, x)
    } else {
        kolmogorov_cdf_pelz_good(n, x)
    };
    clip(1.0 - cdf)
}
