//! Item values: the JSON a value is entered and stored as, checked and normalised against its
//! item definition.
//!
//! | item type | value |
//! |---|---|
//! | text, note, choice | string (a choice: one of its codelist's codes) |
//! | integer, decimal | number (a numeric string is accepted and stored as a number) |
//! | boolean | true / false |
//! | date | `YYYY-MM-DD`; `YYYY-MM` or `YYYY` where the item allows partial dates |
//! | datetime | `YYYY-MM-DDTHH:MM[:SS]` with `Z` or an offset `±HH:MM` |
//! | time | `HH:MM[:SS]` |
//!
//! Special values, where the item allows them: `{"not_done": "reason"}`, `{"code": "UNK"}`
//! (ND, UNK, NA, NASK), `{"blq": LLOQ}`. `null` (or an empty string) clears a value.

use crate::definition::{Codelist, ItemDef, ItemType};
use crate::expr::date_interval;
use serde_json::{Map, Number, Value as Json};
use std::fmt;

/// Missing-value codes a definition may allow.
pub const MISSING_CODES: &[&str] = &["ND", "UNK", "NA", "NASK"];

const TEXT_MAX: usize = 2_000;
const NOTE_MAX: usize = 20_000;
const REASON_MAX: usize = 1_000;

/// Why a value was refused; displayed in English, with [`ValueProblem::zh`] in Chinese.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueProblem {
    WrongType(&'static str),
    TooLong(usize),
    ControlCharacter,
    NotInteger,
    NotFinite,
    TooManyDecimals(u32),
    BelowMinimum(f64),
    AboveMaximum(f64),
    UnknownCode(String),
    BadDate,
    PartialNotAllowed,
    BadDateTime,
    BadTime,
    NotDoneNotAllowed,
    EmptyReason,
    MissingCodeNotAllowed(String),
    BlqNotAllowed,
    BadLloq,
    UnknownSpecial,
}

impl fmt::Display for ValueProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ValueProblem::*;
        match self {
            WrongType(t) => write!(f, "expected {t}"),
            TooLong(n) => write!(f, "longer than {n} characters"),
            ControlCharacter => write!(f, "contains a control character"),
            NotInteger => write!(f, "expected a whole number"),
            NotFinite => write!(f, "not a finite number"),
            TooManyDecimals(d) => write!(f, "at most {d} decimal places"),
            BelowMinimum(m) => write!(f, "below the minimum {m}"),
            AboveMaximum(m) => write!(f, "above the maximum {m}"),
            UnknownCode(c) => write!(f, "{c:?} is not one of the choices"),
            BadDate => write!(f, "expected a date YYYY-MM-DD"),
            PartialNotAllowed => write!(f, "a complete date YYYY-MM-DD is needed"),
            BadDateTime => write!(
                f,
                "expected a date-time YYYY-MM-DDTHH:MM with offset, e.g. 2024-03-05T14:30+08:00"
            ),
            BadTime => write!(f, "expected a time HH:MM"),
            NotDoneNotAllowed => write!(f, "\"not done\" is not allowed here"),
            EmptyReason => write!(f, "\"not done\" needs a reason"),
            MissingCodeNotAllowed(c) => write!(f, "code {c:?} is not allowed here"),
            BlqNotAllowed => write!(f, "BLQ is not allowed here"),
            BadLloq => write!(
                f,
                "BLQ needs its limit of quantification, a positive number"
            ),
            UnknownSpecial => write!(f, "unknown special value: expected not_done, code or blq"),
        }
    }
}

impl ValueProblem {
    pub fn zh(&self) -> String {
        use ValueProblem::*;
        match self {
            WrongType(t) => format!("应为{}", type_zh(t)),
            TooLong(n) => format!("超过 {n} 个字符"),
            ControlCharacter => "含有控制字符".into(),
            NotInteger => "应为整数".into(),
            NotFinite => "不是有效数值".into(),
            TooManyDecimals(d) => format!("最多 {d} 位小数"),
            BelowMinimum(m) => format!("低于最小值 {m}"),
            AboveMaximum(m) => format!("高于最大值 {m}"),
            UnknownCode(c) => format!("“{c}”不是可选项"),
            BadDate => "日期格式应为 YYYY-MM-DD".into(),
            PartialNotAllowed => "需要完整日期 YYYY-MM-DD".into(),
            BadDateTime => {
                "日期时间格式应为 YYYY-MM-DDTHH:MM 并带时区，例如 2024-03-05T14:30+08:00".into()
            }
            BadTime => "时间格式应为 HH:MM".into(),
            NotDoneNotAllowed => "此项不允许“未做”".into(),
            EmptyReason => "“未做”需要填写原因".into(),
            MissingCodeNotAllowed(c) => format!("此项不允许代码“{c}”"),
            BlqNotAllowed => "此项不允许低于定量限（BLQ）".into(),
            BadLloq => "BLQ 需要填写定量下限（正数）".into(),
            UnknownSpecial => "未知的特殊值：应为 not_done、code 或 blq".into(),
        }
    }
}

