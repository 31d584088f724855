"""Helpers shared by the reference generators: where fixtures go and how they are written."""

import json
import math
import pathlib
import sys

import mpmath
import numpy
import scipy
import statsmodels

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"

VERSIONS = {
    "python": sys.version.split()[0],
    "numpy": numpy.__version__,
    "scipy": scipy.__version__,
    "statsmodels": statsmodels.__version__,
    "mpmath": mpmath.__version__,
}


def clean(value):
    """Make a value JSON-safe: non-finite floats become strings "inf", "-inf", "nan"."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, (numpy.floating, float)):
        v = float(value)
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v
    if isinstance(value, (numpy.integer,)):
        return int(value)
    if isinstance(value, numpy.bool_):
        return bool(value)
    if isinstance(value, numpy.ndarray):
        return clean(value.tolist())
    return value


def write(area, source, cases):
    """Write tests/data/<area>.json with the generator's versions and the cases."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"{area}.json"
    doc = {"source": source, "versions": VERSIONS, "cases": clean(cases)}
    path.write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n")
    print(f"wrote {len(cases)} cases to {path.relative_to(ROOT)}")
