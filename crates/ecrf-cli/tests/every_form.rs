//! Every form of the study definition saves, complete, through the real `ecrf` binary with the
//! data a research nurse would enter (tests/forms/<FORM>.json), in protocol order and in the
//! event it belongs to; `form show` lists each form's derived values. Then the cross-form
//! checks that keep the dates in protocol order.

mod common;
use common::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// The realistic filled form `tests/forms/<name>.json`.
fn form(name: &str) -> Value {
    let path = format!("{}/tests/forms/{name}.json", manifest_dir().display());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `base` with the items of `patch` replaced.
fn with(mut base: Value, patch: Value) -> Value {
    let (Some(b), Some(p)) = (base.as_object_mut(), patch.as_object()) else {
        panic!("form data must be objects");
    };
    for (k, v) in p {
        b.insert(k.clone(), v.clone());
    }
    base
}

/// One form instance to save: event (repeat), form (repeat) and its data.
struct Step {
    event: &'static str,
    event_repeat: u32,
    form: &'static str,
    form_repeat: u32,
    data: Value,
}

fn step(event: &'static str, form: &'static str, data: Value) -> Step {
    Step {
        event,
        event_repeat: 1,
        form,
        form_repeat: 1,
        data,
    }
}

fn save(site: &Site, subject: &str, s: &Step, extra: &[&str]) -> Run {
    let name = format!(
        "{subject}-{}.{}-{}.{}.json",
        s.event, s.event_repeat, s.form, s.form_repeat
    );
    let file = site.file(&name, &s.data.to_string());
    let (er, fr) = (s.event_repeat.to_string(), s.form_repeat.to_string());
    let mut args = vec![
        "form",
        "save",
        "--subject",
        subject,
        "--event",
        s.event,
        "--event-repeat",
        &er,
        "--form",
        s.form,
        "--form-repeat",
        &fr,
        "--data",
        &file,
    ];
    args.extend_from_slice(extra);
    site.nurse(&args)
}

fn show(site: &Site, subject: &str, s: &Step) -> Value {
    let (er, fr) = (s.event_repeat.to_string(), s.form_repeat.to_string());
    let r = site.nurse(&[
        "form",
        "show",
        "--subject",
        subject,
        "--event",
        s.event,
        "--event-repeat",
        &er,
        "--form",
        s.form,
        "--form-repeat",
        &fr,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()
}

fn definition(site: &Site) -> Value {
    let r = site.nurse(&["definition", "show", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()
}

fn form_def<'a>(def: &'a Value, id: &str) -> &'a Value {
    def["forms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("form {id} is not in the definition"))
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|a| {
            a.iter()
                .map(|x| x["id"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The casebook of an adult with relapsed B-lymphoblastic lymphoma (marrow and mediastinal
/// disease) after a haploidentical transplant and blinatumomab: infused at dose level 2 on
/// 2026-02-09, grade 2 CRS and grade 1 ICANS, complete metabolic response on day 28, relapse,
/// inotuzumab, withdrawal and death from progression in August 2026.
fn casebook() -> Vec<Step> {
    let ld = form("LD");
    let pk = form("PK");
    vec![
        step("SCR", "DM", form("DM")),
        step("SCR", "ELIG", form("ELIG")),
        step("BL", "DH", form("DH")),
        step("BL", "BASE", form("BASE")),
        step("BL", "VS", form("VS")),
        step("BL", "LAB", form("LAB")),
        step("SITE", "LABNORM", form("LABNORM")),
        step("APH", "LEUK", form("LEUK")),
        step("APH", "MFG", form("MFG")),
        step("BRG", "BRIDGE", form("BRIDGE")),
        step("LD5", "LD", ld.clone()),
        step(
            "LD4",
            "LD",
            with(ld.clone(), json!({"LDDAT": "2026-02-05"})),
        ),
        step("LD3", "LD", with(ld, json!({"LDDAT": "2026-02-06"}))),
        step("D0", "INF", form("INF")),
        step(
            "D0",
            "PK",
            with(
                pk.clone(),
                json!({
                    "PKTPT": "PRE", "PKDTM": "2026-02-09T08:40+08:00",
                    "QCOPIES": {"blq": 50}, "QRAW": {"blq": 5}, "QDNA": 100.0,
                    "CARPCT": {"blq": 0.01}, "CD3ABS": 412, "CARABS": {"blq": 0.1},
                    "CD19B": 2.1
                }),
            ),
        ),
        step("D2", "CRS", form("CRS")),
        step("D5", "ICANS", form("ICANS")),
        step("D7", "PK", pk),
        step("D28", "BM", form("BM")),
        step("D28", "MRD", form("MRD")),
        step("D28", "LYRESP", form("LYRESP")),
        step("M3", "SURV", form("SURV")),
        step("AELOG", "AE", form("AE")),
        step("CMLOG", "CM", form("CM")),
        step("NACTLOG", "NACT", form("NACT")),
        step("EOS", "WD", form("WD")),
        step("EOS", "DTH", form("DTH")),
        step("EOS", "EOS", form("EOS")),
    ]
}

/// A screen failure: ALT above 5 × ULN.
fn screen_failure() -> Vec<Step> {
    vec![
        step("SCR", "DM", with(form("DM"), json!({"BRTHDAT": "1962-11"}))),
        step(
            "SCR",
            "ELIG",
            with(form("ELIG"), json!({"ALT": 245, "IN05": "N", "EX04": "N"})),
        ),
        step("EOS", "SF", form("SF")),
        step(
            "EOS",
            "EOS",
            json!({"EOSDAT": "2026-01-20", "EOSSTAT": "SCREENFAIL", "INFUSED": "N"}),
        ),
    ]
}

#[test]
fn every_form_saves_complete_with_realistic_data() {
    let site = Site::new();
    let def = definition(&site);
    let mut saved = BTreeSet::new();
    for (subject, steps) in [("S01-001", casebook()), ("S01-002", screen_failure())] {
        let r = site.nurse(&["subject", "enrol", subject]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        for s in &steps {
            let what = format!("{subject} {}.{} {}", s.event, s.event_repeat, s.form);
            let r = save(&site, subject, s, &["--complete"]);
            assert_eq!(r.code, 0, "{what}: {}\n{}", r.stderr, r.stdout);
            let out = r.json();
            assert_eq!(out["status"], "complete", "{what}");
            assert_eq!(
                out["findings"],
                json!([]),
                "{what}: realistic data should raise no query"
            );
            let shown = show(&site, subject, s);
            assert_eq!(shown["status"], "complete", "{what}");
            let want = ids(&form_def(&def, s.form)["derived"]);
            let got = ids(&shown["derived"]);
            for id in &want {
                assert!(got.contains(id), "{what}: derived {id} not shown: {got:?}");
            }
            saved.insert(s.form.to_string());
        }
    }
    let all: BTreeSet<String> = ids(&def["forms"]).into_iter().collect();
    assert_eq!(saved, all, "every form of the definition is saved");

    // A few derived values that need nothing but the built-in derivations of this data.
    let derived = |s: &Step, id: &str| -> Value {
        let shown = show(&site, "S01-001", s);
        shown["derived"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .unwrap()["value"]
            .clone()
    };
    let steps = casebook();
    let ld5 = steps.iter().find(|s| s.event == "LD5").unwrap();
    // Mosteller: sqrt(162.5 × 57 / 3600) = 1.604 → 1.60 m².
    assert_eq!(derived(ld5, "BSA"), json!(1.6));
    let elig = steps.iter().find(|s| s.form == "ELIG").unwrap();
    assert_eq!(derived(elig, "ELIGIBLE")["eligible"], true);

    let r = site.nurse(&["audit", "verify"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

/// Finds the rule's finding in a save's output (saved with warnings, or refused).
fn finding(r: &Run, rule: &str) -> Value {
    let out = r.json();
    out["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|x| x["rule"] == rule).cloned())
        .unwrap_or_else(|| panic!("no finding {rule} in {out}"))
}

fn warned(r: &Run, rule: &str) {
    assert_eq!(r.code, 0, "saved with a warning: {}", r.stderr);
    assert_eq!(finding(r, rule)["severity"], "warning");
}

fn refused(r: &Run, rule: &str) {
    assert_eq!(r.code, 1, "refused: {}", r.stdout);
    assert_eq!(r.json()["saved"], false);
    assert_eq!(finding(r, rule)["severity"], "error");
}

#[test]
fn cross_form_checks_keep_the_protocol_order() {
    let site = Site::new();
    let subj = "S01-003";
    site.nurse(&["subject", "enrol", subj]);
    let ok = |s: Step| {
        let r = save(&site, subj, &s, &[]);
        assert_eq!(r.code, 0, "{} {}: {}", s.event, s.form, r.stderr);
        r
    };
    ok(step("SCR", "DM", form("DM")));
    ok(step("D0", "INF", form("INF")));

    // Leukapheresis before consent (2026-01-10): saved, with a query.
    let r = save(
        &site,
        subj,
        &step(
            "APH",
            "LEUK",
            with(
                form("LEUK"),
                json!({"LEUKDAT": "2026-01-08", "SHIPDAT": "2026-01-08"}),
            ),
        ),
        &[],
    );
    warned(&r, "LEUK-01");

    // Lymphodepletion on day −7 (infusion 2026-02-09): saved, with a query.
    let r = save(
        &site,
        subj,
        &step(
            "LD5",
            "LD",
            with(form("LD"), json!({"LDDAT": "2026-02-02"})),
        ),
        &[],
    );
    warned(&r, "LD-01");
    assert_eq!(finding(&r, "LD-01")["item"], "LDDAT");

    // Lymphodepletion on the day of infusion: refused.
    let r = save(
        &site,
        subj,
        &step(
            "LD4",
            "LD",
            with(form("LD"), json!({"LDDAT": "2026-02-09"})),
        ),
        &[],
    );
    refused(&r, "LD-02");

    // Fludarabine 20 % below 30 mg/m² with no dose change recorded: two queries.
    let r = save(
        &site,
        subj,
        &step(
            "LD3",
            "LD",
            with(form("LD"), json!({"LDDAT": "2026-02-06", "FLUDOSE": 38.4})),
        ),
        &[],
    );
    warned(&r, "LD-05");
    warned(&r, "LD-07");

    // A CAR-T dose 30 % below its dose level: a query.
    let r = save(
        &site,
        subj,
        &step("D0", "INF", json!({"CARTOT": 40000000})),
        &[],
    );
    warned(&r, "INF-01");

    // CRS onset before the infusion: refused.
    let r = save(
        &site,
        subj,
        &step(
            "D1",
            "CRS",
            with(
                form("CRS"),
                json!({"CRSDAT": "2026-02-10", "CRSONDAT": "2026-02-08"}),
            ),
        ),
        &[],
    );
    refused(&r, "CRS-03");

    // Hypotension and hypoxia without fever and without masking therapy: a query.
    let afebrile = json!({
        "CRSDAT": "2026-02-10", "TEMPMAX": 37.2, "PRIORFEV": "N", "TREATED": "N",
        "HYPOTN": "FLUIDS", "OXYGEN": "LOWFLOW", "O2FLOW": 2.0, "OTHCAUSE": "Y",
        "OTHSPEC": "Catheter-related sepsis", "ANTIPYR": "N", "TOCI": "N", "STEROID": "N"
    });
    let r = save(&site, subj, &step("D1", "CRS", afebrile), &[]);
    warned(&r, "CRS-01");

    // A day-1 PK sample dated before the infusion: refused.
    let r = save(
        &site,
        subj,
        &step(
            "D1",
            "PK",
            with(
                form("PK"),
                json!({"PKTPT": "D1", "PKDTM": "2026-02-08T09:00+08:00"}),
            ),
        ),
        &[],
    );
    refused(&r, "PK-01");

    // A response assessment on the day of infusion: refused.
    let r = save(
        &site,
        subj,
        &step(
            "D28",
            "BM",
            with(form("BM"), json!({"BMDAT": "2026-02-09"})),
        ),
        &[],
    );
    refused(&r, "BM-01");

    // An adverse event that ends before it starts: refused.
    let r = save(
        &site,
        subj,
        &step(
            "AELOG",
            "AE",
            with(form("AE"), json!({"AEENDAT": "2026-02-01"})),
        ),
        &[],
    );
    refused(&r, "AE-01");

    // Death in March 2026 (day unknown): nothing can be dated after it; a date within that
    // month cannot be decided and is accepted.
    ok(step(
        "EOS",
        "DTH",
        with(form("DTH"), json!({"DTHDAT": "2026-03"})),
    ));
    let r = save(
        &site,
        subj,
        &step("M3", "VS", with(form("VS"), json!({"VSDAT": "2026-05-10"}))),
        &[],
    );
    refused(&r, "VS-02");
    ok(step(
        "D28",
        "VS",
        with(form("VS"), json!({"VSDAT": "2026-03-09"})),
    ));
}

/// `ecrf demo` makes complete casebooks through the form service: every form it starts it
/// completes, and the data pass the definition's checks (a refused form fails the demo).
#[test]
fn the_demo_makes_complete_casebooks() {
    let site = Site::new();
    let started = std::time::Instant::now();
    let r = site.ok(
        Some("admin"),
        ADMIN_PW,
        &["demo", "--subjects", "12", "--seed", "2026"],
    );
    let out = r.json();
    assert_eq!(out["subjects"].as_array().unwrap().len(), 12);
    assert!(out["events"].as_u64().unwrap() > 5000, "{out}");
    eprintln!("demo of 12 subjects: {:?}", started.elapsed());
    let subjects = site.nurse(&["subject", "list"]).json();
    let mut not_eligible = 0;
    for s in subjects.as_array().unwrap() {
        assert_eq!(s["forms_started"], s["forms_complete"], "{s}");
        if s["eligibility"]["en"]
            .as_str()
            .is_some_and(|e| e.starts_with("Not eligible"))
        {
            not_eligible += 1;
        }
    }
    assert!(not_eligible >= 1, "some subjects fail screening");
    let r = site.nurse(&["audit", "verify"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}
