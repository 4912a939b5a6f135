//! Kaplan-Meier against lifelines: every step, the median and its confidence interval,
//! landmark survival and numbers at risk on realistic datasets (inputs made by
//! `scripts/reference/km_datasets.py`, expected values by `scripts/reference/km_lifelines.py`,
//! both committed), the fixture's proof (the lifelines script re-run when Python and lifelines
//! are installed), a case worked out by hand, and properties on any input.

#[path = "stats_reference.rs"]
mod reference;
use reference::*;

use ecrf_core::stats::km::KaplanMeier;
use proptest::prelude::*;
use serde_json::Value as Json;

const REL: f64 = 1e-9;

struct Dataset {
    name: String,
    subjects: Vec<(f64, bool)>,
    landmarks: Vec<f64>,
}

fn dataset(name: &str) -> Vec<(f64, bool)> {
    datasets()
        .into_iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("no dataset {name}"))
        .subjects
}

fn datasets() -> Vec<Dataset> {
    let dir = fixtures().join("km/datasets");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let d = read_json(p);
            let subjects = d["subjects"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| (f(s, "time"), s["event"].as_bool().unwrap()))
                .collect();
            let landmarks = d["landmarks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_f64().unwrap())
                .collect();
            Dataset {
                name: d["name"].as_str().unwrap().to_string(),
                subjects,
                landmarks,
            }
        })
        .collect()
}

