//! Where a value lives, as in CDISC ODM: subject / event (+repeat) / form (+repeat) /
//! item group (+repeat) / item. Repeats are numbered from 1; a non-repeating level has repeat 1.

use crate::ids::SubjectId;
use crate::CoreError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One form instance of one subject.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct FormRef {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub subject: SubjectId,
    pub event: String,
    pub event_repeat: u32,
    pub form: String,
    pub form_repeat: u32,
}

// Written with its form's fields beside its own; read through `FlatItemRef`, which has them all,
// rather than through `flatten`, which makes serde gather every field in a buffer first (an item
// is in every value event).
/// One item value inside a form instance.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(from = "FlatItemRef")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ItemRef {
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(flatten))]
    pub form: FormRef,
    pub group: String,
    pub group_repeat: u32,
    pub item: String,
}

/// An [`ItemRef`] as it is written: its form's fields and its own, side by side.
#[derive(Deserialize)]
struct FlatItemRef {
    subject: SubjectId,
    event: String,
    event_repeat: u32,
    form: String,
    form_repeat: u32,
    group: String,
    group_repeat: u32,
    item: String,
}

impl From<FlatItemRef> for ItemRef {
    fn from(f: FlatItemRef) -> ItemRef {
        ItemRef {
            form: FormRef {
                subject: f.subject,
                event: f.event,
                event_repeat: f.event_repeat,
                form: f.form,
                form_repeat: f.form_repeat,
            },
            group: f.group,
            group_repeat: f.group_repeat,
            item: f.item,
        }
    }
}

impl FormRef {
    pub fn new(
        subject: SubjectId,
        event: &str,
        event_repeat: u32,
        form: &str,
        form_repeat: u32,
    ) -> Result<Self, CoreError> {
        check_repeat(event_repeat)?;
        check_repeat(form_repeat)?;
        Ok(Self {
            subject,
            event: event.to_string(),
            event_repeat,
            form: form.to_string(),
            form_repeat,
        })
    }

    pub fn item(&self, group: &str, group_repeat: u32, item: &str) -> ItemRef {
        ItemRef {
            form: self.clone(),
            group: group.to_string(),
            group_repeat,
            item: item.to_string(),
        }
    }

    /// A stable text key, used by the store to index form instances.
    pub fn key(&self) -> String {
        format!(
            "{}/{}.{}/{}.{}",
            self.subject, self.event, self.event_repeat, self.form, self.form_repeat
        )
    }
}

impl ItemRef {
    /// A stable text key, used by the store to index item values.
    pub fn key(&self) -> String {
        self.key_in(&self.form.key())
    }

    /// [`ItemRef::key`] given its form's key (`self.form.key()`), when the caller has it.
    pub fn key_in(&self, form_key: &str) -> String {
        format!(
            "{form_key}/{}.{}/{}",
            self.group, self.group_repeat, self.item
        )
    }
}

impl ItemRef {
    /// Parses a key made by [`ItemRef::key`].
    pub fn from_key(key: &str) -> Option<ItemRef> {
        let mut parts = key.split('/');
        let subject = SubjectId::parse(parts.next()?).ok()?;
        let rep = |p: &str| -> Option<(String, u32)> {
            let (name, r) = p.rsplit_once('.')?;
            let r: u32 = r.parse().ok().filter(|r| *r > 0)?;
            (!name.is_empty()).then(|| (name.to_string(), r))
        };
        let (event, event_repeat) = rep(parts.next()?)?;
        let (form, form_repeat) = rep(parts.next()?)?;
        let (group, group_repeat) = rep(parts.next()?)?;
        let item = parts.next().filter(|i| !i.is_empty())?.to_string();
        if parts.next().is_some() {
            return None;
        }
        Some(ItemRef {
            form: FormRef {
                subject,
                event,
                event_repeat,
                form,
                form_repeat,
            },
            group,
            group_repeat,
            item,
        })
    }
}

pub fn check_repeat(r: u32) -> Result<(), CoreError> {
    if r == 0 {
        Err(CoreError::Repeat(r))
    } else {
        Ok(())
    }
}

impl fmt::Display for FormRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}
impl fmt::Display for ItemRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_serialisation() {
        let f = FormRef::new(SubjectId::parse("S01-001").unwrap(), "D1", 1, "CRS", 1).unwrap();
        let i = f.item("MAIN", 1, "TEMP");
        assert_eq!(i.key(), "S01-001/D1.1/CRS.1/MAIN.1/TEMP");
        assert_eq!(ItemRef::from_key(&i.key()), Some(i.clone()));
        for bad in [
            "",
            "S01-001/D1.1/CRS.1/MAIN.1",
            "S01-001/D1.0/CRS.1/MAIN.1/T",
            "x/D1.1/CRS.1/MAIN.1/T",
            "S01-001/D1.1/CRS.1/MAIN.1/T/U",
        ] {
            assert_eq!(ItemRef::from_key(bad), None, "{bad}");
        }
        let json = serde_json::to_value(&i).unwrap();
        assert_eq!(json["subject"], "S01-001");
        assert_eq!(json["item"], "TEMP");
        let back: ItemRef = serde_json::from_value(json).unwrap();
        assert_eq!(back, i);
        assert!(FormRef::new(SubjectId::parse("S01-001").unwrap(), "D1", 0, "CRS", 1).is_err());
    }

    /// An item is written flat, its form's fields first, and read back from that text in any
    /// order of fields; a missing field or a bad subject is refused.
    #[test]
    fn item_ref_json() {
        let f = FormRef::new(SubjectId::parse("S01-001").unwrap(), "D1", 2, "CRS", 1).unwrap();
        let i = f.item("MAIN", 3, "TEMP");
        let text = r#"{"subject":"S01-001","event":"D1","event_repeat":2,"form":"CRS","form_repeat":1,"group":"MAIN","group_repeat":3,"item":"TEMP"}"#;
        assert_eq!(serde_json::to_string(&i).unwrap(), text);
        let cases: [(&str, bool); 5] = [
            (text, true),
            (
                r#"{"item":"TEMP","group_repeat":3,"group":"MAIN","form_repeat":1,"form":"CRS","event_repeat":2,"event":"D1","subject":"S01-001"}"#,
                true,
            ),
            (
                r#"{"subject":"S01-001","event":"D1","event_repeat":2,"form":"CRS","form_repeat":1,"group":"MAIN","group_repeat":3,"item":"TEMP","note":"x"}"#,
                true,
            ),
            (
                r#"{"subject":"S01-001","event":"D1","event_repeat":2,"form":"CRS","form_repeat":1,"group":"MAIN","item":"TEMP"}"#,
                false,
            ),
            (
                r#"{"subject":"nobody","event":"D1","event_repeat":2,"form":"CRS","form_repeat":1,"group":"MAIN","group_repeat":3,"item":"TEMP"}"#,
                false,
            ),
        ];
        for (json, ok) in cases {
            let got = serde_json::from_str::<ItemRef>(json);
            match ok {
                true => assert_eq!(got.unwrap(), i, "{json}"),
                false => assert!(got.is_err(), "{json}"),
            }
        }
    }
}
