//! Schema migrations by `PRAGMA user_version`, one transaction each. Migration N takes a
//! database from version N-1 to N. Old versions are frozen in `tests/fixtures/` and upgraded
//! by the test suite.

use crate::{Result, StoreError};
use rusqlite::Connection;

pub const MIGRATIONS: &[(&str, &str)] = &[
    (
        "node identity, change log, users",
        include_str!("sql/0001_log.sql"),
    ),
    (
        "projections, security log",
        include_str!("sql/0002_projections.sql"),
    ),
    (
        "overrides of derived values, definition versions",
        include_str!("sql/0003_overrides_definitions.sql"),
    ),
    ("queries", include_str!("sql/0004_queries.sql")),
    ("signatures", include_str!("sql/0005_signatures.sql")),
    (
        "signing keys and certificates",
        include_str!("sql/0006_signing_keys.sql"),
    ),
    (
        "sync: versions, conflicts, pending events, node trust, acknowledgements, imports, documents",
        include_str!("sql/0007_sync.sql"),
    ),
    (
        "source data verification, locks",
        include_str!("sql/0008_review.sql"),
    ),
    ("drafts of typed input", include_str!("sql/0009_drafts.sql")),
    ("number of heads per item", include_str!("sql/0010_heads.sql")),
    (
        "leaner projections: one index on item versions, form values by key range",
        include_str!("sql/0011_version_index.sql"),
    ),
    (
        "heads instead of every version of an item",
        include_str!("sql/0012_item_heads.sql"),
    ),
    (
        "current values ordered by subject, form and key, without a rowid",
        include_str!("sql/0013_values_by_subject.sql"),
    ),
];

pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The first schema version that has the current projections: a database migrated from an
/// older version has its projections rebuilt from the change log.
pub(crate) const PROJECTIONS_SINCE: i64 = 12;

/// Brings the schema up to [`SCHEMA_VERSION`]. Returns the version found.
pub fn migrate(conn: &mut Connection) -> Result<i64> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            found,
            known: SCHEMA_VERSION,
        });
    }
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
        log::info!("migrated schema to version {} ({name})", i + 1);
    }
    Ok(found)
}
