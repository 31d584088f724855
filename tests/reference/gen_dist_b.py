"""Reference values for StudentT, FisherF, Beta, Binomial and Hypergeometric (tests/data/dist_b.json).

Everything is computed with mpmath at 50 significant digits, independently of the Rust code:
- the regularized incomplete beta I_x(a, b) by the classical continued fraction (A&S 26.5.8,
  evaluated by Lentz's method at 50 digits, on the side x < (a+1)/(a+b+2), with the prefactor
  from mpmath's loggamma); mpmath.betainc itself stalls for shapes near 1e7. The fraction is
  cross-checked against mpmath.betainc for moderate shapes before anything is written;
- quantiles by a bracketing root finder on ln I in log-x (or log-(1 - x)) space at 50 digits;
- binomial and hypergeometric cdf/sf by exact summation of the pmf from the nearer tail, pmf by
  mpmath's loggamma; discrete quantiles are the smallest k with cdf(k) >= p, verified at k - 1
  and k.
Each input is the double the Rust test passes (mpf of a float is exact). "cond" is the condition
number of a continuous cdf/sf/pdf value with respect to its argument (|x F'(x)/F(x)| for cdf and
sf, |x f'(x)/f(x)| for pdf), which bounds how well any double-precision evaluation can do; the
test scales its tolerance by it.
"""

import math
import os
import sys

import mpmath as mp
import scipy.stats as st

sys.path.insert(0, os.path.dirname(__file__))
from common import write  # noqa: E402

mp.mp.dps = 50
PS = [1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 0.01, 0.3, 0.5, 0.7, 0.99]
ONE = mp.mpf(1)


def ln_beta(a, b):
    return mp.loggamma(a) + mp.loggamma(b) - mp.loggamma(a + b)


def cf_tail(a, b, x):
    """ln I_x(a, b) for x < (a+1)/(a+b+2) by the classical continued fraction."""
    tiny = mp.mpf(10) ** -400
    eps = mp.mpf(10) ** -48
    ln_k = a * mp.log(x) + b * mp.log1p(-x) - ln_beta(a, b)
    c = ONE
    d = 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    m = 1
    while True:
        for num in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                    -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1 + num * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + num / c
            c = c if abs(c) > tiny else tiny
            h *= c * d
        if abs(c * d - 1) < eps:
            break
        m += 1
        if m > 10**6:
            raise RuntimeError(f"continued fraction did not converge: {a} {b} {x}")
    return ln_k + mp.log(h) - mp.log(a)


def ln1mexp(lt):
    """ln(1 - e^lt) without losing a tiny e^lt to the 50-digit rounding of 1 - e^lt."""
    return mp.log(-mp.expm1(lt)) if lt > -1 else mp.log1p(-mp.exp(lt))


def ibeta(a, b, x, y=None):
    """(ln I, ln(1 - I)) at x, with y = 1 - x given separately when known exactly."""
    a, b, x = mp.mpf(a), mp.mpf(b), mp.mpf(x)
    y = 1 - x if y is None else mp.mpf(y)
    if x <= 0:
        return -mp.inf, mp.mpf(0)
    if y <= 0:
        return mp.mpf(0), -mp.inf
    if x < (a + 1) / (a + b + 2):
        lt = cf_tail(a, b, x)
        return lt, ln1mexp(lt)
    lt = cf_tail(b, a, y)
    return ln1mexp(lt), lt


def beta_logpdf(a, b, x, y):
    return (a - 1) * mp.log(x) + (b - 1) * mp.log(y) - ln_beta(a, b)


def solve(f, lo, hi):
    """Root of the increasing function f on [lo, hi]: bisection to a narrow bracket, then
    mpmath's Anderson-Bjorck bracketing solver to 50 digits."""
    flo, fhi = f(lo), f(hi)
    assert flo <= 0 <= fhi, (lo, hi, flo, fhi)
    for _ in range(30):
        if hi - lo < 1e-3 * max(1, abs(lo)):
            break
        mid = (lo + hi) / 2
        if f(mid) < 0:
            lo = mid
        else:
            hi = mid
    return mp.findroot(f, (lo, hi), solver="anderson", tol=mp.mpf(10) ** -44, maxsteps=200)


