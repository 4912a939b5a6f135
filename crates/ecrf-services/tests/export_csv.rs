//! CSV export read back and compared with the database's current values; the audit trail
//! report of one subject and of one item compared with the change log.

mod common;
#[path = "fixtures/export/site.rs"]
mod site;

use ecrf_services::export::audit::{write_audit_csv, AUDIT_COLUMNS};
use ecrf_services::export::csv::{FORM_KEYS, GROUP_KEYS};
use ecrf_services::export::display_value;
use ecrf_services::ServiceError;
use std::collections::BTreeMap;

#[test]
fn csv_tables_read_back_equal_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let mut site = site::demo_site(dir.path(), 2);
    let out = dir.path().join("csv");
    let sum = site.node.e.export_csv(&mut site.mon, &out).unwrap();
    assert!(!site::partial_exists(&out));

    // key (subject/EVENT.n/FORM.n/GROUP.n/ITEM) → value, from every table.
    let mut got: BTreeMap<String, String> = BTreeMap::new();
    let def = site.node.e.definition().clone();
    let mut rows_total = 0;
    for f in &sum.files {
        if f.file == "data_dictionary.csv" || f.file == "codelists.csv" {
            continue;
        }
        let mut r = csv::Reader::from_path(out.join(&f.file)).unwrap();
        let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
        let parts: Vec<&str> = f.file.trim_end_matches(".csv").split('.').collect();
        let (form, group) = (parts[0], parts.get(1).copied());
        let keys = if group.is_some() {
            GROUP_KEYS.len()
        } else {
            FORM_KEYS.len()
        };
        let mut n = 0;
        for rec in r.records() {
            let rec = rec.unwrap();
            n += 1;
            let (subject, event, erep, frep) = (&rec[0], &rec[2], &rec[3], &rec[4]);
            for (col, v) in header.iter().zip(rec.iter()).skip(keys) {
                if v.is_empty() || col.starts_with("derived.") {
                    continue;
                }
                let (g, grep) = match group {
                    Some(g) => (g.to_string(), rec[5].to_string()),
                    None => (
                        def.form(form).unwrap().item(col).unwrap().group.clone(),
                        "1".into(),
                    ),
                };
                got.insert(
                    format!("{subject}/{event}.{erep}/{form}.{frep}/{g}.{grep}/{col}"),
                    v.to_string(),
                );
            }
        }
        assert_eq!(n, f.rows, "{}", f.file);
        rows_total += n;
    }
    let want: BTreeMap<String, String> = {
        let conn = site.node.e.store().conn();
        let mut stmt = conn.prepare("SELECT key, value FROM item_values").unwrap();
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .map(|(k, v)| (k, display_value(&serde_json::from_str(&v).unwrap())))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        rows
    };
    assert!(want.len() > 1000, "{}", want.len());
    assert_eq!(got, want);
    let forms: i64 = site
        .node
        .e
        .store()
        .conn()
        .query_row("SELECT count(*) FROM forms", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sum.forms, forms as u64);
    assert!(rows_total >= sum.forms);
    assert!(want.values().any(|v| v.starts_with("<LLOQ ")));
    assert!(want.values().any(|v| v.starts_with("NOT DONE: ")));
    assert!(want.values().any(|v| v == "UNK"));

    let dict = std::fs::read_to_string(out.join("data_dictionary.csv")).unwrap();
    assert!(dict.contains("1.0,DM,Demographics,"), "{}", &dict[..300]);
    assert!(dict.contains(",WEIGHT,"));
    let cl = std::fs::read_to_string(out.join("codelists.csv")).unwrap();
    assert!(cl.lines().any(|l| l.starts_with("1.0,SEX,")));

    // The folder exists now: refused, nothing changed.
    let err = site.node.e.export_csv(&mut site.mon, &out).unwrap_err();
    assert!(matches!(err, ServiceError::Exists(_)), "{err}");
}

#[test]
fn audit_report_of_a_subject_and_of_an_item() {
    let dir = tempfile::tempdir().unwrap();
    let mut site = site::demo_site(dir.path(), 2);
    let n = &mut site.node;
    let lines =
        n.e.report_audit(&mut site.mon, Some("S01-001"), None)
            .unwrap();
    let events: i64 =
        n.e.store()
            .conn()
            .query_row(
                "SELECT count(*) FROM events WHERE subject = 'S01-001'",
                [],
                |r| r.get(0),
            )
            .unwrap();
    assert_eq!(
        lines.len() as i64,
        events,
        "every change event of the subject"
    );
    assert_eq!(lines[0].kind, "subject_enrolled");
    assert!(lines
        .iter()
        .all(|l| !l.captured_at.is_empty() && !l.username.is_empty()));
    assert!(lines
        .iter()
        .any(|l| l.kind == "signed" && l.full_name == "Dr Li Wei"));

    let weight = site::form("S01-001", "SCR", "DM", 1).item("MAIN", 1, "WEIGHT");
    let w =
        n.e.report_audit(&mut site.mon, None, Some(&weight))
            .unwrap();
    let values: Vec<(&str, &str, &str)> = w
        .iter()
        .filter(|l| l.kind == "value_set")
        .map(|l| (l.old.as_str(), l.new.as_str(), l.reason.as_str()))
        .collect();
    assert_eq!(values.len(), 3, "{w:#?}");
    assert_eq!(values[1].1, "61.5");
    assert_eq!(values[1].2, "transcription error");
    assert_eq!(
        (values[2].0, values[2].1, values[2].2),
        ("61.5", "60", "re-weighed at the visit")
    );
    assert!(
        w.iter().any(|l| l.kind == "query_opened") && w.iter().any(|l| l.kind == "query_answered")
    );

    let csv = dir.path().join("audit.csv");
    write_audit_csv(&w, &csv).unwrap();
    let mut r = csv::Reader::from_path(&csv).unwrap();
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        AUDIT_COLUMNS.to_vec()
    );
    assert_eq!(r.records().count(), w.len());
    assert!(matches!(
        write_audit_csv(&w, &csv),
        Err(ServiceError::Exists(_))
    ));

    // The PDF table: a real PDF whose text holds the changes, in both languages.
    let pdf = dir.path().join("audit.pdf");
    let (bytes, n) = site
        .node
        .e
        .report_audit_pdf(
            &mut site.mon,
            None,
            Some(&weight),
            ecrf_services::pdf_model::DocLang::Both,
            &pdf,
        )
        .unwrap();
    assert_eq!(n, w.len());
    let data = std::fs::read(&pdf).unwrap();
    assert_eq!(data.len() as u64, bytes);
    assert!(data.starts_with(b"%PDF-1.7"));
    let text = std::process::Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is needed: run scripts/install-deps.sh");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("Audit trail") && text.contains("稽查轨迹"),
        "{text}"
    );
    assert!(text.contains("transcription error"), "{text}");
    assert!(site
        .node
        .e
        .report_audit_pdf(
            &mut site.mon,
            None,
            Some(&weight),
            ecrf_services::pdf_model::DocLang::Both,
            &pdf
        )
        .is_err());

    // A nurse may not; an unknown subject is not found.
    let n = &mut site.node;
    assert!(matches!(
        n.e.report_audit(&mut n.user, None, None),
        Err(ServiceError::Forbidden { .. })
    ));
    assert!(matches!(
        n.e.report_audit(&mut site.mon, Some("S01-999"), None),
        Err(ServiceError::NotFound(_))
    ));
}
