//! Lymphoma response, Lugano classification: Cheson BD, Fisher RI, Barrington SF, et al.
//! Recommendations for initial evaluation, staging, and response assessment of Hodgkin and
//! non-Hodgkin lymphoma: the Lugano classification. J Clin Oncol 2014;32:3059-3068.
//!
//! PET-CT: the Deauville 5-point score (1 no uptake; 2 ≤ mediastinum; 3 > mediastinum,
//! ≤ liver; 4 moderately > liver; 5 markedly > liver and/or new lesions) with the change of
//! uptake from baseline. CT: up to six target lesions, SPD = sum of the products of the
//! perpendicular diameters; progression is checked first.

use super::{fmt_num, ge, gt, le, num_json, Inputs, Outcome, Stop};
use crate::definition::Text;
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;

const UPTAKE: [&str; 3] = ["REDUCED", "UNCHANGED", "INCREASED"];
const PET: [&str; 4] = ["CMR", "PMR", "NMR", "PMD"];
const CT: [&str; 4] = ["CR", "PR", "SD", "PD"];

/// Metabolic response from PET-CT.
pub fn lugano_pet(inp: &Inputs) -> Stop<Outcome> {
    let ds = inp.opt_int("deauville", 1, 5)?;
    let uptake = inp.opt_code("uptake", &UPTAKE)?;
    let new_avid = inp.opt_yn("new_avid")?;
    let marrow_avid = inp.opt_yn("marrow_avid")?;
    let code = pet_response(ds, uptake, new_avid, marrow_avid).map_err(|m| inp.missing(&m))?;
    let (en, zh) = match code {
        "CMR" => ("CMR — complete metabolic response", "CMR — 完全代谢缓解"),
        "PMR" => ("PMR — partial metabolic response", "PMR — 部分代谢缓解"),
        "NMR" => ("NMR — no metabolic response", "NMR — 无代谢反应"),
        _ => (
            "PMD — progressive metabolic disease",
            "PMD — 代谢性疾病进展",
        ),
    };
    Ok(Outcome::plain(json!(code), en, zh))
}

fn pet_response(
    ds: Option<i64>,
    uptake: Option<&str>,
    new_avid: Option<bool>,
    marrow_avid: Option<bool>,
) -> Result<&'static str, Vec<&'static str>> {
    // New FDG-avid foci consistent with lymphoma: progression whatever the score.
    if new_avid == Some(true) {
        return Ok("PMD");
    }
    let Some(ds) = ds else {
        let mut m = vec!["deauville"];
        if new_avid.is_none() {
            m.push("new_avid");
        }
        return Err(m);
    };
    let by_uptake = |u: Option<&str>| match u {
        Some("REDUCED") => Ok("PMR"),
        Some("UNCHANGED") => Ok("NMR"),
        Some(_) => Ok("PMD"),
        None => Err(vec!["uptake"]),
    };
    if ds >= 4 && uptake == Some("INCREASED") {
        return Ok("PMD");
    }
    if new_avid.is_none() {
        return Err(vec!["new_avid"]);
    }
    if ds >= 4 {
        return by_uptake(uptake);
    }
    // Deauville 1-3: complete metabolic response when the marrow is not avid; residual marrow
    // uptake is graded by its change from baseline (reduced: PMR; unchanged: NMR; increased:
    // PMD).
    match marrow_avid {
        Some(false) => Ok("CMR"),
        Some(true) => by_uptake(uptake),
        None => Err(vec!["marrow_avid"]),
    }
}

/// One target lesion as entered: diameters in cm, with the lesion's own nadir when captured.
struct Lesion {
    ld: f64,
    sd: f64,
    nadir: Option<(f64, f64)>,
}

impl Lesion {
    fn product(&self) -> f64 {
        self.ld * self.sd
    }
}

/// The longest-diameter threshold of a measurable / abnormal node, cm.
const NODE_LDI: f64 = 1.5;

/// Lugano: the diameter increase from nadir that progression needs: 0.5 cm for a lesion
/// ≤ 2 cm (at nadir), 1.0 cm for one > 2 cm.
fn needed_increase(nadir_ld: f64) -> f64 {
    if le(nadir_ld, 2.0) {
        0.5
    } else {
        1.0
    }
}

