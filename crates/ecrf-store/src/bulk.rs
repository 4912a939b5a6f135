//! Bulk reads for the reports: the forms, current values and overrides of every enrolled
//! subject in a few queries, instead of a few queries per form instance. Each gives, grouped,
//! exactly what the per-form and per-subject queries of the projections give
//! (`subject_forms`, `form_value_map`, `lookup`, `overrides`), so that a report computed from
//! them is the report computed subject by subject.

use crate::{Result, Store, StoreError, SubjectRow};
use ecrf_core::validate::{FormValues, Slot};
use rusqlite::params_from_iter;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A form instance of a subject (without its values).
#[derive(Debug, Clone)]
pub struct FormInstance {
    /// The form instance's key ([`ecrf_core::address::FormRef::key`]).
    pub key: String,
    pub form: String,
    /// The definition version it was captured under.
    pub definition: String,
}

/// Some forms of one subject with their current values.
#[derive(Debug, Default)]
pub struct SubjectForms {
    pub forms: Vec<FormInstance>,
    /// Current values by form key.
    pub values: HashMap<String, FormValues>,
}

/// Which forms to read: every item of a form (`None`) or the items named.
pub type Wanted = BTreeMap<String, Option<BTreeSet<String>>>;

/// Every value of one item (`FORM.ITEM`) over all subjects, to answer
/// [`Store::lookup`] in memory.
#[derive(Debug, Default)]
pub struct LookupTable {
    /// Per subject, its (event, value as stored) in the order `lookup` prefers them.
    rows: HashMap<String, Vec<(String, String)>>,
}

impl LookupTable {
    /// What [`Store::lookup`] gives for this item of `subject` (in `event`, when given).
    pub fn value(&self, subject: &str, event: Option<&str>) -> Result<Json> {
        let found = self.rows.get(subject).and_then(|rows| {
            rows.iter()
                .find(|(ev, _)| event.is_none_or(|e| e == ev))
                .map(|(_, v)| v)
        });
        Ok(match found {
            Some(v) => serde_json::from_str(v)?,
            None => Json::Null,
        })
    }
}

fn from_sql(i: usize) -> impl Fn(rusqlite::types::FromSqlError) -> StoreError {
    move |e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
            .into()
    }
}

/// A text column, borrowed from the row.
fn text<'r>(r: &'r rusqlite::Row, i: usize) -> Result<&'r str> {
    r.get_ref(i)?.as_str().map_err(from_sql(i))
}

/// `?from, …` for `n` parameters numbered from `from`.
fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a form key ([`ecrf_core::address::FormRef::key`]: `subject/event.n/form.n`) is of
/// `subject`.
fn of_subject(key: &str, subject: &str) -> bool {
    key.len() > subject.len() && key.as_bytes()[subject.len()] == b'/' && key.starts_with(subject)
}

/// A value with the key of its form instance and its slot.
type KeyedValue = (String, Slot, Json);

/// A subject's values as they are read, by form key, before they are put in slot order.
#[derive(Default)]
struct Gathered(HashMap<String, Vec<(Slot, Json)>>);

impl Gathered {
    fn add(&mut self, key: &str, slot: Slot, value: Json) {
        match self.0.get_mut(key) {
            Some(v) => v.push((slot, value)),
            None => {
                self.0.insert(key.to_string(), vec![(slot, value)]);
            }
        }
    }

    /// The values of each form instance in slot order.
    fn into_values(self) -> HashMap<String, FormValues> {
        self.0
            .into_iter()
            .map(|(k, v)| (k, v.into_iter().collect()))
            .collect()
    }
}

/// The rows of a values query (form key, group, repeat, item, value, form), ordered by
/// subject, taken one subject at a time.
struct ValueCursor<'s, 'w> {
    rows: rusqlite::Rows<'s>,
    /// The items wanted of each form, when the query returns more.
    only: Option<Vec<(&'w str, &'w BTreeSet<String>)>>,
    /// The first row of a later subject, read ahead (`None` inside when not wanted).
    ahead: Option<(String, Option<KeyedValue>)>,
}

