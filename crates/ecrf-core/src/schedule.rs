//! Visit windows: when each scheduled event of a subject is due, and whether it is done, due,
//! overdue or still ahead. Events are anchored on enrolment or on the CAR-T infusion (day 0);
//! a subject not (yet) infused has the infusion-anchored events placed from a planned infusion
//! day after enrolment (study parameter `planned_infusion_day`, default 28), marked planned.

use crate::definition::{Anchor, Definition, Text};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The dates a subject's schedule hangs on (`YYYY-MM-DD`; longer date-times are cut to the date).
#[derive(Debug, Clone, Default)]
pub struct Anchors {
    pub enrolment: Option<String>,
    pub infusion: Option<String>,
    /// Death, withdrawal or end of study: nothing is expected after it.
    pub end: Option<String>,
}

/// How far an event's forms are.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    pub forms: u32,
    pub started: u32,
    pub complete: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum VisitState {
    Complete,
    InProgress,
    Due,
    Overdue,
    Upcoming,
    /// After death, withdrawal or end of study.
    NotExpected,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Visit {
    pub event: String,
    pub name: Text,
    pub due: String,
    pub earliest: String,
    pub latest: String,
    pub state: VisitState,
    /// The infusion date is planned, not actual.
    pub planned: bool,
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}

/// The inverse of [`crate::expr::day_number`].
fn from_day_number(n: i64) -> Option<NaiveDate> {
    let anchor = NaiveDate::from_ymd_opt(2000, 3, 1)?;
    let base = crate::expr::day_number(2000, 3, 1)?;
    anchor.checked_add_signed(Duration::days(n - base))
}

fn fmt(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The subject's scheduled events with their windows and states, in definition order.
pub fn schedule(
    def: &Definition,
    anchors: &Anchors,
    today: &str,
    progress: &BTreeMap<String, Progress>,
) -> Vec<Visit> {
    let Some(enrolment) = anchors.enrolment.as_deref().and_then(date) else {
        return vec![];
    };
    let Some(today) = date(today) else {
        return vec![];
    };
    let planned_day = def.param_f64("planned_infusion_day").unwrap_or(28.0) as i64;
    let (infusion, planned) = match anchors.infusion.as_deref().and_then(date) {
        Some(d) => (d, false),
        None => (enrolment + Duration::days(planned_day), true),
    };
    // A partial end date (a death known to the month) counts from its first possible day.
    let end = anchors.end.as_deref().and_then(|e| {
        date(e).or_else(|| crate::expr::date_interval(e).and_then(|(lo, _)| from_day_number(lo)))
    });
    let mut out = Vec::new();
    for ev in &def.events {
        let (base, is_planned) = match ev.anchor {
            Anchor::None => continue,
            Anchor::Enrolment => (enrolment, false),
            Anchor::Infusion => (infusion, planned),
        };
        let day = ev.day.unwrap_or(0) as i64;
        let [lo, hi] = ev.window.unwrap_or([ev.day.unwrap_or(0); 2]);
        let due = base + Duration::days(day);
        let earliest = base + Duration::days(lo as i64);
        let latest = base + Duration::days(hi as i64);
        let p = progress.get(&ev.id).copied().unwrap_or_default();
        let forms = if p.forms == 0 {
            ev.forms.len() as u32
        } else {
            p.forms
        };
        let state = if forms > 0 && p.complete >= forms {
            VisitState::Complete
        } else if end.is_some_and(|e| latest >= e) && p.started == 0 {
            // The subject's participation ended before this visit's window closed.
            VisitState::NotExpected
        } else if p.started > 0 {
            if today > latest {
                VisitState::Overdue
            } else {
                VisitState::InProgress
            }
        } else if today < earliest {
            VisitState::Upcoming
        } else if today <= latest {
            VisitState::Due
        } else {
            VisitState::Overdue
        };
        out.push(Visit {
            event: ev.id.clone(),
            name: ev.name.clone(),
            due: fmt(due),
            earliest: fmt(earliest),
            latest: fmt(latest),
            state,
            planned: is_planned,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::load;

    fn def() -> Definition {
        let study = r#"
format = 1
form_files = ["f.toml"]
[study]
id = "T"
version = "1"
name = { en = "T", zh = "T" }
[parameters]
planned_infusion_day = 21
[[events]]
id = "SCR"
name = { en = "Screening", zh = "筛选" }
anchor = "enrolment"
day = 0
window = [0, 28]
forms = ["F"]
[[events]]
id = "D7"
name = { en = "Day 7", zh = "第 7 天" }
anchor = "infusion"
day = 7
window = [6, 8]
forms = ["F"]
[[events]]
id = "UNS"
name = { en = "Unscheduled", zh = "计划外" }
anchor = "none"
repeating = true
forms = ["F"]
"#;
        let form = "id = \"F\"\nname = { en = \"F\", zh = \"F\" }\n[[items]]\nid = \"X\"\nlabel = { en = \"X\", zh = \"X\" }\ntype = \"text\"\n";
        let files = [
            ("s.toml".to_string(), study.to_string()),
            ("f.toml".to_string(), form.to_string()),
        ]
        .into_iter()
        .collect();
        load(&files, "s.toml").unwrap()
    }

    fn states(
        anchors: &Anchors,
        today: &str,
        progress: &[(&str, Progress)],
    ) -> Vec<(String, VisitState, String, bool)> {
        let p = progress.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        schedule(&def(), anchors, today, &p)
            .into_iter()
            .map(|v| (v.event, v.state, v.due, v.planned))
            .collect()
    }

    #[test]
    fn table() {
        let a = |e: &str, i: Option<&str>, end: Option<&str>| Anchors {
            enrolment: Some(e.into()),
            infusion: i.map(Into::into),
            end: end.map(Into::into),
        };
        let done = Progress {
            forms: 1,
            started: 1,
            complete: 1,
        };
        let started = Progress {
            forms: 1,
            started: 1,
            complete: 0,
        };
        use VisitState::*;
        type Case<'a> = (
            Anchors,
            &'a str,
            Vec<(&'a str, Progress)>,
            Vec<(&'a str, VisitState, &'a str, bool)>,
        );
        let cases: Vec<Case> = vec![
            // Not infused: day 7 from the planned infusion, enrolment + 21.
            (
                a("2026-01-01", None, None),
                "2026-01-01",
                vec![],
                vec![
                    ("SCR", Due, "2026-01-01", false),
                    ("D7", Upcoming, "2026-01-29", true),
                ],
            ),
            (
                a("2026-01-01", None, None),
                "2026-01-30",
                vec![],
                vec![
                    ("SCR", Overdue, "2026-01-01", false),
                    ("D7", Due, "2026-01-29", true),
                ],
            ),
            (
                a("2026-01-01", None, None),
                "2026-01-31",
                vec![],
                vec![
                    ("SCR", Overdue, "2026-01-01", false),
                    ("D7", Overdue, "2026-01-29", true),
                ],
            ),
            // Infused on 10 Jan: day 7 is 17 Jan, window 16-18.
            (
                a("2026-01-01", Some("2026-01-10"), None),
                "2026-01-15",
                vec![("SCR", done)],
                vec![
                    ("SCR", Complete, "2026-01-01", false),
                    ("D7", Upcoming, "2026-01-17", false),
                ],
            ),
            (
                a("2026-01-01", Some("2026-01-10"), None),
                "2026-01-16",
                vec![("SCR", done)],
                vec![
                    ("SCR", Complete, "2026-01-01", false),
                    ("D7", Due, "2026-01-17", false),
                ],
            ),
            (
                a("2026-01-01", Some("2026-01-10"), None),
                "2026-01-18",
                vec![("SCR", done)],
                vec![
                    ("SCR", Complete, "2026-01-01", false),
                    ("D7", Due, "2026-01-17", false),
                ],
            ),
            (
                a("2026-01-01", Some("2026-01-10"), None),
                "2026-01-19",
                vec![("SCR", done)],
                vec![
                    ("SCR", Complete, "2026-01-01", false),
                    ("D7", Overdue, "2026-01-17", false),
                ],
            ),
            (
                a("2026-01-01", Some("2026-01-10T09:30+08:00"), None),
                "2026-01-17",
                vec![("SCR", done), ("D7", started)],
                vec![
                    ("SCR", Complete, "2026-01-01", false),
                    ("D7", InProgress, "2026-01-17", false),
                ],
            ),
            (
                a("2026-01-01", Some("2026-01-10"), None),
                "2026-01-20",
                vec![("SCR", done), ("D7", started)],
                vec![
                    ("SCR", Complete, "2026-01-01", false),
                    ("D7", Overdue, "2026-01-17", false),
                ],
            ),
            // Died on day 3: day 7 is not expected.
            (
                a("2026-01-01", Some("2026-01-10"), Some("2026-01-13")),
                "2026-01-20",
                vec![("SCR", done)],
                vec![
                    ("SCR", Complete, "2026-01-01", false),
                    ("D7", NotExpected, "2026-01-17", false),
                ],
            ),
            // Death known to the month only: from its first day.
            (
                a("2026-01-01", Some("2026-01-10"), Some("2026-01")),
                "2026-02-20",
                vec![("SCR", done)],
                vec![
                    ("SCR", Complete, "2026-01-01", false),
                    ("D7", NotExpected, "2026-01-17", false),
                ],
            ),
            // Screen failure on day 5, screening not done while its window was open: not expected.
            (
                a("2026-01-01", None, Some("2026-01-05")),
                "2026-03-01",
                vec![],
                vec![
                    ("SCR", NotExpected, "2026-01-01", false),
                    ("D7", NotExpected, "2026-01-29", true),
                ],
            ),
            // A visit whose window closed before the end and was never done stays overdue (missed).
            (
                a("2026-01-01", Some("2026-01-10"), Some("2026-03-01")),
                "2026-03-05",
                vec![("SCR", done)],
                vec![
                    ("SCR", Complete, "2026-01-01", false),
                    ("D7", Overdue, "2026-01-17", false),
                ],
            ),
        ];
        for (i, (anchors, today, progress, want)) in cases.into_iter().enumerate() {
            let got = states(&anchors, today, &progress);
            let want: Vec<_> = want
                .into_iter()
                .map(|(e, s, d, p)| (e.to_string(), s, d.to_string(), p))
                .collect();
            assert_eq!(got, want, "case {i}");
        }
        assert!(
            states(&Anchors::default(), "2026-01-01", &[]).is_empty(),
            "no enrolment date, no schedule"
        );
    }
}
