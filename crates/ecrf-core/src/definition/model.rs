use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// A label in every language the study is run in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Text {
    pub en: String,
    pub zh: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Lang {
    #[default]
    En,
    Zh,
}

/// The whole, checked definition of one version of the study.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Definition {
    pub study: StudyInfo,
    /// Study parameters read by derivations (comparators, options such as whether PR counts
    /// towards ORR).
    #[cfg_attr(feature = "ts", ts(type = "Record<string, unknown>"))]
    pub parameters: BTreeMap<String, Json>,
    pub codelists: Vec<Codelist>,
    pub events: Vec<EventDef>,
    pub forms: Vec<FormDef>,
    /// SHA-256 over the source files (name and text), identifying this exact definition.
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct StudyInfo {
    pub id: String,
    pub version: String,
    pub name: Text,
    #[serde(default)]
    pub protocol: Option<String>,
    #[serde(default)]
    pub sponsor: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Codelist {
    pub id: String,
    pub choices: Vec<Choice>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Choice {
    pub code: String,
    pub en: String,
    pub zh: String,
}

/// What an event's window is measured from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Anchor {
    Enrolment,
    Infusion,
    /// No window: unscheduled visits, logs.
    None,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct EventDef {
    pub id: String,
    pub name: Text,
    pub anchor: Anchor,
    /// Nominal day relative to the anchor.
    #[serde(default)]
    pub day: Option<i32>,
    /// Earliest and latest day relative to the anchor.
    #[serde(default)]
    pub window: Option<[i32; 2]>,
    #[serde(default)]
    pub repeating: bool,
    pub forms: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct FormDef {
    pub id: String,
    pub name: Text,
    #[serde(default)]
    pub repeating: bool,
    /// Item groups; items name their group, and those that name none are in [`MAIN_GROUP`].
    #[serde(default)]
    pub groups: Vec<GroupDef>,
    pub items: Vec<ItemDef>,
    #[serde(default)]
    pub checks: Vec<CheckDef>,
    #[serde(default)]
    pub derived: Vec<DerivedDef>,
    /// Where this form was defined, for error messages.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub file: String,
}

/// The implicit, non-repeating group of items that name no group.
pub const MAIN_GROUP: &str = "MAIN";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct GroupDef {
    pub id: String,
    pub name: Text,
    #[serde(default)]
    pub repeating: bool,
    /// The most rows a repeating group may have.
    #[serde(default)]
    pub max: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum ItemType {
    Text,
    /// Multi-line free text.
    Note,
    Integer,
    Decimal,
    Boolean,
    Choice,
    Date,
    Datetime,
    Time,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ItemDef {
    pub id: String,
    pub label: Text,
    #[serde(rename = "type")]
    pub kind: ItemType,
    #[serde(default = "main_group")]
    pub group: String,
    #[serde(default)]
    pub unit: Option<String>,
    /// Hard limits: a value outside is refused.
    #[serde(default)]
    pub range: Option<[f64; 2]>,
    /// Plausibility limits: a value outside saves, with a warning that opens a query.
    #[serde(default)]
    pub soft_range: Option<[f64; 2]>,
    /// A codelist id, for `choice` items.
    #[serde(default)]
    pub codelist: Option<String>,
    #[serde(default)]
    pub required: bool,
    /// Shown and required only when this expression is true.
    #[serde(default)]
    pub when: Option<String>,
    /// Dates: `2024-03` and `2024` are accepted.
    #[serde(default)]
    pub partial: bool,
    /// "Not done" with a reason is accepted.
    #[serde(default)]
    pub not_done: bool,
    /// Missing-value codes accepted instead of a value, e.g. `["ND", "UNK"]`.
    #[serde(default)]
    pub codes: Vec<String>,
    /// Below the limit of quantification, with its limit, is accepted.
    #[serde(default)]
    pub blq: bool,
    #[serde(default)]
    pub max_length: Option<u32>,
    /// Decimal places shown and kept.
    #[serde(default)]
    pub digits: Option<u32>,
    #[serde(default)]
    pub help: Option<Text>,
    /// Role in a derivation, e.g. `inclusion` or `exclusion` for eligibility criteria.
    #[serde(default)]
    pub criterion: Option<Criterion>,
}

fn main_group() -> String {
    MAIN_GROUP.to_string()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Criterion {
    Inclusion,
    Exclusion,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Severity {
    /// Blocks saving.
    Error,
    /// Saves, and opens a query.
    Warning,
}

/// An edit check: `assert` must not be false (an unknown result, from missing values, passes).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CheckDef {
    pub id: String,
    pub item: String,
    #[serde(default)]
    pub when: Option<String>,
    #[serde(rename = "assert")]
    pub assertion: String,
    pub severity: Severity,
    pub message: Text,
}

/// A derived value shown live, stored with the record, printed on the PDF.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct DerivedDef {
    pub id: String,
    pub label: Text,
    /// The name of a derivation function of the core (see `ecrf_core::derive`).
    pub function: String,
    /// Function argument → item id (in this form) or expression path.
    #[serde(default)]
    pub inputs: BTreeMap<String, String>,
    #[serde(default)]
    pub unit: Option<String>,
    /// An investigator may override it, with a reason.
    #[serde(default)]
    pub overridable: bool,
}

impl Definition {
    pub fn form(&self, id: &str) -> Option<&FormDef> {
        self.forms.iter().find(|f| f.id == id)
    }
    pub fn event(&self, id: &str) -> Option<&EventDef> {
        self.events.iter().find(|e| e.id == id)
    }
    pub fn codelist(&self, id: &str) -> Option<&Codelist> {
        self.codelists.iter().find(|c| c.id == id)
    }
    pub fn param_f64(&self, name: &str) -> Option<f64> {
        self.parameters.get(name).and_then(Json::as_f64)
    }
    pub fn param_bool(&self, name: &str) -> Option<bool> {
        self.parameters.get(name).and_then(Json::as_bool)
    }
}

impl FormDef {
    pub fn item(&self, id: &str) -> Option<&ItemDef> {
        self.items.iter().find(|i| i.id == id)
    }
    /// The group definition of `id`; the implicit main group when not declared.
    pub fn group(&self, id: &str) -> Option<GroupDef> {
        if let Some(g) = self.groups.iter().find(|g| g.id == id) {
            return Some(g.clone());
        }
        (id == MAIN_GROUP).then(|| GroupDef {
            id: MAIN_GROUP.to_string(),
            name: Text::default(),
            repeating: false,
            max: None,
        })
    }
    pub fn group_is_repeating(&self, id: &str) -> bool {
        self.group(id).is_some_and(|g| g.repeating)
    }
}
