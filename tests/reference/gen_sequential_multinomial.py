"""Reference values for the Dirichlet-multinomial test with three or more categories
(tests/data/sequential_multinomial.json).

Run with the venv holding savvi 0.3.1 and cvxpy (`/work/venv-seq/bin/python` on the build machine;
requirements.txt plus `savvi==0.3.1`).

- "stream": savvi.multinomial.Multinomial (Lindon & Malek 2022) fed a seeded stream of batches
  for 3 to 8 categories, in and out of sample-ratio mismatch; the always-valid p-value is savvi's
  running minimum and ln B its log odds after each batch.
- "probability_cs": the interval for each category probability theta_i, i.e. the projection of
  {theta : sum c_j ln theta_j >= ln B(k theta0 + c) - ln B(k theta0) + ln alpha}. savvi solves
  the 2d convex programs with cvxpy (about 1e-6 accurate); the exact ends are the roots of the
  profile c_i ln t + (n - c_i) ln(1 - t) + sum_{j != i} c_j ln(c_j / (n - c_i)) (the other
  coordinates at their conditional maximum), solved with mpmath at 40 digits.
"""

import os
import sys

import mpmath as mp
import numpy as np
import savvi  # noqa: F401
from savvi.multinomial import Multinomial

sys.path.insert(0, os.path.dirname(__file__))
from common import write  # noqa: E402

mp.mp.dps = 40


def stream_cases():
    rng = np.random.default_rng(11)
    cases = []
    for i, (theta0, truth, k, batches, size) in enumerate([
        ([1 / 3, 1 / 3, 1 / 3], [1 / 3, 1 / 3, 1 / 3], 100.0, 40, 50),
        ([0.25, 0.25, 0.25, 0.25], [0.26, 0.25, 0.25, 0.24], 100.0, 40, 500),
        ([0.1, 0.2, 0.3, 0.4], [0.1, 0.2, 0.3, 0.4], 50.0, 30, 200),
        ([0.2] * 5, [0.2, 0.2, 0.2, 0.2, 0.2], 100.0, 25, 1),
        ([0.125] * 8, [0.13, 0.125, 0.125, 0.125, 0.125, 0.125, 0.125, 0.12], 1000.0, 30, 2000),
        ([0.5, 0.3, 0.2], [0.45, 0.33, 0.22], 10.0, 20, 100),
    ]):
        t0 = np.array(theta0, dtype=float)
        t0 = t0 / t0.sum()
        model = Multinomial(0.05, t0, k=k)
        stream, p_values, odds = [], [], []
        for _ in range(batches):
            x = rng.multinomial(size, truth).astype(np.int64)
            model.update(x)
            model.p_value = np.fmin(model.p_value, model.calculate_p_value())
            stream.append(x.tolist())
            p_values.append(float(np.atleast_1d(model.p_value)[0]))
            odds.append(float(np.log(model.odds)))
        cases.append({"family": "stream", "id": f"stream{i}", "theta0": t0.tolist(), "k": k,
                      "alpha": 0.05, "batches": stream, "always_valid_p": p_values,
                      "ln_bayes_factor": odds})
    return cases


def exact_cs(counts, theta0, k, alpha):
    c = [mp.mpf(x) for x in counts]
    n = sum(c)
    a0 = [mp.mpf(k) * mp.mpf(t) for t in theta0]
    bound = (sum(mp.loggamma(a + x) for a, x in zip(a0, c)) - mp.loggamma(sum(a0) + n)
             - sum(mp.loggamma(a) for a in a0) + mp.loggamma(sum(a0)) + mp.log(alpha))
    out = []
    for i, ci in enumerate(c):
        rest = n - ci
        others = sum(cj * mp.log(cj / rest) for j, cj in enumerate(c) if j != i and cj > 0)

        def prof(t):
            v = others
            if ci > 0:
                v += ci * mp.log(t)
            if rest > 0:
                v += rest * mp.log(1 - t)
            return v - bound
        mode = ci / n

        def root(inside, outside):
            if outside in (0, 1) and ((outside == 0 and ci == 0) or (outside == 1 and rest == 0)):
                return outside
            a, b = mp.mpf(inside), mp.mpf(outside)
            for _ in range(200):
                m = (a + b) / 2
                if prof(m) >= 0:
                    a = m
                else:
                    b = m
            return (a + b) / 2
        out.append([float(root(mode, 0)), float(root(mode, 1))])
    return out


def cs_cases():
    cases = []
    for (counts, theta0, k) in [
        ([30, 40, 30], [1 / 3, 1 / 3, 1 / 3], 100.0),
        ([520, 480, 1000], [0.25, 0.25, 0.5], 100.0),
        ([5, 12, 33, 50], [0.1, 0.2, 0.3, 0.4], 50.0),
        ([2000, 2100, 1900, 2050, 1950], [0.2] * 5, 100.0),
        ([0, 10, 20], [0.2, 0.3, 0.5], 10.0),
        ([1, 1, 1], [1 / 3, 1 / 3, 1 / 3], 100.0),
    ]:
        t0 = np.array(theta0, dtype=float)
        t0 = t0 / t0.sum()
        model = Multinomial(0.05, t0, k=k)
        model.update(np.array(counts, dtype=np.int64))
        savvi_cs = model.calculate_conf_int().tolist()
        cases.append({"family": "probability_cs", "theta0": t0.tolist(), "k": k, "alpha": 0.05,
                      "counts": counts, "cs": exact_cs(counts, t0.tolist(), k, 0.05),
                      "savvi_cs": savvi_cs})
    return cases


if __name__ == "__main__":
    write("sequential_multinomial",
          "savvi 0.3.1 Multinomial (p-values, cvxpy intervals); exact interval ends by mpmath "
          "(40 digits)",
          stream_cases() + cs_cases())
