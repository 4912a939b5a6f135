//! Crash safety: the real `ecrf` binary is killed with SIGKILL (no chance to clean up) at random
//! points while it runs `bundle import`, `form save` and `bundle export`. After every kill:
//!
//! - `PRAGMA integrity_check` is `ok`;
//! - `ecrf audit verify` exits 0 (hashes and chains of every stream, the projection equal to
//!   a replay of the log, nothing waiting that should not);
//! - the command happened entirely or not at all (the clinical state digest is the one before
//!   or the one after an uninterrupted run; the event count likewise);
//! - an export leaves no file at `--out`, or a complete bundle that verifies; never a partial
//!   file under the final name;
//! - running the command again completes, and ends in the same state as an uninterrupted run.
//!
//! Short mode (the normal test suite): a few trials per operation. Long mode:
//! `ECRF_CRASH_TRIALS=100 cargo test -p ecrf-cli --test crash -- --nocapture` (RELIABILITY.md);
//! `ECRF_CRASH_SEED` changes the kill points. Each operation prints a summary line.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DM_PW: &str = "dm-pass-123";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn trials() -> u32 {
    std::env::var("ECRF_CRASH_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4)
}

/// A small deterministic generator (xorshift64*): the kill points of a run can be replayed
/// with the same `ECRF_CRASH_SEED`.
struct Rng(u64);

impl Rng {
    fn new(salt: u64) -> Rng {
        let seed = std::env::var("ECRF_CRASH_SEED")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0x00ec_5f00_d00d_u64);
        Rng((seed ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15)) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn sqlite(db: &Path, sql: &str) -> String {
    let out = Command::new("sqlite3")
        .arg("-readonly")
        .arg(db)
        .arg(sql)
        .output()
        .expect("sqlite3 (installed by scripts/install-deps.sh)");
    assert!(
        out.status.success(),
        "sqlite3 {sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn event_count(db: &Path) -> u64 {
    sqlite(db, "SELECT count(*) FROM events").parse().unwrap()
}

/// `ecrf audit verify`: exit 0 and the digest of the clinical state.
fn verify(db: &Path, user: &str, pw: &str, what: &str) -> String {
    let r = run(db, Some(user), pw, "", &["audit", "verify"]);
    assert_eq!(r.code, 0, "{what}: audit verify: {}{}", r.stdout, r.stderr);
    r.json()["digest"].as_str().unwrap().to_string()
}

/// Copies a closed database (and its WAL, if any) to `to`.
fn copy_db(from: &Path, to: &Path) {
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", to.display()));
    }
    std::fs::copy(from, to).unwrap();
    let wal = PathBuf::from(format!("{}-wal", from.display()));
    if wal.exists() {
        std::fs::copy(&wal, format!("{}-wal", to.display())).unwrap();
    }
}

/// Spawns `ecrf --db DB --user USER ARGS` and SIGKILLs it after `delay` unless it finished.
/// Returns whether it had finished (and its exit code) before the kill.
fn run_and_kill(db: &Path, user: &str, pw: &str, args: &[&str], delay: Duration) -> Option<i32> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ecrf"))
        .arg("--db")
        .arg(db)
        .args(["--user", user])
        .args(args)
        .env("ECRF_KDF", "fast")
        .env("ECRF_PASSWORD", pw)
        .env_remove("ECRF_DB")
        .env_remove("ECRF_USER")
        .env_remove("ECRF_DB_KEY")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + delay;
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            return Some(st.code().unwrap_or(-1));
        }
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        std::thread::sleep((deadline - now).min(Duration::from_millis(2)));
    }
    // SIGKILL: no destructor, no rollback by the program, no cleanup of files.
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// What the trials of one operation saw.
#[derive(Default, Debug)]
struct Tally {
    trials: u32,
    /// Killed while running.
    killed: u32,
    /// Killed while running, and nothing had happened.
    killed_nothing: u32,
    /// Killed while running, and everything had happened (the commit was on disk).
    killed_everything: u32,
    /// Finished before the kill came.
    finished: u32,
    /// An export killed midway that left a `.partial` beside the output (never under it).
    partial_left: u32,
}