/// The slot and value of a row of a values query, if wanted.
fn row_value(
    only: Option<&[(&str, &BTreeSet<String>)]>,
    r: &rusqlite::Row,
) -> Result<Option<(Slot, Json)>> {
    let item = text(r, 3)?;
    if let Some(only) = only {
        let form = text(r, 5)?;
        if !only.iter().any(|(f, i)| *f == form && i.contains(item)) {
            return Ok(None);
        }
    }
    let slot = Slot {
        group: r.get(1)?,
        repeat: r.get(2)?,
        item: item.to_string(),
    };
    // JSON text is UTF-8: parsed from the bytes, checked once by the parser.
    let value = serde_json::from_slice(r.get_ref(4)?.as_bytes().map_err(from_sql(4))?)?;
    Ok(Some((slot, value)))
}

impl ValueCursor<'_, '_> {
    /// Adds the rows of `subject` (the next subject with rows, or an earlier one) to `into`.
    fn take(&mut self, subject: &str, into: &mut Gathered) -> Result<()> {
        if let Some((s, value)) = self.ahead.take() {
            if s != subject {
                self.ahead = Some((s, value));
                return Ok(());
            }
            if let Some((key, slot, value)) = value {
                into.add(&key, slot, value);
            }
        }
        while let Some(r) = self.rows.next()? {
            let key = text(r, 0)?;
            let value = row_value(self.only.as_deref(), r)?;
            if of_subject(key, subject) {
                if let Some((slot, value)) = value {
                    into.add(key, slot, value);
                }
            } else {
                let s = key.split('/').next().unwrap_or_default().to_string();
                let value = value.map(|(slot, value)| (key.to_string(), slot, value));
                self.ahead = Some((s, value));
                break;
            }
        }
        Ok(())
    }
}

