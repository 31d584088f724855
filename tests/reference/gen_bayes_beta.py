"""mpmath reference values for the exact beta-binomial readout (tests/data/bayes_beta.json).

- "quantile": equal-tailed credible intervals of one Beta(a, b) posterior, i.e. Beta quantiles,
  solved at 50 digits (bisection on the regularized incomplete beta).
- "risk": expected losses E[(p_t - p_c)+] and E[(p_c - p_t)+] of two independent Beta
  posteriors, by mpmath tanh-sinh quadrature at 30 digits of
  E[(L - H)+] = int f_L(y) E[(y - H)+] dy over the arm L with the lower mean, where
  E[(y - H)+] = (y - m_H) F_H(y) + y (1 - y) f_H(y) / (a_H + b_H)
  (from I_y(a + 1, b) = I_y(a, b) - y^a (1 - y)^b / (a B(a, b))); the other risk adds
  m_H - m_L. The identity is checked against the direct double integral
  int int (y - t)+ f_L(y) f_H(t) dt dy on a small case below.

- "lift_ci": the equal-tailed credible interval of the absolute lift p_t - p_c or the relative
  lift p_t / p_c - 1 (shapes up to 1,000): Newton's method at 20 digits on
  P(lift <= r) = int f_c(y) F_t(g(y)) dy with g(y) = y + r or (1 + r) y, whose derivative is
  int f_c(y) f_t(g(y)) dg/dr dy, both by tanh-sinh quadrature split at both arms' landmarks.

The regularized incomplete beta F(y) is mpmath's betainc for shapes below 5,000. For larger
shapes betainc's hypergeometric series takes minutes per call, so F is accumulated from exact
quadratures of the density over a grid of anchors a quarter standard deviation apart (the mass
below mean - 60 sd is below 1e-700), and F at any y is the anchor's value plus the quadrature
from the anchor to y. The density is evaluated in log space at the working precision, so the
~1e7-sized terms of ln f cancel exactly.
"""

import bisect
import os
import sys

import mpmath as mp

sys.path.insert(0, os.path.dirname(__file__))
from common import write  # noqa: E402


class BetaRef:
    def __init__(self, a, b):
        self.a, self.b = mp.mpf(a), mp.mpf(b)
        self.lnb = mp.loggamma(self.a) + mp.loggamma(self.b) - mp.loggamma(self.a + self.b)
        s = self.a + self.b
        self.mean = self.a / s
        self.sd = mp.sqrt(self.a * self.b / (s * s * (s + 1)))
        self.large = max(a, b) >= 5000
        if self.large:
            lo = max(mp.mpf(0), self.mean - 60 * self.sd)
            hi = min(mp.mpf(1), self.mean + 60 * self.sd)
            step = self.sd / 4
            self.anchors = [lo]
            while self.anchors[-1] + step < hi:
                self.anchors.append(self.anchors[-1] + step)
            self.anchors.append(hi)
            self.cum = [mp.mpf(0)]
            for u, v in zip(self.anchors, self.anchors[1:]):
                self.cum.append(self.cum[-1] + mp.quad(self.pdf, [u, v]))
            assert abs(self.cum[-1] - 1) < mp.mpf(10) ** (-(mp.mp.dps - 12)), self.cum[-1]

    def pdf(self, x):
        if x <= 0 or x >= 1:
            return mp.mpf(0)
        return mp.exp((self.a - 1) * mp.log(x) + (self.b - 1) * mp.log1p(-x) - self.lnb)

    def cdf(self, x):
        if x <= 0:
            return mp.mpf(0)
        if x >= 1:
            return mp.mpf(1)
        if not self.large:
            return mp.betainc(self.a, self.b, 0, x, regularized=True)
        if x <= self.anchors[0]:
            return mp.mpf(0)
        if x >= self.anchors[-1]:
            return mp.mpf(1)
        i = bisect.bisect_right(self.anchors, x) - 1
        return self.cum[i] + mp.quad(self.pdf, [self.anchors[i], x])

    def partial_below(self, y):
        """E[(y - X)+]."""
        return (y - self.mean) * self.cdf(y) + y * (1 - y) * self.pdf(y) / (self.a + self.b)

    def quantile(self, p):
        """Bisection to 1e-6 of the range, then Newton steps (the density is the derivative)."""
        lo, hi = mp.mpf(0), mp.mpf(1)
        if self.large:
            lo, hi = self.anchors[0], self.anchors[-1]
        width = hi - lo
        while hi - lo > width * mp.mpf("1e-6"):
            mid = (lo + hi) / 2
            if self.cdf(mid) < p:
                lo = mid
            else:
                hi = mid
        x = (lo + hi) / 2
        for _ in range(60):
            step = (self.cdf(x) - p) / self.pdf(x)
            x -= step
            if abs(step) <= abs(x) * mp.mpf(10) ** (-(mp.mp.dps - 3)):
                break
        else:
            raise RuntimeError("Newton did not converge")
        return x


