//! B-ALL response, MRD and Lugano 2014 as tables of clinical cases. Every expected response is
//! worked out by hand from the published rules (NCCN/ELN response tables; Cheson BD et al.,
//! J Clin Oncol 2014;32:3059-3068) and docs/derivations.md, never produced by running the code.

mod common;
use common::*;
use serde_json::{json, Value as Json};

/// A B-ALL assessment meeting every CR criterion (pre-treatment marrow blasts 80 %).
fn cr() -> Vec<(&'static str, Json)> {
    vec![
        ("marrow_blasts", json!(2)),
        ("circ_blasts", json!("N")),
        ("emd", json!("NONE")),
        ("cns", json!("CNS1")),
        ("anc", json!(1500)),
        ("platelets", json!(150000)),
        ("transfusion", json!("N")),
        ("baseline_blasts", json!(80)),
        ("prior_cr", json!("N")),
    ]
}

fn leaked(arg: &'static str) -> &'static [&'static str] {
    Box::leak(vec![arg].into_boxed_slice())
}

#[test]
fn all_response() {
    use Expect::*;
    let base = cr();
    let after_cr = with(&base, &[("prior_cr", json!("Y"))]);
    let m = |x: Json| ("marrow_blasts", x);
    let mut cases: Vec<Case> = vec![
        ("all CR criteria → CR", base.clone(), Value(json!("CR"))),
        // Marrow blasts 4.9 / 5.0 / 5.1 (CR < 5 %; PR 5-25 % and ≥ 50 % below 80 %).
        (
            "marrow 4.9 % → CR",
            with(&base, &[m(json!(4.9))]),
            Value(json!("CR")),
        ),
        (
            "marrow 5.0 % → not CR; 5-25 % and ≤ 40 % → PR",
            with(&base, &[m(json!(5.0))]),
            Value(json!("PR")),
        ),
        (
            "marrow 5.1 % → PR",
            with(&base, &[m(json!(5.1))]),
            Value(json!("PR")),
        ),
        // 25 / 25.1 (PR ≤ 25 %), pre-treatment 60 % (half: 30 %).
        (
            "marrow 25 % from 60 % → PR",
            with(&base, &[m(json!(25)), ("baseline_blasts", json!(60))]),
            Value(json!("PR")),
        ),
        (
            "marrow 25.1 % from 60 % → NR",
            with(&base, &[m(json!(25.1)), ("baseline_blasts", json!(60))]),
            Value(json!("NR")),
        ),
        // The 50 % reduction: from 40 %, 20 % is exactly half.
        (
            "marrow 20 % from 40 % (−50 %) → PR",
            with(&base, &[m(json!(20)), ("baseline_blasts", json!(40))]),
            Value(json!("PR")),
        ),
        (
            "marrow 20.1 % from 40 % (−49.75 %) → NR",
            with(&base, &[m(json!(20.1)), ("baseline_blasts", json!(40))]),
            Value(json!("NR")),
        ),
        // PR needs the blood criteria of CR.
        (
            "marrow 10 % from 60 %, ANC 500 → NR",
            with(
                &base,
                &[
                    m(json!(10)),
                    ("baseline_blasts", json!(60)),
                    ("anc", json!(500)),
                ],
            ),
            Value(json!("NR")),
        ),
        (
            "marrow 10 % from 60 %, transfusion dependent → NR",
            with(
                &base,
                &[
                    m(json!(10)),
                    ("baseline_blasts", json!(60)),
                    ("transfusion", json!("Y")),
                ],
            ),
            Value(json!("NR")),
        ),
        (
            "marrow 10 % from 60 %, circulating blasts → NR",
            with(
                &base,
                &[
                    m(json!(10)),
                    ("baseline_blasts", json!(60)),
                    ("circ_blasts", json!("Y")),
                ],
            ),
            Value(json!("NR")),
        ),
        // ANC 999/1000, platelets 99999/100000, transfusion.
        (
            "ANC 999 → CRi",
            with(&base, &[("anc", json!(999))]),
            Value(json!("CRI")),
        ),
        (
            "ANC 1000 → CR",
            with(&base, &[("anc", json!(1000))]),
            Value(json!("CR")),
        ),
        (
            "platelets 99 999 → CRi",
            with(&base, &[("platelets", json!(99999))]),
            Value(json!("CRI")),
        ),
        (
            "platelets 100 000 → CR",
            with(&base, &[("platelets", json!(100000))]),
            Value(json!("CR")),
        ),
        (
            "counts recovered only with transfusions → CRi",
            with(&base, &[("transfusion", json!("Y"))]),
            Value(json!("CRI")),
        ),
        (
            "both counts low, MLFS not used → CRi",
            with(&base, &[("anc", json!(500)), ("platelets", json!(20000))]),
            Value(json!("CRI")),
        ),
        (
            "platelets low, ANC not recorded → CRi",
            with(&without(&base, "anc"), &[("platelets", json!(40000))]),
            Value(json!("CRI")),
        ),
        // Blood, EMD, CNS.
        (
            "circulating blasts, marrow 2 % → NR",
            with(&base, &[("circ_blasts", json!("Y"))]),
            Value(json!("NR")),
        ),
        (
            "extramedullary disease present → NR",
            with(&base, &[("emd", json!("PRESENT"))]),
            Value(json!("NR")),
        ),
        (
            "CNS2 → NR",
            with(&base, &[("cns", json!("CNS2"))]),
            Value(json!("NR")),
        ),
        (
            "CNS3 → NR",
            with(&base, &[("cns", json!("CNS3"))]),
            Value(json!("NR")),
        ),
        (
            "new extramedullary disease → PD",
            with(&base, &[("emd", json!("NEW"))]),
            Value(json!("PD")),
        ),
        // PD: ≥ 25 % above pre-treatment 40 % (50 %), or above the nadir when never in CR.
        (
            "never in CR: 50 % from 40 % (+25 %) → PD",
            with(&base, &[m(json!(50)), ("baseline_blasts", json!(40))]),
            Value(json!("PD")),
        ),
        (
            "never in CR: 49.9 % from 40 % → NR",
            with(&base, &[m(json!(49.9)), ("baseline_blasts", json!(40))]),
            Value(json!("NR")),
        ),
        (
            "never in CR: 25 % from nadir 20 % (+25 %) → PD",
            with(&base, &[m(json!(25)), ("nadir_blasts", json!(20))]),
            Value(json!("PD")),
        ),
        (
            "never in CR: 24.9 % from nadir 20 % → not PD; ≤ 40 % (half of 80 %) → PR",
            with(&base, &[m(json!(24.9)), ("nadir_blasts", json!(20))]),
            Value(json!("PR")),
        ),
        (
            "never in CR: nadir without pre-treatment value, 30 % from 10 % → PD",
            with(
                &without(&base, "baseline_blasts"),
                &[m(json!(30)), ("nadir_blasts", json!(10))],
            ),
            Value(json!("PD")),
        ),
        // After CR/CRi relapse is checked first.
        (
            "after CR, still in CR → CR",
            after_cr.clone(),
            Value(json!("CR")),
        ),
        (
            "after CR: 60 % from 40 % → relapse, not PD",
            with(&after_cr, &[m(json!(60)), ("baseline_blasts", json!(40))]),
            Value(json!("RELAPSE")),
        ),
        (
            "never in CR: the same 60 % from 40 % → PD",
            with(&base, &[m(json!(60)), ("baseline_blasts", json!(40))]),
            Value(json!("PD")),
        ),
        (
            "after CR: new extramedullary disease → relapse",
            with(&after_cr, &[("emd", json!("NEW"))]),
            Value(json!("RELAPSE")),
        ),
        (
            "after CR: marrow 5.1 % → relapse",
            with(&after_cr, &[m(json!(5.1))]),
            Value(json!("RELAPSE")),
        ),
        (
            "after CR: marrow 5.0 % is not > 5 % → not relapse; PR by the marrow rule",
            with(&after_cr, &[m(json!(5.0))]),
            Value(json!("PR")),
        ),
        (
            "after CR: blasts back in blood, marrow not yet done → relapse",
            with(
                &without(&after_cr, "marrow_blasts"),
                &[("circ_blasts", json!("Y"))],
            ),
            Value(json!("RELAPSE")),
        ),
        (
            "after CR: isolated CNS relapse (CNS3) → relapse",
            with(&after_cr, &[("cns", json!("CNS3"))]),
            Value(json!("RELAPSE")),
        ),
        (
            "after CR: CNS2 → relapse",
            with(&after_cr, &[("cns", json!("CNS2"))]),
            Value(json!("RELAPSE")),
        ),
        (
            "after CR: extramedullary disease present → relapse",
            with(&after_cr, &[("emd", json!("PRESENT"))]),
            Value(json!("RELAPSE")),
        ),
        // Missing data.
        (
            "prior CR not answered, 60 % from 40 % (relapse or PD)",
            with(
                &without(&base, "prior_cr"),
                &[m(json!(60)), ("baseline_blasts", json!(40))],
            ),
            Missing(&["prior_cr"]),
        ),
        (
            "prior CR not answered, CR either way → CR",
            without(&base, "prior_cr"),
            Value(json!("CR")),
        ),
        (
            "marrow 30 %, no pre-treatment or nadir value",
            with(&without(&base, "baseline_blasts"), &[m(json!(30))]),
            Missing(&["baseline_blasts"]),
        ),
        (
            "marrow 10 % (PR range), no pre-treatment value",
            with(&without(&base, "baseline_blasts"), &[m(json!(10))]),
            Missing(&["baseline_blasts"]),
        ),
        (
            "marrow 10 % from 60 %, ANC missing for PR",
            with(
                &without(&base, "anc"),
                &[m(json!(10)), ("baseline_blasts", json!(60))],
            ),
            Missing(&["anc"]),
        ),
        (
            "marrow not done (dry tap)",
            with(&base, &[m(json!({"not_done": "dry tap"}))]),
            Missing(&["marrow_blasts"]),
        ),
        // Unusable values.
        (
            "marrow 101 %",
            with(&base, &[m(json!(101))]),
            Invalid("marrow_blasts"),
        ),
        (
            "negative ANC",
            with(&base, &[("anc", json!(-5))]),
            Invalid("anc"),
        ),
        (
            "unknown EMD code",
            with(&base, &[("emd", json!("YES"))]),
            Invalid("emd"),
        ),
        (
            "unknown CNS code",
            with(&base, &[("cns", json!("CNS4"))]),
            Invalid("cns"),
        ),
    ];
    // Each input the CR decision needs, missing.
    for arg in [
        "marrow_blasts",
        "circ_blasts",
        "emd",
        "cns",
        "anc",
        "platelets",
        "transfusion",
    ] {
        cases.push((arg, without(&base, arg), Missing(leaked(arg))));
    }
    run_table("all_response", &cases);

    let d = derive("all_response", &base);
    assert_eq!(d.display.en, "CR — complete remission");
    assert_eq!(d.display.zh, "CR — 完全缓解");
}

#[test]
fn all_response_with_mlfs() {
    use Expect::*;
    let base = cr();
    run_table_with(
        "all_response",
        &[("all_mlfs", json!(true))],
        &[
            (
                "neither count recovered → MLFS",
                with(&base, &[("anc", json!(500)), ("platelets", json!(20000))]),
                Value(json!("MLFS")),
            ),
            (
                "ANC low, platelets recovered → CRi",
                with(&base, &[("anc", json!(500))]),
                Value(json!("CRI")),
            ),
            (
                "platelets low, ANC recovered → CRi",
                with(&base, &[("platelets", json!(20000))]),
                Value(json!("CRI")),
            ),
            ("both recovered → CR", base.clone(), Value(json!("CR"))),
            (
                "neither recovered but CNS2 (extramedullary) → NR",
                with(
                    &base,
                    &[
                        ("anc", json!(500)),
                        ("platelets", json!(20000)),
                        ("cns", json!("CNS2")),
                    ],
                ),
                Value(json!("NR")),
            ),
            (
                "ANC low, platelets missing",
                with(&without(&base, "platelets"), &[("anc", json!(500))]),
                Missing(&["platelets"]),
            ),
        ],
    );
    // Thresholds are parameters: CR needs ANC ≥ 500 in a study that says so.
    run_table_with(
        "all_response",
        &[("all_anc_min", json!(500))],
        &[(
            "ANC 500 under a 500 threshold → CR",
            with(&base, &[("anc", json!(500))]),
            Value(json!("CR")),
        )],
    );
}

fn mrd(result: Json, sensitivity: Json) -> Vec<(&'static str, Json)> {
    vec![("result", result), ("sensitivity", sensitivity)]
}

#[test]
fn mrd_status() {
    use Expect::*;
    let cases: Vec<Case> = vec![
        (
            "9.9 × 10⁻⁵ with 10⁻⁴ sensitivity → negative",
            mrd(json!(0.0099), json!(0.01)),
            Value(json!("NEG")),
        ),
        (
            "exactly 10⁻⁴ → positive",
            mrd(json!(0.01), json!(0.01)),
            Value(json!("POS")),
        ),
        (
            "1.1 × 10⁻⁴ → positive",
            mrd(json!(0.011), json!(0.001)),
            Value(json!("POS")),
        ),
        (
            "0.5 % on an insensitive assay → positive",
            mrd(json!(0.5), json!(1)),
            Value(json!("POS")),
        ),
        (
            "5 × 10⁻⁵ with 10⁻³ sensitivity → not evaluable",
            mrd(json!(0.005), json!(0.1)),
            Value(json!("NE")),
        ),
        (
            "5 × 10⁻⁵ with 1.1 × 10⁻⁴ sensitivity → not evaluable",
            mrd(json!(0.005), json!(0.011)),
            Value(json!("NE")),
        ),
        (
            "5 × 10⁻⁵ by NGS (10⁻⁶) → negative",
            mrd(json!(0.005), json!(0.0001)),
            Value(json!("NEG")),
        ),
        (
            "0 with 10⁻⁴ sensitivity → negative",
            mrd(json!(0), json!(0.01)),
            Value(json!("NEG")),
        ),
        (
            "not detected, 10⁻⁶ sensitivity → negative",
            vec![("sensitivity", json!(0.0001)), ("detected", json!("N"))],
            Value(json!("NEG")),
        ),
        (
            "not detected, 10⁻³ sensitivity → not evaluable",
            vec![("sensitivity", json!(0.1)), ("detected", json!("N"))],
            Value(json!("NE")),
        ),
        (
            "below an LLOQ of 10⁻⁵ on a 10⁻⁵ assay → negative",
            mrd(json!({"blq": 0.001}), json!(0.001)),
            Value(json!("NEG")),
        ),
        (
            "below an LLOQ of 5 × 10⁻⁴ → not evaluable",
            mrd(json!({"blq": 0.05}), json!(0.05)),
            Value(json!("NE")),
        ),
        (
            "0.05 % with sensitivity not recorded → positive",
            vec![("result", json!(0.05))],
            Value(json!("POS")),
        ),
        (
            "result missing",
            vec![("sensitivity", json!(0.01))],
            Missing(&["result"]),
        ),
        (
            "detected, result missing",
            vec![("sensitivity", json!(0.01)), ("detected", json!("Y"))],
            Missing(&["result"]),
        ),
        (
            "5 × 10⁻⁵ with sensitivity missing",
            vec![("result", json!(0.005))],
            Missing(&["sensitivity"]),
        ),
        (
            "0.05 % but 'not detected'",
            vec![
                ("result", json!(0.05)),
                ("sensitivity", json!(0.01)),
                ("detected", json!("N")),
            ],
            Invalid("result"),
        ),
        (
            "sensitivity 0",
            mrd(json!(0.005), json!(0)),
            Invalid("sensitivity"),
        ),
        (
            "negative result",
            mrd(json!(-0.1), json!(0.01)),
            Invalid("result"),
        ),
        (
            "result above 100 %",
            mrd(json!(101), json!(0.01)),
            Invalid("result"),
        ),
    ];
    run_table("mrd_status", &cases);
    run_table_with(
        "mrd_status",
        &[("mrd_threshold_pct", json!(0.001))],
        &[(
            "5 × 10⁻⁵ under a 10⁻⁵ threshold → positive",
            mrd(json!(0.005), json!(0.001)),
            Value(json!("POS")),
        )],
    );
    let d = derive("mrd_status", &mrd(json!(0.0099), json!(0.01)));
    assert_eq!(d.display.en, "MRD negative (< 0.01 %)");
    assert_eq!(d.display.zh, "MRD 阴性（< 0.01%）");
}

fn pet(ds: Json, uptake: &str, new_avid: &str, marrow_avid: &str) -> Vec<(&'static str, Json)> {
    let code = |s: &str| if s.is_empty() { Json::Null } else { json!(s) };
    vec![
        ("deauville", ds),
        ("uptake", code(uptake)),
        ("new_avid", code(new_avid)),
        ("marrow_avid", code(marrow_avid)),
    ]
}

#[test]
fn lugano_pet() {
    use Expect::*;
    let cases: Vec<Case> = vec![
        (
            "Deauville 1 → CMR",
            pet(json!(1), "REDUCED", "N", "N"),
            Value(json!("CMR")),
        ),
        (
            "Deauville 2 → CMR",
            pet(json!(2), "REDUCED", "N", "N"),
            Value(json!("CMR")),
        ),
        (
            "Deauville 3 → CMR",
            pet(json!(3), "REDUCED", "N", "N"),
            Value(json!("CMR")),
        ),
        (
            "Deauville 3, uptake not needed → CMR",
            pet(json!(3), "", "N", "N"),
            Value(json!("CMR")),
        ),
        (
            "Deauville 4, reduced → PMR",
            pet(json!(4), "REDUCED", "N", "N"),
            Value(json!("PMR")),
        ),
        (
            "Deauville 5, reduced → PMR",
            pet(json!(5), "REDUCED", "N", "N"),
            Value(json!("PMR")),
        ),
        (
            "Deauville 4, unchanged → NMR",
            pet(json!(4), "UNCHANGED", "N", "N"),
            Value(json!("NMR")),
        ),
        (
            "Deauville 5, unchanged → NMR",
            pet(json!(5), "UNCHANGED", "N", "Y"),
            Value(json!("NMR")),
        ),
        (
            "Deauville 4, increased → PMD",
            pet(json!(4), "INCREASED", "N", "N"),
            Value(json!("PMD")),
        ),
        (
            "Deauville 5, increased → PMD",
            pet(json!(5), "INCREASED", "N", "N"),
            Value(json!("PMD")),
        ),
        (
            "Deauville 2 with new avid foci → PMD",
            pet(json!(2), "REDUCED", "Y", "N"),
            Value(json!("PMD")),
        ),
        (
            "Deauville 3 with residual marrow uptake, reduced → PMR",
            pet(json!(3), "REDUCED", "N", "Y"),
            Value(json!("PMR")),
        ),
        (
            "Deauville 3 with residual marrow uptake, unchanged → NMR",
            pet(json!(3), "UNCHANGED", "N", "Y"),
            Value(json!("NMR")),
        ),
        (
            "Deauville 5 increased, new foci not answered → PMD",
            pet(json!(5), "INCREASED", "", "N"),
            Value(json!("PMD")),
        ),
        (
            "Deauville missing",
            pet(Json::Null, "REDUCED", "N", "N"),
            Missing(&["deauville"]),
        ),
        (
            "Deauville 4, uptake missing",
            pet(json!(4), "", "N", "N"),
            Missing(&["uptake"]),
        ),
        (
            "Deauville 3, new foci missing",
            pet(json!(3), "REDUCED", "", "N"),
            Missing(&["new_avid"]),
        ),
        (
            "Deauville 3, marrow missing",
            pet(json!(3), "REDUCED", "N", ""),
            Missing(&["marrow_avid"]),
        ),
        (
            "Deauville 6",
            pet(json!(6), "REDUCED", "N", "N"),
            Invalid("deauville"),
        ),
        (
            "Deauville 0",
            pet(json!(0), "REDUCED", "N", "N"),
            Invalid("deauville"),
        ),
        (
            "Deauville 3.5",
            pet(json!(3.5), "REDUCED", "N", "N"),
            Invalid("deauville"),
        ),
        (
            "unknown uptake code",
            pet(json!(4), "LOWER", "N", "N"),
            Invalid("uptake"),
        ),
    ];
    run_table("lugano_pet", &cases);
    let d = derive("lugano_pet", &pet(json!(3), "REDUCED", "N", "N"));
    assert_eq!(d.display.zh, "CMR — 完全代谢缓解");
}

/// CT flags: no new lesion, no splenic growth, no new marrow involvement, no extranodal
/// disease, marrow clear; baseline SPD 10 cm².
fn ct() -> Vec<(&'static str, Json)> {
    vec![
        ("baseline_spd", json!(10)),
        ("new_lesion", json!("N")),
        ("spleen_growth", json!("N")),
        ("new_marrow", json!("N")),
        ("extranodal", json!("N")),
        ("marrow_clear", json!("Y")),
    ]
}

/// A lesion row without its own nadir.
fn l(ld: f64, sd: f64) -> [Json; 4] {
    [json!(ld), json!(sd), Json::Null, Json::Null]
}

/// A lesion row with its nadir diameters.
fn ln(ld: f64, sd: f64, nld: f64, nsd: f64) -> [Json; 4] {
    [json!(ld), json!(sd), json!(nld), json!(nsd)]
}

fn response(code: &str, spd: Json) -> Expect {
    Expect::Value(json!({"response": code, "spd": spd}))
}

#[test]
fn lugano_ct() {
    use Expect::*;
    let base = ct();
    let cases: Vec<RowCase> = vec![
        // CR: every node ≤ 1.5 cm; lesion 1.5 / 1.6 cm.
        (
            "nodes 1.5 and 1.2 cm → CR",
            base.clone(),
            vec![l(1.5, 1.0), l(1.2, 0.8)],
            response("CR", json!(2.46)),
        ),
        (
            "node 1.6 cm → not CR; SPD 2.6 ≤ 5 → PR",
            base.clone(),
            vec![l(1.6, 1.0), l(1.0, 1.0)],
            response("PR", json!(2.6)),
        ),
        (
            "small nodes but extranodal disease → PR",
            with(&base, &[("extranodal", json!("Y"))]),
            vec![l(1.5, 1.0), l(1.2, 0.8)],
            response("PR", json!(2.46)),
        ),
        (
            "small nodes but marrow involved → PR",
            with(&base, &[("marrow_clear", json!("N"))]),
            vec![l(1.5, 1.0), l(1.2, 0.8)],
            response("PR", json!(2.46)),
        ),
        // PR: SPD −50 % / −49 % from 10 cm².
        (
            "SPD 5.0 (−50 %) → PR",
            base.clone(),
            vec![l(2.5, 2.0)],
            response("PR", json!(5.0)),
        ),
        (
            "SPD 5.1 (−49 %) → SD",
            base.clone(),
            vec![l(2.55, 2.0)],
            response("SD", json!(5.1)),
        ),
        (
            "SPD unchanged → SD",
            base.clone(),
            vec![l(4.0, 2.5)],
            response("SD", json!(10.0)),
        ),
        // PD flags come first.
        (
            "new lesion → PD",
            with(&base, &[("new_lesion", json!("Y"))]),
            vec![l(1.0, 1.0)],
            response("PD", json!(1.0)),
        ),
        (
            "splenic growth → PD",
            with(&base, &[("spleen_growth", json!("Y"))]),
            vec![l(2.5, 2.0)],
            response("PD", json!(5.0)),
        ),
        (
            "new marrow involvement → PD",
            with(&base, &[("new_marrow", json!("Y"))]),
            vec![l(2.5, 2.0)],
            response("PD", json!(5.0)),
        ),
        (
            "new lesion, target lesions not yet measured → PD",
            with(&base, &[("new_lesion", json!("Y"))]),
            vec![],
            response("PD", Json::Null),
        ),
        // PD on the SPD against the nadir SPD (no per-lesion nadir).
        (
            "SPD 6.0 from nadir 4.0 (+50 %), node 3.0 cm → PD",
            with(&base, &[("nadir_spd", json!(4))]),
            vec![l(3.0, 2.0)],
            response("PD", json!(6.0)),
        ),
        (
            "SPD 5.9 from nadir 4.0 (+47.5 %) → SD",
            with(&base, &[("nadir_spd", json!(4))]),
            vec![l(2.95, 2.0)],
            response("SD", json!(5.9)),
        ),
        (
            "SPD +50 % but largest node 1.5 cm → not PD; CR",
            with(&base, &[("nadir_spd", json!(1))]),
            vec![l(1.5, 1.0)],
            response("CR", json!(1.5)),
        ),
        (
            "SPD +60 % with a 1.6 cm node → PD",
            with(&base, &[("nadir_spd", json!(1))]),
            vec![l(1.6, 1.0)],
            response("PD", json!(1.6)),
        ),
        (
            "nadir LDi 2.0 cm: +0.5 cm (2.5 cm) → PD",
            with(
                &base,
                &[("nadir_spd", json!(3.6)), ("nadir_ldiam", json!(2.0))],
            ),
            vec![l(2.5, 2.4)],
            response("PD", json!(6.0)),
        ),
        (
            "nadir LDi 2.0 cm: +0.4 cm (2.4 cm) → SD",
            with(
                &base,
                &[("nadir_spd", json!(3.6)), ("nadir_ldiam", json!(2.0))],
            ),
            vec![l(2.4, 2.4)],
            response("SD", json!(5.76)),
        ),
        (
            "nadir LDi 2.1 cm: +0.9 cm (3.0 cm) → SD",
            with(
                &base,
                &[("nadir_spd", json!(3.6)), ("nadir_ldiam", json!(2.1))],
            ),
            vec![l(3.0, 2.0)],
            response("SD", json!(6.0)),
        ),
        (
            "nadir LDi 2.1 cm: +1.0 cm (3.1 cm) → PD",
            with(
                &base,
                &[("nadir_spd", json!(3.6)), ("nadir_ldiam", json!(2.1))],
            ),
            vec![l(3.1, 2.0)],
            response("PD", json!(6.2)),
        ),
        (
            "no nadir SPD: the baseline is the nadir; 15 from 10 (+50 %) → PD",
            base.clone(),
            vec![l(5.0, 3.0)],
            response("PD", json!(15.0)),
        ),
        // PD per lesion (each lesion's nadir captured): Lugano's own rule.
        (
            "one node grows (2.0×2.0 → 3.0×3.0) while another shrinks: SPD falls, still PD",
            with(&base, &[("baseline_spd", json!(40))]),
            vec![ln(3.0, 3.0, 2.0, 2.0), ln(4.0, 4.0, 5.0, 5.0)],
            response("PD", json!(25.0)),
        ),
        (
            "nadir 2.0×1.0 → 2.5×1.2: +50 % product, LDi +0.5 → PD",
            base.clone(),
            vec![ln(2.5, 1.2, 2.0, 1.0)],
            response("PD", json!(3.0)),
        ),
        (
            "nadir 2.0×1.0 → 2.4×1.3: +56 % product, LDi +0.4, SDi +0.3 → not PD; PR",
            base.clone(),
            vec![ln(2.4, 1.3, 2.0, 1.0)],
            response("PR", json!(3.12)),
        ),
        (
            "nadir 2.0×1.0 → 2.2×1.5: SDi +0.5 → PD",
            base.clone(),
            vec![ln(2.2, 1.5, 2.0, 1.0)],
            response("PD", json!(3.3)),
        ),
        (
            "nadir 2.0×1.0 → 2.5×1.192: +49 % product → not PD; PR",
            base.clone(),
            vec![ln(2.5, 1.192, 2.0, 1.0)],
            response("PR", json!(2.98)),
        ),
        (
            "nadir 2.1×1.0 → 3.1×1.1: LDi +1.0 → PD",
            base.clone(),
            vec![ln(3.1, 1.1, 2.1, 1.0)],
            response("PD", json!(3.41)),
        ),
        (
            "nadir 2.1×1.0 → 3.0×1.2: LDi +0.9 (> 2 cm needs 1.0) → not PD; PR",
            base.clone(),
            vec![ln(3.0, 1.2, 2.1, 1.0)],
            response("PR", json!(3.6)),
        ),
        (
            "nadir 1.0×0.5 → 1.5×1.0: tripled but LDi not > 1.5 cm → CR",
            base.clone(),
            vec![ln(1.5, 1.0, 1.0, 0.5)],
            response("CR", json!(1.5)),
        ),
        (
            "resolved node regrows to 1.6×1.0 → PD",
            base.clone(),
            vec![ln(1.6, 1.0, 0.0, 0.0)],
            response("PD", json!(1.6)),
        ),
        // Missing data.
        (
            "no target lesion entered",
            base.clone(),
            vec![],
            Missing(&["LDIAM"]),
        ),
        (
            "short axis missing",
            base.clone(),
            vec![[json!(2.0), Json::Null, Json::Null, Json::Null]],
            Missing(&["SDIAM"]),
        ),
        (
            "lesion nadir half entered",
            base.clone(),
            vec![[json!(2.0), json!(1.0), json!(2.0), Json::Null]],
            Missing(&["SDIAM_NADIR"]),
        ),
        (
            "no baseline or nadir SPD for the PD check",
            without(&base, "baseline_spd"),
            vec![l(2.0, 1.5)],
            Missing(&["baseline_spd"]),
        ),
        (
            "nadir SPD but no baseline for PR",
            with(
                &without(&base, "baseline_spd"),
                &[("nadir_spd", json!(2.5))],
            ),
            vec![l(2.0, 1.5)],
            Missing(&["baseline_spd"]),
        ),
        (
            "new lesion not answered",
            without(&base, "new_lesion"),
            vec![l(2.5, 2.0)],
            Missing(&["new_lesion"]),
        ),
        (
            "splenic growth not answered",
            without(&base, "spleen_growth"),
            vec![l(2.5, 2.0)],
            Missing(&["spleen_growth"]),
        ),
        (
            "new marrow involvement not answered",
            without(&base, "new_marrow"),
            vec![l(2.5, 2.0)],
            Missing(&["new_marrow"]),
        ),
        (
            "small nodes, extranodal not answered",
            without(&base, "extranodal"),
            vec![l(1.2, 1.0)],
            Missing(&["extranodal"]),
        ),
        (
            "small nodes, marrow not answered",
            without(&base, "marrow_clear"),
            vec![l(1.2, 1.0)],
            Missing(&["marrow_clear"]),
        ),
        (
            "large node: extranodal not needed → PR",
            without(&base, "extranodal"),
            vec![l(2.5, 2.0)],
            response("PR", json!(5.0)),
        ),
        // Unusable values.
        (
            "short axis longer than the long axis",
            base.clone(),
            vec![l(1.0, 2.0)],
            Invalid("SDIAM"),
        ),
        (
            "negative diameter",
            base.clone(),
            vec![l(-1.0, 0.5)],
            Invalid("LDIAM"),
        ),
        (
            "new lesion not Y/N",
            with(&base, &[("new_lesion", json!("maybe"))]),
            vec![l(2.5, 2.0)],
            Invalid("new_lesion"),
        ),
    ];
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(name, args, rows, want)| {
            check(name, &derive_with("lugano_ct", &[], args, rows), want).err()
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );

    let d = derive_with("lugano_ct", &[], &base, &[l(2.5, 2.0)]);
    assert_eq!(d.display.en, "PR — partial response (SPD 5 cm²)");
    assert_eq!(d.display.zh, "PR — 部分缓解（SPD 5 cm²）");
}

#[test]
fn lugano_overall() {
    use Expect::*;
    let both = |p: Json, c: Json| vec![("pet", p), ("ct", c)];
    let ct_pr = json!({"response": "PR", "spd": 4.2});
    let cases: Vec<Case> = vec![
        (
            "CMR → CR (PET wins over CT)",
            both(json!("CMR"), ct_pr.clone()),
            Value(json!("CR")),
        ),
        (
            "PMR → PR",
            both(json!("PMR"), Json::Null),
            Value(json!("PR")),
        ),
        (
            "NMR → SD",
            both(json!("NMR"), Json::Null),
            Value(json!("SD")),
        ),
        (
            "PMD → PD",
            both(json!("PMD"), ct_pr.clone()),
            Value(json!("PD")),
        ),
        (
            "no PET: CT PR → PR",
            both(Json::Null, ct_pr.clone()),
            Value(json!("PR")),
        ),
        (
            "no PET: CT code SD → SD",
            both(Json::Null, json!("SD")),
            Value(json!("SD")),
        ),
        (
            "PET not done: CT PD → PD",
            both(
                json!({"not_done": "scanner down"}),
                json!({"response": "PD", "spd": null}),
            ),
            Value(json!("PD")),
        ),
        (
            "neither",
            both(Json::Null, Json::Null),
            Missing(&["pet", "ct"]),
        ),
        (
            "unknown PET code",
            both(json!("XMR"), Json::Null),
            Invalid("pet"),
        ),
        (
            "unknown CT response",
            both(Json::Null, json!({"response": "QQ"})),
            Invalid("ct"),
        ),
    ];
    run_table("lugano_overall", &cases);
    let d = derive("lugano_overall", &both(json!("CMR"), Json::Null));
    assert_eq!(d.display.en, "CR — complete response (PET-CT)");
    assert_eq!(d.display.zh, "CR — 完全缓解（PET-CT）");
}

#[test]
fn unusable_inputs_say_why_in_both_languages() {
    let d = derive("all_response", &with(&cr(), &[("anc", json!(-5))]));
    assert_eq!(
        d.display.en,
        "not derivable: label of anc = -5 must be 0 or more"
    );
    assert_eq!(d.display.zh, "无法推导：anc标签 = -5，应 ≥ 0");
    let d = derive(
        "all_response",
        &with(&cr(), &[("marrow_blasts", json!(101))]),
    );
    assert_eq!(
        d.display.en,
        "not derivable: label of marrow_blasts = 101 is outside 0–100"
    );
    let d = derive("all_response", &with(&cr(), &[("emd", json!("YES"))]));
    assert_eq!(
        d.display.en,
        "not derivable: label of emd has an unknown code \"YES\" (expected NONE, PRESENT, NEW)"
    );
    let d = derive_with("lugano_ct", &[], &ct(), &[l(1.0, 2.0)]);
    assert_eq!(
        d.display.en,
        "not derivable: SDIAM (lesion 1) = 2 cm is longer than the longest diameter 1 cm"
    );
}
