//! CSV export: a table per form (a row per form instance), a table per repeating item group (a
//! row per group row), the data dictionary and the code lists. Values are written as entered
//! ([`super::display_value`]): ISO 8601 dates and times, numbers as stored, `true`/`false`,
//! choice codes (decoded in `codelists.csv`), `NOT DONE: reason`, `ND`/`UNK`/`NA`/`NASK`, and
//! `<LLOQ 0.5`; an empty cell is no value.

use super::{
    check_new_output, display_value, finish_partial, io_err, num, partial_path, remove_any,
    type_name,
};
use crate::auth::Session;
use crate::view::StoreView;
use crate::{Ecrf, Result, ServiceError};
use ecrf_core::definition::{Definition, MAIN_GROUP};
use ecrf_core::derive::derive_form;
use ecrf_core::ids::SubjectId;
use ecrf_store::FormState;
use serde::Serialize;
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

/// Columns before the items in a form's table.
pub const FORM_KEYS: [&str; 7] = [
    "subject",
    "site",
    "event",
    "event_repeat",
    "form_repeat",
    "status",
    "definition_version",
];
/// Columns before the items in a repeating group's table.
pub const GROUP_KEYS: [&str; 7] = [
    "subject",
    "site",
    "event",
    "event_repeat",
    "form_repeat",
    "group_repeat",
    "definition_version",
];
/// The prefix of a derived value's column in a form's table.
pub const DERIVED_PREFIX: &str = "derived.";

/// What a CSV export wrote.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CsvSummary {
    pub written: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub subjects: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub forms: u64,
    pub files: Vec<CsvFile>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CsvFile {
    pub file: String,
    /// Data rows (the header not counted).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub rows: u64,
}

/// One table being written.
struct Table {
    file: String,
    w: csv::Writer<File>,
    /// Item (or `derived.ID`) column → position after the key columns.
    columns: Vec<String>,
    rows: u64,
}

fn file_name(parts: &[&str]) -> String {
    let mut s: String = parts
        .join(".")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    s.push_str(".csv");
    s
}

fn csv_err(path: &Path, e: csv::Error) -> ServiceError {
    io_err(path, e)
}

impl Table {
    fn create(dir: &Path, file: String, keys: &[&str], columns: Vec<String>) -> Result<Table> {
        let path = dir.join(&file);
        let f = File::create(&path).map_err(|e| io_err(&path, e))?;
        let mut w = csv::Writer::from_writer(f);
        let mut header: Vec<&str> = keys.to_vec();
        header.extend(columns.iter().map(String::as_str));
        w.write_record(&header).map_err(|e| csv_err(&path, e))?;
        Ok(Table {
            file,
            w,
            columns,
            rows: 0,
        })
    }

    fn row(
        &mut self,
        dir: &Path,
        keys: Vec<String>,
        values: &BTreeMap<String, String>,
    ) -> Result<()> {
        let mut rec = keys;
        rec.extend(
            self.columns
                .iter()
                .map(|c| values.get(c).cloned().unwrap_or_default()),
        );
        self.rows += 1;
        self.w
            .write_record(&rec)
            .map_err(|e| csv_err(&dir.join(&self.file), e))
    }
}

impl Ecrf {
    /// Writes the CSV tables of every subject this user may export into a new folder `out_dir`.
    pub fn export_csv(&mut self, s: &mut Session, out_dir: &Path) -> Result<CsvSummary> {
        let site = self.export_scope(s)?;
        check_new_output(out_dir)?;
        let subjects = self.export_subjects(site.as_deref())?;
        let versions = self.versions_used(site.as_deref())?;
        let mut defs: Vec<&Definition> = Vec::new();
        for v in &versions {
            defs.push(self.definition_version(v)?);
        }
        let partial = partial_path(out_dir);
        if partial.exists() {
            remove_any(&partial).map_err(|e| io_err(&partial, e))?;
        }
        std::fs::create_dir_all(&partial).map_err(|e| io_err(&partial, e))?;
        let result = self.write_csv(&partial, &defs, &subjects);
        match result {
            Ok(mut sum) => {
                finish_partial(&partial, out_dir)?;
                sum.written = out_dir.display().to_string();
                Ok(sum)
            }
            Err(e) => {
                let _ = remove_any(&partial);
                Err(e)
            }
        }
    }

