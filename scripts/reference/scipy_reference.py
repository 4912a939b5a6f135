#!/usr/bin/env python3
"""Reference values for ecrf_core::stats::binomial and ::special, computed with SciPy.

Writes two JSON files into OUT_DIR (default: the committed fixture directory):

* clopper_pearson.json -- exact (Clopper-Pearson) binomial confidence intervals,
  lower = beta.ppf(alpha/2, x, n-x+1) (0 when x = 0),
  upper = beta.ppf(1-alpha/2, x+1, n-x) (1 when x = n),
  cross-checked against scipy.stats.binomtest(x, n).proportion_ci(method="exact").
* special_functions.json -- scipy.special.betainc, scipy.stats.beta.ppf and
  scipy.stats.norm.ppf on a grid, for the numerical building blocks.

The Rust tests compare against the committed files, and regenerate them into a temporary
directory (when Python and SciPy are installed) to prove the committed files are SciPy's output.

Usage: python3 scripts/reference/scipy_reference.py [OUT_DIR]
"""
import json
import math
import os
import sys

import scipy
from scipy import special, stats

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "..", "crates", "ecrf-core", "tests", "fixtures", "stats")


def clopper_pearson(x, n, level):
    alpha = 1.0 - level
    lower = 0.0 if x == 0 else float(stats.beta.ppf(alpha / 2, x, n - x + 1))
    upper = 1.0 if x == n else float(stats.beta.ppf(1 - alpha / 2, x + 1, n - x))
    ci = stats.binomtest(x, n).proportion_ci(confidence_level=level, method="exact")
    assert abs(ci.low - lower) < 1e-12 and abs(ci.high - upper) < 1e-12, (x, n, level, ci, lower, upper)
    return lower, upper


def cp_table():
    cases = []
    for n in [1, 2, 3, 5, 10, 12, 20, 25, 33, 40, 47, 60]:
        for x in range(0, n + 1):
            cases.append((x, n, 0.95))
    for n in [61, 100, 250, 1000]:
        for x in sorted({0, 1, 2, n // 10, n // 3, n // 2, n - 2, n - 1, n}):
            cases.append((x, n, 0.95))
    for level in [0.80, 0.90, 0.99, 0.999]:
        for x, n in [(0, 1), (1, 1), (0, 20), (7, 20), (20, 20), (0, 60), (13, 60), (42, 60), (60, 60)]:
            cases.append((x, n, level))
    out = []
    for x, n, level in cases:
        lower, upper = clopper_pearson(x, n, level)
        out.append({"x": x, "n": n, "level": level, "lower": lower, "upper": upper})
    return out


def special_table():
    betainc = []
    for a in [0.5, 1.0, 2.0, 7.0, 30.5, 61.0, 400.0]:
        for b in [0.5, 1.0, 3.0, 12.0, 61.0, 600.0]:
            for x in [1e-6, 0.001, 0.05, 0.3, 0.5, 0.77, 0.95, 0.999]:
                betainc.append({"a": a, "b": b, "x": x, "value": float(special.betainc(a, b, x))})
    beta_ppf = []
    for a, b in [(1, 60), (60, 1), (0.5, 0.5), (2, 3), (13, 48), (48, 13), (30, 31), (300, 701), (1, 1)]:
        for p in [1e-10, 1e-4, 0.005, 0.025, 0.05, 0.5, 0.95, 0.975, 0.995, 1 - 1e-6]:
            beta_ppf.append({"a": a, "b": b, "p": p, "value": float(stats.beta.ppf(p, a, b))})
    norm_ppf = []
    for p in [1e-300, 1e-20, 1e-8, 1e-3, 0.0125, 0.025, 0.05, 0.1, 0.3, 0.425, 0.5, 0.575, 0.6,
              0.9, 0.95, 0.975, 0.995, 0.9995, 1 - 1e-9, 1 - 1e-15]:
        norm_ppf.append({"p": p, "value": float(stats.norm.ppf(p))})
    return {"betainc": betainc, "beta_ppf": beta_ppf, "norm_ppf": norm_ppf}


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT
    os.makedirs(out_dir, exist_ok=True)
    versions = {"python": sys.version.split()[0], "scipy": scipy.__version__}
    cp = {
        "generator": "scripts/reference/scipy_reference.py",
        "method": "scipy.stats.beta.ppf, checked against scipy.stats.binomtest(...).proportion_ci(method='exact')",
        "versions": versions,
        "cases": cp_table(),
    }
    sf = {"generator": "scripts/reference/scipy_reference.py", "versions": versions}
    sf.update(special_table())
    for name, doc in [("clopper_pearson.json", cp), ("special_functions.json", sf)]:
        with open(os.path.join(out_dir, name), "w") as f:
            json.dump(doc, f, indent=1, allow_nan=False)
            f.write("\n")


if __name__ == "__main__":
    main()