impl Store {
    /// Runs `f` in one read transaction, so that several bulk reads see one state of the
    /// database (and take its read lock once).
    pub fn read_snapshot<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce() -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(StoreError::from)?;
        let out = f()?;
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    /// Calls `f` with each enrolled subject, in the order of [`Store::subjects`], and its
    /// instances of the forms in `wanted` with their current values. Instances are in the
    /// order of [`Store::subject_forms`] (by last change; every event changes one form, so the
    /// order is total) and their values are those of [`Store::form_value_map`] (of the items
    /// named); an instance without values has none in `values`. One subject's data is in
    /// memory at a time.
    ///
    /// `form_values` joins each value to the event that set it; every value has that event (a
    /// foreign key, and events are never deleted), so the join leaves no value out and is not
    /// made here.
    pub fn each_subject_forms<E: From<StoreError>>(
        &self,
        wanted: &Wanted,
        mut f: impl FnMut(&SubjectRow, SubjectForms) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let subjects = self.subjects()?;
        let names: Vec<&str> = wanted.keys().map(String::as_str).collect();
        let whole: Vec<&str> = wanted
            .iter()
            .filter(|(_, items)| items.is_none())
            .map(|(f, _)| f.as_str())
            .collect();
        let some: Vec<(&str, &BTreeSet<String>)> = wanted
            .iter()
            .filter_map(|(f, items)| items.as_ref().map(|i| (f.as_str(), i)))
            .collect();
        let some_forms: Vec<&str> = some.iter().map(|(f, _)| *f).collect();
        let some_items: BTreeSet<&str> = some
            .iter()
            .flat_map(|(_, i)| i.iter().map(String::as_str))
            .collect();
        // Every query is in the order of the subjects (by id); values as ranges of the table,
        // which is ordered by (subject, form, key).
        let mut forms = self
            .conn
            .prepare(&format!(
                "SELECT subject, form_key, form, definition FROM forms \
                 WHERE subject IN (SELECT subject FROM subjects) AND form IN ({}) \
                 ORDER BY subject, updated_rowid",
                placeholders(1, names.len())
            ))
            .map_err(StoreError::from)?;
        let mut forms = forms
            .query(params_from_iter(&names))
            .map_err(StoreError::from)?;
        const VALUES: &str =
            "SELECT form_key, grp, grp_repeat, item, value, form FROM item_values \
             WHERE subject IN (SELECT subject FROM subjects)";
        let mut whole_stmt = self
            .conn
            .prepare(&format!(
                "{VALUES} AND form IN ({}) ORDER BY subject",
                placeholders(1, whole.len())
            ))
            .map_err(StoreError::from)?;
        let mut some_stmt = self
            .conn
            .prepare(&format!(
                "{VALUES} AND form IN ({}) AND item IN ({}) ORDER BY subject",
                placeholders(1, some_forms.len()),
                placeholders(some_forms.len() + 1, some_items.len())
            ))
            .map_err(StoreError::from)?;
        let mut cursors = [
            ValueCursor {
                rows: whole_stmt
                    .query(params_from_iter(&whole))
                    .map_err(StoreError::from)?,
                only: None,
                ahead: None,
            },
            ValueCursor {
                rows: some_stmt
                    .query(params_from_iter(some_forms.iter().chain(&some_items)))
                    .map_err(StoreError::from)?,
                // The items are asked for all these forms together: keep each form's own.
                only: Some(some),
                ahead: None,
            },
        ];
        let mut form_ahead: Option<(String, FormInstance)> = None;
        for row in &subjects {
            let mut data = SubjectForms::default();
            loop {
                let (subject, form) = match form_ahead.take() {
                    Some(x) => x,
                    None => match forms.next().map_err(StoreError::from)? {
                        Some(r) => (
                            r.get(0).map_err(StoreError::from)?,
                            FormInstance {
                                key: r.get(1).map_err(StoreError::from)?,
                                form: r.get(2).map_err(StoreError::from)?,
                                definition: r.get(3).map_err(StoreError::from)?,
                            },
                        ),
                        None => break,
                    },
                };
                if subject != row.subject {
                    form_ahead = Some((subject, form));
                    break;
                }
                data.forms.push(form);
            }
            let mut gathered = Gathered::default();
            for c in &mut cursors {
                c.take(&row.subject, &mut gathered)?;
            }
            data.values = gathered.into_values();
            f(row, data)?;
        }
        if form_ahead.is_some() || cursors.iter().any(|c| c.ahead.is_some()) {
            // Rows of an enrolled subject not met in the subjects' order: never, as every
            // query is in that order.
            return Err(StoreError::Invalid("forms out of the order of subjects".into()).into());
        }
        Ok(())
    }

    /// Every value of `form.item` of the enrolled subjects, to answer [`Store::lookup`] for
    /// any of them in memory.
    pub fn lookup_table(&self, form: &str, item: &str) -> Result<LookupTable> {
        // The order of `lookup`'s choice: the first repeat of the group, then the key.
        let mut stmt = self.conn.prepare_cached(
            "SELECT subject, event, value FROM item_values \
             WHERE subject IN (SELECT subject FROM subjects) AND form = ?1 AND item = ?2 \
             ORDER BY subject, grp_repeat, key",
        )?;
        let mut rows = stmt.query([form, item])?;
        let mut table = LookupTable::default();
        while let Some(r) = rows.next()? {
            let subject = text(r, 0)?;
            let row = (r.get(1)?, r.get(2)?);
            match table.rows.get_mut(subject) {
                Some(v) => v.push(row),
                None => {
                    table.rows.insert(subject.to_string(), vec![row]);
                }
            }
        }
        Ok(table)
    }

    /// The value of every override (withdrawn ones are null), by form key and derivation id.
    pub fn override_values(&self) -> Result<HashMap<String, HashMap<String, Json>>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT form_key, derivation, value FROM overrides")?;
        let mut rows = stmt.query([])?;
        let mut out: HashMap<String, HashMap<String, Json>> = HashMap::new();
        while let Some(r) = rows.next()? {
            let key: String = r.get(0)?;
            let value: String = r.get(2)?;
            out.entry(key)
                .or_default()
                .insert(r.get(1)?, serde_json::from_str(&value)?);
        }
        Ok(out)
    }
}
