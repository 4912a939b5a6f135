//! Shared test support for the derivation tables: a one-form definition whose derived value
//! maps every argument of a function to an item named like the argument in capitals
//! (`temp` → `TEMP`), plus the repeating target-lesion group of `lugano_ct`.
#![allow(dead_code)]

use ecrf_core::definition::{Definition, FormDef};
use ecrf_core::derive::{derive_form, Derived, FUNCTIONS, OPTIONAL};
use ecrf_core::validate::{Alone, FormValues, Slot};
use serde_json::{json, Value as Json};

/// Every argument `function` takes, required then optional (`lesions` is a group, not an item).
pub fn args_of(function: &str) -> Vec<&'static str> {
    FUNCTIONS
        .iter()
        .chain(OPTIONAL)
        .filter(|(f, _)| *f == function)
        .flat_map(|(_, a)| a.iter().copied())
        .filter(|a| *a != "lesions")
        .collect()
}

pub fn item_of(arg: &str) -> String {
    arg.to_uppercase()
}

/// The definition and its only form `F`, with one derived value `D` of `function`.
pub fn definition(function: &str, params: &[(&str, Json)]) -> (Definition, FormDef) {
    let mut items: Vec<Json> = args_of(function)
        .iter()
        .map(|a| {
            json!({
                "id": item_of(a),
                "label": {"en": format!("label of {a}"), "zh": format!("{a}标签")},
                "type": "text",
            })
        })
        .collect();
    for id in ["LDIAM", "SDIAM", "LDIAM_NADIR", "SDIAM_NADIR"] {
        items.push(json!({
            "id": id,
            "label": {"en": id, "zh": id},
            "type": "decimal",
            "group": "LESIONS",
        }));
    }
    let inputs: serde_json::Map<String, Json> = args_of(function)
        .iter()
        .map(|a| (a.to_string(), json!(item_of(a))))
        .collect();
    let form: FormDef = serde_json::from_value(json!({
        "id": "F",
        "name": {"en": "Form", "zh": "表"},
        "groups": [{"id": "LESIONS", "name": {"en": "Target lesions", "zh": "靶病灶"},
                    "repeating": true, "max": 6}],
        "items": items,
        "derived": [{"id": "D", "label": {"en": "Derived", "zh": "推导"},
                     "function": function, "inputs": inputs}],
    }))
    .expect("test form");
    let def: Definition = serde_json::from_value(json!({
        "study": {"id": "T", "version": "1", "name": {"en": "Test", "zh": "测试"}},
        "parameters": params.iter().map(|(k, v)| (k.to_string(), v.clone()))
            .collect::<serde_json::Map<String, Json>>(),
        "codelists": [],
        "events": [],
        "forms": [],
        "sha256": "",
    }))
    .expect("test definition");
    (def, form)
}

/// Derives `function` from argument values (null = not entered) and target-lesion rows
/// (`[LDIAM, SDIAM, LDIAM_NADIR, SDIAM_NADIR]`, null = not entered).
pub fn derive_with(
    function: &str,
    params: &[(&str, Json)],
    args: &[(&str, Json)],
    rows: &[[Json; 4]],
) -> Derived {
    let (def, form) = definition(function, params);
    let mut values = FormValues::new();
    for (a, v) in args {
        assert!(
            args_of(function).contains(a),
            "{function} takes no argument {a}"
        );
        if !v.is_null() {
            values.insert(Slot::main(&item_of(a)), v.clone());
        }
    }
    for (i, row) in rows.iter().enumerate() {
        for (item, v) in ["LDIAM", "SDIAM", "LDIAM_NADIR", "SDIAM_NADIR"]
            .iter()
            .zip(row)
        {
            if !v.is_null() {
                values.insert(
                    Slot {
                        group: "LESIONS".into(),
                        repeat: i as u32 + 1,
                        item: item.to_string(),
                    },
                    v.clone(),
                );
            }
        }
    }
    let mut d = derive_form(&def, &form, &values, &Alone);
    assert_eq!(d.len(), 1);
    d.remove(0)
}

pub fn derive(function: &str, args: &[(&str, Json)]) -> Derived {
    derive_with(function, &[], args, &[])
}

/// Argument values of one case (null = not entered).
pub type Args = Vec<(&'static str, Json)>;
/// One case of a table: name, argument values, expectation.
pub type Case = (&'static str, Args, Expect);
/// One case with target-lesion rows.
pub type RowCase = (&'static str, Args, Vec<[Json; 4]>, Expect);

/// What a case expects.
#[derive(Debug, Clone)]
pub enum Expect {
    /// This value.
    Value(Json),
    /// Not derivable, naming exactly these missing arguments.
    Missing(&'static [&'static str]),
    /// Not derivable because this argument (or item) is unusable.
    Invalid(&'static str),
}

/// JSON equality where numbers compare by value (`5` equals `5.0`).
pub fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Checks one derived result against the expectation; returns a description of a mismatch.
pub fn check(name: &str, d: &Derived, want: &Expect) -> Result<(), String> {
    let not_derivable =
        d.display.en.starts_with("not derivable: ") && d.display.zh.starts_with("无法推导：");
    match want {
        Expect::Value(v) => {
            if !same(&d.value, v) || !d.missing.is_empty() || not_derivable {
                return Err(format!(
                    "{name}: want {v}, got {} ({:?}, missing {:?})",
                    d.value, d.display.en, d.missing
                ));
            }
        }
        Expect::Missing(args) => {
            let mut want: Vec<String> = args.iter().map(|a| item_of(a)).collect();
            want.sort();
            let mut got = d.missing.clone();
            got.sort();
            if !d.value.is_null()
                || got != want
                || !not_derivable
                || !d.display.en.starts_with("not derivable: missing ")
            {
                return Err(format!(
                    "{name}: want missing {want:?}, got {} ({:?}, missing {:?})",
                    d.value, d.display.en, d.missing
                ));
            }
        }
        Expect::Invalid(arg) => {
            let item = if arg.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
                arg.to_string()
            } else {
                item_of(arg)
            };
            if !d.value.is_null()
                || d.missing != vec![item.clone()]
                || !not_derivable
                || d.display.en.starts_with("not derivable: missing")
            {
                return Err(format!(
                    "{name}: want invalid {item}, got {} ({:?}, missing {:?})",
                    d.value, d.display.en, d.missing
                ));
            }
        }
    }
    Ok(())
}

/// Runs a table of cases; fails listing every mismatch.
pub fn run_table(function: &str, cases: &[Case]) -> usize {
    run_table_with(function, &[], cases)
}

pub fn run_table_with(function: &str, params: &[(&str, Json)], cases: &[Case]) -> usize {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(name, args, want)| {
            check(name, &derive_with(function, params, args, &[]), want).err()
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{function}: {} of {} cases fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    cases.len()
}

/// `base` with some arguments replaced (or added).
pub fn with(
    base: &[(&'static str, Json)],
    changes: &[(&'static str, Json)],
) -> Vec<(&'static str, Json)> {
    let mut out: Vec<(&'static str, Json)> = base
        .iter()
        .filter(|(a, _)| !changes.iter().any(|(c, _)| c == a))
        .cloned()
        .collect();
    out.extend(changes.iter().cloned());
    out
}

/// `base` without an argument (not entered).
pub fn without(base: &[(&'static str, Json)], arg: &str) -> Vec<(&'static str, Json)> {
    base.iter().filter(|(a, _)| *a != arg).cloned().collect()
}
