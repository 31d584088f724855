"""Exact rational reference values for counterfact_stats::markov (rain model, chains).

Independent of the Rust method: rain probabilities come from stepping the 4-state (yesterday,
today) distribution one day at a time in exact fractions (no lumping, no repeated squaring);
stationary distributions and expected hitting times from exact Gaussian elimination.
"""

import os
import sys
from fractions import Fraction as F

sys.path.insert(0, os.path.dirname(__file__))
from common import write  # noqa: E402

R, N = 0, 1
STATES = [(R, R), (R, N), (N, R), (N, N)]  # (yesterday, today), index a*2+b


def rain_after(params, yesterday, today):
    key = {(R, R): "rr", (N, R): "nr", (R, N): "rn", (N, N): "nn"}[(yesterday, today)]
    return params[key]


def rain_days(params, day1, day2, n):
    if n == 1:
        return F(int(day1 == R))
    if n == 2:
        return F(int(day2 == R))
    dist = {s: F(0) for s in STATES}
    dist[(day1, day2)] = F(1)
    for _ in range(n - 2):
        new = {s: F(0) for s in STATES}
        for (a, b), mass in dist.items():
            if mass == 0:
                continue
            p = rain_after(params, a, b)
            new[(b, R)] += mass * p
            new[(b, N)] += mass * (1 - p)
        dist = new
    return dist[(R, R)] + dist[(N, R)]


def solve(a, b):
    """Exact Gaussian elimination; None when singular."""
    n = len(b)
    a = [row[:] for row in a]
    b = b[:]
    for col in range(n):
        piv = next((r for r in range(col, n) if a[r][col] != 0), None)
        if piv is None:
            return None
        a[col], a[piv] = a[piv], a[col]
        b[col], b[piv] = b[piv], b[col]
        for r in range(n):
            if r != col and a[r][col] != 0:
                f = a[r][col] / a[col][col]
                a[r] = [x - f * y for x, y in zip(a[r], a[col])]
                b[r] -= f * b[col]
    return [b[i] / a[i][i] for i in range(n)]


def stationary(p):
    n = len(p)
    a = [[p[j][i] - (1 if i == j else 0) for j in range(n)] for i in range(n)]
    a[n - 1] = [F(1)] * n
    b = [F(0)] * (n - 1) + [F(1)]
    return solve(a, b)


def rain_matrix(params):
    p = [[F(0)] * 4 for _ in range(4)]
    for i, (a, b) in enumerate(STATES):
        q = rain_after(params, a, b)
        p[i][STATES.index((b, R))] += q
        p[i][STATES.index((b, N))] += 1 - q
    return p


def hitting_times(p, target):
    """Expected steps to reach target; None where infinite (not reached with probability 1)."""
    n = len(p)
    # Probability of ever reaching target by value iteration is not exact; use graph analysis.
    reach = {target}
    changed = True
    while changed:
        changed = False
        for i in range(n):
            if i not in reach and any(p[i][j] > 0 and j in reach for j in range(n)):
                reach.add(i)
                changed = True
    bad = {i for i in range(n) if i not in reach}
    changed = True
    while changed:
        changed = False
        for i in range(n):
            if i != target and i not in bad and any(p[i][j] > 0 and j in bad for j in range(n)):
                bad.add(i)
                changed = True
    fin = [i for i in range(n) if i != target and i not in bad]
    a = [[(1 if r == c else 0) - p[i][j] for c, j in enumerate(fin)] for r, i in enumerate(fin)]
    h = solve(a, [F(1)] * len(fin)) if fin else []
    out = [None] * n
    out[target] = F(0)
    for i, v in zip(fin, h):
        out[i] = v
    return out


def matpow(p, e):
    n = len(p)
    result = [[F(int(i == j)) for j in range(n)] for i in range(n)]
    for _ in range(e):
        result = [[sum(result[i][k] * p[k][j] for k in range(n)) for j in range(n)] for i in range(n)]
    return result


def s(x):
    return None if x is None else f"{x.numerator}/{x.denominator}"


def main():
    cases = []
    models = {
        "four_state": {"rr": F(7, 10), "nr": F(1, 2), "rn": F(2, 5), "nn": F(1, 5)},
        "lumpable": {"rr": F(3, 5), "nr": F(1, 2), "rn": F(1, 4), "nn": F(1, 4)},
        "mostly_dry": {"rr": F(1, 2), "nr": F(1, 10), "rn": F(3, 10), "nn": F(1, 20)},
        "uneven": {"rr": F(9, 11), "nr": F(1, 3), "rn": F(5, 13), "nn": F(1, 17)},
        "period_three": {"rr": F(0), "nr": F(1), "rn": F(1), "nn": F(1)},
    }
    days_list = [1, 2, 3, 4, 5, 7, 10, 20, 50, 100, 1000]
    for name, params in models.items():
        pi = stationary(rain_matrix(params))
        stat_rain = pi[0] + pi[2]
        for day1 in (R, N):
            for day2 in (R, N):
                for n in days_list:
                    value = rain_days(params, day1, day2, n)
                    cases.append({
                        "kind": "rain",
                        "model": name,
                        "params": {k: s(v) for k, v in params.items()},
                        "day1_rain": day1 == R,
                        "day2_rain": day2 == R,
                        "n": n,
                        "exact": s(value),
                        "value": float(value),
                        "stationary_rain": s(stat_rain),
                        "converges": name != "period_three",
                    })
    chains = {
        "three_state": [[F(1, 2), F(1, 3), F(1, 6)], [F(1, 4), F(1, 2), F(1, 4)], [F(0), F(1, 3), F(2, 3)]],
        "lifecycle": [[F(9, 10), F(1, 10), F(0)], [F(3, 10), F(1, 2), F(1, 5)], [F(0), F(0), F(1)]],
        "two_closed": [[F(1), F(0), F(0)], [F(1, 4), F(1, 2), F(1, 4)], [F(0), F(0), F(1)]],
        "unreachable": [[F(1, 2), F(1, 2), F(0)], [F(1, 2), F(1, 2), F(0)], [F(1, 3), F(1, 3), F(1, 3)]],
    }
    for name, p in chains.items():
        pi = stationary(p)
        for e in (0, 1, 2, 5, 64):
            cases.append({
                "kind": "n_step",
                "chain": name,
                "matrix": [[s(x) for x in row] for row in p],
                "steps": e,
                "exact": [[s(x) for x in row] for row in matpow(p, e)],
            })
        cases.append({
            "kind": "stationary",
            "chain": name,
            "matrix": [[s(x) for x in row] for row in p],
            "exact": None if pi is None else [s(x) for x in pi],
        })
        for t in range(len(p)):
            cases.append({
                "kind": "hitting",
                "chain": name,
                "matrix": [[s(x) for x in row] for row in p],
                "target": t,
                "exact": [s(x) for x in hitting_times(p, t)],
            })
    write("markov", "exact fractions (Python fractions.Fraction), tests/reference/gen_markov.py", cases)


if __name__ == "__main__":
    main()
