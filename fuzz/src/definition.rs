//! Harness of the definition loader (`ecrf_core::definition::load`).
//!
//! Input: one selector byte, then TOML text. The text replaces one file of the built-in
//! definition (selector 0: `v1/study.toml`; k: the k-th form file, modulo their number), the
//! other files stay as built in, so the loader and its checker see a realistic definition with
//! one hostile file. A definition that loads is then exercised: every form is validated and
//! derived with no values, so the expressions and derivations it names are evaluated.

use ecrf_core::definition::{builtin_files, load, Definition, BUILTIN_ROOT};
use ecrf_core::derive::derive_form;
use ecrf_core::validate::{hidden_slots, validate_form, FormValues, SubjectView};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// The file names of the built-in definition, study file first (the order of selectors).
pub fn file_names() -> Vec<String> {
    let files = builtin_files();
    let mut names = vec![BUILTIN_ROOT.to_string()];
    names.extend(files.keys().filter(|k| *k != BUILTIN_ROOT).cloned());
    names
}

struct Today;
impl SubjectView for Today {
    fn value(&self, _: Option<&str>, _: &str, _: &str) -> Json {
        Json::Null
    }
    fn today(&self) -> Option<String> {
        Some("2026-03-01".into())
    }
}

/// Validates and derives every form of `def` with no values.
pub fn exercise(def: &Definition) {
    let empty = FormValues::new();
    for form in &def.forms {
        let derived: BTreeMap<String, Json> = derive_form(def, form, &empty, &Today)
            .into_iter()
            .map(|d| (d.id, d.value))
            .collect();
        let _ = validate_form(def, form, &empty, &Today, Some(&derived), true);
        let _ = hidden_slots(form, &empty, &Today);
    }
}

/// Target `definition`. Returns whether the definition loaded.
pub fn run(data: &[u8]) -> bool {
    let Some((&selector, text)) = data.split_first() else {
        return false;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return false;
    };
    let names = file_names();
    let name = &names[selector as usize % names.len()];
    let mut files = builtin_files();
    files.insert(name.clone(), text.to_string());
    match load(&files, BUILTIN_ROOT) {
        Ok(def) => {
            exercise(&def);
            true
        }
        Err(errors) => {
            assert!(!errors.is_empty(), "load failed without saying why");
            for e in errors {
                let _ = e.to_string();
            }
            false
        }
    }
}
