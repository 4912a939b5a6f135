//! The one vocabulary of change events. The change log made of these events is the audit trail
//! and the unit of sync; current values are a projection of it.
//!
//! Identity: an event id is (origin node, node epoch, stream, sequence). A site writes one stream
//! named after its site code; the central node writes one outgoing stream per site (named after
//! the site) and one stream `ALL` for what every site receives (definitions, central users and
//! certificates). Sequences are contiguous per stream, starting at 1, and each stream is a hash
//! chain. The content hash covers everything in the event but the hash itself; the same id with
//! another hash is a fork.

use crate::address::{FormRef, ItemRef};
use crate::canonical::{has_canonical_hash, hash_canonical};
use crate::hlc::Hlc;
use crate::ids::SubjectId;
use crate::roles::Role;
use crate::CoreError;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// The stream of the central node that every site receives.
pub const STREAM_ALL: &str = "ALL";

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct EventId {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub node: Uuid,
    pub epoch: u32,
    pub stream: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seq: u64,
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}:{}",
            self.node, self.epoch, self.stream, self.seq
        )
    }
}

impl FromStr for EventId {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, CoreError> {
        let bad = || CoreError::EventId(s.to_string());
        let mut parts = s.split(':');
        let node = parts
            .next()
            .and_then(|p| Uuid::parse_str(p).ok())
            .ok_or_else(bad)?;
        let epoch = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let stream = parts.next().filter(|p| !p.is_empty()).ok_or_else(bad)?;
        let seq = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(EventId {
            node,
            epoch,
            stream: stream.to_string(),
            seq,
        })
    }
}

/// Who wrote an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Actor {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub user_id: Uuid,
    pub username: String,
}

/// The meaning of an electronic signature (21 CFR 11.50).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum SignatureMeaning {
    Authorship,
    Review,
    Approval,
}

/// What a signature or a lock covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "level", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Scope {
    Form(FormRef),
    Event {
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        subject: SubjectId,
        event: String,
        event_repeat: u32,
    },
    Subject {
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        subject: SubjectId,
    },
    Study,
}

impl Scope {
    /// A stable text key: the form's key, `subject/EVENT.n`, the subject id, or `*`.
    pub fn key(&self) -> String {
        match self {
            Scope::Form(f) => f.key(),
            Scope::Event {
                subject,
                event,
                event_repeat,
            } => format!("{subject}/{event}.{event_repeat}"),
            Scope::Subject { subject } => subject.to_string(),
            Scope::Study => "*".to_string(),
        }
    }

    /// The keys of every scope that covers a form instance, narrowest first.
    pub fn covering(f: &FormRef) -> [String; 4] {
        [
            f.key(),
            format!("{}/{}.{}", f.subject, f.event, f.event_repeat),
            f.subject.to_string(),
            "*".to_string(),
        ]
    }

    pub fn subject(&self) -> Option<&SubjectId> {
        match self {
            Scope::Form(f) => Some(&f.subject),
            Scope::Event { subject, .. } | Scope::Subject { subject } => Some(subject),
            Scope::Study => None,
        }
    }
}

/// What a query or a source-data verification is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "level", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Target {
    Item(ItemRef),
    Form(FormRef),
}

impl Target {
    /// The item's or the form's key.
    pub fn key(&self) -> String {
        match self {
            Target::Item(i) => i.key(),
            Target::Form(f) => f.key(),
        }
    }

    pub fn subject(&self) -> &SubjectId {
        match self {
            Target::Item(i) => &i.form.subject,
            Target::Form(f) => &f.subject,
        }
    }
    pub fn form(&self) -> &FormRef {
        match self {
            Target::Item(i) => &i.form,
            Target::Form(f) => f,
        }
    }
}