def landmarks(arm, other):
    pts = set()
    for d in (arm, other):
        for k in (-40, -20, -10, -6, -4, -2, -1, 0, 1, 2, 4, 6, 10, 20, 40):
            x = d.mean + k * d.sd
            if 0 < x < 1:
                pts.add(x)
    lo = max(mp.mpf(0), arm.mean - 45 * arm.sd)
    hi = min(mp.mpf(1), arm.mean + 45 * arm.sd)
    return [lo] + sorted(x for x in pts if lo < x < hi) + [hi]


def risks(ac, bc, at, bt):
    c, t = BetaRef(ac, bc), BetaRef(at, bt)
    low, high = (c, t) if c.mean <= t.mean else (t, c)
    small = mp.quad(lambda y: low.pdf(y) * high.partial_below(y), landmarks(low, high))
    large = small + (high.mean - low.mean)
    # (risk_control, risk_treatment) = (E[(p_t - p_c)+], E[(p_c - p_t)+]).
    return (large, small) if c.mean <= t.mean else (small, large)


def check_identity():
    mp.mp.dps = 20
    lo, hi = BetaRef(3, 7), BetaRef(5, 6)
    direct = mp.quad(lambda y: lo.pdf(y) * mp.quad(lambda t: (y - t) * hi.pdf(t), [0, y]), [0, 1])
    ident = mp.quad(lambda y: lo.pdf(y) * hi.partial_below(y), [0, 1])
    assert abs(direct - ident) < mp.mpf(10) ** -15, (direct, ident)


def quantile_cases():
    mp.mp.dps = 50
    out = []
    for (a, b) in [(1, 1), (0.5, 0.5), (2, 9), (0.5, 20.5), (101, 901), (1001, 9001), (30, 2),
                   (31000, 969000), (1e7, 1e7), (1e7 + 1, 9e7 + 1), (1.5, 3000.5)]:
        d = BetaRef(a, b)
        for conf in (0.95, 0.9, 0.99):
            lo = d.quantile((1 - mp.mpf(conf)) / 2)
            hi = d.quantile((1 + mp.mpf(conf)) / 2)
            print(a, b, conf, lo, hi, flush=True)
            out.append({"kind": "quantile", "shape": [a, b], "confidence": conf,
                        "ci": [float(lo), float(hi)]})
    return out


