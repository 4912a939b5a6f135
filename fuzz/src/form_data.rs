//! Harness of form-data JSON: `ecrf_services::forms::parse_data`, then every value through the
//! type check and normalisation (`ecrf_core::validate::check_value` → `value::normalize`),
//! then derivations, validation and conditions over what was accepted.
//!
//! Input: one selector byte (a form of the built-in definition, modulo their number), then
//! JSON text as `form save --data` takes it.
//!
//! Invariant checked: normalisation is idempotent (a stored value, checked again, is accepted
//! unchanged: conflict resolutions and re-saves check stored values again).

use ecrf_core::definition::{builtin, Definition};
use ecrf_core::derive::derive_form;
use ecrf_core::validate::{
    check_value, hidden_slots, validate_form, FormValues, Slot, SubjectView,
};
use ecrf_services::forms::parse_data;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The built-in definition, loaded once.
pub fn definition() -> &'static Definition {
    static DEF: OnceLock<Definition> = OnceLock::new();
    DEF.get_or_init(builtin)
}

/// The selector byte of form `id` (for making seeds).
pub fn selector(id: &str) -> Option<u8> {
    definition()
        .forms
        .iter()
        .position(|f| f.id == id)
        .and_then(|i| u8::try_from(i).ok())
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

/// Target `form_data`. Returns how many values were accepted, or `None` when the input was
/// refused before any value was checked.
pub fn run(data: &[u8]) -> Option<usize> {
    let (&selector, text) = data.split_first()?;
    let def = definition();
    let form = &def.forms[selector as usize % def.forms.len()];
    let json: Json = serde_json::from_slice(text).ok()?;
    let entries = parse_data(form, &json).ok()?;
    let mut values = FormValues::new();
    for e in entries {
        let slot = Slot {
            group: e.group,
            repeat: e.repeat,
            item: e.item,
        };
        if let Ok(v) = check_value(def, form, &slot, &e.value) {
            let again = check_value(def, form, &slot, &v);
            assert_eq!(
                again.as_ref().ok(),
                Some(&v),
                "normalisation is not idempotent for {}: {} -> {v} -> {again:?}",
                slot.item,
                e.value
            );
            values.insert(slot, v);
        }
    }
    let derived: BTreeMap<String, Json> = derive_form(def, form, &values, &Today)
        .into_iter()
        .map(|d| (d.id, d.value))
        .collect();
    let _ = validate_form(def, form, &values, &Today, Some(&derived), true);
    let _ = validate_form(def, form, &values, &Today, Some(&derived), false);
    let _ = hidden_slots(form, &values, &Today);
    Some(values.len())
}
