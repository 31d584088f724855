"""Reference values for counterfact-design's hash schemes and GrowthBook-compatible allocation.

Needs growthbook==4.0.0 and planout==0.6.0 (plus six) beside the pinned numeric stack:
    python3 -m venv tests/reference/.venv
    tests/reference/.venv/bin/pip install -r tests/reference/requirements.txt
    tests/reference/.venv/bin/python tests/reference/gen_design_hash.py

Writes tests/data/design_hash.json with:
- gb_published: GrowthBook's own SDK conformance vectors (packages/sdk-js/test/cases.json,
  section "hash"), copied as data, and re-checked here against the Python SDK;
- gb_hash: the Python SDK's gbhash(seed, value, version) on generated strings (ASCII and not);
- gb_choose: getBucketRanges(n, coverage, weights) and chooseVariation on hashed ids;
- gb_namespace: inNamespace(id, (name, lo, hi));
- planout_published: PlanOut's own test expectations (test_assignment.py: UniformChoice);
- planout_uniform / planout_weighted: PlanOut's getHash/getUniform and WeightedChoice.
"""

import collections
import collections.abc
import random
import sys
from os.path import dirname

sys.path.insert(0, dirname(__file__))
from common import VERSIONS, write  # noqa: E402

# planout 0.6.0 predates Python 3.10, where collections.MutableMapping moved to
# collections.abc; restore the alias so that its unchanged code imports.
collections.MutableMapping = collections.abc.MutableMapping

import growthbook  # noqa: E402
from growthbook.core import chooseVariation, gbhash, getBucketRanges, inNamespace  # noqa: E402
import planout  # noqa: E402,F401
from planout.assignment import Assignment  # noqa: E402
from planout.ops.random import RandomFloat, WeightedChoice  # noqa: E402

VERSIONS["growthbook"] = "4.0.0"
VERSIONS["planout"] = "0.6.0"

# GrowthBook cases.json "hash": [seed, value, version, expected]; version 99 → null is an
# unknown version, which counterfact's typed scheme cannot express, so it is left out.
GB_PUBLISHED = [
    ["", "a", 1, 0.22],
    ["", "b", 1, 0.077],
    ["b", "a", 1, 0.946],
    ["ef", "d", 1, 0.652],
    ["asdf", "8952klfjas09ujk", 1, 0.549],
    ["", "123", 1, 0.011],
    ["", '___)((*":&', 1, 0.563],
    ["seed", "a", 2, 0.0505],
    ["seed", "b", 2, 0.2696],
    ["foo", "ab", 2, 0.2575],
    ["foo", "def", 2, 0.2019],
    ["89123klj", "8952klfjas09ujkasdf", 2, 0.124],
    ["90850943850283058242805", "123", 2, 0.7516],
    ["()**(%$##$%#$#", '___)((*":&', 2, 0.0128],
]

# PlanOut test_assignment.py (experiment salt 'test_salt', unit 4): UniformChoice picks
# choices[hash % len(choices)]; foo over ['a','b'] is 'b', bar and baz 'a', foo over range(8) 7.
PLANOUT_PUBLISHED = [
    ["test_salt.foo", "4", 2, 1],
    ["test_salt.bar", "4", 2, 0],
    ["test_salt.baz", "4", 2, 0],
    ["test_salt.foo", "4", 8, 7],
]

ASCII = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/@ "
UNICODE = "éüßñ中文日本語ё한😀🎉"


def random_string(rng, unicode=False, max_len=24):
    n = rng.randint(0, max_len)
    alphabet = ASCII + (UNICODE if unicode else "")
    return "".join(rng.choice(alphabet) for _ in range(n))


def random_weights(rng, k):
    raw = [rng.randint(0, 100) for _ in range(k)]
    if sum(raw) == 0:
        raw[0] = 1
    total = sum(raw)
    return [r / total for r in raw]


