//! An attacker with the sqlite3 shell: the triggers refuse edits; dropping them and editing
//! the log or the current values is found by `ecrf audit verify` (exit 3).

mod common;
use common::*;
use std::process::Command;

fn sql(db: &std::path::Path, statements: &str) -> (bool, String) {
    let out = Command::new("sqlite3")
        .arg(db)
        .arg(statements)
        .output()
        .expect("sqlite3");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn site_with_data() -> Site {
    let site = Site::new();
    site.nurse(&["subject", "enrol", "S01-001"]);
    let dm = site.file("dm.json", DM);
    let r = site.nurse(&[
        "form",
        "save",
        "--subject",
        "S01-001",
        "--event",
        "SCR",
        "--form",
        "DM",
        "--data",
        &dm,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(site.nurse(&["audit", "verify"]).code, 0);
    site
}

#[test]
fn the_log_refuses_update_and_delete() {
    let site = site_with_data();
    let (ok, err) = sql(
        &site.db,
        "UPDATE events SET payload = '{}' WHERE rowid = 3;",
    );
    assert!(!ok && err.contains("append-only"), "{err}");
    let (ok, err) = sql(&site.db, "DELETE FROM events;");
    assert!(!ok && err.contains("append-only"), "{err}");
    let (ok, err) = sql(&site.db, "DELETE FROM security_log;");
    assert!(!ok && err.contains("append-only"), "{err}");
    assert_eq!(site.nurse(&["audit", "verify"]).code, 0);
}

#[test]
fn editing_a_value_after_dropping_the_triggers_is_found() {
    let site = site_with_data();
    let target: String = {
        let out = Command::new("sqlite3")
            .arg(&site.db)
            .arg("SELECT node || ':' || epoch || ':' || stream || ':' || seq FROM events WHERE kind = 'value_set' AND payload LIKE '%\"WEIGHT\"%';")
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert!(!target.is_empty());
    let (ok, err) = sql(
        &site.db,
        "DROP TRIGGER events_no_update; \
         UPDATE events SET payload = replace(payload, '\"new\":58', '\"new\":85') WHERE kind = 'value_set' AND payload LIKE '%\"WEIGHT\"%'; \
         UPDATE item_values SET value = '85' WHERE item = 'WEIGHT'; \
         CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'the change log is append-only: events cannot be changed'); END;",
    );
    assert!(ok, "{err}");
    let r = site.nurse(&["audit", "verify"]);
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(
        r.stderr.contains(&format!("first broken link at {target}")),
        "{}",
        r.stderr
    );
    let rep = r.json();
    assert_eq!(rep["broken"][0]["at"], target.as_str());
}

#[test]
fn recomputing_the_hash_still_breaks_the_chain() {
    let site = site_with_data();
    // The attacker edits an event and gives it a plausible but wrong hash: the content hash and
    // the chain both stop matching at that event.
    let (ok, err) = sql(
        &site.db,
        "DROP TRIGGER events_no_update; \
         UPDATE events SET hash = '00' || substr(hash, 3) WHERE rowid = (SELECT max(rowid) FROM events);",
    );
    assert!(ok, "{err}");
    let r = site.nurse(&["audit", "verify"]);
    assert_eq!(r.code, 3);
    let rep = r.json();
    assert_eq!(rep["triggers_intact"], false);
    let problems: Vec<String> = rep["broken"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["problem"].as_str().unwrap().to_string())
        .collect();
    assert!(
        problems.iter().any(|p| p.contains("hash chain broken")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("does not match its hash")),
        "{problems:?}"
    );
}

#[test]
fn editing_only_the_current_values_is_found() {
    let site = site_with_data();
    let (ok, err) = sql(
        &site.db,
        "UPDATE item_values SET value = '\"M\"' WHERE item = 'SEX';",
    );
    assert!(ok, "{err}");
    let r = site.nurse(&["audit", "verify"]);
    assert_eq!(r.code, 3);
    assert!(r.stderr.contains("differs from the log"), "{}", r.stderr);
}

#[test]
fn deleting_an_event_is_found_as_a_gap() {
    let site = site_with_data();
    let (ok, err) = sql(&site.db, "DROP TRIGGER events_no_delete; PRAGMA foreign_keys = OFF; DELETE FROM events WHERE rowid = 4;");
    assert!(ok, "{err}");
    let r = site.nurse(&["audit", "verify"]);
    assert_eq!(r.code, 3);
    let rep = r.json();
    assert!(
        rep["gaps"][0].as_str().unwrap().contains("missing 4..4"),
        "{rep}"
    );
}
