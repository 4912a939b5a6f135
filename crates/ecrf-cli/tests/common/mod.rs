//! Runs the real `ecrf` binary against databases in a temporary folder.
#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const ADMIN_PW: &str = "admin-pass-1";
pub const NURSE_PW: &str = "nurse-pass-1";
pub const INV_PW: &str = "investigator-pass-1";
pub const MON_PW: &str = "monitor-pass-1";

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
}

pub fn run(
    db: &Path,
    user: Option<&str>,
    password: &str,
    new_password: &str,
    args: &[&str],
) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ecrf"));
    cmd.arg("--db").arg(db);
    if let Some(u) = user {
        cmd.arg("--user").arg(u);
    }
    cmd.args(args)
        .env("ECRF_KDF", "fast")
        .env("ECRF_PASSWORD", password)
        .env("ECRF_NEW_PASSWORD", new_password)
        .env_remove("ECRF_DB")
        .env_remove("ECRF_USER")
        .env_remove("ECRF_DB_KEY")
        .stdin(Stdio::null());
    let out: Output = cmd.output().expect("run ecrf");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A site node S01 with an admin, a nurse, an investigator and a monitor.
pub struct Site {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

impl Site {
    pub fn new() -> Site {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("site.db");
        let s = Site { dir, db };
        s.ok(
            None,
            ADMIN_PW,
            &[
                "init",
                "--role",
                "site",
                "--site",
                "S01",
                "--admin",
                "admin",
                "--name",
                "Site Admin",
            ],
        );
        s.add_user("nurse1", "nurse", "Li Na", NURSE_PW);
        s.add_user("inv1", "investigator", "Dr Zhang Wei", INV_PW);
        s.add_user("mon1", "monitor", "Chen Jing", MON_PW);
        s
    }

    pub fn add_user(&self, name: &str, role: &str, full: &str, pw: &str) {
        let r = run(
            &self.db,
            Some("admin"),
            ADMIN_PW,
            pw,
            &["user", "add", name, "--role", role, "--name", full],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
    }

    pub fn ok(&self, user: Option<&str>, pw: &str, args: &[&str]) -> Run {
        let r = run(&self.db, user, pw, "unused-new-password", args);
        assert_eq!(r.code, 0, "ecrf {args:?} failed: {}", r.stderr);
        r
    }

    /// Enrols S01-001 and saves its demographics ([`DM`]) complete, as the nurse.
    pub fn with_completed_dm(self) -> Site {
        assert_eq!(self.nurse(&["subject", "enrol", "S01-001"]).code, 0);
        let dm = self.file("dm.json", DM);
        let r = self.nurse(&[
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
            "--complete",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        self
    }

    pub fn nurse(&self, args: &[&str]) -> Run {
        run(&self.db, Some("nurse1"), NURSE_PW, "", args)
    }

    pub fn file(&self, name: &str, content: &str) -> String {
        let p = self.dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        p.to_string_lossy().into_owned()
    }

    /// Everything clinical and the change log, as text, to show a refused command changed
    /// nothing. (Failed-login counters and the security log are meant to change.)
    pub fn snapshot(&self) -> String {
        let out = Command::new("sqlite3")
            .arg("-readonly")
            .arg(&self.db)
            .arg(
                "SELECT 'E', rowid, node, epoch, stream, seq, kind, payload, hash, chain FROM events ORDER BY rowid; \
                 SELECT 'V', key, value, event_rowid FROM item_values ORDER BY key; \
                 SELECT 'F', form_key, status, derived FROM forms ORDER BY form_key; \
                 SELECT 'S', subject FROM subjects ORDER BY subject; \
                 SELECT 'U', user_id, username, full_name, role, password_hash, active FROM users ORDER BY user_id; \
                 SELECT 'N', node_id, epoch, hlc FROM node;",
            )
            .output()
            .expect("sqlite3 (installed by scripts/install-deps.sh)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

pub const DM: &str = r#"{"ICDAT":"2026-01-10","BRTHDAT":"1980-05-20","SEX":"F","ETHNIC":"HAN","HEIGHT":162.5,"WEIGHT":58}"#;

/// This crate's folder in the checkout being tested (cargo sets it when it runs the test; the
/// compile-time value may name another checkout that shares the build cache).
pub fn manifest_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// Runs `ecrf --db DB --user USER ARGS` with the given secrets (`ECRF_PASSWORD`,
/// `ECRF_SIGN_PASSWORD`, ...).
pub fn run_as(db: &Path, user: &str, secrets: &[(&str, &str)], args: &[&str]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ecrf"));
    cmd.arg("--db")
        .arg(db)
        .args(["--user", user])
        .args(args)
        .env("ECRF_KDF", "fast")
        .stdin(Stdio::null());
    for (k, v) in secrets {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run ecrf");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
