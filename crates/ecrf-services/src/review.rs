//! The data manager's and monitor's review: queries with their threads, source data
//! verification, and database locks at form, event, subject and study level.

use crate::auth::Session;
use crate::{Ecrf, Result, ServiceError};
use ecrf_core::address::{FormRef, ItemRef};
use ecrf_core::event::{Payload, Scope, Target};
use ecrf_core::ids::SubjectId;
use ecrf_core::roles::Action;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One message of a query's thread.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct QueryMessage {
    /// `query_opened`, `query_answered`, `query_closed` or `query_reopened`.
    pub kind: String,
    pub text: String,
    pub username: String,
    pub at: String,
}

/// A query with its whole thread.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct QueryThread {
    pub query: String,
    pub subject: String,
    pub form: FormRef,
    pub item: Option<String>,
    pub group: Option<String>,
    pub repeat: Option<u32>,
    /// The edit check that raised it (automatic queries).
    pub rule: Option<String>,
    /// `open`, `answered` or `closed`.
    pub status: String,
    pub text: String,
    pub opened_by: String,
    pub opened_at: String,
    pub thread: Vec<QueryMessage>,
}

/// A lock in force.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct LockView {
    pub scope: Scope,
    pub username: String,
    pub at: String,
    pub reason: Option<String>,
}

impl From<ecrf_store::LockRow> for LockView {
    fn from(l: ecrf_store::LockRow) -> Self {
        LockView {
            scope: l.scope,
            username: l.username,
            at: l.at,
            reason: l.reason,
        }
    }
}

/// Source data verification of one form instance.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SdvView {
    pub form: FormRef,
    /// A form-level mark newer than every value of the form.
    pub form_verified: bool,
    /// Item keys whose mark is newer than their current value.
    pub items: Vec<String>,
    pub by: Option<String>,
    pub at: Option<String>,
}

/// A short free text (query messages, reasons): 1-2000 printable characters.
fn check_text(what: &str, t: &str) -> Result<String> {
    let t = t.trim();
    if t.is_empty() || t.chars().count() > 2000 || t.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ServiceError::InvalidInput(format!(
            "{what} needs 1-2000 printable characters"
        )));
    }
    Ok(t.to_string())
}

impl Ecrf {
    /// Refuses a change to a locked form instance.
    pub(crate) fn refuse_if_locked(&self, f: &FormRef) -> Result<()> {
        if let Some(l) = self.store.lock_of(f)? {
            let what = match &l.scope {
                Scope::Form(_) => "this form".to_string(),
                Scope::Event { event, .. } => format!("event {event}"),
                Scope::Subject { subject } => format!("subject {subject}"),
                Scope::Study => "the study".to_string(),
            };
            return Err(ServiceError::Locked(format!(
                "{} is locked: {what} was locked by {} on {}; a data manager must unlock it",
                f.key(),
                l.username,
                l.at
            )));
        }
        Ok(())
    }

    /// Checks a query or verification target: the subject and form instance exist, and an item
    /// is one of the form's, in its group, on an existing row.
    fn check_target(&self, target: &Target) -> Result<()> {
        let f = target.form();
        if !self.store.subject_exists(&f.subject)? {
            return Err(ServiceError::NotFound(format!("subject {}", f.subject)));
        }
        let state = self
            .store
            .form_state(f)?
            .ok_or_else(|| ServiceError::NotFound(format!("form {} (not started)", f.key())))?;
        if let Target::Item(i) = target {
            let def = self.definition_version(&state.definition)?;
            let form = def
                .form(&f.form)
                .ok_or_else(|| ServiceError::NotFound(f.form.clone()))?;
            if form.item(&i.item).is_none() {
                return Err(ServiceError::NotFound(format!(
                    "item {} on form {}",
                    i.item, f.form
                )));
            }
            if let Some(problem) =
                crate::forms::placement_problem(form, &i.group, i.group_repeat, &i.item)
            {
                return Err(ServiceError::InvalidInput(problem));
            }
        }
        Ok(())
    }

    /// The item reference for an item of a form, in the item's own group.
    pub fn item_ref(&self, f: &FormRef, item: &str, row: u32) -> Result<ItemRef> {
        let version = self
            .store
            .form_state(f)?
            .map_or(self.current.clone(), |s| s.definition);
        let def = self.definition_version(&version)?;
        let form = def
            .form(&f.form)
            .ok_or_else(|| ServiceError::NotFound(format!("form {}", f.form)))?;
        let it = form
            .item(item)
            .ok_or_else(|| ServiceError::NotFound(format!("item {item} on form {}", f.form)))?;
        Ok(f.item(&it.group, row, item))
    }

