"""Reference values for the anytime-valid tests (tests/data/sequential.json).

Run with a venv holding requirements.txt plus savvi (Netflix, PyPI) and its cvxpy dependency.

- "mixture": GrowthBook's asymptotic confidence sequence (gbstats SequentialTwoSidedTTest,
  absolute difference; Waudby-Smith et al. 2023, eq. 161 with rho from the tuning parameter N*).
  The gbstats release on PyPI (0.2.2) predates its sequential tests, so the formulas of
  growthbook/growthbook packages/stats/gbstats (sequential_rho, the halfwidth and the e-value of
  the two-sided sequential t-test) are re-evaluated here with numpy on the same summaries. The
  fixed-tau2 mSPRT of Johari et al. (2022) is the normal-mixture closed form, evaluated with numpy.
- "multinomial": savvi.multinomial.Multinomial (Lindon & Malek 2022) fed the same seeded stream,
  batch by batch; the always-valid p-value is savvi's running minimum.
- "rate_ratio": savvi InhomogeneousPoissonProcess confidence interval for the log rate ratio
  (solved by cvxpy, so only ~1e-6 accurate) and the same interval's ends solved exactly by brentq.
- "group_sequential": the first two boundaries solved exactly with scipy's bivariate normal CDF
  (brentq, 1e-12), and published Lan-DeMets boundaries (two-sided alpha = 0.05, equally spaced
  looks), as printed by R gsDesign (sfLDOF / sfLDPocock, test.type = 2) and ldbounds, and in
  Jennison & Turnbull (2000), Group Sequential Methods with Applications to Clinical Trials, §7.2.
  The published values carry their own integration error (gsDesign prints 3.3569 for the second
  O'Brien-Fleming look where the bivariate CDF gives 3.357012), hence 2e-4 absolute.
"""

import os
import sys

import numpy as np
from scipy.optimize import brentq
from scipy.stats import multivariate_normal, norm
import savvi
from savvi.multinomial import Multinomial

sys.path.insert(0, os.path.dirname(__file__))
from common import write  # noqa: E402


def gb_rho(alpha, n_star):
    la = np.log(alpha)
    return np.sqrt((-2 * la + np.log(-2 * la + 1)) / n_star)


def gbstats_sequential(n_t, mean_t, var_t, n_c, mean_c, var_c, alpha, n_star):
    """gbstats SequentialTwoSidedTTest, absolute difference: (estimate, ci, p)."""
    n = n_t + n_c
    pe = mean_t - mean_c
    se2 = var_t / n_t + var_c / n_c
    s2 = se2 * n
    rho = gb_rho(alpha, n_star)
    half = np.sqrt(s2) * np.sqrt(
        2 * (n * rho**2 + 1) * np.log(np.sqrt(n * rho**2 + 1) / alpha) / (n * rho) ** 2
    )
    st2 = pe**2 * n / se2
    tr2p1 = n * rho**2 + 1
    evalue = np.exp(rho**2 * st2 / (2 * tr2p1)) / np.sqrt(tr2p1)
    return pe, [pe - half, pe + half], min(1 / evalue, 1.0), evalue


def msprt(n_t, mean_t, var_t, n_c, mean_c, var_c, alpha, tau2, theta0):
    """Normal-mixture SPRT of Johari et al. with plug-in variance V of the estimate."""
    v = var_t / n_t + var_c / n_c
    d = mean_t - mean_c - theta0
    lam = np.sqrt(v / (v + tau2)) * np.exp(tau2 * d**2 / (2 * v * (v + tau2)))
    half = np.sqrt(v * (v + tau2) / tau2 * (np.log((v + tau2) / v) - 2 * np.log(alpha)))
    pe = mean_t - mean_c
    return pe, [pe - half, pe + half], min(1 / lam, 1.0), lam


