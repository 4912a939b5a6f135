//! CRS, ICE and ICANS as tables of clinical cases. Every expected grade is worked out by hand
//! from the ASTCT consensus (Lee DW et al., Biol Blood Marrow Transplant 2019;25:625-638) and
//! docs/derivations.md, never produced by running the code.

mod common;
use common::*;
use serde_json::{json, Value as Json};

fn crs(
    temp: Json,
    hypotension: &str,
    oxygen: &str,
    prior_fever: &str,
    treated: &str,
) -> Vec<(&'static str, Json)> {
    let code = |s: &str| if s.is_empty() { Json::Null } else { json!(s) };
    vec![
        ("temp", temp),
        ("hypotension", code(hypotension)),
        ("oxygen", code(oxygen)),
        ("prior_fever", code(prior_fever)),
        ("treated", code(treated)),
    ]
}

#[test]
fn crs_grade() {
    use Expect::*;
    let febrile = crs(json!(38.5), "NONE", "NONE", "N", "N");
    let cases: Vec<Case> = vec![
        // The paper's worked example.
        (
            "published: febrile, one vasopressor, low-flow cannula → 3",
            crs(json!(38.6), "VASO1", "LOWFLOW", "N", "N"),
            Value(json!(3)),
        ),
        // Fever threshold 38.0 °C.
        (
            "37.9 °C, afebrile normal day → no CRS",
            crs(json!(37.9), "NONE", "NONE", "N", "N"),
            Value(json!(0)),
        ),
        (
            "38.0 °C alone → 1",
            crs(json!(38.0), "NONE", "NONE", "N", "N"),
            Value(json!(1)),
        ),
        (
            "37.9 °C with fluids, no earlier fever → no CRS (query by edit check)",
            crs(json!(37.9), "FLUIDS", "NONE", "N", "N"),
            Value(json!(0)),
        ),
        (
            "38.0 °C with fluids → 2",
            crs(json!(38.0), "FLUIDS", "NONE", "N", "N"),
            Value(json!(2)),
        ),
        // Hypotension and hypoxia grades, and the worse of the two.
        ("febrile, low-flow → 2", with(&febrile, &[("oxygen", json!("LOWFLOW"))]), Value(json!(2))),
        (
            "febrile, fluids and low-flow → 2",
            with(&febrile, &[("hypotension", json!("FLUIDS")), ("oxygen", json!("LOWFLOW"))]),
            Value(json!(2)),
        ),
        ("febrile, high-flow/facemask → 3", with(&febrile, &[("oxygen", json!("HIGHFLOW"))]), Value(json!(3))),
        ("febrile, one vasopressor → 3", with(&febrile, &[("hypotension", json!("VASO1"))]), Value(json!(3))),
        (
            "febrile, fluids and high-flow → 3",
            with(&febrile, &[("hypotension", json!("FLUIDS")), ("oxygen", json!("HIGHFLOW"))]),
            Value(json!(3)),
        ),
        ("febrile, several vasopressors → 4", with(&febrile, &[("hypotension", json!("VASO2"))]), Value(json!(4))),
        ("febrile, positive pressure → 4", with(&febrile, &[("oxygen", json!("PPV"))]), Value(json!(4))),
        (
            "febrile, one vasopressor and positive pressure → 4",
            with(&febrile, &[("hypotension", json!("VASO1")), ("oxygen", json!("PPV"))]),
            Value(json!(4)),
        ),
        (
            "febrile, several vasopressors and low-flow → 4",
            with(&febrile, &[("hypotension", json!("VASO2")), ("oxygen", json!("LOWFLOW"))]),
            Value(json!(4)),
        ),
        // Masked fever.
        (
            "masked: 37.2 °C after fever and tocilizumab, one vasopressor → 3",
            crs(json!(37.2), "VASO1", "NONE", "Y", "Y"),
            Value(json!(3)),
        ),
        (
            "masked: 36.8 °C after fever and antipyretic, low-flow → 2",
            crs(json!(36.8), "NONE", "LOWFLOW", "Y", "Y"),
            Value(json!(2)),
        ),
        (
            "masked: afebrile after fever and steroids, several vasopressors and PPV → 4",
            crs(json!(37.0), "VASO2", "PPV", "Y", "Y"),
            Value(json!(4)),
        ),
        (
            "masked: afebrile, no hypotension or hypoxia, episode ongoing → 1",
            crs(json!(37.0), "NONE", "NONE", "Y", "Y"),
            Value(json!(1)),
        ),
        (
            "masked: temperature not recorded, fluids → 2",
            crs(Json::Null, "FLUIDS", "NONE", "Y", "Y"),
            Value(json!(2)),
        ),
        (
            "premedication before any fever does not mask: 37.2 °C, one vasopressor → no CRS",
            crs(json!(37.2), "VASO1", "NONE", "N", "Y"),
            Value(json!(0)),
        ),
        (
            "earlier fever but no antipyretic/anti-cytokine therapy: 37.5 °C, one vasopressor → no CRS",
            crs(json!(37.5), "VASO1", "NONE", "Y", "N"),
            Value(json!(0)),
        ),
        (
            "hypoxia without fever or therapy → no CRS",
            crs(json!(36.8), "NONE", "HIGHFLOW", "N", "N"),
            Value(json!(0)),
        ),
        (
            "fever now: earlier fever and treatment not needed",
            crs(json!(38.2), "FLUIDS", "NONE", "", ""),
            Value(json!(2)),
        ),
        (
            "afebrile without earlier fever: treatment not needed",
            crs(json!(36.9), "NONE", "NONE", "N", ""),
            Value(json!(0)),
        ),
        (
            "afebrile and not masked: hypotension and oxygen not needed",
            crs(json!(36.9), "", "", "N", "N"),
            Value(json!(0)),
        ),
        // Grade 5.
        (
            "death from CRS → 5",
            with(&crs(json!(39.1), "VASO2", "PPV", "N", "N"), &[("fatal", json!("Y"))]),
            Value(json!(5)),
        ),
        (
            "death from CRS, nothing else recorded → 5",
            vec![("fatal", json!("Y"))],
            Value(json!(5)),
        ),
        (
            "fatal N → the day's grade",
            with(&crs(json!(38.6), "VASO1", "LOWFLOW", "N", "N"), &[("fatal", json!("N"))]),
            Value(json!(3)),
        ),
        // A missing input that cannot change the grade.
        (
            "febrile, several vasopressors, oxygen not recorded → 4",
            crs(json!(38.9), "VASO2", "", "N", "N"),
            Value(json!(4)),
        ),
        (
            "febrile, positive pressure, hypotension not recorded → 4",
            crs(json!(38.9), "", "PPV", "N", "N"),
            Value(json!(4)),
        ),
        // Missing data.
        ("temperature missing, not masked", crs(Json::Null, "NONE", "NONE", "N", "N"), Missing(&["temp"])),
        (
            "temperature, earlier fever and treatment missing",
            crs(Json::Null, "VASO1", "NONE", "", ""),
            Missing(&["temp", "prior_fever", "treated"]),
        ),
        (
            "temperature not done",
            crs(json!({"not_done": "thermometer broken"}), "NONE", "NONE", "N", "N"),
            Missing(&["temp"]),
        ),
        ("febrile, hypotension missing", crs(json!(38.4), "", "LOWFLOW", "N", "N"), Missing(&["hypotension"])),
        ("febrile, oxygen missing", crs(json!(38.4), "VASO1", "", "N", "N"), Missing(&["oxygen"])),
        (
            "febrile, hypotension and oxygen missing",
            crs(json!(38.4), "", "", "N", "N"),
            Missing(&["hypotension", "oxygen"]),
        ),
        (
            "afebrile after treatment, earlier fever not answered",
            crs(json!(37.0), "VASO1", "NONE", "", "Y"),
            Missing(&["prior_fever"]),
        ),
        (
            "afebrile after earlier fever, treatment not answered",
            crs(json!(37.0), "VASO1", "NONE", "Y", ""),
            Missing(&["treated"]),
        ),
        (
            "masked, hypotension missing",
            crs(json!(37.0), "", "NONE", "Y", "Y"),
            Missing(&["hypotension"]),
        ),
        // Unusable values.
        ("unknown hypotension code", crs(json!(38.4), "VASO3", "NONE", "N", "N"), Invalid("hypotension")),
        ("unknown oxygen code", crs(json!(38.4), "NONE", "CPAP", "N", "N"), Invalid("oxygen")),
        ("temperature in °F (100.4)", crs(json!(100.4), "NONE", "NONE", "N", "N"), Invalid("temp")),
        ("temperature in °F (98.6) on an afebrile day", crs(json!(98.6), "NONE", "NONE", "N", "N"), Invalid("temp")),
        ("temperature as text", crs(json!("high"), "NONE", "NONE", "N", "N"), Invalid("temp")),
        ("earlier fever not Y/N", crs(json!(37.0), "NONE", "NONE", "maybe", "N"), Invalid("prior_fever")),
    ];
    let n = run_table("crs_grade", &cases);
    assert!(n >= 40);
}

