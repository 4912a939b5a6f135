//! `ecrf query …`, `ecrf verify-sdv`, `ecrf lock|unlock|locks` through the real binary.

mod common;

use common::*;

const DM_PW: &str = "dm-pass-123";

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn queries_verification_and_locks_through_the_cli() {
    let site = Site::new().with_completed_dm();
    site.add_user("dm1", "data-manager", "Wang Fang", DM_PW);
    let mon = |args: &[&str]| run(&site.db, Some("mon1"), MON_PW, "", args);
    let dm = |args: &[&str]| run(&site.db, Some("dm1"), DM_PW, "", args);
    let form = ["--subject", "S01-001", "--event", "SCR", "--form", "DM"];
    let with = |head: &[&str], tail: &[&str]| {
        let mut v: Vec<String> = head.iter().map(|s| s.to_string()).collect();
        v.extend(form.iter().map(|s| s.to_string()));
        v.extend(tail.iter().map(|s| s.to_string()));
        v
    };

    let args = with(
        &["query", "open"],
        &[
            "--item",
            "WEIGHT",
            "--text",
            "Weight 58 kg: please check the source",
        ],
    );
    let r = mon(&refs(&args));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let q = r.json();
    let id = q["query"].as_str().unwrap().to_string();
    assert_eq!(q["status"], "open");
    assert_eq!(q["group"], "MAIN");
    assert_eq!(q["thread"][0]["username"], "mon1");

    let r = site.nurse(&[
        "query",
        "answer",
        &id,
        "--text",
        "Checked: 58 kg in the source",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["status"], "answered");
    let r = mon(&["query", "close", &id, "--text", "ok"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("may not"), "{}", r.stderr);
    let r = dm(&["query", "close", &id, "--text", "Resolved"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = site.nurse(&["query", "list", "--status", "closed"]);
    assert_eq!(r.json().as_array().unwrap().len(), 1);
    let r = site.nurse(&["query", "show", &id]);
    assert_eq!(r.json()["thread"].as_array().unwrap().len(), 3);

    let args = with(&["verify-sdv"], &["--item", "WEIGHT"]);
    let r = mon(&refs(&args));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["items"][0], "S01-001/SCR.1/DM.1/MAIN.1/WEIGHT");

    let r = dm(&[
        "lock",
        "--subject",
        "S01-001",
        "--reason",
        "interim analysis",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let weight = site.file("w.json", r#"{"WEIGHT": 59}"#);
    let save = with(&["form", "save"], &["--data", &weight, "--reason", "typo"]);
    let before = site.snapshot();
    let r = site.nurse(&refs(&save));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("locked"), "{}", r.stderr);
    assert_eq!(site.snapshot(), before, "a refused save changes nothing");
    assert_eq!(dm(&["locks"]).json().as_array().unwrap().len(), 1);

    let bad: Vec<(&str, Vec<&str>, &str)> = vec![
        (
            "unlock without a reason",
            vec!["unlock", "--subject", "S01-001"],
            "--reason",
        ),
        ("lock with no scope", vec!["lock"], "--subject"),
        (
            "lock an unknown subject",
            vec!["lock", "--subject", "S01-099"],
            "not found",
        ),
        (
            "lock twice",
            vec!["lock", "--subject", "S01-001"],
            "already locked",
        ),
        (
            "unlock what is not locked",
            vec!["unlock", "--study", "--reason", "x"],
            "not locked",
        ),
        (
            "re-open an unknown query",
            vec![
                "query",
                "reopen",
                "00000000-0000-0000-0000-000000000000",
                "--text",
                "x",
            ],
            "not found",
        ),
        (
            "list in an unknown status",
            vec!["query", "list", "--status", "pending"],
            "unknown query status",
        ),
        (
            "close a closed query",
            vec!["query", "close", &id, "--text", "again"],
            "already closed",
        ),
    ];
    for (name, args, fragment) in bad {
        let r = dm(&args);
        assert_eq!(r.code, 2, "{name}: {}", r.stderr);
        assert!(r.stderr.contains(fragment), "{name}: {}", r.stderr);
    }
    let r = dm(&[
        "unlock",
        "--subject",
        "S01-001",
        "--reason",
        "correction after query",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = site.nurse(&refs(&save));
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The change cleared the verification of the weight.
    let args = with(&["form", "show"], &[]);
    let shown = site.nurse(&refs(&args)).json();
    assert_eq!(shown["verified"]["items"].as_array().unwrap().len(), 0);
}
