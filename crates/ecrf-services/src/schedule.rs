//! Visit schedules and the worklist of due and overdue visits.

use crate::auth::Session;
use crate::{Ecrf, Result};
use ecrf_core::ids::SubjectId;
use ecrf_core::roles::Action;
use ecrf_core::schedule::{schedule, Anchors, Progress, Visit, VisitState};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A visit of a subject that needs attention.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct WorklistEntry {
    pub subject: String,
    #[serde(flatten)]
    #[cfg_attr(feature = "ts", ts(flatten))]
    pub visit: Visit,
}

impl Ecrf {
    /// Reads the item a study parameter names (`"FORM.ITEM"`), or the default path.
    fn anchor_value(
        &self,
        subject: &SubjectId,
        param: &str,
        default: &str,
    ) -> Result<Option<String>> {
        let path = self
            .definition()
            .parameters
            .get(param)
            .and_then(|v| v.as_str())
            .unwrap_or(default)
            .to_string();
        let Some((form, item)) = path.split_once('.') else {
            return Ok(None);
        };
        Ok(self
            .store
            .lookup(subject, None, form, item)?
            .as_str()
            .map(str::to_string))
    }

    fn anchors(&self, subject: &SubjectId, enrolled_at: &str) -> Result<Anchors> {
        let enrolment = self
            .anchor_value(subject, "enrolment_date", "DM.ICDAT")?
            .or_else(|| enrolled_at.get(..10).map(str::to_string));
        let infusion = self.anchor_value(subject, "infusion_date", "INF.INFDAT")?;
        let mut end: Option<String> = None;
        for (param, default) in [
            ("death_date", "DEATH.DTHDAT"),
            ("withdrawal_date", "WD.WDDAT"),
            ("end_date", "EOS.EOSDAT"),
        ] {
            if let Some(d) = self.anchor_value(subject, param, default)? {
                if end.as_ref().is_none_or(|e| d < *e) {
                    end = Some(d);
                }
            }
        }
        Ok(Anchors {
            enrolment,
            infusion,
            end,
        })
    }

    fn visits(&self, subject: &SubjectId, enrolled_at: &str, today: &str) -> Result<Vec<Visit>> {
        let def = self.definition();
        let mut progress: BTreeMap<String, Progress> = BTreeMap::new();
        for f in self.store.subject_forms(subject)? {
            if f.form.event_repeat != 1 {
                continue;
            }
            let p = progress.entry(f.form.event.clone()).or_default();
            p.started += 1;
            if f.status == "complete" {
                p.complete += 1;
            }
        }
        for ev in &def.events {
            progress.entry(ev.id.clone()).or_default().forms = ev.forms.len() as u32;
        }
        let anchors = self.anchors(subject, enrolled_at)?;
        Ok(schedule(def, &anchors, today, &progress))
    }

    /// Every scheduled visit of a subject, with its window and state.
    pub fn subject_schedule(&mut self, s: &mut Session, subject: &str) -> Result<Vec<Visit>> {
        self.authorize(s, Action::ViewData)?;
        let id = SubjectId::parse(subject)?;
        let summary = self.subject_summary(&id)?;
        let today = self.today();
        self.visits(&id, &summary.enrolled_at, &today)
    }

    /// Visits due or overdue now, and those opening within `upcoming_days`, over all subjects:
    /// overdue first, then by date.
    pub fn worklist(&mut self, s: &mut Session, upcoming_days: u32) -> Result<Vec<WorklistEntry>> {
        self.authorize(s, Action::ViewData)?;
        let today = self.today();
        let horizon = (self.now() + chrono::Duration::days(upcoming_days as i64))
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d")
            .to_string();
        let mut out = Vec::new();
        for row in self.store.subjects()? {
            let id = SubjectId::parse(&row.subject)?;
            for v in self.visits(&id, &row.enrolled_at, &today)? {
                let wanted = match v.state {
                    VisitState::Due | VisitState::Overdue | VisitState::InProgress => true,
                    VisitState::Upcoming => v.earliest <= horizon,
                    VisitState::Complete | VisitState::NotExpected => false,
                };
                if wanted {
                    out.push(WorklistEntry {
                        subject: row.subject.clone(),
                        visit: v,
                    });
                }
            }
        }
        out.sort_by(|a, b| {
            let rank = |v: &Visit| match v.state {
                VisitState::Overdue => 0,
                VisitState::Due => 1,
                VisitState::InProgress => 2,
                _ => 3,
            };
            (rank(&a.visit), &a.visit.latest, &a.subject).cmp(&(
                rank(&b.visit),
                &b.visit.latest,
                &b.subject,
            ))
        });
        Ok(out)
    }
}
