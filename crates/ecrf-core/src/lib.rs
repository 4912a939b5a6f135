//! The pure domain of the eCRF.
//!
//! Everything here is a function of its inputs: no files, no SQL, no clock, no Tauri.
//! Callers (the store and the services) pass in time, randomness and data.
//!
//! * [`ids`] — validated site codes and subject ids.
//! * [`bor`] — best overall response per subject.
//! * [`endpoints`] — OS, PFS and DOR per subject with the censoring rules (primary, sensitivity).
//! * [`address`] — where a value lives (subject / event / form / group / item, with repeats).
//! * [`value`] — item values: typing, normalisation, special values (not done, ND/UNK, BLQ).
//! * [`definition`] — the study definition format, its loader and its semantic checks.
//! * [`expr`] — the small expression language of conditions and edit checks.
//! * [`validate`] — findings for a form's data against the definition.
//! * [`event`] — the change-event vocabulary, event identity and hashing.
//! * [`hlc`] — the hybrid logical clock that orders events across nodes.
//! * [`merge`] — which value an item shows after concurrent edits (the merge policy).
//! * [`sync`] — what a received event is (new, duplicate, fork, rejected) and who may send what.
//! * [`overrides`] — what may replace a derived value.
//! * [`schedule`] — visit windows and what is due or overdue.
//! * [`signature`] — what an electronic signature covers, and its hash.
//! * [`roles`] — roles, actions and the authorisation table.
//! * [`canonical`] — RFC 8785 canonical JSON and SHA-256 helpers.
//! * [`stats`] — response rates, Kaplan-Meier, non-compartmental kinetics, summaries.

pub mod address;
pub mod bor;
pub mod canonical;
pub mod definition;
pub mod derive;
pub mod endpoints;
pub mod error;
pub mod event;
pub mod expr;
pub mod hlc;
pub mod ids;
pub mod merge;
pub mod overrides;
pub mod roles;
pub mod schedule;
pub mod signature;
pub mod stats;
pub mod sync;
pub mod validate;
pub mod value;

pub use error::CoreError;