#[test]
fn crs_fever_threshold_is_a_study_parameter() {
    use Expect::*;
    let params = [("crs_fever_c", json!(38.3))];
    run_table_with(
        "crs_grade",
        &params,
        &[
            (
                "38.2 °C under a 38.3 threshold",
                crs(json!(38.2), "NONE", "NONE", "N", "N"),
                Value(json!(0)),
            ),
            (
                "38.3 °C under a 38.3 threshold",
                crs(json!(38.3), "NONE", "NONE", "N", "N"),
                Value(json!(1)),
            ),
        ],
    );
    // A parameter that is not a number stops the derivation rather than guessing.
    let d = derive_with(
        "crs_grade",
        &[("crs_fever_c", json!("38"))],
        &crs(json!(39.0), "NONE", "NONE", "N", "N"),
        &[],
    );
    assert!(d.value.is_null());
    assert_eq!(
        d.display.en,
        "not derivable: study parameter crs_fever_c is not a number"
    );
}

#[test]
fn crs_displays() {
    let d = derive("crs_grade", &crs(json!(38.6), "VASO1", "LOWFLOW", "N", "N"));
    assert_eq!(d.display.en, "Grade 3 (ASTCT)");
    assert_eq!(d.display.zh, "3 级（ASTCT）");
    let d = derive("crs_grade", &crs(json!(36.6), "NONE", "NONE", "N", "N"));
    assert_eq!(d.display.en, "No CRS");
    assert_eq!(d.display.zh, "无 CRS");
    let d = derive("crs_grade", &crs(json!(38.4), "", "LOWFLOW", "N", "N"));
    assert_eq!(d.display.en, "not derivable: missing label of hypotension");
    assert_eq!(d.display.zh, "无法推导：缺少 hypotension标签");
    let d = derive("crs_grade", &crs(json!(100.4), "NONE", "NONE", "N", "N"));
    assert!(d.display.en.contains("°F"), "{}", d.display.en);
}

