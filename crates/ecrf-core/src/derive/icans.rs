//! Immune effector cell-associated neurotoxicity syndrome (ICANS): the ICE score and the ICANS
//! grade, ASTCT consensus (Lee DW et al., Biol Blood Marrow Transplant 2019;25:625-638),
//! including its paediatric grading (CAPD, Cornell Assessment of Pediatric Delirium, replaces
//! ICE for children aged 12 years or younger).
//!
//! The grade is the most severe of five domains (ICE or CAPD, depressed level of
//! consciousness, seizure, motor findings, raised intracranial pressure / cerebral oedema)
//! not attributable to another cause. Tremor, myoclonus and intracranial haemorrhage are graded
//! by CTCAE, not here.

use super::{Inputs, Outcome, Stop};
use serde_json::json;

/// ICE: orientation to year, month, city, hospital (4); naming three objects (3); following
/// simple commands (1); writing a standard sentence (1); counting back from 100 by 10 (1).
pub fn ice_score(inp: &Inputs) -> Stop<Outcome> {
    const PARTS: [(&str, i64); 5] = [
        ("orientation", 4),
        ("naming", 3),
        ("commands", 1),
        ("writing", 1),
        ("attention", 1),
    ];
    let mut total = 0;
    let mut missing = Vec::new();
    for (arg, max) in PARTS {
        match inp.opt_int(arg, 0, max)? {
            Some(x) => total += x,
            None => missing.push(arg),
        }
    }
    if !missing.is_empty() {
        return Err(inp.missing(&missing));
    }
    let shown = format!("ICE {total}/10");
    Ok(Outcome::plain(json!(total), shown.clone(), shown))
}

const CONSCIOUSNESS: [&str; 5] = ["AWAKE", "SPONT", "VOICE", "TACTILE", "UNAROUSABLE"];
const SEIZURE: [&str; 3] = ["NONE", "RAPID", "PROLONGED"];
const MOTOR: [&str; 2] = ["NONE", "DEEP_FOCAL"];
const ICP: [&str; 3] = ["NONE", "FOCAL", "DIFFUSE"];

/// Oldest age (completed years) graded with CAPD instead of ICE.
const CAPD_MAX_AGE: f64 = 12.0;

/// ICE domain: 10 → 0, 7-9 → 1, 3-6 → 2, 0-2 → 3 (ICE 0 in an unarousable patient is grade 4,
/// which the consciousness domain gives).
fn ice_grade(ice: i64) -> i64 {
    match ice {
        10.. => 0,
        7..=9 => 1,
        3..=6 => 2,
        _ => 3,
    }
}

/// CAPD domain (higher is worse): 0 → 0; 1-8 → 1 (grade 2 when the child awakens only to
/// voice, which the consciousness domain gives); ≥ 9 → 3.
fn capd_grade(capd: i64) -> i64 {
    match capd {
        ..=0 => 0,
        1..=8 => 1,
        _ => 3,
    }
}

pub fn icans_grade(inp: &Inputs) -> Stop<Outcome> {
    let age = inp.opt_num("age", 0.0, 130.0)?;
    let ice = inp.opt_int("ice", 0, 10)?;
    let capd = inp.opt_int("capd", 0, 32)?;
    let capd_unable = inp.opt_yn("capd_unable")?;
    let consciousness = inp.opt_code("consciousness", &CONSCIOUSNESS)?;
    let seizure = inp.opt_code("seizure", &SEIZURE)?;
    let motor = inp.opt_code("motor", &MOTOR)?;
    let icp = inp.opt_code("icp", &ICP)?;
    // The investigator judges every finding of this assessment attributable to another cause
    // (e.g. sedation): no ICANS. An unanswered flag counts as N.
    if inp.opt_yn("other_cause")? == Some(true) {
        return Ok(Outcome::plain(
            json!(0),
            "No ICANS (attributable to another cause)",
            "无 ICANS（归因于其他原因）",
        ));
    }

    let cognitive: Result<i64, &str> = match age {
        None => Err("age"),
        Some(a) if a.floor() <= CAPD_MAX_AGE => match (capd_unable, capd) {
            (Some(true), _) => Ok(4),
            (_, Some(c)) => Ok(capd_grade(c)),
            (_, None) => Err("capd"),
        },
        Some(_) => ice.map(ice_grade).ok_or("ice"),
    };
    let level = consciousness
        .map(|c| match c {
            "SPONT" => 1,
            "VOICE" => 2,
            "TACTILE" => 3,
            "UNAROUSABLE" => 4,
            _ => 0,
        })
        .ok_or("consciousness");
    let seizure = seizure
        .map(|s| match s {
            "RAPID" => 3,
            "PROLONGED" => 4,
            _ => 0,
        })
        .ok_or("seizure");
    let motor = motor
        .map(|m| if m == "DEEP_FOCAL" { 4 } else { 0 })
        .ok_or("motor");
    let icp = icp
        .map(|i| match i {
            "FOCAL" => 3,
            "DIFFUSE" => 4,
            _ => 0,
        })
        .ok_or("icp");

    let domains = [cognitive, level, seizure, motor, icp];
    let worst = domains.iter().filter_map(|d| d.ok()).max().unwrap_or(0);
    let missing: Vec<&str> = domains.iter().filter_map(|d| d.err()).collect();
    // A missing domain cannot raise a grade that is already 4 (e.g. ICE not done because the
    // patient is unarousable).
    if !missing.is_empty() && worst < 4 {
        return Err(inp.missing(&missing));
    }
    Ok(if worst == 0 {
        Outcome::plain(json!(0), "No ICANS", "无 ICANS")
    } else {
        Outcome::plain(
            json!(worst),
            format!("Grade {worst} (ASTCT)"),
            format!("{worst} 级（ASTCT）"),
        )
    })
}
