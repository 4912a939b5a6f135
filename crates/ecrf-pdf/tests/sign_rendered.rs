//! A CRF from the renderer, signed: `pdfsig` and pyHanko validate it and `verify_pdf` finds the
//! content hash the renderer wrote. The tests never skip: a missing tool fails with the install
//! step.

use chrono::{TimeZone, Utc};
use ecrf_core::definition::{builtin, Lang};
use ecrf_core::validate::FormValues;
use ecrf_pdf::model::{CrfDocument, DocLang, FormSection, Header};
use ecrf_pdf::render::render;
use ecrf_pdf::sign::{cert_pem, new_identity, sign_pdf, verify_pdf};
use std::process::Command;

const HASH: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";

fn rendered() -> Vec<u8> {
    let def = builtin();
    let form = def.forms.first().cloned().expect("a form");
    let values = FormValues::new();
    let doc = CrfDocument {
        title: "Form S01-007".into(),
        lang: DocLang::Both,
        header: Header {
            study: def.study.id.clone(),
            study_name: def.study.name.get(Lang::En).to_string(),
            site: "S01".into(),
            definition_version: def.study.version.clone(),
            generated_at: "2026-11-24T09:00:00Z".into(),
        },
        contents: false,
        sections: vec![FormSection {
            subject: Some("S01-007".into()),
            event: "SCR".into(),
            event_name: "Screening 筛选".into(),
            form,
            codelists: def.codelists.clone(),
            values,
            blank: false,
            status: "complete".into(),
            derived: vec![],
            overrides: vec![],
            queries: vec![],
            signatures: vec![],
        }],
        content_hash: Some(HASH.into()),
    };
    render(&doc).expect("render")
}

fn run(tool: &str, args: &[&str], install: &str) -> (bool, String) {
    let out = Command::new(tool)
        .args(args)
        .env("TZ", "UTC")
        .env("LC_ALL", "C")
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{tool}` ({e}): install it with {install}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn a_rendered_crf_signed_is_valid_for_pdfsig_pyhanko_and_verify_pdf() {
    let at = Utc.with_ymd_and_hms(2026, 11, 24, 10, 5, 9).unwrap();
    let id = new_identity("Dr. Li Wei 李伟", "liwei", "Site S01", at, 5).unwrap();
    let original = rendered();
    let pdf = sign_pdf(&original, &id, at, "Dr. Li Wei 李伟", "Approval 批准").unwrap();
    assert!(pdf.starts_with(&original));

    let check = verify_pdf(&pdf).unwrap();
    assert!(check.intact && check.covers_whole_file, "{check:?}");
    assert_eq!(check.content_hash.as_deref(), Some(HASH));
    assert_eq!(check.signer_name, "Dr. Li Wei 李伟");
    assert_eq!(check.signing_time.as_deref(), Some("2026-11-24T10:05:09Z"));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("crf.pdf");
    let cert = dir.path().join("cert.pem");
    std::fs::write(&file, &pdf).unwrap();
    std::fs::write(&cert, cert_pem(&id.cert_der)).unwrap();
    let (_, out) = run(
        "pdfsig",
        &[file.to_str().unwrap()],
        "`apt-get install poppler-utils` (scripts/install-deps.sh)",
    );
    assert!(
        out.contains("Signature Validation: Signature is Valid."),
        "pdfsig:\n{out}"
    );
    assert!(
        out.contains("Signing Time: Nov 24 2026 10:05:09"),
        "pdfsig:\n{out}"
    );
    assert!(out.contains("Total document signed"), "pdfsig:\n{out}");
    let (ok, out) = run(
        "pyhanko",
        &[
            "sign",
            "validate",
            "--executive-summary",
            "--no-revocation-check",
            "--trust-replace",
            "--trust",
            cert.to_str().unwrap(),
            file.to_str().unwrap(),
        ],
        "`pip install pyhanko pyhanko-cli` (scripts/install-deps.sh)",
    );
    assert!(ok && out.trim_end().ends_with(":VALID"), "pyHanko:\n{out}");
}
