#!/usr/bin/env python3
"""Makes the Kaplan-Meier input datasets (JSON) for the ecrf_core::stats::km tests.

The datasets look like the trial's time-to-event data: times in whole days from the CAR-T
infusion (day 0), follow-up up to 3 years (1095 days), staggered enrolment so that
administrative censoring varies, a cure fraction (the plateau typical after CAR-T), and ties
(events and censorings on the same day). Each dataset is made for one situation:

* os_120            -- 120 subjects, OS-like, median reached, ~45% censored.
* pfs_80_upper_open -- 80 subjects, PFS-like, median reached but the upper 95% band never
                       falls to 0.5 (the median's upper confidence limit is not reached).
* dor_60_not_reached-- 60 responders, DOR-like, median not reached (~60% censored).
* early_cut_45      -- 45 subjects at an early data cut: neither the median nor either limit
                       of its confidence interval is reached.
* plateau_40        -- 40 subjects built by hand so that S(t) is exactly 0.5 on a plateau
                       (20 events before any censoring), then falls again.
* all_events_12     -- 12 subjects, the last one an event, so S falls to 0 (the variance
                       term d/(n(n-d)) with d = n), ties and an event on day 0.

The random ones are drawn with numpy's PCG64 generator from fixed seeds; the first seed whose
data meet the dataset's condition (checked with lifelines) is taken, so the script is
deterministic. The committed JSON files are the inputs; expected values come from
km_lifelines.py.

Usage: python3 scripts/reference/km_datasets.py [OUT_DIR]
"""
import json
import os
import sys

import numpy as np
from lifelines import KaplanMeierFitter
from lifelines.utils import median_survival_times

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "..", "crates", "ecrf-core", "tests", "fixtures", "stats", "km", "datasets")
LANDMARKS = [0, 1, 28, 91, 182, 365, 548, 730, 1095, 1200]


def draw(seed, n, cure, median_days, accrual_days, dropout_per_year, ties_extra=3):
    """Times and events: cure fraction, exponential event times, staggered entry, dropout."""
    rng = np.random.default_rng(seed)
    cured = rng.random(n) < cure
    event_t = rng.exponential(median_days / np.log(2), n)
    event_t[cured] = np.inf
    entry = rng.uniform(0, accrual_days, n)
    # data cut two years after the last enrolment; follow-up is capped at 3 years
    admin = np.minimum(accrual_days + 730.0 - entry, 1095.0)
    dropout = rng.exponential(365.0 / dropout_per_year, n)
    cens_t = np.minimum(admin, dropout)
    time = np.ceil(np.minimum(event_t, cens_t))
    event = event_t <= cens_t
    # a few forced ties between an event and a censoring on the same day
    ev_idx = np.flatnonzero(event)
    ce_idx = np.flatnonzero(~event)
    for k in range(min(ties_extra, len(ev_idx), len(ce_idx))):
        time[ce_idx[k]] = time[ev_idx[k]]
    return [{"time": float(t), "event": bool(e)} for t, e in zip(time, event)]


def km(subjects):
    k = KaplanMeierFitter().fit([s["time"] for s in subjects], [s["event"] for s in subjects])
    ci = median_survival_times(k.confidence_interval_)
    return k, float(k.median_survival_time_), float(ci.iloc[0, 0]), float(ci.iloc[0, 1])


def pick(name, cond, transform=lambda s: s, **kw):
    for seed in range(1000, 2000):
        subjects = transform(draw(seed, **kw))
        k, med, lo, hi = km(subjects)
        if cond(subjects, med, lo, hi):
            return seed, subjects
    raise SystemExit(f"{name}: no seed met the condition")


def censored_share(subjects):
    return sum(not s["event"] for s in subjects) / len(subjects)


