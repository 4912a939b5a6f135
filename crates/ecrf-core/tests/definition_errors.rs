//! A broken definition is refused with every problem located as file:line:column.

use ecrf_core::definition::{builtin_files, load, BUILTIN_ROOT};
use std::collections::BTreeMap;

fn errors(files: &BTreeMap<String, String>) -> Vec<String> {
    match load(files, BUILTIN_ROOT) {
        Ok(_) => vec![],
        Err(e) => e.iter().map(ToString::to_string).collect(),
    }
}

fn edit(file: &str, from: &str, to: &str) -> BTreeMap<String, String> {
    let mut files = builtin_files();
    let text = files.get_mut(file).unwrap();
    assert!(text.contains(from), "{from:?} not in {file}");
    *text = text.replacen(from, to, 1);
    files
}

fn line_of(file: &str, needle: &str) -> usize {
    builtin_files()[file]
        .lines()
        .position(|l| l.contains(needle))
        .unwrap()
        + 1
}

#[test]
fn semantic_errors_point_at_the_text() {
    let dm = "v1/forms/dm.toml";
    let elig = "v1/forms/elig.toml";
    let study = "v1/study.toml";
    let cases: Vec<(BTreeMap<String, String>, String)> = vec![
        (
            edit(dm, "codelist = \"SEX\"", "codelist = \"GENDER\""),
            format!(
                "{dm}:{}:1: item \"SEX\": unknown codelist \"GENDER\"",
                line_of(dm, "id = \"SEX\"")
            ),
        ),
        (
            edit(dm, "range = [40, 230]", "range = [230, 40]"),
            format!(
                "{dm}:{}:1: item \"HEIGHT\": range minimum is above its maximum",
                line_of(dm, "id = \"HEIGHT\"")
            ),
        ),
        (
            edit(
                dm,
                "assert = \"BRTHDAT < ICDAT\"",
                "assert = \"BRTHDAT < CONSENT\"",
            ),
            "unknown item \"CONSENT\"".to_string(),
        ),
        (
            edit(dm, "assert = \"BRTHDAT < ICDAT\"", "assert = \"BRTHDAT <\""),
            "check \"DM-01\": expression \"BRTHDAT <\": unexpected end".to_string(),
        ),
        (
            edit(dm, "function = \"bmi\"", "function = \"bmx\""),
            "derived \"BMI\": unknown function \"bmx\"".to_string(),
        ),
        (
            edit(elig, "when = \"DM.SEX == 'F'\"", "when = \"DX.SEX == 'F'\""),
            "unknown form \"DX\"".to_string(),
        ),
        (
            edit(elig, "group = \"INCL\"", "group = \"INCLUSION\""),
            "unknown group \"INCLUSION\"".to_string(),
        ),
        (
            edit(
                study,
                "forms = [\"DM\", \"ELIG\"]",
                "forms = [\"DM\", \"ELIGIBILITY\"]",
            ),
            "event \"SCR\" lists unknown form \"ELIGIBILITY\"".to_string(),
        ),
        (
            edit(study, "window = [0, 28]", "window = [28, 0]"),
            "window starts after it ends".to_string(),
        ),
        (
            edit(dm, "id = \"WEIGHT\"", "id = \"HEIGHT\""),
            "defined twice in this form".to_string(),
        ),
        (
            edit(dm, "zh = \"身高\"", "zh = \"\""),
            "needs an English and a Chinese label".to_string(),
        ),
        (
            edit(study, "format = 1", "format = 2"),
            format!(
                "{study}:{}:1: unsupported definition format 2",
                line_of(study, "format = 1")
            ),
        ),
        (
            edit(dm, "type = \"decimal\"", "type = \"float\""),
            format!(
                "{dm}:{}:8: unknown variant `float`",
                line_of(dm, "type = \"decimal\"")
            ),
        ),
        (
            edit(dm, "required = true", "requried = true"),
            format!(
                "{dm}:{}:1: unknown field `requried`",
                line_of(dm, "required = true")
            ),
        ),
        (
            edit(
                study,
                "  \"forms/dm.toml\",\n",
                "  \"forms/dm.toml\",\n  \"forms/missing.toml\",\n",
            ),
            "form file \"v1/forms/missing.toml\" not found".to_string(),
        ),
    ];
    for (files, want) in cases {
        let errs = errors(&files);
        assert!(
            errs.iter().any(|e| e.contains(&want)),
            "want {want:?} in {errs:#?}"
        );
    }
}

#[test]
fn several_problems_are_all_reported() {
    let files = edit(
        "v1/forms/dm.toml",
        "codelist = \"SEX\"",
        "codelist = \"GENDER\"",
    );
    let mut files2 = files.clone();
    let t = files2.get_mut("v1/forms/dm.toml").unwrap();
    *t = t.replacen("range = [40, 230]", "range = [230, 40]", 1);
    assert_eq!(errors(&files2).len(), 2, "{:?}", errors(&files2));
}