fn expected(name: &str) -> Json {
    let doc = read_json(&fixtures().join("km/lifelines_expected.json"));
    doc["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == name)
        .unwrap_or_else(|| panic!("no lifelines result for {name}"))
        .clone()
}

#[test]
fn every_dataset_equals_lifelines() {
    let sets = datasets();
    assert_eq!(
        sets.len(),
        6,
        "datasets: {:?}",
        sets.iter().map(|s| &s.name).collect::<Vec<_>>()
    );
    let mut worst = 0.0_f64;
    for Dataset {
        name,
        subjects,
        landmarks,
    } in &sets
    {
        let km = KaplanMeier::fit(subjects).unwrap();
        let want = expected(name);
        assert_eq!(km.n, u(&want, "n"), "{name}");
        assert_eq!(km.events, u(&want, "events"), "{name}");

        let rows = want["rows"].as_array().unwrap();
        assert_eq!(
            km.steps.len(),
            rows.len(),
            "{name}: number of distinct times"
        );
        for (step, row) in km.steps.iter().zip(rows) {
            let at = format!("{name} at t={}", step.time);
            assert_eq!(step.time, f(row, "time"), "{at}");
            assert_eq!(step.at_risk, u(row, "at_risk"), "{at}: at risk");
            assert_eq!(step.events, u(row, "events"), "{at}: events");
            assert_eq!(step.censored, u(row, "censored"), "{at}: censored");
            for (got, key) in [
                (step.survival, "survival"),
                (step.greenwood_sum, "greenwood_sum"),
                (step.lower, "lower"),
                (step.upper, "upper"),
            ] {
                let want = f(row, key);
                if want != 0.0 {
                    worst = worst.max((got - want).abs() / want.abs());
                }
                assert!(
                    close(got, want, REL),
                    "{at}: {key} {got}, lifelines {}",
                    row[key]
                );
            }
            let variance = f(row, "survival").powi(2) * f(row, "greenwood_sum");
            assert!(close(step.variance, variance, REL), "{at}: variance");
        }

        // median and its CI: the same times as lifelines, None where lifelines says inf
        assert_eq!(km.median(), opt_f64(&want["median"]), "{name}: median");
        let ci = km.median_ci();
        assert_eq!(
            ci.lower,
            opt_f64(&want["median_ci_lower"]),
            "{name}: median CI lower"
        );
        assert_eq!(
            ci.upper,
            opt_f64(&want["median_ci_upper"]),
            "{name}: median CI upper"
        );

        // landmarks
        let lm = want["landmarks"].as_array().unwrap();
        assert_eq!(
            km.at_risk(landmarks),
            lm.iter().map(|l| u(l, "at_risk")).collect::<Vec<_>>()
        );
        for (t, l) in landmarks.iter().zip(lm) {
            let at = format!("{name} at landmark {t}");
            let got = km.survival_at(*t);
            if l["beyond_follow_up"].as_bool().unwrap() && f(l, "survival") > 0.0 {
                // lifelines carries S forward past the last observed time; we do not estimate there
                assert_eq!(got, None, "{at}");
                continue;
            }
            let got = got.unwrap_or_else(|| panic!("{at}: no estimate"));
            assert_eq!(got.time, *t);
            for (g, key) in [
                (got.survival, "survival"),
                (got.lower, "lower"),
                (got.upper, "upper"),
            ] {
                assert!(
                    close(g, f(l, key), REL),
                    "{at}: {key} {g}, lifelines {}",
                    l[key]
                );
            }
        }
    }
    eprintln!("Kaplan-Meier: largest relative difference from lifelines {worst:e}");
}

#[test]
fn the_datasets_cover_the_cases_the_rules_name() {
    let med = |n: &str| {
        let w = expected(n);
        (
            opt_f64(&w["median"]),
            opt_f64(&w["median_ci_lower"]),
            opt_f64(&w["median_ci_upper"]),
        )
    };
    // an exact 0.5 plateau from day 120 to day 200: the median is its first day (R: 160)
    let km = KaplanMeier::fit(&dataset("plateau_40")).unwrap();
    let s120 = km.steps.iter().find(|s| s.time == 120.0).unwrap().survival;
    assert!((s120 - 0.5).abs() < 1e-15);
    assert_eq!(med("plateau_40").0, Some(120.0));
    // median reached, the upper band never falls to 0.5
    assert!(matches!(med("pfs_80_upper_open"), (Some(_), Some(_), None)));
    // median not reached
    assert!(matches!(med("dor_60_not_reached"), (None, Some(_), None)));
    assert_eq!(med("early_cut_45"), (None, None, None));
    // S falls to 0
    let km = KaplanMeier::fit(&dataset("all_events_12")).unwrap();
    let last = km.steps.last().unwrap();
    assert_eq!((last.survival, last.lower, last.upper), (0.0, 0.0, 0.0));
    assert_eq!(km.survival_at(5000.0).map(|s| s.survival), Some(0.0));
}

/// The committed lifelines fixture is lifelines' output: re-run the script on the committed
/// datasets and compare.
#[test]
fn lifelines_fixture_is_lifelines_output() {
    if !python_reference_available("lifelines_fixture_is_lifelines_output", &["lifelines"]) {
        return;
    }
    let dir = temp_dir("stats-km");
    let out = dir.join("lifelines_expected.json");
    run_script("km_lifelines.py", &[&fixtures().join("km/datasets"), &out]);
    assert_same_json(
        &read_json(&fixtures().join("km/lifelines_expected.json")),
        &read_json(&out),
        1e-12,
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Worked out by hand: 7 subjects, times 5, 5+, 8, 10+, 12, 12, 15+ (+ = censored).
#[test]
fn hand_worked_example() {
    let data = [
        (5.0, true),
        (5.0, false), // censored at the time of an event: still at risk at 5
        (8.0, true),
        (10.0, false),
        (12.0, true),
        (12.0, true),
        (15.0, false),
    ];
    let km = KaplanMeier::fit(&data).unwrap();
    let rows: Vec<_> = km
        .steps
        .iter()
        .map(|s| (s.time, s.at_risk, s.events, s.censored))
        .collect();
    assert_eq!(
        rows,
        [
            (5.0, 7, 1, 1),
            (8.0, 5, 1, 0),
            (10.0, 4, 0, 1),
            (12.0, 3, 2, 0),
            (15.0, 1, 0, 1)
        ]
    );
    // S(5) = 6/7, S(8) = 6/7 · 4/5 = 24/35, S(10) = 24/35, S(12) = 24/35 · 1/3 = 8/35
    let s: Vec<f64> = km.steps.iter().map(|s| s.survival).collect();
    let want = [6.0 / 7.0, 24.0 / 35.0, 24.0 / 35.0, 8.0 / 35.0, 8.0 / 35.0];
    for (a, b) in s.iter().zip(want) {
        assert!((a - b).abs() < 1e-15);
    }
    // Greenwood at 12: 1/(7·6) + 1/(5·4) + 2/(3·1)
    let g = 1.0 / 42.0 + 1.0 / 20.0 + 2.0 / 3.0;
    assert!((km.steps[3].greenwood_sum - g).abs() < 1e-15);
    // log-log bounds at 5: v = ln(6/7), se = √(1/42); lower = exp(−exp(ln(−v) − 1.96·se/v))
    let v = (6.0f64 / 7.0).ln();
    let z = 1.959_963_984_540_054;
    let w = z * (1.0f64 / 42.0).sqrt() / v;
    let lower = (-((-v).ln() - w).exp()).exp();
    let upper = (-((-v).ln() + w).exp()).exp();
    assert!((km.steps[0].lower - lower).abs() < 1e-14 && (km.steps[0].upper - upper).abs() < 1e-14);
    // median: first time S ≤ 0.5 → 12
    assert_eq!(km.median(), Some(12.0));
    // at risk: #{T ≥ t}
    assert_eq!(
        km.at_risk(&[0.0, 5.0, 6.0, 12.0, 15.0, 15.5]),
        [7, 7, 5, 3, 1, 0]
    );
    // survival before the first time is 1; after the last (censored) time not estimated
    let s0 = km.survival_at(0.0).unwrap();
    assert_eq!((s0.survival, s0.lower, s0.upper), (1.0, 1.0, 1.0));
    assert_eq!(km.survival_at(11.0).unwrap().survival, 24.0 / 35.0);
    assert!(km.survival_at(15.0).is_some());
    assert_eq!(km.survival_at(15.5), None);
    assert_eq!(km.survival_at(-1.0), None);
    assert_eq!(
        km.survival_at_times(&[5.0, 99.0])
            .iter()
            .map(Option::is_some)
            .collect::<Vec<_>>(),
        [true, false]
    );
}

#[test]
fn confidence_level_and_unusable_input() {
    let data = [
        (30.0, true),
        (60.0, false),
        (90.0, true),
        (120.0, true),
        (150.0, false),
    ];
    let k95 = KaplanMeier::fit(&data).unwrap();
    let k80 = KaplanMeier::fit_with_level(&data, 0.80).unwrap();
    assert_eq!(k95.level, 0.95);
    for (a, b) in k95.steps.iter().zip(&k80.steps) {
        assert_eq!(a.survival, b.survival);
        assert!(b.lower >= a.lower && b.upper <= a.upper);
    }
    assert_eq!(KaplanMeier::fit(&[]), None);
    assert_eq!(KaplanMeier::fit(&[(-1.0, true)]), None);
    assert_eq!(KaplanMeier::fit(&[(f64::NAN, true)]), None);
    assert_eq!(KaplanMeier::fit(&[(f64::INFINITY, false)]), None);
    assert_eq!(KaplanMeier::fit_with_level(&data, 1.0), None);
    // everyone censored: S stays 1, nothing is reached
    let k = KaplanMeier::fit(&[(10.0, false), (20.0, false)]).unwrap();
    assert!(k
        .steps
        .iter()
        .all(|s| (s.survival, s.lower, s.upper) == (1.0, 1.0, 1.0)));
    assert_eq!(
        (k.median(), k.median_ci().lower, k.median_ci().upper),
        (None, None, None)
    );
}

proptest! {
    #[test]
    fn any_data_gives_a_coherent_estimate(
        data in prop::collection::vec((0u32..400, any::<bool>()), 1..150)
    ) {
        let data: Vec<(f64, bool)> = data.into_iter().map(|(t, e)| (t as f64, e)).collect();
        let km = KaplanMeier::fit(&data).unwrap();
        prop_assert_eq!(km.n as usize, data.len());
        let mut prev = 1.0;
        let mut remaining = data.len() as u64;
        for s in &km.steps {
            prop_assert_eq!(s.at_risk, remaining);
            remaining -= s.events + s.censored;
            prop_assert!(s.survival <= prev + 1e-15);
            prop_assert!(s.lower <= s.survival + 1e-12 && s.survival <= s.upper + 1e-12);
            prop_assert!((0.0..=1.0).contains(&s.lower) && (0.0..=1.0).contains(&s.upper));
            prev = s.survival;
        }
        prop_assert_eq!(remaining, 0);
        let ci = km.median_ci();
        if let (Some(l), Some(m)) = (ci.lower, km.median()) {
            prop_assert!(l <= m);
        }
        if let (Some(m), Some(h)) = (km.median(), ci.upper) {
            prop_assert!(m <= h);
        }
    }
}
