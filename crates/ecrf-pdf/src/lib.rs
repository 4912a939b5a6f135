//! PDF CRFs: [`render`] lays out filled and blank CRFs from the study definition (one layout
//! for every form), and [`sign`] adds a real PDF digital signature (CMS detached, PAdES
//! baseline) that poppler's `pdfsig` and pyHanko validate, and verifies one.
//!
//! This crate knows the definition and values (from `ecrf-core`) and PDF; it does not know the
//! database, users or sessions: the services hand it a [`model::CrfDocument`] and keys.

pub mod endpoint_report;
mod error;
pub mod model;
pub mod plot;
pub mod render;
pub mod report;
pub mod sign;

pub use error::PdfError;
