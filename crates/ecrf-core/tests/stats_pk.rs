//! Non-compartmental analysis: a table of CAR-T profiles with every expected value worked out
//! by hand from the formulas (profiles in `tests/fixtures/stats/nca/cases.json`), the AUCs
//! cross-checked against the third-party package pynca where its conventions coincide with
//! PKNCA's (`scripts/reference/nca_pynca.py`, re-run when Python and pynca are installed), the
//! BLQ rules, unusable input, properties on any input; and the summaries (geometric mean and
//! CV%, median and range) by hand.
//!
//! Notation in the comments: lin = (t₂−t₁)(c₁+c₂)/2, log = (t₂−t₁)(c₁−c₂)/ln(c₁/c₂);
//! ln2 = ln 2 etc.

#[path = "stats_reference.rs"]
mod reference;
use reference::*;

use ecrf_core::stats::pk::{auc_interval, clean, nca, AucMethod, Conc, Nca, AUC_END_DAY};
use ecrf_core::stats::summary::{
    geometric_cv_percent, geometric_mean, max, median, min, GeometricSummary, MedianRange,
};
use proptest::prelude::*;
use serde_json::Value as Json;

const LN2: f64 = std::f64::consts::LN_2;
const LN10: f64 = std::f64::consts::LN_10;

fn ln(x: f64) -> f64 {
    x.ln()
}

fn samples(case: &Json) -> Vec<(f64, Conc)> {
    case["samples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let conc = if let Some(v) = s.get("value") {
                Conc::Value(v.as_f64().unwrap())
            } else if let Some(l) = s.get("blq") {
                Conc::Blq {
                    lloq: l.as_f64().unwrap(),
                }
            } else {
                assert_eq!(s["missing"], true);
                Conc::Missing
            };
            (f(s, "t"), conc)
        })
        .collect()
}

struct Case {
    name: String,
    /// pynca's conventions coincide with PKNCA's for this profile
    pynca: bool,
    samples: Vec<(f64, Conc)>,
}

fn cases() -> Vec<Case> {
    read_json(&fixtures().join("nca/cases.json"))["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Case {
            name: c["name"].as_str().unwrap().to_string(),
            pynca: c["pynca"].as_bool().unwrap(),
            samples: samples(c),
        })
        .collect()
}

fn profile(name: &str) -> Vec<(f64, Conc)> {
    cases()
        .into_iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no case {name}"))
        .samples
}

