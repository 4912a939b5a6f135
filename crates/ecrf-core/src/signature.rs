//! What an electronic signature covers: the canonical serialisation (RFC 8785) of the signed
//! scope's values, overrides and definition versions. Queries, source-data verification and
//! locks are outside it, so a monitor's work never breaks an investigator's signature.

use crate::canonical::hash_canonical;
use crate::validate::FormValues;
use crate::CoreError;
use serde::Serialize;
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// One form instance as a signature sees it.
#[derive(Debug, Clone)]
pub struct SignedForm {
    /// `FormRef::key()`.
    pub key: String,
    pub definition_version: String,
    pub values: FormValues,
    /// Derived value id → override value.
    pub overrides: BTreeMap<String, Json>,
}

#[derive(Serialize)]
struct FormContent<'a> {
    definition: &'a str,
    /// `GROUP.REPEAT.ITEM` → value; cleared (null) values are left out, so clearing a value
    /// that was never set changes nothing.
    values: BTreeMap<String, &'a Json>,
    overrides: &'a BTreeMap<String, Json>,
}

/// SHA-256 (hex) of the canonical content of the forms in a signature's scope.
pub fn content_hash(forms: &[SignedForm]) -> Result<String, CoreError> {
    let mut content: BTreeMap<&str, FormContent> = BTreeMap::new();
    for f in forms {
        let values = f
            .values
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(s, v)| (format!("{}.{}.{}", s.group, s.repeat, s.item), v))
            .collect();
        content.insert(
            &f.key,
            FormContent {
                definition: &f.definition_version,
                values,
                overrides: &f.overrides,
            },
        );
    }
    hash_canonical(&content)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Slot;
    use serde_json::json;

    fn form(v: Json) -> SignedForm {
        let mut values = FormValues::new();
        values.insert(Slot::main("TEMPMAX"), v);
        values.insert(Slot::main("GONE"), Json::Null);
        SignedForm {
            key: "S01-001/D1.1/CRS.1".into(),
            definition_version: "1.0".into(),
            values,
            overrides: BTreeMap::new(),
        }
    }

    #[test]
    fn hash_follows_values_overrides_and_version_only() {
        let a = content_hash(&[form(json!(38.5))]).unwrap();
        assert_eq!(a, content_hash(&[form(json!(38.5))]).unwrap());
        assert_ne!(a, content_hash(&[form(json!(38.6))]).unwrap());
        let mut o = form(json!(38.5));
        o.overrides.insert("CRSGR".into(), json!(2));
        assert_ne!(a, content_hash(&[o]).unwrap());
        let mut v = form(json!(38.5));
        v.definition_version = "1.1".into();
        assert_ne!(a, content_hash(&[v]).unwrap());
        // A value cleared that was never set is no change.
        let mut c = form(json!(38.5));
        c.values.remove(&Slot::main("GONE"));
        assert_eq!(a, content_hash(&[c]).unwrap());
    }
}