impl Tally {
    fn report(&self, op: &str, full: Duration, started: Instant) {
        eprintln!(
            "crash {op}: {} trials, uninterrupted run {:.0} ms: killed while running {} \
             (nothing happened {}, everything happened {}), finished before the kill {}, \
             .partial left beside the output {}; every check passed; {:.1} s",
            self.trials,
            full.as_secs_f64() * 1000.0,
            self.killed,
            self.killed_nothing,
            self.killed_everything,
            self.finished,
            self.partial_left,
            started.elapsed().as_secs_f64()
        );
        assert!(
            self.killed > 0,
            "{op}: no trial was killed while the command ran ({full:?})"
        );
    }
}

/// A central node (with a data manager) and a site node S01 (with a nurse) holding demo
/// subjects; the site's full bundle; the site key's fingerprint.
struct World {
    dir: tempfile::TempDir,
    central: PathBuf,
    site: PathBuf,
    bundle: PathBuf,
    fingerprint: String,
}

fn world(subjects: u32) -> World {
    let dir = tempfile::tempdir().unwrap();
    let central = dir.path().join("central.db");
    let r = run(
        &central,
        None,
        ADMIN_PW,
        "",
        &["init", "--role", "central", "--admin", "admin"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(
        &central,
        Some("admin"),
        ADMIN_PW,
        DM_PW,
        &[
            "user",
            "add",
            "dm",
            "--role",
            "data-manager",
            "--name",
            "DM",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let site = dir.path().join("site.db");
    let r = run(
        &site,
        None,
        ADMIN_PW,
        "",
        &[
            "init", "--role", "site", "--site", "S01", "--admin", "admin",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let n = subjects.to_string();
    let r = run(
        &site,
        Some("admin"),
        ADMIN_PW,
        "",
        &["demo", "--subjects", &n, "--seed", "11"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(
        &site,
        Some("admin"),
        ADMIN_PW,
        NURSE_PW,
        &["user", "add", "nurse1", "--role", "nurse", "--name", "N"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let bundle = dir.path().join("site-full.ecrfb");
    let r = run(
        &site,
        Some("nurse1"),
        NURSE_PW,
        "",
        &["bundle", "export", "--full", "--out", s(&bundle)],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let fingerprint = run(&site, None, "", "", &["node", "show"]).json()["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    World {
        dir,
        central,
        site,
        bundle,
        fingerprint,
    }
}

/// The checks after every kill, common to all operations: integrity, audit verify, all or
/// nothing. Returns the digest and whether the command had happened.
fn check_after_kill(
    db: &Path,
    user: &str,
    pw: &str,
    what: &str,
    before: (u64, &str),
    after: (u64, &str),
) -> bool {
    assert_eq!(
        sqlite(db, "PRAGMA integrity_check"),
        "ok",
        "{what}: integrity_check"
    );
    let digest = verify(db, user, pw, what);
    let events = event_count(db);
    if (events, digest.as_str()) == before {
        false
    } else {
        assert_eq!(
            (events, digest.as_str()),
            after,
            "{what}: neither the state before nor the state after the command"
        );
        true
    }
}

/// Runs the command uninterrupted on a copy of `pristine`; returns (events, digest, duration).
fn reference(
    pristine: &Path,
    scratch: &Path,
    user: &str,
    pw: &str,
    args: &[&str],
) -> (u64, String, Duration) {
    copy_db(pristine, scratch);
    let t0 = Instant::now();
    let r = run(scratch, Some(user), pw, "", args);
    let took = t0.elapsed();
    assert_eq!(r.code, 0, "reference run: {}", r.stderr);
    let digest = verify(scratch, user, pw, "reference");
    (event_count(scratch), digest, took)
}

#[test]
fn import_killed_at_random_points() {
    let started = Instant::now();
    let w = world(2);
    let pristine = w.dir.path().join("central-pristine.db");
    copy_db(&w.central, &pristine);
    let before = (
        event_count(&pristine),
        verify(&pristine, "dm", DM_PW, "pristine"),
    );
    let args = [
        "bundle",
        "import",
        s(&w.bundle),
        "--accept-node",
        &w.fingerprint,
    ];
    let scratch = w.dir.path().join("ref.db");
    let (ev, digest, full) = reference(&pristine, &scratch, "dm", DM_PW, &args);
    let after = (ev, digest.as_str());
    let mut rng = Rng::new(1);
    let mut t = Tally::default();
    for i in 0..trials() {
        let db = w.dir.path().join("trial.db");
        copy_db(&pristine, &db);
        let delay = full.mul_f64(1.1 * rng.unit());
        let what = format!("import trial {i} (kill at {delay:?} of {full:?})");
        let finished = run_and_kill(&db, "dm", DM_PW, &args, delay);
        let happened = check_after_kill(&db, "dm", DM_PW, &what, (before.0, &before.1), after);
        t.trials += 1;
        match finished {
            Some(code) => {
                assert_eq!(code, 0, "{what}: finished with exit {code}");
                assert!(happened, "{what}: finished but nothing happened");
                t.finished += 1;
            }
            None => {
                t.killed += 1;
                if happened {
                    t.killed_everything += 1;
                } else {
                    t.killed_nothing += 1;
                }
            }
        }
        // Importing again completes (or finds everything a duplicate) and ends the same.
        let r = run(&db, Some("dm"), DM_PW, "", &args);
        assert_eq!(r.code, 0, "{what}: import again: {}", r.stderr);
        assert_eq!(
            (event_count(&db), verify(&db, "dm", DM_PW, &what)),
            (after.0, digest.clone()),
            "{what}: import again"
        );
    }
    t.report("import", full, started);
}

#[test]
fn form_save_killed_at_random_points() {
    let started = Instant::now();
    let w = world(1);
    // A new subject's laboratory form: one transaction of some twenty value events.
    let r = run(
        &w.site,
        Some("nurse1"),
        NURSE_PW,
        "",
        &["subject", "enrol", "S01-900"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let data = manifest_dir().join("tests/forms/LAB.json");
    let args = [
        "form",
        "save",
        "--subject",
        "S01-900",
        "--event",
        "BL",
        "--form",
        "LAB",
        "--data",
        s(&data),
        "--complete",
    ];
    let pristine = w.dir.path().join("site-pristine.db");
    copy_db(&w.site, &pristine);
    let before = (
        event_count(&pristine),
        verify(&pristine, "nurse1", NURSE_PW, "pristine"),
    );
    let scratch = w.dir.path().join("ref.db");
    let (ev, digest, full) = reference(&pristine, &scratch, "nurse1", NURSE_PW, &args);
    assert!(ev > before.0 + 10, "the save writes many events");
    // The same save again is deterministic (no random ids in the state): else the
    // all-or-nothing comparison below would not hold.
    let (ev2, digest2, _) = reference(&pristine, &scratch, "nurse1", NURSE_PW, &args);
    assert_eq!((ev2, &digest2), (ev, &digest));
    let after = (ev, digest.as_str());
    let mut rng = Rng::new(2);
    let mut t = Tally::default();
    for i in 0..trials() {
        let db = w.dir.path().join("trial.db");
        copy_db(&pristine, &db);
        let delay = full.mul_f64(1.1 * rng.unit());
        let what = format!("form save trial {i} (kill at {delay:?} of {full:?})");
        let finished = run_and_kill(&db, "nurse1", NURSE_PW, &args, delay);
        let happened =
            check_after_kill(&db, "nurse1", NURSE_PW, &what, (before.0, &before.1), after);
        t.trials += 1;
        match finished {
            Some(code) => {
                assert_eq!(code, 0, "{what}: finished with exit {code}");
                assert!(happened, "{what}: finished but nothing happened");
                t.finished += 1;
            }
            None => {
                t.killed += 1;
                if happened {
                    t.killed_everything += 1;
                } else {
                    t.killed_nothing += 1;
                }
            }
        }
        // Saving again completes and ends in the state of one uninterrupted save.
        let r = run(&db, Some("nurse1"), NURSE_PW, "", &args);
        assert_eq!(r.code, 0, "{what}: save again: {}", r.stderr);
        assert_eq!(
            (event_count(&db), verify(&db, "nurse1", NURSE_PW, &what)),
            (after.0, digest.clone()),
            "{what}: save again"
        );
    }
    t.report("form save", full, started);
}

/// The bundle at `out` is complete: it verifies, and holds what an uninterrupted export holds.
fn assert_complete_bundle(out: &Path, events: u64, what: &str) {
    let no_db = out.with_extension("no-database");
    let r = run(&no_db, None, "", "", &["bundle", "inspect", s(out)]);
    assert_eq!(
        r.code, 0,
        "{what}: a bundle at --out that does not verify: {}",
        r.stderr
    );
    assert_eq!(
        r.json()["manifest"]["counts"]["events"].as_u64(),
        Some(events),
        "{what}: the bundle at --out is not the whole export"
    );
}

#[test]
fn export_killed_at_random_points() {
    let started = Instant::now();
    let w = world(2);
    let pristine = w.dir.path().join("site-pristine.db");
    copy_db(&w.site, &pristine);
    let before = (
        event_count(&pristine),
        verify(&pristine, "nurse1", NURSE_PW, "pristine"),
    );
    let out_ref = w.dir.path().join("ref.ecrfb");
    let t0 = Instant::now();
    let r = run(
        &pristine,
        Some("nurse1"),
        NURSE_PW,
        "",
        &["bundle", "export", "--full", "--out", s(&out_ref)],
    );
    let full = t0.elapsed();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let events = r.json()["events"].as_u64().unwrap();
    assert_complete_bundle(&out_ref, events, "reference");
    // An export changes nothing in the database.
    let after_ref = (
        event_count(&pristine),
        verify(&pristine, "nurse1", NURSE_PW, "reference"),
    );
    assert_eq!(after_ref, before);
    let mut rng = Rng::new(3);
    let mut t = Tally::default();
    for i in 0..trials() {
        let db = w.dir.path().join("trial.db");
        copy_db(&pristine, &db);
        let out = w.dir.path().join(format!("trial-{i}.ecrfb"));
        let args = ["bundle", "export", "--full", "--out", s(&out)];
        let delay = full.mul_f64(1.1 * rng.unit());
        let what = format!("export trial {i} (kill at {delay:?} of {full:?})");
        let finished = run_and_kill(&db, "nurse1", NURSE_PW, &args, delay);
        let happened = check_after_kill(
            &db,
            "nurse1",
            NURSE_PW,
            &what,
            (before.0, &before.1),
            (before.0, &before.1),
        );
        assert!(!happened);
        t.trials += 1;
        // Nothing at --out, or a complete bundle; a partial file only beside it.
        let partials: Vec<PathBuf> = std::fs::read_dir(w.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(&format!("trial-{i}.ecrfb."))
            })
            .collect();
        for p in &partials {
            assert!(
                p.to_string_lossy().ends_with(".partial"),
                "{what}: an unexpected file {}",
                p.display()
            );
        }
        match finished {
            Some(code) => {
                assert_eq!(code, 0, "{what}: finished with exit {code}");
                t.finished += 1;
                assert_complete_bundle(&out, events, &what);
                assert!(
                    partials.is_empty(),
                    "{what}: finished but left {partials:?}"
                );
            }
            None => {
                t.killed += 1;
                if out.exists() {
                    t.killed_everything += 1;
                    assert_complete_bundle(&out, events, &what);
                } else {
                    t.killed_nothing += 1;
                }
                if !partials.is_empty() {
                    t.partial_left += 1;
                }
            }
        }
        // Exporting again (to the same name when nothing is there) completes, and removes the
        // leftover partial files.
        if !out.exists() {
            let r = run(&db, Some("nurse1"), NURSE_PW, "", &args);
            assert_eq!(r.code, 0, "{what}: export again: {}", r.stderr);
            assert_complete_bundle(&out, events, &what);
            for p in &partials {
                assert!(!p.exists(), "{what}: export again left {}", p.display());
            }
        }
        let _ = std::fs::remove_file(&out);
    }
    t.report("export", full, started);
}
