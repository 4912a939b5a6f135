//! Form entry: show, live check, save (validate, derive, append, commit).

use crate::auth::Session;
use crate::dto::{CheckOutcome, FormView, OverrideView, QueryView, SaveOutcome, ValueEntry};
use crate::view::StoreView;
use crate::{Ecrf, Result, ServiceError};
use ecrf_core::address::FormRef;
use ecrf_core::definition::{Definition, FormDef, Severity, MAIN_GROUP};
use ecrf_core::derive::{derive_form, Derived};
use ecrf_core::event::{Payload, Target};
use ecrf_core::ids::SubjectId;
use ecrf_core::roles::Action;
use ecrf_core::validate::{check_value, hidden_slots, validate_form, Finding, FormValues, Slot};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// Turns form data JSON (item id → value; a repeating group id → rows) into entries.
///
/// `{"SEX": "F", "LESIONS": [{"LDIAM": 12}, null, {"LDIAM": 9}]}`: rows are numbered from 1;
/// a `null` row is left as it is. `{"LESIONS": {"2": {"LDIAM": 12}}}` patches row 2 only.
pub fn parse_data(form: &FormDef, data: &Json) -> Result<Vec<ValueEntry>> {
    let obj = data.as_object().ok_or_else(|| {
        ServiceError::InvalidInput("form data must be a JSON object: item id → value".into())
    })?;
    let mut out = Vec::new();
    for (key, v) in obj {
        if let Some(item) = form.item(key) {
            if form.group_is_repeating(&item.group) {
                return Err(ServiceError::InvalidInput(format!(
                    "item {key} is in repeating group {}: give it as {{\"{}\": [{{\"{key}\": ...}}]}}",
                    item.group, item.group
                )));
            }
            out.push(ValueEntry {
                group: item.group.clone(),
                repeat: 1,
                item: key.clone(),
                value: v.clone(),
            });
        } else if form.group_is_repeating(key) {
            let rows: Vec<(u32, &Json)> = match v {
                Json::Array(rows) => rows
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (i as u32 + 1, r))
                    .collect(),
                Json::Object(m) => m
                    .iter()
                    .map(|(k, r)| {
                        k.parse::<u32>()
                            .ok()
                            .filter(|n| *n >= 1)
                            .map(|n| (n, r))
                            .ok_or_else(|| {
                                ServiceError::InvalidInput(format!(
                                    "group {key}: row {k:?} is not a number from 1"
                                ))
                            })
                    })
                    .collect::<Result<_>>()?,
                _ => {
                    return Err(ServiceError::InvalidInput(format!(
                        "group {key}: expected a list of rows"
                    )))
                }
            };
            for (n, row) in rows {
                match row {
                    Json::Null => {}
                    Json::Object(items) => {
                        for (ik, iv) in items {
                            match form.item(ik) {
                                Some(it) if it.group == *key => out.push(ValueEntry {
                                    group: key.clone(),
                                    repeat: n,
                                    item: ik.clone(),
                                    value: iv.clone(),
                                }),
                                _ => {
                                    return Err(ServiceError::InvalidInput(format!(
                                        "group {key} has no item {ik}"
                                    )))
                                }
                            }
                        }
                    }
                    _ => {
                        return Err(ServiceError::InvalidInput(format!(
                            "group {key}: row {n} must be an object"
                        )))
                    }
                }
            }
        } else {
            return Err(ServiceError::InvalidInput(format!(
                "form {} has no item or repeating group {key}",
                form.id
            )));
        }
    }
    Ok(out)
}

/// One value checked and normalised for an item (a conflict resolution enters it).
pub(crate) fn check_item_value(
    def: &Definition,
    form: &FormDef,
    group: &str,
    item: &str,
    value: &Json,
) -> Result<Json> {
    let slot = Slot {
        group: group.to_string(),
        repeat: 1,
        item: item.to_string(),
    };
    if form.item(item).is_none_or(|it| it.group != group) {
        return Err(ServiceError::InvalidInput(format!(
            "form {} has no item {group}/{item}",
            form.id
        )));
    }
    check_value(def, form, &slot, value).map_err(|f| validation(vec![*f]))
}

/// Why an item cannot be at this group and row of a form (unknown item, another group, a row
/// that cannot exist), or `None`. One rule for saving values and for addressing queries and
/// verification marks.
pub(crate) fn placement_problem(
    form: &FormDef,
    group: &str,
    repeat: u32,
    item: &str,
) -> Option<String> {
    let Some(it) = form.item(item) else {
        return Some(format!("form {} has no item {item}", form.id));
    };
    if it.group != group {
        return Some(format!("item {item} is in group {}, not {group}", it.group));
    }
    let g = form.group(&it.group);
    let repeating = g.as_ref().is_some_and(|g| g.repeating);
    let max = g.and_then(|g| g.max);
    if repeat == 0 || (!repeating && repeat != 1) {
        return Some(format!("item {item}: row {repeat} does not exist"));
    }
    max.filter(|m| repeat > *m)
        .map(|m| format!("group {}: at most {m} rows", it.group))
}

