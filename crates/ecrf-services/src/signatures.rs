//! Electronic signatures (21 CFR 11.50/11.200): the signer re-enters the password, states the
//! meaning, and the signature is bound to the hash of the signed content. A later change of that
//! content shows the signature as broken until signed again.

use crate::auth::{verify_password, Session};
use crate::{Ecrf, Result, ServiceError};
use ecrf_core::event::{Payload, Scope, SignatureMeaning};
use ecrf_core::ids::SubjectId;
use ecrf_core::roles::Action;
use ecrf_core::signature::{content_hash, SignedForm};
use ecrf_store::FormState;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SignatureView {
    pub signature: String,
    pub scope: Scope,
    pub meaning: SignatureMeaning,
    pub printed_name: String,
    pub username: String,
    pub at: String,
    pub content_hash: String,
    /// The form instances covered (`subject/EVENT.n/FORM.n`).
    pub forms: Vec<String>,
    /// The signed content changed since: broken until signed again.
    pub broken: bool,
}

/// A completed form awaiting an investigator's signature.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct QueueItem {
    pub form: ecrf_core::address::FormRef,
    /// `unsigned` or `signature_broken`.
    pub state: String,
}

fn in_scope(scope: &Scope, f: &FormState) -> bool {
    match scope {
        Scope::Form(r) => *r == f.form,
        Scope::Event {
            subject,
            event,
            event_repeat,
        } => {
            f.form.subject == *subject
                && f.form.event == *event
                && f.form.event_repeat == *event_repeat
        }
        Scope::Subject { subject } => f.form.subject == *subject,
        Scope::Study => false,
    }
}

impl Ecrf {
    /// The current content of the given form instances of a subject.
    fn signed_content(&self, subject: &SubjectId, keys: &[String]) -> Result<Vec<SignedForm>> {
        let states = self.store.subject_forms(subject)?;
        let mut out = Vec::new();
        for key in keys {
            match states.iter().find(|s| s.form.key() == *key) {
                Some(state) => {
                    let overrides = self
                        .store
                        .overrides(&state.form)?
                        .into_iter()
                        .map(|o| (o.derivation, o.value))
                        .collect();
                    out.push(SignedForm {
                        key: key.clone(),
                        definition_version: state.definition.clone(),
                        values: self.store.form_value_map(&state.form)?,
                        overrides,
                    });
                }
                // A form that no longer exists cannot match what was signed.
                None => out.push(SignedForm {
                    key: key.clone(),
                    definition_version: String::new(),
                    values: Default::default(),
                    overrides: BTreeMap::new(),
                }),
            }
        }
        Ok(out)
    }

    /// Every signature on a subject's data, with whether it still holds.
    pub(crate) fn signature_views(&self, subject: &SubjectId) -> Result<Vec<SignatureView>> {
        let mut out = Vec::new();
        for row in self.store.signatures(subject)? {
            let now = content_hash(&self.signed_content(subject, &row.forms)?)?;
            let meaning: SignatureMeaning =
                serde_json::from_value(serde_json::Value::String(row.meaning.clone()))
                    .map_err(|e| ServiceError::Internal(format!("stored meaning: {e}")))?;
            out.push(SignatureView {
                broken: now != row.content_hash,
                signature: row.signature,
                scope: row.scope,
                meaning,
                printed_name: row.printed_name,
                username: row.username,
                at: row.at,
                content_hash: row.content_hash,
                forms: row.forms,
            });
        }
        Ok(out)
    }

