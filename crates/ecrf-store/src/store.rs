use crate::migrate::migrate;
use crate::{Result, StoreError};
use rusqlite::{Connection, OpenFlags, Transaction};
use std::path::{Path, PathBuf};

/// One node's database. Every write goes through [`Store::write`], one transaction.
pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
    /// The key an encrypted database was opened with: backups are encrypted with it too.
    key: Option<String>,
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
        let before: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if before > 0 && before < crate::migrate::SCHEMA_VERSION {
            // An online backup before every migration.
            let dest = backup_path(path, &format!("before-migration-v{before}"));
            backup_conn(&conn, &dest, key)?;
            log::info!(
                "backed up {} to {} before migrating",
                path.display(),
                dest.display()
            );
        }
        let found = migrate(&mut conn)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            key: key.map(str::to_string),
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
            key: None,
        })
    }

    /// Writes an online backup (SQLite backup API, consistent while the database is in use)
    /// to `dest`, a new file, encrypted with this database's key when it has one.
    pub fn backup_to(&self, dest: &Path) -> Result<()> {
        backup_conn(&self.conn, dest, self.key.as_deref())
    }

    /// Replaces this database's content with a backup's, in one step of the backup API. The
    /// caller checks the backup is this node's and starts a new epoch.
    pub fn restore_from(&mut self, src: &Path) -> Result<()> {
        let source = open_existing(src, self.key.as_deref())?;
        let b = rusqlite::backup::Backup::new(&source, &mut self.conn)?;
        b.run_to_completion(1024, std::time::Duration::ZERO, None)?;
        drop(b);
        Ok(())
    }

    /// Opens another database file of this node's kind (a backup) read-only, with this
    /// database's key.
    pub fn open_sibling(&self, path: &Path) -> Result<Store> {
        let conn = open_existing(path, self.key.as_deref())?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            key: self.key.clone(),
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

    /// How much of the database SQLite keeps in memory for this connection, in KiB
    /// ([`DEFAULT_PAGE_CACHE_KIB`] unless changed). A bulk write such as an import touches
    /// index pages all over the file; with more of them held it reads fewer back. Lowering it
    /// again frees the pages.
    pub fn set_page_cache_kib(&self, kib: u32) -> Result<()> {
        self.conn
            .pragma_update(None, "cache_size", -(i64::from(kib)))?;
        Ok(())
    }

    /// Turns fsync on commit off (`false`) or back on (`true`, the default: `synchronous=FULL`).
    /// Only for generating synthetic data, where a power cut costs nothing: a demo of a
    /// million events is then bound by the CPU, not by the disk.
    pub fn set_durable(&self, durable: bool) -> Result<()> {
        self.conn
            .pragma_update(None, "synchronous", if durable { "FULL" } else { "OFF" })?;
        if durable {
            self.conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        Ok(())
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
             DELETE FROM item_heads; DELETE FROM item_values; DELETE FROM forms; DELETE FROM subjects; \
             DELETE FROM nodes; DELETE FROM acks; DELETE FROM sdv; DELETE FROM locks;",
        )?;
        let mut n = 0;
        {
            // The log is in causal order (an event joins it after what it depends on), so a
            // replay in rowid order applies each event after its dependencies.
            let mut stmt = tx.prepare(
                "SELECT rowid, node, epoch, stream, seq, hlc, user_id, username, captured_at, imported_at, payload, hash, chain \
                 FROM events ORDER BY rowid",
            )?;
            let mut rows = stmt.query([])?;
            let mut touches = crate::project::FormTouches::default();
            while let Some(r) = rows.next()? {
                let se = crate::log::from_row(r)?;
                crate::project::apply(&tx, &se.event, se.rowid, Some(&mut touches))?;
                n += 1;
            }
            touches.flush(&tx)?;
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

/// SQLite's own page cache size, KiB: what a connection has unless
/// [`Store::set_page_cache_kib`] changes it (kept for the app's idle memory).
pub const DEFAULT_PAGE_CACHE_KIB: u32 = 2_000;

/// Where a backup made now for `reason` goes: `<db>.backups/<db>-<UTC time>-<reason>.db`.
pub fn backup_path(db: &Path, reason: &str) -> PathBuf {
    let name = db
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "ecrf.db".into());
    let dir = db.with_file_name(format!("{name}.backups"));
    let stem = name.trim_end_matches(".db");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    dir.join(format!(
        "{stem}-{}-{:03}-{reason}.db",
        format_utc(now.as_secs()),
        now.subsec_millis()
    ))
}

/// `YYYYMMDDTHHMMSSZ` for seconds since 1970 (civil-from-days, proleptic Gregorian).
fn format_utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (h, m, s) = (rem / 3600, (rem % 3600) / 60, rem % 60);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(mo <= 2);
    format!("{y:04}{mo:02}{d:02}T{h:02}{m:02}{s:02}Z")
}

fn open_existing(path: &Path, key: Option<&str>) -> Result<Connection> {
    if !path.is_file() {
        return Err(StoreError::Invalid(format!(
            "{} does not exist or is not a file",
            path.display()
        )));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    if let Some(k) = key {
        conn.pragma_update(None, "key", k)?;
    }
    let readable: rusqlite::Result<i64> =
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0));
    if readable.is_err() {
        return Err(StoreError::NotADatabase(path.display().to_string()));
    }
    Ok(conn)
}

fn backup_conn(src: &Connection, dest: &Path, key: Option<&str>) -> Result<()> {
    if dest.exists() {
        return Err(StoreError::Invalid(format!(
            "backup {} already exists",
            dest.display()
        )));
    }
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::Invalid(format!("{}: {e}", dir.display())))?;
    }
    let partial = dest.with_extension("db.partial");
    let _ = std::fs::remove_file(&partial);
    let result = (|| -> Result<()> {
        let mut out = Connection::open(&partial)?;
        if let Some(k) = key {
            out.pragma_update(None, "key", k)?;
        }
        {
            let b = rusqlite::backup::Backup::new(src, &mut out)?;
            b.run_to_completion(256, std::time::Duration::ZERO, None)?;
        }
        let ok: String = out.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if ok != "ok" {
            return Err(StoreError::Invalid(format!("backup integrity check: {ok}")));
        }
        drop(out);
        std::fs::rename(&partial, dest)
            .map_err(|e| StoreError::Invalid(format!("{}: {e}", dest.display())))?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}