def risk_cases():
    mp.mp.dps = 30
    small = [(1, 1, 1, 1), (2, 9, 4, 7), (11, 91, 15, 87), (101, 901, 121, 881),
             (0.5, 20.5, 3.5, 17.5), (31, 971, 45, 957), (401, 4601, 381, 4621), (1, 1, 3, 1),
             (1001, 9001, 1101, 8901), (5, 5, 5, 6), (151, 151, 171, 131), (30, 2, 28, 4)]
    large = [(1e7, 1e7, 1e7 + 3000, 1e7 - 3000), (1e7, 1e7, 1e7 + 100, 1e7 - 100),
             (1e6 + 1, 9e6 + 1, 1.0015e6 + 1, 8.9985e6 + 1), (1e7, 1e7, 1e7 - 20000, 1e7 + 20000),
             (3.1e4, 9.69e5, 3.15e4, 9.685e5), (1e7 + 1, 9e7 + 1, 1.0006e7 + 1, 8.9994e7 + 1),
             (1e7, 1e7, 1e7, 1e7)]
    out = []
    for (ac, bc, at, bt) in small + large:
        rc, rt = risks(ac, bc, at, bt)
        print(ac, bc, at, bt, rc, rt, flush=True)
        out.append({"kind": "risk", "control": [ac, bc], "treatment": [at, bt],
                    "risk_control": float(rc), "risk_treatment": float(rt)})
    return out


def lift_quantile(c, t, scale, p):
    def g(y, r):
        return y + r if scale == "absolute" else (1 + r) * y

    def dg(y):
        return 1 if scale == "absolute" else y

    def pts(r):
        out = {mp.mpf(0), mp.mpf(1)}
        for k in (-40, -10, -6, -3, -1, 0, 1, 3, 6, 10, 40):
            out.add(c.mean + k * c.sd)
            x = t.mean + k * t.sd
            out.add(x - r if scale == "absolute" else x / (1 + r))
        if scale == "absolute":
            out.update({-r, 1 - r})
        else:
            out.add(1 / (1 + r))
        return sorted(x for x in out if 0 <= x <= 1)

    def cdf(r):
        return mp.quad(lambda y: c.pdf(y) * t.cdf(g(y, r)), pts(r))

    def dens(r):
        return mp.quad(lambda y: c.pdf(y) * t.pdf(g(y, r)) * dg(y), pts(r))

    sd = mp.sqrt(c.sd ** 2 + t.sd ** 2)
    # Safeguarded Newton: keep a bracket [lo, hi] with cdf(lo) < p <= cdf(hi); a step that
    # leaves it (or a zero density) bisects instead.
    lo = mp.mpf(-1)
    hi = mp.mpf(1)
    if scale == "relative":
        hi = t.mean / c.mean
        while cdf(hi) < p:
            lo, hi = hi, 2 * hi + 1
    r = (lo + hi) / 2
    for _ in range(200):
        f = cdf(r) - p
        if f < 0:
            lo = r
        else:
            hi = r
        d = dens(r)
        new = r - f / d if d > 0 else (lo + hi) / 2
        if not lo < new < hi:
            new = (lo + hi) / 2
        step = new - r
        r = new
        if abs(step) <= mp.mpf(10) ** (-(mp.mp.dps - 3)) * max(abs(r), sd):
            return r
    raise RuntimeError("lift quantile did not converge")


def lift_cases():
    mp.mp.dps = 20
    out = []
    for (ac, bc, at, bt, conf) in [(2, 9, 4, 7, 0.95), (101, 901, 121, 881, 0.95),
                                   (11, 91, 15, 87, 0.9), (1, 1, 3, 1, 0.9)]:
        c, t = BetaRef(ac, bc), BetaRef(at, bt)
        for scale in ("absolute", "relative"):
            tail = (1 - mp.mpf(conf)) / 2
            lo, hi = lift_quantile(c, t, scale, tail), lift_quantile(c, t, scale, 1 - tail)
            print(ac, bc, at, bt, scale, lo, hi, flush=True)
            out.append({"kind": "lift_ci", "control": [ac, bc], "treatment": [at, bt],
                        "scale": scale, "confidence": conf, "ci": [float(lo), float(hi)],
                        "sd": float(mp.sqrt(c.sd ** 2 + t.sd ** 2))})
    return out


if __name__ == "__main__":
    check_identity()
    write("bayes_beta",
          "mpmath: Beta quantiles at 50 digits; expected losses by tanh-sinh quadrature at 30 "
          "digits (gen_bayes_beta.py)",
          quantile_cases() + risk_cases() + lift_cases())
