use thiserror::Error;

/// Every way the pure domain can refuse an input.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum CoreError {
    #[error("invalid site code {0:?}: expected 2-8 upper-case letters or digits starting with a letter, e.g. S01")]
    SiteCode(String),
    #[error("invalid subject id {0:?}: expected SITE-NNN, e.g. S01-007")]
    SubjectId(String),
    #[error("subject {subject} does not belong to site {site}")]
    WrongSite { subject: String, site: String },
    #[error("{file}:{line}:{column}: {message}")]
    Definition {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("unknown {kind} {id:?}")]
    Unknown { kind: &'static str, id: String },
    #[error("{item}: {message}")]
    Value { item: String, message: String },
    #[error("expression {expr:?}: {message}")]
    Expr { expr: String, message: String },
    #[error("invalid repeat key {0}: repeats are numbered from 1")]
    Repeat(u32),
    #[error("canonical JSON: {0}")]
    Canonical(String),
    #[error("invalid event id {0:?}")]
    EventId(String),
}