def beta_inverse(a, b, p, upper):
    """(x, y) with I_x(a,b) = p (or 1 - I_x = p when upper), p an mpf in (0, 1)."""
    a, b = mp.mpf(a), mp.mpf(b)
    lp = mp.log(p)
    lo_half, up_half = ibeta(a, b, mp.mpf("0.5"))
    g_half = up_half if upper else lo_half
    use_x = (lp > g_half) if upper else (lp < g_half)
    sign = -1 if upper else 1

    def g(v):
        z = mp.exp(v)
        tails = ibeta(a, b, z, 1 - z) if use_x else ibeta(a, b, 1 - z, z)
        val = tails[1] if upper else tails[0]
        s = sign if use_x else -sign
        return s * (val - lp)

    hi = mp.log(mp.mpf("0.5"))
    step = mp.mpf(1)
    lo = hi - step
    while g(lo) > 0:
        step *= 2
        lo = hi - step
        if step > 1e7:
            return (mp.mpf(0), ONE) if use_x else (ONE, mp.mpf(0))
    v = solve(g, lo, hi)
    z = mp.exp(v)
    return (z, 1 - z) if use_x else (1 - z, z)


def f(v):
    """A Python float of an mpf (inf beyond the double range, 0 below it)."""
    return float(v)


cases = []


def add(dist, params, fn, x, want, cond=None):
    case = {"dist": dist, "params": params, "fn": fn, "x": x, "want": f(want)}
    if cond is not None:
        case["cond"] = f(cond)
    cases.append(case)


# ---------------------------------------------------------------- continuous, via I_x(a, b)


def beta_point_cases(a, b, x):
    x = mp.mpf(x)
    if not 0 < x < 1:
        return
    lt, ut = ibeta(a, b, x)
    lpdf = beta_logpdf(mp.mpf(a), mp.mpf(b), x, 1 - x)
    add("beta", [a, b], "cdf", f(x), mp.exp(lt), x * mp.exp(lpdf - lt))
    add("beta", [a, b], "sf", f(x), mp.exp(ut), x * mp.exp(lpdf - ut))
    am, bm = mp.mpf(a), mp.mpf(b)
    add("beta", [a, b], "pdf", f(x), mp.exp(lpdf), abs((am - 1) - (bm - 1) * x / (1 - x)))


def progress(*what):
    print(*what, len(cases), flush=True)


def beta_cases(a, b, ps, extra_x=()):
    progress("beta", a, b)
    xs = list(extra_x)
    for p in ps:
        for upper in (False, True):
            x, _ = beta_inverse(a, b, mp.mpf(p), upper)
            add("beta", [a, b], "isf" if upper else "quantile", p, x)
            xs.append(f(x))
    for x in sorted(set(xs)):
        beta_point_cases(a, b, x)


def t_tails(df, t):
    """(ln cdf, ln sf) of Student's t at the double t."""
    df, t = mp.mpf(df), mp.mpf(t)
    if t == 0:
        return mp.log(0.5), mp.log(0.5)
    lo, up = ibeta(df / 2, mp.mpf(0.5), df / (df + t * t), t * t / (df + t * t))
    small = lo - mp.log(2)
    big = mp.log1p(-mp.exp(lo) / 2)
    return (small, big) if t < 0 else (big, small)


def t_logpdf(df, t):
    df, t = mp.mpf(df), mp.mpf(t)
    return (-(df + 1) / 2 * mp.log1p(t * t / df) - mp.log(df) / 2
            - ln_beta(df / 2, mp.mpf(0.5)))


def t_quantile(df, p):
    """Quantile of Student's t at mpf p."""
    if p == mp.mpf("0.5"):
        return mp.mpf(0)
    tail = min(p, 1 - p)
    x, y = beta_inverse(mp.mpf(df) / 2, mp.mpf(0.5), 2 * tail, False)
    t = mp.sqrt(mp.mpf(df) * y / x) if x > 0 else mp.inf
    return -t if p < 0.5 else t


