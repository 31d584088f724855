"""Reference values for the one-sided anytime-valid mixture tests
(tests/data/sequential_onesided.json), evaluated with mpmath at 40 digits.

- "halfnormal": the one-sided normal mixture (half-normal mixing distribution) of Howard,
  Ramdas, McAuliffe & Sekhon (2021), "Time-uniform, nonparametric, nonasymptotic confidence
  sequences", Ann. Statist. 49(2), in the parametrization of Howard's confseq
  (OneSidedNormalMixture::log_superMG): ln M = 1/2 ln(4 rho / (v + rho)) + s^2 / (2 (v + rho))
  + ln Phi(s / sqrt(v + rho)), with s = d / V, v = 1 / V (information) and rho = 1 / tau^2 for an
  estimate at distance d toward the alternative with variance V. The p-value is min(1, 1/M); the
  one-sided confidence bound is estimate -/+ h with ln M(h) = ln(1/alpha) (bisection, 40 digits).
- "growthbook": GrowthBook's one-sided sequential t-test (gbstats SequentialOneSidedTreatment
  Greater/LesserTTest, in growthbook/growthbook packages/stats; the PyPI gbstats 0.8.0 predates
  it): rho tuned at 2 alpha, halfwidth sqrt(s2 * 2 (N rho^2 + 1) / (N rho)^2 * ln(1 + sqrt(N rho^2
  + 1) / (2 alpha))) with s2 = V N; GrowthBook finds the p-value by bisection on alpha (to 1e-6 on
  the interval end) until the bound touches 0, whose exact solution is
  p = sqrt(N rho^2 + 1) / (2 (exp(x) - 1)), x = d^2 / (s2 * 2 (N rho^2 + 1) / (N rho)^2) for
  d > 0 (p = 1 otherwise).
"""

import os
import sys

import mpmath as mp
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from common import write  # noqa: E402

mp.mp.dps = 40


def ln_m_halfnormal(d, V, tau2):
    s, v, rho = d / V, 1 / V, 1 / tau2
    return (mp.log(4 * rho / (v + rho)) / 2 + s * s / (2 * (v + rho))
            + mp.log(mp.ncdf(s / mp.sqrt(v + rho))))


def halfnormal(est, V, tau2, theta0, alpha, sign):
    d = sign * (est - theta0)
    ln_m = ln_m_halfnormal(d, V, tau2)
    target = mp.log(1 / alpha)
    lo, hi = mp.mpf(0), mp.mpf(1)
    while ln_m_halfnormal(hi * mp.sqrt(V), V, tau2) < target:
        hi *= 2
    lo, hi = lo * mp.sqrt(V), hi * mp.sqrt(V)
    for _ in range(200):
        mid = (lo + hi) / 2
        if ln_m_halfnormal(mid, V, tau2) < target:
            lo = mid
        else:
            hi = mid
    h = (lo + hi) / 2
    return ln_m, h


def growthbook(est, V, N, n_star, theta0, alpha, sign):
    la = mp.log(2 * alpha)
    rho2 = (-2 * la + mp.log(-2 * la + 1)) / n_star
    s2 = V * N
    a = 2 * (N * rho2 + 1) / (N * N * rho2)
    b = mp.sqrt(N * rho2 + 1)
    h = mp.sqrt(s2 * a * mp.log(1 + b / (2 * alpha)))
    d = sign * (est - theta0)
    if d > 0:
        x = d * d / (s2 * a)
        ln_e = mp.log(2) + mp.log(mp.expm1(x)) - mp.log(b)
    else:
        ln_e = mp.mpf("-inf")
    return ln_e, h


def cases():
    rng = np.random.default_rng(314)
    out = []
    for i, (n_t, n_c, metric, shift) in enumerate([
        (120, 100, "mean", 0.0), (1000, 1000, "mean", 0.3), (5000, 4800, "mean", -0.05),
        (100000, 100000, "mean", 0.02), (3000, 3100, "proportion", 0.01),
        (200000, 200000, "proportion", -0.002), (40, 60, "mean", 2.0),
    ]):
        if metric == "mean":
            t = rng.normal(10 + shift, 3, n_t)
            c = rng.normal(10, 3, n_c)
            summary = {"n_t": n_t, "mean_t": float(t.mean()), "sd_t": float(t.std(ddof=1)),
                       "n_c": n_c, "mean_c": float(c.mean()), "sd_c": float(c.std(ddof=1))}
            mt, mc = mp.mpf(summary["mean_t"]), mp.mpf(summary["mean_c"])
            vt, vc = mp.mpf(summary["sd_t"]) ** 2, mp.mpf(summary["sd_c"]) ** 2
            scale = 9.0
        else:
            st = int(rng.binomial(n_t, 0.1 + shift))
            sc = int(rng.binomial(n_c, 0.1))
            summary = {"n_t": n_t, "successes_t": st, "n_c": n_c, "successes_c": sc}
            mt, mc = mp.mpf(st) / n_t, mp.mpf(sc) / n_c
            vt, vc = mt * (1 - mt), mc * (1 - mc)
            scale = 0.09
        V = vt / n_t + vc / n_c
        est = mt - mc
        N = n_t + n_c
        for alt, sign in (("greater", 1), ("less", -1)):
            for alpha in (0.05, 0.01):
                for tau2, theta0 in ((1e-4 * scale, 0.0), (1e-2 * scale, 0.0), (1e-3 * scale, 0.01)):
                    ln_m, h = halfnormal(est, V, mp.mpf(tau2), mp.mpf(theta0), mp.mpf(alpha), sign)
                    out.append({"family": "halfnormal", "id": f"hn{i}_{alt}_a{alpha}_t{tau2}_{theta0}",
                                "metric": metric, "alternative": alt, "alpha": alpha, "tau2": tau2,
                                "null_value": theta0, **summary, "estimate": float(est),
                                "ln_e": float(ln_m), "p_value": float(min(1, mp.exp(-ln_m))),
                                "bound": float(est - h if sign > 0 else est + h)})
                for n_star in (5000.0, 1000.0):
                    ln_e, h = growthbook(est, V, N, n_star, mp.mpf(0), mp.mpf(alpha), sign)
                    p = 1.0 if ln_e == mp.mpf("-inf") else float(min(1, mp.exp(-ln_e)))
                    out.append({"family": "growthbook", "id": f"gb{i}_{alt}_a{alpha}_n{n_star}",
                                "metric": metric, "alternative": alt, "alpha": alpha,
                                "tuning_n": n_star, "null_value": 0.0, **summary,
                                "estimate": float(est), "ln_e": float(ln_e), "p_value": p,
                                "bound": float(est - h if sign > 0 else est + h)})
    return out


if __name__ == "__main__":
    write("sequential_onesided",
          "mpmath (40 digits): half-normal mixture (confseq parametrization) and GrowthBook's "
          "one-sided sequential t-test closed form",
          cases())
