//! What the reports and outcomes read, for every subject in one pass: the instances of the
//! forms they need with their current values (one subject at a time, from three queries over
//! all subjects), the overrides (one query), and other forms' values for the derivations'
//! cross-form inputs (one query per item asked for), instead of a few queries per form
//! instance. Derived values are recomputed from these (up to the one needed), never read from
//! the values kept with each form: those can be stale when another form changed.

use crate::{Ecrf, Result, ServiceError};
use ecrf_core::definition::{DerivedDef, FormDef};
use ecrf_core::derive::derive_one;
use ecrf_core::ids::SubjectId;
use ecrf_core::validate::{FormValues, SubjectView};
use ecrf_store::{FormInstance, LookupTable, SubjectForms, SubjectRow, Wanted};
use serde_json::Value as Json;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

static NO_VALUES: FormValues = BTreeMap::new();

/// The forms a report reads: all items of each, or only the items named.
#[derive(Default)]
pub(crate) struct Needs(Wanted);

impl Needs {
    /// Every item of `form`.
    pub fn all(mut self, form: &str) -> Self {
        self.0.insert(form.to_string(), None);
        self
    }
    /// These items of `form` (every item if another need reads them all).
    pub fn items(mut self, form: &str, items: &[&str]) -> Self {
        let entry = self
            .0
            .entry(form.to_string())
            .or_insert_with(|| Some(BTreeSet::new()));
        if let Some(set) = entry {
            set.extend(items.iter().map(|i| i.to_string()));
        }
        self
    }
}

/// What all subjects share: overrides, cross-form values, today.
struct Shared<'a> {
    ecrf: &'a Ecrf,
    today: String,
    /// Overrides by form key and derivation.
    overrides: HashMap<String, HashMap<String, Json>>,
    /// Other forms' items (form, item, values), each read the first time it is asked for.
    lookups: RefCell<Vec<(String, String, Rc<LookupTable>)>>,
}

/// One subject's forms as a report reads them.
pub(crate) struct Casebook<'s, 'a> {
    shared: &'s Shared<'a>,
    pub id: SubjectId,
    data: SubjectForms,
}

impl Ecrf {
    /// Names of the forms that have a derivation by one of `functions` in any definition
    /// version this node knows.
    pub(crate) fn forms_deriving(&self, functions: &[&str]) -> Vec<String> {
        let mut out = BTreeSet::new();
        for def in self.defs.values() {
            for form in &def.forms {
                if form
                    .derived
                    .iter()
                    .any(|d| functions.contains(&d.function.as_str()))
                {
                    out.insert(form.id.clone());
                }
            }
        }
        out.into_iter().collect()
    }

    /// Calls `f` with each enrolled subject (in id order) and what `needs` names of its forms.
    pub(crate) fn each_casebook(
        &self,
        needs: &Needs,
        mut f: impl FnMut(&SubjectRow, &Casebook) -> Result<()>,
    ) -> Result<()> {
        let shared = Shared {
            ecrf: self,
            today: self.today(),
            overrides: self.store.override_values()?,
            lookups: RefCell::new(Vec::new()),
        };
        self.store.each_subject_forms(&needs.0, |row, data| {
            let book = Casebook {
                shared: &shared,
                id: SubjectId::parse(&row.subject)?,
                data,
            };
            f(row, &book)
        })
    }
}

impl Casebook<'_, '_> {
    /// The subject's instances of the forms read, in the order of `subject_forms`.
    pub fn forms(&self) -> &[FormInstance] {
        &self.data.forms
    }

    /// Current values of a form instance (of a form read).
    pub fn values(&self, form: &FormInstance) -> &FormValues {
        self.data.values.get(&form.key).unwrap_or(&NO_VALUES)
    }

    /// Current values of each instance of `form`, in the order of `subject_forms`.
    pub fn instances<'b>(&'b self, form: &'b str) -> impl Iterator<Item = &'b FormValues> + 'b {
        self.forms()
            .iter()
            .filter(move |f| f.form == form)
            .map(|f| self.values(f))
    }

    /// What [`ecrf_store::Store::lookup`] gives for this subject.
    pub fn lookup(&self, event: Option<&str>, form: &str, item: &str) -> Result<Json> {
        let known = self
            .shared
            .lookups
            .borrow()
            .iter()
            .find(|(f, i, _)| f == form && i == item)
            .map(|(_, _, t)| t.clone());
        let table = match known {
            Some(t) => t,
            None => {
                let t = Rc::new(self.shared.ecrf.store.lookup_table(form, item)?);
                self.shared.lookups.borrow_mut().push((
                    form.to_string(),
                    item.to_string(),
                    t.clone(),
                ));
                t
            }
        };
        Ok(table.value(self.id.as_str(), event)?)
    }

    /// The definition of a form instance and its derivation by one of `functions` (the first),
    /// when it has one.
    pub fn derivation(
        &self,
        form: &FormInstance,
        functions: &[&str],
    ) -> Result<Option<(&FormDef, &DerivedDef)>> {
        let def = self.shared.ecrf.definition_version(&form.definition)?;
        let Some(fd) = def.form(&form.form) else {
            return Ok(None);
        };
        Ok(fd
            .derived
            .iter()
            .find(|d| functions.contains(&d.function.as_str()))
            .map(|spec| (fd, spec)))
    }

    /// The value of a derivation of a form instance as `pick` reads it: the override when
    /// there is one that `pick` reads, else the value derived from current values.
    pub fn derived<T>(
        &self,
        form: &FormInstance,
        fd: &FormDef,
        spec: &DerivedDef,
        pick: impl Fn(&Json) -> Option<T>,
    ) -> Result<Option<T>> {
        if let Some(v) = self
            .shared
            .overrides
            .get(&form.key)
            .and_then(|o| o.get(&spec.id))
            .and_then(&pick)
        {
            return Ok(Some(v));
        }
        let def = self.shared.ecrf.definition_version(&form.definition)?;
        let view = View {
            book: self,
            error: RefCell::new(None),
        };
        // Only this derivation and those before it, which it may read: its value is the one
        // the whole form's derivation gives.
        let derived = derive_one(def, fd, self.values(form), &view, &spec.id);
        if let Some(e) = view.error.into_inner() {
            return Err(e);
        }
        Ok(derived.and_then(|d| pick(&d.value)))
    }
}

/// The subject's other forms as the derivations see them.
struct View<'b, 's, 'a> {
    book: &'b Casebook<'s, 'a>,
    /// The first read that failed (the derivation then saw no value; the report fails).
    error: RefCell<Option<ServiceError>>,
}

impl SubjectView for View<'_, '_, '_> {
    fn value(&self, event: Option<&str>, form: &str, item: &str) -> Json {
        match self.book.lookup(event, form, item) {
            Ok(v) => v,
            Err(e) => {
                self.error.borrow_mut().get_or_insert(e);
                Json::Null
            }
        }
    }
    fn today(&self) -> Option<String> {
        Some(self.book.shared.today.clone())
    }
}