/// Reads the target-lesion rows of the repeating group (`lesions`, default `LESIONS`): items
/// `LDIAM` and `SDIAM` (cm), optionally `LDIAM_NADIR` and `SDIAM_NADIR`. A row counts when any
/// of its items (a site, say) holds a value.
fn lesions(inp: &Inputs) -> Stop<(Vec<Lesion>, Vec<&'static str>)> {
    let group = inp
        .spec
        .inputs
        .get("lesions")
        .cloned()
        .unwrap_or_else(|| "LESIONS".to_string());
    let mut rows: BTreeMap<u32, BTreeMap<&str, Json>> = BTreeMap::new();
    const ITEMS: [&str; 4] = ["LDIAM", "SDIAM", "LDIAM_NADIR", "SDIAM_NADIR"];
    for (slot, v) in inp.values.range(..) {
        if slot.group != group || v.is_null() {
            continue;
        }
        let row = rows.entry(slot.repeat).or_default();
        if let Some(item) = ITEMS.iter().find(|i| **i == slot.item) {
            row.insert(item, v.clone());
        }
    }
    let label = |item: &str| -> Text {
        inp.form.item(item).map_or_else(
            || Text {
                en: item.into(),
                zh: item.into(),
            },
            |i| i.label.clone(),
        )
    };
    let bad = |item: &str, repeat: u32, en: String, zh: String| -> Outcome {
        let l = label(item);
        Outcome::Invalid {
            items: vec![item.to_string()],
            reason: Text {
                en: format!("{} (lesion {repeat}) {en}", l.en),
                zh: format!("{}（病灶 {repeat}）{zh}", l.zh),
            },
        }
    };
    let num = |row: &BTreeMap<&str, Json>, item: &str, repeat: u32| -> Stop<Option<f64>> {
        match row.get(item) {
            None | Some(Json::Object(_)) => Ok(None),
            Some(Json::Number(n)) => match n.as_f64() {
                Some(x) if x.is_finite() && x >= 0.0 => Ok(Some(x)),
                _ => Err(bad(
                    item,
                    repeat,
                    format!("= {n} cm is not a diameter"),
                    format!(" = {n} cm，不是有效直径"),
                )),
            },
            Some(other) => Err(bad(
                item,
                repeat,
                format!("= {other} is not a number"),
                format!(" = {other}，不是数值"),
            )),
        }
    };
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for (repeat, row) in &rows {
        let repeat = *repeat;
        let ld = num(row, "LDIAM", repeat)?;
        let sd = num(row, "SDIAM", repeat)?;
        let nld = num(row, "LDIAM_NADIR", repeat)?;
        let nsd = num(row, "SDIAM_NADIR", repeat)?;
        let (Some(ld), Some(sd)) = (ld, sd) else {
            if ld.is_none() {
                missing.push("LDIAM");
            }
            if sd.is_none() {
                missing.push("SDIAM");
            }
            continue;
        };
        for (l, s, item) in [(Some(ld), Some(sd), "SDIAM"), (nld, nsd, "SDIAM_NADIR")] {
            if let (Some(l), Some(s)) = (l, s) {
                if gt(s, l) {
                    return Err(bad(
                        item,
                        repeat,
                        format!("= {s} cm is longer than the longest diameter {l} cm"),
                        format!(" = {s} cm，大于最长径 {l} cm"),
                    ));
                }
            }
        }
        let nadir = match (nld, nsd) {
            (Some(l), Some(s)) => Some((l, s)),
            (None, None) => None,
            (None, Some(_)) => {
                missing.push("LDIAM_NADIR");
                None
            }
            (Some(_), None) => {
                missing.push("SDIAM_NADIR");
                None
            }
        };
        out.push(Lesion { ld, sd, nadir });
    }
    if out.is_empty() && missing.is_empty() {
        // No target lesion entered at all.
        missing.push("LDIAM");
    }
    Ok((out, missing))
}

