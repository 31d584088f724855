"""Reference values for the normal, gamma, chi-square and Poisson distributions and the shared
special functions (ln_gamma, erfc, erfcx), computed with mpmath at 50 significant digits.

Each case is {"dist", "params", "fn", "x", "want"}. Evaluation points are exact doubles (mpmath
receives the double itself), so the references are the exact functions at those inputs rounded
once. Quantiles are solved by Newton's method in mpmath on ln F(x) = ln p (or ln S(x) = ln q) to
1e-40 relative, started from scipy's estimate; only the starting point comes from scipy.
"""

import math
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import mpmath  # noqa: E402
import scipy.special as sc  # noqa: E402
from mpmath import mp, mpf  # noqa: E402
from scipy import stats  # noqa: E402

from common import write  # noqa: E402

mp.dps = 50

LOWER_P = [1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 0.01, 0.3, 0.5, 0.7, 0.99]
UPPER_Q = [1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 0.01, 0.3]
TINY = 2.2250738585072014e-308  # smallest normal double

cases = []


def add(dist, params, fn, x, want):
    want = float(want) if not isinstance(want, float) else want
    cases.append({"dist": dist, "params": params, "fn": fn, "x": x, "want": want})


# ---------------------------------------------------------------- special functions
for x in [1e-300, 1e-10, 0.01, 0.1, 0.5, 0.9, 0.999, 1 - 2**-30, 1.0, 1 + 2**-30, 1.001, 1.5,
          1.999, 2.0, 2 + 2**-32, 2.001, 2.5, 3.7, 7.25, 9.99, 10.0, 15.5, 100.5, 1234.5, 1e7,
          3.3e9, 1e15, 1e100, 1e300, -0.5, -2.5, -10.3]:
    add("special", [], "ln_gamma", x, mpmath.log(abs(mpmath.gamma(mpf(x)))))
for x in [-0.5, -0.2, -1e-6, 1e-12, 1e-6, 0.2, 0.5]:
    add("special", [], "lgamma1p", x, mpmath.loggamma(1 + mpf(x)))
for x in [-0.9, -0.5, -0.1, -1e-4, 1e-9, 1e-4, 0.3, 0.5, 0.7, 3.0, 1e3]:
    add("special", [], "log1pmx", x, mpmath.log1p(mpf(x)) - mpf(x))
for x in [0.5, 1.0, 3.0, 6.5, 7.5, 12.25, 15.0, 15.5, 100.25, 1e6 + 0.5, 1e12]:
    xm = mpf(x)
    add("special", [], "stirlerr", x,
        mpmath.loggamma(xm + 1) - (xm + mpf(1) / 2) * mpmath.log(xm) + xm - mpmath.log(mpmath.sqrt(2 * mpmath.pi)))
for x, m in [(10.0, 10.0), (10.0, 10.5), (1e6, 1e6 + 3.0), (5.0, 50.0), (50.0, 5.0), (1e7, 9.99e6),
             (0.5, 3.0), (1e-3, 2.0)]:
    xm, mm = mpf(x), mpf(m)
    add("special", [m], "bd0", x, xm * mpmath.log(xm / mm) + mm - xm)
for x in [-5.0, -1.0, -0.3, -1e-5, 0.0, 1e-8, 0.1, 0.46875, 0.5, 1.0, 2.0, 3.9, 4.0, 4.1, 6.0,
          10.0, 15.0, 20.0, 26.0, 26.5]:
    add("special", [], "erfc", x, mpmath.erfc(mpf(x)))
for x in [-26.0, -10.0, -3.0, -0.5, 0.0, 0.3, 1.0, 4.0, 5.0, 30.0, 1e3, 1e6, 1e8, 1e12]:
    add("special", [], "erfcx", x, mpmath.exp(mpf(x) ** 2) * mpmath.erfc(mpf(x)))


# ---------------------------------------------------------------- normal
def ncdf(x):
    return mpmath.ncdf(x)


def normal_solve(ln_target, upper, start):
    """x with ln Φ(x) = ln_target (lower) or ln Φ(−x) = ln_target (upper), by Newton."""
    x = mpf(start)
    for _ in range(100):
        tail = ncdf(-x) if upper else ncdf(x)
        dens = mpmath.npdf(x)
        step = (mpmath.log(tail) - ln_target) / (dens / tail) * (-1 if upper else 1)
        x -= step
        if abs(step) < mpf(10) ** -40 * max(1, abs(x)):
            return x
    raise RuntimeError("normal quantile did not converge")


