//! General derivations: eligibility, age, body size.

use super::{Inputs, Outcome};
use crate::definition::Criterion;
use crate::expr::date_interval;
use crate::expr::Expr;
use crate::validate::Slot;
use serde_json::{json, Value as Json};

/// Eligible when every applicable inclusion criterion is "Y" and every exclusion criterion "N";
/// otherwise names the criteria that fail. Criteria are items marked `criterion = ...`.
pub fn eligibility(inp: &Inputs) -> Outcome {
    let mut missing = Vec::new();
    let mut failing = Vec::new();
    for item in inp.form.items.iter() {
        let Some(kind) = item.criterion else { continue };
        if let Some(w) = &item.when {
            let applies = Expr::parse(w).ok().and_then(|e| e.truth(inp.env));
            if applies == Some(false) {
                continue;
            }
        }
        let slot = Slot {
            group: item.group.clone(),
            repeat: 1,
            item: item.id.clone(),
        };
        let v = inp.values.get(&slot).cloned().unwrap_or(Json::Null);
        let want = match kind {
            Criterion::Inclusion => "Y",
            Criterion::Exclusion => "N",
        };
        match v.as_str() {
            None => missing.push(item.id.clone()),
            Some(s) if s != want => failing.push(item.id.clone()),
            Some(_) => {}
        }
    }
    if !failing.is_empty() {
        let en: Vec<&str> = failing
            .iter()
            .map(|i| inp.form.item(i).map_or(i.as_str(), |d| d.label.en.as_str()))
            .collect();
        let zh: Vec<&str> = failing
            .iter()
            .map(|i| inp.form.item(i).map_or(i.as_str(), |d| d.label.zh.as_str()))
            .collect();
        return Outcome::Value {
            value: json!({ "eligible": false, "failing": failing }),
            display: crate::definition::Text {
                en: format!("Not eligible — fails: {}", en.join("; ")),
                zh: format!("不符合入组条件 — 未满足：{}", zh.join("；")),
            },
        };
    }
    if !missing.is_empty() {
        return Outcome::Missing(missing);
    }
    Outcome::plain(
        json!({ "eligible": true, "failing": [] }),
        "Eligible",
        "符合入组条件",
    )
}

/// Completed years between two dates.
pub fn age_years(inp: &Inputs) -> Outcome {
    let mut missing = Vec::new();
    let birth = inp.text("birth", &mut missing);
    let at = inp.text("at", &mut missing);
    let (Some(b), Some(a)) = (birth, at) else {
        return Outcome::Missing(missing);
    };
    let parse = |s: &str| -> Option<(i64, i64, i64)> {
        let d = s.get(..10)?;
        date_interval(d)?;
        Some((
            d[..4].parse().ok()?,
            d[5..7].parse().ok()?,
            d[8..10].parse().ok()?,
        ))
    };
    match (parse(&b), parse(&a)) {
        (Some((by, bm, bd)), Some((ay, am, ad))) => {
            let mut years = ay - by;
            if (am, ad) < (bm, bd) {
                years -= 1;
            }
            Outcome::plain(
                json!(years),
                format!("{years} years"),
                format!("{years} 岁"),
            )
        }
        // A partial date of birth (year only): age from the years, marked approximate.
        _ => match (
            b.get(..4).and_then(|y| y.parse::<i64>().ok()),
            a.get(..4).and_then(|y| y.parse::<i64>().ok()),
        ) {
            (Some(by), Some(ay)) if b.len() < 10 => {
                let years = ay - by;
                Outcome::plain(
                    json!(years),
                    format!("≈{years} years (from year of birth)"),
                    format!("约 {years} 岁（按出生年份）"),
                )
            }
            _ => Outcome::Missing(vec![inp.path("birth")]),
        },
    }
}

/// Body surface area, Mosteller: √(height cm × weight kg / 3600), in m².
pub fn bsa_mosteller(inp: &Inputs) -> Outcome {
    body_size(inp, |h, w| {
        Outcome::number((h * w / 3600.0).sqrt(), 2, "m²")
    })
}

/// Body-mass index: weight kg / (height m)².
pub fn bmi(inp: &Inputs) -> Outcome {
    body_size(inp, |h, w| {
        Outcome::number(w / (h / 100.0).powi(2), 1, "kg/m²")
    })
}

/// Height and weight, both above zero, or why they cannot be used.
fn body_size(inp: &Inputs, f: impl Fn(f64, f64) -> Outcome) -> Outcome {
    let read = || -> super::Stop<Outcome> {
        let h = inp.opt_pos("height_cm")?;
        let w = inp.opt_pos("weight_kg")?;
        Ok(match (h, w) {
            (Some(h), Some(w)) => f(h, w),
            (None, Some(_)) => inp.missing(&["height_cm"]),
            (Some(_), None) => inp.missing(&["weight_kg"]),
            (None, None) => inp.missing(&["height_cm", "weight_kg"]),
        })
    };
    read().unwrap_or_else(|o| o)
}