fn ice(o: i64, n: i64, c: i64, w: i64, a: i64) -> Vec<(&'static str, Json)> {
    vec![
        ("orientation", json!(o)),
        ("naming", json!(n)),
        ("commands", json!(c)),
        ("writing", json!(w)),
        ("attention", json!(a)),
    ]
}

#[test]
fn ice_score() {
    use Expect::*;
    let full = ice(4, 3, 1, 1, 1);
    let mut cases: Vec<Case> = vec![
        ("all correct", full.clone(), Value(json!(10))),
        ("attention lost", ice(4, 3, 1, 1, 0), Value(json!(9))),
        (
            "one orientation, one naming, attention",
            ice(3, 2, 1, 1, 0),
            Value(json!(7)),
        ),
        ("six", ice(2, 2, 1, 1, 0), Value(json!(6))),
        ("three", ice(1, 1, 0, 1, 0), Value(json!(3))),
        ("two", ice(1, 1, 0, 0, 0), Value(json!(2))),
        ("none", ice(0, 0, 0, 0, 0), Value(json!(0))),
        ("orientation 5", ice(5, 3, 1, 1, 1), Invalid("orientation")),
        ("naming 4", ice(4, 4, 1, 1, 1), Invalid("naming")),
        ("commands 2", ice(4, 3, 2, 1, 1), Invalid("commands")),
        ("attention -1", ice(4, 3, 1, 1, -1), Invalid("attention")),
        (
            "orientation 2.5",
            with(&full, &[("orientation", json!(2.5))]),
            Invalid("orientation"),
        ),
        (
            "writing as text",
            with(&full, &[("writing", json!("yes"))]),
            Invalid("writing"),
        ),
        (
            "naming not done",
            with(&full, &[("naming", json!({"not_done": "intubated"}))]),
            Missing(&["naming"]),
        ),
    ];
    for arg in ["orientation", "naming", "commands", "writing", "attention"] {
        let leaked: &'static [&'static str] = Box::leak(vec![arg].into_boxed_slice());
        cases.push((arg, without(&full, arg), Missing(leaked)));
    }
    run_table("ice_score", &cases);
    let d = derive("ice_score", &ice(3, 2, 1, 1, 0));
    assert_eq!(
        (d.display.en.as_str(), d.display.zh.as_str()),
        ("ICE 7/10", "ICE 7/10")
    );
}

