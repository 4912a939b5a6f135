//! Drafts: what a nurse has typed into a form but not saved, kept on every change so that a
//! crash, a kill or a power cut loses nothing. A draft is the user's own, stays on this node,
//! is not clinical data and is not in the change log; saving the form removes it.

use crate::auth::Session;
use crate::dto::ValueEntry;
use crate::{Ecrf, Result, ServiceError};
use ecrf_core::address::FormRef;
use ecrf_core::roles::Action;
use serde::{Deserialize, Serialize};

/// The most a draft may hold (serialised), far above any real form.
const MAX_DRAFT_BYTES: usize = 1 << 20;

/// A kept draft.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Draft {
    pub form: FormRef,
    /// The typed entries, as the form would save them (not validated).
    pub entries: Vec<ValueEntry>,
    pub saved_at: String,
}

impl Ecrf {
    /// Keeps the user's draft of a form instance (replacing the previous one). An empty
    /// draft removes it.
    pub fn save_draft(
        &mut self,
        s: &mut Session,
        f: &FormRef,
        entries: &[ValueEntry],
    ) -> Result<()> {
        self.authorize(s, Action::EnterData)?;
        let json =
            serde_json::to_value(entries).map_err(|e| ServiceError::Internal(e.to_string()))?;
        if json.to_string().len() > MAX_DRAFT_BYTES {
            return Err(ServiceError::InvalidInput(
                "a draft holds at most 1 MB of typed input".into(),
            ));
        }
        if !self.store.subject_exists(&f.subject)? {
            return Err(ServiceError::NotFound(format!("subject {}", f.subject)));
        }
        let now = self.now_str();
        let user = s.username.clone();
        self.store.write(|tx| -> Result<()> {
            if entries.is_empty() {
                tx.drop_draft(&user, f)?;
            } else {
                tx.put_draft(&user, f, &json, &now)?;
            }
            Ok(())
        })
    }

    /// The user's draft of a form instance, if any.
    pub fn draft(&mut self, s: &mut Session, f: &FormRef) -> Result<Option<Draft>> {
        self.authorize(s, Action::ViewData)?;
        self.store
            .drafts(&s.username, Some(&f.key()))?
            .into_iter()
            .next()
            .map(to_draft)
            .transpose()
    }

    /// Every draft the user has on this node, newest first.
    pub fn drafts(&mut self, s: &mut Session) -> Result<Vec<Draft>> {
        self.authorize(s, Action::ViewData)?;
        self.store
            .drafts(&s.username, None)?
            .into_iter()
            .map(to_draft)
            .collect()
    }

    /// Throws the user's draft of a form instance away.
    pub fn discard_draft(&mut self, s: &mut Session, f: &FormRef) -> Result<()> {
        self.authorize(s, Action::ViewData)?;
        let user = s.username.clone();
        self.store.write(|tx| -> Result<()> {
            tx.drop_draft(&user, f)?;
            Ok(())
        })
    }
}

fn to_draft(r: ecrf_store::DraftRow) -> Result<Draft> {
    Ok(Draft {
        form: r.form,
        entries: serde_json::from_value(r.entries)
            .map_err(|e| ServiceError::Integrity(format!("stored draft: {e}")))?,
        saved_at: r.saved_at,
    })
}
