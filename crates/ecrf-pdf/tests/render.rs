//! Renders real CRFs of the built-in definition and reads them back with poppler
//! (`pdftotext -layout`, `pdfinfo`). Set `ECRF_PDF_DUMP=/some/dir` to keep the PDFs.

use ecrf_core::definition::{builtin, Definition, Lang, Text};
use ecrf_core::derive::Derived;
use ecrf_core::validate::{FormValues, Slot};
use ecrf_pdf::model::{
    CrfDocument, DocLang, FormSection, Header, OverrideLine, QueryLine, SignatureLine,
};
use ecrf_pdf::render::render;
use serde_json::{json, Value as Json};
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

const HASH: &str = "3f9a0c1e5b7d2a4f6e8c0b1d3a5f7e9c2b4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a";

fn header(def: &Definition) -> Header {
    Header {
        study: def.study.id.clone(),
        study_name: def.study.name.en.clone(),
        site: "S01 Beijing".into(),
        definition_version: def.study.version.clone(),
        generated_at: "2026-11-25T01:02:03Z".into(),
    }
}

fn main_slot(item: &str) -> Slot {
    Slot::main(item)
}

fn slot(group: &str, repeat: u32, item: &str) -> Slot {
    Slot {
        group: group.into(),
        repeat,
        item: item.into(),
    }
}

fn section(
    def: &Definition,
    form: &str,
    event: &str,
    event_name: &str,
    values: FormValues,
) -> FormSection {
    let form = def
        .form(form)
        .cloned()
        .unwrap_or_else(|| panic!("no form {form}"));
    FormSection {
        subject: Some("S01-007".into()),
        event: event.into(),
        event_name: event_name.into(),
        form,
        codelists: def.codelists.clone(),
        values,
        blank: false,
        status: "complete".into(),
        derived: vec![],
        overrides: vec![],
        queries: vec![],
        signatures: vec![],
    }
}

fn signature(broken: bool) -> SignatureLine {
    SignatureLine {
        printed_name: "Dr. Li Wei".into(),
        username: "liwei".into(),
        at: "2026-11-24T09:15:00Z".into(),
        meaning: "I approve the data of this form as accurate and complete".into(),
        scope: "form CRS, event D7".into(),
        content_hash: HASH.into(),
        broken,
    }
}

fn crs_section(def: &Definition) -> FormSection {
    let mut v = FormValues::new();
    v.insert(main_slot("CRSDAT"), json!("2026-11-20"));
    v.insert(slot("FEVER", 1, "TEMPMAX"), json!(39.4));
    v.insert(slot("FEVER", 1, "TEMPTIM"), json!("14:30"));
    v.insert(slot("CIRC", 1, "HYPOTN"), json!("VASO1"));
    v.insert(
        slot("CIRC", 1, "VASONAME"),
        json!("Norepinephrine 0.1 µg/kg/min"),
    );
    v.insert(slot("CIRC", 1, "OXYGEN"), json!("HIGHFLOW"));
    v.insert(slot("CIRC", 1, "O2FLOW"), json!(40));
    v.insert(slot("CIRC", 1, "OTHCAUSE"), json!("N"));
    v.insert(slot("TREAT", 1, "TOCI"), json!("Y"));
    v.insert(slot("TREAT", 1, "TOCIDTM"), json!("2026-11-20T16:00+08:00"));
    v.insert(slot("TREAT", 1, "TOCIDOSE"), json!(480));
    v.insert(
        slot("TREAT", 1, "STEROID"),
        json!({"not_done": "patient refused"}),
    );
    v.insert(slot("EPISODE", 1, "CRSONDAT"), json!("2026-11-18"));
    let mut s = section(def, "CRS", "D7", "Day 7 (window 6–8)", v);
    s.derived = vec![
        Derived {
            id: "CRSGR".into(),
            value: json!(3),
            display: Text {
                en: "Grade 3 (vasopressor, high-flow oxygen)".into(),
                zh: "3 级（血管活性药物，高流量吸氧）".into(),
            },
            missing: vec![],
        },
        Derived {
            id: "CRSDAY".into(),
            value: json!(7),
            display: Text {
                en: "Day 7".into(),
                zh: "第 7 天".into(),
            },
            missing: vec![],
        },
    ];
    s.overrides = vec![OverrideLine {
        derived_id: "CRSGR".into(),
        value: "3".into(),
        reason: "Confirmed by the PI at the bedside: oxygen need was high-flow".into(),
        by: "liwei".into(),
        at: "2026-11-21T08:00:00Z".into(),
    }];
    s.queries = vec![QueryLine {
        item: Some("TEMPMAX".into()),
        status: "open".into(),
        text: "Please confirm the maximum temperature against the nursing chart.".into(),
        opened_by: "monitor1".into(),
        opened_at: "2026-11-22T10:00:00Z".into(),
    }];
    s.signatures = vec![signature(false)];
    s
}

