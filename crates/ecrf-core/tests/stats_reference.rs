//! Shared by the `stats_*` tests (included with `#[path]`): reading the fixtures made by the
//! reference scripts in `scripts/reference/`, and re-running those scripts to prove the
//! committed fixtures are the reference implementations' output.
//!
//! A test that re-runs a script needs `python3` with the script's packages (installed by
//! `scripts/install-deps.sh`); without them it fails and says so, unless
//! `ECRF_NO_PYTHON_REFERENCE=1` is set, in which case it prints that it skipped.
#![allow(dead_code)]

use serde_json::Value as Json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `crates/ecrf-core/tests/fixtures/stats`.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/stats")
}

/// The repository's `scripts/reference` directory.
pub fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/reference")
}

pub fn read_json(path: &Path) -> Json {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// Whether the Python reference can run: `true` when `python3` imports `modules`; `false`
/// (printed loudly) when `ECRF_NO_PYTHON_REFERENCE=1`; otherwise the test fails.
pub fn python_reference_available(test: &str, modules: &[&str]) -> bool {
    if std::env::var("ECRF_NO_PYTHON_REFERENCE").as_deref() == Ok("1") {
        // Straight to stderr: the test harness captures eprintln! of passing tests.
        let _ = writeln!(
            std::io::stderr(),
            "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
             !! {test}: SKIPPED because ECRF_NO_PYTHON_REFERENCE=1.\n\
             !! The committed fixtures were NOT re-checked against {}.\n\
             !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n",
            modules.join(", ")
        );
        return false;
    }
    let import = format!("import {}", modules.join(", "));
    match Command::new("python3").args(["-c", &import]).output() {
        Ok(out) if out.status.success() => true,
        Ok(out) => panic!(
            "{test}: `python3 -c \"{import}\"` failed:\n{}\nRun scripts/install-deps.sh to install \
             the Python reference packages (or set ECRF_NO_PYTHON_REFERENCE=1 to skip this check \
             explicitly).",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!(
            "{test}: cannot run python3 ({e}). Run scripts/install-deps.sh to install Python and \
             the reference packages (or set ECRF_NO_PYTHON_REFERENCE=1 to skip this check \
             explicitly)."
        ),
    }
}

/// A fresh, empty temporary directory for one test.
pub fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ecrf-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `python3 scripts/reference/<script> <args...>`; fails the test with its stderr.
pub fn run_script(script: &str, args: &[&Path]) {
    let path = scripts().join(script);
    let out = Command::new("python3")
        .arg(&path)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 {}: {e}", path.display()));
    assert!(
        out.status.success(),
        "python3 {} failed:\n{}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `a` and `b` agree to a relative tolerance (with an absolute floor of 1e-15 for values near 0).
pub fn close(a: f64, b: f64, rel: f64) -> bool {
    a == b || (a - b).abs() <= rel * a.abs().max(b.abs()) || (a - b).abs() <= 1e-15
}

/// Compares two JSON documents: the same structure and strings, numbers within `rel`; the
/// `versions` objects (library versions) are not compared. Fails listing every difference.
pub fn assert_same_json(committed: &Json, regenerated: &Json, rel: f64) {
    let mut diffs = Vec::new();
    compare(committed, regenerated, rel, "$", &mut diffs);
    assert!(
        diffs.is_empty(),
        "the committed fixture differs from the reference's output:\n{}",
        diffs.join("\n")
    );
}

fn compare(a: &Json, b: &Json, rel: f64, path: &str, diffs: &mut Vec<String>) {
    match (a, b) {
        (Json::Object(x), Json::Object(y)) => {
            for (k, v) in x {
                if k == "versions" {
                    continue;
                }
                match y.get(k) {
                    Some(w) => compare(v, w, rel, &format!("{path}.{k}"), diffs),
                    None => diffs.push(format!("{path}.{k}: missing in the regenerated output")),
                }
            }
            for k in y.keys() {
                if !x.contains_key(k) && k != "versions" {
                    diffs.push(format!("{path}.{k}: missing in the committed fixture"));
                }
            }
        }
        (Json::Array(x), Json::Array(y)) => {
            if x.len() != y.len() {
                diffs.push(format!(
                    "{path}: {} items committed, {} regenerated",
                    x.len(),
                    y.len()
                ));
                return;
            }
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                compare(v, w, rel, &format!("{path}[{i}]"), diffs);
            }
        }
        (Json::Number(x), Json::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            if !close(x, y, rel) {
                diffs.push(format!("{path}: committed {x:e}, regenerated {y:e}"));
            }
        }
        _ => {
            if a != b {
                diffs.push(format!("{path}: committed {a}, regenerated {b}"));
            }
        }
    }
}

/// A number of a JSON object, or `None` for null.
pub fn opt_f64(v: &Json) -> Option<f64> {
    if v.is_null() {
        None
    } else {
        Some(v.as_f64().expect("a number or null"))
    }
}

/// `x[key]` as f64.
pub fn f(v: &Json, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is not a number in {v}"))
}

/// `x[key]` as u64.
pub fn u(v: &Json, key: &str) -> u64 {
    v[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} is not an unsigned integer in {v}"))
}