/// (case, Cmax, Tmax, Clast, Tlast, AUC0-28 lin-up/log-down, AUC0-28 linear), by hand.
fn hand_table() -> Vec<(&'static str, Nca)> {
    let nca = |cmax, tmax, clast, tlast, linlog, linear| Nca {
        cmax,
        tmax,
        clast,
        tlast,
        auc_0_28_lin_up_log_down: linlog,
        auc_0_28_linear: linear,
    };
    vec![
        // 0 BLQ→0, 1: 50, 4: 2000, 7: 8000, 11: 4000, 14: 2000, 21: 500, 28: 100.
        // Rising: 0→1 lin 25; 1→4 lin 3075; 4→7 lin 15000 (both methods) = 18100.
        // Falling, linear: 7→11 24000; 11→14 9000; 14→21 8750; 21→28 2100 → total 61950.
        // Falling, log: 4·4000/ln2 + 3·2000/ln2 + 7·1500/ln4 (= 5250/ln2) + 7·400/ln5
        //             = 27250/ln2 + 2800/ln5.
        (
            "rise_fall_day28_sampled",
            nca(
                8000.0,
                Some(7.0),
                100.0,
                Some(28.0),
                18100.0 + 27250.0 / LN2 + 2800.0 / ln(5.0),
                61950.0,
            ),
        ),
        // 0 BLQ, 1: 100, 4: 3000, 7: 12000, 11: 6000, 14: 1500, 21 BLQ, 28 BLQ: trailing BLQ → 0.
        // 0→1 50; 1→4 4650; 4→7 22500; 7→11 lin 36000 | log 4·6000/ln2 = 24000/ln2;
        // 11→14 lin 11250 | log 3·4500/ln4 = 6750/ln2; 14→21 falls to 0: lin 5250 (both);
        // 21→28 between zeros: 0.
        // linear 50+4650+22500+36000+11250+5250 = 79700; lin-log 32450 + 30750/ln2.
        (
            "trailing_blq",
            nca(
                12000.0,
                Some(7.0),
                1500.0,
                Some(14.0),
                32450.0 + 30750.0 / LN2,
                79700.0,
            ),
        ),
        // 0 BLQ, 1: 200, 4: 1000, 7: BLQ (between quantifiable values: dropped), 11: 800,
        // 14: 400, 21: 200, 28: 100.
        // 0→1 100; 1→4 1800; 4→11 lin 6300 | log 7·200/ln1.25; 11→14 lin 1800 | log 1200/ln2;
        // 14→21 lin 2100 | log 1400/ln2; 21→28 lin 1050 | log 700/ln2.
        // linear 13150; lin-log 1900 + 1400/ln1.25 + 3300/ln2.
        (
            "blq_between_quantifiable",
            nca(
                1000.0,
                Some(4.0),
                100.0,
                Some(28.0),
                1900.0 + 1400.0 / ln(1.25) + 3300.0 / LN2,
                13150.0,
            ),
        ),
        // 0 BLQ, 1: 100, 4: 1000, 7: 5000, 14: 2000, 21: 800, 28 missing, 35: 200.
        // Day 28 is before Tlast (35): interpolated between 21 (800) and 35 (200) —
        // lin-up/log-down: log, √(800·200) = 400; linear: 500.
        // 0→1 50; 1→4 1650; 4→7 9000; lin-log: 7→14 7·3000/ln2.5; 14→21 7·1200/ln2.5;
        // 21→28 7·400/ln2 → 10700 + 29400/ln2.5 + 2800/ln2.
        // linear: 7→14 24500; 14→21 9800; 21→28 7·(800+500)/2 = 4550 → 49550.
        (
            "day28_missing_interpolated",
            nca(
                5000.0,
                Some(7.0),
                200.0,
                Some(35.0),
                10700.0 + 29400.0 / ln(2.5) + 2800.0 / LN2,
                49550.0,
            ),
        ),
        // 0 BLQ, 4: 600, 7: 900, 14: 300, 21: 100, 35: 300, 60: 50 (a second rise).
        // Day 28 interpolated on the rising segment 21→35: linear in both methods, 200.
        // 0→4 1200; 4→7 2250; 7→14 lin 4200 | log 4200/ln3; 14→21 lin 1400 | log 1400/ln3;
        // 21→28 lin 1050. linear 10100; lin-log 4500 + 5600/ln3.
        (
            "day28_missing_rising_segment",
            nca(
                900.0,
                Some(7.0),
                50.0,
                Some(60.0),
                4500.0 + 5600.0 / ln(3.0),
                10100.0,
            ),
        ),
        // 0 BLQ, 1: 100, 4: 2000, 7: 4000, 14: 1000, 21: 500, 28 missing, 35 BLQ.
        // Day 28 lies between Tlast (21) and the first trailing BLQ (35): the AUCall triangle,
        // 500·(1 − 7/14) = 250; the segment 21→28 ends at an extrapolated point, so it is a log
        // trapezoid in both methods: 7·250/ln2 = 1750/ln2.
        // 0→1 50; 1→4 3150; 4→7 9000; lin-log: 7→14 21000/ln4 = 10500/ln2; 14→21 3500/ln2
        // → 12200 + 15750/ln2. linear: 7→14 17500; 14→21 5250 → 34950 + 1750/ln2.
        (
            "day28_between_tlast_and_trailing_blq",
            nca(
                4000.0,
                Some(7.0),
                500.0,
                Some(21.0),
                12200.0 + 15750.0 / LN2,
                34950.0 + 1750.0 / LN2,
            ),
        ),
        // The same without the BLQ at 35: the last sample (21) is quantifiable and day 28 is after
        // it: extrapolated as 0 and the log trapezoid to 0 adds 0 (AUCall = AUClast; no
        // lambda-z extrapolation). lin-log 12200 + 14000/ln2; linear 34950.
        (
            "day28_after_last_sample",
            nca(
                4000.0,
                Some(7.0),
                500.0,
                Some(21.0),
                12200.0 + 14000.0 / LN2,
                34950.0,
            ),
        ),
        // 0 BLQ, 4: 700, 7: 1400, 14: 350, 21 BLQ, 60 BLQ. Day 28 is after the first trailing
        // BLQ: 0. 0→4 1400; 4→7 3150; 7→14 lin 6125 | log 7·1050/ln4 = 3675/ln2; 14→21 falls
        // to 0: lin 1225; 21→28 between zeros: 0. linear 11900; lin-log 5775 + 3675/ln2.
        (
            "day28_after_a_trailing_blq",
            nca(
                1400.0,
                Some(7.0),
                350.0,
                Some(14.0),
                5775.0 + 3675.0 / LN2,
                11900.0,
            ),
        ),
        // Every sample BLQ: Cmax = Clast = 0, no Tmax or Tlast, AUC 0 (PKNCA: 0, NA, 0, NA, 0).
        ("all_blq", nca(0.0, None, 0.0, None, 0.0, 0.0)),
        // Only day 7 measured (1000): day 0 is before the first sample → 0; day 28 is after the
        // last sample, quantifiable → 0, adding 0. 0→7 lin 3500 in both methods.
        (
            "single_quantifiable_sample",
            nca(1000.0, Some(7.0), 1000.0, Some(7.0), 3500.0, 3500.0),
        ),
        // −2 BLQ (pre-infusion), 1: 300, 4: 900, 7: 600, 14: 300, 28: 30. Day 0 interpolated on
        // the rising segment −2→1: 300·2/3 = 200. 0→1 250; 1→4 1800; 4→7 lin 2250 |
        // log 900/ln1.5; 7→14 lin 3150 | log 2100/ln2; 14→28 lin 2310 | log 14·270/ln10.
        // linear 9760; lin-log 2050 + 900/ln1.5 + 2100/ln2 + 3780/ln10.
        (
            "pre_infusion_sample_at_negative_time",
            nca(
                900.0,
                Some(4.0),
                30.0,
                Some(28.0),
                2050.0 + 900.0 / ln(1.5) + 2100.0 / LN2 + 3780.0 / LN10,
                9760.0,
            ),
        ),
        // Sorted: 0 BLQ, 1.1: 240, 3.5 missing (dropped), 7.25: 4800, 10: 4800, 13.9: 1200,
        // 21.2: 300, 28: 75. Cmax 4800 first at 7.25.
        // 0→1.1 132; 1.1→7.25 2520·6.15 = 15498; 7.25→10 flat: lin 13200 (both);
        // 10→13.9 lin 11700 | log 3.9·3600/ln4 = 7020/ln2; 13.9→21.2 lin 5475 | log 3285/ln2;
        // 21.2→28 lin 1275 | log 765/ln2. linear 47280; lin-log 28830 + 11070/ln2.
        (
            "unsorted_with_missing_and_fractional_days",
            nca(
                4800.0,
                Some(7.25),
                75.0,
                Some(28.0),
                28830.0 + 11070.0 / LN2,
                47280.0,
            ),
        ),
    ]
}

