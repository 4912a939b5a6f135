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
        "v1/forms/dh.toml",
        include_str!("../../definition/v1/forms/dh.toml"),
    ),
    (
        "v1/forms/elig.toml",
        include_str!("../../definition/v1/forms/elig.toml"),
    ),
    (
        "v1/forms/base.toml",
        include_str!("../../definition/v1/forms/base.toml"),
    ),
    (
        "v1/forms/sf.toml",
        include_str!("../../definition/v1/forms/sf.toml"),
    ),
    (
        "v1/forms/leuk.toml",
        include_str!("../../definition/v1/forms/leuk.toml"),
    ),
    (
        "v1/forms/mfg.toml",
        include_str!("../../definition/v1/forms/mfg.toml"),
    ),
    (
        "v1/forms/bridge.toml",
        include_str!("../../definition/v1/forms/bridge.toml"),
    ),
    (
        "v1/forms/ld.toml",
        include_str!("../../definition/v1/forms/ld.toml"),
    ),
    (
        "v1/forms/inf.toml",
        include_str!("../../definition/v1/forms/inf.toml"),
    ),
    (
        "v1/forms/crs.toml",
        include_str!("../../definition/v1/forms/crs.toml"),
    ),
    (
        "v1/forms/icans.toml",
        include_str!("../../definition/v1/forms/icans.toml"),
    ),
    (
        "v1/forms/vs.toml",
        include_str!("../../definition/v1/forms/vs.toml"),
    ),
    (
        "v1/forms/lab.toml",
        include_str!("../../definition/v1/forms/lab.toml"),
    ),
    (
        "v1/forms/pk.toml",
        include_str!("../../definition/v1/forms/pk.toml"),
    ),
    (
        "v1/forms/bm.toml",
        include_str!("../../definition/v1/forms/bm.toml"),
    ),
    (
        "v1/forms/mrd.toml",
        include_str!("../../definition/v1/forms/mrd.toml"),
    ),
    (
        "v1/forms/lyresp.toml",
        include_str!("../../definition/v1/forms/lyresp.toml"),
    ),
    (
        "v1/forms/ae.toml",
        include_str!("../../definition/v1/forms/ae.toml"),
    ),
    (
        "v1/forms/cm.toml",
        include_str!("../../definition/v1/forms/cm.toml"),
    ),
    (
        "v1/forms/nact.toml",
        include_str!("../../definition/v1/forms/nact.toml"),
    ),
    (
        "v1/forms/surv.toml",
        include_str!("../../definition/v1/forms/surv.toml"),
    ),
    (
        "v1/forms/wd.toml",
        include_str!("../../definition/v1/forms/wd.toml"),
    ),
    (
        "v1/forms/dth.toml",
        include_str!("../../definition/v1/forms/dth.toml"),
    ),
    (
        "v1/forms/eos.toml",
        include_str!("../../definition/v1/forms/eos.toml"),
    ),
    (
        "v1/forms/labnorm.toml",
        include_str!("../../definition/v1/forms/labnorm.toml"),
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
