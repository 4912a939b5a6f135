//! What the services return to the shells (CLI JSON, Tauri IPC). TypeScript types for the UI
//! are generated from these (`cargo test -p ecrf-services --features ts`).

use ecrf_core::address::FormRef;
use ecrf_core::derive::Derived;
use ecrf_core::roles::{Action, NodeRole, Role};
use ecrf_core::validate::{Finding, Slot};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct NodeSummary {
    pub node_id: String,
    pub role: NodeRole,
    pub site: Option<String>,
    pub study: String,
    pub study_name: ecrf_core::definition::Text,
    pub definition_version: String,
    pub epoch: u32,
    /// Ed25519 public key fingerprint (SHA-256 of the key, hex).
    pub fingerprint: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SessionInfo {
    pub username: String,
    pub full_name: String,
    pub role: Role,
    /// The actions this user may take on this node, for the UI to show or hide controls;
    /// the services check again on every call.
    pub permissions: Vec<Action>,
    /// Minutes of inactivity after which the session locks.
    pub idle_minutes: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct UserSummary {
    pub user_id: String,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub active: bool,
    pub locked: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SubjectSummary {
    pub subject: String,
    pub site: String,
    pub enrolled_at: String,
    pub definition_version: String,
    /// Forms started, and of those complete.
    pub forms_started: u32,
    pub forms_complete: u32,
    /// The eligibility derivation, when the eligibility form has one.
    pub eligibility: Option<ecrf_core::definition::Text>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct FormStatus {
    pub form: FormRef,
    /// `not_started`, `in_progress` or `complete`.
    pub status: String,
    /// `signed` or `signature_broken` by the newest signature covering the form; null when no
    /// signature covers it (yet).
    pub signature: Option<String>,
    /// Queries not closed (open or answered).
    pub open_queries: u32,
    pub locked: bool,
    /// A form-level source data verification mark newer than every value.
    pub verified: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Casebook {
    pub subject: SubjectSummary,
    pub forms: Vec<FormStatus>,
}

/// One value of a form instance, addressed inside the form.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ValueEntry {
    pub group: String,
    pub repeat: u32,
    pub item: String,
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub value: Json,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct FormView {
    pub form: FormRef,
    pub status: String,
    pub definition_version: String,
    pub values: Vec<ValueEntry>,
    pub derived: Vec<Derived>,
    /// Findings on the current values (required items are reported only when completing).
    pub findings: Vec<Finding>,
    /// Items whose condition (`when`) is false: not shown, not required.
    pub hidden: Vec<Slot>,
    /// Investigators' overrides of derived values (the derived values stay in `derived`).
    pub overrides: Vec<OverrideView>,
    /// Queries on this form and its items, open, answered and closed.
    pub queries: Vec<QueryView>,
    /// Signatures covering this form instance, each with whether it still holds.
    pub signatures: Vec<crate::signatures::SignatureView>,
    /// The lock in force over this form instance, if any: then nothing can change.
    pub locked: Option<crate::review::LockView>,
    /// Source data verification marks that still hold.
    pub verified: crate::review::SdvView,
}

/// A query on an item (or the whole form when `item` is null).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct QueryView {
    pub query: String,
    pub item: Option<String>,
    pub group: Option<String>,
    pub repeat: Option<u32>,
    /// The edit check that opened it; null for a query a person opened.
    pub rule: Option<String>,
    /// `open`, `answered` or `closed`.
    pub status: String,
    pub text: String,
    pub opened_by: String,
    pub opened_at: String,
}

/// An override of a derived value, shown beside the value the core derives.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct OverrideView {
    /// The derived value's id.
    pub id: String,
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub value: Json,
    /// The derived value when the override was made.
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub derived_then: Json,
    pub reason: String,
    pub username: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SaveOutcome {
    pub form: FormRef,
    pub status: String,
    /// Change events written (zero when nothing changed).
    pub events: u32,
    pub derived: Vec<Derived>,
    /// Warnings that saved (errors refuse the save and come back as an error).
    pub findings: Vec<Finding>,
    /// Queries the warnings opened with this save.
    pub queries_opened: u32,
}

/// The outcome of checking unsaved input: findings and derived values, for live display.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CheckOutcome {
    pub derived: Vec<Derived>,
    pub findings: Vec<Finding>,
    /// Items whose condition (`when`) is false: not shown, not required.
    pub hidden: Vec<Slot>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AuditEntry {
    pub id: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seq: u64,
    pub kind: String,
    pub subject: Option<String>,
    pub username: String,
    pub captured_at: String,
    pub imported_at: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub payload: Json,
    pub hash: String,
}