def mixture_cases():
    rng = np.random.default_rng(20261127)
    cases = []
    for i, (n_t, n_c, metric, shift) in enumerate(
        [
            (120, 100, "mean", 0.0),
            (1000, 1000, "mean", 0.1),
            (5000, 4800, "mean", 0.05),
            (40, 60, "mean", 1.0),
            (100000, 100000, "mean", 0.01),
            (500, 500, "proportion", 0.0),
            (3000, 3100, "proportion", 0.03),
            (200000, 200000, "proportion", 0.002),
        ]
    ):
        if metric == "mean":
            t = rng.normal(10 + shift, 3, n_t)
            c = rng.normal(10, 3, n_c)
            mt, mc = t.mean(), c.mean()
            vt, vc = t.var(ddof=1), c.var(ddof=1)
            summary = {"n_t": n_t, "mean_t": mt, "sd_t": t.std(ddof=1), "n_c": n_c, "mean_c": mc, "sd_c": c.std(ddof=1)}
        else:
            st = int(rng.binomial(n_t, 0.1 + shift))
            sc = int(rng.binomial(n_c, 0.1))
            mt, mc = st / n_t, sc / n_c
            vt, vc = mt * (1 - mt), mc * (1 - mc)
            summary = {"n_t": n_t, "successes_t": st, "n_c": n_c, "successes_c": sc}
        for alpha in (0.05, 0.01):
            for n_star in (5000.0, 1000.0):
                pe, ci, p, e = gbstats_sequential(n_t, mt, vt, n_c, mc, vc, alpha, n_star)
                cases.append({"id": f"gb{i}_a{alpha}_n{n_star}", "metric": metric, "mixing": "asymptotic",
                              "tuning_n": n_star, "alpha": alpha, "null_value": 0.0, **summary,
                              "estimate": pe, "ci": ci, "p_value": p, "e_value": e})
            scale = 9.0 if metric == "mean" else 0.09
            for tau2, theta0 in ((1e-4 * scale, 0.0), (1e-2 * scale, 0.0), (1e-3 * scale, 0.01)):
                pe, ci, p, e = msprt(n_t, mt, vt, n_c, mc, vc, alpha, tau2, theta0)
                cases.append({"id": f"ms{i}_a{alpha}_t{tau2}_{theta0}", "metric": metric, "mixing": "msprt",
                              "tau2": tau2, "alpha": alpha, "null_value": theta0, **summary,
                              "estimate": pe, "ci": ci, "p_value": p, "e_value": e})
    return cases


def multinomial_cases():
    rng = np.random.default_rng(7)
    cases = []
    for i, (theta0, truth, k, batches, size) in enumerate(
        [
            ([0.5, 0.5], [0.5, 0.5], 100.0, 40, 1),
            ([0.5, 0.5], [0.52, 0.48], 100.0, 50, 200),
            ([0.25, 0.25, 0.5], [0.25, 0.25, 0.5], 100.0, 30, 100),
            ([0.2, 0.3, 0.5], [0.22, 0.3, 0.48], 10.0, 30, 500),
            ([0.9, 0.1], [0.9, 0.1], 1000.0, 20, 1000),
        ]
    ):
        t0 = np.array(theta0, dtype=float)
        model = Multinomial(0.05, t0, k=k)
        stream, p_values, odds = [], [], []
        for _ in range(batches):
            x = rng.multinomial(size, truth).astype(np.int64)
            model.update(x)
            model.p_value = np.fmin(model.p_value, model.calculate_p_value())
            stream.append(x.tolist())
            p_values.append(float(model.p_value[0]))
            odds.append(float(np.log(model.odds)))
        cases.append({"id": f"multinomial{i}", "theta0": theta0, "k": k, "alpha": 0.05,
                      "batches": stream, "always_valid_p": p_values, "ln_bayes_factor": odds})
    return cases


def spent(spending, side, t):
    if spending == "pocock":
        return side * np.log(1 + (np.e - 1) * t)
    return 2 * norm.sf(norm.isf(side / 2) / np.sqrt(t))


def first_two_boundaries(spending, alpha, t1, t2):
    """Exact first two two-sided boundaries from scipy's bivariate normal CDF and brentq."""
    side = alpha / 2
    a1, a2 = spent(spending, side, t1), spent(spending, side, t2)
    c1 = norm.isf(a1)
    r = np.sqrt(t1 / t2)
    dist = multivariate_normal(mean=[0, 0], cov=[[1, r], [r, 1]])

    def excess(c2):
        return 1 - dist.cdf([c1, c2], lower_limit=[-c1, -c2]) - 2 * a2

    return [c1, brentq(excess, 1.0, 10.0, xtol=1e-12)]