fn type_zh(t: &str) -> &'static str {
    match t {
        "text" => "文本",
        "a number" => "数值",
        "true or false" => "是或否",
        "a choice code" => "选项代码",
        _ => "正确的格式",
    }
}

/// Checks `raw` against `item` and returns the value to store (`Json::Null` clears).
pub fn normalize(
    item: &ItemDef,
    codelist: Option<&Codelist>,
    raw: &Json,
) -> Result<Json, ValueProblem> {
    use ValueProblem::*;
    match raw {
        Json::Null => Ok(Json::Null),
        Json::String(s) if s.trim().is_empty() => Ok(Json::Null),
        Json::Object(m) => special(item, m),
        _ => match item.kind {
            ItemType::Text | ItemType::Note => {
                let s = raw.as_str().ok_or(WrongType("text"))?;
                let note = item.kind == ItemType::Note;
                let max = item.max_length.map(|m| m as usize).unwrap_or(if note {
                    NOTE_MAX
                } else {
                    TEXT_MAX
                });
                if s.chars().count() > max {
                    return Err(TooLong(max));
                }
                // Bidirectional overrides and isolates reorder what is displayed (spoofing).
                if s.chars().any(|c| {
                    (c.is_control() && !(note && (c == '\n' || c == '\t')))
                        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
                }) {
                    return Err(ControlCharacter);
                }
                Ok(Json::String(s.trim().to_string()))
            }
            ItemType::Integer | ItemType::Decimal => {
                let x = number(raw)?;
                if item.kind == ItemType::Integer {
                    if x.fract() != 0.0 || x.abs() > 9.0e15 {
                        return Err(NotInteger);
                    }
                } else if let Some(d) = item.digits {
                    let scaled = x * 10f64.powi(d as i32);
                    if (scaled - scaled.round()).abs() > 1e-6 * scaled.abs().max(1.0)
                        || (x != 0.0 && scaled.round() == 0.0)
                    {
                        return Err(TooManyDecimals(d));
                    }
                }
                if let Some([lo, hi]) = item.range {
                    if x < lo {
                        return Err(BelowMinimum(lo));
                    }
                    if x > hi {
                        return Err(AboveMaximum(hi));
                    }
                }
                Ok(num_json(x, item.kind == ItemType::Integer))
            }
            ItemType::Boolean => match raw {
                Json::Bool(b) => Ok(Json::Bool(*b)),
                Json::String(s) if s == "true" => Ok(Json::Bool(true)),
                Json::String(s) if s == "false" => Ok(Json::Bool(false)),
                _ => Err(WrongType("true or false")),
            },
            ItemType::Choice => {
                let s = raw.as_str().ok_or(WrongType("a choice code"))?;
                match codelist {
                    Some(cl) if cl.choices.iter().any(|c| c.code == s) => {
                        Ok(Json::String(s.to_string()))
                    }
                    _ => Err(UnknownCode(shorten(s))),
                }
            }
            ItemType::Date => {
                let s = raw.as_str().ok_or(BadDate)?;
                if !plausible_year(s) {
                    return Err(BadDate);
                }
                let (lo, hi) = date_interval(s).ok_or(BadDate)?;
                if lo != hi && !item.partial {
                    return Err(PartialNotAllowed);
                }
                if s.len() > 10 {
                    return Err(BadDate);
                }
                Ok(Json::String(s.to_string()))
            }
            ItemType::Datetime => {
                let s = raw.as_str().ok_or(BadDateTime)?;
                if !plausible_year(s) {
                    return Err(BadDateTime);
                }
                parse_datetime(s).ok_or(BadDateTime)?;
                Ok(Json::String(s.to_string()))
            }
            ItemType::Time => {
                let s = raw.as_str().ok_or(BadTime)?;
                if valid_time(s) {
                    Ok(Json::String(s.to_string()))
                } else {
                    Err(BadTime)
                }
            }
        },
    }
}

