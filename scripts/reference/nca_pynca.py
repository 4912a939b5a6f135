#!/usr/bin/env python3
"""AUC(0-28 days) of the NCA test profiles computed with pynca, a third-party NCA package.

pynca (a Python port of the R package NonCompart) is independent of the eCRF's code. Its
IntAUCAUMC() integrates over an interval with linear trapezoids (down="Linear") or
linear-up/log-down (down="Log"), interpolating at the interval ends (log on a decreasing segment
with both ends > 0 under "Log", linear otherwise), like PKNCA's aucint. It differs from PKNCA's
aucint.all only past the last quantifiable sample (pynca extrapolates with lambda-z), so only the
cases marked "pynca": true in cases.json -- those that need no extrapolation -- are computed.

pynca has no BLQ rules; they are applied here first, as PKNCA's defaults (and the eCRF's rules)
say: missing values dropped; BLQ before the first and after the last quantifiable value set to
0; BLQ between quantifiable values dropped.

Usage: python3 scripts/reference/nca_pynca.py [CASES_JSON] [OUT_FILE]
"""
import importlib.metadata
import json
import os
import sys
import warnings

import numpy as np

warnings.filterwarnings("ignore")
import pynca.tools as pynca_tools  # noqa: E402  (imports matplotlib and friends)

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "crates", "ecrf-core", "tests", "fixtures", "stats", "nca")


def clean(samples):
    rows = sorted((s["t"], s) for s in samples if not s.get("missing"))
    times = [t for t, _ in rows]
    conc = [float(s["value"]) if "value" in s else 0.0 for _, s in rows]
    positive = [i for i, c in enumerate(conc) if c > 0]
    if not positive:
        return np.array(times, dtype=float), np.array(conc, dtype=float)
    first, last = positive[0], positive[-1]
    keep = [i for i in range(len(conc)) if not (first < i < last and conc[i] == 0)]
    return np.array([times[i] for i in keep], dtype=float), np.array([conc[i] for i in keep], dtype=float)


def main():
    cases_file = sys.argv[1] if len(sys.argv) > 1 else os.path.join(FIXTURES, "cases.json")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(FIXTURES, "pynca_expected.json")
    cases = json.load(open(cases_file))["cases"]
    results = []
    for case in cases:
        if not case["pynca"]:
            continue
        x, y = clean(case["samples"])
        tlast = float(x[y > 0].max())
        res = {"TLST": tlast, "LAMZ": np.nan, "b0": np.nan}
        lin_log = float(pynca_tools.IntAUCAUMC(x, y, 0.0, 28.0, res, down="Log"))
        linear = float(pynca_tools.IntAUCAUMC(x, y, 0.0, 28.0, res, down="Linear"))
        assert np.isfinite(lin_log) and np.isfinite(linear), case["name"]
        results.append({"name": case["name"], "auc_0_28_lin_up_log_down": lin_log, "auc_0_28_linear": linear})
    doc = {
        "generator": "scripts/reference/nca_pynca.py",
        "method": "pynca.tools.IntAUCAUMC(x, y, 0, 28, down='Log' | 'Linear') after the BLQ rules",
        "versions": {
            "python": sys.version.split()[0],
            "pynca": importlib.metadata.version("pynca"),
            "numpy": np.__version__,
        },
        "cases": results,
    }
    with open(out, "w") as f:
        json.dump(doc, f, indent=1, allow_nan=False)
        f.write("\n")


if __name__ == "__main__":
    main()