def main():
    rng = random.Random(20261127)
    cases = []

    for seed, value, version, expected in GB_PUBLISHED:
        got = gbhash(seed, value, version)
        assert got == expected, (seed, value, version, got, expected)
        cases.append(
            {"kind": "gb_published", "seed": seed, "value": value, "version": version, "bucket": expected}
        )

    for i in range(600):
        seed = random_string(rng, unicode=i % 3 == 0)
        value = random_string(rng, unicode=i % 4 == 0)
        version = 1 + i % 2
        cases.append(
            {
                "kind": "gb_hash",
                "seed": seed,
                "value": value,
                "version": version,
                "bucket": gbhash(seed, value, version),
            }
        )

    for i in range(150):
        k = rng.randint(1, 5)
        weights = random_weights(rng, k)
        coverage = rng.choice([1.0, 0.5, 0.2, rng.random()])
        version = 1 + i % 2
        seed = random_string(rng, max_len=12)
        ranges = getBucketRanges(k, coverage, weights)
        ids = [random_string(rng, unicode=j % 5 == 0, max_len=16) for j in range(20)]
        chosen = [chooseVariation(gbhash(seed, u, version), ranges) for u in ids]
        cases.append(
            {
                "kind": "gb_choose",
                "seed": seed,
                "version": version,
                "weights": weights,
                "coverage": coverage,
                "ranges": [list(r) for r in ranges],
                "ids": ids,
                "variations": chosen,
            }
        )

    for i in range(50):
        name = random_string(rng, max_len=10)
        lo = rng.random() * 0.6
        hi = lo + rng.random() * (1 - lo)
        ids = [random_string(rng, max_len=16) for _ in range(20)]
        cases.append(
            {
                "kind": "gb_namespace",
                "name": name,
                "lo": lo,
                "hi": hi,
                "ids": ids,
                "inside": [inNamespace(u, (name, lo, hi)) for u in ids],
            }
        )

    for salt, unit, modulus, expected in PLANOUT_PUBLISHED:
        cases.append(
            {"kind": "planout_published", "salt": salt, "unit": unit, "modulus": modulus, "expected": expected}
        )

    for i in range(400):
        exp_salt = random_string(rng, max_len=12)
        param = "p" + random_string(rng, max_len=8).replace(" ", "_")
        unit = random_string(rng, max_len=20) if i % 2 else str(rng.randint(0, 10**12))
        op = RandomFloat(min=0.0, max=1.0, unit=unit, salt=param)
        op.mapper = Assignment(exp_salt)
        cases.append(
            {
                "kind": "planout_uniform",
                "exp_salt": exp_salt,
                "param_salt": param,
                "unit": unit,
                "hash": op.getHash(),
                "uniform": op.getUniform(0.0, 1.0),
            }
        )

    for i in range(60):
        exp_salt = "exp" + str(i)
        k = rng.randint(1, 4)
        weights = [rng.randint(1, 9) for _ in range(k)]
        choices = list(range(k))
        units = [str(rng.randint(0, 10**9)) for _ in range(20)]
        chosen = []
        for u in units:
            a = Assignment(exp_salt)
            a.v = WeightedChoice(choices=choices, weights=weights, unit=u)
            chosen.append(a.v)
        cases.append(
            {
                "kind": "planout_weighted",
                "exp_salt": exp_salt,
                "param_salt": "v",
                "weights": weights,
                "units": units,
                "variations": chosen,
            }
        )

    write(
        "design_hash",
        f"growthbook {growthbook.__version__ if hasattr(growthbook, '__version__') else '4.0.0'} "
        "(gbhash, getBucketRanges, chooseVariation, inNamespace) and planout 0.6.0 "
        "(PlanOutOpRandom.getHash/getUniform, WeightedChoice); GrowthBook cases.json and PlanOut "
        "test_assignment.py published vectors",
        cases,
    )


if __name__ == "__main__":
    main()
