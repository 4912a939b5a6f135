//! Derivations: dosing and calendar functions as tables of cases (worked out by hand), the
//! wiring of every function named in `FUNCTIONS`, derivations reading earlier ones through a
//! definition loaded and checked like a real one, and robustness against any input.

mod common;
use common::*;
use ecrf_core::definition::load;
use ecrf_core::derive::{derive_form, FUNCTIONS, OPTIONAL};
use ecrf_core::validate::{Alone, FormValues, Slot};
use proptest::prelude::*;
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;

#[test]
fn dose_per_m2() {
    use Expect::*;
    let c = |d: Json, b: Json| vec![("dose_mg", d), ("bsa_m2", b)];
    run_table(
        "dose_per_m2",
        &[
            (
                "fludarabine 51 mg, 1.70 m² → 30.0",
                c(json!(51), json!(1.7)),
                Value(json!(30.0)),
            ),
            (
                "50 mg, 1.73 m² → 28.9",
                c(json!(50), json!(1.73)),
                Value(json!(28.9)),
            ),
            (
                "cyclophosphamide 865 mg, 1.73 m² → 500.0",
                c(json!(865), json!(1.73)),
                Value(json!(500.0)),
            ),
            (
                "dose withheld (0 mg) → 0.0",
                c(json!(0), json!(1.7)),
                Value(json!(0.0)),
            ),
            (
                "dose missing",
                c(Json::Null, json!(1.7)),
                Missing(&["dose_mg"]),
            ),
            (
                "BSA missing",
                c(json!(51), Json::Null),
                Missing(&["bsa_m2"]),
            ),
            (
                "both missing",
                c(Json::Null, Json::Null),
                Missing(&["dose_mg", "bsa_m2"]),
            ),
            ("BSA 0", c(json!(51), json!(0)), Invalid("bsa_m2")),
            (
                "negative dose",
                c(json!(-5), json!(1.7)),
                Invalid("dose_mg"),
            ),
        ],
    );
    let d = derive("dose_per_m2", &c(json!(51), json!(1.7)));
    assert_eq!(d.display.en, "30.0 mg/m²");
}

#[test]
fn percent_of() {
    use Expect::*;
    let c = |a: Json, p: Json| vec![("actual", a), ("planned", p)];
    run_table(
        "percent_of",
        &[
            (
                "450 of 500 → 90.0",
                c(json!(450), json!(500)),
                Value(json!(90.0)),
            ),
            (
                "full dose → 100.0",
                c(json!(500), json!(500)),
                Value(json!(100.0)),
            ),
            (
                "26 of 30 → 86.7",
                c(json!(26), json!(30)),
                Value(json!(86.7)),
            ),
            ("planned 0", c(json!(26), json!(0)), Invalid("planned")),
            (
                "actual missing",
                c(Json::Null, json!(30)),
                Missing(&["actual"]),
            ),
            (
                "planned missing",
                c(json!(26), Json::Null),
                Missing(&["planned"]),
            ),
        ],
    );
    assert_eq!(
        derive("percent_of", &c(json!(450), json!(500))).display.en,
        "90.0 %"
    );
}

#[test]
fn cells_per_kg() {
    use Expect::*;
    let c = |n: Json, w: Json| vec![("cells", n), ("weight_kg", w)];
    run_table(
        "cells_per_kg",
        &[
            (
                "7.0 × 10⁷ cells, 70 kg → 1 × 10⁶",
                c(json!(7.0e7), json!(70)),
                Value(json!(1000000)),
            ),
            (
                "2.1 × 10⁷ cells, 70 kg → 3 × 10⁵",
                c(json!(2.1e7), json!(70)),
                Value(json!(300000)),
            ),
            (
                "2.0 × 10⁸ cells, 65 kg → 3 076 923",
                c(json!(2.0e8), json!(65)),
                Value(json!(3076923)),
            ),
            ("weight 0", c(json!(7.0e7), json!(0)), Invalid("weight_kg")),
            (
                "cells missing",
                c(Json::Null, json!(70)),
                Missing(&["cells"]),
            ),
            (
                "weight missing",
                c(json!(7.0e7), Json::Null),
                Missing(&["weight_kg"]),
            ),
        ],
    );
    let shown = |n: f64, w: f64| derive("cells_per_kg", &c(json!(n), json!(w))).display;
    assert_eq!(shown(7.0e7, 70.0).en, "1.0 × 10⁶ cells/kg");
    assert_eq!(shown(7.0e7, 70.0).zh, "1.0 × 10⁶ 个细胞/kg");
    assert_eq!(shown(2.1e7, 70.0).en, "3.0 × 10⁵ cells/kg");
    assert_eq!(shown(2.0e8, 65.0).en, "3.1 × 10⁶ cells/kg");
    // 995 714 cells/kg: the mantissa 9.96 rounds to 10.0, shown as 1.0 × 10⁶.
    assert_eq!(shown(6.97e7, 70.0).en, "1.0 × 10⁶ cells/kg");
}

