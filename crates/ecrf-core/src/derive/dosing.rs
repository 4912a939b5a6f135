//! Dosing and calendar derivations: dose per m² and dose intensity (lymphodepletion with
//! fludarabine/cyclophosphamide in mg/m²/day), CAR-T dose in cells per kg, study day relative to
//! the infusion (day 0), and sums. Study design (clinical-rules.md §7), no published rule.

use super::{fmt_num, num_json, Inputs, Outcome, Stop};
use serde_json::json;

/// Actual daily dose (mg) over body surface area (m²), mg/m², 1 decimal.
pub fn dose_per_m2(inp: &Inputs) -> Stop<Outcome> {
    let dose = inp.opt_num("dose_mg", 0.0, f64::MAX)?;
    let bsa = inp.opt_pos("bsa_m2")?;
    match (dose, bsa) {
        (Some(d), Some(b)) => Ok(Outcome::number(d / b, 1, "mg/m²")),
        _ => Err(missing_of(inp, &[("dose_mg", dose), ("bsa_m2", bsa)])),
    }
}

/// Actual as a percentage of planned (dose intensity), 1 decimal.
pub fn percent_of(inp: &Inputs) -> Stop<Outcome> {
    let actual = inp.opt_num("actual", 0.0, f64::MAX)?;
    let planned = inp.opt_pos("planned")?;
    match (actual, planned) {
        (Some(a), Some(p)) => Ok(Outcome::number(a / p * 100.0, 1, "%")),
        _ => Err(missing_of(inp, &[("actual", actual), ("planned", planned)])),
    }
}

/// CAR-T dose: total CAR+ viable T cells over the weight used, in cells/kg. The value is the
/// whole number of cells/kg; the display is in scientific notation with one decimal, as dose
/// levels are written (`1.0 × 10⁶ cells/kg`).
pub fn cells_per_kg(inp: &Inputs) -> Stop<Outcome> {
    let cells = inp.opt_num("cells", 0.0, f64::MAX)?;
    let weight = inp.opt_pos("weight_kg")?;
    let (Some(c), Some(w)) = (cells, weight) else {
        return Err(missing_of(inp, &[("cells", cells), ("weight_kg", weight)]));
    };
    let per_kg = c / w;
    let shown = scientific(per_kg);
    Ok(Outcome::plain(
        num_json(per_kg, 0),
        format!("{shown} cells/kg"),
        format!("{shown} 个细胞/kg"),
    ))
}

/// `x` as `m.m × 10ⁿ` (mantissa one decimal, 1 ≤ m < 10); `0` for zero.
pub(crate) fn scientific(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return fmt_num(x, 1);
    }
    let mut exp = x.abs().log10().floor() as i32;
    let mut mant = (x / 10f64.powi(exp) * 10.0).round() / 10.0;
    if mant.abs() >= 10.0 {
        mant /= 10.0;
        exp += 1;
    }
    if exp == 0 {
        return format!("{mant:.1}");
    }
    format!("{mant:.1} × 10{}", superscript(exp))
}

fn superscript(n: i32) -> String {
    n.to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            _ => '⁹',
        })
        .collect()
}

/// Study day: the calendar date of `date` (a date, or a date-time at its recorded local date)
/// minus the infusion date; the infusion day is day 0 and there is no day-0 gap
/// (lymphodepletion on days −5, −4, −3).
pub fn study_day(inp: &Inputs) -> Stop<Outcome> {
    let date = inp.opt_day("date")?;
    let inf = inp.opt_day("infusion")?;
    let (Some(d), Some(i)) = (date, inf) else {
        let mut m = Vec::new();
        if date.is_none() {
            m.push("date");
        }
        if inf.is_none() {
            m.push("infusion");
        }
        return Err(inp.missing(&m));
    };
    let day = d - i;
    Ok(Outcome::plain(
        json!(day),
        format!("Day {day}"),
        format!("第 {day} 天"),
    ))
}

/// The sum of the inputs `a`…`e` that are present; missing when none is.
pub fn sum(inp: &Inputs) -> Stop<Outcome> {
    const ARGS: [&str; 5] = ["a", "b", "c", "d", "e"];
    let mut total = 0.0;
    let mut any = false;
    for a in ARGS {
        if let Some(x) = inp.opt_num(a, f64::MIN, f64::MAX)? {
            total += x;
            any = true;
        }
    }
    if !any {
        let mapped: Vec<&str> = ARGS
            .into_iter()
            .filter(|a| inp.spec.inputs.contains_key(*a))
            .collect();
        return Err(inp.missing(if mapped.is_empty() { &ARGS } else { &mapped }));
    }
    let shown = fmt_num(total, 6);
    Ok(Outcome::plain(num_json(total, 6), shown.clone(), shown))
}

/// "Missing" naming the arguments whose value is absent.
fn missing_of(inp: &Inputs, read: &[(&str, Option<f64>)]) -> Outcome {
    let args: Vec<&str> = read
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(a, _)| *a)
        .collect();
    inp.missing(&args)
}