/// Checked entries of one save: normalised values by slot, and the type errors.
struct Checked {
    values: BTreeMap<Slot, Json>,
    errors: Vec<Finding>,
}

fn check_entries(def: &Definition, form: &FormDef, entries: &[ValueEntry]) -> Checked {
    let mut values = BTreeMap::new();
    let mut errors = Vec::new();
    for e in entries {
        let slot = Slot {
            group: e.group.clone(),
            repeat: e.repeat,
            item: e.item.clone(),
        };
        if let Some(msg) = placement_problem(form, &e.group, e.repeat, &e.item) {
            errors.push(Finding {
                item: e.item.clone(),
                group: e.group.clone(),
                repeat: e.repeat,
                rule: "unknown_item".into(),
                severity: Severity::Error,
                message: ecrf_core::definition::Text {
                    en: msg.clone(),
                    zh: msg,
                },
            });
            continue;
        }
        match check_value(def, form, &slot, &e.value) {
            Ok(v) => {
                values.insert(slot, v);
            }
            Err(f) => errors.push(*f),
        }
    }
    Checked { values, errors }
}

impl Ecrf {
    fn resolve_form(&self, f: &FormRef) -> Result<(String, &Definition)> {
        if !self.store.subject_exists(&f.subject)? {
            return Err(ServiceError::NotFound(format!("subject {}", f.subject)));
        }
        // A form instance keeps the version it was first captured under; a new one takes the
        // current version.
        let version = match self.store.form_state(f)? {
            Some(state) => state.definition,
            None => self.current.clone(),
        };
        let def = self.definition_version(&version)?;
        let ev = def
            .event(&f.event)
            .ok_or_else(|| ServiceError::NotFound(format!("event {}", f.event)))?;
        let form = def
            .form(&f.form)
            .ok_or_else(|| ServiceError::NotFound(format!("form {}", f.form)))?;
        if !ev.forms.contains(&f.form) {
            return Err(ServiceError::InvalidInput(format!(
                "event {} has no form {}",
                f.event, f.form
            )));
        }
        if f.event_repeat == 0 || (!ev.repeating && f.event_repeat != 1) {
            return Err(ServiceError::InvalidInput(format!(
                "event {} does not repeat: use repeat 1",
                f.event
            )));
        }
        if f.form_repeat == 0 || (!form.repeating && f.form_repeat != 1) {
            return Err(ServiceError::InvalidInput(format!(
                "form {} does not repeat: use repeat 1",
                f.form
            )));
        }
        Ok((version, def))
    }

    pub(crate) fn today(&self) -> String {
        self.now()
            .with_timezone(&chrono::Local)
            .date_naive()
            .format("%Y-%m-%d")
            .to_string()
    }

    fn evaluate(
        &self,
        def: &Definition,
        form: &FormDef,
        subject: &SubjectId,
        values: &FormValues,
        completing: bool,
    ) -> (Vec<Derived>, Vec<Finding>, Vec<Slot>) {
        let view = StoreView {
            store: &self.store,
            subject,
            today: self.today(),
        };
        let derived = derive_form(def, form, values, &view);
        let dmap: BTreeMap<String, Json> = derived
            .iter()
            .map(|d| (d.id.clone(), d.value.clone()))
            .collect();
        let findings = validate_form(def, form, values, &view, Some(&dmap), completing);
        let hidden = hidden_slots(form, values, &view);
        (derived, findings, hidden)
    }