def t_cases(df, ps, extra_t=()):
    progress("t", df)
    ts = list(extra_t)
    for p in ps:
        q = t_quantile(df, mp.mpf(p))
        add("t", [df], "quantile", p, q)
        add("t", [df], "isf", p, -q)
        if mp.isfinite(q):
            ts.append(f(q))
    for t in sorted(set(ts)):
        if not math.isfinite(t):
            continue
        lc, ls = t_tails(df, t)
        lpdf = t_logpdf(df, t)
        add("t", [df], "cdf", t, mp.exp(lc), abs(t) * mp.exp(lpdf - lc))
        add("t", [df], "sf", t, mp.exp(ls), abs(t) * mp.exp(lpdf - ls))
        tm, dm = mp.mpf(t), mp.mpf(df)
        add("t", [df], "pdf", t, mp.exp(lpdf), (dm + 1) * tm * tm / (dm + tm * tm))


def f_tails(d1, d2, x):
    d1, d2, x = mp.mpf(d1), mp.mpf(d2), mp.mpf(x)
    return ibeta(d1 / 2, d2 / 2, d1 * x / (d1 * x + d2), d2 / (d1 * x + d2))


def f_logpdf(d1, d2, x):
    d1, d2, x = mp.mpf(d1), mp.mpf(d2), mp.mpf(x)
    return (d1 / 2 * mp.log(d1 * x / (d1 * x + d2)) + d2 / 2 * mp.log(d2 / (d1 * x + d2))
            - mp.log(x) - ln_beta(d1 / 2, d2 / 2))


def f_cases(d1, d2, ps):
    progress("f", d1, d2)
    xs = []
    for p in ps:
        for upper in (False, True):
            x, y = beta_inverse(mp.mpf(d1) / 2, mp.mpf(d2) / 2, mp.mpf(p), upper)
            v = mp.mpf(d2) * x / (mp.mpf(d1) * y) if y > 0 else mp.inf
            add("f", [d1, d2], "isf" if upper else "quantile", p, v)
            if mp.isfinite(v) and v > 0:
                xs.append(f(v))
    for x in sorted(set(xs)):
        if not (math.isfinite(x) and x > 0):
            continue
        lc, ls = f_tails(d1, d2, x)
        lpdf = f_logpdf(d1, d2, x)
        add("f", [d1, d2], "cdf", x, mp.exp(lc), x * mp.exp(lpdf - lc))
        add("f", [d1, d2], "sf", x, mp.exp(ls), x * mp.exp(lpdf - ls))
        a, b, xm = mp.mpf(d1), mp.mpf(d2), mp.mpf(x)
        add("f", [d1, d2], "pdf", x, mp.exp(lpdf), abs(a / 2 - 1 - (a + b) / 2 * a * xm / (a * xm + b)))


# ---------------------------------------------------------------- discrete, by summation


def binom_logpmf(n, p, k):
    n, k, p = mp.mpf(n), mp.mpf(k), mp.mpf(p)
    return (mp.loggamma(n + 1) - mp.loggamma(k + 1) - mp.loggamma(n - k + 1)
            + k * mp.log(p) + (n - k) * mp.log1p(-p))


def tail_sum(first, ratio, count):
    """Σ of count terms starting at exp(first), each the previous times ratio(i)."""
    term = mp.exp(first)
    total = term
    for i in range(1, count):
        term *= ratio(i)
        total += term
        if term < total * mp.mpf(10) ** -55:
            break
    return total


def binom_tails(n, p, k):
    """(cdf, sf) at k by summing from the nearer tail."""
    if k >= n:
        return ONE, mp.mpf(0)
    pm, qm = mp.mpf(p), 1 - mp.mpf(p)
    if k < n * p:
        # down from k: pmf(j-1)/pmf(j) = j q / ((n-j+1) p)
        cdf = tail_sum(binom_logpmf(n, p, k), lambda i: (k - i + 1) * qm / ((n - k + i) * pm), k + 1)
        return cdf, 1 - cdf
    # up from k+1: pmf(j+1)/pmf(j) = (n-j) p / ((j+1) q)
    sf = tail_sum(binom_logpmf(n, p, k + 1), lambda i: (n - k - i) * pm / ((k + i + 1) * qm), n - k)
    return 1 - sf, sf


def hyper_logpmf(big_n, big_k, n, k):
    def lc(a, b):
        return mp.loggamma(a + 1) - mp.loggamma(b + 1) - mp.loggamma(a - b + 1)

    return lc(big_k, k) + lc(big_n - big_k, n - k) - lc(big_n, n)


