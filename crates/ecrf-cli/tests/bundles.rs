//! `ecrf bundle …`, `ecrf node list|revoke`, `ecrf conflict …` and `ecrf demo --sites` through
//! the real binary, and an import killed with SIGKILL at points throughout: the database is as
//! before, and importing again completes.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DM_PW: &str = "dm-pass-123";

fn central(dir: &Path) -> PathBuf {
    let db = dir.join("central.db");
    let r = run(
        &db,
        None,
        ADMIN_PW,
        "",
        &["init", "--role", "central", "--admin", "admin"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(
        &db,
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
            "Data Manager",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    db
}

fn dm(db: &Path, args: &[&str]) -> Run {
    run(db, Some("dm"), DM_PW, "", args)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn bundles_through_the_cli() {
    let site = Site::new().with_completed_dm();
    let dir = site.dir.path();
    let central = central(dir);
    let cfp = run(&central, None, "", "", &["node", "show"]).json()["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();

    let b1 = dir.join("s01-1.ecrfb");
    let r = site.nurse(&["bundle", "export", "--to", "central", "--out", s(&b1)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.json()["events"].as_u64().unwrap() > 5);

    // Inspect needs no database.
    let out = Command::new(env!("CARGO_BIN_EXE_ecrf"))
        .args(["bundle", "inspect", s(&b1)])
        .env_remove("ECRF_DB")
        .output()
        .unwrap();
    assert!(out.status.success());
    let m: Value = serde_json::from_slice(&out.stdout).unwrap();
    let fp = m["origin_key_fingerprint"].as_str().unwrap().to_string();
    assert_eq!(fp.len(), 64);
    assert_eq!(m["manifest"]["origin"]["site"], "S01");
    assert_eq!(m["signature"], "valid");

    let before = dm(&central, &["audit", "verify"]).json()["digest"].clone();
    let r = dm(&central, &["bundle", "import", s(&b1)]);
    assert_eq!(r.code, 4, "unknown node refused: {}", r.stderr);
    let j = r.json();
    assert_eq!(j[0]["status"], "refused");
    assert!(j[0]["reason"].as_str().unwrap().contains(&fp));
    assert_eq!(dm(&central, &["audit", "verify"]).json()["digest"], before);

    let r = dm(
        &central,
        &["bundle", "import", s(&b1), "--accept-node", &fp],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j[0]["status"], "imported");
    assert!(j[0]["new"].as_u64().unwrap() > 5);
    let r = dm(&central, &["bundle", "import", s(&b1), s(&b1)]);
    assert_eq!(r.code, 0);
    assert!(r.json().as_array().unwrap().iter().all(|x| x["new"] == 0));

    let nodes = dm(&central, &["node", "list"]).json();
    assert_eq!(nodes[0]["site"], "S01");
    assert_eq!(nodes[0]["status"], "accepted");
    assert_eq!(nodes[0]["fingerprint"], fp);
    let site_id = nodes[0]["node"].as_str().unwrap().to_string();

    // The return bundle: the site does not know the central key yet.
    let r1 = dir.join("ret-1.ecrfb");
    assert_eq!(
        dm(
            &central,
            &["bundle", "export", "--to", "S01", "--out", s(&r1)]
        )
        .code,
        0
    );
    let r = site.nurse(&["bundle", "import", s(&r1)]);
    assert_eq!(r.code, 4);
    let r = site.nurse(&["bundle", "import", s(&r1), "--accept-node", &cfp]);
    assert_eq!(r.code, 2, "a nurse does not accept keys");
    assert!(r.stderr.contains("may not"), "{}", r.stderr);
    let r = run(
        &site.db,
        Some("admin"),
        ADMIN_PW,
        "",
        &["bundle", "import", s(&r1), "--accept-node", &cfp],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()[0]["accepted_node"], true);

    // Now only what is new travels.
    let b2 = dir.join("s01-2.ecrfb");
    let r = site.nurse(&["bundle", "export", "--to", "central", "--out", s(&b2)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.json()["events"].as_u64().unwrap() <= 3, "{}", r.stdout);
    assert_eq!(dm(&central, &["bundle", "import", s(&b2)]).code, 0);
    let site_digest = site.nurse(&["audit", "verify"]).json()["site_digests"]["S01"].clone();
    assert!(site_digest.is_string());
    assert_eq!(
        dm(&central, &["audit", "verify"]).json()["site_digests"]["S01"],
        site_digest,
        "the site and the central node agree on S01"
    );
    let history = dm(&central, &["bundle", "history"]).json();
    assert_eq!(history.as_array().unwrap().len(), 4);
    assert_eq!(history[0]["origin"], site_id.as_str());

    // Bad input: a clear error, nothing changed.
    let junk = dir.join("junk.ecrfb");
    std::fs::write(&junk, b"PK\x03\x04 not really").unwrap();
    let digest = dm(&central, &["audit", "verify"]).json()["digest"].clone();
    let cases: Vec<(&str, Vec<&str>, i32, &str)> = vec![
        (
            "export with no destination",
            vec!["bundle", "export", "--out", "x.ecrfb"],
            2,
            "--to NODE or --full",
        ),
        (
            "export to an unknown site",
            vec!["bundle", "export", "--to", "S09", "--out", "x.ecrfb"],
            2,
            "S09",
        ),
        (
            "export over a file",
            vec!["bundle", "export", "--to", "S01", "--out", s(&b1)],
            2,
            "already exists",
        ),
        (
            "import of junk",
            vec!["bundle", "import", s(&junk)],
            4,
            "refused",
        ),
        (
            "import of a missing file",
            vec!["bundle", "import", "/nonexistent/b.ecrfb"],
            4,
            "refused",
        ),
        (
            "wrong fingerprint",
            vec!["bundle", "import", s(&b1), "--accept-node", "abc"],
            4,
            "refused",
        ),
        (
            "revoke without a reason",
            vec!["node", "revoke", &site_id],
            2,
            "--reason",
        ),
        (
            "revoke an unknown node",
            vec![
                "node",
                "revoke",
                "00000000-0000-0000-0000-000000000000",
                "--reason",
                "x",
            ],
            2,
            "not found",
        ),
        (
            "resolve a bad item key",
            vec![
                "conflict", "resolve", "--item", "S01-001", "--value", "1", "--reason", "x",
            ],
            2,
            "not an item key",
        ),
        (
            "resolve where there is no conflict",
            vec![
                "conflict",
                "resolve",
                "--item",
                "S01-001/SCR.1/DM.1/MAIN.1/WEIGHT",
                "--value",
                "60",
                "--reason",
                "x",
            ],
            2,
            "not found",
        ),
    ];
    for (name, args, code, fragment) in cases {
        let r = dm(&central, &args);
        assert_eq!(r.code, code, "{name}: {}", r.stderr);
        assert!(r.stderr.contains(fragment), "{name}: {}", r.stderr);
        if !r.stderr.contains("Usage:") {
            assert_eq!(
                r.stderr.lines().count(),
                1,
                "{name}: one line: {}",
                r.stderr
            );
        }
    }
    assert_eq!(dm(&central, &["audit", "verify"]).json()["digest"], digest);
    let r = dm(&central, &["conflict", "list"]);
    assert_eq!(r.json(), serde_json::json!([]));
    // A nurse may not revoke a node.
    let r = site.nurse(&["node", "revoke", &site_id, "--reason", "x"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("may not"), "{}", r.stderr);
}

#[test]
fn demo_sites_makes_sites_and_imports_them() {
    let dir = tempfile::tempdir().unwrap();
    let central = central(dir.path());
    let out = dir.path().join("sites");
    let r = run(
        &central,
        Some("admin"),
        ADMIN_PW,
        "",
        &[
            "demo",
            "--sites",
            "3",
            "--subjects",
            "1",
            "--seed",
            "5",
            "--out",
            s(&out),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    let sites = j["sites"].as_array().unwrap();
    assert_eq!(sites.len(), 3);
    for (i, site) in sites.iter().enumerate() {
        assert_eq!(site["site"], format!("S{:02}", i + 1));
        assert_eq!(site["import"]["status"], "imported");
        assert!(site["import"]["new"].as_u64().unwrap() > 100);
        assert!(Path::new(site["database"].as_str().unwrap()).exists());
    }
    let subjects = dm(&central, &["subject", "list"]).json();
    assert_eq!(subjects.as_array().unwrap().len(), 3);
    assert_eq!(
        dm(&central, &["node", "list"])
            .json()
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(dm(&central, &["audit", "verify"]).code, 0);
}

fn count_events(db: &Path) -> String {
    let out = Command::new("sqlite3")
        .arg("-readonly")
        .arg(db)
        .arg("PRAGMA integrity_check; SELECT count(*) FROM events; SELECT count(*) FROM item_values; SELECT count(*) FROM pending_events; SELECT count(*) FROM imports;")
        .output()
        .expect("sqlite3");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn an_import_killed_midway_leaves_the_database_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let central_db = central(dir.path());
    // A site with enough data that an import takes a while.
    let site = dir.path().join("site.db");
    assert_eq!(
        run(
            &site,
            None,
            ADMIN_PW,
            "",
            &["init", "--role", "site", "--site", "S01", "--admin", "admin"]
        )
        .code,
        0
    );
    let r = run(
        &site,
        Some("admin"),
        ADMIN_PW,
        "",
        &["demo", "--subjects", "8", "--seed", "3"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(
        &site,
        Some("admin"),
        ADMIN_PW,
        "nurse-pass-1",
        &["user", "add", "n1", "--role", "nurse", "--name", "N"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let bundle = dir.path().join("big.ecrfb");
    let r = run(
        &site,
        Some("n1"),
        "nurse-pass-1",
        "",
        &["bundle", "export", "--full", "--out", s(&bundle)],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let fp = run(&site, None, "", "", &["node", "show"]).json()["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    let pristine = dir.path().join("pristine.db");
    std::fs::copy(&central_db, &pristine).unwrap();
    let before = count_events(&pristine);

    // How long a whole import takes here.
    let timing = dir.path().join("timing.db");
    std::fs::copy(&pristine, &timing).unwrap();
    let t0 = Instant::now();
    let r = dm(
        &timing,
        &["bundle", "import", s(&bundle), "--accept-node", &fp],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let full = t0.elapsed();
    let expected_digest = dm(&timing, &["audit", "verify"]).json()["digest"].clone();

    let trials = std::env::var("ECRF_KILL_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6u32);
    let mut killed_midway = 0;
    for t in 0..trials {
        let db = dir.path().join(format!("trial-{t}.db"));
        std::fs::copy(&pristine, &db).unwrap();
        let delay = full.mul_f64((t as f64 + 0.5) / trials as f64);
        let mut child = Command::new(env!("CARGO_BIN_EXE_ecrf"))
            .arg("--db")
            .arg(&db)
            .args([
                "--user",
                "dm",
                "bundle",
                "import",
                s(&bundle),
                "--accept-node",
                &fp,
            ])
            .env("ECRF_KDF", "fast")
            .env("ECRF_PASSWORD", DM_PW)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let finished = child.try_wait().unwrap().is_some();
        // SIGKILL: no chance to clean up.
        let _ = child.kill();
        let _ = child.wait();
        let after = count_events(&db);
        assert!(after.starts_with("ok\n"), "integrity: {after}");
        if !finished && after == before {
            killed_midway += 1;
        } else {
            assert_eq!(
                dm(&db, &["audit", "verify"]).json()["digest"],
                expected_digest,
                "trial {t}: either nothing or everything"
            );
        }
        let v = dm(&db, &["audit", "verify"]);
        assert_eq!(v.code, 0, "trial {t}: {}", v.stdout);
        // Importing again completes.
        let r = dm(&db, &["bundle", "import", s(&bundle), "--accept-node", &fp]);
        assert_eq!(r.code, 0, "trial {t}: {}", r.stderr);
        assert_eq!(
            dm(&db, &["audit", "verify"]).json()["digest"],
            expected_digest
        );
    }
    assert!(
        killed_midway > 0,
        "no trial was killed during the import ({full:?})"
    );
    let _ = Duration::ZERO;
}

#[test]
fn endpoint_and_pk_reports_on_a_demo_trial() {
    let dir = tempfile::tempdir().unwrap();
    let central = central(dir.path());
    let r = run(
        &central,
        Some("admin"),
        ADMIN_PW,
        "",
        &["demo", "--sites", "2", "--subjects", "6", "--seed", "9"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rep = dm(&central, &["report", "endpoints", "--json"]);
    assert_eq!(rep.code, 0, "{}", rep.stderr);
    let rep = rep.json();
    assert_eq!(rep["scope"], "all sites");
    assert_eq!(rep["populations"][0]["n"], 12);
    let os = rep["survival"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["endpoint"] == "OS")
        .unwrap();
    assert_eq!(os["n"], rep["populations"][2]["n"], "OS over the infused");
    let pk = dm(&central, &["report", "pk", "--json"]).json();
    assert!(!pk["subjects"].as_array().unwrap().is_empty());
    let r = dm(&central, &["report", "endpoints"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--json"));
    // Nurses see no reports.
    let r = run(
        &central,
        Some("admin"),
        ADMIN_PW,
        "",
        &["report", "pk", "--json"],
    );
    assert_eq!(r.code, 2, "admins do not see reports");
}