/// Everything that can happen to the data, one variant per kind of change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Payload {
    SubjectEnrolled {
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        subject: SubjectId,
        site: String,
        definition_version: String,
    },
    /// One item's value set (or cleared: `new` is null). `base` is the value event the writer
    /// saw as current (none for a first value): two events with the same base were concurrent.
    ValueSet {
        item: ItemRef,
        #[cfg_attr(feature = "ts", ts(type = "unknown"))]
        old: Json,
        #[cfg_attr(feature = "ts", ts(type = "unknown"))]
        new: Json,
        base: Option<EventId>,
        reason: Option<String>,
        definition_version: String,
    },
    FormCompleted {
        form: FormRef,
        definition_version: String,
    },
    FormReopened {
        form: FormRef,
        reason: String,
    },
    /// An investigator's override of a derived value; the derived value stays in the record.
    DerivedOverridden {
        form: FormRef,
        derivation: String,
        #[cfg_attr(feature = "ts", ts(type = "unknown"))]
        derived: Json,
        #[cfg_attr(feature = "ts", ts(type = "unknown"))]
        value: Json,
        reason: String,
    },
    QueryOpened {
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        query: Uuid,
        target: Target,
        text: String,
        /// The edit check that raised it, for automatic queries.
        rule: Option<String>,
    },
    QueryAnswered {
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        query: Uuid,
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        subject: SubjectId,
        text: String,
    },
    QueryClosed {
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        query: Uuid,
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        subject: SubjectId,
        text: String,
    },
    QueryReopened {
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        query: Uuid,
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        subject: SubjectId,
        text: String,
    },
    Signed {
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        signature: Uuid,
        scope: Scope,
        meaning: SignatureMeaning,
        printed_name: String,
        /// SHA-256 of the RFC 8785 serialisation of the scope's values, overrides and
        /// definition version.
        content_hash: String,
        /// Fingerprint of the signer's certificate, when the signature also made a PDF.
        certificate: Option<String>,
        /// The form instances the signature covers (`FormRef::key()`), as they were when it
        /// was made: later forms of the scope show as not yet signed.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        forms: Vec<String>,
    },
    SourceVerified {
        target: Target,
        verified: bool,
    },
    Locked {
        scope: Scope,
        reason: Option<String>,
    },
    Unlocked {
        scope: Scope,
        reason: String,
    },
    ConflictResolved {
        item: ItemRef,
        /// The value events that competed.
        candidates: Vec<EventId>,
        #[cfg_attr(feature = "ts", ts(type = "unknown"))]
        chosen: Json,
        reason: String,
    },
    UserPublished {
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        user_id: Uuid,
        username: String,
        full_name: String,
        role: Role,
        active: bool,
        site: Option<String>,
    },
    CertificatePublished {
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        user_id: Uuid,
        fingerprint: String,
        /// DER, base64.
        certificate: String,
    },
    DefinitionPublished {
        study: String,
        version: String,
        sha256: String,
        /// The definition's source files, name → text.
        #[cfg_attr(feature = "ts", ts(type = "Record<string, string>"))]
        files: std::collections::BTreeMap<String, String>,
    },
    /// The writer has imported the named stream up to `up_to` (contiguously from 1).
    Acknowledged {
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        node: Uuid,
        epoch: u32,
        stream: String,
        #[cfg_attr(feature = "ts", ts(type = "number"))]
        up_to: u64,
    },
    /// The writer trusts bundles signed by this node's key. Trust is the writer's own: a node
    /// applies only the acceptances and revocations it wrote itself.
    NodeAccepted {
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        node: Uuid,
        fingerprint: String,
        /// Ed25519 verifying key, hex.
        public_key: String,
        role: crate::roles::NodeRole,
        site: Option<String>,
    },
    NodeRevoked {
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        node: Uuid,
        site: Option<String>,
        reason: String,
    },
}

impl Payload {
    /// The short name of the variant, as stored in the log's `kind` column.
    pub fn kind(&self) -> &'static str {
        match self {
            Payload::SubjectEnrolled { .. } => "subject_enrolled",
            Payload::ValueSet { .. } => "value_set",
            Payload::FormCompleted { .. } => "form_completed",
            Payload::FormReopened { .. } => "form_reopened",
            Payload::DerivedOverridden { .. } => "derived_overridden",
            Payload::QueryOpened { .. } => "query_opened",
            Payload::QueryAnswered { .. } => "query_answered",
            Payload::QueryClosed { .. } => "query_closed",
            Payload::QueryReopened { .. } => "query_reopened",
            Payload::Signed { .. } => "signed",
            Payload::SourceVerified { .. } => "source_verified",
            Payload::Locked { .. } => "locked",
            Payload::Unlocked { .. } => "unlocked",
            Payload::ConflictResolved { .. } => "conflict_resolved",
            Payload::UserPublished { .. } => "user_published",
            Payload::CertificatePublished { .. } => "certificate_published",
            Payload::DefinitionPublished { .. } => "definition_published",
            Payload::Acknowledged { .. } => "acknowledged",
            Payload::NodeAccepted { .. } => "node_accepted",
            Payload::NodeRevoked { .. } => "node_revoked",
        }
    }

    /// The subject the event belongs to, if any: it routes events into per-site streams and
    /// filters the audit trail.
    pub fn subject(&self) -> Option<&SubjectId> {
        match self {
            Payload::SubjectEnrolled { subject, .. } => Some(subject),
            Payload::ValueSet { item, .. } | Payload::ConflictResolved { item, .. } => {
                Some(&item.form.subject)
            }
            Payload::FormCompleted { form, .. }
            | Payload::FormReopened { form, .. }
            | Payload::DerivedOverridden { form, .. } => Some(&form.subject),
            Payload::QueryOpened { target, .. } | Payload::SourceVerified { target, .. } => {
                Some(target.subject())
            }
            Payload::QueryAnswered { subject, .. }
            | Payload::QueryClosed { subject, .. }
            | Payload::QueryReopened { subject, .. } => Some(subject),
            Payload::Signed { scope, .. }
            | Payload::Locked { scope, .. }
            | Payload::Unlocked { scope, .. } => scope.subject(),
            Payload::UserPublished { .. }
            | Payload::CertificatePublished { .. }
            | Payload::DefinitionPublished { .. }
            | Payload::Acknowledged { .. }
            | Payload::NodeAccepted { .. }
            | Payload::NodeRevoked { .. } => None,
        }
    }
}