#[test]
fn study_day() {
    use Expect::*;
    let c = |d: Json, i: Json| vec![("date", d), ("infusion", i)];
    let inf = json!("2024-03-05");
    run_table(
        "study_day",
        &[
            (
                "infusion day → 0",
                c(json!("2024-03-05"), inf.clone()),
                Value(json!(0)),
            ),
            (
                "lymphodepletion across 29 February → −5",
                c(json!("2024-02-29"), inf.clone()),
                Value(json!(-5)),
            ),
            (
                "a date-time at its local date → 7",
                c(json!("2024-03-12T08:00+08:00"), inf.clone()),
                Value(json!(7)),
            ),
            (
                "day 28",
                c(json!("2024-04-02"), inf.clone()),
                Value(json!(28)),
            ),
            (
                "one year → 365",
                c(json!("2025-03-05"), inf.clone()),
                Value(json!(365)),
            ),
            (
                "partial date",
                c(json!("2024-03"), inf.clone()),
                Invalid("date"),
            ),
            (
                "not a date",
                c(json!("yesterday"), inf.clone()),
                Invalid("date"),
            ),
            (
                "infusion missing",
                c(json!("2024-03-12"), Json::Null),
                Missing(&["infusion"]),
            ),
            (
                "date missing",
                c(Json::Null, inf.clone()),
                Missing(&["date"]),
            ),
        ],
    );
    let d = derive("study_day", &c(json!("2024-02-29"), inf));
    assert_eq!(
        (d.display.en.as_str(), d.display.zh.as_str()),
        ("Day -5", "第 -5 天")
    );
}

#[test]
fn sum() {
    use Expect::*;
    run_table(
        "sum",
        &[
            (
                "1 + 2 → 3",
                vec![("a", json!(1)), ("b", json!(2))],
                Value(json!(3)),
            ),
            (
                "0.1 + 0.2 → 0.3",
                vec![("a", json!(0.1)), ("b", json!(0.2))],
                Value(json!(0.3)),
            ),
            ("only c → 5", vec![("c", json!(5))], Value(json!(5))),
            (
                "not done skipped → 2",
                vec![("a", json!({"not_done": "x"})), ("b", json!(2))],
                Value(json!(2)),
            ),
            ("none", vec![], Missing(&["a", "b", "c", "d", "e"])),
            (
                "text",
                vec![("a", json!("x")), ("b", json!(2))],
                Invalid("a"),
            ),
        ],
    );
}

#[test]
fn every_listed_function_runs_and_optional_inputs_belong_to_listed_functions() {
    for (f, _) in FUNCTIONS {
        let d = derive(f, &[]);
        assert!(
            !d.missing.iter().any(|m| m.starts_with("unknown function")),
            "{f} is listed but not wired"
        );
    }
    for (f, args) in OPTIONAL {
        let (_, required) = FUNCTIONS
            .iter()
            .find(|(g, _)| g == f)
            .unwrap_or_else(|| panic!("{f} has optional inputs but is not in FUNCTIONS"));
        for a in *args {
            assert!(
                !required.contains(a),
                "{f}: {a} is both required and optional"
            );
        }
    }
    // A result too large for a number is not derivable, not a null value with a display.
    let d = derive(
        "cells_per_kg",
        &[("cells", json!(1.0e308)), ("weight_kg", json!(1.0e-10))],
    );
    assert!(d.value.is_null());
    assert!(
        d.display.en.starts_with("not derivable: "),
        "{}",
        d.display.en
    );
    let d = derive_with("no_such_function", &[], &[], &[]);
    assert!(d.value.is_null());
}

