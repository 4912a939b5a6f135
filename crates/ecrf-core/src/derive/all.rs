//! B-cell acute lymphoblastic leukaemia: response per assessment and MRD status.
//!
//! Response criteria after the NCCN Guidelines (Acute Lymphoblastic Leukemia) and the ELN /
//! CIBMTR response tables: CR, CR with incomplete haematological recovery (CRi), optional
//! morphologic leukaemia-free state (MLFS, ELN), partial response (phase 1/2 definition: the
//! blood criteria of CR with marrow blasts 5-25 % and ≥ 50 % below baseline), progressive
//! disease (≥ 25 % increase of blasts, new extramedullary disease) and relapse after CR/CRi.
//! The order of the checks and the thresholds are study parameters (clinical-rules.md §3).
//! MRD negativity: < 10⁻⁴ (0.01 %) with an assay sensitivity of 10⁻⁴ or better (NCCN).

use super::{ge, gt, le, lt, Inputs, Outcome, Stop};
use serde_json::{json, Value as Json};

const EMD: [&str; 3] = ["NONE", "PRESENT", "NEW"];
const CNS: [&str; 3] = ["CNS1", "CNS2", "CNS3"];

/// The study's thresholds (`[parameters]`, defaults from docs/derivations.md).
struct Params {
    cr_marrow_lt: f64,
    anc_min: f64,
    platelets_min: f64,
    pr_blasts_max: f64,
    pr_reduction_min: f64,
    pd_increase_pct: f64,
    relapse_marrow_gt: f64,
    mlfs: bool,
}

/// One assessment's inputs; `None` = not entered.
struct Assessment {
    marrow: Option<f64>,
    circ: Option<bool>,
    emd: Option<&'static str>,
    cns: Option<&'static str>,
    anc: Option<f64>,
    platelets: Option<f64>,
    transfusion: Option<bool>,
    baseline: Option<f64>,
    nadir: Option<f64>,
}

type Decision = Result<&'static str, Vec<&'static str>>;

pub fn all_response(inp: &Inputs) -> Stop<Outcome> {
    let p = Params {
        cr_marrow_lt: inp.param("all_cr_marrow_blasts_lt", 5.0)?,
        anc_min: inp.param("all_anc_min", 1000.0)?,
        platelets_min: inp.param("all_platelets_min", 100_000.0)?,
        pr_blasts_max: inp.param("all_pr_blasts_max", 25.0)?,
        pr_reduction_min: inp.param("all_pr_reduction_min", 50.0)?,
        pd_increase_pct: inp.param("all_pd_increase_pct", 25.0)?,
        relapse_marrow_gt: inp.param("all_relapse_marrow_blasts_gt", 5.0)?,
        mlfs: inp.param_flag("all_mlfs", false)?,
    };
    let a = Assessment {
        marrow: inp.opt_num("marrow_blasts", 0.0, 100.0)?,
        circ: inp.opt_yn("circ_blasts")?,
        emd: inp.opt_code("emd", &EMD)?,
        cns: inp.opt_code("cns", &CNS)?,
        anc: inp.opt_num("anc", 0.0, f64::MAX)?,
        platelets: inp.opt_num("platelets", 0.0, f64::MAX)?,
        transfusion: inp.opt_yn("transfusion")?,
        baseline: inp.opt_num("baseline_blasts", 0.0, 100.0)?,
        nadir: inp.opt_num("nadir_blasts", 0.0, 100.0)?,
    };
    let decision = match inp.opt_yn("prior_cr")? {
        Some(prior) => decide(&a, prior, &p),
        // Unknown whether the subject was in CR/CRi before: derivable only when it does not
        // matter.
        None => match (decide(&a, true, &p), decide(&a, false, &p)) {
            (Ok(x), Ok(y)) if x == y => Ok(x),
            (x, y) => {
                let mut m = vec!["prior_cr"];
                m.extend(x.err().unwrap_or_default());
                m.extend(y.err().unwrap_or_default());
                Err(m)
            }
        },
    };
    let code = decision.map_err(|m| inp.missing(&m))?;
    let (en, zh) = match code {
        "CR" => ("CR — complete remission", "CR — 完全缓解"),
        "CRI" => (
            "CRi — complete remission with incomplete haematological recovery",
            "CRi — 完全缓解伴血细胞不完全恢复",
        ),
        "MLFS" => (
            "MLFS — morphologic leukaemia-free state",
            "MLFS — 形态学无白血病状态",
        ),
        "PR" => ("PR — partial remission", "PR — 部分缓解"),
        "PD" => ("PD — progressive disease", "PD — 疾病进展"),
        "RELAPSE" => ("Relapse", "复发"),
        _ => ("NR — no response", "NR — 未缓解"),
    };
    Ok(Outcome::plain(json!(code), en, zh))
}