    /// The investigator's queue: completed forms that no signature covers, or whose
    /// signature broke since, oldest subject first.
    pub fn signature_queue(&mut self, s: &mut Session) -> Result<Vec<QueueItem>> {
        self.authorize(s, Action::Sign)?;
        let mut out = Vec::new();
        for row in self.store.subjects()? {
            let id = SubjectId::parse(&row.subject)?;
            let sigs = self.signature_views(&id)?;
            for f in self.store.subject_forms(&id)? {
                if f.status != "complete" {
                    continue;
                }
                let key = f.form.key();
                let state = match sigs.iter().rev().find(|v| v.forms.contains(&key)) {
                    None => "unsigned",
                    Some(v) if v.broken => "signature_broken",
                    Some(_) => continue,
                };
                out.push(QueueItem {
                    form: f.form,
                    state: state.to_string(),
                });
            }
        }
        Ok(out)
    }

    /// Signs a form, an event or a subject's whole casebook. The password is asked again and
    /// checked here; a wrong one counts towards the lockout. Every form in the scope must be
    /// complete.
    pub fn sign(
        &mut self,
        s: &mut Session,
        scope: Scope,
        meaning: SignatureMeaning,
        password: &str,
    ) -> Result<SignatureView> {
        self.authorize(s, Action::Sign)?;
        let user = self
            .store
            .user(&s.username)?
            .ok_or(ServiceError::Unauthenticated)?;
        if !verify_password(&user.password_hash, password) {
            let now = self.now_str();
            let n = self
                .store
                .record_failed_login(&s.username, self.config.lockout_after)?;
            self.store.record_security(
                &now,
                &s.username,
                "signature_refused",
                &format!("wrong password ({n} in a row)"),
            )?;
            return Err(ServiceError::BadCredentials);
        }
        self.store.reset_failed_logins(&s.username)?;
        // The signer's key opens only with the password: the certificate names the signature.
        let (_, certificate) = self.signing_identity(&user, password)?;
        let subject = scope.subject().cloned().ok_or_else(|| {
            ServiceError::InvalidInput("a signature covers a form, an event or a subject".into())
        })?;
        if !self.store.subject_exists(&subject)? {
            return Err(ServiceError::NotFound(format!("subject {subject}")));
        }
        let forms: Vec<FormState> = self
            .store
            .subject_forms(&subject)?
            .into_iter()
            .filter(|f| in_scope(&scope, f))
            .collect();
        if forms.is_empty() {
            return Err(ServiceError::InvalidInput(
                "nothing to sign: no form with data in this scope".into(),
            ));
        }
        let incomplete: Vec<String> = forms
            .iter()
            .filter(|f| f.status != "complete")
            .map(|f| f.form.key())
            .collect();
        if !incomplete.is_empty() {
            return Err(ServiceError::Validation {
                message: format!(
                    "not signed: {} form(s) not complete: {}",
                    incomplete.len(),
                    incomplete.join(", ")
                ),
                findings: vec![],
            });
        }
        let keys: Vec<String> = forms.iter().map(|f| f.form.key()).collect();
        let hash = content_hash(&self.signed_content(&subject, &keys)?)?;
        let now = self.now_str();
        let now_ms = self.now_ms();
        let actor = s.actor();
        let payload = Payload::Signed {
            signature: Uuid::new_v4(),
            scope,
            meaning,
            printed_name: user.full_name.clone(),
            content_hash: hash,
            certificate: Some(certificate),
            forms: keys,
        };
        let sig_id = match &payload {
            Payload::Signed { signature, .. } => signature.to_string(),
            _ => String::new(),
        };
        self.store.write(|tx| -> Result<()> {
            tx.append_local(&actor, &now, now_ms, vec![payload])?;
            tx.record_security(&now, &actor.username, "signed", &sig_id)?;
            Ok(())
        })?;
        self.signature_views(&subject)?
            .into_iter()
            .find(|v| v.signature == sig_id)
            .ok_or_else(|| ServiceError::Internal("the signature just made is missing".into()))
    }

    pub fn subject_signatures(
        &mut self,
        s: &mut Session,
        subject: &str,
    ) -> Result<Vec<SignatureView>> {
        self.authorize(s, Action::ViewData)?;
        let id = SubjectId::parse(subject)?;
        self.signature_views(&id)
    }
}