fn assert_nca(name: &str, got: &Nca, want: &Nca, rel: f64) {
    assert_eq!(got.cmax, want.cmax, "{name}: Cmax");
    assert_eq!(got.tmax, want.tmax, "{name}: Tmax");
    assert_eq!(got.clast, want.clast, "{name}: Clast");
    assert_eq!(got.tlast, want.tlast, "{name}: Tlast");
    for (g, w, what) in [
        (
            got.auc_0_28_lin_up_log_down,
            want.auc_0_28_lin_up_log_down,
            "AUC0-28 lin-up/log-down",
        ),
        (got.auc_0_28_linear, want.auc_0_28_linear, "AUC0-28 linear"),
    ] {
        assert!(close(g, w, rel), "{name}: {what} {g}, expected {w}");
    }
}

#[test]
fn hand_computed_profiles() {
    let table = hand_table();
    let all = cases();
    assert_eq!(
        table.len(),
        all.len(),
        "every profile in cases.json has hand values"
    );
    for (name, want) in &table {
        let got = nca(&profile(name)).unwrap_or_else(|| panic!("{name}: no result"));
        assert_nca(name, &got, want, 1e-12);
        for (method, w) in [
            (AucMethod::LinUpLogDown, want.auc_0_28_lin_up_log_down),
            (AucMethod::Linear, want.auc_0_28_linear),
        ] {
            let a = auc_interval(&profile(name), 0.0, AUC_END_DAY, method).unwrap();
            assert!(
                close(a, w, 1e-12),
                "{name} {method:?}: auc_interval {a}, expected {w}"
            );
        }
    }
}