for mean, sd in [(0.0, 1.0), (3.0, 2.0)]:
    for z in [-38.0, -37.5, -30.0, -20.0, -10.0, -5.0, -2.0, -1.0, -0.5, -1e-3, 0.0, 0.3, 1.0,
              2.5, 5.0, 8.25, 10.0, 20.0, 37.0]:
        x = mean + sd * z  # exact for these (mean, sd)
        m = (mpf(x) - mean) / sd
        add("normal", [mean, sd], "pdf", x, mpmath.npdf(m) / sd)
        add("normal", [mean, sd], "cdf", x, ncdf(m))
        add("normal", [mean, sd], "sf", x, ncdf(-m))
    for p in LOWER_P:
        z = normal_solve(mpmath.log(p), False, sc.ndtri(p))
        add("normal", [mean, sd], "quantile", p, mean + sd * z)
    for q in UPPER_Q:
        z = normal_solve(mpmath.log(q), True, -sc.ndtri(q))
        add("normal", [mean, sd], "isf", q, mean + sd * z)
for z in [-40.0, -100.0, -1e3, -1e5]:
    add("normal", [0.0, 1.0], "ln_cdf", z, mpmath.log(ncdf(z)))
    add("normal", [0.0, 1.0], "ln_sf", -z, mpmath.log(ncdf(z)))
for z in [0.5, 5.0, 10.0, 30.0]:
    add("normal", [0.0, 1.0], "ln_cdf", z, mpmath.log1p(-ncdf(-z)))
    add("normal", [0.0, 1.0], "ln_sf", -z, mpmath.log1p(-ncdf(-z)))


# ---------------------------------------------------------------- incomplete gamma
def reg_q(a, x):
    return mpmath.gammainc(a, x, mpmath.inf, regularized=True)


def reg_p(a, x):
    try:
        return mpmath.gammainc(a, 0, x, regularized=True)
    except mpmath.libmp.NoConvergence:
        # mpmath's lower series gives up for huge a. Below the mean, sum the power series
        # P = x^a e^{-x}/Γ(a+1) · Σ x^n/((a+1)…(a+n)) directly at 60 digits; above it P ≥ ½
        # and 1 − Q at 60 digits is exact to far more than double precision.
        with mp.workdps(60):
            if x < a:
                total, term, n = mpf(1), mpf(1), 0
                eps = mpf(10) ** -62
                while term > eps * total:
                    n += 1
                    term *= x / (a + n)
                    total += term
                lead = mpmath.exp(a * mpmath.log(x) - x - mpmath.loggamma(a + 1))
                return lead * total
            q = reg_q(a, x)
            assert q < 0.6, (a, x, q)
            return 1 - q


def gamma_ln_pdf(a, x):
    return (a - 1) * mpmath.log(x) - x - mpmath.loggamma(a)


def gamma_solve(a, ln_target, upper, start):
    """y with ln P(a, y) = ln_target (or ln Q), by Newton in ln y."""
    u = mpmath.log(mpf(start))
    for _ in range(200):
        y = mpmath.exp(u)
        tail = reg_q(a, y) if upper else reg_p(a, y)
        h = mpmath.log(tail) - ln_target
        slope = y * mpmath.exp(gamma_ln_pdf(a, y)) / tail
        step = h / slope * (-1 if upper else 1)
        # Damp wild first steps from a poor start.
        step = max(min(step, 5), -5)
        u -= step
        if abs(step) < mpf(10) ** -40:
            return mpmath.exp(u)
    raise RuntimeError(f"gamma quantile did not converge: a={a}")


def gamma_start(a, p, upper):
    s = sc.gammainccinv(a, p) if upper else sc.gammaincinv(a, p)
    if not (s > 0 and math.isfinite(s)):
        # Power-law lower tail P ≈ y^a/Γ(a+1), or the exponential upper tail.
        lp = math.log(p)
        s = math.exp((lp + math.lgamma(a + 1)) / a) if not upper else a - lp
    return max(s, 1e-300)


def gamma_cases(dist, params, a, scale):
    """Quantile/isf references and cdf/sf/pdf at the (rounded) quantiles."""
    points = set()
    for upper, probs in [(False, LOWER_P), (True, UPPER_Q)]:
        for p in probs:
            ln_p = mpmath.log(p)
            start = gamma_start(a, p, upper)
            if not upper and (ln_p + mpmath.loggamma(a + 1)) / a < math.log(1e-290):
                continue  # quantile below the normal double range
            y = gamma_solve(mpf(a), ln_p, upper, start)
            x = y * scale
            add(dist, params, "isf" if upper else "quantile", p, x)
            xf = float(x)
            if xf >= TINY:
                points.add(xf)
    for xf in sorted(points):
        y = mpf(xf) / scale
        q = reg_q(mpf(a), y)
        p = reg_p(mpf(a), y)
        add(dist, params, "cdf", xf, p)
        add(dist, params, "sf", xf, q)
        # ln of a probability near 1 must come from the small complementary tail.
        add(dist, params, "ln_cdf", xf, mpmath.log1p(-q) if q < 0.5 else mpmath.log(p))
        add(dist, params, "ln_sf", xf, mpmath.log1p(-p) if p < 0.5 else mpmath.log(q))
        add(dist, params, "pdf", xf, mpmath.exp(gamma_ln_pdf(mpf(a), y)) / scale)


