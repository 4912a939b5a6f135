//! User administration: add, deactivate, unlock, reset and change passwords, and the recovery
//! for a node whose only administrator is locked out.

use crate::auth::{check_password_policy, hash_password, verify_password, Session};
use crate::dto::UserSummary;
use crate::node::{check_full_name, check_username};
use crate::{Ecrf, Result, ServiceError};
use ecrf_core::event::Payload;
use ecrf_core::roles::{Action, Role};
use ecrf_store::UserRow;
use uuid::Uuid;

fn summary(u: &UserRow) -> Result<UserSummary> {
    Ok(UserSummary {
        user_id: u.user_id.clone(),
        username: u.username.clone(),
        full_name: u.full_name.clone(),
        role: u.role.parse().map_err(ServiceError::Internal)?,
        active: u.active,
        locked: u.locked,
    })
}

impl Ecrf {
    pub fn add_user(
        &mut self,
        s: &mut Session,
        username: &str,
        role: Role,
        full_name: &str,
        password: &str,
    ) -> Result<UserSummary> {
        self.authorize(s, Action::ManageUsers)?;
        check_username(username)?;
        check_full_name(full_name)?;
        check_password_policy(password)?;
        if self.store.user(username)?.is_some() {
            return Err(ServiceError::Exists(format!("user {username}")));
        }
        let now = self.now_str();
        let now_ms = self.now_ms();
        let row = UserRow {
            user_id: Uuid::new_v4().to_string(),
            username: username.to_string(),
            full_name: full_name.trim().to_string(),
            role: role.as_str().to_string(),
            password_hash: hash_password(self.config.kdf, password)?,
            active: true,
            failed: 0,
            locked: false,
            created_at: now.clone(),
        };
        let site = self.store.node()?.site;
        let actor = s.actor();
        let user_id =
            Uuid::parse_str(&row.user_id).map_err(|e| ServiceError::Internal(e.to_string()))?;
        self.store.write(|tx| -> Result<()> {
            tx.insert_user(&row)?;
            tx.append_local(
                &actor,
                &now,
                now_ms,
                vec![Payload::UserPublished {
                    user_id,
                    username: row.username.clone(),
                    full_name: row.full_name.clone(),
                    role,
                    active: true,
                    site,
                }],
            )?;
            tx.record_security(
                &now,
                &actor.username,
                "user_added",
                &format!("{} as {}", row.username, role),
            )?;
            Ok(())
        })?;
        summary(&row)
    }

    pub fn list_users(&mut self, s: &mut Session) -> Result<Vec<UserSummary>> {
        self.authorize(s, Action::ManageUsers)?;
        self.store.users()?.iter().map(summary).collect()
    }

    /// Deactivates (never deletes) or reactivates a user.
    pub fn set_user_active(
        &mut self,
        s: &mut Session,
        username: &str,
        active: bool,
    ) -> Result<UserSummary> {
        self.authorize(s, Action::ManageUsers)?;
        let u = self
            .store
            .user(username)?
            .ok_or_else(|| ServiceError::NotFound(format!("user {username}")))?;
        if !active && username == s.username {
            return Err(ServiceError::InvalidInput(
                "you cannot deactivate your own account".into(),
            ));
        }
        let now = self.now_str();
        let now_ms = self.now_ms();
        let actor = s.actor();
        let site = self.store.node()?.site;
        let role: Role = u.role.parse().map_err(ServiceError::Internal)?;
        let user_id =
            Uuid::parse_str(&u.user_id).map_err(|e| ServiceError::Internal(e.to_string()))?;
        self.store.write(|tx| -> Result<()> {
            tx.set_user_state(username, active, u.locked)?;
            tx.append_local(
                &actor,
                &now,
                now_ms,
                vec![Payload::UserPublished {
                    user_id,
                    username: u.username.clone(),
                    full_name: u.full_name.clone(),
                    role,
                    active,
                    site,
                }],
            )?;
            tx.record_security(
                &now,
                &actor.username,
                if active {
                    "user_activated"
                } else {
                    "user_deactivated"
                },
                username,
            )?;
            Ok(())
        })?;
        summary(
            &self
                .store
                .user(username)?
                .ok_or_else(|| ServiceError::NotFound(username.into()))?,
        )
    }

    /// An administrator unlocks a locked account (and optionally sets a new password).
    pub fn unlock_user(
        &mut self,
        s: &mut Session,
        username: &str,
        new_password: Option<&str>,
    ) -> Result<UserSummary> {
        self.authorize(s, Action::ManageUsers)?;
        let u = self
            .store
            .user(username)?
            .ok_or_else(|| ServiceError::NotFound(format!("user {username}")))?;
        let hash = match new_password {
            Some(p) => {
                check_password_policy(p)?;
                Some(hash_password(self.config.kdf, p)?)
            }
            None => None,
        };
        let now = self.now_str();
        let admin = s.username.clone();
        self.store.write(|tx| -> Result<()> {
            match &hash {
                Some(h) => {
                    tx.set_password_hash(username, h)?;
                    // Nobody can open keys sealed under the old password: retire them (kept
                    // for verification); the next signature makes a new certificate.
                    tx.retire_signing_keys(&u.user_id)?;
                }
                None => tx.set_user_state(username, u.active, false)?,
            }
            tx.record_security(&now, &admin, "user_unlocked", username)?;
            Ok(())
        })?;
        summary(
            &self
                .store
                .user(username)?
                .ok_or_else(|| ServiceError::NotFound(username.into()))?,
        )
    }

    /// A user changes their own password, giving the current one.
    pub fn change_password(&mut self, s: &mut Session, current: &str, new: &str) -> Result<()> {
        self.authorize(s, Action::ViewData)?;
        let u = self
            .store
            .user(&s.username)?
            .ok_or(ServiceError::Unauthenticated)?;
        if !verify_password(&u.password_hash, current) {
            return Err(ServiceError::BadCredentials);
        }
        check_password_policy(new)?;
        let h = hash_password(self.config.kdf, new)?;
        let resealed = self.resealed_keys(&u.user_id, current, new)?;
        let now = self.now_str();
        let name = s.username.clone();
        self.store.write(|tx| -> Result<()> {
            tx.set_password_hash(&name, &h)?;
            for (fp, sealed) in &resealed {
                tx.reseal_signing_key(fp, sealed)?;
            }
            tx.record_security(&now, &name, "password_changed", "")?;
            Ok(())
        })
    }

    /// Recovery when the only administrator is locked out: whoever holds the database file (and
    /// its key) resets an administrator's password. Recorded in the security log.
    pub fn recover_admin(&mut self, username: &str, new_password: &str) -> Result<()> {
        let u = self
            .store
            .user(username)?
            .ok_or_else(|| ServiceError::NotFound(format!("user {username}")))?;
        if u.role != Role::Admin.as_str() {
            return Err(ServiceError::InvalidInput(format!(
                "{username} is not an administrator"
            )));
        }
        check_password_policy(new_password)?;
        let h = hash_password(self.config.kdf, new_password)?;
        let now = self.now_str();
        self.store.write(|tx| -> Result<()> {
            tx.set_password_hash(username, &h)?;
            tx.retire_signing_keys(&u.user_id)?;
            tx.set_user_state(username, true, false)?;
            tx.record_security(
                &now,
                username,
                "admin_recovered",
                "password reset by the holder of the database file",
            )?;
            Ok(())
        })
    }
}