/// A study whose forms map only required inputs (what the loader's checks accept) and read
/// earlier derived values by id: ICE → ICANS, PET + CT → overall response.
fn chained() -> ecrf_core::definition::Definition {
    let study = r#"
format = 1
form_files = ["icans.toml", "lymph.toml"]
events = []

[study]
id = "T"
version = "1"
name = { en = "Test", zh = "测试" }

[[codelists]]
id = "NY"
choices = [
  { code = "Y", en = "Yes", zh = "是" },
  { code = "N", en = "No", zh = "否" },
]
"#;
    let item = |id: &str, ty: &str, extra: &str| {
        format!("[[items]]\nid = \"{id}\"\nlabel = {{ en = \"{id}\", zh = \"{id}\" }}\ntype = \"{ty}\"\n{extra}\n")
    };
    let mut icans = String::from("id = \"ICANS\"\nname = { en = \"ICANS\", zh = \"ICANS\" }\n\n");
    for (id, ty) in [
        ("AGE", "integer"),
        ("ORIENT", "integer"),
        ("NAMING", "integer"),
        ("COMMANDS", "integer"),
        ("WRITING", "integer"),
        ("ATTENTION", "integer"),
        ("LOC", "text"),
        ("SEIZURE", "text"),
        ("MOTOR", "text"),
        ("ICP", "text"),
    ] {
        icans.push_str(&item(id, ty, ""));
    }
    icans.push_str(
        r#"
[[derived]]
id = "ICE"
label = { en = "ICE score", zh = "ICE 评分" }
function = "ice_score"
inputs = { orientation = "ORIENT", naming = "NAMING", commands = "COMMANDS", writing = "WRITING", attention = "ATTENTION" }

[[derived]]
id = "GRADE"
label = { en = "ICANS grade", zh = "ICANS 分级" }
function = "icans_grade"
inputs = { age = "AGE", ice = "ICE", consciousness = "LOC", seizure = "SEIZURE", motor = "MOTOR", icp = "ICP" }
"#,
    );
    let mut lymph = String::from(
        "id = \"LYMPH\"\nname = { en = \"Lymphoma response\", zh = \"淋巴瘤疗效\" }\n\n[[groups]]\nid = \"LESIONS\"\nname = { en = \"Target lesions\", zh = \"靶病灶\" }\nrepeating = true\nmax = 6\n\n",
    );
    lymph.push_str(&item("LDIAM", "decimal", "group = \"LESIONS\""));
    lymph.push_str(&item("SDIAM", "decimal", "group = \"LESIONS\""));
    for id in ["DS", "UPTAKE", "BASESPD"] {
        lymph.push_str(&item(
            id,
            if id == "UPTAKE" { "text" } else { "decimal" },
            "",
        ));
    }
    for id in [
        "NEWAVID",
        "MARROWAVID",
        "NEWLES",
        "SPLEEN",
        "NEWMARROW",
        "EXTRANODAL",
        "MARROWCLR",
    ] {
        lymph.push_str(&item(id, "choice", "codelist = \"NY\""));
    }
    lymph.push_str(
        r#"
[[derived]]
id = "PET"
label = { en = "PET-CT response", zh = "PET-CT 疗效" }
function = "lugano_pet"
inputs = { deauville = "DS", uptake = "UPTAKE", new_avid = "NEWAVID", marrow_avid = "MARROWAVID" }

[[derived]]
id = "CT"
label = { en = "CT response", zh = "CT 疗效" }
function = "lugano_ct"
inputs = { baseline_spd = "BASESPD", new_lesion = "NEWLES", spleen_growth = "SPLEEN", new_marrow = "NEWMARROW", extranodal = "EXTRANODAL", marrow_clear = "MARROWCLR" }

[[derived]]
id = "OVERALL"
label = { en = "Overall response", zh = "总体疗效" }
function = "lugano_overall"
inputs = { pet = "PET", ct = "CT" }
"#,
    );
    let files: BTreeMap<String, String> = [
        ("study.toml".to_string(), study.to_string()),
        ("icans.toml".to_string(), icans),
        ("lymph.toml".to_string(), lymph),
    ]
    .into_iter()
    .collect();
    match load(&files, "study.toml") {
        Ok(d) => d,
        Err(e) => panic!(
            "{}",
            e.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

fn values(main: &[(&str, Json)]) -> FormValues {
    main.iter()
        .map(|(i, v)| (Slot::main(i), v.clone()))
        .collect()
}

#[test]
fn derivations_read_earlier_derivations_in_a_checked_definition() {
    let def = chained();
    let form = def.form("ICANS").expect("ICANS form");
    let v = values(&[
        ("AGE", json!(34)),
        ("ORIENT", json!(2)),
        ("NAMING", json!(2)),
        ("COMMANDS", json!(1)),
        ("WRITING", json!(0)),
        ("ATTENTION", json!(0)),
        ("LOC", json!("AWAKE")),
        ("SEIZURE", json!("NONE")),
        ("MOTOR", json!("NONE")),
        ("ICP", json!("NONE")),
    ]);
    let d = derive_form(&def, form, &v, &Alone);
    assert_eq!(d[0].value, json!(5)); // ICE 2+2+1+0+0
    assert_eq!(d[1].value, json!(2)); // ICE 3-6 → grade 2
    assert_eq!(d[1].display.zh, "2 级（ASTCT）");

    // ICE not derivable (naming missing) → the grade names the derived ICE as missing.
    let mut v2 = v.clone();
    v2.remove(&Slot::main("NAMING"));
    let d = derive_form(&def, form, &v2, &Alone);
    assert!(d[1].value.is_null());
    assert_eq!(d[1].missing, vec!["ICE".to_string()]);
    assert_eq!(d[1].display.en, "not derivable: missing ICE score");

    let form = def.form("LYMPH").expect("LYMPH form");
    let mut v = values(&[
        ("DS", json!(4)),
        ("UPTAKE", json!("REDUCED")),
        ("NEWAVID", json!("N")),
        ("MARROWAVID", json!("N")),
        ("BASESPD", json!(20)),
        ("NEWLES", json!("N")),
        ("SPLEEN", json!("N")),
        ("NEWMARROW", json!("N")),
        ("EXTRANODAL", json!("N")),
        ("MARROWCLR", json!("Y")),
    ]);
    for (r, (ld, sd)) in [(3.0, 2.0), (2.0, 1.0)].into_iter().enumerate() {
        for (item, x) in [("LDIAM", ld), ("SDIAM", sd)] {
            v.insert(
                Slot {
                    group: "LESIONS".into(),
                    repeat: r as u32 + 1,
                    item: item.into(),
                },
                json!(x),
            );
        }
    }
    let d = derive_form(&def, form, &v, &Alone);
    assert_eq!(d[0].value, json!("PMR"));
    // SPD 6 + 2 = 8 from 20 (−60 %) → PR.
    assert!(same(&d[1].value, &json!({"response": "PR", "spd": 8})));
    assert_eq!(d[2].value, json!("PR"));
    assert_eq!(d[2].display.en, "PR — partial response (PET-CT)");
    v.remove(&Slot::main("DS"));
    let d = derive_form(&def, form, &v, &Alone);
    assert!(d[0].value.is_null());
    assert_eq!(d[2].value, json!("PR"));
    assert_eq!(d[2].display.en, "PR — partial response (CT)");
}

fn any_json() -> impl Strategy<Value = Json> {
    prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::from),
        any::<i64>().prop_map(Json::from),
        (-1.0e12f64..1.0e12).prop_map(Json::from),
        (-5.0f64..110.0).prop_map(Json::from),
        (0i64..40).prop_map(Json::from),
        prop::sample::select(vec![
            "Y",
            "N",
            "NONE",
            "FLUIDS",
            "VASO1",
            "VASO2",
            "LOWFLOW",
            "HIGHFLOW",
            "PPV",
            "AWAKE",
            "SPONT",
            "VOICE",
            "TACTILE",
            "UNAROUSABLE",
            "RAPID",
            "PROLONGED",
            "DEEP_FOCAL",
            "FOCAL",
            "DIFFUSE",
            "PRESENT",
            "NEW",
            "CNS1",
            "CNS2",
            "CNS3",
            "REDUCED",
            "UNCHANGED",
            "INCREASED",
            "CMR",
            "PMR",
            "NMR",
            "PMD",
            "CR",
            "PR",
            "SD",
            "PD",
            "2024-03-05",
            "2024-02",
            "2024-03-05T10:00Z",
            "",
        ])
        .prop_map(Json::from),
        Just(json!({"not_done": "x"})),
        Just(json!({"code": "UNK"})),
        Just(json!({"blq": 0.001})),
        Just(json!({"response": "PR", "spd": 1.5})),
        Just(json!([1, 2])),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 400,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]
    /// Whatever the values, no derivation panics, and a result is either a value or "not
    /// derivable" with null — never both, never neither.
    #[test]
    fn no_panic_and_null_iff_not_derivable(
        picks in prop::collection::vec(any_json(), 12),
        rows in prop::collection::vec(prop::collection::vec(any_json(), 4), 0..4),
        f in 0usize..FUNCTIONS.len(),
    ) {
        let function = FUNCTIONS[f].0;
        let args: Vec<(&str, Json)> = args_of(function)
            .into_iter()
            .zip(picks)
            .collect();
        let rows: Vec<[Json; 4]> = rows
            .into_iter()
            .map(|r| [r[0].clone(), r[1].clone(), r[2].clone(), r[3].clone()])
            .collect();
        let d = derive_with(function, &[], &args, &rows);
        let nd = d.display.en.starts_with("not derivable");
        prop_assert_eq!(d.value.is_null(), nd, "{} {:?}", function, d);
        prop_assert_eq!(d.display.zh.starts_with("无法推导"), nd);
        if nd {
            prop_assert!(
                !d.missing.is_empty()
                    || d.display.en.contains("study parameter")
                    || d.display.en.contains("finite number")
            );
        }
    }
}
