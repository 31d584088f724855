"""Reference values for the Bayesian readouts (crates/counterfact-stats/tests/bayes.rs).

effect cases: GrowthBook's normal effect model, computed independently in mpmath (40 digits)
and, when gbstats is installed in GBSTATS_PYTHON (default tests/reference/.venv-gbstats/bin/python,
gbstats==0.8.0), by gbstats EffectBayesianABTest itself on the same sufficient statistics.
beta cases: exact beta-binomial P(p_t > p_c) and expected losses by scipy quad (epsrel 1e-13)
against Boost's incomplete beta (mpmath's betainc is far too slow at shapes of 1e7).
"""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import write  # noqa: E402

import mpmath as mp  # noqa: E402
import numpy as np  # noqa: E402
from scipy import integrate, special  # noqa: E402

mp.mp.dps = 40
GB_PY = os.environ.get("GBSTATS_PYTHON", "tests/reference/.venv-gbstats/bin/python")

GB_SCRIPT = r"""
import json, sys
from gbstats.bayesian.tests import EffectBayesianABTest, EffectBayesianConfig, GaussianPrior
from gbstats.models.statistics import ProportionStatistic, SampleMeanStatistic
out = []
for c in json.load(sys.stdin):
    def stat(arm):
        if arm["kind"] == "proportion":
            return ProportionStatistic(n=arm["n"], sum=arm["sum"])
        return SampleMeanStatistic(n=arm["n"], sum=arm["sum"], sum_squares=arm["sum_squares"])
    a, b = stat(c["control"]), stat(c["treatment"])
    p = c["prior"]
    cfg = EffectBayesianConfig(difference_type=c["scale"], alpha=1 - c["confidence"],
        prior_type=c["scale"], prior_effect=GaussianPrior(mean=p["mean"], variance=p["variance"], proper=p["proper"]))
    r = EffectBayesianABTest(a, b, cfg).compute_result()
    out.append({"arms": [[a.n, a.mean, a.variance], [b.n, b.mean, b.variance]],
        "mean": r.expected, "sd": r.uplift.stddev, "ci": r.ci, "chance_to_win": r.chance_to_win,
        "risk": r.risk})
print(json.dumps(out))
"""


