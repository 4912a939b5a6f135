//! PDF CRFs from the database: a filled form, an event or a casebook, optionally signed by the
//! investigator exporting it (an electronic signature of the same scope, made with the signer's
//! own key); blank CRFs; and the check of a PDF against the current record.

use crate::auth::Session;
use crate::signatures::SignatureView;
use crate::{Ecrf, Result, ServiceError};
use ecrf_core::definition::{Definition, Lang};
use ecrf_core::event::{Scope, SignatureMeaning};
use ecrf_core::ids::SubjectId;
use ecrf_core::roles::Action;
use ecrf_core::signature::content_hash;
use ecrf_pdf::model::{
    CrfDocument, DocLang, FormSection, Header, OverrideLine, QueryLine, SignatureLine,
};
use ecrf_pdf::sign::{cert_fingerprint, sign_pdf, verify_pdf};
use serde::Serialize;

fn pdf_err(e: ecrf_pdf::PdfError) -> ServiceError {
    ServiceError::Internal(e.to_string())
}

/// What `pdf verify` reports.
#[derive(Debug, Clone, Serialize)]
pub struct PdfCheck {
    /// The PDF signature is cryptographically valid over the signed byte ranges.
    pub intact: bool,
    /// The signed byte ranges are the whole file but the signature value.
    pub covers_whole_file: bool,
    pub signer: String,
    pub signer_certificate: String,
    /// The certificate was published by a user of the study (known to this node).
    pub certificate_known: bool,
    pub signing_time: Option<String>,
    pub content_hash: Option<String>,
    /// The signed content is still the current record (null when the PDF's content is not a
    /// signature this node knows).
    pub matches_record: Option<bool>,
    pub problem: Option<String>,
}

fn meaning_word(m: SignatureMeaning) -> &'static str {
    match m {
        SignatureMeaning::Authorship => "authorship",
        SignatureMeaning::Review => "review",
        SignatureMeaning::Approval => "approval",
    }
}

fn in_scope(scope: &Scope, f: &ecrf_core::address::FormRef) -> bool {
    match scope {
        Scope::Form(r) => r == f,
        Scope::Event {
            subject,
            event,
            event_repeat,
        } => f.subject == *subject && f.event == *event && f.event_repeat == *event_repeat,
        Scope::Subject { subject } => f.subject == *subject,
        Scope::Study => false,
    }
}

impl Ecrf {
    fn header(&self, def: &Definition, lang: Lang) -> Result<Header> {
        let node = self.store.node()?;
        Ok(Header {
            study: def.study.id.clone(),
            study_name: def.study.name.get(lang).to_string(),
            site: node.site.unwrap_or_else(|| "central".into()),
            definition_version: def.study.version.clone(),
            generated_at: self.now_str(),
        })
    }