    fn write_csv(
        &self,
        dir: &Path,
        defs: &[&Definition],
        subjects: &[ecrf_store::SubjectRow],
    ) -> Result<CsvSummary> {
        // The layout: every form and repeating group of every version used; columns are the
        // union of the versions' items, in definition order.
        let mut form_cols: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut group_cols: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        let mut order: Vec<String> = Vec::new();
        for d in defs {
            for f in &d.forms {
                if !order.contains(&f.id) {
                    order.push(f.id.clone());
                }
                let cols = form_cols.entry(f.id.clone()).or_default();
                for it in &f.items {
                    if f.group_is_repeating(&it.group) {
                        let g = group_cols
                            .entry((f.id.clone(), it.group.clone()))
                            .or_default();
                        if !g.contains(&it.id) {
                            g.push(it.id.clone());
                        }
                    } else if !cols.contains(&it.id) {
                        cols.push(it.id.clone());
                    }
                }
                for dv in &f.derived {
                    let c = format!("{DERIVED_PREFIX}{}", dv.id);
                    if !cols.contains(&c) {
                        cols.push(c);
                    }
                }
            }
        }
        let mut forms: BTreeMap<String, Table> = BTreeMap::new();
        let mut groups: BTreeMap<(String, String), Table> = BTreeMap::new();
        for id in &order {
            let cols = form_cols.remove(id).unwrap_or_default();
            forms.insert(
                id.clone(),
                Table::create(dir, file_name(&[id]), &FORM_KEYS, cols)?,
            );
        }
        for ((f, g), cols) in group_cols {
            let t = Table::create(dir, file_name(&[&f, &g]), &GROUP_KEYS, cols)?;
            groups.insert((f, g), t);
        }

        let mut n_forms = 0;
        let today = self.today();
        for row in subjects {
            let sid = SubjectId::parse(&row.subject)?;
            let mut states: Vec<FormState> = self.store.subject_forms(&sid)?;
            states.sort_by(|a, b| {
                let k = |f: &FormState| {
                    let def = self.definition_version(&f.definition).ok();
                    let ev = def
                        .and_then(|d| d.events.iter().position(|e| e.id == f.form.event))
                        .unwrap_or(usize::MAX);
                    let fo = def
                        .and_then(|d| d.forms.iter().position(|x| x.id == f.form.form))
                        .unwrap_or(usize::MAX);
                    (ev, f.form.event_repeat, fo, f.form.form_repeat)
                };
                k(a).cmp(&k(b))
            });
            for st in &states {
                let f = &st.form;
                let def = self.definition_version(&st.definition)?;
                let values = self.store.form_value_map(f)?;
                let mut main: BTreeMap<String, String> = BTreeMap::new();
                let mut rows: BTreeMap<(String, u32), BTreeMap<String, String>> = BTreeMap::new();
                let form = def.form(&f.form);
                for (slot, v) in &values {
                    let repeating = form.is_some_and(|fd| fd.group_is_repeating(&slot.group));
                    if repeating {
                        rows.entry((slot.group.clone(), slot.repeat))
                            .or_default()
                            .insert(slot.item.clone(), display_value(v));
                    } else {
                        main.insert(slot.item.clone(), display_value(v));
                    }
                }
                if let Some(fd) = form.filter(|fd| !fd.derived.is_empty()) {
                    let view = StoreView {
                        store: &self.store,
                        subject: &sid,
                        today: today.clone(),
                    };
                    let overrides: BTreeMap<String, Json> = self
                        .store
                        .overrides(f)?
                        .into_iter()
                        .map(|o| (o.derivation, o.value))
                        .collect();
                    for d in derive_form(def, fd, &values, &view) {
                        let shown = match overrides.get(&d.id) {
                            Some(v) => display_value(v),
                            None => match &d.value {
                                Json::Object(_) | Json::Array(_) => d.display.en.clone(),
                                v => display_value(v),
                            },
                        };
                        main.insert(format!("{DERIVED_PREFIX}{}", d.id), shown);
                    }
                }
                if let Some(t) = forms.get_mut(&f.form) {
                    t.row(
                        dir,
                        vec![
                            row.subject.clone(),
                            row.site.clone(),
                            f.event.clone(),
                            f.event_repeat.to_string(),
                            f.form_repeat.to_string(),
                            st.status.clone(),
                            st.definition.clone(),
                        ],
                        &main,
                    )?;
                    n_forms += 1;
                }
                for ((g, rep), vals) in &rows {
                    if let Some(t) = groups.get_mut(&(f.form.clone(), g.clone())) {
                        t.row(
                            dir,
                            vec![
                                row.subject.clone(),
                                row.site.clone(),
                                f.event.clone(),
                                f.event_repeat.to_string(),
                                f.form_repeat.to_string(),
                                rep.to_string(),
                                st.definition.clone(),
                            ],
                            vals,
                        )?;
                    }
                }
            }
        }

        let mut files = Vec::new();
        for t in forms.into_values().chain(groups.into_values()) {
            let path = dir.join(&t.file);
            let f = t.w.into_inner().map_err(|e| io_err(&path, e.error()))?;
            f.sync_all().map_err(|e| io_err(&path, e))?;
            files.push(CsvFile {
                file: t.file,
                rows: t.rows,
            });
        }
        files.push(write_dictionary(dir, defs)?);
        files.push(write_codelists(dir, defs)?);
        Ok(CsvSummary {
            written: String::new(),
            subjects: subjects.len() as u64,
            forms: n_forms,
            files,
        })
    }
}

