//! Replays, on stable, the inputs kept from fuzzing the bundle reader (`fuzz/`,
//! RELIABILITY.md): every input that ever crashed `bundle_open` or `bundle_members` (and
//! hand-made hostile files) from `tests/fixtures/fuzz/<target>/` through the targets' own
//! harness (`fuzz/src/bundle.rs`, compiled in here), and the seed corpus (`fuzz/seeds/`).

#[allow(dead_code)]
#[path = "../../../fuzz/src/bundle.rs"]
mod harness;

use std::path::{Path, PathBuf};

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

fn name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

/// Fixture names say what must happen: `ok-*` opens and reads, anything else is refused.
fn expect(p: &Path, r: &Result<(usize, usize), String>) {
    if name(p).starts_with("ok-") {
        assert!(r.is_ok(), "{}: {r:?}", p.display());
    } else {
        assert!(r.is_err(), "{}: accepted {r:?}", p.display());
    }
}

#[test]
fn bundle_files_never_panic_the_reader() {
    let found = fixtures("bundle_open");
    assert!(!found.is_empty(), "no bundle_open fixtures");
    for (p, data) in found {
        let r = std::panic::catch_unwind(|| harness::open_raw(&data))
            .unwrap_or_else(|_| panic!("{} panics the bundle reader", p.display()));
        expect(&p, &r);
    }
}

#[test]
fn bundle_members_never_panic_the_reader() {
    let found = fixtures("bundle_members");
    assert!(!found.is_empty(), "no bundle_members fixtures");
    for (p, data) in found {
        let r = std::panic::catch_unwind(|| harness::open_members(&data))
            .unwrap_or_else(|_| panic!("{} panics the bundle reader", p.display()));
        expect(&p, &r);
    }
}

/// The seeds: bundles re-made with the fuzzing key open and read whole; the files as the CLI
/// wrote them stop at the signature (the harness signs with the fuzzing key, their manifests
/// name their node's key); every members seed opens.
#[test]
fn bundle_seeds() {
    let files = seeds("bundle_open");
    assert!(files.len() >= 6);
    for (p, data) in files {
        let r = harness::open_raw(&data);
        if name(&p).contains("-cli") {
            let e = r.expect_err("a CLI bundle re-signed with another key");
            assert!(e.contains("signature"), "{}: {e}", p.display());
        } else {
            let (events, _) = r.unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            assert!(events > 0, "{}", p.display());
        }
    }
    let members = seeds("bundle_members");
    assert!(members.len() >= 6);
    for (p, data) in members {
        let r = harness::open_members(&data);
        assert!(r.is_ok(), "{}: {r:?}", p.display());
    }
}
