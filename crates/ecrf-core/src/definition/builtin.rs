//! The trial's definition, built into the program.

use super::{load, Definition};
use std::collections::BTreeMap;

/// The study file of the built-in definition.
pub const BUILTIN_ROOT: &str = "v1/study.toml";

const FILES: &[(&str, &str)] = &[
    (
        "v1/study.toml",
        include_str!("../../definition/v1/study.toml"),
    ),
    (
        "v1/forms/dm.toml",
        include_str!("../../definition/v1/forms/dm.toml"),
    ),
    (
        "v1/forms/elig.toml",
        include_str!("../../definition/v1/forms/elig.toml"),
    ),
];

pub fn builtin_files() -> BTreeMap<String, String> {
    FILES
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect()
}

/// The built-in definition. It is checked by the test suite, so failing here is a build defect.
pub fn builtin() -> Definition {
    match load(&builtin_files(), BUILTIN_ROOT) {
        Ok(d) => d,
        Err(errs) => {
            let msgs: Vec<String> = errs.iter().map(ToString::to_string).collect();
            panic!(
                "the built-in study definition is invalid:\n{}",
                msgs.join("\n")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_definition_loads() {
        let d = load(&builtin_files(), BUILTIN_ROOT).unwrap_or_else(|e| {
            panic!(
                "{}",
                e.iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        });
        assert_eq!(d.study.id, "CART-1922-01");
        assert!(d.form("ELIG").is_some());
    }
}