/// Anatomic response from CT.
pub fn lugano_ct(inp: &Inputs) -> Stop<Outcome> {
    let baseline = inp.opt_num("baseline_spd", 0.0, f64::MAX)?;
    let nadir_spd = inp.opt_num("nadir_spd", 0.0, f64::MAX)?;
    let nadir_ldiam = inp.opt_num("nadir_ldiam", 0.0, f64::MAX)?;
    let flags = [
        ("new_lesion", inp.opt_yn("new_lesion")?),
        ("spleen_growth", inp.opt_yn("spleen_growth")?),
        ("new_marrow", inp.opt_yn("new_marrow")?),
    ];
    let extranodal = inp.opt_yn("extranodal")?;
    let marrow_clear = inp.opt_yn("marrow_clear")?;
    let (rows, row_missing) = lesions(inp)?;
    let spd = (row_missing.is_empty()).then(|| rows.iter().map(Lesion::product).sum::<f64>());

    let out = |code: &'static str| -> Outcome {
        let (en, zh) = match code {
            "CR" => ("CR — complete response", "CR — 完全缓解"),
            "PR" => ("PR — partial response", "PR — 部分缓解"),
            "SD" => ("SD — stable disease", "SD — 疾病稳定"),
            _ => ("PD — progressive disease", "PD — 疾病进展"),
        };
        match spd {
            Some(s) => Outcome::plain(
                json!({ "response": code, "spd": num_json(s, 2) }),
                format!("{en} (SPD {} cm²)", fmt_num(s, 2)),
                format!("{zh}（SPD {} cm²）", fmt_num(s, 2)),
            ),
            None => Outcome::plain(json!({ "response": code, "spd": Json::Null }), en, zh),
        }
    };

    // Progression first: a new lesion, splenic growth, new marrow involvement.
    if flags.iter().any(|(_, f)| *f == Some(true)) {
        return Ok(out("PD"));
    }
    let Some(spd) = spd else {
        return Err(inp.missing(&row_missing));
    };

    // Progression of a target lesion: LDi > 1.5 cm, product ≥ 50 % above its nadir, and an
    // increase of LDi or SDi from nadir of ≥ 0.5 cm (≤ 2 cm) or ≥ 1.0 cm (> 2 cm).
    let lesion_pd = rows.iter().any(|r| match r.nadir {
        Some((nl, ns)) => {
            let (p, np) = (r.product(), nl * ns);
            gt(r.ld, NODE_LDI)
                && gt(p, np)
                && ge(p, 1.5 * np)
                && (ge(r.ld - nl, needed_increase(nl)) || ge(r.sd - ns, needed_increase(nl)))
        }
        None => false,
    });
    // Without each lesion's nadir, the rule is applied to the SPD against the nadir SPD (the
    // baseline SPD when no nadir is given), with the diameter increase of the largest lesion
    // against `nadir_ldiam` when given.
    let per_lesion = rows.iter().all(|r| r.nadir.is_some());
    let spd_pd = if per_lesion {
        false
    } else {
        let nadir = match (nadir_spd, baseline) {
            (Some(n), Some(b)) => Some(n.min(b)),
            (n, b) => n.or(b),
        };
        let Some(n) = nadir else {
            return Err(inp.missing(&["baseline_spd"]));
        };
        let largest = rows.iter().map(|r| r.ld).fold(0.0, f64::max);
        gt(largest, NODE_LDI)
            && gt(spd, n)
            && ge(spd, 1.5 * n)
            && nadir_ldiam.is_none_or(|nl| ge(largest - nl, needed_increase(nl)))
    };
    if lesion_pd || spd_pd {
        return Ok(out("PD"));
    }
    let unknown: Vec<&str> = flags
        .iter()
        .filter(|(_, f)| f.is_none())
        .map(|(a, _)| *a)
        .collect();
    if !unknown.is_empty() {
        return Err(inp.missing(&unknown));
    }

    // CR: every target node ≤ 1.5 cm, no extranodal disease, marrow clear.
    if rows.iter().all(|r| le(r.ld, NODE_LDI)) {
        match (extranodal, marrow_clear) {
            (Some(false), Some(true)) => return Ok(out("CR")),
            (Some(true), _) | (_, Some(false)) => {}
            (e, m) => {
                let mut miss = Vec::new();
                if e.is_none() {
                    miss.push("extranodal");
                }
                if m.is_none() {
                    miss.push("marrow_clear");
                }
                return Err(inp.missing(&miss));
            }
        }
    }
    // PR: SPD ≥ 50 % below baseline (no new lesions: checked above).
    let Some(b) = baseline else {
        return Err(inp.missing(&["baseline_spd"]));
    };
    if b > 0.0 && le(spd, 0.5 * b) {
        return Ok(out("PR"));
    }
    Ok(out("SD"))
}

/// Overall response: PET-based when a PET response is present, else CT-based.
pub fn lugano_overall(inp: &Inputs) -> Stop<Outcome> {
    let pet = match inp.get("pet") {
        Json::Null | Json::Object(_) => None,
        _ => inp.opt_code("pet", &PET)?,
    };
    let ct = match inp.get("ct") {
        Json::Object(o) => match o.get("response") {
            Some(Json::String(s)) => match CT.iter().find(|c| **c == s) {
                Some(c) => Some(*c),
                None => {
                    return Err(inp.invalid(
                        "ct",
                        &format!("has an unknown response {s:?}"),
                        &format!("的疗效 {s:?} 无法识别"),
                    ))
                }
            },
            _ => None,
        },
        Json::Null => None,
        _ => inp.opt_code("ct", &CT)?,
    };
    let (code, basis) = match (pet, ct) {
        (Some(p), _) => (
            match p {
                "CMR" => "CR",
                "PMR" => "PR",
                "NMR" => "SD",
                _ => "PD",
            },
            "PET-CT",
        ),
        (None, Some(c)) => (c, "CT"),
        (None, None) => return Err(inp.missing(&["pet", "ct"])),
    };
    let (en, zh) = match code {
        "CR" => ("CR — complete response", "CR — 完全缓解"),
        "PR" => ("PR — partial response", "PR — 部分缓解"),
        "SD" => ("SD — stable disease", "SD — 疾病稳定"),
        _ => ("PD — progressive disease", "PD — 疾病进展"),
    };
    Ok(Outcome::plain(
        json!(code),
        format!("{en} ({basis})"),
        format!("{zh}（{basis}）"),
    ))
}