/// The response, given whether the subject was in CR/CRi at an earlier assessment; `Err` names
/// the inputs still needed.
fn decide(a: &Assessment, prior_cr: bool, p: &Params) -> Decision {
    // (2, first after a CR/CRi) Relapse: blasts back in blood, > 5 % in marrow, or at any
    // extramedullary site (isolated CNS relapse counts). One sign is enough.
    if prior_cr {
        let signs = [
            a.circ,
            a.marrow.map(|m| gt(m, p.relapse_marrow_gt)),
            a.emd.map(|e| e != "NONE"),
            a.cns.map(|c| c != "CNS1"),
        ];
        if signs.contains(&Some(true)) {
            return Ok("RELAPSE");
        }
    } else if a.emd == Some("NEW") {
        // (1) New extramedullary disease is progression whatever the marrow shows.
        return Ok("PD");
    }
    let (Some(marrow), Some(circ), Some(emd), Some(cns)) = (a.marrow, a.circ, a.emd, a.cns) else {
        let mut m = Vec::new();
        for (arg, absent) in [
            ("marrow_blasts", a.marrow.is_none()),
            ("circ_blasts", a.circ.is_none()),
            ("emd", a.emd.is_none()),
            ("cns", a.cns.is_none()),
        ] {
            if absent {
                m.push(arg);
            }
        }
        return Err(m);
    };

    // (1) Progression: marrow blasts ≥ 25 % (relative) above the reference — pre-treatment, or
    // the nadir when never in CR/CRi. Not called on a marrow in morphological remission.
    if !lt(marrow, p.cr_marrow_lt) {
        let reference = if prior_cr {
            a.baseline
        } else {
            match (a.nadir, a.baseline) {
                (Some(n), Some(b)) => Some(n.min(b)),
                (n, b) => n.or(b),
            }
        };
        let Some(r) = reference else {
            return Err(vec!["baseline_blasts"]);
        };
        if gt(marrow, r) && ge(marrow, r * (1.0 + p.pd_increase_pct / 100.0)) {
            return Ok("PD");
        }
    }

    let anc_ok = a.anc.map(|x| ge(x, p.anc_min));
    let platelets_ok = a.platelets.map(|x| ge(x, p.platelets_min));

    // (3-5) CR, CRi, MLFS: marrow < 5 %, no circulating blasts, no EMD, CNS1.
    if lt(marrow, p.cr_marrow_lt) && !circ && emd == "NONE" && cns == "CNS1" {
        if p.mlfs {
            // MLFS: no haematological recovery at all (neither count recovered).
            match (anc_ok, platelets_ok) {
                (Some(false), Some(false)) => return Ok("MLFS"),
                (Some(false), None) => return Err(vec!["platelets"]),
                (None, Some(false)) => return Err(vec!["anc"]),
                _ => {}
            }
        }
        if anc_ok == Some(false) || platelets_ok == Some(false) {
            return Ok("CRI");
        }
        let mut m = Vec::new();
        if anc_ok.is_none() {
            m.push("anc");
        }
        if platelets_ok.is_none() {
            m.push("platelets");
        }
        if !m.is_empty() {
            return Err(m);
        }
        return match a.transfusion {
            Some(false) => Ok("CR"),
            Some(true) => Ok("CRI"),
            None => Err(vec!["transfusion"]),
        };
    }

    // (6) PR: the blood criteria of CR (no circulating blasts, ANC and platelets recovered
    // without transfusion), marrow blasts 5-25 % and ≥ 50 % below the pre-treatment value.
    if !circ && ge(marrow, p.cr_marrow_lt) && le(marrow, p.pr_blasts_max) {
        let Some(b) = a.baseline else {
            return Err(vec!["baseline_blasts"]);
        };
        if b > 0.0 && le(marrow, b * (1.0 - p.pr_reduction_min / 100.0)) {
            let blood = [
                ("anc", anc_ok),
                ("platelets", platelets_ok),
                ("transfusion", a.transfusion.map(|t| !t)),
            ];
            if blood.iter().any(|(_, ok)| *ok == Some(false)) {
                return Ok("NR");
            }
            let m: Vec<&str> = blood
                .iter()
                .filter(|(_, ok)| ok.is_none())
                .map(|(arg, _)| *arg)
                .collect();
            if !m.is_empty() {
                return Err(m);
            }
            return Ok("PR");
        }
    }
    // (7) Otherwise no response (stable disease / treatment failure).
    Ok("NR")
}

