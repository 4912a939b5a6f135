//! Electronic signatures through the CLI: password again, meaning stated, bound to the signed
//! content; an edit afterwards breaks the signature until signed again; queries do not.

mod common;
use common::*;

fn sign(site: &Site, pw_again: &str, args: &[&str]) -> Run {
    sign_as(site, INV_PW, pw_again, args)
}

fn sign_as(site: &Site, login: &str, pw_again: &str, args: &[&str]) -> Run {
    let mut all = vec!["sign"];
    all.extend_from_slice(args);
    run_as(
        &site.db,
        "inv1",
        &[("ECRF_PASSWORD", login), ("ECRF_SIGN_PASSWORD", pw_again)],
        &all,
    )
}

fn state(site: &Site, form: &str) -> serde_json::Value {
    let cb = site.nurse(&["subject", "casebook", "S01-001"]).json();
    cb["forms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["form"]["form"] == form)
        .unwrap()["signature"]
        .clone()
}

#[test]
fn sign_edit_breaks_resign_holds() {
    let site = Site::new();
    site.nurse(&["subject", "enrol", "S01-001"]);
    let dm = site.file("dm.json", DM);
    let base = ["--subject", "S01-001", "--event", "SCR", "--form", "DM"];
    let mut save = vec!["form", "save"];
    save.extend(base);
    save.extend(["--data", &dm]);
    assert_eq!(site.nurse(&save).code, 0);

    // An incomplete form is not signed.
    let r = sign(
        &site,
        INV_PW,
        &[
            "--subject",
            "S01-001",
            "--event",
            "SCR",
            "--form",
            "DM",
            "--meaning",
            "authorship",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("not complete"), "{}", r.stderr);
    let mut complete = save.clone();
    complete.push("--complete");
    assert_eq!(site.nurse(&complete).code, 0);

    // A nurse may not sign; a wrong password is refused and counted.
    let r = run(
        &site.db,
        Some("nurse1"),
        NURSE_PW,
        "",
        &["sign", "--subject", "S01-001", "--meaning", "review"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("may not sign"), "{}", r.stderr);
    let before = site.snapshot();
    let r = sign(
        &site,
        "wrong-password",
        &[
            "--subject",
            "S01-001",
            "--event",
            "SCR",
            "--form",
            "DM",
            "--meaning",
            "authorship",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("wrong username or password"),
        "{}",
        r.stderr
    );
    assert_eq!(
        site.snapshot(),
        before,
        "a refused signature changes nothing"
    );

    let r = sign(
        &site,
        INV_PW,
        &[
            "--subject",
            "S01-001",
            "--event",
            "SCR",
            "--form",
            "DM",
            "--meaning",
            "authorship",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["printed_name"], "Dr Zhang Wei");
    assert_eq!(v["meaning"], "authorship");
    assert_eq!(v["broken"], false);
    assert_eq!(v["content_hash"].as_str().unwrap().len(), 64);
    assert_eq!(state(&site, "DM"), "signed");

    // An edit of the signed data breaks it (in the casebook and the form view).
    let w = site.file("w.json", r#"{"WEIGHT": 59.5}"#);
    let mut edit = vec!["form", "save"];
    edit.extend(base);
    edit.extend(["--data", &w, "--reason", "re-weighed"]);
    assert_eq!(site.nurse(&edit).code, 0);
    assert_eq!(state(&site, "DM"), "signature_broken");
    let mut show = vec!["form", "show"];
    show.extend(base);
    let view = site.nurse(&show).json();
    assert_eq!(view["signatures"][0]["broken"], true);

    // Signing again holds; the old signature stays broken in the record.
    let r = sign(
        &site,
        INV_PW,
        &["--subject", "S01-001", "--meaning", "approval"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(state(&site, "DM"), "signed");
    let sigs = site.nurse(&["subject", "signatures", "S01-001"]).json();
    let broken: Vec<bool> = sigs
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["broken"].as_bool().unwrap())
        .collect();
    assert_eq!(broken, vec![true, false]);

    // A form started after the subject-level signature is not covered by it.
    let elig = site.file("e.json", r#"{"DIAG":"BALL"}"#);
    assert_eq!(
        site.nurse(&[
            "form",
            "save",
            "--subject",
            "S01-001",
            "--event",
            "SCR",
            "--form",
            "ELIG",
            "--data",
            &elig
        ])
        .code,
        0
    );
    assert_eq!(state(&site, "ELIG"), serde_json::Value::Null);
    assert_eq!(state(&site, "DM"), "signed");
}

#[test]
fn a_signing_certificate_per_user_resealed_on_password_change_renewed_after_reset() {
    let site = Site::new().with_completed_dm();
    let args = [
        "--subject",
        "S01-001",
        "--event",
        "SCR",
        "--form",
        "DM",
        "--meaning",
        "review",
    ];
    let first = sign(&site, INV_PW, &args);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let certs = |site: &Site| -> Vec<String> {
        site.nurse(&["audit", "log"])
            .stdout
            .lines()
            .filter(|l| l.contains("\"kind\":\"certificate_published\""))
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["payload"]["fingerprint"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let c1 = certs(&site);
    assert_eq!(
        c1.len(),
        1,
        "the first signature makes and publishes the certificate"
    );
    let log = site.nurse(&["audit", "log"]).stdout;
    let signed: serde_json::Value = log
        .lines()
        .rev()
        .find(|l| l.contains("\"kind\":\"signed\""))
        .map(|l| serde_json::from_str(l).unwrap())
        .unwrap();
    assert_eq!(signed["payload"]["certificate"], c1[0].as_str());

    // Signing again reuses the key.
    assert_eq!(sign(&site, INV_PW, &args).code, 0);
    assert_eq!(certs(&site).len(), 1);

    // A password change re-seals the key: signing with the new password, same certificate.
    let r = run(
        &site.db,
        Some("inv1"),
        INV_PW,
        "investigator-new-1",
        &["user", "passwd"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = sign_as(&site, "investigator-new-1", "investigator-new-1", &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(certs(&site).len(), 1);

    // An administrator's reset: the old key cannot be opened any more; a new certificate.
    let r = run(
        &site.db,
        Some("admin"),
        ADMIN_PW,
        "investigator-reset-1",
        &["user", "unlock", "inv1", "--reset-password"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = sign_as(&site, "investigator-reset-1", "investigator-reset-1", &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let c = certs(&site);
    assert_eq!(
        c.len(),
        2,
        "a new certificate after the reset; the old one kept"
    );
    assert_ne!(c[0], c[1]);
}
