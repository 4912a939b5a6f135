//! Derivations: pure functions from current values to what clinicians would otherwise compute
//! by hand. A definition names them (`function = "..."`) and maps their inputs to items. Missing
//! inputs give "not derivable: missing X", never a guess; an input that is present but unusable
//! (out of range, an unknown code, answers that contradict each other) gives "not derivable" with
//! the reason. The contract — names, codes, values, displays — is `docs/derivations.md`.
//!
//! * [`basic`] — eligibility, age, body size.
//! * [`dosing`] — dose per m², dose intensity, cells per kg, study day, sums.
//! * [`crs`] — CRS grade (ASTCT consensus, Lee et al., BBMT 2019).
//! * [`icans`] — ICE score and ICANS grade (same consensus).
//! * [`all`] — B-ALL response (NCCN/ELN/CIBMTR) and MRD status.
//! * [`lugano`] — lymphoma response, Lugano 2014 (Cheson et al., JCO 2014).

mod all;
mod basic;
mod crs;
mod dosing;
mod icans;
mod lugano;

use crate::definition::{Definition, DerivedDef, FormDef, Text};
use crate::expr::Env;
use crate::validate::{FormValues, RowEnv, SubjectView};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// Every derivation function with the inputs a definition must map (or name as items).
/// Optional inputs are in [`OPTIONAL`]; both are documented in docs/derivations.md.
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
    (
        "crs_grade",
        &["temp", "hypotension", "oxygen", "prior_fever", "treated"],
    ),
    (
        "ice_score",
        &["orientation", "naming", "commands", "writing", "attention"],
    ),
    (
        "icans_grade",
        &["age", "ice", "consciousness", "seizure", "motor", "icp"],
    ),
    (
        "all_response",
        &[
            "marrow_blasts",
            "circ_blasts",
            "emd",
            "cns",
            "anc",
            "platelets",
            "transfusion",
            "baseline_blasts",
            "prior_cr",
        ],
    ),
    ("mrd_status", &["result", "sensitivity"]),
    (
        "lugano_pet",
        &["deauville", "uptake", "new_avid", "marrow_avid"],
    ),
    (
        "lugano_ct",
        &[
            "baseline_spd",
            "new_lesion",
            "spleen_growth",
            "new_marrow",
            "extranodal",
            "marrow_clear",
        ],
    ),
    ("lugano_overall", &["pet", "ct"]),
];

/// Inputs a definition may map but need not: the function works without them (see
/// docs/derivations.md for what each does when absent).
pub const OPTIONAL: &[(&str, &[&str])] = &[
    ("sum", &["a", "b", "c", "d", "e"]),
    ("crs_grade", &["fatal"]),
    ("icans_grade", &["capd", "capd_unable", "other_cause"]),
    ("all_response", &["nadir_blasts"]),
    ("mrd_status", &["detected"]),
    ("lugano_ct", &["lesions", "nadir_spd", "nadir_ldiam"]),
];

/// Whether `function` takes the input `arg` (required or optional).
pub fn takes_input(function: &str, arg: &str) -> bool {
    FUNCTIONS
        .iter()
        .chain(OPTIONAL)
        .any(|(f, args)| *f == function && args.contains(&arg))
}

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
    /// When not derivable: the inputs (item ids) that are missing, or that must be corrected.
    pub missing: Vec<String>,
}