fn special(item: &ItemDef, m: &Map<String, Json>) -> Result<Json, ValueProblem> {
    use ValueProblem::*;
    if m.len() != 1 {
        return Err(UnknownSpecial);
    }
    let (k, v) = m.iter().next().ok_or(UnknownSpecial)?;
    match k.as_str() {
        "not_done" => {
            if !item.not_done {
                return Err(NotDoneNotAllowed);
            }
            let r = v.as_str().map(str::trim).unwrap_or("");
            if r.is_empty() {
                return Err(EmptyReason);
            }
            if r.chars().count() > REASON_MAX {
                return Err(TooLong(REASON_MAX));
            }
            if r.chars().any(char::is_control) {
                return Err(ControlCharacter);
            }
            Ok(serde_json::json!({ "not_done": r }))
        }
        "code" => {
            let c = v.as_str().unwrap_or("");
            if item.codes.iter().any(|x| x == c) {
                Ok(serde_json::json!({ "code": c }))
            } else {
                Err(MissingCodeNotAllowed(shorten(c)))
            }
        }
        "blq" => {
            if !item.blq {
                return Err(BlqNotAllowed);
            }
            let l = number(v).map_err(|_| BadLloq)?;
            if l <= 0.0 {
                return Err(BadLloq);
            }
            Ok(serde_json::json!({ "blq": num_json(l, false) }))
        }
        _ => Err(UnknownSpecial),
    }
}

fn number(raw: &Json) -> Result<f64, ValueProblem> {
    let x = match raw {
        Json::Number(n) => n.as_f64().ok_or(ValueProblem::NotFinite)?,
        Json::String(s) => {
            let t = s.trim();
            // Only plain decimal notation: no "inf", "NaN", hex or exponents typed by hand.
            let plain = !t.is_empty()
                && t.trim_start_matches(['-', '+'])
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.')
                && t.matches('.').count() <= 1;
            if !plain {
                return Err(ValueProblem::WrongType("a number"));
            }
            let x = t
                .parse::<f64>()
                .map_err(|_| ValueProblem::WrongType("a number"))?;
            // More digits than a double holds: never store a value nobody entered (a long
            // string of zeros and a 1 would otherwise become 0).
            if x == 0.0 && t.chars().any(|c| ('1'..='9').contains(&c)) {
                return Err(ValueProblem::WrongType("a number of ordinary size"));
            }
            x
        }
        _ => return Err(ValueProblem::WrongType("a number")),
    };
    if x.is_finite() {
        Ok(x)
    } else {
        Err(ValueProblem::NotFinite)
    }
}

/// Years before 1800 are typing errors in this trial (birth dates included); year 0 does not
/// exist in ISO 8601's common use.
fn plausible_year(s: &str) -> bool {
    s.get(..4)
        .and_then(|y| y.parse::<u32>().ok())
        .is_some_and(|y| y >= 1800)
}

/// The start of an input echoed in an error, never the whole of a huge one.
fn shorten(s: &str) -> String {
    const MAX: usize = 80;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        format!(
            "{}… ({} characters)",
            s.chars().take(MAX).collect::<String>(),
            s.chars().count()
        )
    }
}

fn num_json(x: f64, integer: bool) -> Json {
    if integer || (x.fract() == 0.0 && x.abs() < 9.0e15) {
        Json::Number(Number::from(x as i64))
    } else {
        Number::from_f64(x).map_or(Json::Null, Json::Number)
    }
}

/// Parses `YYYY-MM-DDTHH:MM[:SS[.fff]]` with `Z` or `±HH:MM`.
pub fn parse_datetime(s: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    if s.len() < 17 || s.as_bytes().get(10) != Some(&b'T') {
        return None;
    }
    let (date, rest) = s.split_at(10);
    let rest = &rest[1..];
    let tz_at = rest.find(['Z', '+', '-'])?;
    let (time, tz) = rest.split_at(tz_at);
    let time = if time.len() == 5 {
        format!("{time}:00")
    } else {
        time.to_string()
    };
    chrono::DateTime::parse_from_rfc3339(&format!("{date}T{time}{tz}")).ok()
}

fn valid_time(s: &str) -> bool {
    let parts: Vec<&str> = s.split(':').collect();
    let ok = |p: &str, max: u32| p.len() == 2 && p.parse::<u32>().is_ok_and(|v| v <= max);
    match parts.as_slice() {
        [h, m] => ok(h, 23) && ok(m, 59),
        [h, m, sec] => ok(h, 23) && ok(m, 59) && ok(sec, 59),
        _ => false,
    }
}

/// A value is present for "required" when it is set, including a special value.
pub fn is_present(v: &Json) -> bool {
    !v.is_null()
}

/// The number in a value, if it is one (not a special value).
pub fn as_number(v: &Json) -> Option<f64> {
    v.as_f64()
}
