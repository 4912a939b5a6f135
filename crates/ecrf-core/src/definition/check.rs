//! Semantic checks of a parsed definition; every problem is reported, pointing at the text.

use super::load::{at, locate};
use super::model::*;
use crate::derive::FUNCTIONS as DERIVATIONS;
use crate::expr::Expr;
use crate::value::MISSING_CODES;
use crate::CoreError;
use std::collections::{BTreeMap, BTreeSet};

pub(super) fn check(
    def: &Definition,
    files: &BTreeMap<String, String>,
    root: &str,
) -> Vec<CoreError> {
    let mut errs = Vec::new();
    let root_text = files.get(root).map(String::as_str).unwrap_or("");
    let mut e_root = |needle: &str, msg: String| {
        let (l, c) = locate(root_text, 0, needle);
        errs.push(at(root, l, c, msg));
    };

    if !valid_id(&def.study.id) {
        e_root(
            "id",
            format!(
                "study id {:?} must be letters, digits, '-' or '_'",
                def.study.id
            ),
        );
    }
    let mut seen = BTreeSet::new();
    for cl in &def.codelists {
        let needle = format!("\"{}\"", cl.id);
        if !seen.insert(cl.id.as_str()) {
            e_root(&needle, format!("codelist {:?} is defined twice", cl.id));
        }
        if cl.choices.is_empty() {
            e_root(&needle, format!("codelist {:?} has no choices", cl.id));
        }
        let mut codes = BTreeSet::new();
        for ch in &cl.choices {
            if !codes.insert(ch.code.as_str()) {
                e_root(
                    &needle,
                    format!("codelist {:?}: code {:?} appears twice", cl.id, ch.code),
                );
            }
            if ch.en.trim().is_empty() || ch.zh.trim().is_empty() {
                e_root(
                    &needle,
                    format!(
                        "codelist {:?}: code {:?} needs English and Chinese text",
                        cl.id, ch.code
                    ),
                );
            }
        }
    }
    let form_ids: BTreeSet<&str> = def.forms.iter().map(|f| f.id.as_str()).collect();
    let mut seen = BTreeSet::new();
    for ev in &def.events {
        let needle = format!("id = \"{}\"", ev.id);
        if !valid_id(&ev.id) {
            e_root(
                &needle,
                format!("event id {:?} must be letters, digits, '-' or '_'", ev.id),
            );
        }
        if !seen.insert(ev.id.as_str()) {
            e_root(&needle, format!("event {:?} is defined twice", ev.id));
        }
        for f in &ev.forms {
            if !form_ids.contains(f.as_str()) {
                e_root(
                    &needle,
                    format!("event {:?} lists unknown form {f:?}", ev.id),
                );
            }
        }
        if let Some([a, b]) = ev.window {
            if a > b {
                e_root(
                    &needle,
                    format!("event {:?}: window starts after it ends", ev.id),
                );
            }
            if let Some(d) = ev.day {
                if d < a || d > b {
                    e_root(
                        &needle,
                        format!("event {:?}: day {d} lies outside its window", ev.id),
                    );
                }
            }
        }
        if ev.anchor != Anchor::None && ev.day.is_none() {
            e_root(
                &needle,
                format!("event {:?}: an anchored event needs a day", ev.id),
            );
        }
    }

    let mut seen_forms = BTreeSet::new();
    for form in &def.forms {
        let text = files.get(&form.file).map(String::as_str).unwrap_or("");
        let file = form.file.as_str();
        let mut e = |from: usize, needle: &str, msg: String| {
            let (l, c) = locate(text, from, needle);
            errs.push(at(file, l, c, msg));
        };
        if !valid_id(&form.id) {
            e(
                0,
                "id",
                format!("form id {:?} must be letters, digits, '-' or '_'", form.id),
            );
        }
        if !seen_forms.insert(form.id.as_str()) {
            e(0, "id", format!("form {:?} is defined twice", form.id));
        }
        let mut groups = BTreeSet::from([MAIN_GROUP]);
        for g in &form.groups {
            if !groups.insert(g.id.as_str()) && g.id != MAIN_GROUP {
                e(
                    0,
                    &format!("id = \"{}\"", g.id),
                    format!("group {:?} is defined twice", g.id),
                );
            }
            if g.max.is_some() && !g.repeating {
                e(
                    0,
                    &format!("id = \"{}\"", g.id),
                    format!("group {:?}: max needs repeating = true", g.id),
                );
            }
        }
        let mut items = BTreeSet::new();
        for it in &form.items {
            let needle = format!("id = \"{}\"", it.id);
            let line = locate(text, 0, &needle).0;
            let mut ei = |msg: String| e(line, &needle, format!("item {:?}: {msg}", it.id));
            if !valid_id(&it.id) {
                ei("id must be letters, digits, '-' or '_'".into());
            }
            if !items.insert(it.id.as_str()) {
                ei("defined twice in this form".into());
            }
            if !groups.contains(it.group.as_str()) {
                ei(format!("unknown group {:?}", it.group));
            }
            if it.label.en.trim().is_empty() || it.label.zh.trim().is_empty() {
                ei("needs an English and a Chinese label".into());
            }
            let numeric = matches!(it.kind, ItemType::Integer | ItemType::Decimal);
            match (&it.codelist, it.kind) {
                (None, ItemType::Choice) => ei("a choice item needs a codelist".into()),
                (Some(c), ItemType::Choice) if def.codelist(c).is_none() => {
                    ei(format!("unknown codelist {c:?}"))
                }
                (Some(_), k) if k != ItemType::Choice => {
                    ei("only choice items take a codelist".into())
                }
                _ => {}
            }
            for (name, r) in [("range", it.range), ("soft_range", it.soft_range)] {
                if let Some([lo, hi]) = r {
                    if !numeric {
                        ei(format!("{name} is for integer and decimal items"));
                    }
                    if lo
                        .partial_cmp(&hi)
                        .is_none_or(|o| o == std::cmp::Ordering::Greater)
                    {
                        ei(format!("{name} minimum is above its maximum"));
                    }
                }
            }
            if it.partial && it.kind != ItemType::Date {
                ei("partial is for date items".into());
            }
            if it.blq && !numeric {
                ei("blq is for integer and decimal items".into());
            }
            if it.digits.is_some() && it.kind != ItemType::Decimal {
                ei("digits is for decimal items".into());
            }
            if it.max_length.is_some() && !matches!(it.kind, ItemType::Text | ItemType::Note) {
                ei("max_length is for text items".into());
            }
            for c in &it.codes {
                if !MISSING_CODES.contains(&c.as_str()) {
                    ei(format!(
                        "unknown missing-value code {c:?}; expected one of {MISSING_CODES:?}"
                    ));
                }
            }
            if let Some(w) = &it.when {
                for m in check_expr(def, form, w) {
                    ei(format!("when: {m}"));
                }
            }
        }
        let mut checks = BTreeSet::new();
        for ck in &form.checks {
            let needle = format!("id = \"{}\"", ck.id);
            let line = locate(text, 0, &needle).0;
            let mut ec = |msg: String| e(line, &needle, format!("check {:?}: {msg}", ck.id));
            if !checks.insert(ck.id.as_str()) {
                ec("defined twice in this form".into());
            }
            if form.item(&ck.item).is_none() {
                ec(format!("unknown item {:?}", ck.item));
            }
            for src in std::iter::once(&ck.assertion).chain(ck.when.iter()) {
                for m in check_expr(def, form, src) {
                    ec(m);
                }
            }
        }
        for d in &form.derived {
            let needle = format!("id = \"{}\"", d.id);
            let line = locate(text, 0, &needle).0;
            let mut ed = |msg: String| e(line, &needle, format!("derived {:?}: {msg}", d.id));
            if items.contains(d.id.as_str()) {
                ed("has the id of an item".into());
            }
            match DERIVATIONS.iter().find(|(name, _)| *name == d.function) {
                None => ed(format!("unknown function {:?}", d.function)),
                Some((_, args)) => {
                    for a in args.iter() {
                        if !d.inputs.contains_key(*a) && form.item(a).is_none() {
                            ed(format!("function {:?} needs input {a:?}", d.function));
                        }
                    }
                    for (arg, path) in &d.inputs {
                        if !crate::derive::takes_input(&d.function, arg) {
                            ed(format!("function {:?} takes no input {arg:?}", d.function));
                        }
                        // An input names an item, or (e.g. target lesions) a repeating group.
                        let is_group = form.groups.iter().any(|g| g.id == *path && g.repeating);
                        if let Some(m) = check_path(def, form, path).filter(|_| !is_group) {
                            ed(format!("input {arg:?}: {m}"));
                        }
                    }
                }
            }
        }
    }
    errs
}

fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Parses an expression and checks every path it reads.
fn check_expr(def: &Definition, form: &FormDef, src: &str) -> Vec<String> {
    match Expr::parse(src) {
        Err(e) => vec![e.to_string()],
        Ok(e) => e
            .paths()
            .iter()
            .filter_map(|p| check_path(def, form, &p.join(".")))
            .collect(),
    }
}

/// `ITEM` (this form), `FORM.ITEM` or `EVENT.FORM.ITEM`; `None` when the path resolves.
fn check_path(def: &Definition, form: &FormDef, path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split('.').collect();
    let (f, item) = match parts.as_slice() {
        [i] => (form, *i),
        [f, i] | [_, f, i] => {
            if let [e, _, _] = parts.as_slice() {
                if def.event(e).is_none() {
                    return Some(format!("unknown event {e:?} in {path:?}"));
                }
            }
            match def.form(f) {
                None => return Some(format!("unknown form {f:?} in {path:?}")),
                Some(fd) => (fd, *i),
            }
        }
        _ => return Some(format!("bad reference {path:?}")),
    };
    if f.item(item).is_none() && !f.derived.iter().any(|d| d.id == item) {
        return Some(format!("unknown item {item:?} in {path:?}"));
    }
    None
}