fn doc(
    def: &Definition,
    title: &str,
    lang: DocLang,
    sections: Vec<FormSection>,
    hash: Option<&str>,
) -> CrfDocument {
    CrfDocument {
        title: title.into(),
        lang,
        header: header(def),
        contents: false,
        sections,
        content_hash: hash.map(str::to_string),
    }
}

fn blank_section(def: &Definition, form: &str) -> FormSection {
    let mut s = section(def, form, "", "", FormValues::new());
    s.subject = None;
    s.blank = true;
    s.status = "not_started".into();
    s
}

struct Rendered {
    text: String,
    pages: usize,
    bytes: Vec<u8>,
}

fn pdf_path(name: &str) -> PathBuf {
    let dir = std::env::var_os("ECRF_PDF_DUMP")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&dir).expect("dump dir");
    dir.join(format!("ecrf-render-{name}.pdf"))
}

fn run(name: &str, d: &CrfDocument) -> Rendered {
    let bytes = render(d).expect("render");
    let path = pdf_path(name);
    std::fs::write(&path, &bytes).expect("write pdf");
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed");
    assert!(
        out.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "pdftotext complained: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let info = Command::new("pdfinfo")
        .arg(&path)
        .output()
        .expect("pdfinfo");
    assert!(info.status.success());
    let info = String::from_utf8_lossy(&info.stdout).to_string();
    let pages = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|p| p.trim().parse().ok())
        .expect("page count");
    assert!(info.contains("Producer:        eCRF CAR-T"), "{info}");
    assert!(
        info.lines()
            .any(|l| l.starts_with("PDF version:") && l.ends_with(" 1.7")),
        "{info}"
    );
    Rendered {
        text: String::from_utf8_lossy(&out.stdout).to_string(),
        pages,
        bytes,
    }
}

fn pages_text(r: &Rendered) -> Vec<&str> {
    r.text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect()
}

