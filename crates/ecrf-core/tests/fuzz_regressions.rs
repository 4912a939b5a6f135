//! Replays, on stable, the inputs kept from fuzzing the definition loader and change-event
//! JSON (`fuzz/`, RELIABILITY.md): every input that ever crashed a target
//! (`tests/fixtures/fuzz/<target>/`) through the target's own harness (`fuzz/src/*.rs`,
//! compiled in here), and the seed corpus (`fuzz/seeds/<target>/`), whose inputs are all valid.

#[allow(dead_code)]
#[path = "../../../fuzz/src/definition.rs"]
mod definition_harness;
#[allow(dead_code)]
#[path = "../../../fuzz/src/event.rs"]
mod event_harness;

use std::path::{Path, PathBuf};
use std::process::Command;

/// This crate's folder in the checkout being tested (the build cache is shared between
/// checkouts, so the compile-time value may name another one).
fn manifest_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// The files of `dir`, sorted (none when it does not exist).
fn inputs(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<(PathBuf, Vec<u8>)> = rd
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect();
    v.sort();
    v
}

fn fixtures(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    inputs(&manifest_dir().join("tests/fixtures/fuzz").join(target))
}

fn seeds(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    inputs(&manifest_dir().join("../../fuzz/seeds").join(target))
}

/// Runs the definition harness on one file in a child process (this test binary again): a
/// stack overflow aborts the whole process, which would take every other test down with it.
/// Returns the child's failure (exit status and last line of stderr), if any.
fn definition_in_child(p: &Path) -> Option<String> {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "definition_child",
            "--test-threads=1",
            "--nocapture",
        ])
        .env("ECRF_FUZZ_CHILD_INPUT", p)
        .output()
        .unwrap();
    if out.status.success() {
        return None;
    }
    let err = String::from_utf8_lossy(&out.stderr);
    let last = err
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    Some(format!("{}: {} ({last})", p.display(), out.status))
}

/// The child side of [`definition_in_child`]; does nothing in a normal run.
#[test]
fn definition_child() {
    if let Some(p) = std::env::var_os("ECRF_FUZZ_CHILD_INPUT") {
        let data = std::fs::read(p).unwrap();
        let _ = definition_harness::run(&data);
    }
}

#[test]
fn definition_inputs_never_panic() {
    let found = fixtures("definition");
    assert!(!found.is_empty(), "no definition fixtures");
    let failures: Vec<String> = found
        .iter()
        .filter_map(|(p, _)| definition_in_child(p))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// BUG (open): the expression parser (`ecrf_core::expr`, `Parser::or` → … → `primary`)
/// recurses once per nesting level with no limit, so an edit check or condition nested a few
/// thousand levels deep (parentheses, `not`, unary minus, lists, calls) overflows the stack
/// and aborts the program that loads the definition (SIGSEGV/SIGABRT, no error message).
/// Definitions also arrive in bundles (`definition_published`). Expected: a definition error
/// ("nested too deeply"), like any other.
#[test]
fn deeply_nested_expressions_are_refused_without_a_stack_overflow() {
    let found = fixtures("definition-deep");
    assert!(!found.is_empty(), "no definition-deep fixtures");
    let failures: Vec<String> = found
        .iter()
        .filter_map(|(p, _)| definition_in_child(p))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn definition_seeds_all_load() {
    let found = seeds("definition");
    assert_eq!(
        found.len(),
        definition_harness::file_names().len(),
        "one seed per file of the built-in definition"
    );
    for (p, data) in found {
        assert!(
            definition_harness::run(&data),
            "{} does not load",
            p.display()
        );
    }
}

#[test]
fn change_event_inputs_never_panic() {
    let found = fixtures("change_event");
    assert!(!found.is_empty(), "no change_event fixtures");
    for (p, data) in found {
        let r = std::panic::catch_unwind(|| event_harness::run(&data));
        assert!(r.is_ok(), "{} panics the event parser", p.display());
    }
}

#[test]
fn change_event_seeds_parse_with_valid_hashes() {
    let found = seeds("change_event");
    assert!(found.len() >= 10, "seeds of most payload types");
    for (p, data) in found {
        assert_eq!(event_harness::run(&data), Some(true), "{}", p.display());
    }
}