for a in [0.01, 0.1, 0.5, 1.0, 2.5, 10.0, 100.0, 1e3, 1e5, 1e7]:
    gamma_cases("gamma", [a, 1.0], a, 1)
# Beyond the tested 1e7: upper-tail points only (mpmath's lower series does not converge there).
for a in [1e9]:
    for q in UPPER_Q:
        y = gamma_solve(mpf(a), mpmath.log(q), True, gamma_start(a, q, True))
        add("gamma", [a, 1.0], "isf", q, y)
        yf = float(y)
        qq = reg_q(mpf(a), mpf(yf))
        add("gamma", [a, 1.0], "sf", yf, qq)
        add("gamma", [a, 1.0], "ln_sf", yf, mpmath.log(qq))
gamma_cases("gamma", [3.5, 2.0], 3.5, 2)
gamma_cases("gamma", [40.0, 0.25], 40.0, mpf("0.25"))
for df in [0.02, 1.0, 2.0, 3.0, 10.0, 100.0, 1e4, 1e7]:
    gamma_cases("chi2", [df], df / 2, 2)
# The far upper tail where the survival function is subnormal or below the double range.
for df, x in [(1.0, 1400.0), (1.0, 1450.0), (2.0, 1460.0), (10.0, 1500.0), (1.0, 5000.0),
              (100.0, 3000.0)]:
    q = reg_q(mpf(df) / 2, mpf(x) / 2)
    add("chi2", [df], "ln_sf", x, mpmath.log(q))
    add("chi2", [df], "sf", x, q)


# ---------------------------------------------------------------- Poisson
def pois_cdf(k, lam):
    return reg_q(mpf(k) + 1, mpf(lam))


def pois_sf(k, lam):
    return reg_p(mpf(k) + 1, mpf(lam))


def pois_quantile(p, lam):
    """Smallest k with cdf(k) ≥ p, or None if cdf(k) is too close to p to decide in doubles."""
    k = int(stats.poisson.ppf(p, lam))
    k = max(k, 0)

    def reaches(k):
        return pois_cdf(k, lam) >= p

    while k > 0 and reaches(k - 1):
        k -= 1
    while not reaches(k):
        k += 1
    for j in (k - 1, k):
        if j >= 0:
            c = pois_cdf(j, lam) if p <= 0.5 else 1 - pois_cdf(j, lam)
            target = p if p <= 0.5 else 1 - mpf(p)
            if abs(c - target) <= abs(target) * mpf("1e-10"):
                return None
    return k


for lam in [0.01, 0.5, 3.0, 30.0, 1000.0, 1e5, 1e7]:
    ks = {0}
    for p in LOWER_P + [1 - q for q in (1e-10, 1e-5, 0.01)]:
        k = pois_quantile(p, lam)
        if k is None:
            continue
        add("poisson", [lam], "quantile", p, float(k))
        ks.add(k)
        if k > 0:
            ks.add(k - 1)
    for q in UPPER_Q:
        k = stats.poisson.isf(q, lam)
        if math.isfinite(k):
            ks.add(int(k))
    for k in sorted(ks):
        ln_pmf = k * mpmath.log(lam) - lam - mpmath.loggamma(k + 1)
        add("poisson", [lam], "ln_pmf", float(k), ln_pmf)
        add("poisson", [lam], "pmf", float(k), mpmath.exp(ln_pmf))
        c, sf = pois_cdf(k, lam), pois_sf(k, lam)
        add("poisson", [lam], "cdf", float(k), c)
        add("poisson", [lam], "sf", float(k), sf)
        add("poisson", [lam], "ln_cdf", float(k), mpmath.log1p(-sf) if sf < 0.5 else mpmath.log(c))
        add("poisson", [lam], "ln_sf", float(k), mpmath.log1p(-c) if c < 0.5 else mpmath.log(sf))

write("dist_a", "mpmath (mp.dps = 50); scipy only for Newton starting points", cases)
