"""Prints the coefficient table of src/dist/temme.rs: d[k][n] with C_k(η) = Σ_n d[k][n] η^n in
Temme's uniform asymptotic expansion of the incomplete gamma ratio (Temme 1979; DiDonato &
Morris 1986, ACM TOMS 12),

    Q(a, x) = ½ erfc(η √(a/2)) + e^{−aη²/2} / √(2πa) · Σ_k C_k(η) a^{−k},
    η²/2 = μ − ln(1 + μ),  μ = x/a − 1,  sign(η) = sign(μ).

C_0 = 1/μ − 1/η and C_k = (1/η) C_{k−1}' + (−1)^k γ_k / μ, where γ_k are the Stirling
coefficients of Γ*(a) = Γ(a) / (√(2π/a) (a/e)^a). The series are computed exactly enough with
mpmath at 60 digits by series reversion; the 1/η poles cancel in every C_k, which the script
asserts (a check on the γ_k and the recursion).

Run: tests/reference/.venv/bin/python tests/reference/temme_coefficients.py > /tmp/table.rs
"""

from fractions import Fraction as Fr

from mpmath import mp, mpf, sqrt

mp.dps = 60
N = 48  # order of the η series of C_0
K = 8  # number of C_k terms

GAMMA_STAR = [Fr(1), Fr(1, 12), Fr(1, 288), Fr(-139, 51840), Fr(-571, 2488320),
              Fr(163879, 209018880), Fr(5246819, 75246796800),
              Fr(-534703531, 902961561600), Fr(-4483131259, 86684309913600)]


def mul(a, b):
    c = [mpf(0)] * N
    for i, x in enumerate(a):
        if x:
            for j in range(N - i):
                c[i + j] += x * b[j]
    return c


def recip(a):
    r = [mpf(0)] * N
    r[0] = 1 / a[0]
    for n in range(1, N):
        r[n] = -sum(a[k] * r[n - k] for k in range(1, n + 1)) / a[0]
    return r


def sqrt_series(a):
    r = [mpf(0)] * N
    r[0] = sqrt(a[0])
    for n in range(1, N):
        r[n] = (a[n] - sum(r[k] * r[n - k] for k in range(1, n))) / (2 * r[0])
    return r


def compose(g, m):
    res = [mpf(0)] * N
    for coef in reversed(g):
        res = mul(res, m)
        res[0] += coef
    return res


def main():
    # η = μ g(μ) with g = sqrt(2(μ − ln(1+μ))/μ²); revert by fixed-point iteration μ = η / g(μ).
    g = sqrt_series([2 * mpf(-1) ** j / (j + 2) for j in range(N)])
    ginv = recip(g)
    mu = [mpf(0)] * N
    mu[1] = mpf(1)
    for _ in range(N + 1):
        mu = [mpf(0)] + compose(ginv, mu)[: N - 1]
    # h = 1/μ − 1/η as a power series.
    h = recip(mu[1:] + [mpf(0)])[1:] + [mpf(0)]
    rows = [h[: N - 1]]
    for k in range(1, K):
        prev = rows[-1]
        s = (-1) ** k * mpf(GAMMA_STAR[k].numerator) / GAMMA_STAR[k].denominator
        assert abs(prev[1] + s) < mpf(10) ** -50, f"pole of C_{k} does not cancel"
        rows.append([(n + 2) * prev[n + 2] + s * h[n] for n in range(len(prev) - 2)])
    print(f"pub(super) const TEMME_D: [&[f64]; {K}] = [")
    for row in rows:
        print("    &[")
        for x in row:
            print(f"        {float(x)!r},")
        print("    ],")
    print("];")


main()
