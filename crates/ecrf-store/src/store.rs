use crate::migrate::migrate;
use crate::{Result, StoreError};
use rusqlite::{Connection, OpenFlags, Transaction};
use std::path::{Path, PathBuf};

/// One node's database. Every write goes through [`Store::write`], one transaction.
pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
}

/// A write transaction. Dropped without [`Store::write`] returning `Ok`, it rolls back.
pub struct Tx<'a> {
    pub(crate) tx: Transaction<'a>,
}

impl Store {
    /// Opens (creating the file if `create`) and migrates. `key` unlocks an encrypted database.
    pub fn open(path: &Path, key: Option<&str>, create: bool) -> Result<Store> {
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        } else if !path.exists() {
            return Err(StoreError::Invalid(format!(
                "database {} does not exist: create it with `ecrf init`",
                path.display()
            )));
        }
        let mut conn = Connection::open_with_flags(path, flags)?;
        if let Some(k) = key {
            conn.pragma_update(None, "key", k)?;
        }
        // The first read tells a wrong key or a foreign file apart.
        let readable: rusqlite::Result<i64> =
            conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0));
        if readable.is_err() {
            return Err(StoreError::NotADatabase(path.display().to_string()));
        }
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let found = migrate(&mut conn)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        if found > 0 && found < crate::migrate::PROJECTIONS_SINCE {
            store.rebuild_projections()?;
        }
        Ok(store)
    }

    /// An in-memory database, for tests.
    pub fn memory() -> Result<Store> {
        let mut conn = Connection::open_in_memory()?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrate(&mut conn)?;
        Ok(Store {
            conn,
            path: PathBuf::from(":memory:"),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in one immediate transaction: committed when `f` returns `Ok`, rolled back
    /// otherwise, so a refused command changes nothing.
    pub fn write<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&mut Tx) -> Result<T, E>,
    ) -> Result<T, E> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let mut t = Tx { tx };
        let out = f(&mut t)?;
        t.tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    /// Read access for queries outside a write.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Empties the projections and replays the whole change log into them, in one transaction.
    pub fn rebuild_projections(&mut self) -> Result<u64> {
        let tx = self.conn.transaction()?;
        tx.execute_batch(
            "DELETE FROM certificates; DELETE FROM signatures; DELETE FROM query_status; DELETE FROM queries; \
             DELETE FROM definitions; DELETE FROM override_latest; DELETE FROM overrides; DELETE FROM conflicts; \
             DELETE FROM item_versions; DELETE FROM item_values; DELETE FROM forms; DELETE FROM subjects; \
             DELETE FROM nodes; DELETE FROM acks; DELETE FROM sdv; DELETE FROM locks;",
        )?;
        let mut n = 0;
        {
            // The log is in causal order (an event joins it after what it depends on), so a
            // replay in rowid order applies each event after its dependencies.
            let mut stmt = tx.prepare(
                "SELECT rowid, node, epoch, stream, seq, hlc, user_id, username, captured_at, imported_at, payload, hash, chain, \
                 rowid IN (SELECT event_rowid FROM future_events) FROM events ORDER BY rowid",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let se = crate::log::from_row(r)?;
                let flagged: bool = r.get(13)?;
                crate::project::apply(&tx, &se.event, se.rowid, flagged)?;
                n += 1;
            }
        }
        tx.commit()?;
        log::info!("rebuilt projections from {n} events");
        Ok(n)
    }

    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }
}

impl Tx<'_> {
    pub fn conn(&self) -> &Connection {
        &self.tx
    }
}
