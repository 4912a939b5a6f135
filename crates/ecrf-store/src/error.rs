use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("stored JSON is unreadable: {0}")]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Core(#[from] ecrf_core::CoreError),
    #[error("this database has schema version {found}, newer than this program knows ({known}); use a newer program")]
    TooNew { found: i64, known: i64 },
    #[error("{0} is not an eCRF database of this program (or its key is wrong)")]
    NotADatabase(String),
    #[error("the database is not initialised: run `ecrf init` first")]
    NotInitialised,
    #[error("the database is already initialised")]
    AlreadyInitialised,
    #[error("{0}")]
    Invalid(String),
}