    fn append(&mut self, s: &Session, payloads: Vec<Payload>) -> Result<()> {
        let now = self.now_str();
        let now_ms = self.now_ms();
        let actor = s.actor();
        self.store.write(|tx| -> Result<()> {
            tx.append_local(&actor, &now, now_ms, payloads)?;
            Ok(())
        })
    }

    /// Opens a query on an item or a form (data managers, monitors).
    pub fn open_query(
        &mut self,
        s: &mut Session,
        target: Target,
        text: &str,
    ) -> Result<QueryThread> {
        self.authorize(s, Action::OpenQuery)?;
        let text = check_text("a query", text)?;
        self.check_target(&target)?;
        let query = Uuid::new_v4();
        self.append(
            s,
            vec![Payload::QueryOpened {
                query,
                target,
                text,
                rule: None,
            }],
        )?;
        self.query(s, &query.to_string())
    }

    fn query_for(&self, query: &str) -> Result<(Uuid, ecrf_store::QueryListRow)> {
        let id = Uuid::parse_str(query.trim())
            .map_err(|_| ServiceError::InvalidInput(format!("{query:?} is not a query id")))?;
        let row = self
            .store
            .query_list(None, None, Some(&id.to_string()))?
            .into_iter()
            .next()
            .ok_or_else(|| ServiceError::NotFound(format!("query {id}")))?;
        Ok((id, row))
    }

    /// Answers a query (site staff). A closed query must be re-opened first.
    pub fn answer_query(
        &mut self,
        s: &mut Session,
        query: &str,
        text: &str,
    ) -> Result<QueryThread> {
        self.authorize(s, Action::AnswerQuery)?;
        let text = check_text("an answer", text)?;
        let (id, row) = self.query_for(query)?;
        if row.status == "closed" {
            return Err(ServiceError::InvalidInput(format!(
                "query {id} is closed; a data manager can re-open it"
            )));
        }
        let subject = SubjectId::parse(&row.subject)?;
        self.append(
            s,
            vec![Payload::QueryAnswered {
                query: id,
                subject,
                text,
            }],
        )?;
        self.query(s, &id.to_string())
    }

    /// Closes a query (data managers), with a closing note.
    pub fn close_query(&mut self, s: &mut Session, query: &str, text: &str) -> Result<QueryThread> {
        self.authorize(s, Action::CloseQuery)?;
        let text = check_text("a closing note", text)?;
        let (id, row) = self.query_for(query)?;
        if row.status == "closed" {
            return Err(ServiceError::InvalidInput(format!(
                "query {id} is already closed"
            )));
        }
        let subject = SubjectId::parse(&row.subject)?;
        self.append(
            s,
            vec![Payload::QueryClosed {
                query: id,
                subject,
                text,
            }],
        )?;
        self.query(s, &id.to_string())
    }

    /// Re-opens an answered or closed query (data managers), saying why.
    pub fn reopen_query(
        &mut self,
        s: &mut Session,
        query: &str,
        text: &str,
    ) -> Result<QueryThread> {
        self.authorize(s, Action::CloseQuery)?;
        let text = check_text("a reason to re-open", text)?;
        let (id, row) = self.query_for(query)?;
        if row.status == "open" {
            return Err(ServiceError::InvalidInput(format!("query {id} is open")));
        }
        let subject = SubjectId::parse(&row.subject)?;
        self.append(
            s,
            vec![Payload::QueryReopened {
                query: id,
                subject,
                text,
            }],
        )?;
        self.query(s, &id.to_string())
    }

    /// One query with its thread.
    pub fn query(&mut self, s: &mut Session, query: &str) -> Result<QueryThread> {
        self.authorize(s, Action::ViewData)?;
        let (_, row) = self.query_for(query)?;
        self.query_view(row)
    }

