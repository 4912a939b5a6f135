//! Backups: an online copy (SQLite backup API) before every import and migration and on
//! demand, kept in `<db>.backups/` beside the database (the newest `KEEP`), encrypted like the
//! database; and restoring one, after which the node writes in a new epoch so that it never
//! reuses an event id it may have used after the backup was taken.

use crate::auth::Session;
use crate::{Ecrf, Result, ServiceError};
use ecrf_core::roles::Action;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// How many backups are kept (the oldest go first).
pub const KEEP: usize = 30;

/// A backup file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct BackupInfo {
    pub file: String,
    /// Why it was made: `before-import`, `before-migration-vN`, `before-restore`, `manual`.
    pub reason: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes: u64,
    pub epoch: Option<u32>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub events: Option<i64>,
    /// Readable with this node's key and holding this node's identity.
    pub usable: bool,
}

/// What a restore did.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RestoreSummary {
    pub restored_from: String,
    /// The database as it was just before the restore, kept as a backup.
    pub previous_saved_as: String,
    pub previous_epoch: u32,
    pub new_epoch: u32,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub events: i64,
}

fn backup_dir(db: &Path) -> Option<PathBuf> {
    let name = db.file_name()?.to_string_lossy().into_owned();
    Some(db.with_file_name(format!("{name}.backups")))
}

fn reason_of(file: &str) -> String {
    // `<stem>-YYYYMMDDTHHMMSSZ-mmm-<reason>.db`
    let base = file.trim_end_matches(".db");
    base.split_once('Z')
        .and_then(|(_, rest)| rest.split_once('-').map(|(_, r)| r))
        .and_then(|r| r.split_once('-').map(|(_, r)| r))
        .unwrap_or("?")
        .to_string()
}

impl Ecrf {
    /// Makes a backup now (no authorisation: called by the services before imports).
    pub(crate) fn backup_for(&mut self, reason: &str) -> Result<Option<PathBuf>> {
        let db = self.store.path().to_path_buf();
        if db.as_os_str() == ":memory:" {
            return Ok(None);
        }
        let dest = ecrf_store::backup_path(&db, reason);
        self.store
            .backup_to(&dest)
            .map_err(|e| ServiceError::Io(format!("backup before {reason} failed: {e}")))?;
        self.prune_backups()?;
        Ok(Some(dest))
    }

    fn backup_files(&self) -> Result<Vec<PathBuf>> {
        let Some(dir) = backup_dir(self.store.path()) else {
            return Ok(Vec::new());
        };
        if !dir.is_dir() {
            return Ok(Vec::new());
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| ServiceError::Io(format!("{}: {e}", dir.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "db"))
            .collect();
        // Names start with the time: lexical order is age order.
        files.sort();
        Ok(files)
    }

    fn prune_backups(&self) -> Result<()> {
        let files = self.backup_files()?;
        if files.len() > KEEP {
            for old in &files[..files.len() - KEEP] {
                if let Err(e) = std::fs::remove_file(old) {
                    log::warn!("could not remove old backup {}: {e}", old.display());
                }
            }
        }
        Ok(())
    }

    /// A backup on demand (administrators).
    pub fn backup_now(&mut self, s: &mut Session) -> Result<BackupInfo> {
        self.authorize(s, Action::Backup)?;
        let dest = self.backup_for("manual")?.ok_or_else(|| {
            ServiceError::InvalidInput("an in-memory database has no backups".into())
        })?;
        self.backup_info(&dest)
    }

    fn backup_info(&self, p: &Path) -> Result<BackupInfo> {
        let file = p.display().to_string();
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let me = self.store.node()?.node_id;
        let (epoch, events, usable) = match self.store.open_sibling(p) {
            Ok(b) => match (b.node(), b.event_count()) {
                (Ok(n), Ok(c)) => (Some(n.epoch), Some(c), n.node_id == me),
                _ => (None, None, false),
            },
            Err(_) => (None, None, false),
        };
        Ok(BackupInfo {
            file,
            reason: reason_of(&name),
            bytes,
            epoch,
            events,
            usable,
        })
    }

    /// The backups of this database, oldest first.
    pub fn backups(&mut self, s: &mut Session) -> Result<Vec<BackupInfo>> {
        self.authorize(s, Action::Backup)?;
        self.backup_files()?
            .iter()
            .map(|p| self.backup_info(p))
            .collect()
    }

    /// Restores a backup of this node (administrators). The current database is kept as a
    /// backup first; the node then writes in a new epoch, greater than every epoch in the
    /// current database, the restored one and every backup, and at least the minutes since
    /// 1970, so it never reuses an event id even when the newest database is lost.
    pub fn restore_backup(&mut self, s: &mut Session, file: &Path) -> Result<RestoreSummary> {
        self.authorize(s, Action::Backup)?;
        let me = self.store.node()?;
        let backup = self
            .store
            .open_sibling(file)
            .map_err(|e| ServiceError::InvalidInput(format!("{}: {e}", file.display())))?;
        let theirs = backup
            .node()
            .map_err(|e| ServiceError::InvalidInput(format!("{}: {e}", file.display())))?;
        if theirs.node_id != me.node_id {
            return Err(ServiceError::InvalidInput(format!(
                "{} is a backup of node {}, not of this node ({})",
                file.display(),
                theirs.node_id,
                me.node_id
            )));
        }
        let mut highest = me.epoch.max(theirs.epoch);
        for p in self.backup_files()? {
            if let Ok(b) = self.store.open_sibling(&p) {
                if let Ok(n) = b.node() {
                    highest = highest.max(n.epoch);
                }
            }
        }
        drop(backup);
        let minutes = (self.now().timestamp().max(0) / 60) as u32;
        let new_epoch = (highest + 1).max(minutes);
        let previous = self.backup_for("before-restore")?.ok_or_else(|| {
            ServiceError::InvalidInput("an in-memory database cannot be restored".into())
        })?;
        self.store.restore_from(file)?;
        let now = self.now_str();
        let user = s.username.clone();
        let detail = format!(
            "restored {} (epoch {}); previous database saved as {}; new epoch {new_epoch}",
            file.display(),
            theirs.epoch,
            previous.display()
        );
        self.store.write(|tx| -> Result<()> {
            tx.set_epoch(new_epoch)?;
            tx.record_security(&now, &user, "backup_restored", &detail)?;
            Ok(())
        })?;
        let (defs, current) = Ecrf::load_definitions(&self.store)?;
        self.defs = defs;
        self.current = current;
        log::warn!("{detail}");
        Ok(RestoreSummary {
            restored_from: file.display().to_string(),
            previous_saved_as: previous.display().to_string(),
            previous_epoch: me.epoch,
            new_epoch,
            events: self.store.event_count()?,
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reasons_come_from_the_name() {
        assert_eq!(
            super::reason_of("site-20261125T101500Z-123-before-import.db"),
            "before-import"
        );
        assert_eq!(
            super::reason_of("site-20261125T101500Z-007-before-migration-v6.db"),
            "before-migration-v6"
        );
        assert_eq!(super::reason_of("junk.db"), "?");
    }
}
