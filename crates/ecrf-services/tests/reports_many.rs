//! The endpoint report, the PK report and the outcomes of a demo study of 60 subjects, with
//! investigators' overrides (made, and one withdrawn) and baseline values changed after the
//! response forms were saved (so that the derived values kept with those forms are stale),
//! checked against the reports as stated in `fixtures/reports/demo60.json`.
//!
//! The fixture was written by the subject-by-subject implementation that preceded the bulk
//! one (every value read with its own query, every derivation recomputed through the store), so
//! the test holds the reports to exactly what they were. Numbers compare to 1e-9 (relative),
//! everything else exactly. `ECRF_WRITE_FIXTURES=1` rewrites the fixture (only after a change
//! of the demo data or of a rule, with the reason in the commit).

mod common;

use common::Node;
use ecrf_core::address::FormRef;
use ecrf_core::ids::SubjectId;
use ecrf_core::roles::Role;
use ecrf_services::dto::ValueEntry;
use serde_json::{json, Value as Json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

fn forms_of(site: &Node, subject: &str, form: &str) -> Vec<FormRef> {
    let id = SubjectId::parse(subject).unwrap();
    site.e
        .store()
        .subject_forms(&id)
        .unwrap()
        .into_iter()
        .filter(|f| f.form.form == form)
        .map(|f| f.form)
        .collect()
}

fn value(site: &Node, f: &FormRef, item: &str) -> Json {
    site.e
        .store()
        .form_value_map(f)
        .unwrap()
        .into_iter()
        .find(|(s, _)| s.item == item)
        .map_or(Json::Null, |(_, v)| v)
}

/// The derived value kept with a form instance when it was last saved.
fn kept(site: &Node, f: &FormRef, id: &str) -> Json {
    let state = site.e.store().form_state(f).unwrap().unwrap();
    state
        .derived
        .as_array()
        .and_then(|a| a.iter().find(|d| d["id"] == id))
        .map_or(Json::Null, |d| d["value"].clone())
}

/// Numbers within 1e-9 (relative), everything else equal; the first difference by path.
fn same(path: &str, got: &Json, want: &Json) -> Result<(), String> {
    match (got, want) {
        (Json::Number(a), Json::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            if (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0) {
                Ok(())
            } else {
                Err(format!("{path}: {a} instead of {b}"))
            }
        }
        (Json::Array(a), Json::Array(b)) => {
            if a.len() != b.len() {
                return Err(format!(
                    "{path}: {} entries instead of {}",
                    a.len(),
                    b.len()
                ));
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                same(&format!("{path}[{i}]"), x, y)?;
            }
            Ok(())
        }
        (Json::Object(a), Json::Object(b)) => {
            let ka: Vec<&String> = a.keys().collect();
            let kb: Vec<&String> = b.keys().collect();
            if ka != kb {
                return Err(format!("{path}: keys {ka:?} instead of {kb:?}"));
            }
            for (k, x) in a {
                same(&format!("{path}.{k}"), x, &b[k])?;
            }
            Ok(())
        }
        (a, b) if a == b => Ok(()),
        (a, b) => Err(format!("{path}: {a} instead of {b}")),
    }
}

/// What was changed after the demo data was made, by role.
struct Changes {
    marrow_baseline: (String, FormRef),
    lymphoma_baseline: (String, FormRef),
    crs: Vec<String>,
    icans: Vec<String>,
}

/// The demo study of 60 subjects with the changes described at the top, and an investigator.
fn study(dir: &std::path::Path) -> (Node, ecrf_services::Session, Changes) {
    let mut site = Node::new(dir, "s01", Some("S01"), None);
    site.e.demo(&mut site.admin, 60, 17).unwrap();
    site.e
        .add_user(
            &mut site.admin,
            "inv",
            Role::Investigator,
            "Dr Inv",
            common::PW,
        )
        .unwrap();
    let mut inv = site.e.login("inv", common::PW).unwrap();
    let subjects: Vec<String> = site
        .e
        .store()
        .subjects()
        .unwrap()
        .into_iter()
        .map(|r| r.subject)
        .collect();
    assert_eq!(subjects.len(), 60);
    let ball = |site: &Node, s: &str| {
        forms_of(site, s, "ELIG")
            .first()
            .is_some_and(|f| value(site, f, "DIAG") == json!("BALL"))
    };

    // A B-ALL subject with a marrow not in remission and never in CR before it: a baseline of
    // 1 % makes that marrow progressive disease, while the value kept with the marrow form
    // still says otherwise.
    let (bm_subject, bm_form) = subjects
        .iter()
        .filter(|s| ball(&site, s))
        .find_map(|s| {
            forms_of(&site, s, "BM")
                .into_iter()
                .find(|f| {
                    value(&site, f, "BLASTS").as_f64().is_some_and(|b| b >= 5.0)
                        && value(&site, f, "PRIORCR") == json!("N")
                })
                .map(|f| (s.clone(), f))
        })
        .expect("a B-ALL marrow with blasts of 5 % or more, never in CR before, in the demo data");
    let base = forms_of(&site, &bm_subject, "BASE").remove(0);
    let entry = |group: &str, item: &str, v: Json| ValueEntry {
        group: group.into(),
        repeat: 1,
        item: item.into(),
        value: v,
    };
    site.e
        .form_save(
            &mut site.user,
            &base,
            &[entry("LEUK", "BMBLAST", json!(1.0))],
            false,
            Some("transcription error"),
        )
        .unwrap();
    let shown = site.e.form_show(&mut inv, &bm_form).unwrap();
    let fresh = shown
        .derived
        .iter()
        .find(|d| d.id == "ALLRESP")
        .unwrap()
        .value
        .clone();
    assert_eq!(fresh, json!("PD"));
    assert_ne!(
        kept(&site, &bm_form, "ALLRESP"),
        fresh,
        "the kept value is stale, so a report reading it would differ"
    );

    // A lymphoma subject's baseline SPD changed after the response assessments.
    let ly_subject = subjects
        .iter()
        .find(|s| !ball(&site, s) && !forms_of(&site, s, "LYRESP").is_empty())
        .expect("a lymphoma subject with response assessments")
        .clone();
    let base = forms_of(&site, &ly_subject, "BASE").remove(0);
    site.e
        .form_save(
            &mut site.user,
            &base,
            &[entry("LYMPH", "BSPD", json!(2.0))],
            false,
            Some("transcription error"),
        )
        .unwrap();

    // Overrides: a CRS grade raised to 5 on one subject, every CRS grade of another lowered to
    // 0, an ICANS grade set to 3, an ALL and a lymphoma response replaced, and one override
    // made and withdrawn.
    let with = |site: &Node, form: &str| -> Vec<String> {
        subjects
            .iter()
            .filter(|s| !forms_of(site, s, form).is_empty())
            .cloned()
            .collect()
    };
    let crs = with(&site, "CRS");
    let icans = with(&site, "ICANS");
    assert!(crs.len() >= 4 && icans.len() >= 2, "{crs:?} {icans:?}");
    let why = "investigator's assessment";
    let first_crs = forms_of(&site, &crs[0], "CRS").remove(0);
    site.e
        .override_derived(&mut inv, &first_crs, "CRSGR", &json!(5), why)
        .unwrap();
    for f in forms_of(&site, &crs[1], "CRS") {
        site.e
            .override_derived(&mut inv, &f, "CRSGR", &json!(0), why)
            .unwrap();
    }
    let withdrawn = forms_of(&site, &crs[2], "CRS").remove(0);
    site.e
        .override_derived(&mut inv, &withdrawn, "CRSGR", &json!(4), why)
        .unwrap();
    site.e
        .override_derived(&mut inv, &withdrawn, "CRSGR", &Json::Null, "withdrawn")
        .unwrap();
    let last_icans = forms_of(&site, &icans[1], "ICANS").pop().unwrap();
    site.e
        .override_derived(&mut inv, &last_icans, "ICANSGR", &json!(3), why)
        .unwrap();
    site.e
        .override_derived(&mut inv, &bm_form, "ALLRESP", &json!("CR"), why)
        .unwrap();
    let ly_form = forms_of(&site, &ly_subject, "LYRESP").remove(0);
    site.e
        .override_derived(&mut inv, &ly_form, "LYRSP", &json!("PD"), why)
        .unwrap();
    let changes = Changes {
        marrow_baseline: (bm_subject, bm_form),
        lymphoma_baseline: (ly_subject, ly_form),
        crs,
        icans,
    };
    (site, inv, changes)
}

#[test]
fn reports_of_sixty_subjects_are_as_stated() {
    let dir = tempfile::tempdir().unwrap();
    let (mut site, mut inv, changes) = study(dir.path());
    let (bm_subject, bm_form) = &changes.marrow_baseline;
    let (ly_subject, ly_form) = &changes.lymphoma_baseline;
    let (crs, icans) = (&changes.crs, &changes.icans);

    let mut endpoints = serde_json::to_value(site.e.report_endpoints(&mut inv).unwrap()).unwrap();
    let mut pk = serde_json::to_value(site.e.report_pk(&mut inv).unwrap()).unwrap();
    let outcomes = serde_json::to_value(site.e.outcomes(&mut inv).unwrap()).unwrap();
    // The time the reports were made is the clock's, not the data's.
    assert_eq!(endpoints["generated_at"], json!("2026-03-01T09:00:00.000Z"));
    endpoints["generated_at"] = Json::Null;
    pk["generated_at"] = Json::Null;
    let got = json!({
        "changed": {
            "marrow_baseline": bm_subject,
            "lymphoma_baseline": ly_subject,
            "crs_raised": crs[0],
            "crs_lowered": crs[1],
            "crs_withdrawn": crs[2],
            "icans_set": icans[1],
        },
        "endpoints": endpoints,
        "pk": pk,
        "outcomes": outcomes,
    });

    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reports/demo60.json");
    if std::env::var_os("ECRF_WRITE_FIXTURES").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, serde_json::to_string_pretty(&got).unwrap() + "\n").unwrap();
    }
    let want: Json = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    if let Err(e) = same("", &got, &want) {
        panic!("the reports differ from {}: {e}", path.display());
    }

    // What the overrides must have done, stated independently of the fixture.
    let grades = |name: &str| -> Vec<u64> {
        got["endpoints"]["toxicity"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["toxicity"] == name)
            .unwrap()["grades"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["x"].as_u64().unwrap())
            .collect()
    };
    assert!(grades("CRS")[5] >= 1, "the CRS grade 5 override counts");
    assert!(grades("ICANS")[3] >= 1, "the ICANS grade 3 override counts");
    let responses_of = |s: &str| -> Vec<Json> {
        got["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["subject"] == s)
            .unwrap()["responses"]
            .as_array()
            .unwrap()
            .clone()
    };
    let bm_date = value(&site, bm_form, "BMDAT");
    assert!(responses_of(bm_subject)
        .iter()
        .any(|r| r["date"] == bm_date && r["code"] == "CR"));
    let ly_date = value(&site, ly_form, "LYDAT");
    assert!(responses_of(ly_subject)
        .iter()
        .any(|r| r["date"] == ly_date && r["code"] == "PD"));
}