def hyper_tails(big_n, big_k, n, k):
    lo, hi = max(0, n + big_k - big_n), min(n, big_k)
    if k < lo:
        return mp.mpf(0), ONE
    if k >= hi:
        return ONE, mp.mpf(0)
    mean = mp.mpf(n) * big_k / big_n
    if k < mean:
        # pmf(j-1)/pmf(j) = j (N-K-n+j) / ((K-j+1)(n-j+1))
        def down(i):
            j = k - i + 1
            return mp.mpf(j) * (big_n - big_k - n + j) / ((big_k - j + 1) * (n - j + 1))

        cdf = tail_sum(hyper_logpmf(big_n, big_k, n, k), down, k - lo + 1)
        return cdf, 1 - cdf

    def up(i):
        j = k + i
        return mp.mpf(big_k - j) * (n - j) / ((j + 1) * (big_n - big_k - n + j + 1))

    sf = tail_sum(hyper_logpmf(big_n, big_k, n, k + 1), up, hi - k)
    return 1 - sf, sf


def discrete_quantile(tails, lo, hi, p, guess):
    """Smallest k in [lo, hi] with cdf(k) >= p, starting the search at guess."""
    p = mp.mpf(p)
    k = int(min(max(guess, lo), hi))
    while k < hi and tails(k)[0] < p:
        k += 1
    while k > lo and tails(k - 1)[0] >= p:
        k -= 1
    return k


def discrete_cases(name, params, tails, logpmf, lo, hi, ppf, ks):
    progress(name, *params)
    ks = set(ks)
    for p in PS:
        guess = ppf(p)
        guess = lo if not math.isfinite(guess) else int(guess)
        k = discrete_quantile(tails, lo, hi, p, guess)
        add(name, params, "quantile", p, mp.mpf(k))
        ks.update([k, max(lo, k - 1)])
    for k in sorted(ks):
        if not lo <= k <= hi:
            continue
        c, s = tails(k)
        add(name, params, "cdf", k, c)
        add(name, params, "sf", k, s)
        lp = logpmf(k)
        add(name, params, "ln_pmf", k, lp)
        add(name, params, "pmf", k, mp.exp(lp))


def binom_cases(n, p, extra_k=()):
    dist = st.binom(n, p)
    discrete_cases("binomial", [n, p], lambda k: binom_tails(n, p, k),
                   lambda k: binom_logpmf(n, p, k), 0, n, dist.ppf, list(extra_k) + [0, n])


def hyper_cases(big_n, big_k, n, extra_k=()):
    dist = st.hypergeom(big_n, big_k, n)
    lo, hi = max(0, n + big_k - big_n), min(n, big_k)
    discrete_cases("hypergeometric", [big_n, big_k, n], lambda k: hyper_tails(big_n, big_k, n, k),
                   lambda k: hyper_logpmf(big_n, big_k, n, k), lo, hi, dist.ppf,
                   list(extra_k) + [lo, hi])