fn adult(ice: i64) -> Vec<(&'static str, Json)> {
    vec![
        ("age", json!(45)),
        ("ice", json!(ice)),
        ("consciousness", json!("AWAKE")),
        ("seizure", json!("NONE")),
        ("motor", json!("NONE")),
        ("icp", json!("NONE")),
    ]
}

fn child(age: i64, capd: i64, consciousness: &str) -> Vec<(&'static str, Json)> {
    vec![
        ("age", json!(age)),
        ("capd", json!(capd)),
        ("consciousness", json!(consciousness)),
        ("seizure", json!("NONE")),
        ("motor", json!("NONE")),
        ("icp", json!("NONE")),
    ]
}

#[test]
fn icans_grade() {
    use Expect::*;
    let base = adult(10);
    let mut cases: Vec<Case> = vec![
        ("ICE 10 and alert → no ICANS", base.clone(), Value(json!(0))),
        // ICE thresholds 9/10, 6/7, 2/3.
        ("ICE 9 → 1", adult(9), Value(json!(1))),
        ("ICE 7 → 1", adult(7), Value(json!(1))),
        ("ICE 6 → 2", adult(6), Value(json!(2))),
        ("ICE 3 → 2", adult(3), Value(json!(2))),
        ("ICE 2 → 3", adult(2), Value(json!(3))),
        (
            "ICE 0, awake (global aphasia) → 3",
            adult(0),
            Value(json!(3)),
        ),
        (
            "ICE 0, unarousable → 4",
            with(&adult(0), &[("consciousness", json!("UNAROUSABLE"))]),
            Value(json!(4)),
        ),
        // Depressed level of consciousness.
        (
            "awakens spontaneously → 1",
            with(&base, &[("consciousness", json!("SPONT"))]),
            Value(json!(1)),
        ),
        (
            "awakens to voice → 2",
            with(&base, &[("consciousness", json!("VOICE"))]),
            Value(json!(2)),
        ),
        (
            "only to tactile stimulus → 3",
            with(&base, &[("consciousness", json!("TACTILE"))]),
            Value(json!(3)),
        ),
        (
            "unarousable, ICE not done → 4",
            with(
                &without(&base, "ice"),
                &[("consciousness", json!("UNAROUSABLE"))],
            ),
            Value(json!(4)),
        ),
        // Seizure, motor, raised ICP.
        (
            "seizure resolving rapidly → 3",
            with(&base, &[("seizure", json!("RAPID"))]),
            Value(json!(3)),
        ),
        (
            "prolonged seizure → 4",
            with(&base, &[("seizure", json!("PROLONGED"))]),
            Value(json!(4)),
        ),
        (
            "hemiparesis → 4",
            with(&base, &[("motor", json!("DEEP_FOCAL"))]),
            Value(json!(4)),
        ),
        (
            "focal oedema → 3",
            with(&base, &[("icp", json!("FOCAL"))]),
            Value(json!(3)),
        ),
        (
            "diffuse oedema → 4",
            with(&base, &[("icp", json!("DIFFUSE"))]),
            Value(json!(4)),
        ),
        // The most severe domain.
        (
            "paper: ICE 3 with a generalised seizure → 3",
            with(&adult(3), &[("seizure", json!("RAPID"))]),
            Value(json!(3)),
        ),
        (
            "ICE 8, awakens to voice → 2",
            with(&adult(8), &[("consciousness", json!("VOICE"))]),
            Value(json!(2)),
        ),
        (
            "ICE 9, focal oedema → 3",
            with(&adult(9), &[("icp", json!("FOCAL"))]),
            Value(json!(3)),
        ),
        // Attributable to another cause.
        (
            "sedation: ICE 4, tactile, attributable to another cause → no ICANS",
            with(
                &adult(4),
                &[
                    ("consciousness", json!("TACTILE")),
                    ("other_cause", json!("Y")),
                ],
            ),
            Value(json!(0)),
        ),
        (
            "not attributable to another cause: ICE 4 → 2",
            with(&adult(4), &[("other_cause", json!("N"))]),
            Value(json!(2)),
        ),
        (
            "other cause not answered counts as N: ICE 5 → 2",
            adult(5),
            Value(json!(2)),
        ),
        // Children ≤ 12: CAPD replaces ICE; 13 years: ICE.
        (
            "age 12, CAPD 0, alert → no ICANS",
            child(12, 0, "AWAKE"),
            Value(json!(0)),
        ),
        (
            "age 12, CAPD 1, alert → 1",
            child(12, 1, "AWAKE"),
            Value(json!(1)),
        ),
        (
            "age 12, CAPD 8, awakens spontaneously → 1",
            child(12, 8, "SPONT"),
            Value(json!(1)),
        ),
        (
            "age 12, CAPD 8, awakens to voice → 2",
            child(12, 8, "VOICE"),
            Value(json!(2)),
        ),
        (
            "age 12, CAPD 8, tactile → 3",
            child(12, 8, "TACTILE"),
            Value(json!(3)),
        ),
        ("age 12, CAPD 9 → 3", child(12, 9, "AWAKE"), Value(json!(3))),
        (
            "age 5, CAPD 4, alert → 1",
            child(5, 4, "AWAKE"),
            Value(json!(1)),
        ),
        (
            "age 3, cannot perform CAPD → 4",
            with(
                &without(&child(3, 0, "AWAKE"), "capd"),
                &[("capd_unable", json!("Y"))],
            ),
            Value(json!(4)),
        ),
        (
            "age 12: ICE ignored, CAPD missing",
            with(
                &without(&child(12, 0, "AWAKE"), "capd"),
                &[("ice", json!(6))],
            ),
            Missing(&["capd"]),
        ),
        (
            "age 13: ICE 6 → 2 (no CAPD needed)",
            with(
                &without(&child(13, 0, "AWAKE"), "capd"),
                &[("ice", json!(6))],
            ),
            Value(json!(2)),
        ),
        (
            "age 13: ICE 10 graded, CAPD 9 ignored → 0",
            with(&child(13, 9, "AWAKE"), &[("ice", json!(10))]),
            Value(json!(0)),
        ),
        (
            "age 13: ICE missing",
            child(13, 9, "AWAKE"),
            Missing(&["ice"]),
        ),
        // A missing domain that cannot change grade 4.
        (
            "prolonged seizure, ICE not recorded → 4",
            with(&without(&base, "ice"), &[("seizure", json!("PROLONGED"))]),
            Value(json!(4)),
        ),
        (
            "ICE 2 (grade 3), motor not recorded",
            without(&adult(2), "motor"),
            Missing(&["motor"]),
        ),
        // Unusable values.
        ("ICE 11", adult(11), Invalid("ice")),
        ("CAPD 33", child(8, 33, "AWAKE"), Invalid("capd")),
        (
            "unknown consciousness code",
            with(&base, &[("consciousness", json!("DROWSY"))]),
            Invalid("consciousness"),
        ),
        (
            "negative age",
            with(&base, &[("age", json!(-1))]),
            Invalid("age"),
        ),
    ];
    for arg in ["age", "ice", "consciousness", "seizure", "motor", "icp"] {
        let leaked: &'static [&'static str] = Box::leak(vec![arg].into_boxed_slice());
        cases.push((arg, without(&base, arg), Missing(leaked)));
    }
    run_table("icans_grade", &cases);
    let d = derive("icans_grade", &adult(6));
    assert_eq!(
        (d.display.en.as_str(), d.display.zh.as_str()),
        ("Grade 2 (ASTCT)", "2 级（ASTCT）")
    );
    let d = derive("icans_grade", &adult(10));
    assert_eq!(
        (d.display.en.as_str(), d.display.zh.as_str()),
        ("No ICANS", "无 ICANS")
    );
}