/// The store's bulk reads give, subject by subject, what its per-form and per-subject queries
/// give: the instances of the forms asked for in the same order, their values (all items or
/// those named), the value `lookup` chooses (with and without an event), and the overrides.
#[test]
fn bulk_reads_are_the_per_form_reads() {
    let dir = tempfile::tempdir().unwrap();
    let (site, _inv, _) = study(dir.path());
    let store = site.e.store();
    let items = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>());
    let wanted: BTreeMap<String, Option<BTreeSet<String>>> = [
        ("CRS", None),
        ("ICANS", None),
        ("LYRESP", None),
        ("BASE", items(&["BMBLAST", "BSPD", "NO_SUCH_ITEM"])),
        ("AE", items(&["AESER", "AETERM", "AESTDAT"])),
        ("SURV", items(&["LCDAT"])),
        ("NO_SUCH_FORM", None),
    ]
    .into_iter()
    .map(|(f, i)| (f.to_string(), i))
    .collect();
    let mut seen = Vec::new();
    let (mut forms_seen, mut values_seen) = (0, 0);
    store
        .read_snapshot(|| {
            store.each_subject_forms(&wanted, |row, data| -> Result<(), ecrf_store::StoreError> {
                let id = SubjectId::parse(&row.subject).unwrap();
                seen.push(row.subject.clone());
                let expected: Vec<_> = store
                    .subject_forms(&id)?
                    .into_iter()
                    .filter(|f| wanted.contains_key(&f.form.form))
                    .collect();
                let got: Vec<(String, String, String)> = data
                    .forms
                    .iter()
                    .map(|f| (f.key.clone(), f.form.clone(), f.definition.clone()))
                    .collect();
                let want: Vec<(String, String, String)> = expected
                    .iter()
                    .map(|f| (f.form.key(), f.form.form.clone(), f.definition.clone()))
                    .collect();
                assert_eq!(got, want, "{}", row.subject);
                forms_seen += got.len();
                for f in &expected {
                    let mut values = store.form_value_map(&f.form)?;
                    if let Some(Some(items)) = wanted.get(&f.form.form) {
                        values.retain(|s, _| items.contains(&s.item));
                    }
                    values_seen += values.len();
                    let got = data.values.get(&f.form.key());
                    if values.is_empty() {
                        assert!(got.is_none(), "{}", f.form.key());
                    } else {
                        assert_eq!(got, Some(&values), "{}", f.form.key());
                    }
                }
                // Nothing beyond the instances listed.
                assert!(data
                    .values
                    .keys()
                    .all(|k| expected.iter().any(|f| &f.form.key() == k)));
                Ok(())
            })
        })
        .unwrap();
    let subjects: Vec<String> = store
        .subjects()
        .unwrap()
        .into_iter()
        .map(|r| r.subject)
        .collect();
    assert_eq!(seen, subjects);
    assert!(
        forms_seen > 1000 && values_seen > 10_000,
        "{forms_seen} {values_seen}"
    );

    // `lookup`: the first repeat, then the first key; in one event when asked.
    let mut answers = 0;
    for (form, item) in [
        ("INF", "INFDAT"),
        ("DM", "BRTHDAT"),
        ("BASE", "BMBLAST"),
        ("SURV", "LCDAT"),
        ("AE", "AETERM"),
        ("CRS", "TEMPMAX"),
        ("LYRESP", "LDIAM"),
        ("NO_SUCH_FORM", "X"),
    ] {
        let table = store.lookup_table(form, item).unwrap();
        for s in &subjects {
            let id = SubjectId::parse(s).unwrap();
            let events: BTreeSet<String> = store
                .subject_forms(&id)
                .unwrap()
                .into_iter()
                .map(|f| f.form.event)
                .collect();
            for event in std::iter::once(None).chain(events.iter().map(|e| Some(e.as_str()))) {
                let want = store.lookup(&id, event, form, item).unwrap();
                assert_eq!(
                    table.value(s, event).unwrap(),
                    want,
                    "{s} {event:?} {form}.{item}"
                );
                answers += usize::from(!want.is_null());
            }
        }
    }
    assert!(answers > 500, "{answers}");

    // Overrides, withdrawn ones included.
    let all = store.override_values().unwrap();
    let mut overrides = 0;
    for s in &subjects {
        for f in store.subject_forms(&SubjectId::parse(s).unwrap()).unwrap() {
            let want: BTreeMap<String, Json> = store
                .overrides(&f.form)
                .unwrap()
                .into_iter()
                .map(|o| (o.derivation, o.value))
                .collect();
            let got: BTreeMap<String, Json> = all
                .get(&f.form.key())
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default();
            assert_eq!(got, want, "{}", f.form.key());
            overrides += want.len();
        }
    }
    assert_eq!(all.values().map(|m| m.len()).sum::<usize>(), overrides);
    assert!(overrides >= 6, "{overrides}");
}