    /// The document for a scope of one subject's data.
    fn document(
        &self,
        scope: &Scope,
        lang: DocLang,
        sigs: &[SignatureView],
    ) -> Result<(CrfDocument, Vec<String>)> {
        let subject = scope.subject().cloned().ok_or_else(|| {
            ServiceError::InvalidInput("a PDF shows a form, an event or a casebook".into())
        })?;
        if !self.store.subject_exists(&subject)? {
            return Err(ServiceError::NotFound(format!("subject {subject}")));
        }
        let one = match lang {
            DocLang::One(l) => l,
            DocLang::Both => Lang::En,
        };
        let today = self.today();
        let mut sections = Vec::new();
        let mut keys = Vec::new();
        let mut signed = Vec::new();
        for state in self
            .store
            .subject_forms(&subject)?
            .into_iter()
            .filter(|f| in_scope(scope, &f.form))
        {
            let def = self.definition_version(&state.definition)?;
            let Some(form) = def.form(&state.form.form) else {
                continue;
            };
            let values = self.store.form_value_map(&state.form)?;
            let view = crate::view::StoreView {
                store: &self.store,
                subject: &subject,
                today: today.clone(),
            };
            let derived = ecrf_core::derive::derive_form(def, form, &values, &view);
            let overrides = self.store.overrides(&state.form)?;
            let key = state.form.key();
            // The model has no repeat fields: repeats go into the event's name ("Unscheduled
            // visit #2 · Adverse event #3").
            let mut event_name = def
                .event(&state.form.event)
                .map_or(state.form.event.clone(), |e| e.name.get(one).to_string());
            if def.event(&state.form.event).is_some_and(|e| e.repeating) {
                event_name.push_str(&format!(" #{}", state.form.event_repeat));
            }
            if form.repeating {
                event_name.push_str(&format!(
                    " · {} #{}",
                    form.name.get(one),
                    state.form.form_repeat
                ));
            }
            signed.push(ecrf_core::signature::SignedForm {
                key: key.clone(),
                definition_version: state.definition.clone(),
                values: values.clone(),
                overrides: overrides
                    .iter()
                    .map(|o| (o.derivation.clone(), o.value.clone()))
                    .collect(),
            });
            sections.push(FormSection {
                subject: Some(subject.to_string()),
                event: state.form.event.clone(),
                event_name,
                form: form.clone(),
                codelists: def.codelists.clone(),
                values,
                blank: false,
                status: state.status.clone(),
                derived,
                overrides: overrides
                    .into_iter()
                    .map(|o| OverrideLine {
                        derived_id: o.derivation,
                        value: o.value.to_string(),
                        reason: o.reason,
                        by: o.username,
                        at: o.at,
                    })
                    .collect(),
                queries: self
                    .store
                    .form_queries(&state.form)?
                    .into_iter()
                    .filter(|q| q.status != "closed")
                    .map(|q| QueryLine {
                        item: q.item,
                        status: q.status,
                        text: q.text,
                        opened_by: q.opened_by,
                        opened_at: q.opened_at,
                    })
                    .collect(),
                signatures: sigs
                    .iter()
                    .filter(|v| v.forms.contains(&key))
                    .map(|v| SignatureLine {
                        printed_name: v.printed_name.clone(),
                        username: v.username.clone(),
                        at: v.at.clone(),
                        meaning: meaning_word(v.meaning).to_string(),
                        scope: serde_json::to_value(&v.scope)
                            .ok()
                            .and_then(|s| s["level"].as_str().map(str::to_string))
                            .unwrap_or_default(),
                        content_hash: v.content_hash.clone(),
                        broken: v.broken,
                    })
                    .collect(),
            });
            keys.push(key);
        }
        if sections.is_empty() {
            return Err(ServiceError::InvalidInput(
                "nothing to print: no form with data in this scope".into(),
            ));
        }
        let title = match scope {
            Scope::Form(f) => format!("{} {} {}", f.subject, f.event, f.form),
            Scope::Event { subject, event, .. } => format!("{subject} {event}"),
            _ => format!("Casebook {subject}"),
        };
        let header = self.header(self.definition(), one)?;
        let contents = matches!(scope, Scope::Subject { .. });
        let hash = content_hash(&signed)?;
        Ok((
            CrfDocument {
                title,
                lang,
                header,
                contents,
                sections,
                content_hash: Some(hash),
            },
            keys,
        ))
    }

