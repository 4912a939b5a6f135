//! Daily grade of cytokine release syndrome (CRS), ASTCT consensus: Lee DW, Santomasso BD,
//! Locke FL, et al. ASTCT consensus grading for cytokine release syndrome and neurologic
//! toxicity associated with immune effector cells. Biol Blood Marrow Transplant
//! 2019;25:625-638.
//!
//! Fever ≥ 38.0 °C is required for any grade, except that a subject who already had fever in
//! this episode and then received antipyretic or anti-cytokine therapy (tocilizumab, steroids)
//! no longer needs it: hypotension and hypoxia then drive the grade ("masked" fever). The grade
//! is the more severe of the hypotension and hypoxia grades; grade 5 is death from CRS.
//! Published example: febrile, one vasopressor, low-flow nasal cannula → grade 3.

use super::{ge, Inputs, Outcome, Stop};
use serde_json::json;

const HYPOTENSION: [&str; 4] = ["NONE", "FLUIDS", "VASO1", "VASO2"];
const OXYGEN: [&str; 4] = ["NONE", "LOWFLOW", "HIGHFLOW", "PPV"];

/// Hypotension grade: none 0, fluids only 2, one vasopressor (± vasopressin) 3, several
/// vasopressors (vasopressin not counted) 4.
fn hypotension_grade(code: &str) -> i64 {
    match code {
        "FLUIDS" => 2,
        "VASO1" => 3,
        "VASO2" => 4,
        _ => 0,
    }
}

/// Hypoxia grade: none 0, low-flow cannula ≤ 6 L/min or blow-by 2, high-flow cannula > 6 L/min,
/// facemask, non-rebreather or Venturi 3, positive pressure (CPAP, BiPAP, ventilation) 4.
fn hypoxia_grade(code: &str) -> i64 {
    match code {
        "LOWFLOW" => 2,
        "HIGHFLOW" => 3,
        "PPV" => 4,
        _ => 0,
    }
}

/// Plausible body temperatures, °C: outside, the value is more likely °F or a typing error.
const TEMP_RANGE: (f64, f64) = (25.0, 45.0);

pub fn crs_grade(inp: &Inputs) -> Stop<Outcome> {
    let threshold = inp.param("crs_fever_c", 38.0)?;
    let temp = match inp.opt_num("temp", f64::MIN, f64::MAX)? {
        Some(t) if !(TEMP_RANGE.0..=TEMP_RANGE.1).contains(&t) => {
            return Err(inp.invalid(
                "temp",
                &format!(
                    "= {t} is not a plausible temperature in °C (25–45); was it entered in °F?"
                ),
                &format!(" = {t}，不是合理的摄氏体温（25–45 °C），是否按华氏度录入？"),
            ))
        }
        t => t,
    };
    let hypotension = inp.opt_code("hypotension", &HYPOTENSION)?;
    let oxygen = inp.opt_code("oxygen", &OXYGEN)?;
    let prior_fever = inp.opt_yn("prior_fever")?;
    let treated = inp.opt_yn("treated")?;
    // Death from CRS is grade 5 whatever else is recorded (or missing) that day.
    if inp.opt_yn("fatal")? == Some(true) {
        return Ok(graded(5));
    }

    // Masked fever: earlier fever in this episode and antipyretic/anti-cytokine therapy after
    // it. Premedication or prophylaxis before any fever is recorded as treated = N, and an
    // episode without earlier fever is never masked.
    let masked: Result<bool, Vec<&str>> = match (prior_fever, treated) {
        (Some(false), _) | (_, Some(false)) => Ok(false),
        (Some(true), Some(true)) => Ok(true),
        (p, t) => Err([("prior_fever", p), ("treated", t)]
            .into_iter()
            .filter(|(_, v)| v.is_none())
            .map(|(a, _)| a)
            .collect()),
    };
    let with_fever = match (temp.map(|t| ge(t, threshold)), masked) {
        (Some(true), _) => true,
        (Some(false), Ok(m)) => m,
        (Some(false), Err(m)) => return Err(inp.missing(&m)),
        (None, Ok(true)) => true,
        (None, Ok(false)) => return Err(inp.missing(&["temp"])),
        (None, Err(mut m)) => {
            m.insert(0, "temp");
            return Err(inp.missing(&m));
        }
    };
    if !with_fever {
        // Hypotension or hypoxia without fever and without masking therapy is not CRS; the
        // definition's edit check opens a query for it.
        return Ok(Outcome::plain(json!(0), "No CRS", "无 CRS"));
    }
    let h = hypotension.map(hypotension_grade);
    let o = oxygen.map(hypoxia_grade);
    match (h, o) {
        (Some(h), Some(o)) => Ok(graded(1.max(h).max(o))),
        // One of them already gives the highest grade: the other cannot change it.
        (Some(4), None) | (None, Some(4)) => Ok(graded(4)),
        _ => {
            let mut m = Vec::new();
            if h.is_none() {
                m.push("hypotension");
            }
            if o.is_none() {
                m.push("oxygen");
            }
            Err(inp.missing(&m))
        }
    }
}

fn graded(g: i64) -> Outcome {
    Outcome::plain(
        json!(g),
        format!("Grade {g} (ASTCT)"),
        format!("{g} 级（ASTCT）"),
    )
}
