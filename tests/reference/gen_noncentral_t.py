"""Reference values of the noncentral t CDF and survival function (scipy.stats.nct, Boost).

Grid over the ranges power analysis uses: df 2..1e6, noncentrality -5..40, t at the usual
critical values and around the noncentrality.

Boost's noncentral t loses accuracy in small tails (at df >= 1e4 by ~1e-9 relative near 1e-5, and
by orders of magnitude below ~1e-100), so every value in (1e-100, 1e-4) is recomputed in mpmath
(30 digits) as E[Phi(+-(t sqrt(V/df) - nc))] over V ~ chi2(df) by adaptive quadrature with
breakpoints around the chi-square bulk and the Phi transition, and stored as the reference
(`cdf_src`/`sf_src` say which). Values <= 1e-100 keep scipy's value and are skipped by the test.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from common import write  # noqa: E402
import mpmath as mp  # noqa: E402
from scipy import stats  # noqa: E402

mp.mp.dps = 30

DFS = [2, 3, 5, 10, 29.5, 100, 1000, 1e4, 1e5, 1e6]
NCS = [-5.0, -1.0, 0.0, 0.5, 2.0, 2.8, 5.0, 10.0, 20.0, 40.0]


def mp_tail(t, df, nc, upper):
    """P(T > t) (upper) or P(T <= t) in mpmath by quadrature over the chi-square variable."""
    df = mp.mpf(df)
    t = mp.mpf(t)
    nc = mp.mpf(nc)
    lg = mp.loggamma(df / 2)

    def f(v):
        if v <= 0:
            return mp.mpf(0)
        dens = mp.exp((df / 2 - 1) * mp.log(v) - v / 2 - (df / 2) * mp.log(2) - lg)
        z = t * mp.sqrt(v / df) - nc
        return (mp.ncdf(-z) if upper else mp.ncdf(z)) * dens

    m = df
    s = mp.sqrt(2 * df)
    pts = {mp.mpf(0)}
    for k in range(-12, 13):
        if m + k * s > 0:
            pts.add(m + k * s)
    if t != 0:
        vs = df * (nc / t) ** 2
        for r in [0.25, 0.5, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 2, 4]:
            pts.add(vs * r)
    return float(mp.quad(f, sorted(pts) + [mp.inf]))


def reference(t, df, nc, upper):
    v = float(stats.nct.sf(t, df, nc) if upper else stats.nct.cdf(t, df, nc))
    if 1e-100 < v < 1e-4:
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
        "scipy.stats.nct cdf/sf (Boost non_central_t); tails in (1e-100, 1e-4) by mpmath quadrature",
        cases,
    )


if __name__ == "__main__":
    main()