def plateau_40():
    # 20 events among the first 20 subjects, no censoring before them: S = 20/40 = 0.5 exactly
    # from day 120 on, a plateau of censorings, then 5 more events and 10 censorings.
    t = [10, 15, 15, 22, 30, 30, 30, 41, 50, 58, 60, 60, 75, 80, 90, 90, 95, 101, 110, 120]
    e = [True] * 20
    t += [130, 140, 150, 160, 170]
    e += [False] * 5
    t += [200, 210, 230, 260, 300]
    e += [True] * 5
    t += [300, 350, 400, 450, 500, 550, 600, 700, 800, 900]
    e += [False] * 10
    return [{"time": float(a), "event": b} for a, b in zip(t, e)]


def all_events_12():
    t = [0, 3, 3, 7, 7, 7, 12, 20, 20, 33, 41, 60]
    e = [True, True, False, True, True, False, True, True, True, False, True, True]
    return [{"time": float(a), "event": b} for a, b in zip(t, e)]


def dumps_one_subject_per_line(doc):
    head = {k: v for k, v in doc.items() if k != "subjects"}
    text = json.dumps(head, indent=1, allow_nan=False)[:-2]
    rows = ",\n  ".join(json.dumps(s, allow_nan=False) for s in doc["subjects"])
    return text + ',\n "subjects": [\n  ' + rows + "\n ]\n}\n"


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT
    os.makedirs(out_dir, exist_ok=True)
    sets = []

    seed, s = pick(
        "os_120",
        lambda s, med, lo, hi: np.isfinite(med) and np.isfinite(hi) and 0.35 <= censored_share(s) <= 0.55,
        n=120, cure=0.3, median_days=300, accrual_days=720, dropout_per_year=0.05)
    sets.append(("os_120", f"OS-like, 120 subjects, seed {seed}; median reached, both limits of its CI reached", s))

    seed, s = pick(
        "pfs_80_upper_open",
        lambda s, med, lo, hi: np.isfinite(med) and np.isfinite(lo) and not np.isfinite(hi)
        and 0.35 <= censored_share(s) <= 0.6,
        n=80, cure=0.45, median_days=120, accrual_days=540, dropout_per_year=0.1)
    sets.append(("pfs_80_upper_open", f"PFS-like, 80 subjects, seed {seed}; median reached, upper band never falls to 0.5", s))

    seed, s = pick(
        "dor_60_not_reached",
        lambda s, med, lo, hi: not np.isfinite(med) and 0.45 <= censored_share(s) <= 0.7,
        n=60, cure=0.6, median_days=200, accrual_days=720, dropout_per_year=0.08)
    sets.append(("dor_60_not_reached", f"DOR-like, 60 responders, seed {seed}; median not reached", s))

    def early_cut(s):
        # an early data cut: nobody is followed longer than 300 days
        return [{"time": min(x["time"], 300.0), "event": x["event"] and x["time"] <= 300.0} for x in s]

    seed, s = pick(
        "early_cut_45",
        lambda s, med, lo, hi: not np.isfinite(lo) and sum(x["event"] for x in s) >= 10,
        transform=early_cut,
        n=45, cure=0.4, median_days=300, accrual_days=400, dropout_per_year=0.1)
    sets.append(("early_cut_45", f"OS-like at an early data cut, 45 subjects, seed {seed}; neither the median nor either limit of its CI is reached", s))

    sets.append(("plateau_40", "hand-built: S(t) = 0.5 exactly on a plateau from day 120 to day 200", plateau_40()))
    sets.append(("all_events_12", "hand-built: small, ties, an event on day 0, last subject an event so S falls to 0", all_events_12()))

    for name, desc, subjects in sets:
        doc = {
            "generator": "scripts/reference/km_datasets.py",
            "name": name,
            "description": desc,
            "landmarks": LANDMARKS,
            "subjects": subjects,
        }
        with open(os.path.join(out_dir, name + ".json"), "w") as f:
            f.write(dumps_one_subject_per_line(doc))
        k, med, lo, hi = km(subjects)
        print(f"{name}: n={len(subjects)} censored={censored_share(subjects):.2f} median={med} ci=({lo}, {hi})")


if __name__ == "__main__":
    main()
