//! ODM 1.3.2 export of a realistic site database: valid against the CDISC schema (odmlib's
//! copy, checked by xmllint), every change of every value present with its AuditRecord, the
//! counts equal to the database's, replaying the file gives the current values, and the
//! structure of a small export is what was reviewed (tests/fixtures/export/odm_paths.txt).

mod common;
#[path = "fixtures/export/site.rs"]
mod site;

use ecrf_services::export::odm::OdmKind;
use ecrf_services::ServiceError;
use quick_xml::events::Event;
use quick_xml::Reader;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const INSTALL: &str = "run scripts/install-deps.sh";

/// The ODM 1.3.2 schema shipped by the pip package odmlib (with its imports).
fn odm_xsd() -> PathBuf {
    let out = Command::new("python3")
        .args([
            "-c",
            "import odmlib, os; print(os.path.dirname(odmlib.__file__))",
        ])
        .output()
        .unwrap_or_else(|e| panic!("python3 is needed to find the ODM schema ({e}): {INSTALL}"));
    assert!(
        out.status.success(),
        "the pip package odmlib==0.2.1 is missing ({}): {INSTALL}",
        String::from_utf8_lossy(&out.stderr).trim()
    );
    let xsd = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
        .join("schemas/odm/1.3.2/ODM1-3-2.xsd");
    assert!(xsd.exists(), "{} is missing: {INSTALL}", xsd.display());
    xsd
}

/// `xmllint --schema`: panics with its messages unless the file is valid.
pub fn assert_valid_odm(file: &Path) {
    let xsd = odm_xsd();
    let out = Command::new("xmllint")
        .args(["--nonet", "--noout", "--schema"])
        .arg(&xsd)
        .arg(file)
        .output()
        .unwrap_or_else(|e| {
            panic!("xmllint is needed (Debian package libxml2-utils) ({e}): {INSTALL}")
        });
    let msg = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{} is not valid ODM 1.3.2:\n{}",
        file.display(),
        msg.lines().take(30).collect::<Vec<_>>().join("\n")
    );
    assert!(msg.contains("validates"), "{msg}");
}

/// What the file says, read back with a streaming parser.
#[derive(Default, Debug)]
struct Read {
    elements: BTreeMap<String, u64>,
    /// ItemData outside the DERIVED groups, and inside them.
    item_data: u64,
    derived_item_data: u64,
    /// The last transaction of each item: key → (TransactionType, Value, IsNull, flag).
    last: BTreeMap<String, (String, Option<String>, bool, Option<String>)>,
    /// Key paths of elements (attributes that are the same on every run), in order, unique.
    paths: Vec<(usize, String)>,
}

fn attr(e: &quick_xml::events::BytesStart, name: &str) -> Option<String> {
    e.try_get_attribute(name).ok().flatten().and_then(|a| {
        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .ok()
            .map(|v| v.to_string())
    })
}

