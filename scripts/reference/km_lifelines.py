#!/usr/bin/env python3
"""Expected Kaplan-Meier results for the ecrf_core::stats::km tests, computed with lifelines.

For every dataset in DATASETS_DIR (made by km_datasets.py) this fits
lifelines.KaplanMeierFitter (alpha = 0.05) and records:

* one row per distinct observed time (lifelines' event_table without the row it adds at time 0
  when nobody has that time): at_risk, observed (events), censored, survival_function_,
  the Greenwood sum of d/(n(n-d)) (the fitter's _cumulative_sq_, which is Var(log S)), and
  confidence_interval_ (lifelines' default: the "exponential Greenwood" log(-log S) bands);
* median_survival_time_ and median_survival_times(confidence_interval_) -- the first time the
  lower band is <= 0.5 (the lower limit) and the first time the upper band is <= 0.5 (the upper
  limit); lifelines' inf (never reached) is written as null;
* at each landmark time: survival_function_at_times, and survival_function_ /
  confidence_interval_ of a second fit with timeline = the landmarks (lifelines carries the
  estimate forward from the last observed time at or before the landmark); the number at risk
  #{T >= t} read from the event table; beyond_follow_up = the landmark is after the largest
  observed time.

Usage: python3 scripts/reference/km_lifelines.py [DATASETS_DIR] [OUT_FILE]
"""
import glob
import json
import math
import os
import sys

import lifelines
import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.utils import median_survival_times

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "crates", "ecrf-core", "tests", "fixtures", "stats", "km")


def num(x):
    x = float(x)
    return None if math.isinf(x) else x


def expected(dataset):
    durations = np.array([s["time"] for s in dataset["subjects"]], dtype=float)
    events = np.array([s["event"] for s in dataset["subjects"]], dtype=bool)
    kmf = KaplanMeierFitter(alpha=0.05).fit(durations, events)
    et = kmf.event_table
    sf = kmf.survival_function_.iloc[:, 0]
    ci = kmf.confidence_interval_
    cum_sq = kmf._cumulative_sq_
    rows = []
    for t in et.index:
        if et.loc[t, "removed"] == 0:
            continue  # the row lifelines adds at time 0 when nobody has time 0
        rows.append({
            "time": float(t),
            "at_risk": int(et.loc[t, "at_risk"]),
            "events": int(et.loc[t, "observed"]),
            "censored": int(et.loc[t, "censored"]),
            "survival": float(sf.loc[t]),
            "greenwood_sum": float(cum_sq.loc[t]),
            "lower": float(ci.iloc[:, 0].loc[t]),
            "upper": float(ci.iloc[:, 1].loc[t]),
        })
    med_ci = median_survival_times(kmf.confidence_interval_)
    assert list(med_ci.columns) == list(ci.columns)  # lower band column first, upper second

    landmarks = [float(t) for t in dataset["landmarks"]]
    at_times = kmf.survival_function_at_times(landmarks)
    kmf_lm = KaplanMeierFitter(alpha=0.05).fit(durations, events, timeline=landmarks)
    lm = []
    for t in landmarks:
        later = et.index[et.index >= t]
        at_risk = int(et.loc[later[0], "at_risk"]) if len(later) else 0
        assert at_risk == int((durations >= t).sum())
        s = float(kmf_lm.survival_function_.iloc[:, 0].loc[t])
        assert s == float(at_times.loc[t])
        lm.append({
            "time": t,
            "survival": s,
            "lower": float(kmf_lm.confidence_interval_.iloc[:, 0].loc[t]),
            "upper": float(kmf_lm.confidence_interval_.iloc[:, 1].loc[t]),
            "at_risk": at_risk,
            "beyond_follow_up": bool(t > durations.max()),
        })
    return {
        "name": dataset["name"],
        "n": int(len(durations)),
        "events": int(events.sum()),
        "rows": rows,
        "median": num(kmf.median_survival_time_),
        "median_ci_lower": num(med_ci.iloc[0, 0]),
        "median_ci_upper": num(med_ci.iloc[0, 1]),
        "landmarks": lm,
    }


def main():
    datasets_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(FIXTURES, "datasets")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(FIXTURES, "lifelines_expected.json")
    files = sorted(glob.glob(os.path.join(datasets_dir, "*.json")))
    assert files, f"no datasets in {datasets_dir}"
    doc = {
        "generator": "scripts/reference/km_lifelines.py",
        "versions": {
            "python": sys.version.split()[0],
            "lifelines": lifelines.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
        },
        "datasets": [expected(json.load(open(f))) for f in files],
    }
    with open(out, "w") as f:
        json.dump(doc, f, indent=1, allow_nan=False)
        f.write("\n")


if __name__ == "__main__":
    main()
