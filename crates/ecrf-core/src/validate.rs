//! Findings for a form instance's values: errors block saving (or completing), warnings save
//! and open a query. Validation never panics, whatever the values.

use crate::definition::{Definition, FormDef, ItemDef, Severity, Text, MAIN_GROUP};
use crate::expr::{Env, Expr};
use crate::value::{as_number, is_present, normalize};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// Where a value sits inside a form instance.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Slot {
    pub group: String,
    pub repeat: u32,
    pub item: String,
}

impl Slot {
    pub fn main(item: &str) -> Slot {
        Slot {
            group: MAIN_GROUP.into(),
            repeat: 1,
            item: item.into(),
        }
    }
}

/// The current values of one form instance.
pub type FormValues = BTreeMap<Slot, Json>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Finding {
    pub item: String,
    pub group: String,
    pub repeat: u32,
    /// `type`, `required`, `conditional`, `soft_range`, or an edit check's id.
    pub rule: String,
    pub severity: Severity,
    pub message: Text,
}

/// What expressions can see beyond the form itself: other forms of the same subject.
pub trait SubjectView {
    /// The value of `item` in form `form` (in `event`, when given) of this subject.
    fn value(&self, event: Option<&str>, form: &str, item: &str) -> Json;
    /// Today's date (`YYYY-MM-DD`) by the caller's clock.
    fn today(&self) -> Option<String> {
        None
    }
}

/// No other forms: for checks that look at one form only.
pub struct Alone;
impl SubjectView for Alone {
    fn value(&self, _: Option<&str>, _: &str, _: &str) -> Json {
        Json::Null
    }
}

/// The expression environment of one row of a form.
pub struct RowEnv<'a> {
    pub form: &'a FormDef,
    pub values: &'a FormValues,
    pub group: &'a str,
    pub repeat: u32,
    pub subject: &'a dyn SubjectView,
    pub derived: Option<&'a BTreeMap<String, Json>>,
}

impl Env for RowEnv<'_> {
    fn lookup(&self, path: &[String]) -> Json {
        match path {
            [item] => {
                if let Some(def) = self.form.item(item) {
                    let (g, r) = if def.group == self.group {
                        (self.group, self.repeat)
                    } else {
                        (def.group.as_str(), 1)
                    };
                    return self
                        .values
                        .get(&Slot {
                            group: g.to_string(),
                            repeat: r,
                            item: item.clone(),
                        })
                        .cloned()
                        .unwrap_or(Json::Null);
                }
                self.derived
                    .and_then(|d| d.get(item))
                    .cloned()
                    .unwrap_or(Json::Null)
            }
            [form, item] => self.subject.value(None, form, item),
            [event, form, item] => self.subject.value(Some(event), form, item),
            _ => Json::Null,
        }
    }
    fn today(&self) -> Option<String> {
        self.subject.today()
    }
}

fn finding(
    item: &ItemDef,
    slot: &Slot,
    rule: &str,
    severity: Severity,
    en: String,
    zh: String,
) -> Finding {
    Finding {
        item: item.id.clone(),
        group: slot.group.clone(),
        repeat: slot.repeat,
        rule: rule.to_string(),
        severity,
        message: Text { en, zh },
    }
}

/// Checks one typed value: returns the normalised value or an error finding.
pub fn check_value(
    def: &Definition,
    form: &FormDef,
    slot: &Slot,
    raw: &Json,
) -> Result<Json, Box<Finding>> {
    let Some(item) = form.item(&slot.item) else {
        return Err(Box::new(Finding {
            item: slot.item.clone(),
            group: slot.group.clone(),
            repeat: slot.repeat,
            rule: "unknown_item".into(),
            severity: Severity::Error,
            message: Text {
                en: format!("form {} has no item {}", form.id, slot.item),
                zh: format!("表单 {} 没有条目 {}", form.id, slot.item),
            },
        }));
    };
    let cl = item.codelist.as_deref().and_then(|c| def.codelist(c));
    normalize(item, cl, raw).map_err(|p| {
        Box::new(finding(
            item,
            slot,
            "type",
            Severity::Error,
            format!("{}: {p}", item.label.en),
            format!("{}：{}", item.label.zh, p.zh()),
        ))
    })
}

