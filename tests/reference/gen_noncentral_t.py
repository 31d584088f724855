"""Reference values of the noncentral t CDF and survival function (scipy.stats.nct, Boost).

Grid over the ranges power analysis uses: df 2..1e6, noncentrality -5..40, t at the usual
critical values and around the noncentrality.

Boost's noncentral t loses accuracy in small tails (at df >= 1e4 by ~1e-9 relative near 1e-4, and
by orders of magnitude below ~1e-100), so every value in (1e-100, 1e-3) is recomputed in mpmath
(50 digits) by Lenth's (1989) series with mpmath's incomplete beta, summed from the Poisson mode
until the terms drop below 1e-45 of the sum, and stored as the reference (`cdf_src`/`sf_src` say
which). Values <= 1e-100 keep scipy's value and are skipped by the test.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from common import write  # noqa: E402
import mpmath as mp  # noqa: E402
from scipy import stats  # noqa: E402

mp.mp.dps = 50

DFS = [2, 3, 5, 10, 29.5, 100, 1000, 1e4, 1e5, 1e6]
NCS = [-5.0, -1.0, 0.0, 0.5, 2.0, 2.8, 5.0, 10.0, 20.0, 40.0]


def _series(t, df, nc, upper):
    """Lenth's series at t >= 0, summed outward from the Poisson mode: P(T <= t) or P(T > t).

    P(T <= t) = Phi(-nc) + 1/2 sum_j [p_j I_x(j+1/2, df/2) + sign(nc) q_j I_x(j+1, df/2)] and
    P(T > t) = 1/2 sum_j [p_j (1 - I_x(j+1/2, df/2)) + sign(nc) q_j (1 - I_x(j+1, df/2))] with
    x = t^2/(t^2+df), p_j = e^-d d^j/j!, q_j = e^-d d^(j+1/2)/Gamma(j+3/2), d = nc^2/2.
    """
    x = t * t / (t * t + df)
    d = nc * nc / 2
    b = df / 2
    sg = mp.sign(nc)
    half = mp.mpf(1) / 2

    def inc(a):
        return mp.betainc(a, b, x, 1, regularized=True) if upper else mp.betainc(
            a, b, 0, x, regularized=True)

    def term(j):
        if d == 0:
            return inc(half) / 2 if j == 0 else mp.mpf(0)
        p = mp.exp(-d + j * mp.log(d) - mp.loggamma(j + 1))
        q = sg * mp.exp(-d + (j + half) * mp.log(d) - mp.loggamma(j + 3 * half))
        return (p * inc(j + half) + q * inc(j + 1)) / 2

    k = int(mp.floor(d))
    s = mp.mpf(0)
    j = k
    while True:
        tm = term(j)
        s += tm
        if j > k + 5 and abs(tm) <= mp.mpf(10) ** -45 * abs(s):
            break
        j += 1
    j = k - 1
    while j >= 0:
        tm = term(j)
        s += tm
        if abs(tm) <= mp.mpf(10) ** -45 * abs(s):
            break
        j -= 1
    return s if upper else mp.ncdf(-nc) + s


def mp_tail(t, df, nc, upper):
    """P(T > t) (upper) or P(T <= t) by the series in 50-digit arithmetic."""
    t, df, nc = mp.mpf(t), mp.mpf(df), mp.mpf(nc)
    if t >= 0:
        return float(_series(t, df, nc, upper))
    # F(t; nc) = S(-t; -nc) and S(t; nc) = F(-t; -nc)
    return float(_series(-t, df, -nc, not upper))


def reference(t, df, nc, upper):
    v = float(stats.nct.sf(t, df, nc) if upper else stats.nct.cdf(t, df, nc))
    if 1e-100 < v < 1e-3:
        return mp_tail(t, df, nc, upper), "mpmath"
    return v, "scipy"


def main():
    cases = []
    for df in DFS:
        for nc in NCS:
            ts = sorted({-3.0, -1.96, 0.0, 1.0, 1.6448536269514722, 1.96, 3.0, nc - 2.0, nc + 2.0})
            for t in ts:
                cdf, cdf_src = reference(t, df, nc, False)
                sf, sf_src = reference(t, df, nc, True)
                cases.append(
                    {"df": df, "nc": nc, "t": t, "cdf": cdf, "sf": sf,
                     "cdf_src": cdf_src, "sf_src": sf_src}
                )
    write(
        "noncentral_t",
        "scipy.stats.nct cdf/sf (Boost non_central_t); tails in (1e-100, 1e-3) by mpmath series",
        cases,
    )


if __name__ == "__main__":
    main()
