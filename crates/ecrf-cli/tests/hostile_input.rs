//! Hostile input through the CLI's `form save --data` and `subject enrol` (the service-layer
//! tables are in `crates/ecrf-services/tests/hostile_input.rs`): every case exits 1
//! (validation) or 2 (input), prints exactly one line on stderr starting `error: `, and
//! changes nothing (the database snapshot of `common::Site::snapshot` is identical).

mod common;

use common::*;

/// (what, data file bytes, expected exit code)
fn cases() -> Vec<(&'static str, Vec<u8>, i32)> {
    let deep = format!(
        "{{\"HEIGHT\": {}1{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    vec![
        ("NaN string", br#"{"HEIGHT": "NaN"}"#.to_vec(), 1),
        ("NaN literal", br#"{"HEIGHT": NaN}"#.to_vec(), 2),
        ("Infinity literal", br#"{"HEIGHT": Infinity}"#.to_vec(), 2),
        ("1e309", br#"{"HEIGHT": 1e309}"#.to_vec(), 2),
        (
            "400-digit number",
            format!("{{\"HEIGHT\": 1{}}}", "0".repeat(399)).into_bytes(),
            2,
        ),
        ("decimal comma", br#"{"HEIGHT": "162,5"}"#.to_vec(), 1),
        ("wrong type", br#"{"HEIGHT": true}"#.to_vec(), 1),
        ("array value", br#"{"SEX": ["F"]}"#.to_vec(), 1),
        ("NUL", b"{\"SEX\": \"F\\u0000\"}".to_vec(), 1),
        (
            "control character",
            b"{\"SEX\": \"\\u001b[2J\"}".to_vec(),
            1,
        ),
        (
            "SQL fragment",
            br#"{"SEX": "F'; DROP TABLE events; --"}"#.to_vec(),
            1,
        ),
        ("year 10000", br#"{"BRTHDAT": "10000-01-01"}"#.to_vec(), 1),
        (
            "far-future consent",
            br#"{"ICDAT": "9999-12-31"}"#.to_vec(),
            1,
        ),
        ("30 February", br#"{"ICDAT": "2024-02-30"}"#.to_vec(), 1),
        (
            "special value not allowed",
            br#"{"WEIGHT": {"not_done": "scale"}}"#.to_vec(),
            1,
        ),
        ("deeply nested", deep.into_bytes(), 2),
        ("unknown item", br#"{"NOPE": 1}"#.to_vec(), 2),
        ("not an object", b"[1, 2, 3]".to_vec(), 2),
        ("empty file", Vec::new(), 2),
        ("truncated JSON", br#"{"HEIGHT": 16"#.to_vec(), 2),
        ("invalid UTF-8", b"{\"SEX\": \"\xff\xfe\"}".to_vec(), 2),
        ("lone surrogate escape", br#"{"SEX": "\ud800"}"#.to_vec(), 2),
    ]
}

fn one_error_line(r: &Run, case: &str) {
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "{case}: stderr is not one line: {:?}",
        r.stderr
    );
    assert!(
        lines[0].starts_with("error: "),
        "{case}: stderr does not start with `error: `: {}",
        lines[0]
    );
}

#[test]
fn form_save_refuses_hostile_data_files() {
    let site = Site::new();
    assert_eq!(site.nurse(&["subject", "enrol", "S01-001"]).code, 0);
    let before = site.snapshot();
    for (i, (case, bytes, code)) in cases().into_iter().enumerate() {
        let path = site.dir.path().join(format!("case-{i}.json"));
        std::fs::write(&path, &bytes).unwrap();
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
            path.to_str().unwrap(),
        ]);
        assert_eq!(r.code, code, "{case}: exit {}: {}", r.code, r.stderr);
        one_error_line(&r, case);
        if code == 1 {
            let out = r.json();
            assert_eq!(out["saved"], false, "{case}");
            assert!(
                !out["findings"].as_array().unwrap().is_empty(),
                "{case}: no findings"
            );
        }
        assert_eq!(site.snapshot(), before, "{case}: something changed");
    }
    // A data file that does not exist.
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
        "/nonexistent/dm.json",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    one_error_line(&r, "missing file");
    assert_eq!(site.snapshot(), before);
}

#[test]
fn enrol_refuses_bad_subject_ids() {
    let site = Site::new();
    let before = site.snapshot();
    for id in [
        "S01-1",
        "S01-1234567",
        "s01-001",
        "S02-001",
        "S01-001; DROP TABLE subjects; --",
        "S01-\u{202e}100",
        "S01-００１",
        "",
    ] {
        let r = site.nurse(&["subject", "enrol", id]);
        assert_eq!(r.code, 2, "{id:?}: {}", r.stderr);
        one_error_line(&r, id);
        assert_eq!(site.snapshot(), before, "{id:?}");
    }
}