/// The rows present for each group: repeat numbers that hold any value (row 1 always, for
/// non-repeating groups).
pub fn rows(form: &FormDef, values: &FormValues) -> BTreeMap<String, Vec<u32>> {
    let mut out: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    out.insert(MAIN_GROUP.into(), vec![1]);
    for g in &form.groups {
        if !g.repeating {
            out.insert(g.id.clone(), vec![1]);
        } else {
            out.entry(g.id.clone()).or_default();
        }
    }
    for (slot, v) in values {
        if v.is_null() {
            continue;
        }
        let e = out.entry(slot.group.clone()).or_default();
        if !e.contains(&slot.repeat) {
            e.push(slot.repeat);
        }
    }
    for v in out.values_mut() {
        v.sort_unstable();
    }
    out
}

/// Validates a form instance's current values. `completing` adds the required-item errors
/// that block marking the form complete.
pub fn validate_form(
    def: &Definition,
    form: &FormDef,
    values: &FormValues,
    subject: &dyn SubjectView,
    derived: Option<&BTreeMap<String, Json>>,
    completing: bool,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let rows = rows(form, values);
    for item in &form.items {
        let Some(reps) = rows.get(&item.group) else {
            continue;
        };
        for &repeat in reps {
            let slot = Slot {
                group: item.group.clone(),
                repeat,
                item: item.id.clone(),
            };
            let v = values.get(&slot).cloned().unwrap_or(Json::Null);
            let env = RowEnv {
                form,
                values,
                group: &item.group,
                repeat,
                subject,
                derived,
            };
            let applicable = match &item.when {
                None => Some(true),
                Some(w) => Expr::parse(w).ok().and_then(|e| e.truth(&env)),
            };
            if is_present(&v) {
                if applicable == Some(false) {
                    out.push(finding(
                        item,
                        &slot,
                        "conditional",
                        Severity::Warning,
                        format!("{} is filled although it does not apply", item.label.en),
                        format!("{} 不适用，但已填写", item.label.zh),
                    ));
                }
                if let Err(f) = check_value(def, form, &slot, &v) {
                    out.push(*f);
                }
                if let (Some([lo, hi]), Some(x)) = (item.soft_range, as_number(&v)) {
                    if x < lo || x > hi {
                        let unit = item.unit.as_deref().unwrap_or("");
                        out.push(finding(
                            item,
                            &slot,
                            "soft_range",
                            Severity::Warning,
                            format!("{} {x} {unit} is outside the expected range {lo}–{hi}; please confirm", item.label.en),
                            format!("{} {x} {unit} 超出预期范围 {lo}–{hi}，请确认", item.label.zh),
                        ));
                    }
                }
            } else if completing && item.required && applicable == Some(true) {
                out.push(finding(
                    item,
                    &slot,
                    "required",
                    Severity::Error,
                    format!("{} is required", item.label.en),
                    format!("{} 为必填项", item.label.zh),
                ));
            }
        }
    }
    for ck in &form.checks {
        let Some(item) = form.item(&ck.item) else {
            continue;
        };
        let Some(reps) = rows.get(&item.group) else {
            continue;
        };
        for &repeat in reps {
            let env = RowEnv {
                form,
                values,
                group: &item.group,
                repeat,
                subject,
                derived,
            };
            let applies = match &ck.when {
                None => true,
                Some(w) => Expr::parse(w).ok().and_then(|e| e.truth(&env)) == Some(true),
            };
            if !applies {
                continue;
            }
            if Expr::parse(&ck.assertion).ok().and_then(|e| e.truth(&env)) == Some(false) {
                out.push(Finding {
                    item: item.id.clone(),
                    group: item.group.clone(),
                    repeat,
                    rule: ck.id.clone(),
                    severity: ck.severity,
                    message: ck.message.clone(),
                });
            }
        }
    }
    out
}

/// Slots whose item condition (`when`) is not true for the current values: hidden, and not
/// required. A condition that reads a missing value is unknown, so its item stays hidden until
/// that value is entered (the CD19 method appears once CD19 status is known).
pub fn hidden_slots(form: &FormDef, values: &FormValues, subject: &dyn SubjectView) -> Vec<Slot> {
    let rows = rows(form, values);
    let mut out = Vec::new();
    for item in &form.items {
        let Some(w) = &item.when else { continue };
        let Ok(expr) = Expr::parse(w) else { continue };
        for &repeat in rows.get(&item.group).map(Vec::as_slice).unwrap_or(&[]) {
            let env = RowEnv {
                form,
                values,
                group: &item.group,
                repeat,
                subject,
                derived: None,
            };
            if expr.truth(&env) != Some(true) {
                out.push(Slot {
                    group: item.group.clone(),
                    repeat,
                    item: item.id.clone(),
                });
            }
        }
    }
    out
}
