//! Users of this node and the security log.

use crate::{Result, Store, Tx};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct UserRow {
    pub user_id: String,
    pub username: String,
    pub full_name: String,
    pub role: String,
    #[serde(skip)]
    pub password_hash: String,
    pub active: bool,
    pub failed: u32,
    pub locked: bool,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SecurityEntry {
    pub id: i64,
    pub at: String,
    pub username: String,
    pub kind: String,
    pub detail: String,
}

const USER_COLS: &str =
    "user_id, username, full_name, role, password_hash, active, failed, locked, created_at";

fn user_from(r: &rusqlite::Row) -> rusqlite::Result<UserRow> {
    Ok(UserRow {
        user_id: r.get(0)?,
        username: r.get(1)?,
        full_name: r.get(2)?,
        role: r.get(3)?,
        password_hash: r.get(4)?,
        active: r.get(5)?,
        failed: r.get(6)?,
        locked: r.get(7)?,
        created_at: r.get(8)?,
    })
}

fn user(conn: &Connection, username: &str) -> Result<Option<UserRow>> {
    Ok(conn
        .query_row(
            &format!("SELECT {USER_COLS} FROM users WHERE username = ?1"),
            [username],
            user_from,
        )
        .optional()?)
}

fn users(conn: &Connection) -> Result<Vec<UserRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {USER_COLS} FROM users ORDER BY created_at, username"
    ))?;
    let rows = stmt.query_map([], user_from)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn security_log(conn: &Connection, limit: u32) -> Result<Vec<SecurityEntry>> {
    let mut stmt = conn.prepare(
        "SELECT id, at, username, kind, detail FROM security_log ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit], |r| {
        Ok(SecurityEntry {
            id: r.get(0)?,
            at: r.get(1)?,
            username: r.get(2)?,
            kind: r.get(3)?,
            detail: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn security(conn: &Connection, at: &str, username: &str, kind: &str, detail: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO security_log (at, username, kind, detail) VALUES (?1, ?2, ?3, ?4)",
        params![at, username, kind, detail],
    )?;
    Ok(())
}

impl Store {
    pub fn user(&self, username: &str) -> Result<Option<UserRow>> {
        user(&self.conn, username)
    }
    pub fn users(&self) -> Result<Vec<UserRow>> {
        users(&self.conn)
    }
    pub fn security_log(&self, limit: u32) -> Result<Vec<SecurityEntry>> {
        security_log(&self.conn, limit)
    }
    /// Records a security event in its own committed write: it must persist even when the
    /// command that caused it is refused.
    pub fn record_security(
        &mut self,
        at: &str,
        username: &str,
        kind: &str,
        detail: &str,
    ) -> Result<()> {
        security(&self.conn, at, username, kind, detail)
    }
    /// Counts a failed password; returns the new count.
    pub fn record_failed_login(&mut self, username: &str, lock_after: u32) -> Result<u32> {
        self.conn.execute(
            "UPDATE users SET failed = failed + 1, locked = CASE WHEN failed + 1 >= ?2 THEN 1 ELSE locked END WHERE username = ?1",
            params![username, lock_after],
        )?;
        Ok(self
            .conn
            .query_row(
                "SELECT failed FROM users WHERE username = ?1",
                [username],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0))
    }
    pub fn reset_failed_logins(&mut self, username: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE users SET failed = 0 WHERE username = ?1 AND failed > 0",
            [username],
        )?;
        Ok(())
    }
}

impl Tx<'_> {
    pub fn user(&self, username: &str) -> Result<Option<UserRow>> {
        user(&self.tx, username)
    }
    pub fn users(&self) -> Result<Vec<UserRow>> {
        users(&self.tx)
    }
    pub fn insert_user(&mut self, u: &UserRow) -> Result<()> {
        self.tx.execute(
            &format!("INSERT INTO users ({USER_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
            params![
                u.user_id,
                u.username,
                u.full_name,
                u.role,
                u.password_hash,
                u.active,
                u.failed,
                u.locked,
                u.created_at
            ],
        )?;
        Ok(())
    }
    pub fn set_password_hash(&mut self, username: &str, hash: &str) -> Result<()> {
        self.tx.execute(
            "UPDATE users SET password_hash = ?2, failed = 0, locked = 0 WHERE username = ?1",
            params![username, hash],
        )?;
        Ok(())
    }
    pub fn set_user_state(&mut self, username: &str, active: bool, locked: bool) -> Result<()> {
        self.tx.execute(
            "UPDATE users SET active = ?2, locked = ?3, failed = CASE WHEN ?3 THEN failed ELSE 0 END WHERE username = ?1",
            params![username, active, locked],
        )?;
        Ok(())
    }
    pub fn record_security(
        &mut self,
        at: &str,
        username: &str,
        kind: &str,
        detail: &str,
    ) -> Result<()> {
        security(&self.tx, at, username, kind, detail)
    }
    pub fn insert_signing_key(&mut self, k: &crate::SigningKeyRow) -> Result<()> {
        self.tx.execute(
            "INSERT INTO signing_keys (fingerprint, user_id, cert_der, sealed_key, created_at, active) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![k.fingerprint, k.user_id, k.cert_der, k.sealed_key, k.created_at, k.active],
        )?;
        Ok(())
    }
    /// Replaces the sealed key (a password change re-seals it).
    pub fn reseal_signing_key(&mut self, fingerprint: &str, sealed: &[u8]) -> Result<()> {
        self.tx.execute(
            "UPDATE signing_keys SET sealed_key = ?2 WHERE fingerprint = ?1",
            params![fingerprint, sealed],
        )?;
        Ok(())
    }
    /// Retires a user's keys (after a password reset nobody can open them); kept for verification.
    pub fn retire_signing_keys(&mut self, user_id: &str) -> Result<()> {
        self.tx.execute(
            "UPDATE signing_keys SET active = 0 WHERE user_id = ?1",
            [user_id],
        )?;
        Ok(())
    }
}
