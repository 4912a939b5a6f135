//! Derivations: pure functions from current values to what clinicians would otherwise compute
//! by hand. A definition names them (`function = "..."`) and maps their inputs to items. Missing
//! inputs give "not derivable: missing X", never a guess.

mod basic;

use crate::definition::{Definition, DerivedDef, FormDef, Text};
use crate::expr::Env;
use crate::validate::{FormValues, RowEnv, SubjectView};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// Every derivation function with its named inputs.
/// The inputs listed are those a definition must map (or name as items); optional inputs are
/// documented in docs/derivations.md and need no mapping.
pub const FUNCTIONS: &[(&str, &[&str])] = &[
    ("eligibility", &[]),
    ("age_years", &["birth", "at"]),
    ("bsa_mosteller", &["height_cm", "weight_kg"]),
    ("bmi", &["height_cm", "weight_kg"]),
    ("dose_per_m2", &["dose_mg", "bsa_m2"]),
    ("percent_of", &["actual", "planned"]),
    ("cells_per_kg", &["cells", "weight_kg"]),
    ("study_day", &["date", "infusion"]),
    ("sum", &[]),
    ("crs_grade", &["temp", "hypotension", "oxygen"]),
    (
        "ice_score",
        &["orientation", "naming", "commands", "writing", "attention"],
    ),
    ("icans_grade", &["consciousness", "seizure", "motor", "icp"]),
    (
        "all_response",
        &[
            "marrow_blasts",
            "circ_blasts",
            "emd",
            "cns",
            "anc",
            "platelets",
        ],
    ),
    ("mrd_status", &["result", "sensitivity"]),
    ("lugano_pet", &["deauville", "uptake", "new_avid"]),
    ("lugano_ct", &["baseline_spd", "new_lesion"]),
    ("lugano_overall", &[]),
];

/// One derived value of a form instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Derived {
    pub id: String,
    /// The derived value; null when not derivable.
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub value: Json,
    /// How it reads to a person, in both languages.
    pub display: Text,
    /// Inputs that are missing (item ids), when not derivable.
    pub missing: Vec<String>,
}

/// The outcome of a derivation function.
pub enum Outcome {
    Value { value: Json, display: Text },
    Missing(Vec<String>),
}

impl Outcome {
    pub fn plain(value: Json, en: impl Into<String>, zh: impl Into<String>) -> Outcome {
        Outcome::Value {
            value,
            display: Text {
                en: en.into(),
                zh: zh.into(),
            },
        }
    }
    pub fn number(x: f64, digits: usize, unit: &str) -> Outcome {
        let s = format!("{x:.digits$}");
        let v = s
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(Json::Null, Json::Number);
        let shown = if unit.is_empty() {
            s.clone()
        } else {
            format!("{s} {unit}")
        };
        Outcome::plain(v, shown.clone(), shown)
    }
}

/// What a derivation function reads: its inputs by argument name, the whole form, the study.
pub struct Inputs<'a> {
    pub def: &'a Definition,
    pub form: &'a FormDef,
    pub values: &'a FormValues,
    pub spec: &'a DerivedDef,
    pub env: &'a dyn Env,
}

impl Inputs<'_> {
    /// The item (or path) an argument is mapped to; by default the item of the same name.
    pub fn path(&self, arg: &str) -> String {
        self.spec
            .inputs
            .get(arg)
            .cloned()
            .unwrap_or_else(|| arg.to_string())
    }
    pub fn get(&self, arg: &str) -> Json {
        let path: Vec<String> = self.path(arg).split('.').map(str::to_string).collect();
        self.env.lookup(&path)
    }
    pub fn num(&self, arg: &str, missing: &mut Vec<String>) -> Option<f64> {
        let v = self.get(arg).as_f64();
        if v.is_none() {
            missing.push(self.path(arg));
        }
        v
    }
    pub fn text(&self, arg: &str, missing: &mut Vec<String>) -> Option<String> {
        let v = self.get(arg).as_str().map(str::to_string);
        if v.is_none() {
            missing.push(self.path(arg));
        }
        v
    }
}

/// Runs one derivation function.
pub fn run(function: &str, inp: &Inputs) -> Outcome {
    match function {
        "eligibility" => basic::eligibility(inp),
        "age_years" => basic::age_years(inp),
        "bsa_mosteller" => basic::bsa_mosteller(inp),
        "bmi" => basic::bmi(inp),
        other => Outcome::Missing(vec![format!("unknown function {other}")]),
    }
}

/// All derived values of a form instance, in definition order. Later derivations may read
/// earlier ones by id.
pub fn derive_form(
    def: &Definition,
    form: &FormDef,
    values: &FormValues,
    subject: &dyn SubjectView,
) -> Vec<Derived> {
    let mut out = Vec::new();
    let mut so_far: BTreeMap<String, Json> = BTreeMap::new();
    for spec in &form.derived {
        let env = RowEnv {
            form,
            values,
            group: crate::definition::MAIN_GROUP,
            repeat: 1,
            subject,
            derived: Some(&so_far),
        };
        let inp = Inputs {
            def,
            form,
            values,
            spec,
            env: &env,
        };
        let d = match run(&spec.function, &inp) {
            Outcome::Value { value, display } => Derived {
                id: spec.id.clone(),
                value,
                display,
                missing: vec![],
            },
            Outcome::Missing(mut m) => {
                m.sort();
                m.dedup();
                let labels_en: Vec<String> = m.iter().map(|i| label(form, i, false)).collect();
                let labels_zh: Vec<String> = m.iter().map(|i| label(form, i, true)).collect();
                Derived {
                    id: spec.id.clone(),
                    value: Json::Null,
                    display: missing_text(&labels_en, &labels_zh),
                    missing: m,
                }
            }
        };
        so_far.insert(d.id.clone(), d.value.clone());
        out.push(d);
    }
    out
}

/// "not derivable: missing A, B and 3 more": names the first missing inputs, counts the rest.
fn missing_text(en: &[String], zh: &[String]) -> Text {
    const SHOWN: usize = 2;
    if en.len() <= SHOWN + 1 {
        return Text {
            en: format!("not derivable: missing {}", en.join(", ")),
            zh: format!("无法推导：缺少 {}", zh.join("、")),
        };
    }
    let more = en.len() - SHOWN;
    Text {
        en: format!(
            "not derivable: missing {} and {more} more",
            en[..SHOWN].join(", ")
        ),
        zh: format!(
            "无法推导：缺少 {} 等 {} 项",
            zh[..SHOWN].join("、"),
            en.len()
        ),
    }
}

fn label(form: &FormDef, item: &str, zh: bool) -> String {
    match form.item(item) {
        Some(i) if zh => i.label.zh.clone(),
        Some(i) => i.label.en.clone(),
        None => item.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_inputs_are_named_then_counted() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            missing_text(&s(&["Height"]), &s(&["身高"])).en,
            "not derivable: missing Height"
        );
        assert_eq!(
            missing_text(&s(&["A", "B", "C"]), &s(&["甲", "乙", "丙"])).en,
            "not derivable: missing A, B, C"
        );
        let t = missing_text(&s(&["A", "B", "C", "D"]), &s(&["甲", "乙", "丙", "丁"]));
        assert_eq!(t.en, "not derivable: missing A, B and 2 more");
        assert_eq!(t.zh, "无法推导：缺少 甲、乙 等 4 项");
    }
}
