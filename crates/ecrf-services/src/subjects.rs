//! Enrolment, the subject list and the casebook.

use crate::auth::Session;
use crate::dto::{Casebook, FormStatus, SubjectSummary};
use crate::{Ecrf, Result, ServiceError};
use ecrf_core::address::FormRef;
use ecrf_core::event::Payload;
use ecrf_core::ids::{SiteCode, SubjectId};
use ecrf_core::roles::{Action, NodeRole};
use ecrf_store::SubjectRow;

impl Ecrf {
    pub fn enrol(&mut self, s: &mut Session, subject: &str) -> Result<SubjectSummary> {
        self.authorize(s, Action::Enrol)?;
        let node = self.store.node()?;
        let id = match (node.role, &node.site) {
            (NodeRole::Site, Some(site)) => SubjectId::parse_at(subject, &SiteCode::parse(site)?)?,
            _ => {
                return Err(ServiceError::InvalidInput(
                    "subjects are enrolled at their site's node".into(),
                ))
            }
        };
        if self.store.subject_exists(&id)? {
            return Err(ServiceError::Exists(format!("subject {id}")));
        }
        let now = self.now_str();
        let now_ms = self.now_ms();
        let actor = s.actor();
        let version = self.current.clone();
        let site = id.site().to_string();
        self.store.write(|tx| -> Result<()> {
            tx.append_local(
                &actor,
                &now,
                now_ms,
                vec![Payload::SubjectEnrolled {
                    subject: id.clone(),
                    site,
                    definition_version: version,
                }],
            )?;
            Ok(())
        })?;
        self.subject_summary(&id)
    }

    pub fn subjects(&mut self, s: &mut Session) -> Result<Vec<SubjectSummary>> {
        self.authorize(s, Action::ViewData)?;
        let rows = self.store.subjects()?;
        rows.iter().map(|r| self.summarise(r)).collect()
    }

    pub fn casebook(&mut self, s: &mut Session, subject: &str) -> Result<Casebook> {
        self.authorize(s, Action::ViewData)?;
        let id = SubjectId::parse(subject)?;
        let summary = self.subject_summary(&id)?;
        let states = self.store.subject_forms(&id)?;
        let def = self.definition_version(&summary.definition_version)?;
        let sigs = self.signature_views(&id)?;
        let signature_of = |f: &FormRef| -> Option<String> {
            let key = f.key();
            sigs.iter().rev().find(|v| v.forms.contains(&key)).map(|v| {
                if v.broken {
                    "signature_broken".to_string()
                } else {
                    "signed".to_string()
                }
            })
        };
        let mut forms = Vec::new();
        for ev in &def.events {
            // Each scheduled form once; repeating events and forms list what exists, plus one
            // not-started instance to begin.
            let mut event_repeats: Vec<u32> = states
                .iter()
                .filter(|f| f.form.event == ev.id)
                .map(|f| f.form.event_repeat)
                .collect();
            event_repeats.push(1);
            event_repeats.sort_unstable();
            event_repeats.dedup();
            for er in event_repeats {
                for fid in &ev.forms {
                    let existing: Vec<_> = states
                        .iter()
                        .filter(|f| {
                            f.form.event == ev.id
                                && f.form.event_repeat == er
                                && &f.form.form == fid
                        })
                        .collect();
                    if existing.is_empty() {
                        let form = FormRef::new(id.clone(), &ev.id, er, fid, 1)?;
                        forms.push(FormStatus {
                            locked: self.store.lock_of(&form)?.is_some(),
                            form,
                            status: "not_started".into(),
                            signature: None,
                            open_queries: 0,
                            verified: false,
                        });
                    }
                    for f in existing {
                        let open_queries = self
                            .store
                            .form_queries(&f.form)?
                            .iter()
                            .filter(|q| q.status != "closed")
                            .count() as u32;
                        forms.push(FormStatus {
                            form: f.form.clone(),
                            status: f.status.clone(),
                            signature: signature_of(&f.form),
                            open_queries,
                            locked: self.store.lock_of(&f.form)?.is_some(),
                            verified: self.store.sdv_state(&f.form)?.form_verified,
                        });
                    }
                }
            }
        }
        Ok(Casebook {
            subject: summary,
            forms,
        })
    }

    pub(crate) fn subject_summary(&self, id: &SubjectId) -> Result<SubjectSummary> {
        let row = self
            .store
            .subject(id)?
            .ok_or_else(|| ServiceError::NotFound(format!("subject {id}")))?;
        self.summarise(&row)
    }

    fn summarise(&self, r: &SubjectRow) -> Result<SubjectSummary> {
        let id = SubjectId::parse(&r.subject)?;
        let forms = self.store.subject_forms(&id)?;
        let eligibility = forms.iter().find_map(|f| {
            f.derived.as_array()?.iter().find_map(|d| {
                (d["id"] == "ELIGIBLE")
                    .then(|| serde_json::from_value(d["display"].clone()).ok())
                    .flatten()
            })
        });
        Ok(SubjectSummary {
            subject: r.subject.clone(),
            site: r.site.clone(),
            enrolled_at: r.enrolled_at.clone(),
            definition_version: r.definition.clone(),
            forms_started: forms.len() as u32,
            forms_complete: forms.iter().filter(|f| f.status == "complete").count() as u32,
            eligibility,
        })
    }
}
