//! Signed PDF CRFs through the CLI: export signed by the investigator, verify (intact, matches
//! the record), an edit afterwards (no longer matches; a new PDF shows the signature broken),
//! one changed byte (not intact), blank CRFs without a database.

mod common;
use common::*;
use std::process::Command;

fn ecrf_env(site: &Site, user: &str, pw: &str, args: &[&str]) -> Run {
    run_as(
        &site.db,
        user,
        &[("ECRF_PASSWORD", pw), ("ECRF_SIGN_PASSWORD", pw)],
        args,
    )
}

fn text(pdf: &str) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout", pdf, "-"])
        .output()
        .expect("pdftotext (poppler-utils, installed by scripts/install-deps.sh)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn signed_casebook_verifies_and_breaks_after_an_edit() {
    let site = Site::new().with_completed_dm();
    let out = site.dir.path().join("cb.pdf");
    let out_s = out.to_str().unwrap();
    let r = ecrf_env(
        &site,
        "inv1",
        INV_PW,
        &[
            "pdf",
            "casebook",
            "--subject",
            "S01-001",
            "--out",
            out_s,
            "--sign",
            "--meaning",
            "approval",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let t = text(out_s);
    assert!(t.contains("Dr Zhang Wei"), "signature manifestation");
    assert!(t.contains("approval"), "meaning");
    assert!(t.contains("162.5"), "values");
    let v = ecrf_env(&site, "nurse1", NURSE_PW, &["pdf", "verify", out_s]);
    assert_eq!(v.code, 0, "{}", v.stderr);
    let j = v.json();
    assert_eq!(j["intact"], true);
    assert_eq!(j["covers_whole_file"], true);
    assert_eq!(j["certificate_known"], true);
    assert_eq!(j["matches_record"], true);
    assert_eq!(j["signer"], "Dr Zhang Wei");
    // pdfsig agrees.
    let ps = Command::new("pdfsig").arg(out_s).output().expect("pdfsig");
    assert!(String::from_utf8_lossy(&ps.stdout).contains("Signature is Valid"));

    // An edit of the signed data: the PDF is still intact but no longer the record; a new PDF
    // shows the signature broken.
    let w = site.file("w.json", r#"{"WEIGHT": 61}"#);
    assert_eq!(
        site.nurse(&[
            "form",
            "save",
            "--subject",
            "S01-001",
            "--event",
            "SCR",
            "--form",
            "DM",
            "--data",
            &w,
            "--reason",
            "re-weighed"
        ])
        .code,
        0
    );
    let j = ecrf_env(&site, "nurse1", NURSE_PW, &["pdf", "verify", out_s]).json();
    assert_eq!(j["intact"], true);
    assert_eq!(j["matches_record"], false);
    let again = site.dir.path().join("cb2.pdf");
    let r = ecrf_env(
        &site,
        "nurse1",
        NURSE_PW,
        &[
            "pdf",
            "form",
            "--subject",
            "S01-001",
            "--event",
            "SCR",
            "--form",
            "DM",
            "--out",
            again.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(text(again.to_str().unwrap()).contains("SIGNATURE BROKEN"));

    // One changed byte outside the signature value: not intact, exit 3.
    let mut bytes = std::fs::read(&out).unwrap();
    let at = bytes.windows(6).position(|w| w == b"stream").unwrap() + 20;
    bytes[at] ^= 0x01;
    let bad = site.dir.path().join("bad.pdf");
    std::fs::write(&bad, &bytes).unwrap();
    let r = ecrf_env(
        &site,
        "nurse1",
        NURSE_PW,
        &["pdf", "verify", bad.to_str().unwrap()],
    );
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert_eq!(r.json()["intact"], false);

    // A nurse cannot sign a PDF.
    let r = ecrf_env(
        &site,
        "nurse1",
        NURSE_PW,
        &[
            "pdf",
            "casebook",
            "--subject",
            "S01-001",
            "--out",
            out_s,
            "--sign",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("may not sign"), "{}", r.stderr);
}

#[test]
fn blank_crfs_need_no_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("blank.pdf");
    let r = run(
        &dir.path().join("none.db"),
        None,
        "",
        "",
        &["pdf", "blank", "--out", out.to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let t = text(out.to_str().unwrap());
    for label in [
        "Demographics",
        "Cytokine release syndrome",
        "Adverse event",
        "细胞因子释放综合征",
    ] {
        assert!(t.contains(label), "blank CRFs lack {label}");
    }
    assert!(!dir.path().join("none.db").exists());
    let r = run(
        &dir.path().join("none.db"),
        None,
        "",
        "",
        &[
            "pdf",
            "blank",
            "--form",
            "NOPE",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("form NOPE not found"), "{}", r.stderr);
}
