//! Time-to-event endpoints and response categories per subject (clinical-rules §3, §5), from the
//! facts the services read out of the casebook. Pure: dates come in as ISO text.
//!
//! Day 0 is the CAR-T infusion; follow-up is cut at three years (`FOLLOW_UP_DAYS`): an event
//! after it counts as censored at three years.
//! * **OS**: death from any cause; censored at the last date known alive.
//! * **PFS**: the first progression or relapse, or death; censored at the last adequate disease
//!   assessment.
//! * **DOR**: responders only (B-ALL: CR or CRi; lymphoma: CR/CMR or PR/PMR), from the first
//!   such response to relapse/progression or death; censored at the last adequate assessment.
//! * **New anticancer therapy or HSCT**: the primary analysis censors PFS and DOR at the last
//!   adequate assessment before it; the sensitivity analysis does not.
//!
//! Partial dates (`2026-03`, `2026`) count from their first day, but never before a date
//! known to come earlier (an event is never dated before the last adequate assessment or the
//! response it ends).

use crate::bor::Assessment;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Three years of follow-up, in days.
pub const FOLLOW_UP_DAYS: f64 = 3.0 * 365.25;

/// What the casebook says about one subject, for the endpoints.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    pub infusion: Option<String>,
    /// Dated response assessments (overrides applied), any order.
    pub responses: Vec<Assessment>,
    pub death: Option<String>,
    /// Dates the subject was known alive (contacts, visits), any order.
    pub alive: Vec<String>,
    /// Relapse or progression dates recorded outside response forms (survival follow-up).
    pub progression: Vec<String>,
    /// Start of new anticancer therapy or HSCT (the earliest).
    pub new_therapy: Option<String>,
    pub lymphoma: bool,
}

/// Which handling of new anticancer therapy or HSCT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Analysis {
    /// Censor at the last adequate assessment before new therapy.
    Primary,
    /// Ignore new therapy.
    Sensitivity,
}

/// One subject's time to event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeToEvent {
    pub days: f64,
    pub event: bool,
    /// Why: `death`, `progression`, `relapse`, or the censoring rule that applied.
    pub reason: String,
}

fn date(s: &str) -> Option<NaiveDate> {
    match s.len() {
        4 => NaiveDate::from_ymd_opt(s.parse().ok()?, 1, 1),
        7 => NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").ok(),
        _ => NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok(),
    }
}

fn is_progression(code: &str) -> bool {
    matches!(code, "PD" | "PMD" | "RELAPSE")
}

/// Whether a response code makes the subject a responder for DOR and ORR.
pub fn is_response(code: &str, lymphoma: bool) -> bool {
    if lymphoma {
        matches!(code, "CR" | "CMR" | "PR" | "PMR")
    } else {
        matches!(code, "CR" | "CRI")
    }
}

struct Dated<'a> {
    day: NaiveDate,
    code: &'a str,
}

impl Facts {
    fn day0(&self) -> Option<NaiveDate> {
        self.infusion.as_deref().and_then(date)
    }

    /// Assessments on or after infusion, in date order.
    fn assessments(&self, d0: NaiveDate) -> Vec<Dated<'_>> {
        let mut v: Vec<Dated> = self
            .responses
            .iter()
            .filter_map(|a| {
                Some(Dated {
                    day: date(&a.date)?,
                    code: &a.code,
                })
            })
            .filter(|a| a.day >= d0)
            .collect();
        v.sort_by_key(|a| a.day);
        v
    }

    fn new_therapy_day(&self) -> Option<NaiveDate> {
        self.new_therapy.as_deref().and_then(date)
    }
}

fn days(from: NaiveDate, to: NaiveDate) -> f64 {
    (to - from).num_days() as f64
}

/// Caps at three years of follow-up.
fn cap(t: TimeToEvent) -> TimeToEvent {
    if t.days > FOLLOW_UP_DAYS {
        TimeToEvent {
            days: FOLLOW_UP_DAYS,
            event: false,
            reason: "censored at 3 years".into(),
        }
    } else {
        t
    }
}

/// Overall survival from infusion; `None` when not infused.
pub fn os(f: &Facts) -> Option<TimeToEvent> {
    let d0 = f.day0()?;
    let mut last = d0;
    for d in f.alive.iter().filter_map(|d| date(d)) {
        last = last.max(d);
    }
    for a in f.assessments(d0) {
        last = last.max(a.day);
    }
    Some(cap(match f.death.as_deref().and_then(date) {
        Some(death) => TimeToEvent {
            days: days(d0, death.max(d0)),
            event: true,
            reason: "death".into(),
        },
        None => TimeToEvent {
            days: days(d0, last),
            event: false,
            reason: "censored: last known alive".into(),
        },
    }))
}