def run_gbstats(cases):
    try:
        res = subprocess.run([GB_PY, "-c", GB_SCRIPT], input=json.dumps(cases),
                             capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print("gbstats unavailable:", e, file=sys.stderr)
        return None
    return json.loads(res.stdout)


def effect_mp(arm_c, arm_t, scale, prior, conf):
    nc, mc, vc = map(mp.mpf, arm_c)
    nt, mt, vt = map(mp.mpf, arm_t)
    if scale == "relative":
        d = (mt - mc) / mc
        v = vt / (mc**2 * nt) + vc * mt**2 / (mc**4 * nc)
    else:
        d = mt - mc
        v = vt / nt + vc / nc
    if prior["proper"]:
        pm, pv = mp.mpf(prior["mean"]), mp.mpf(prior["variance"])
        prec = 1 / v + 1 / pv
        mean, var = (d / v + pm / pv) / prec, 1 / prec
    else:
        mean, var = d, v
    sd = mp.sqrt(var)
    z = mp.sqrt(2) * mp.erfinv(conf)
    zt = mean / sd
    phi = mp.npdf(zt)
    return {
        "mean": mean, "sd": sd, "ci": [mean - z * sd, mean + z * sd],
        "chance_to_win": mp.ncdf(zt),
        "risk_control": sd * (zt * mp.ncdf(zt) + phi),
        "risk_treatment": sd * (-zt * mp.ncdf(-zt) + phi),
    }


def effect_cases():
    specs = []
    props = [(1000, 100, 1000, 120), (5000, 400, 5000, 380), (200, 15, 180, 30),
             (10**7, 10**6, 10**7, 1001500), (10**7, 5 * 10**6, 10**7, 5002000),
             (10**6, 31000, 10**6, 31200), (50, 5, 60, 9), (20000, 19000, 20000, 19100)]
    means = [(1000, 10.0, 4.0, 1000, 10.3, 4.2), (500, 2.5, 1.2, 520, 2.45, 1.1),
             (10**7, 3.2, 9.0, 10**7, 3.2015, 9.1), (40, 100.0, 30.0, 35, 140.0, 45.0)]
    priors = [{"mean": 0.0, "variance": 1.0, "proper": False},
              {"mean": 0.0, "variance": 0.09, "proper": True},
              {"mean": 0.02, "variance": 0.0004, "proper": True}]
    for i, (nc, sc, nt, st) in enumerate(props):
        for scale in ("relative", "absolute"):
            prior = priors[(i + (scale == "absolute")) % 3]
            specs.append({"control": {"kind": "proportion", "n": nc, "sum": sc},
                          "treatment": {"kind": "proportion", "n": nt, "sum": st},
                          "scale": scale, "prior": prior,
                          "confidence": 0.95 if i % 2 == 0 else 0.9})
    for i, (nc, mc, sdc, nt, mt, sdt) in enumerate(means):
        for scale in ("relative", "absolute"):
            prior = priors[(i + (scale == "relative")) % 3]
            arms = []
            for n, m, s in ((nc, mc, sdc), (nt, mt, sdt)):
                arms.append({"kind": "mean", "n": n, "sum": n * m,
                             "sum_squares": s * s * (n - 1) + n * m * m})
            specs.append({"control": arms[0], "treatment": arms[1], "scale": scale,
                          "prior": prior, "confidence": 0.95})
    gb = run_gbstats(specs)
    cases = []
    for k, spec in enumerate(specs):
        if gb is not None:
            arms = gb[k]["arms"]
        else:
            arms = []
            for arm in (spec["control"], spec["treatment"]):
                n, s = arm["n"], arm["sum"]
                m = s / n
                v = m * (1 - m) if arm["kind"] == "proportion" else (arm["sum_squares"] - s * s / n) / (n - 1)
                arms.append([n, m, v])
        ref = effect_mp(arms[0], arms[1], spec["scale"], spec["prior"], spec["confidence"])
        case = {"kind": "effect", "control": arms[0], "treatment": arms[1], "scale": spec["scale"],
                "prior": spec["prior"], "confidence": spec["confidence"],
                **{k2: (float(v) if not isinstance(v, list) else [float(x) for x in v])
                   for k2, v in ref.items()}}
        if gb is not None:
            g = gb[k]
            case["gbstats"] = {"mean": g["mean"], "sd": g["sd"], "ci": g["ci"],
                               "chance_to_win": g["chance_to_win"],
                               "risk_control": g["risk"][0], "risk_treatment": g["risk"][1]}
        cases.append(case)
    return cases


def beta_scipy(ac, bc, at, bt):
    mc_, sc_ = ac / (ac + bc), np.sqrt(ac * bc / ((ac + bc)**2 * (ac + bc + 1)))
    mt_ = at / (at + bt)
    lnb = special.betaln(ac, bc)
    fc = lambda y: np.exp((ac - 1) * np.log(y) + (bc - 1) * np.log1p(-y) - lnb)  # noqa: E731
    lo, hi = max(mc_ - 40 * sc_, 0.0), min(mc_ + 40 * sc_, 1.0)
    pts = [mc_ + k * sc_ for k in (-6, -3, -1, 0, 1, 3, 6)]
    kw = dict(points=pts, epsabs=0, epsrel=1e-13, limit=500)
    win = integrate.quad(lambda y: fc(y) * special.betaincc(at, bt, y), lo, hi, **kw)[0]
    lose = integrate.quad(lambda y: fc(y) * special.betainc(at, bt, y), lo, hi, **kw)[0]
    # E[(p_c - p_t)+] = ∫ f_c(y) (y F_t(y) - E[p_t] F_{t+1}(y)) dy
    inner = lambda y: max(y * special.betainc(at, bt, y) - mt_ * special.betainc(at + 1, bt, y), 0.0)  # noqa: E731
    risk_t = integrate.quad(lambda y: fc(y) * inner(y), lo, hi, **kw)[0]
    return win / (win + lose), risk_t + (mt_ - mc_), risk_t


def beta_cases():
    cases = []
    small = [(1, 1, 1, 1), (2, 9, 4, 7), (11, 91, 15, 87), (101, 901, 121, 881), (0.5, 20.5, 3.5, 17.5),
             (31, 971, 45, 957), (401, 4601, 381, 4621), (1, 1, 3, 1), (1001, 9001, 1101, 8901),
             (5, 5, 5, 6), (151, 151, 171, 131), (30, 2, 28, 4)]
    large = [(1e7, 1e7, 1e7 + 3000, 1e7 - 3000), (1e7, 1e7, 1e7 + 100, 1e7 - 100),
             (1e6 + 1, 9e6 + 1, 1.0015e6 + 1, 8.9985e6 + 1), (1e7, 1e7, 1e7 - 20000, 1e7 + 20000),
             (3.1e4, 9.69e5, 3.15e4, 9.685e5), (1e7 + 1, 9e7 + 1, 1.0006e7 + 1, 8.9994e7 + 1)]
    for ac, bc, at, bt in small + large:
        win, rc, rt = beta_scipy(ac, bc, at, bt)
        cases.append({"kind": "beta", "method": "scipy_quad", "control": [ac, bc], "treatment": [at, bt],
                      "chance_to_win": float(win), "risk_control": float(rc),
                      "risk_treatment": float(rt)})
    return cases


def main():
    cases = effect_cases() + beta_cases()
    src = ("gen_bayes.py: mpmath 40-digit closed forms and quadrature; gbstats 0.8.0 "
           "EffectBayesianABTest (GBSTATS_PYTHON) for the effect model; scipy quad for beta-binomial")
    write("bayes", src, cases)


if __name__ == "__main__":
    main()