def rate_ratio_cases():
    """savvi InhomogeneousPoissonProcess interval (cvxpy) and the exact roots by brentq."""
    from savvi.multinomial import InhomogeneousPoissonProcess
    from scipy.special import gammaln

    cases = []
    for i, (rho, counts, k) in enumerate([
        ([0.5, 0.5], [130, 100], 100.0),
        ([0.5, 0.5], [1430, 1100], 100.0),
        ([0.3, 0.7], [320, 700], 50.0),
        ([0.5, 0.5], [5000, 5100], 100.0),
    ]):
        t0 = np.array(rho)
        m = InhomogeneousPoissonProcess(0.05, t0, np.array([[-1, 1]]), k=k)
        m.update(np.array(counts, dtype=np.int64))
        savvi_ci = m.calculate_conf_int()[0].tolist()
        a0 = k * t0
        an = a0 + np.array(counts)
        lb = lambda a: gammaln(a).sum() - gammaln(a.sum())
        bound = lb(an) - lb(a0) + np.log(0.05)
        c0, c1 = counts
        ll = lambda d: c0 * (np.log(t0[0]) - np.logaddexp(np.log(t0[0]), d + np.log(t0[1]))) + \
            c1 * (d + np.log(t0[1]) - np.logaddexp(np.log(t0[0]), d + np.log(t0[1])))
        mode = np.log(c1 / c0) - np.log(t0[1]) + np.log(t0[0])
        lo = brentq(lambda d: ll(d) - bound, mode - 20, mode, xtol=1e-14)
        hi = brentq(lambda d: ll(d) - bound, mode, mode + 20, xtol=1e-14)
        cases.append({"id": f"rate_ratio{i}", "theta0": rho, "k": k, "alpha": 0.05,
                      "counts": counts, "cs": [lo, hi], "savvi_cs": savvi_ci})
    return cases


def group_sequential_cases():
    eq5 = [0.2, 0.4, 0.6, 0.8, 1.0]
    cases = [
        {"id": "ld_obf_k5", "spending": "obrien-fleming", "alpha": 0.05, "fractions": eq5,
         "boundaries": [4.8769, 3.3569, 2.6803, 2.2898, 2.0310], "tol_abs": 2e-4,
         "source": "gsDesign(k=5, test.type=2, alpha=0.025, sfu=sfLDOF)$upper$bound; ldbounds bounds(t=(1:5)/5, iuse=c(1,1), alpha=c(.025,.025))"},
        {"id": "ld_pocock_k5", "spending": "pocock", "alpha": 0.05, "fractions": eq5,
         "boundaries": [2.4380, 2.4268, 2.4102, 2.3966, 2.3860], "tol_abs": 2e-4,
         "source": "gsDesign(k=5, test.type=2, alpha=0.025, sfu=sfLDPocock)$upper$bound; ldbounds bounds(t=(1:5)/5, iuse=c(2,2))"},
    ]
    for c in cases:
        c["scipy_first_two"] = first_two_boundaries(c["spending"], c["alpha"], *c["fractions"][:2])
    cases.append({"id": "ld_obf_uneven", "spending": "obrien-fleming", "alpha": 0.05,
                  "fractions": [0.3, 0.55, 1.0], "boundaries": None, "tol_abs": None,
                  "source": "scipy bivariate normal only",
                  "scipy_first_two": first_two_boundaries("obrien-fleming", 0.05, 0.3, 0.55)})
    return cases


if __name__ == "__main__":
    write(
        "sequential",
        f"gbstats formulas re-evaluated with numpy; savvi {savvi.__version__ if hasattr(savvi, '__version__') else '0.3.1'}; published Lan-DeMets tables",
        [{"family": family, **case}
         for family, gen in (("mixture", mixture_cases), ("multinomial", multinomial_cases),
                             ("rate_ratio", rate_ratio_cases),
                             ("group_sequential", group_sequential_cases))
         for case in gen()],
    )
