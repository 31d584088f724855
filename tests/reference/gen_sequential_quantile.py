"""Reference values for the quantile confidence sequences (tests/data/sequential_quantile.json).

Howard & Ramdas (2022), "Sequential estimation of quantiles with applications to A/B-testing and
best-arm identification", Bernoulli 28(3): the beta-binomial mixture martingale of the count
k = #{X_i <= q} after n observations, for the p-quantile,

    ln M = ln B(r/p + n - k, r/(1-p) + k) - ln B(r/p, r/(1-p)) - k ln p - (n - k) ln(1 - p),

(Howard, Ramdas, McAuliffe & Sekhon 2021, Prop. 7 with g = p, h = 1 - p, v = p(1-p) n,
s = k - np), with r = max(rho - p(1-p), 1e-3 p(1-p)) and rho = N* p(1-p) / (2 ln(1/a) +
ln(1 + 2 ln(1/a))) (the two-sided normal-mixture optimum for intrinsic time N* p(1-p), as Howard's
confseq package tunes it). confseq itself (PyPI 0.0.11) is a C++ extension needing the Boost
headers, which this machine lacks, so the published formulas are evaluated here with mpmath at
50 digits:

- "log_mixture": ln M and r for (k, n, p, alpha, N*).
- "interval": seeded samples; the accepted counts {k : ln M(k) < ln(1/alpha)} = [k_lo, k_hi]
  found by exhaustive evaluation over k = 0..n, and the interval [x_(k_lo), x_(k_hi + 1)].
- "ab": the two-sample e-value of the paper's A/B test, ln inf_x [G_T(x + delta) + G_C(x)], with
  G(x) = ln M at the count in [#{X < x}, #{X <= x}] nearest the real minimizer of ln M (root of
  digamma(b + k) - digamma(a + n - k) = ln(p/(1-p))), evaluated at every data point of both arms
  (brute force, no window).
"""

import os
import sys

import mpmath as mp
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common import write  # noqa: E402

mp.mp.dps = 50


def r_of(p, alpha, n_star):
    p, alpha, n_star = mp.mpf(p), mp.mpf(alpha), mp.mpf(n_star)
    l = 2 * mp.log(1 / alpha)
    pq = p * (1 - p)
    rho = n_star * pq / (l + mp.log(1 + l))
    return max(rho - pq, mp.mpf("1e-3") * pq)


def ln_m(k, n, p, r):
    p = mp.mpf(p)
    a, b = r / p, r / (1 - p)
    k, n = mp.mpf(k), mp.mpf(n)
    return (mp.loggamma(a + n - k) + mp.loggamma(b + k) - mp.loggamma(a + b + n)
            - mp.loggamma(a) - mp.loggamma(b) + mp.loggamma(a + b)
            - k * mp.log(p) - (n - k) * mp.log(1 - p))


def kappa(n, p, r):
    p = mp.mpf(p)
    a, b = r / p, r / (1 - p)
    t = mp.log(p / (1 - p))
    f = lambda k: mp.digamma(b + k) - mp.digamma(a + n - k) - t  # noqa: E731
    if f(0) >= 0:
        return mp.mpf(0)
    if f(n) <= 0:
        return mp.mpf(n)
    lo, hi = mp.mpf(0), mp.mpf(n)
    for _ in range(200):
        mid = (lo + hi) / 2
        if f(mid) < 0:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def log_mixture_cases():
    out = []
    for (k, n, p, alpha, n_star) in [
        (5, 10, 0.5, 0.05, 100), (0, 10, 0.5, 0.05, 100), (10, 10, 0.9, 0.05, 100),
        (90, 100, 0.9, 0.05, 1000), (70, 100, 0.9, 0.05, 1000), (99, 100, 0.9, 0.05, 1000),
        (850, 1000, 0.9, 0.05, 1000), (950, 1000, 0.9, 0.01, 5000), (470, 1000, 0.5, 0.1, 500),
        (9000, 10000, 0.9, 0.05, 10000), (8800, 10000, 0.9, 0.05, 10000),
        (9800, 10000, 0.99, 0.05, 10000), (10000, 10000, 0.99, 0.05, 10000),
        (12, 100, 0.1, 0.05, 50), (3, 100, 0.01, 0.05, 100000), (0, 1, 0.5, 0.05, 1),
        (900000, 1000000, 0.9, 0.05, 100000), (898000, 1000000, 0.9, 0.05, 100000),
        (123.5, 200, 0.6, 0.05, 300),
    ]:
        r = r_of(p, alpha, n_star)
        out.append({"family": "log_mixture", "k": k, "n": n, "p": p, "alpha": alpha,
                    "tuning_n": n_star, "r": float(r), "ln_m": float(ln_m(k, n, p, r))})
    return out


