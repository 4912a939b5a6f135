//! What an investigator may put in place of a derived value: a value of the derivation's own
//! scale (a CRS grade is 0-5, an ALL response one of its codes). The derived value stays in the
//! record beside it.

use serde_json::Value as Json;

/// The scale of a derivation function's value, for overrides.
pub enum Scale {
    Integer(i64, i64),
    Codes(&'static [&'static str]),
    /// Any number or short text.
    Free,
}

pub fn scale(function: &str) -> Scale {
    match function {
        "crs_grade" => Scale::Integer(0, 5),
        "icans_grade" => Scale::Integer(0, 4),
        "ice_score" => Scale::Integer(0, 10),
        "all_response" => Scale::Codes(&["CR", "CRI", "MLFS", "PR", "NR", "PD", "RELAPSE"]),
        "mrd_status" => Scale::Codes(&["NEG", "POS", "NE"]),
        "lugano_pet" => Scale::Codes(&["CMR", "PMR", "NMR", "PMD"]),
        "lugano_ct" | "lugano_overall" => Scale::Codes(&["CR", "PR", "SD", "PD"]),
        _ => Scale::Free,
    }
}

/// Checks (and normalises) an override value; `null` withdraws an override.
pub fn check_override(function: &str, value: &Json) -> Result<Json, String> {
    if value.is_null() {
        return Ok(Json::Null);
    }
    match scale(function) {
        Scale::Integer(lo, hi) => match value.as_f64() {
            Some(x) if x.fract() == 0.0 && x >= lo as f64 && x <= hi as f64 => {
                Ok(Json::from(x as i64))
            }
            _ => Err(format!("expected a whole number from {lo} to {hi}")),
        },
        Scale::Codes(codes) => match value.as_str() {
            Some(s) if codes.contains(&s) => Ok(Json::String(s.to_string())),
            _ => Err(format!("expected one of {}", codes.join(", "))),
        },
        Scale::Free => match value {
            Json::Number(_) => Ok(value.clone()),
            Json::String(s)
                if !s.trim().is_empty()
                    && s.chars().count() <= 200
                    && !s.chars().any(char::is_control) =>
            {
                Ok(Json::String(s.trim().to_string()))
            }
            _ => Err("expected a number or a short text".into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scales() {
        let cases: &[(&str, Json, Result<Json, &str>)] = &[
            ("crs_grade", json!(3), Ok(json!(3))),
            ("crs_grade", json!(3.0), Ok(json!(3))),
            ("crs_grade", json!(6), Err("0 to 5")),
            ("crs_grade", json!(2.5), Err("0 to 5")),
            ("crs_grade", json!("3"), Err("0 to 5")),
            ("icans_grade", json!(5), Err("0 to 4")),
            ("all_response", json!("CRI"), Ok(json!("CRI"))),
            ("all_response", json!("CRi"), Err("one of CR, CRI")),
            ("lugano_overall", json!("SD"), Ok(json!("SD"))),
            ("bsa_mosteller", json!(1.71), Ok(json!(1.71))),
            ("bsa_mosteller", json!(""), Err("number or a short text")),
            ("crs_grade", Json::Null, Ok(Json::Null)),
        ];
        for (f, v, want) in cases {
            match (check_override(f, v), want) {
                (Ok(g), Ok(w)) => assert_eq!(&g, w, "{f} {v}"),
                (Err(e), Err(w)) => assert!(e.contains(w), "{f} {v}: {e}"),
                (g, w) => panic!("{f} {v}: got {g:?}, want {w:?}"),
            }
        }
    }
}