/// The first progression or relapse after `from` (from response forms or follow-up).
fn first_progression(
    f: &Facts,
    d0: NaiveDate,
    from: NaiveDate,
) -> Option<(NaiveDate, &'static str)> {
    let by_assessment = f
        .assessments(d0)
        .into_iter()
        .filter(|a| a.day >= from && is_progression(a.code))
        .map(|a| {
            (
                a.day,
                if a.code == "RELAPSE" {
                    "relapse"
                } else {
                    "progression"
                },
            )
        })
        .next();
    let by_follow_up = f
        .progression
        .iter()
        .filter_map(|d| date(d))
        .filter(|d| *d >= from)
        .min()
        .map(|d| (d, "progression"));
    match (by_assessment, by_follow_up) {
        (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// Time from `start` to progression/relapse or death, censored at the last adequate assessment
/// (before new therapy in the primary analysis).
fn to_progression(f: &Facts, d0: NaiveDate, start: NaiveDate, analysis: Analysis) -> TimeToEvent {
    let assessments = f.assessments(d0);
    let nt = match analysis {
        Analysis::Primary => f.new_therapy_day().filter(|d| *d >= start),
        Analysis::Sensitivity => None,
    };
    let event = {
        let prog = first_progression(f, d0, start);
        let death = f
            .death
            .as_deref()
            .and_then(date)
            .map(|d| (d.max(start), "death"));
        match (prog, death) {
            (Some(p), Some(d)) => Some(if d.0 < p.0 { d } else { p }),
            (p, d) => p.or(d),
        }
    };
    let last_adequate = |before: Option<NaiveDate>| {
        assessments
            .iter()
            .filter(|a| a.day >= start && before.is_none_or(|b| a.day < b))
            .map(|a| a.day)
            .max()
            .unwrap_or(start)
    };
    match (event, nt) {
        (Some((day, why)), Some(n)) if n <= day => TimeToEvent {
            days: days(start, last_adequate(Some(n))),
            event: false,
            reason: format!("censored: new therapy before {why}"),
        },
        (Some((day, why)), _) => TimeToEvent {
            days: days(start, day),
            event: true,
            reason: why.into(),
        },
        (None, Some(n)) => TimeToEvent {
            days: days(start, last_adequate(Some(n))),
            event: false,
            reason: "censored: new therapy".into(),
        },
        (None, None) => TimeToEvent {
            days: days(start, last_adequate(None)),
            event: false,
            reason: "censored: last adequate assessment".into(),
        },
    }
}

/// Progression-free survival from infusion; `None` when not infused.
pub fn pfs(f: &Facts, analysis: Analysis) -> Option<TimeToEvent> {
    let d0 = f.day0()?;
    Some(cap(to_progression(f, d0, d0, analysis)))
}

/// The first response that makes a responder (date, code), on or after infusion and before
/// any progression.
pub fn first_response(f: &Facts) -> Option<(String, String)> {
    let d0 = f.day0()?;
    for a in f.assessments(d0) {
        if is_progression(a.code) {
            return None;
        }
        if is_response(a.code, f.lymphoma) {
            return Some((a.day.format("%Y-%m-%d").to_string(), a.code.to_string()));
        }
    }
    None
}

/// Duration of response, for responders; `None` otherwise. The three-year cut-off counts from
/// infusion, like the other endpoints.
pub fn dor(f: &Facts, analysis: Analysis) -> Option<TimeToEvent> {
    let d0 = f.day0()?;
    let (first, _) = first_response(f)?;
    let start = date(&first)?;
    let t = to_progression(f, d0, start, analysis);
    let limit = FOLLOW_UP_DAYS - days(d0, start);
    Some(if t.days > limit {
        TimeToEvent {
            days: limit.max(0.0),
            event: false,
            reason: "censored at 3 years".into(),
        }
    } else {
        t
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(date: &str, code: &str) -> Assessment {
        Assessment {
            date: date.into(),
            code: code.into(),
        }
    }

    fn base() -> Facts {
        Facts {
            infusion: Some("2025-01-01".into()),
            ..Facts::default()
        }
    }

    /// A case for every rule of clinical-rules §5: (name, facts, OS, PFS primary, PFS
    /// sensitivity, DOR primary, DOR sensitivity) as (days, event). Worked out by hand from the
    /// dates (2025-01-01 is day 0; 2025-01-29 is day 28; 2025-04-01 day 90; 2025-07-01 day 181).
    #[test]
    fn every_censoring_rule() {
        type E = Option<(f64, bool)>;
        let cases: Vec<(&str, Facts, E, E, E, E, E)> = vec![
            (
                "not infused: no endpoints",
                Facts::default(),
                None,
                None,
                None,
                None,
                None,
            ),
            (
                "alive, no assessment: censored at last contact / day 0",
                Facts {
                    alive: vec!["2025-07-01".into()],
                    ..base()
                },
                Some((181.0, false)),
                Some((0.0, false)),
                Some((0.0, false)),
                None,
                None,
            ),
            (
                "CR then relapse then death",
                Facts {
                    responses: vec![a("2025-01-29", "CR"), a("2025-04-01", "RELAPSE")],
                    death: Some("2025-07-01".into()),
                    ..base()
                },
                Some((181.0, true)),
                Some((90.0, true)),
                Some((90.0, true)),
                Some((62.0, true)),
                Some((62.0, true)),
            ),
            (
                "death without progression is a PFS and DOR event",
                Facts {
                    responses: vec![a("2025-01-29", "CRI")],
                    death: Some("2025-04-01".into()),
                    ..base()
                },
                Some((90.0, true)),
                Some((90.0, true)),
                Some((90.0, true)),
                Some((62.0, true)),
                Some((62.0, true)),
            ),
            (
                "new therapy (HSCT) in CR: primary censors at the last assessment before it",
                Facts {
                    responses: vec![
                        a("2025-01-29", "CR"),
                        a("2025-04-01", "CR"),
                        a("2025-10-01", "RELAPSE"),
                    ],
                    new_therapy: Some("2025-05-01".into()),
                    alive: vec!["2025-12-01".into()],
                    ..base()
                },
                Some((334.0, false)),
                Some((90.0, false)),
                Some((273.0, true)),
                Some((62.0, false)),
                Some((245.0, true)),
            ),
            (
                "new therapy after relapse does not censor",
                Facts {
                    responses: vec![a("2025-01-29", "CR"), a("2025-04-01", "RELAPSE")],
                    new_therapy: Some("2025-05-01".into()),
                    ..base()
                },
                Some((90.0, false)),
                Some((90.0, true)),
                Some((90.0, true)),
                Some((62.0, true)),
                Some((62.0, true)),
            ),
            (
                "no response: no DOR; progression from follow-up",
                Facts {
                    responses: vec![a("2025-01-29", "NR")],
                    progression: vec!["2025-03".into()],
                    ..base()
                },
                Some((28.0, false)),
                Some((59.0, true)),
                Some((59.0, true)),
                None,
                None,
            ),
            (
                "lymphoma: PR makes a responder; PD ends it",
                Facts {
                    responses: vec![a("2025-01-29", "PMR"), a("2025-07-01", "PMD")],
                    lymphoma: true,
                    ..base()
                },
                Some((181.0, false)),
                Some((181.0, true)),
                Some((181.0, true)),
                Some((153.0, true)),
                Some((153.0, true)),
            ),
            (
                "B-ALL PR is no responder",
                Facts {
                    responses: vec![a("2025-01-29", "PR")],
                    ..base()
                },
                Some((28.0, false)),
                Some((28.0, false)),
                Some((28.0, false)),
                None,
                None,
            ),
            (
                "events after three years are censored at three years",
                Facts {
                    responses: vec![a("2025-01-29", "CR"), a("2028-06-01", "CR")],
                    death: Some("2029-01-01".into()),
                    ..base()
                },
                Some((FOLLOW_UP_DAYS, false)),
                Some((FOLLOW_UP_DAYS, false)),
                Some((FOLLOW_UP_DAYS, false)),
                Some((FOLLOW_UP_DAYS - 28.0, false)),
                Some((FOLLOW_UP_DAYS - 28.0, false)),
            ),
            (
                "partial death date counts from its first day",
                Facts {
                    responses: vec![a("2025-01-29", "CR")],
                    death: Some("2025-04".into()),
                    ..base()
                },
                Some((90.0, true)),
                Some((90.0, true)),
                Some((90.0, true)),
                Some((62.0, true)),
                Some((62.0, true)),
            ),
        ];
        let pair = |t: Option<TimeToEvent>| t.map(|t| (t.days, t.event));
        for (name, f, os_, pfs_p, pfs_s, dor_p, dor_s) in cases {
            assert_eq!(pair(os(&f)), os_, "{name}: OS");
            assert_eq!(
                pair(pfs(&f, Analysis::Primary)),
                pfs_p,
                "{name}: PFS primary"
            );
            assert_eq!(
                pair(pfs(&f, Analysis::Sensitivity)),
                pfs_s,
                "{name}: PFS sensitivity"
            );
            assert_eq!(
                pair(dor(&f, Analysis::Primary)),
                dor_p,
                "{name}: DOR primary"
            );
            assert_eq!(
                pair(dor(&f, Analysis::Sensitivity)),
                dor_s,
                "{name}: DOR sensitivity"
            );
        }
    }
}
