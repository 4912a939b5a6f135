//! What a PDF shows, independent of where it came from.

use ecrf_core::definition::{Codelist, FormDef, Lang};
use ecrf_core::derive::Derived;
use ecrf_core::validate::FormValues;
use serde::Serialize;

/// One PDF: a filled form, an event, a subject's casebook, or blank CRFs.
#[derive(Debug, Clone, Serialize)]
pub struct CrfDocument {
    /// Document title, e.g. "Casebook S01-007".
    pub title: String,
    /// Labels in English, Chinese, or both (English first, Chinese beneath).
    pub lang: DocLang,
    /// Printed on every page.
    pub header: Header,
    /// A table of contents page first (casebooks).
    pub contents: bool,
    pub sections: Vec<FormSection>,
    /// SHA-256 of the canonical content of what the document shows (RFC 8785 of values,
    /// overrides and definition version), printed and stored in the PDF's metadata so a PDF can
    /// be tied back to the database record. None for blank CRFs.
    pub content_hash: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DocLang {
    One(Lang),
    Both,
}

#[derive(Debug, Clone, Serialize)]
pub struct Header {
    pub study: String,
    pub study_name: String,
    pub site: String,
    pub definition_version: String,
    /// UTC, RFC 3339.
    pub generated_at: String,
}

/// One form instance (or a blank form) with everything shown about it.
#[derive(Debug, Clone, Serialize)]
pub struct FormSection {
    /// None on blank CRFs (a line for handwriting instead).
    pub subject: Option<String>,
    pub event: String,
    /// "Day 7 (window 6–8)" etc.; the event's name in the document language(s).
    pub event_name: String,
    pub form: FormDef,
    pub codelists: Vec<Codelist>,
    /// Empty for a blank CRF.
    pub values: FormValues,
    pub blank: bool,
    /// `not_started`, `in_progress`, `complete`.
    pub status: String,
    pub derived: Vec<Derived>,
    pub overrides: Vec<OverrideLine>,
    pub queries: Vec<QueryLine>,
    pub signatures: Vec<SignatureLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OverrideLine {
    pub derived_id: String,
    pub value: String,
    pub reason: String,
    pub by: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct QueryLine {
    pub item: Option<String>,
    pub status: String,
    pub text: String,
    pub opened_by: String,
    pub opened_at: String,
}

/// The signature manifestation (21 CFR 11.50): printed name, date-time, meaning, and whether
/// the signed content is still what was signed.
#[derive(Debug, Clone, Serialize)]
pub struct SignatureLine {
    pub printed_name: String,
    pub username: String,
    pub at: String,
    pub meaning: String,
    pub scope: String,
    pub content_hash: String,
    /// The signed content has changed since: the signature is broken until signed again.
    pub broken: bool,
}
