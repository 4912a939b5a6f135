//! `ecrf export odm|csv` and `ecrf report audit`: JSON printed, files written, refusals exit 2
//! and write nothing.

mod common;

use common::{Site, INV_PW, MON_PW};
use std::path::Path;

fn case(site: &Site, user: &str, pw: &str, args: &[&str]) -> common::Run {
    common::run(&site.db, Some(user), pw, "", args)
}

#[test]
fn exports_and_the_audit_report() {
    let site = Site::new().with_completed_dm();
    let dir = site.dir.path();
    let odm = dir.join("s01.xml");
    let odm_s = odm.to_string_lossy().to_string();

    let r = case(&site, "mon1", MON_PW, &["export", "odm", "--out", &odm_s]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["file_type"], "Transactional");
    assert_eq!(j["subjects"], 1);
    assert_eq!(j["forms"], 1);
    assert!(j["item_data"].as_u64().unwrap() >= 6, "{j}");
    assert_eq!(
        j["bytes"].as_u64().unwrap(),
        std::fs::metadata(&odm).unwrap().len()
    );

    // Refusals: existing file, a nurse, bad arguments. Exit 2, one line, nothing written.
    let before = std::fs::read(&odm).unwrap();
    for (user, pw, args) in [
        (
            "mon1",
            MON_PW,
            vec!["export", "odm", "--out", odm_s.as_str()],
        ),
        (
            "nurse1",
            common::NURSE_PW,
            vec!["export", "csv", "--out", "x"],
        ),
        (
            "mon1",
            MON_PW,
            vec!["report", "audit", "--item", "S01-001/bad", "--json"],
        ),
        (
            "mon1",
            MON_PW,
            vec!["report", "audit", "--subject", "S01-001"],
        ),
        (
            "mon1",
            MON_PW,
            vec!["report", "audit", "--subject", "S01-999", "--json"],
        ),
    ] {
        let r = case(&site, user, pw, &args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
        assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
    }
    assert_eq!(std::fs::read(&odm).unwrap(), before);
    assert!(!Path::new(&dir.join("x")).exists());

    let snap = dir.join("snap.xml");
    let r = case(
        &site,
        "inv1",
        INV_PW,
        &[
            "export",
            "odm",
            "--snapshot",
            "--out",
            &snap.to_string_lossy(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["file_type"], "Snapshot");

    let csv_dir = dir.join("csv");
    let r = case(
        &site,
        "mon1",
        MON_PW,
        &["export", "csv", "--out", &csv_dir.to_string_lossy()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let dm = std::fs::read_to_string(csv_dir.join("DM.csv")).unwrap();
    assert!(
        dm.starts_with("subject,site,event,event_repeat,form_repeat,status,definition_version,"),
        "{dm}"
    );
    assert!(dm.contains("S01-001,S01,SCR,1,1,complete,1.0,"), "{dm}");
    assert!(csv_dir.join("data_dictionary.csv").exists() && csv_dir.join("codelists.csv").exists());

    let r = case(
        &site,
        "mon1",
        MON_PW,
        &["report", "audit", "--subject", "S01-001", "--json"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines = r.json();
    let lines = lines.as_array().unwrap();
    assert_eq!(lines[0]["kind"], "subject_enrolled");
    assert!(lines
        .iter()
        .any(|l| l["target"] == "S01-001/SCR.1/DM.1/MAIN.1/WEIGHT" && l["new"] == "58"));
    let r = case(
        &site,
        "mon1",
        MON_PW,
        &[
            "report",
            "audit",
            "--item",
            "S01-001/SCR.1/DM.1/MAIN.1/WEIGHT",
            "--json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json().as_array().unwrap().len(), 1);
    let csv = dir.join("audit.csv");
    let r = case(
        &site,
        "mon1",
        MON_PW,
        &["report", "audit", "--csv", &csv.to_string_lossy()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with(
        "event_id,subject,kind,target,username,full_name,captured_at,imported_at,old,new,reason"
    ));
    assert_eq!(
        r.json()["lines"].as_u64().unwrap() as usize + 1,
        text.lines().count()
    );
}