    /// Queries, optionally of one subject and in one status, with their threads.
    pub fn queries(
        &mut self,
        s: &mut Session,
        subject: Option<&str>,
        status: Option<&str>,
    ) -> Result<Vec<QueryThread>> {
        self.authorize(s, Action::ViewData)?;
        let subject = subject.map(SubjectId::parse).transpose()?;
        if let Some(st) = status {
            if !["open", "answered", "closed"].contains(&st) {
                return Err(ServiceError::InvalidInput(format!(
                    "unknown query status {st:?}: open, answered or closed"
                )));
            }
        }
        self.store
            .query_list(subject.as_ref().map(|s| s.as_str()), status, None)?
            .into_iter()
            .map(|r| self.query_view(r))
            .collect()
    }

    fn query_view(&self, r: ecrf_store::QueryListRow) -> Result<QueryThread> {
        let thread = self
            .store
            .query_thread(&r.subject, &r.query)?
            .into_iter()
            .map(|m| QueryMessage {
                kind: m.kind,
                text: m.text,
                username: m.username,
                at: m.at,
            })
            .collect();
        let form = form_of_key(&r.form_key)?;
        Ok(QueryThread {
            query: r.query,
            subject: r.subject,
            form,
            item: r.item,
            group: r.group,
            repeat: r.repeat,
            rule: r.rule,
            status: r.status,
            text: r.text,
            opened_by: r.opened_by,
            opened_at: r.opened_at,
            thread,
        })
    }

    /// Marks an item or a whole form source-data verified (monitors), or withdraws the mark.
    /// A later change of a value clears the mark of what it covers.
    pub fn mark_sdv(&mut self, s: &mut Session, target: Target, verified: bool) -> Result<SdvView> {
        self.authorize(s, Action::VerifySource)?;
        self.check_target(&target)?;
        let f = target.form().clone();
        self.append(s, vec![Payload::SourceVerified { target, verified }])?;
        self.sdv(s, &f)
    }

    pub fn sdv(&mut self, s: &mut Session, f: &FormRef) -> Result<SdvView> {
        self.authorize(s, Action::ViewData)?;
        self.sdv_view(f)
    }

    /// The verification marks of a form instance that still hold.
    pub(crate) fn sdv_view(&self, f: &FormRef) -> Result<SdvView> {
        let st = self.store.sdv_state(f)?;
        Ok(SdvView {
            form: f.clone(),
            form_verified: st.form_verified,
            items: st.items,
            by: st.by,
            at: st.at,
        })
    }

    /// Locks a form, an event, a subject or the whole study (data managers): locked data cannot
    /// change until unlocked.
    pub fn lock_data(
        &mut self,
        s: &mut Session,
        scope: Scope,
        reason: Option<&str>,
    ) -> Result<Vec<LockView>> {
        self.authorize(s, Action::Lock)?;
        let reason = reason.map(|r| check_text("a reason", r)).transpose()?;
        if let Some(subject) = scope.subject() {
            if !self.store.subject_exists(subject)? {
                return Err(ServiceError::NotFound(format!("subject {subject}")));
            }
        }
        if self
            .store
            .locks()?
            .iter()
            .any(|l| l.scope_key == scope.key())
        {
            return Err(ServiceError::InvalidInput(format!(
                "{} is already locked",
                scope.key()
            )));
        }
        self.append(s, vec![Payload::Locked { scope, reason }])?;
        self.locks(s)
    }

    /// Unlocks, with the reason (data managers).
    pub fn unlock_data(
        &mut self,
        s: &mut Session,
        scope: Scope,
        reason: &str,
    ) -> Result<Vec<LockView>> {
        self.authorize(s, Action::Lock)?;
        let reason = check_text("unlocking: a reason", reason)?;
        if !self
            .store
            .locks()?
            .iter()
            .any(|l| l.scope_key == scope.key())
        {
            return Err(ServiceError::InvalidInput(format!(
                "{} is not locked",
                scope.key()
            )));
        }
        self.append(s, vec![Payload::Unlocked { scope, reason }])?;
        self.locks(s)
    }

    /// Locks in force.
    pub fn locks(&mut self, s: &mut Session) -> Result<Vec<LockView>> {
        self.authorize(s, Action::ViewData)?;
        Ok(self.store.locks()?.into_iter().map(Into::into).collect())
    }
}

/// Parses a form key `S01-001/EVENT.n/FORM.n`.
pub(crate) fn form_of_key(key: &str) -> Result<FormRef> {
    ItemRef::from_key(&format!("{key}/G.1/I"))
        .map(|i| i.form)
        .ok_or_else(|| ServiceError::Integrity(format!("stored form key {key}")))
}
