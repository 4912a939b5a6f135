//! `ecrf init --encrypt`: the database and its backups are unreadable without the passphrase
//! and work with it; the passphrase is never stored.

mod common;

use common::*;
use std::path::Path;
use std::process::{Command, Stdio};

const KEY: &str = "correct horse battery staple";

fn ecrf(db: &Path, key: Option<&str>, user: Option<&str>, args: &[&str]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ecrf"));
    cmd.arg("--db").arg(db);
    if let Some(u) = user {
        cmd.args(["--user", u]);
    }
    cmd.args(args)
        .env("ECRF_KDF", "fast")
        .env("ECRF_PASSWORD", ADMIN_PW)
        .env("ECRF_NEW_PASSWORD", NURSE_PW)
        .env_remove("ECRF_DB_KEY")
        .stdin(Stdio::null());
    if let Some(k) = key {
        cmd.env("ECRF_DB_KEY", k);
    }
    let out = cmd.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn an_encrypted_database_needs_its_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("site.db");
    let init = [
        "init",
        "--role",
        "site",
        "--site",
        "S01",
        "--admin",
        "admin",
        "--encrypt",
    ];
    let r = ecrf(&db, Some("short"), None, &init);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("12 characters"), "{}", r.stderr);
    assert!(!db.exists());
    let r = ecrf(&db, None, None, &init);
    assert_eq!(r.code, 2, "no key and no terminal");
    assert!(r.stderr.contains("ECRF_DB_KEY"), "{}", r.stderr);
    let r = ecrf(&db, Some(KEY), None, &init);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // With the key: a normal database.
    let r = ecrf(
        &db,
        Some(KEY),
        Some("admin"),
        &[
            "user", "add", "nurse1", "--role", "nurse", "--name", "Li Na",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = ecrf(&db, Some(KEY), Some("admin"), &["backup", "create"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let backup = r.json()["file"].as_str().unwrap().to_string();

    // Without it, or with another: refused, clearly.
    let r = ecrf(&db, None, Some("admin"), &["user", "list"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("encrypted") && r.stderr.contains("ECRF_DB_KEY"),
        "{}",
        r.stderr
    );
    let r = ecrf(
        &db,
        Some("a wrong passphrase!"),
        Some("admin"),
        &["user", "list"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("key is wrong"), "{}", r.stderr);

    // Other programs see noise: the file, its WAL and the backup.
    for f in [db.clone(), Path::new(&backup).to_path_buf()] {
        let out = Command::new("sqlite3")
            .arg(&f)
            .arg("SELECT count(*) FROM events;")
            .output()
            .unwrap();
        assert!(
            !out.status.success(),
            "{} readable without the key",
            f.display()
        );
        let bytes = std::fs::read(&f).unwrap();
        assert!(
            !bytes.starts_with(b"SQLite format 3"),
            "{} has a plain header",
            f.display()
        );
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("nurse1") && !text.contains("Li Na"),
            "{} holds plain text",
            f.display()
        );
        assert!(
            !text.contains(KEY),
            "the passphrase is stored in {}",
            f.display()
        );
    }
    // The backup opens with the key and is this node's.
    let r = ecrf(&db, Some(KEY), Some("admin"), &["backup", "list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()[0]["usable"], true);
    let r = ecrf(&db, Some(KEY), Some("admin"), &["audit", "verify"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}