fn assert_every_page(r: &Rendered, needles: &[&str]) {
    let pages = pages_text(r);
    assert_eq!(pages.len(), r.pages);
    for (i, p) in pages.iter().enumerate() {
        for n in needles {
            assert!(p.contains(n), "page {} lacks {n:?}:\n{p}", i + 1);
        }
        let footer = format!("Page {} of {}", i + 1, r.pages);
        assert!(
            p.contains(&footer) || p.contains(&format!("第 {} 页，共 {} 页", i + 1, r.pages)),
            "page {} lacks its number:\n{p}",
            i + 1
        );
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Collapses runs of spaces so that snapshots do not depend on exact column positions.
fn squeeze(s: &str) -> String {
    s.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn crs_form_in_english() {
    let def = builtin();
    let d = doc(
        &def,
        "CRS S01-007 Day 7",
        DocLang::One(Lang::En),
        vec![crs_section(&def)],
        Some(HASH),
    );
    let r = run("crs-en", &d);
    assert_every_page(
        &r,
        &[
            "S01 Beijing",
            "S01-007",
            "Day 7 (window 6–8) (D7)",
            "CRS",
            &def.study.version,
            "2026-11-25T01:02:03Z",
            "CONFIDENTIAL",
            "3f9a0c1e5b7d2a4f",
        ],
    );
    let t = &r.text;
    for needle in [
        "Maximum temperature in 24 hours",
        "39.4",
        "°C",
        "L/min",
        "40.0",
        "Norepinephrine 0.1 µg/kg/min",
        "Not done: patient refused",
        "2026-11-20T16:00+08:00",
        "Grade 3 (vasopressor, high-flow oxygen)",
        "Confirmed by the PI at the bedside",
        "Please confirm the maximum temperature against the nursing chart.",
        "Dr. Li Wei (liwei)",
        "2026-11-24T09:15:00Z",
        "I approve the data of this form",
        HASH,
    ] {
        assert!(t.contains(needle), "lacks {needle:?}:\n{t}");
    }
    // Choices print as their labels, not their codes.
    assert!(!t.contains("VASO1"), "{t}");
    assert!(!t.contains("SIGNATURE BROKEN"));
    assert!(contains(
        &r.bytes,
        format!("/ECRFContentHash ({HASH})").as_bytes()
    ));
    // The same document renders to the same bytes.
    assert_eq!(render(&d).expect("render"), r.bytes);
    assert!(
        r.bytes.len() < 300_000,
        "a one-form PDF is {} bytes",
        r.bytes.len()
    );
    expect_test::expect_file!["snapshots/crs-en.txt"].assert_eq(&squeeze(t));
}

#[test]
fn crs_form_in_chinese_and_both() {
    let def = builtin();
    let d = doc(
        &def,
        "CRS S01-007 第 7 天",
        DocLang::One(Lang::Zh),
        vec![crs_section(&def)],
        Some(HASH),
    );
    let r = run("crs-zh", &d);
    let t = &r.text;
    for needle in [
        "24 小时内最高体温",
        "细胞因子释放综合征（CRS）每日评估",
        "3 级（血管活性药物，高流量吸氧）",
        "机密",
        "第 1 页，共",
        "未做: patient refused",
    ] {
        assert!(t.contains(needle), "lacks {needle:?}:\n{t}");
    }
    assert!(!t.contains("Maximum temperature in 24 hours"));
    expect_test::expect_file!["snapshots/crs-zh.txt"].assert_eq(&squeeze(t));

    let d = doc(
        &def,
        "CRS both",
        DocLang::Both,
        vec![crs_section(&def)],
        Some(HASH),
    );
    let r = run("crs-both", &d);
    for needle in [
        "Maximum temperature in 24 hours",
        "24 小时内最高体温",
        "Page 1 of",
    ] {
        assert!(r.text.contains(needle), "lacks {needle:?}:\n{}", r.text);
    }
}

#[test]
fn eligibility_and_broken_signature() {
    let def = builtin();
    let mut v = FormValues::new();
    v.insert(main_slot("DIAG"), json!("BALL"));
    v.insert(slot("ANTIGEN", 1, "CD19"), json!("POS"));
    v.insert(slot("ANTIGEN", 1, "CD19PCT"), json!(87.5));
    v.insert(slot("ANTIGEN", 1, "CD19DAT"), json!("2026-10-02"));
    v.insert(slot("ORGAN", 1, "BILI"), json!({"code": "UNK"}));
    v.insert(slot("ORGAN", 1, "CRCL"), json!(96.2));
    for i in 1..=6 {
        v.insert(slot("INCL", 1, &format!("IN0{i}")), json!("Y"));
    }
    for i in 1..=4 {
        v.insert(slot("EXCL", 1, &format!("EX0{i}")), json!("N"));
    }
    let mut s = section(&def, "ELIG", "SCR", "Screening", v);
    s.derived = vec![Derived {
        id: "ELIGIBLE".into(),
        value: json!(true),
        display: Text {
            en: "Eligible".into(),
            zh: "符合入组条件".into(),
        },
        missing: vec![],
    }];
    s.signatures = vec![signature(true)];
    let r = run(
        "elig",
        &doc(&def, "ELIG", DocLang::One(Lang::En), vec![s], Some(HASH)),
    );
    let t = &r.text;
    for needle in [
        "SIGNATURE BROKEN — data changed after signing",
        "UNK (unknown)",
        "87.5",
        "Eligible",
        "Screening (SCR)",
        "µmol/L",
    ] {
        assert!(t.contains(needle), "lacks {needle:?}:\n{t}");
    }
    assert_every_page(&r, &["Eligibility", "S01-007"]);
}

#[test]
fn adverse_events_with_repeats_and_bridging_table() {
    let def = builtin();
    let mut sections = Vec::new();
    for (n, (term, grade)) in [("Cytokine release syndrome", 3), ("Febrile neutropenia", 4)]
        .into_iter()
        .enumerate()
    {
        let mut v = FormValues::new();
        v.insert(main_slot("AETERM"), json!(term));
        v.insert(main_slot("AESTDAT"), json!(format!("2026-11-1{n}")));
        v.insert(main_slot("AEGRADE"), json!(grade));
        v.insert(main_slot("AESER"), json!("Y"));
        v.insert(slot("CART", 1, "PATHOGEN"), json!({"code": "UNK"}));
        v.insert(
            slot("CART", 1, "IGG"),
            json!({"not_done": "sample haemolysed"}),
        );
        let mut s = section(
            &def,
            "AE",
            "AELOG",
            &format!("Adverse event log — AE {}", n + 1),
            v,
        );
        s.status = "in_progress".into();
        sections.push(s);
    }
    let mut v = FormValues::new();
    for r in 1..=3u32 {
        v.insert(
            slot("AGENTS", r, "BRREG"),
            json!(format!(
                "Regimen number {r} with a rather long description that wraps"
            )),
        );
        v.insert(slot("AGENTS", r, "BRSTDAT"), json!(format!("2026-09-0{r}")));
    }
    sections.push(section(&def, "BRIDGE", "BRIDGE", "Bridging therapy", v));
    let mut d = doc(&def, "AE log", DocLang::One(Lang::En), sections, Some(HASH));
    d.contents = true;
    let r = run("ae", &d);
    let t = &r.text;
    for needle in [
        "Cytokine release syndrome",
        "Febrile neutropenia",
        "Not done: sample haemolysed",
        "UNK (unknown)",
        "Regimen number 3",
        "2026-09-03",
        "Contents",
        "g/L",
    ] {
        assert!(t.contains(needle), "lacks {needle:?}:\n{t}");
    }
}

#[test]
fn blank_crfs_of_every_form() {
    let def = builtin();
    let sections: Vec<_> = def
        .forms
        .iter()
        .map(|f| blank_section(&def, &f.id))
        .collect();
    let start = Instant::now();
    let r = run(
        "blank-all",
        &CrfDocument {
            contents: true,
            ..doc(&def, "Blank CRFs", DocLang::Both, sections, None)
        },
    );
    eprintln!(
        "blank set: {} pages, {} bytes, {:?}",
        r.pages,
        r.bytes.len(),
        start.elapsed()
    );
    assert!(r.pages > def.forms.len());
    assert_every_page(&r, &["S01 Beijing", "CONFIDENTIAL"]);
    for f in &def.forms {
        assert!(
            r.text.contains(&format!("Form / 表单 {} ", f.id)),
            "no form {}",
            f.id
        );
    }
    let text = squeeze(&r.text);
    for needle in [
        "Y Y Y Y - M M - D D",
        "Subject ID / 受试者编号",
        "Investigator signature / 研究者签名:",
        "Not done, reason: / 未做，原因：",
        "×10⁹/L",
    ] {
        assert!(text.contains(needle), "lacks {needle:?}");
    }
    assert!(!contains(&r.bytes, b"/ECRFContentHash"));

    let r = run(
        "blank-crs",
        &doc(
            &def,
            "Blank CRS",
            DocLang::One(Lang::En),
            vec![blank_section(&def, "CRS")],
            None,
        ),
    );
    expect_test::expect_file!["snapshots/blank-crs-en.txt"].assert_eq(&squeeze(&r.text));
}

fn casebook(def: &Definition, n: usize) -> CrfDocument {
    let sections = (0..n)
        .map(|i| {
            let f = &def.forms[i % def.forms.len()];
            let mut v = FormValues::new();
            for (k, it) in f.items.iter().enumerate() {
                let val: Json = match it.kind {
                    ecrf_core::definition::ItemType::Date => json!("2026-11-01"),
                    ecrf_core::definition::ItemType::Integer => json!(k as i64 + 1),
                    ecrf_core::definition::ItemType::Decimal => json!(12.5),
                    ecrf_core::definition::ItemType::Choice => {
                        let code = it
                            .codelist
                            .as_deref()
                            .and_then(|c| def.codelist(c))
                            .and_then(|c| c.choices.first())
                            .map(|c| c.code.clone())
                            .unwrap_or_default();
                        json!(code)
                    }
                    _ => json!("text"),
                };
                v.insert(slot(&it.group, 1, &it.id), val);
            }
            let mut s = section(def, &f.id, &format!("V{i}"), &format!("Visit {i}"), v);
            s.signatures = vec![signature(false)];
            s
        })
        .collect();
    CrfDocument {
        contents: true,
        ..doc(def, "Casebook S01-007", DocLang::Both, sections, Some(HASH))
    }
}

#[test]
fn casebook_of_100_forms_is_fast_and_small() {
    let def = builtin();
    let d = casebook(&def, 100);
    let start = Instant::now();
    let bytes = render(&d).expect("render");
    let took = start.elapsed();
    eprintln!("100-form casebook: {} bytes in {took:?}", bytes.len());
    // Unoptimised test builds are several times slower than release builds.
    assert!(took.as_secs_f64() < 10.0, "{took:?}");
    let r = run("casebook", &d);
    assert!(r.pages > 100);
    let pages = pages_text(&r);
    assert!(pages[0].contains("Contents / 目录"), "{}", pages[0]);
    assert!(pages[0].contains("Visit 0 (V0)"));
    assert_every_page(&r, &["S01 Beijing", "S01-007", "CONFIDENTIAL"]);
    assert!(r.text.contains(&format!("Page {} of {}", r.pages, r.pages)));
}

#[test]
fn never_draws_outside_the_page_with_very_long_text() {
    let def = builtin();
    let mut v = FormValues::new();
    let long = "Very long free text without end ".repeat(400);
    v.insert(main_slot("AETERM"), json!(long));
    v.insert(main_slot("AESTDAT"), json!("2026-11-01"));
    let s = section(&def, "AE", "AELOG", "Adverse event log", v);
    let r = run(
        "long",
        &doc(&def, "Long", DocLang::One(Lang::En), vec![s], Some(HASH)),
    );
    assert!(r.pages >= 2);
    assert_every_page(&r, &["S01-007", "Adverse event"]);
    let out = Command::new("pdftotext")
        .args(["-bbox"])
        .arg(pdf_path("long"))
        .arg("-")
        .output()
        .expect("pdftotext");
    let bbox = String::from_utf8_lossy(&out.stdout);
    for l in bbox.lines().filter(|l| l.contains("<word ")) {
        let num = |k: &str| -> f64 {
            l.split(&format!("{k}=\""))
                .nth(1)
                .and_then(|s| s.split('"').next())
                .and_then(|s| s.parse().ok())
                .unwrap_or(0.0)
        };
        assert!(
            num("xMin") >= 0.0
                && num("xMax") <= 595.3
                && num("yMin") >= 0.0
                && num("yMax") <= 842.0,
            "{l}"
        );
    }
}

#[test]
fn rendered_pdfs_sign_and_verify() {
    use chrono::{TimeZone, Utc};
    let def = builtin();
    let id = ecrf_pdf::sign::new_identity(
        "Dr. Li Wei",
        "liwei",
        "Site 01",
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .expect("time"),
        5,
    )
    .expect("identity");
    let d = casebook(&def, 100);
    let start = Instant::now();
    let pdf = render(&d).expect("render");
    let rendered = start.elapsed();
    let signed =
        ecrf_pdf::sign::sign_pdf(&pdf, &id, Utc::now(), "Dr. Li Wei", "Approval").expect("sign");
    eprintln!(
        "100-form casebook: render {rendered:?}, render + sign {:?}, {} bytes signed",
        start.elapsed(),
        signed.len()
    );
    assert!(signed.starts_with(&pdf), "signing is an incremental update");
    let check = ecrf_pdf::sign::verify_pdf(&signed).expect("verify");
    assert!(check.intact, "{:?}", check.problem);
    assert_eq!(check.content_hash.as_deref(), Some(HASH));

    // lopdf reads the document information dictionary back.
    let doc = lopdf::Document::load_mem(&pdf).expect("lopdf loads the PDF");
    let info = doc
        .trailer
        .get(b"Info")
        .and_then(|o| o.as_reference())
        .and_then(|r| doc.get_dictionary(r))
        .expect("/Info");
    let hash = info
        .get(b"ECRFContentHash")
        .and_then(|o| o.as_str())
        .expect("hash");
    assert_eq!(hash, HASH.as_bytes());
    let producer = info
        .get(b"Producer")
        .and_then(|o| o.as_str())
        .expect("producer");
    assert_eq!(producer, b"eCRF CAR-T");
    assert!(doc.get_pages().len() > 100);

    // poppler validates the signature of a signed one-form PDF.
    let one = render(&doc_for_sign(&def)).expect("render");
    let signed =
        ecrf_pdf::sign::sign_pdf(&one, &id, Utc::now(), "Dr. Li Wei", "Approval").expect("sign");
    let path = pdf_path("crs-signed");
    std::fs::write(&path, &signed).expect("write");
    let out = Command::new("pdfsig").arg(&path).output().expect("pdfsig");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Signature Validation: Signature is Valid."),
        "{text}"
    );
}

fn doc_for_sign(def: &Definition) -> CrfDocument {
    doc(
        def,
        "CRS signed",
        DocLang::Both,
        vec![crs_section(def)],
        Some(HASH),
    )
}