#[test]
fn aucs_equal_pynca() {
    let doc = read_json(&fixtures().join("nca/pynca_expected.json"));
    let expected = doc["cases"].as_array().unwrap();
    let marked: Vec<_> = cases().into_iter().filter(|c| c.pynca).collect();
    assert_eq!(expected.len(), marked.len());
    assert!(expected.len() >= 7);
    for Case { name, samples, .. } in &marked {
        let e = expected
            .iter()
            .find(|e| e["name"] == name.as_str())
            .unwrap();
        let got = nca(samples).unwrap();
        let (ll, lin) = (f(e, "auc_0_28_lin_up_log_down"), f(e, "auc_0_28_linear"));
        assert!(
            close(got.auc_0_28_lin_up_log_down, ll, 1e-9),
            "{name}: {} pynca {ll}",
            got.auc_0_28_lin_up_log_down
        );
        assert!(
            close(got.auc_0_28_linear, lin, 1e-9),
            "{name}: {} pynca {lin}",
            got.auc_0_28_linear
        );
    }
}

/// The committed pynca fixture is pynca's output: re-run the script and compare.
#[test]
fn pynca_fixture_is_pyncas_output() {
    if !python_reference_available("pynca_fixture_is_pyncas_output", &["numpy", "pynca.tools"]) {
        return;
    }
    let dir = temp_dir("stats-nca");
    let out = dir.join("pynca_expected.json");
    run_script("nca_pynca.py", &[&fixtures().join("nca/cases.json"), &out]);
    assert_same_json(
        &read_json(&fixtures().join("nca/pynca_expected.json")),
        &read_json(&out),
        1e-12,
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn blq_and_missing_rules() {
    // BLQ between quantifiable values dropped; leading and trailing kept as 0; missing dropped
    let p = [
        (-1.0, Conc::Blq { lloq: 10.0 }),
        (1.0, Conc::Value(30.0)),
        (2.0, Conc::Missing),
        (4.0, Conc::Blq { lloq: 10.0 }),
        (7.0, Conc::Value(0.0)), // a measured 0 is BLQ
        (11.0, Conc::Value(20.0)),
        (14.0, Conc::Blq { lloq: 10.0 }),
        (21.0, Conc::Value(0.0)),
    ];
    assert_eq!(
        clean(&p),
        Some(vec![
            (-1.0, 0.0),
            (1.0, 30.0),
            (11.0, 20.0),
            (14.0, 0.0),
            (21.0, 0.0)
        ])
    );
    // all BLQ: kept as zeros
    let all = [
        (0.0, Conc::Blq { lloq: 5.0 }),
        (1.0, Conc::Blq { lloq: 5.0 }),
    ];
    assert_eq!(clean(&all), Some(vec![(0.0, 0.0), (1.0, 0.0)]));
    // all missing: nothing to analyse
    assert_eq!(clean(&[(0.0, Conc::Missing)]), Some(vec![]));
    assert_eq!(
        nca(&[(0.0, Conc::Missing), (f64::NAN, Conc::Missing)]),
        None
    );
    assert_eq!(nca(&[]), None);
}

#[test]
fn unusable_input() {
    let ok = |t: f64| (t, Conc::Value(100.0));
    assert_eq!(
        nca(&[ok(1.0), ok(1.0)]),
        None,
        "two samples at the same time"
    );
    assert_eq!(
        nca(&[ok(1.0), (2.0, Conc::Value(-3.0))]),
        None,
        "negative value"
    );
    assert_eq!(
        nca(&[ok(1.0), (2.0, Conc::Value(f64::NAN))]),
        None,
        "NaN value"
    );
    assert_eq!(
        nca(&[ok(1.0), (f64::NAN, Conc::Value(5.0))]),
        None,
        "NaN time"
    );
    assert!(
        nca(&[ok(1.0), (f64::NAN, Conc::Missing)]).is_some(),
        "a missing sample's time is ignored"
    );
    let p = profile("rise_fall_day28_sampled");
    assert_eq!(auc_interval(&p, 28.0, 28.0, AucMethod::Linear), None);
    assert_eq!(auc_interval(&p, 28.0, 0.0, AucMethod::Linear), None);
    assert_eq!(
        auc_interval(&p, 0.0, f64::INFINITY, AucMethod::Linear),
        None
    );
}

#[test]
fn partial_intervals() {
    let p = profile("rise_fall_day28_sampled");
    // [0, 7]: 25 + 3075 + 15000 in both methods
    for m in [AucMethod::Linear, AucMethod::LinUpLogDown] {
        assert_eq!(auc_interval(&p, 0.0, 7.0, m), Some(18100.0));
    }
    // [7, 14] lin-up/log-down: 4·4000/ln2 + 3·2000/ln2 = 22000/ln2
    let a = auc_interval(&p, 7.0, 14.0, AucMethod::LinUpLogDown).unwrap();
    assert!(close(a, 22000.0 / LN2, 1e-12));
    // [2, 9], both ends interpolated. Day 2 on the rising 1→4: 50 + 1950/3 = 700 (both).
    // Day 9 on the falling 7→11: linear 6000; lin-up/log-down 8000·2^(−2/4) = 8000/√2.
    // linear: 2→4 (700+2000) + 4→7 15000 + 7→9 (8000+6000) = 2700 + 15000 + 14000 = 31700.
    // lin-log: 2700 + 15000 + 2·(8000 − 8000/√2)/ln√2.
    let lin = auc_interval(&p, 2.0, 9.0, AucMethod::Linear).unwrap();
    assert!(close(lin, 31700.0, 1e-12), "{lin}");
    let c9 = 8000.0 / 2f64.sqrt();
    let ll = auc_interval(&p, 2.0, 9.0, AucMethod::LinUpLogDown).unwrap();
    assert!(
        close(
            ll,
            17700.0 + 2.0 * (8000.0 - c9) / (8000.0 / c9).ln(),
            1e-12
        ),
        "{ll}"
    );
    // an interval with only zeros in it
    let t = profile("trailing_blq");
    assert_eq!(
        auc_interval(&t, 21.0, 28.0, AucMethod::LinUpLogDown),
        Some(0.0)
    );
}

proptest! {
    #[test]
    fn any_profile_gives_coherent_results(
        raw in prop::collection::vec((0u32..60, 0u8..4, 1u32..100_000), 0..14)
    ) {
        let mut seen = std::collections::BTreeSet::new();
        let samples: Vec<(f64, Conc)> = raw
            .into_iter()
            .filter(|(t, _, _)| seen.insert(*t))
            .map(|(t, kind, v)| {
                let conc = match kind {
                    0 => Conc::Blq { lloq: 10.0 },
                    1 => Conc::Missing,
                    _ => Conc::Value(v as f64),
                };
                (t as f64, conc)
            })
            .collect();
        let any_sample = samples.iter().any(|s| s.1 != Conc::Missing);
        match nca(&samples) {
            None => prop_assert!(!any_sample),
            Some(r) => {
                prop_assert!(r.auc_0_28_lin_up_log_down.is_finite() && r.auc_0_28_lin_up_log_down >= 0.0);
                prop_assert!(r.auc_0_28_linear.is_finite() && r.auc_0_28_linear >= 0.0);
                // a log trapezoid never exceeds the linear one over the same falling segment
                prop_assert!(r.auc_0_28_lin_up_log_down <= r.auc_0_28_linear * (1.0 + 1e-12) + 1e-9);
                prop_assert!(r.cmax >= r.clast);
                prop_assert_eq!(r.tmax.is_some(), r.cmax > 0.0);
                if let (Some(tmax), Some(tlast)) = (r.tmax, r.tlast) {
                    prop_assert!(tmax <= tlast);
                }
            }
        }
    }
}

// ---- summaries -------------------------------------------------------------------------

#[test]
fn geometric_mean_and_cv_by_hand() {
    // 100, 1000, 10000: logs (2, 3, 4)·ln10, mean 3·ln10 → GM 1000; deviations (−1, 0, 1)·ln10,
    // s² = 2·ln²10 / 2 = ln²10 → CV% = 100·√(e^{ln²10} − 1).
    let v = [100.0, 1000.0, 10000.0];
    assert!(close(geometric_mean(&v).unwrap(), 1000.0, 1e-14));
    let cv = 100.0 * ((LN10 * LN10).exp() - 1.0).sqrt();
    assert!(close(geometric_cv_percent(&v).unwrap(), cv, 1e-13));
    assert!((cv - 1413.2).abs() < 0.1, "{cv}");
    // 2, 8: GM 4; logs ln2, 3·ln2, s² = (ln²2 + ln²2)/1 = 2·ln²2 → CV% = 100·√(e^{2ln²2} − 1) ≈ 127.0
    let v = [2.0, 8.0];
    assert!(close(geometric_mean(&v).unwrap(), 4.0, 1e-15));
    let cv = 100.0 * ((2.0 * LN2 * LN2).exp() - 1.0).sqrt();
    assert!(close(geometric_cv_percent(&v).unwrap(), cv, 1e-13));
    assert!((cv - 127.05).abs() < 0.01, "{cv}");
    // identical values: CV 0
    assert_eq!(geometric_cv_percent(&[5.0, 5.0, 5.0]), Some(0.0));
    // one value: a mean, no CV
    assert!(close(geometric_mean(&[42.0]).unwrap(), 42.0, 1e-15));
    assert_eq!(geometric_cv_percent(&[42.0]), None);
    let s = GeometricSummary::of(&[42.0]).unwrap();
    assert_eq!((s.n, s.geometric_cv_percent), (1, None));
    // empty, zero, negative, not finite: no logarithm
    for bad in [
        &[][..],
        &[1.0, 0.0],
        &[1.0, -2.0],
        &[f64::NAN],
        &[f64::INFINITY, 1.0],
    ] {
        assert_eq!(geometric_mean(bad), None, "{bad:?}");
        assert_eq!(geometric_cv_percent(bad), None, "{bad:?}");
        assert_eq!(GeometricSummary::of(bad), None, "{bad:?}");
    }
}

#[test]
fn median_and_range_by_hand() {
    // Tmax of 5 subjects: 7, 10, 7.25, 14, 11 → sorted 7, 7.25, 10, 11, 14: median 10
    let t = [7.0, 10.0, 7.25, 14.0, 11.0];
    assert_eq!(median(&t), Some(10.0));
    assert_eq!((min(&t), max(&t)), (Some(7.0), Some(14.0)));
    // even n: mean of the two middle values (9 + 11)/2
    assert_eq!(median(&[14.0, 9.0, 11.0, 7.0]), Some(10.0));
    assert_eq!(
        MedianRange::of(&[21.0]),
        Some(MedianRange {
            n: 1,
            median: 21.0,
            min: 21.0,
            max: 21.0
        })
    );
    assert_eq!(median(&[]), None);
    assert_eq!(min(&[1.0, f64::NAN]), None);
    assert_eq!(MedianRange::of(&[]), None);
}