/// The outcome of a derivation function.
pub enum Outcome {
    Value {
        value: Json,
        display: Text,
    },
    /// Inputs (item ids or paths) that are needed and missing.
    Missing(Vec<String>),
    /// Not derivable although the inputs are there: a value out of range, an unknown code,
    /// answers that contradict each other. `items` names the inputs to correct.
    Invalid {
        items: Vec<String>,
        reason: Text,
    },
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

/// Relative tolerance of threshold comparisons on computed quantities (products, ratios), so
/// that a value exactly on a published boundary is not pushed across it by binary rounding.
const EPS: f64 = 1e-9;

/// `a ≥ b`, tolerant of rounding in the last bits.
pub(crate) fn ge(a: f64, b: f64) -> bool {
    a >= b - EPS * (1.0 + b.abs())
}

/// `a ≤ b`, tolerant of rounding in the last bits.
pub(crate) fn le(a: f64, b: f64) -> bool {
    ge(b, a)
}

/// `a > b`, tolerant: not `a ≤ b`.
pub(crate) fn gt(a: f64, b: f64) -> bool {
    !le(a, b)
}

/// `a < b`, tolerant: not `a ≥ b`.
pub(crate) fn lt(a: f64, b: f64) -> bool {
    !ge(a, b)
}

/// A derivation that stopped early: missing or invalid inputs, as an [`Outcome`].
pub(crate) type Stop<T> = Result<T, Outcome>;

/// Shows a number without trailing zeros (at most `digits` decimals).
pub(crate) fn fmt_num(x: f64, digits: usize) -> String {
    let s = format!("{x:.digits$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// A number as JSON, rounded to `digits` decimals; an integer when it has no fraction.
pub(crate) fn num_json(x: f64, digits: i32) -> Json {
    let f = 10f64.powi(digits);
    let r = (x * f).round() / f;
    if r.fract() == 0.0 && r.abs() < 9.0e15 {
        Json::from(r as i64)
    } else {
        serde_json::Number::from_f64(r).map_or(Json::Null, Json::Number)
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

    /// The label of the item an argument is mapped to (this form, another form, or a derived
    /// value); the path itself when there is none.
    pub fn label(&self, arg: &str) -> Text {
        let path = self.path(arg);
        let parts: Vec<&str> = path.split('.').collect();
        let (form, id) = match parts.as_slice() {
            [i] => (Some(self.form), *i),
            [f, i] | [_, f, i] => (self.def.form(f), *i),
            _ => (None, path.as_str()),
        };
        form.and_then(|f| {
            f.item(id).map(|i| i.label.clone()).or_else(|| {
                f.derived
                    .iter()
                    .find(|d| d.id == id)
                    .map(|d| d.label.clone())
            })
        })
        .unwrap_or_else(|| Text {
            en: path.clone(),
            zh: path.clone(),
        })
    }

    /// "Not derivable" because of the input `arg`: `en`/`zh` say what is wrong with it.
    pub fn invalid(&self, arg: &str, en: &str, zh: &str) -> Outcome {
        let l = self.label(arg);
        Outcome::Invalid {
            items: vec![self.path(arg)],
            reason: Text {
                en: format!("{} {en}", l.en),
                zh: format!("{}{zh}", l.zh),
            },
        }
    }

    /// "Not derivable: missing …" naming the items these arguments are mapped to.
    pub fn missing(&self, args: &[&str]) -> Outcome {
        Outcome::Missing(args.iter().map(|a| self.path(a)).collect())
    }

    /// A number, if one is entered (special values such as not done count as missing); it
    /// must be finite and within `lo..=hi`.
    pub fn opt_num(&self, arg: &str, lo: f64, hi: f64) -> Stop<Option<f64>> {
        match self.get(arg) {
            Json::Null | Json::Object(_) => Ok(None),
            Json::Number(n) => match n.as_f64() {
                Some(x) if x.is_finite() && x >= lo && x <= hi => Ok(Some(x)),
                Some(x) if x.is_finite() => {
                    let (l, h) = (fmt_num(lo, 6), fmt_num(hi, 6));
                    Err(if hi == f64::MAX {
                        self.invalid(
                            arg,
                            &format!("= {x} must be {l} or more"),
                            &format!(" = {x}，应 ≥ {l}"),
                        )
                    } else if lo == f64::MIN {
                        self.invalid(
                            arg,
                            &format!("= {x} must be {h} or less"),
                            &format!(" = {x}，应 ≤ {h}"),
                        )
                    } else {
                        self.invalid(
                            arg,
                            &format!("= {x} is outside {l}–{h}"),
                            &format!(" = {x}，超出范围 {l}–{h}"),
                        )
                    })
                }
                _ => Err(self.invalid(arg, "is not a finite number", "不是有限数值")),
            },
            _ => Err(self.invalid(arg, "is not a number", "不是数值")),
        }
    }

    /// A number above zero (a divisor, a weight), if entered.
    pub fn opt_pos(&self, arg: &str) -> Stop<Option<f64>> {
        match self.opt_num(arg, f64::MIN, f64::MAX)? {
            Some(x) if x <= 0.0 => Err(self.invalid(
                arg,
                &format!("= {x} must be above 0"),
                &format!(" = {x}，应大于 0"),
            )),
            x => Ok(x),
        }
    }

    /// A whole number within `lo..=hi`, if entered.
    pub fn opt_int(&self, arg: &str, lo: i64, hi: i64) -> Stop<Option<i64>> {
        match self.opt_num(arg, lo as f64, hi as f64)? {
            None => Ok(None),
            Some(x) if x.fract() == 0.0 => Ok(Some(x as i64)),
            Some(x) => Err(self.invalid(
                arg,
                &format!("= {x} is not a whole number"),
                &format!(" = {x}，应为整数"),
            )),
        }
    }

    /// A code of `codes`, if entered; any other value is refused.
    pub fn opt_code(&self, arg: &str, codes: &[&'static str]) -> Stop<Option<&'static str>> {
        match self.get(arg) {
            Json::Null | Json::Object(_) => Ok(None),
            Json::String(s) => match codes.iter().find(|c| **c == s) {
                Some(c) => Ok(Some(c)),
                None => Err(self.invalid(
                    arg,
                    &format!("has an unknown code {s:?} (expected {})", codes.join(", ")),
                    &format!("的代码 {s:?} 无法识别（应为 {}）", codes.join("、")),
                )),
            },
            other => Err(self.invalid(
                arg,
                &format!(
                    "has an unknown code {other} (expected {})",
                    codes.join(", ")
                ),
                &format!("的代码 {other} 无法识别（应为 {}）", codes.join("、")),
            )),
        }
    }

    /// A yes/no answer (`Y`/`N`, or a boolean item), if entered.
    pub fn opt_yn(&self, arg: &str) -> Stop<Option<bool>> {
        if let Json::Bool(b) = self.get(arg) {
            return Ok(Some(b));
        }
        Ok(self.opt_code(arg, &["Y", "N"])?.map(|c| c == "Y"))
    }

    /// A complete date (or the calendar date of a date-time) as a day number, if entered.
    pub fn opt_day(&self, arg: &str) -> Stop<Option<i64>> {
        match self.get(arg) {
            Json::Null | Json::Object(_) => Ok(None),
            Json::String(s) => match crate::expr::date_interval(&s) {
                Some((a, b)) if a == b => Ok(Some(a)),
                Some(_) => Err(self.invalid(
                    arg,
                    &format!("= {s} is a partial date"),
                    &format!(" = {s}，为不完整日期"),
                )),
                None => Err(self.invalid(
                    arg,
                    &format!("= {s} is not a date"),
                    &format!(" = {s}，不是日期"),
                )),
            },
            other => Err(self.invalid(
                arg,
                &format!("= {other} is not a date"),
                &format!(" = {other}，不是日期"),
            )),
        }
    }

    /// A numeric study parameter, `default` when the definition does not set it.
    pub fn param(&self, name: &str, default: f64) -> Stop<f64> {
        match self.def.parameters.get(name) {
            None => Ok(default),
            Some(v) => v
                .as_f64()
                .filter(|x| x.is_finite())
                .ok_or_else(|| bad_param(name, "is not a number", "不是数值")),
        }
    }

    /// A true/false study parameter, `default` when the definition does not set it.
    pub fn param_flag(&self, name: &str, default: bool) -> Stop<bool> {
        match self.def.parameters.get(name) {
            None => Ok(default),
            Some(v) => v
                .as_bool()
                .ok_or_else(|| bad_param(name, "is not true or false", "不是 true 或 false")),
        }
    }
}

fn bad_param(name: &str, en: &str, zh: &str) -> Outcome {
    Outcome::Invalid {
        items: vec![],
        reason: Text {
            en: format!("study parameter {name} {en}"),
            zh: format!("研究参数 {name} {zh}"),
        },
    }
}

/// Runs one derivation function.
pub fn run(function: &str, inp: &Inputs) -> Outcome {
    let r: Stop<Outcome> = match function {
        "eligibility" => Ok(basic::eligibility(inp)),
        "age_years" => Ok(basic::age_years(inp)),
        "bsa_mosteller" => Ok(basic::bsa_mosteller(inp)),
        "bmi" => Ok(basic::bmi(inp)),
        "dose_per_m2" => dosing::dose_per_m2(inp),
        "percent_of" => dosing::percent_of(inp),
        "cells_per_kg" => dosing::cells_per_kg(inp),
        "study_day" => dosing::study_day(inp),
        "sum" => dosing::sum(inp),
        "crs_grade" => crs::crs_grade(inp),
        "ice_score" => icans::ice_score(inp),
        "icans_grade" => icans::icans_grade(inp),
        "all_response" => all::all_response(inp),
        "mrd_status" => all::mrd_status(inp),
        "lugano_pet" => lugano::lugano_pet(inp),
        "lugano_ct" => lugano::lugano_ct(inp),
        "lugano_overall" => lugano::lugano_overall(inp),
        other => Ok(Outcome::Missing(vec![format!("unknown function {other}")])),
    };
    match r.unwrap_or_else(|o| o) {
        // A computation that overflowed (no finite number to store) is not derivable.
        Outcome::Value {
            value: Json::Null, ..
        } => Outcome::Invalid {
            items: vec![],
            reason: Text {
                en: "the result is not a finite number; check the inputs".into(),
                zh: "结果不是有限数值，请核对输入".into(),
            },
        },
        o => o,
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
    derive_prefix(def, form, values, subject, form.derived.len())
}

/// The derived value `id` of a form instance: what [`derive_form`] gives for it, computed
/// without the derivations after it (a derivation reads only earlier ones). `None` when the
/// form has no derivation `id`.
pub fn derive_one(
    def: &Definition,
    form: &FormDef,
    values: &FormValues,
    subject: &dyn SubjectView,
    id: &str,
) -> Option<Derived> {
    let n = form.derived.iter().position(|d| d.id == id)? + 1;
    derive_prefix(def, form, values, subject, n).pop()
}

/// The first `n` derived values of a form instance, in definition order.
fn derive_prefix(
    def: &Definition,
    form: &FormDef,
    values: &FormValues,
    subject: &dyn SubjectView,
    n: usize,
) -> Vec<Derived> {
    let mut out = Vec::new();
    let mut so_far: BTreeMap<String, Json> = BTreeMap::new();
    for spec in form.derived.iter().take(n) {
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
            Outcome::Invalid { items, reason } => Derived {
                id: spec.id.clone(),
                value: Json::Null,
                display: Text {
                    en: format!("not derivable: {}", reason.en),
                    zh: format!("无法推导：{}", reason.zh),
                },
                missing: items,
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

/// The label of an item or derived value of the form; the id itself when there is none.
fn label(form: &FormDef, item: &str, zh: bool) -> String {
    let text = form
        .item(item)
        .map(|i| &i.label)
        .or_else(|| form.derived.iter().find(|d| d.id == item).map(|d| &d.label));
    match text {
        Some(t) if zh => t.zh.clone(),
        Some(t) => t.en.clone(),
        None => item.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::ItemType;
    use crate::validate::Slot;

    /// Other forms' values for cross-form inputs.
    struct Others;
    impl SubjectView for Others {
        fn value(&self, _: Option<&str>, form: &str, item: &str) -> Json {
            match (form, item) {
                ("DM", "BRTHDAT") => Json::from("1961-04-12"),
                ("INF", "INFDAT") => Json::from("2025-03-03"),
                _ => Json::from(40.0),
            }
        }
    }

    /// Each derived value alone is what the whole form's derivation gives for it, whatever
    /// the values (none, or every item filled with the `k`-th choice, a number, a date).
    #[test]
    fn one_derived_value_is_that_of_the_whole_form() {
        let def = crate::definition::builtin();
        let mut checked = 0;
        for form in &def.forms {
            for k in 0..4usize {
                let mut values = FormValues::new();
                if k > 0 {
                    for item in &form.items {
                        let v = match item.kind {
                            ItemType::Integer => Json::from(k as i64),
                            ItemType::Decimal => Json::from(k as f64 * 17.5),
                            ItemType::Date => Json::from(format!("2025-0{k}-15")),
                            ItemType::Datetime => Json::from(format!("2025-0{k}-15T10:00:00Z")),
                            ItemType::Boolean => Json::from(k % 2 == 0),
                            ItemType::Choice => item
                                .codelist
                                .as_deref()
                                .and_then(|c| def.codelist(c))
                                .and_then(|c| c.choices.get(k % c.choices.len()))
                                .map_or(Json::Null, |c| Json::from(c.code.clone())),
                            _ => Json::from("text"),
                        };
                        values.insert(
                            Slot {
                                group: item.group.clone(),
                                repeat: 1,
                                item: item.id.clone(),
                            },
                            v,
                        );
                    }
                }
                let all = derive_form(&def, form, &values, &Others);
                for d in &all {
                    assert_eq!(
                        derive_one(&def, form, &values, &Others, &d.id).as_ref(),
                        Some(d),
                        "{} {}",
                        form.id,
                        d.id
                    );
                    checked += 1;
                }
                assert!(derive_one(&def, form, &values, &Others, "NO_SUCH").is_none());
            }
        }
        assert!(checked > 100, "{checked}");
    }

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
