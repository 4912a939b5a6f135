//! Passwords (Argon2id), login with lockout, sessions with an idle lock, authorisation.

use crate::{Ecrf, Result, ServiceError};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Utc};
use ecrf_core::event::Actor;
use ecrf_core::roles::{permits, Action, Role};
use rand_core::OsRng;
use uuid::Uuid;

/// Argon2id cost for new password hashes. Verification always uses the parameters stored in
/// the hash, so a database made with either verifies with either.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kdf {
    /// OWASP's recommendation: 19 MiB, 2 passes, 1 lane.
    Standard,
    /// For test suites only: 64 KiB, 1 pass. Chosen by `ECRF_KDF=fast`.
    Fast,
}

fn argon(kdf: Kdf) -> Result<Argon2<'static>> {
    let params = match kdf {
        Kdf::Standard => Params::new(19_456, 2, 1, None),
        Kdf::Fast => Params::new(64, 1, 1, None),
    }
    .map_err(|e| ServiceError::Internal(format!("argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

pub const MIN_PASSWORD: usize = 8;

pub fn check_password_policy(p: &str) -> Result<()> {
    if p.chars().count() < MIN_PASSWORD {
        return Err(ServiceError::InvalidInput(format!(
            "a password needs at least {MIN_PASSWORD} characters"
        )));
    }
    if p.chars().count() > 1024 {
        return Err(ServiceError::InvalidInput(
            "a password may have at most 1024 characters".into(),
        ));
    }
    Ok(())
}

pub fn hash_password(kdf: Kdf, password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(argon(kdf)?
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| ServiceError::Internal(format!("argon2: {e}")))?
        .to_string())
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A logged-in user. The shells keep it; the services check it on every call.
#[derive(Clone, Debug)]
pub struct Session {
    pub user_id: Uuid,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub last_active: DateTime<Utc>,
    /// Set when the idle timeout passed; cleared by [`Ecrf::unlock`].
    pub locked: bool,
}

impl Session {
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.user_id,
            username: self.username.clone(),
        }
    }
}

impl Ecrf {
    /// Checks a password, counting failures; `lockout_after` failures in a row lock the account.
    pub fn login(&mut self, username: &str, password: &str) -> Result<Session> {
        let now = self.now_str();
        let Some(u) = self.store.user(username)? else {
            self.store
                .record_security(&now, username, "login_failed", "unknown user")?;
            return Err(ServiceError::BadCredentials);
        };
        if !u.active {
            self.store
                .record_security(&now, username, "login_refused", "deactivated account")?;
            return Err(ServiceError::AccountInactive(username.into()));
        }
        if u.locked {
            self.store
                .record_security(&now, username, "login_refused", "locked account")?;
            return Err(ServiceError::AccountLocked(username.into()));
        }
        if !verify_password(&u.password_hash, password) {
            let n = self
                .store
                .record_failed_login(username, self.config.lockout_after)?;
            self.store.record_security(
                &now,
                username,
                "login_failed",
                &format!("wrong password ({n} in a row)"),
            )?;
            if n >= self.config.lockout_after {
                self.store.record_security(
                    &now,
                    username,
                    "account_locked",
                    &format!("{n} failed passwords"),
                )?;
                return Err(ServiceError::AccountLocked(username.into()));
            }
            return Err(ServiceError::BadCredentials);
        }
        self.store.reset_failed_logins(username)?;
        let role: Role = u.role.parse().map_err(ServiceError::Internal)?;
        Ok(Session {
            user_id: Uuid::parse_str(&u.user_id)
                .map_err(|e| ServiceError::Internal(e.to_string()))?,
            username: u.username,
            full_name: u.full_name,
            role,
            last_active: self.now(),
            locked: false,
        })
    }

    /// Re-enters the password of a session that locked itself while idle.
    pub fn unlock(&mut self, session: &mut Session, password: &str) -> Result<()> {
        let fresh = self.login(&session.username, password)?;
        *session = fresh;
        Ok(())
    }

    /// Checks that the session is live and its user may take `action`; refreshes its idle timer.
    pub fn authorize(&mut self, session: &mut Session, action: Action) -> Result<()> {
        let now = self.now();
        let idle = chrono::Duration::minutes(self.config.idle_minutes as i64);
        if session.locked || now - session.last_active > idle {
            session.locked = true;
            return Err(ServiceError::SessionLocked);
        }
        // The account may have been locked or deactivated since login.
        let u = self
            .store
            .user(&session.username)?
            .ok_or(ServiceError::Unauthenticated)?;
        if !u.active || u.locked {
            return Err(ServiceError::Unauthenticated);
        }
        let role: Role = u.role.parse().map_err(ServiceError::Internal)?;
        let node = self.store.node()?;
        if !permits(role, action, node.role) {
            let now_s = self.now_str();
            self.store.record_security(
                &now_s,
                &session.username,
                "refused",
                &format!("{} may not {:?}", role, action),
            )?;
            return Err(ServiceError::Forbidden {
                role: role.to_string(),
                action: action_words(action).to_string(),
            });
        }
        session.role = role;
        session.last_active = now;
        Ok(())
    }

    /// The actions the session's role permits on this node.
    pub fn permissions(&self, session: &Session) -> Result<Vec<Action>> {
        let node = self.store.node()?;
        Ok(Action::ALL
            .into_iter()
            .filter(|a| permits(session.role, *a, node.role))
            .collect())
    }
}

/// How an action reads in a refusal message.
pub fn action_words(a: Action) -> &'static str {
    use Action::*;
    match a {
        ViewData => "view data",
        Enrol => "enrol subjects",
        EnterData => "enter data",
        AnswerQuery => "answer queries",
        Sign => "sign",
        OverrideDerived => "override derived values",
        OpenQuery => "open queries",
        VerifySource => "mark source data verified",
        CloseQuery => "close queries",
        ResolveConflict => "resolve conflicts",
        Lock => "lock or unlock data",
        ExportBundle => "export bundles",
        ImportBundle => "import bundles",
        ManageNodeKeys => "accept or revoke node keys",
        Reports => "run reports and exports",
        ManageUsers => "manage users",
        Backup => "manage backups",
        NodeSetup => "set up the node",
        Demo => "create demo data",
        VerifyAudit => "verify the audit trail",
        PublishDefinition => "publish study definitions",
    }
}