def log_tail_cases():
    """ln cdf / ln sf far below the double range (the linear values underflow to 0)."""
    progress("log tails")
    for a, b, x in [(10, 10, 1e-60), (0.5, 3, 1e-200), (1e7, 1e7, 0.45), (2, 5, 1 - 2**-50)]:
        lt, ut = ibeta(a, b, x)
        xm = mp.mpf(x)
        lpdf = beta_logpdf(mp.mpf(a), mp.mpf(b), xm, 1 - xm)
        add("beta", [a, b], "ln_cdf", x, lt, xm * mp.exp(lpdf - lt))
        add("beta", [a, b], "ln_sf", x, ut, xm * mp.exp(lpdf - ut))
    for df, t in [(3, -1e200), (0.5, 1e300), (30, -200.0), (1e7, 60.0), (1, -1e300), (2, 1e250)]:
        lc, ls = t_tails(df, t)
        lpdf = t_logpdf(df, t)
        add("t", [df], "ln_cdf", t, lc, abs(t) * mp.exp(lpdf - lc))
        add("t", [df], "ln_sf", t, ls, abs(t) * mp.exp(lpdf - ls))
    for d1, d2, x in [(5, 10, 1e-150), (5, 10, 1e150), (1e7, 1e7, 0.9)]:
        lc, ls = f_tails(d1, d2, x)
        lpdf = f_logpdf(d1, d2, x)
        add("f", [d1, d2], "ln_cdf", x, lc, x * mp.exp(lpdf - lc))
        add("f", [d1, d2], "ln_sf", x, ls, x * mp.exp(lpdf - ls))
    for n, p, k in [(1000, 0.5, 10), (1000, 0.5, 985), (100000, 0.3, 25000)]:
        c, sv = binom_tails(n, p, k)
        add("binomial", [n, p], "ln_cdf", k, mp.log(c))
        add("binomial", [n, p], "ln_sf", k, mp.log(sv))
    for big_n, big_k, n, k in [(2000, 1000, 1000, 20), (2000, 1000, 1000, 975),
                               (1000000, 500000, 500000, 247000)]:
        c, sv = hyper_tails(big_n, big_k, n, k)
        add("hypergeometric", [big_n, big_k, n], "ln_cdf", k, mp.log(c))
        add("hypergeometric", [big_n, big_k, n], "ln_sf", k, mp.log(sv))


def self_check():
    """The continued fraction against mpmath.betainc where the latter is fast."""
    for a, b, x in [(0.5, 0.5, 1e-7), (2.5, 7, 0.3), (30, 40, 0.45), (0.1, 3, 0.9), (200, 5, 0.99)]:
        lo, up = ibeta(a, b, x)
        want = mp.betainc(a, b, 0, x, regularized=True)
        assert abs(mp.exp(lo) / want - 1) < mp.mpf(10) ** -40, (a, b, x)
        want_up = mp.betainc(a, b, x, 1, regularized=True)
        assert abs(mp.exp(up) / want_up - 1) < mp.mpf(10) ** -40, (a, b, x)


def main():
    self_check()
    big_ps = [1e-300, 1e-20, 1e-5, 0.3, 0.5, 0.99]
    for a, b in [(0.5, 0.5), (0.1, 0.2), (1, 1), (0.5, 3), (2, 5), (10, 10), (50, 50), (100, 3000),
                 (1e5, 1e3), (3, 1e6)]:
        beta_cases(a, b, PS)
    for a, b in [(0.5, 1e7), (1e7, 0.5)]:
        beta_cases(a, b, big_ps)
    beta_cases(1e7, 1e7, big_ps, extra_x=[0.5, 0.4999, 0.5001, 0.4995, 0.49, 0.51, 0.4])
    for df in [0.2, 0.5, 1, 1.5, 2, 3, 5, 10, 30, 100, 1e3, 1e5]:
        t_cases(df, PS + [0.99999], extra_t=[0.0, -0.1, 1.0, -5.0, 40.0, -1e3, 1e10])
    t_cases(1e7, big_ps, extra_t=[-1.0, 3.0, -8.0])
    for d1, d2 in [(1, 1), (0.5, 3), (2, 2), (5, 10), (10, 1e3), (100, 100), (1e4, 1e3), (3, 0.7)]:
        f_cases(d1, d2, PS)
    for d1, d2 in [(1, 1e7), (1e7, 1e7)]:
        f_cases(d1, d2, big_ps)
    for n, p in [(1, 0.5), (10, 0.3), (50, 0.99), (100, 0.01), (1000, 0.5), (100000, 1e-3),
                 (1000000, 0.3), (10000000, 0.5), (10000000, 1e-6)]:
        binom_cases(n, p, extra_k=[n // 3, n // 2])
    for big_n, big_k, n, extra in [(20, 7, 12, [3]), (1000, 300, 100, [2, 60]),
                                   (2000, 1000, 1000, [100, 900]),
                                   (100000, 50000, 50000, [24000, 26500]),
                                   (10000000, 100, 1000000, [40]),
                                   (10000000, 5000000, 5000000, [2495000, 2510000])]:
        hyper_cases(big_n, big_k, n, extra)
    log_tail_cases()
    write("dist_b", "mpmath 50-digit continued fraction / exact summation (gen_dist_b.py)", cases)


if __name__ == "__main__":
    main()
