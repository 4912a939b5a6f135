//! The audit trail: reading the change log and verifying it.

use crate::auth::Session;
use crate::dto::AuditEntry;
use crate::{Ecrf, Result, ServiceError};
use ecrf_core::ids::SubjectId;
use ecrf_core::roles::Action;
use ecrf_store::{EventFilter, VerifyReport};

impl Ecrf {
    pub fn audit_log(&mut self, s: &mut Session, subject: Option<&str>) -> Result<Vec<AuditEntry>> {
        self.authorize(s, Action::ViewData)?;
        let subject = subject.map(SubjectId::parse).transpose()?;
        let events = self.store.events(&EventFilter {
            subject: subject.map(|s| s.to_string()),
            ..Default::default()
        })?;
        events
            .into_iter()
            .map(|e| {
                Ok(AuditEntry {
                    id: e.event.id.to_string(),
                    seq: e.event.id.seq,
                    kind: e.event.payload.kind().to_string(),
                    subject: e.event.payload.subject().map(|s| s.to_string()),
                    username: e.event.actor.username.clone(),
                    captured_at: e.event.captured_at.clone(),
                    imported_at: e.imported_at.clone(),
                    payload: serde_json::to_value(&e.event.payload)
                        .map_err(|e| ServiceError::Internal(e.to_string()))?,
                    hash: e.event.hash.clone(),
                })
            })
            .collect()
    }

    /// Recomputes every hash and chain and checks the projections; `Integrity` when anything
    /// does not hold, naming the first broken link.
    pub fn audit_verify(&mut self, s: &mut Session) -> Result<VerifyReport> {
        self.authorize(s, Action::VerifyAudit)?;
        Ok(self.store.verify()?)
    }
}