impl Payload {
    /// The site whose stream carries this event on the central node: the subject's site, or
    /// the site an acknowledgement or a node's trust is about. `None` goes to every site.
    pub fn site_stream(&self) -> Option<String> {
        match self {
            Payload::Acknowledged { stream, .. } if stream != STREAM_ALL => Some(stream.clone()),
            Payload::NodeAccepted { site, .. } | Payload::NodeRevoked { site, .. } => site.clone(),
            p => p.subject().map(|s| s.site().to_string()),
        }
    }

    /// The value events this one was written on: the base of a value, the candidates of a
    /// resolution. It is applied only after them.
    pub fn refs(&self) -> Vec<EventId> {
        match self {
            Payload::ValueSet { base, .. } => base.iter().cloned().collect(),
            Payload::ConflictResolved { candidates, .. } => candidates.clone(),
            _ => Vec::new(),
        }
    }
}

/// An event before it is sealed with its hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventContent {
    pub id: EventId,
    pub hlc: Hlc,
    pub actor: Actor,
    /// Capture time on the device, RFC 3339 UTC with milliseconds.
    pub captured_at: String,
    pub payload: Payload,
}

/// A sealed, immutable change event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ChangeEvent {
    pub id: EventId,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub hlc: Hlc,
    pub actor: Actor,
    pub captured_at: String,
    pub payload: Payload,
    /// SHA-256 (hex) of the RFC 8785 serialisation of everything above.
    pub hash: String,
}

impl EventContent {
    pub fn seal(self) -> Result<ChangeEvent, CoreError> {
        let hash = hash_canonical(&self)?;
        Ok(ChangeEvent {
            id: self.id,
            hlc: self.hlc,
            actor: self.actor,
            captured_at: self.captured_at,
            payload: self.payload,
            hash,
        })
    }
}

impl ChangeEvent {
    pub fn content(&self) -> EventContent {
        EventContent {
            id: self.id.clone(),
            hlc: self.hlc,
            actor: self.actor.clone(),
            captured_at: self.captured_at.clone(),
            payload: self.payload.clone(),
        }
    }

    /// What the content hash covers, borrowed.
    fn content_ref(&self) -> ContentRef<'_> {
        ContentRef {
            id: &self.id,
            hlc: self.hlc,
            actor: &self.actor,
            captured_at: &self.captured_at,
            payload: &self.payload,
        }
    }

    /// Recomputes the content hash.
    pub fn computed_hash(&self) -> Result<String, CoreError> {
        hash_canonical(&self.content_ref())
    }

    pub fn hash_is_valid(&self) -> bool {
        has_canonical_hash(&self.content_ref(), &self.hash).unwrap_or(false)
    }
}

/// Borrowing twin of [`EventContent`], so verification hashes without cloning.
#[derive(Serialize)]
struct ContentRef<'a> {
    id: &'a EventId,
    hlc: Hlc,
    actor: &'a Actor,
    captured_at: &'a str,
    payload: &'a Payload,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> EventContent {
        let subject = SubjectId::parse("S01-001").unwrap();
        let form = FormRef::new(subject, "SCR", 1, "ELIG", 1).unwrap();
        EventContent {
            id: EventId {
                node: Uuid::nil(),
                epoch: 1,
                stream: "S01".into(),
                seq: 7,
            },
            hlc: Hlc::new(1_700_000_000_000, 0),
            actor: Actor {
                user_id: Uuid::nil(),
                username: "nurse1".into(),
            },
            captured_at: "2026-11-24T10:00:00.000Z".into(),
            payload: Payload::ValueSet {
                item: form.item("MAIN", 1, "CD19POS"),
                old: Json::Null,
                new: json!("Y"),
                base: None,
                reason: None,
                definition_version: "1.0".into(),
            },
        }
    }

    #[test]
    fn sealed_hash_verifies_and_detects_change() {
        let ev = sample().seal().unwrap();
        assert!(ev.hash_is_valid());
        assert_eq!(ev.hash.len(), 64);
        let mut tampered = ev.clone();
        if let Payload::ValueSet { new, .. } = &mut tampered.payload {
            *new = json!("N");
        }
        assert!(!tampered.hash_is_valid());
        assert_eq!(ev.content().seal().unwrap(), ev);
    }

    #[test]
    fn event_id_round_trips() {
        let id = sample().id;
        let s = id.to_string();
        assert_eq!(s, "00000000-0000-0000-0000-000000000000:1:S01:7");
        assert_eq!(s.parse::<EventId>().unwrap(), id);
        for bad in [
            "",
            "x:1:S01:7",
            "00000000-0000-0000-0000-000000000000:1::7",
            "00000000-0000-0000-0000-000000000000:1:S01:7:9",
        ] {
            assert!(bad.parse::<EventId>().is_err(), "{bad}");
        }
    }

    #[test]
    fn payload_json_is_tagged() {
        let ev = sample().seal().unwrap();
        let v = serde_json::to_value(&ev.payload).unwrap();
        assert_eq!(v["type"], "value_set");
        assert_eq!(v["item"]["item"], "CD19POS");
        assert_eq!(ev.payload.kind(), "value_set");
        assert_eq!(ev.payload.subject().unwrap().as_str(), "S01-001");
    }
}