    /// A PDF of a form, an event or a casebook. With `sign`, the exporting investigator signs
    /// the scope (password again, meaning) and the PDF carries a PAdES signature made with their
    /// own key.
    pub fn export_pdf(
        &mut self,
        s: &mut Session,
        scope: Scope,
        lang: DocLang,
        sign: Option<(&str, SignatureMeaning)>,
    ) -> Result<Vec<u8>> {
        self.authorize(s, Action::ViewData)?;
        let subject: SubjectId = scope.subject().cloned().ok_or_else(|| {
            ServiceError::InvalidInput("a PDF shows a form, an event or a casebook".into())
        })?;
        let signer = match sign {
            Some((password, meaning)) => {
                let view = self.sign(s, scope.clone(), meaning, password)?;
                let user = self
                    .store
                    .user(&s.username)?
                    .ok_or(ServiceError::Unauthenticated)?;
                let (id, _) = self.signing_identity(&user, password)?;
                Some((id, view))
            }
            None => None,
        };
        let sigs = self.signature_views(&subject)?;
        let (doc, _) = self.document(&scope, lang, &sigs)?;
        let pdf = ecrf_pdf::render::render(&doc).map_err(pdf_err)?;
        match signer {
            None => Ok(pdf),
            Some((id, view)) => {
                let signed = sign_pdf(
                    &pdf,
                    &id,
                    self.now(),
                    &view.printed_name,
                    meaning_word(view.meaning),
                )
                .map_err(pdf_err)?;
                // The signed PDF is kept with its signature and travels in the next bundle.
                let signature = uuid::Uuid::parse_str(&view.signature)
                    .map_err(|e| ServiceError::Internal(e.to_string()))?;
                let origin = self.store.node()?.node_id;
                let now = self.now_str();
                let subject = subject.to_string();
                self.store.write(|tx| -> Result<()> {
                    tx.put_document(&signature, Some(&subject), &origin, &signed, &now, None)?;
                    Ok(())
                })?;
                Ok(signed)
            }
        }
    }

    /// Blank CRFs of one form, or of every form of the built-in definition; needs no database.
    pub fn blank_pdf(form: Option<&str>, lang: DocLang, generated_at: &str) -> Result<Vec<u8>> {
        let def = ecrf_core::definition::builtin();
        let one = match lang {
            DocLang::One(l) => l,
            DocLang::Both => Lang::En,
        };
        let mut sections = Vec::new();
        for f in &def.forms {
            if form.is_some_and(|id| id != f.id) {
                continue;
            }
            let event = def.events.iter().find(|e| e.forms.contains(&f.id));
            sections.push(FormSection {
                subject: None,
                event: event.map_or(String::new(), |e| e.id.clone()),
                event_name: event.map_or(String::new(), |e| e.name.get(one).to_string()),
                form: f.clone(),
                codelists: def.codelists.clone(),
                values: Default::default(),
                blank: true,
                status: "not_started".into(),
                derived: vec![],
                overrides: vec![],
                queries: vec![],
                signatures: vec![],
            });
        }
        if sections.is_empty() {
            return Err(ServiceError::NotFound(format!(
                "form {}",
                form.unwrap_or("")
            )));
        }
        let doc = CrfDocument {
            title: "Blank CRFs".into(),
            lang,
            header: Header {
                study: def.study.id.clone(),
                study_name: def.study.name.get(one).to_string(),
                site: String::new(),
                definition_version: def.study.version.clone(),
                generated_at: generated_at.to_string(),
            },
            contents: form.is_none(),
            sections,
            content_hash: None,
        };
        ecrf_pdf::render::render(&doc).map_err(pdf_err)
    }

    /// Checks a signed PDF: intact, by whom and when, and whether what it signed is still the
    /// current record.
    pub fn check_pdf(&mut self, s: &mut Session, pdf: &[u8]) -> Result<PdfCheck> {
        self.authorize(s, Action::ViewData)?;
        let c = verify_pdf(pdf).map_err(|e| ServiceError::InvalidInput(e.to_string()))?;
        let fp = cert_fingerprint(&c.signer_cert_der);
        let known = self
            .store
            .certificate(&fp)?
            .is_some_and(|der| der == c.signer_cert_der);
        let mut matches_record = None;
        if let Some(hash) = &c.content_hash {
            for row in self.store.subjects()? {
                let id = SubjectId::parse(&row.subject)?;
                if let Some(v) = self
                    .signature_views(&id)?
                    .into_iter()
                    .find(|v| &v.content_hash == hash)
                {
                    matches_record = Some(!v.broken);
                    break;
                }
            }
        }
        Ok(PdfCheck {
            intact: c.intact,
            covers_whole_file: c.covers_whole_file,
            signer: c.signer_name,
            signer_certificate: fp,
            certificate_known: known,
            signing_time: c.signing_time,
            content_hash: c.content_hash,
            matches_record,
            problem: c.problem,
        })
    }
}