    pub fn form_show(&mut self, s: &mut Session, f: &FormRef) -> Result<FormView> {
        self.authorize(s, Action::ViewData)?;
        let (version, def) = self.resolve_form(f)?;
        let form = def
            .form(&f.form)
            .ok_or_else(|| ServiceError::NotFound(f.form.clone()))?;
        let values = self.store.form_value_map(f)?;
        let state = self.store.form_state(f)?;
        let status = state
            .as_ref()
            .map_or("not_started".to_string(), |s| s.status.clone());
        let (derived, findings, hidden) =
            self.evaluate(def, form, &f.subject, &values, status == "complete");
        let overrides = self
            .store
            .overrides(f)?
            .into_iter()
            .map(|o| OverrideView {
                id: o.derivation,
                value: o.value,
                derived_then: o.derived,
                reason: o.reason,
                username: o.username,
                at: o.at,
            })
            .collect();
        let queries = self
            .store
            .form_queries(f)?
            .into_iter()
            .map(|q| QueryView {
                query: q.query,
                item: q.item,
                group: q.group,
                repeat: q.repeat,
                rule: q.rule,
                status: q.status,
                text: q.text,
                opened_by: q.opened_by,
                opened_at: q.opened_at,
            })
            .collect();
        let key = f.key();
        let signatures = self
            .signature_views(&f.subject)?
            .into_iter()
            .filter(|v| v.forms.contains(&key))
            .collect();
        Ok(FormView {
            form: f.clone(),
            status,
            definition_version: state.map_or(version, |s| s.definition),
            values: values
                .into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(s, value)| ValueEntry {
                    group: s.group,
                    repeat: s.repeat,
                    item: s.item,
                    value,
                })
                .collect(),
            derived,
            findings,
            hidden,
            overrides,
            queries,
            signatures,
            locked: self.store.lock_of(f)?.map(Into::into),
            verified: self.sdv_view(f)?,
        })
    }

    /// An investigator overrides a derived value of a started form, with a reason; `null`
    /// withdraws the override. Both values stay in the record.
    pub fn override_derived(
        &mut self,
        s: &mut Session,
        f: &FormRef,
        derivation: &str,
        value: &Json,
        reason: &str,
    ) -> Result<FormView> {
        self.authorize(s, Action::OverrideDerived)?;
        let reason = reason.trim();
        if reason.is_empty()
            || reason.chars().count() > 1000
            || reason.chars().any(char::is_control)
        {
            return Err(ServiceError::InvalidInput(
                "an override needs a reason (at most 1000 printable characters)".into(),
            ));
        }
        self.refuse_if_locked(f)?;
        let (_, def) = self.resolve_form(f)?;
        let form = def
            .form(&f.form)
            .ok_or_else(|| ServiceError::NotFound(f.form.clone()))?;
        let spec = form
            .derived
            .iter()
            .find(|d| d.id == derivation)
            .ok_or_else(|| {
                ServiceError::NotFound(format!("derived value {derivation} of form {}", f.form))
            })?;
        if !spec.overridable {
            return Err(ServiceError::InvalidInput(format!(
                "{} ({derivation}) may not be overridden",
                spec.label.en
            )));
        }
        let value = ecrf_core::overrides::check_override(&spec.function, value)
            .map_err(|m| ServiceError::InvalidInput(format!("override of {derivation}: {m}")))?;
        if self.store.form_state(f)?.is_none() {
            return Err(ServiceError::InvalidInput(
                "the form has no data yet: nothing to override".into(),
            ));
        }
        let existing = self.store.overrides(f)?;
        if value.is_null() && !existing.iter().any(|o| o.derivation == derivation) {
            return Err(ServiceError::InvalidInput(format!(
                "{derivation} is not overridden"
            )));
        }
        let values = self.store.form_value_map(f)?;
        let (derived, _, _) = self.evaluate(def, form, &f.subject, &values, false);
        let current = derived
            .iter()
            .find(|d| d.id == derivation)
            .map_or(Json::Null, |d| d.value.clone());
        let now = self.now_str();
        let now_ms = self.now_ms();
        let actor = s.actor();
        let payload = Payload::DerivedOverridden {
            form: f.clone(),
            derivation: derivation.to_string(),
            derived: current,
            value,
            reason: reason.to_string(),
        };
        self.store.write(|tx| -> Result<()> {
            tx.append_local(&actor, &now, now_ms, vec![payload])?;
            Ok(())
        })?;
        self.form_show(s, f)
    }

    /// Findings and derived values for unsaved input, merged over the saved values.
    pub fn form_check(
        &mut self,
        s: &mut Session,
        f: &FormRef,
        entries: &[ValueEntry],
    ) -> Result<CheckOutcome> {
        self.authorize(s, Action::ViewData)?;
        let (_, def) = self.resolve_form(f)?;
        let form = def
            .form(&f.form)
            .ok_or_else(|| ServiceError::NotFound(f.form.clone()))?;
        let mut values = self.store.form_value_map(f)?;
        let checked = check_entries(def, form, entries);
        // An entry that fails its type check counts as missing for derivations.
        for e in entries {
            values.remove(&Slot {
                group: e.group.clone(),
                repeat: e.repeat,
                item: e.item.clone(),
            });
        }
        values.extend(checked.values);
        let (derived, mut findings, hidden) = self.evaluate(def, form, &f.subject, &values, false);
        findings.extend(checked.errors);
        Ok(CheckOutcome {
            derived,
            findings,
            hidden,
        })
    }

    /// Validates, derives and saves a form instance in one transaction: one `value_set` event
    /// per changed item (with the value it replaces and the event that value came from), and
    /// `form_completed` when asked. Errors refuse the whole save.
    pub fn form_save(
        &mut self,
        s: &mut Session,
        f: &FormRef,
        entries: &[ValueEntry],
        complete: bool,
        reason: Option<&str>,
    ) -> Result<SaveOutcome> {
        self.authorize(s, Action::EnterData)?;
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if let Some(r) = reason {
            if r.chars().count() > 1000 || r.chars().any(char::is_control) {
                return Err(ServiceError::InvalidInput(
                    "a reason for change has at most 1000 printable characters".into(),
                ));
            }
        }
        self.refuse_if_locked(f)?;
        let (version, def) = self.resolve_form(f)?;
        let form = def
            .form(&f.form)
            .ok_or_else(|| ServiceError::NotFound(f.form.clone()))?;
        let checked = check_entries(def, form, entries);
        if !checked.errors.is_empty() {
            return Err(validation(checked.errors));
        }
        let current = self.store.form_values(f)?;
        let mut values: FormValues = current
            .iter()
            .map(|(s, v, _)| (s.clone(), v.clone()))
            .collect();
        let mut changes = Vec::new();
        for (slot, new) in checked.values {
            let old = values.get(&slot).cloned().unwrap_or(Json::Null);
            if old != new {
                let base = current
                    .iter()
                    .find(|(s, _, _)| *s == slot)
                    .map(|(_, _, id)| id.clone());
                changes.push((slot.clone(), old, new.clone(), base));
            }
            values.insert(slot, new);
        }
        let state = self.store.form_state(f)?;
        let was_complete = state.as_ref().is_some_and(|s| s.status == "complete");
        if was_complete && !changes.is_empty() && reason.is_none() {
            return Err(ServiceError::ReasonRequired);
        }
        let completing = complete || was_complete;
        let (derived, findings, _) = self.evaluate(def, form, &f.subject, &values, completing);
        let errors: Vec<Finding> = findings
            .iter()
            .filter(|x| x.severity == Severity::Error)
            .cloned()
            .collect();
        if !errors.is_empty() {
            return Err(validation(errors));
        }
        let warnings: Vec<Finding> = findings
            .into_iter()
            .filter(|x| x.severity == Severity::Warning)
            .collect();
        let mut payloads: Vec<Payload> = changes
            .into_iter()
            .map(|(slot, old, new, base)| Payload::ValueSet {
                item: f.item(&slot.group, slot.repeat, &slot.item),
                old,
                new,
                base,
                reason: reason.map(str::to_string),
                definition_version: version.clone(),
            })
            .collect();
        if complete && !was_complete {
            payloads.push(Payload::FormCompleted {
                form: f.clone(),
                definition_version: version.clone(),
            });
        }
        // Each warning opens a query, unless one from the same rule on the same item is still
        // open or answered.
        let existing = self.store.form_queries(f)?;
        let mut queries_opened = 0;
        if !payloads.is_empty() {
            for w in &warnings {
                let item = f.item(&w.group, w.repeat, &w.item);
                let live = existing.iter().any(|q| {
                    q.status != "closed"
                        && q.rule.as_deref() == Some(w.rule.as_str())
                        && q.item.as_deref() == Some(w.item.as_str())
                        && q.group.as_deref() == Some(w.group.as_str())
                        && q.repeat == Some(w.repeat)
                });
                if !live {
                    payloads.push(Payload::QueryOpened {
                        query: uuid::Uuid::new_v4(),
                        target: Target::Item(item),
                        text: w.message.en.clone(),
                        rule: Some(w.rule.clone()),
                    });
                    queries_opened += 1;
                }
            }
        }
        let n = payloads.len() as u32;
        if n > 0 {
            let now = self.now_str();
            let now_ms = self.now_ms();
            let actor = s.actor();
            let derived_json = serde_json::to_value(&derived)
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            let user = s.username.clone();
            self.store.write(|tx| -> Result<()> {
                tx.append_local(&actor, &now, now_ms, payloads)?;
                tx.set_derived(f, &derived_json)?;
                // What was typed is now data: the draft goes in the same transaction.
                tx.drop_draft(&user, f)?;
                Ok(())
            })?;
        } else {
            let user = s.username.clone();
            self.store.write(|tx| -> Result<()> {
                tx.drop_draft(&user, f)?;
                Ok(())
            })?;
        }
        let status = self
            .store
            .form_state(f)?
            .map_or("not_started".to_string(), |s| s.status);
        Ok(SaveOutcome {
            form: f.clone(),
            status,
            events: n,
            derived,
            findings: warnings,
            queries_opened,
        })
    }
}

fn validation(errors: Vec<Finding>) -> ServiceError {
    let first = errors
        .first()
        .map(|f| f.message.en.clone())
        .unwrap_or_default();
    let message = match errors.len() {
        1 => format!("not saved: {first}"),
        n => format!("not saved: {first} (and {} more problems)", n - 1),
    };
    ServiceError::Validation {
        message,
        findings: errors,
    }
}

/// The main group's id, for shells that address single items.
pub const MAIN: &str = MAIN_GROUP;