/// What the MRD result says relative to the threshold.
enum Mrd {
    /// A measured fraction, % of nucleated cells.
    Measured(f64),
    /// Below the assay's limit of quantification, this LLOQ (%).
    Below(f64),
}

pub fn mrd_status(inp: &Inputs) -> Stop<Outcome> {
    let threshold = inp.param("mrd_threshold_pct", 0.01)?;
    let result = match inp.get("result") {
        Json::Object(o) => match o.get("blq").and_then(Json::as_f64) {
            Some(l) if l.is_finite() && l > 0.0 => Some(Mrd::Below(l)),
            _ => None,
        },
        _ => inp.opt_num("result", 0.0, 100.0)?.map(Mrd::Measured),
    };
    let sensitivity = match inp.opt_num("sensitivity", 0.0, 100.0)? {
        Some(s) if s <= 0.0 => {
            return Err(inp.invalid("sensitivity", "= 0 must be above 0", " = 0，应大于 0"))
        }
        s => s,
    };
    let detected = inp.opt_yn("detected")?;
    let result = match (result, detected) {
        (Some(Mrd::Measured(x)), Some(false)) if ge(x, threshold) => {
            return Err(inp.invalid(
                "result",
                &format!("= {x} % contradicts \"not detected\""),
                &format!(" = {x}%，与“未检出”矛盾"),
            ))
        }
        // Not detected: nothing above the assay's sensitivity.
        (None, Some(false)) => Mrd::Measured(0.0),
        (Some(r), _) => r,
        (None, _) => return Err(inp.missing(&["result"])),
    };
    let t = super::fmt_num(threshold, 6);
    let below = match result {
        Mrd::Measured(x) if ge(x, threshold) => {
            let x = super::fmt_num(x, 6);
            return Ok(Outcome::plain(
                json!("POS"),
                format!("MRD positive ({x} %)"),
                format!("MRD 阳性（{x}%）"),
            ));
        }
        Mrd::Measured(_) => true,
        Mrd::Below(l) => le(l, threshold),
    };
    // Below the threshold counts only with an assay sensitive to it (10⁻⁴ or better); a result
    // below an LLOQ that is itself above the threshold says nothing about it.
    let sensitive = if below {
        match sensitivity {
            Some(s) => le(s, threshold),
            None => return Err(inp.missing(&["sensitivity"])),
        }
    } else {
        false
    };
    if sensitive {
        Ok(Outcome::plain(
            json!("NEG"),
            format!("MRD negative (< {t} %)"),
            format!("MRD 阴性（< {t}%）"),
        ))
    } else {
        Ok(Outcome::plain(
            json!("NE"),
            "MRD not evaluable (insufficient sensitivity)",
            "MRD 不可评估（检测灵敏度不足）",
        ))
    }
}