def interval_cases():
    out = []
    rng = np.random.default_rng(20261127)
    for (n, p, alpha, n_star, kind) in [
        (50, 0.5, 0.05, 100, "exp"), (400, 0.9, 0.05, 1000, "exp"), (400, 0.99, 0.05, 1000, "exp"),
        (1000, 0.9, 0.05, 500, "exp"), (300, 0.1, 0.1, 300, "normal"), (500, 0.9, 0.05, 500, "ties"),
        (5, 0.9, 0.05, 100, "exp"),
    ]:
        if kind == "exp":
            xs = rng.exponential(1.0, n)
        elif kind == "normal":
            xs = rng.normal(0.0, 1.0, n)
        else:
            xs = rng.integers(0, 20, n).astype(float)
        xs = [float(x) for x in xs]
        r = r_of(p, alpha, n_star)
        thr = mp.log(1 / mp.mpf(alpha))
        ok = [k for k in range(n + 1) if ln_m(k, n, p, r) < thr]
        k_lo, k_hi = min(ok), max(ok)
        s = sorted(xs)
        lo = s[k_lo - 1] if k_lo >= 1 else float("-inf")
        hi = s[k_hi] if k_hi < n else float("inf")
        out.append({"family": "interval", "p": p, "alpha": alpha, "tuning_n": n_star, "data": xs,
                    "k": [k_lo, k_hi], "cs": [lo, hi]})
    return out


def ab_ln_e(t, c, p, r, delta):
    def arm(xs, shift):
        s = sorted(xs)
        n = len(s)
        kap = kappa(n, p, r)

        def g(x):
            lo = sum(1 for y in s if y < x + shift)
            hi = sum(1 for y in s if y <= x + shift)
            k = min(max(kap, mp.mpf(lo)), mp.mpf(hi))
            return ln_m(k, n, p, r)
        return g
    gt, gc = arm(t, delta), arm(c, 0.0)
    xs = sorted(set([x - delta for x in t] + list(c)))
    return min(gt(x) + gc(x) for x in xs)


def ab_cases():
    out = []
    rng = np.random.default_rng(99)
    for (n_t, n_c, p, alpha, n_star, scale_t, delta) in [
        (200, 200, 0.9, 0.05, 1000, 1.0, 0.0), (300, 250, 0.9, 0.05, 1000, 1.5, 0.0),
        (400, 400, 0.5, 0.05, 500, 1.2, 0.0), (300, 300, 0.9, 0.05, 1000, 1.3, 0.2),
        (150, 100, 0.75, 0.1, 200, 0.7, 0.0),
    ]:
        t = [float(x) for x in rng.exponential(scale_t, n_t)]
        c = [float(x) for x in rng.exponential(1.0, n_c)]
        r = r_of(p, alpha, n_star)
        out.append({"family": "ab", "p": p, "alpha": alpha, "tuning_n": n_star, "delta": delta,
                    "treatment": t, "control": c, "ln_e": float(ab_ln_e(t, c, p, r, delta))})
    return out


if __name__ == "__main__":
    cases = log_mixture_cases() + interval_cases() + ab_cases()
    write("sequential_quantile",
          "mpmath (50 digits) evaluation of the Howard & Ramdas (2022) beta-binomial mixture "
          "(confseq 0.0.11 needs Boost to build); seeded numpy samples",
          cases)