/// The columns of `data_dictionary.csv`.
pub const DICTIONARY_COLUMNS: [&str; 18] = [
    "definition_version",
    "form",
    "form_name_en",
    "form_name_zh",
    "group",
    "repeating_group",
    "item",
    "label_en",
    "label_zh",
    "type",
    "unit",
    "codelist",
    "range",
    "soft_range",
    "required",
    "condition",
    "special_values",
    "derivation",
];

fn finish(w: csv::Writer<File>, path: &Path) -> Result<()> {
    let f = w.into_inner().map_err(|e| io_err(path, e.error()))?;
    f.sync_all().map_err(|e| io_err(path, e))
}

fn write_dictionary(dir: &Path, defs: &[&Definition]) -> Result<CsvFile> {
    let file = "data_dictionary.csv".to_string();
    let path: PathBuf = dir.join(&file);
    let mut w = csv::Writer::from_writer(File::create(&path).map_err(|e| io_err(&path, e))?);
    w.write_record(DICTIONARY_COLUMNS)
        .map_err(|e| csv_err(&path, e))?;
    let mut rows = 0;
    let range = |r: Option<[f64; 2]>| {
        r.map(|[a, b]| format!("{}..{}", num(a), num(b)))
            .unwrap_or_default()
    };
    for d in defs {
        for f in &d.forms {
            for it in &f.items {
                let mut special: Vec<String> = Vec::new();
                if it.not_done {
                    special.push("NOT DONE".into());
                }
                special.extend(it.codes.iter().cloned());
                if it.blq {
                    special.push("BLQ".into());
                }
                if it.partial {
                    special.push("partial date".into());
                }
                let rec = [
                    d.study.version.clone(),
                    f.id.clone(),
                    f.name.en.clone(),
                    f.name.zh.clone(),
                    it.group.clone(),
                    f.group_is_repeating(&it.group).to_string(),
                    it.id.clone(),
                    it.label.en.clone(),
                    it.label.zh.clone(),
                    type_name(it.kind).to_string(),
                    it.unit.clone().unwrap_or_default(),
                    it.codelist.clone().unwrap_or_default(),
                    range(it.range),
                    range(it.soft_range),
                    it.required.to_string(),
                    it.when.clone().unwrap_or_default(),
                    special.join(" "),
                    String::new(),
                ];
                w.write_record(&rec).map_err(|e| csv_err(&path, e))?;
                rows += 1;
            }
            for dv in &f.derived {
                let args: Vec<String> = dv.inputs.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let rec = [
                    d.study.version.clone(),
                    f.id.clone(),
                    f.name.en.clone(),
                    f.name.zh.clone(),
                    MAIN_GROUP.to_string(),
                    "false".into(),
                    format!("{DERIVED_PREFIX}{}", dv.id),
                    dv.label.en.clone(),
                    dv.label.zh.clone(),
                    "derived".into(),
                    dv.unit.clone().unwrap_or_default(),
                    String::new(),
                    String::new(),
                    String::new(),
                    "false".into(),
                    String::new(),
                    String::new(),
                    format!(
                        "{}({}){}",
                        dv.function,
                        args.join(", "),
                        if dv.overridable { "; overridable" } else { "" }
                    ),
                ];
                w.write_record(&rec).map_err(|e| csv_err(&path, e))?;
                rows += 1;
            }
        }
    }
    finish(w, &path)?;
    Ok(CsvFile { file, rows })
}

fn write_codelists(dir: &Path, defs: &[&Definition]) -> Result<CsvFile> {
    let file = "codelists.csv".to_string();
    let path: PathBuf = dir.join(&file);
    let mut w = csv::Writer::from_writer(File::create(&path).map_err(|e| io_err(&path, e))?);
    w.write_record([
        "definition_version",
        "codelist",
        "order",
        "code",
        "decode_en",
        "decode_zh",
    ])
    .map_err(|e| csv_err(&path, e))?;
    let mut rows = 0;
    for d in defs {
        for c in &d.codelists {
            for (k, ch) in c.choices.iter().enumerate() {
                w.write_record([
                    d.study.version.as_str(),
                    &c.id,
                    &(k + 1).to_string(),
                    &ch.code,
                    &ch.en,
                    &ch.zh,
                ])
                .map_err(|e| csv_err(&path, e))?;
                rows += 1;
            }
        }
    }
    finish(w, &path)?;
    Ok(CsvFile { file, rows })
}