fn read(file: &Path) -> Read {
    let mut r = Reader::from_file(file).unwrap();
    let mut buf = Vec::new();
    let mut out = Read::default();
    let mut stack: Vec<String> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut last_item: Option<String> = None;
    let mut in_flag = false;
    loop {
        let ev = r.read_event_into(&mut buf).unwrap();
        let (e, empty) = match &ev {
            Event::Start(e) => (e.clone(), false),
            Event::Empty(e) => (e.clone(), true),
            Event::End(_) => {
                in_flag = false;
                stack.pop();
                keys.pop();
                buf.clear();
                continue;
            }
            Event::Text(t) if in_flag => {
                let flag = t.xml10_content().to_string();
                if let Some(k) = &last_item {
                    if let Some(v) = out.last.get_mut(k) {
                        v.3 = Some(flag);
                    }
                }
                buf.clear();
                continue;
            }
            Event::Eof => break,
            _ => {
                buf.clear();
                continue;
            }
        };
        let name = e.name().as_ref().to_string();
        *out.elements.entry(name.clone()).or_default() += 1;
        in_flag = name == "FlagValue" && !empty;
        // The entity key at this level (for replaying transactions).
        let key = match name.as_str() {
            "SubjectData" => attr(&e, "SubjectKey"),
            "StudyEventData" => Some(format!(
                "{}.{}",
                attr(&e, "StudyEventOID").unwrap(),
                attr(&e, "StudyEventRepeatKey").unwrap()
            )),
            "FormData" => Some(format!(
                "{}.{}",
                attr(&e, "FormOID").unwrap(),
                attr(&e, "FormRepeatKey").unwrap()
            )),
            "ItemGroupData" => Some(format!(
                "{}.{}",
                attr(&e, "ItemGroupOID").unwrap(),
                attr(&e, "ItemGroupRepeatKey").unwrap()
            )),
            "ItemData" => attr(&e, "ItemOID"),
            _ => None,
        }
        .unwrap_or_default();
        if name == "ItemData" {
            let derived = keys.last().is_some_and(|g| g.contains(".DERIVED."));
            if derived {
                out.derived_item_data += 1;
            } else {
                out.item_data += 1;
            }
            let full = format!(
                "{}/{}",
                keys.iter()
                    .filter(|k| !k.is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("/"),
                key
            );
            out.last.insert(
                full.clone(),
                (
                    attr(&e, "TransactionType").unwrap_or_default(),
                    attr(&e, "Value"),
                    attr(&e, "IsNull").is_some(),
                    None,
                ),
            );
            last_item = Some(full);
        }
        // Key path: element names with the attributes that identify or classify them.
        let shown: Vec<String> = [
            "OID",
            "SubjectKey",
            "StudyEventOID",
            "StudyEventRepeatKey",
            "FormOID",
            "FormRepeatKey",
            "ItemGroupOID",
            "ItemGroupRepeatKey",
            "ItemOID",
            "TransactionType",
            "Value",
            "IsNull",
            "FileType",
            "ODMVersion",
            "MetaDataVersionOID",
            "LocationOID",
            "SignatureOID",
            "DataType",
            "Repeating",
            "CodedValue",
            "CodeListOID",
            "MeasurementUnitOID",
            "MethodOID",
            "EditPoint",
        ]
        .iter()
        .filter_map(|a| attr(&e, a).map(|v| format!("{a}={v}")))
        .collect();
        let label = if shown.is_empty() {
            name.clone()
        } else {
            format!("{name}[{}]", shown.join(" "))
        };
        let path = format!("{} > {}", stack.join(" > "), label);
        if seen.insert(path.clone()) {
            out.paths.push((stack.len(), path.clone()));
        }
        if !empty {
            stack.push(label);
            keys.push(key);
        }
        buf.clear();
    }
    out
}

fn sql_count(site: &site::Site, sql: &str) -> u64 {
    site.node
        .e
        .store()
        .conn()
        .query_row(sql, [], |r| r.get::<_, i64>(0))
        .unwrap() as u64
}

/// `actual` is `expected`, or `expected` with `:00` seconds added (ODM times need seconds).
fn same_value(expected: &str, actual: &str) -> bool {
    if expected == actual {
        return true;
    }
    let i = expected
        .bytes()
        .zip(actual.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    actual.len() == expected.len() + 3
        && &actual[i..i + 3] == ":00"
        && actual[i + 3..] == expected[i..]
}

#[test]
fn transactional_export_of_a_demo_site_is_valid_odm_with_every_change() {
    let dir = tempfile::tempdir().unwrap();
    let mut site = site::demo_site(dir.path(), 3);
    let out = dir.path().join("s01.xml");
    let events_before = site.node.events();
    let sum = site.node.e.export_odm(&mut site.mon, &out).unwrap();
    assert_eq!(
        site.node.events(),
        events_before,
        "an export writes nothing to the log"
    );
    assert!(!site::partial_exists(&out));
    assert_valid_odm(&out);
    let got = read(&out);
    let bytes = std::fs::metadata(&out).unwrap().len();
    eprintln!(
        "transactional ODM: {bytes} bytes, {} subjects, {} forms, {} ItemData (+{} derived), {} AuditRecord, {} Signature",
        sum.subjects, sum.forms, got.item_data, got.derived_item_data, got.elements["AuditRecord"], got.elements["Signature"]
    );
    assert_eq!(sum.bytes, bytes);
    assert_eq!(sum.file_type, "Transactional");

    // Counted independently in the database.
    let value_events = sql_count(
        &site,
        "SELECT count(*) FROM events WHERE kind IN ('value_set', 'conflict_resolved')",
    );
    let overrides = sql_count(
        &site,
        "SELECT count(*) FROM events WHERE kind = 'derived_overridden'",
    );
    let enrolments = sql_count(&site, "SELECT count(*) FROM subjects");
    let signatures = sql_count(&site, "SELECT count(*) FROM signatures");
    let forms = sql_count(&site, "SELECT count(*) FROM forms");
    assert!(value_events > 1000, "{value_events}");
    assert_eq!(
        got.item_data, value_events,
        "one ItemData per value change event"
    );
    assert_eq!(
        got.elements["AuditRecord"],
        value_events + overrides + enrolments
    );
    assert_eq!(got.elements["Signature"], signatures);
    assert_eq!(signatures, 3);
    assert!(overrides <= 1);
    assert_eq!(
        got.elements["FormData"] - signatures + 1,
        forms,
        "form-scope signatures name their form again"
    );
    assert_eq!(sum.item_data, got.item_data + got.derived_item_data);
    assert_eq!(sum.audit_records, got.elements["AuditRecord"]);
    assert_eq!(sum.signatures, signatures);
    assert_eq!(sum.subjects, 3);
    assert_eq!(sum.forms, forms);
    assert_eq!(sum.metadata_versions, vec!["1.0".to_string()]);

    // Replaying the transactions gives every current value.
    let rows: Vec<(String, String, String)> = {
        let conn = site.node.e.store().conn();
        let mut stmt = conn
            .prepare("SELECT subject, key, value FROM item_values ORDER BY key")
            .unwrap();
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        rows
    };
    let mut specials = 0;
    let mut removed = 0;
    for (_, key, value) in &rows {
        // S01-001/SCR.1/DM.1/MAIN.1/WEIGHT → S01-001/SE.SCR.1/F.DM.1/IG.DM.MAIN.1/IT.DM.WEIGHT
        let p: Vec<&str> = key.split('/').collect();
        let (ev, form, grp) = (p[1], p[2], p[3]);
        let form_id = form.rsplit_once('.').unwrap().0;
        let k = format!(
            "{}/SE.{ev}/F.{form}/IG.{form_id}.{grp}/IT.{form_id}.{}",
            p[0], p[4]
        );
        let (tt, v, null, flag) = got.last.get(&k).unwrap_or_else(|| panic!("{k} missing"));
        let value: Json = serde_json::from_str(value).unwrap();
        match &value {
            Json::Null => {
                assert_eq!(tt, "Remove", "{k}");
                removed += 1;
            }
            Json::Object(m) => {
                assert!(*null && v.is_none(), "{k}");
                let want = if m.contains_key("not_done") {
                    "NOT_DONE".to_string()
                } else if m.contains_key("blq") {
                    "BLQ".into()
                } else {
                    m["code"].as_str().unwrap().to_string()
                };
                assert_eq!(flag.as_deref(), Some(want.as_str()), "{k}");
                specials += 1;
            }
            Json::String(s) => assert!(same_value(s, v.as_deref().unwrap()), "{k}: {s} vs {v:?}"),
            other => assert_eq!(v.as_deref(), Some(other.to_string().as_str()), "{k}"),
        }
    }
    assert!(specials > 3, "specials {specials}");
    let items = got.last.keys().filter(|k| !k.contains(".DERIVED.")).count();
    assert_eq!(items, rows.len(), "no item without a current value");
    let _ = removed;

    // The history of one item: three values, the later two with their reasons.
    let dm = "S01-001/SE.SCR.1/F.DM.1/IG.DM.MAIN.1/IT.DM.WEIGHT";
    assert_eq!(got.last[dm].0, "Update");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("<ReasonForChange>transcription error</ReasonForChange>"));
    assert!(text.contains("<ReasonForChange>re-weighed at the visit</ReasonForChange>"));
    assert!(text.contains("<FlagValue CodeListOID=\"ECRF.CL.SPECIAL\">UNK</FlagValue>"));
    assert!(text.contains("<SignatureRef SignatureOID=\"SD.APPROVAL\"/>"));
    assert!(text.contains("<TranslatedText xml:lang=\"zh\">"));

    // An existing file is refused and left as it is.
    let before = std::fs::read(&out).unwrap();
    let err = site.node.e.export_odm(&mut site.mon, &out).unwrap_err();
    assert!(matches!(err, ServiceError::Exists(_)), "{err}");
    assert_eq!(err.exit_code(), 2);
    assert_eq!(std::fs::read(&out).unwrap(), before);
}

#[test]
fn snapshot_is_valid_and_the_structure_of_a_small_export_is_as_reviewed() {
    let dir = tempfile::tempdir().unwrap();
    let mut site = site::demo_site(dir.path(), 2);
    let snap = dir.path().join("snap.xml");
    let sum = site
        .node
        .e
        .export_odm_as(&mut site.inv, &snap, OdmKind::Snapshot)
        .unwrap();
    assert_valid_odm(&snap);
    let got = read(&snap);
    let current = sql_count(
        &site,
        "SELECT count(*) FROM item_values WHERE value != 'null'",
    );
    assert_eq!(got.item_data, current, "one ItemData per current value");
    assert_eq!(sum.file_type, "Snapshot");
    // The latest signature of each scope: DM of S01-001 (signed twice) and SCR of S01-002.
    assert_eq!(got.elements["Signature"], 2);

    let tx = dir.path().join("tx.xml");
    site.node.e.export_odm(&mut site.inv, &tx).unwrap();
    assert_valid_odm(&tx);
    // The key paths of a reviewable part, as an indented tree: the header and admin data,
    // the metadata of the demographics form (SCR, DM, its items, code list SEX, the special
    // values), and the data of S01-001's demographics with their history and signatures.
    let dm = [
        "SE.SCR]",
        "SE.SCR ",
        "F.DM]",
        "F.DM ",
        "IG.DM.",
        "IT.DM.",
        "MT.DM.",
        "CL.SEX ",
        "ECRF.CL.SPECIAL",
    ];
    let keep = |depth: usize, p: &str| -> bool {
        if p.contains("> User[") || p.contains("UserOID") {
            return false;
        }
        if p.contains("> BasicDefinitions > ") {
            return p.contains("MU.kg]") || p.contains("MU.cm]");
        }
        if p.contains("> MetaDataVersion[") && depth >= 3 {
            return p.ends_with("> Protocol") || dm.iter().any(|k| p.contains(k));
        }
        if p.contains("> ClinicalData[") && depth >= 2 {
            return p.contains("SubjectKey=S01-001")
                && (depth == 2
                    || p.contains("SE.SCR ")
                    || p.ends_with("SiteRef[LocationOID=LOC.S01]")
                    || p.contains("> AuditRecord"))
                && (depth <= 3 || p.contains("F.DM ") || p.contains("> Signature"));
        }
        true
    };
    let paths: Vec<String> = read(&tx)
        .paths
        .into_iter()
        .filter(|(d, p)| keep(*d, p))
        .map(|(d, p)| {
            let last = p.rsplit(" > ").next().unwrap_or_default().to_string();
            format!("{}{last}", "  ".repeat(d))
        })
        .collect();
    let got = paths.join("\n") + "\n";
    let expected_file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/export/odm_paths.txt");
    if std::env::var("UPDATE_EXPECT").is_ok() {
        std::fs::write(&expected_file, &got).unwrap();
    }
    let expected = std::fs::read_to_string(&expected_file).unwrap_or_default();
    assert!(
        got == expected,
        "the structure changed; review it and run with UPDATE_EXPECT=1 to accept:\n{}",
        diff(&expected, &got)
    );
}

fn diff(a: &str, b: &str) -> String {
    let a: BTreeSet<&str> = a.lines().collect();
    let b: BTreeSet<&str> = b.lines().collect();
    let mut out = String::new();
    for l in a.difference(&b).take(20) {
        out.push_str(&format!("- {l}\n"));
    }
    for l in b.difference(&a).take(20) {
        out.push_str(&format!("+ {l}\n"));
    }
    out
}

#[test]
fn exports_are_for_reporting_roles_and_a_refusal_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut site = site::demo_site(dir.path(), 2);
    let out = dir.path().join("x.xml");
    let n = &mut site.node;
    for s in [&mut n.user, &mut n.admin] {
        let err = n.e.export_odm(s, &out).unwrap_err();
        assert!(matches!(err, ServiceError::Forbidden { .. }), "{err}");
        assert!(!out.exists() && !site::partial_exists(&out));
    }
    let err =
        n.e.export_odm(&mut site.mon, &dir.path().join("no/such/dir/x.xml"))
            .unwrap_err();
    assert!(matches!(err, ServiceError::Io(_)), "{err}");
    assert_eq!(err.to_string().lines().count(), 1);
}
