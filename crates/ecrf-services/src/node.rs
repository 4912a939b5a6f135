//! Setting up a node database and describing it.

use crate::auth::{check_password_policy, hash_password};
use crate::clock::{rfc3339, Clock};
use crate::dto::NodeSummary;
use crate::{Config, Ecrf, Result, ServiceError};
use ecrf_core::event::{Actor, Payload};
use ecrf_core::ids::SiteCode;
use ecrf_core::roles::{NodeRole, Role};
use ecrf_store::{NodeInfo, Store, UserRow};
use ed25519_dalek::SigningKey;
use rand_core::OsRng;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;
use uuid::Uuid;

pub struct InitRequest<'a> {
    pub role: NodeRole,
    pub site: Option<&'a str>,
    pub admin: &'a str,
    pub admin_name: &'a str,
    pub password: &'a str,
    /// A site may be given the central node's key fingerprint at set-up; its first return
    /// bundle is then accepted without asking.
    pub central_key: Option<&'a str>,
}

pub fn check_username(u: &str) -> Result<()> {
    let ok = (2..=40).contains(&u.len())
        && u.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && u.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_' || c == '-'
        });
    if ok {
        Ok(())
    } else {
        Err(ServiceError::InvalidInput(format!(
            "invalid username {u:?}: 2-40 lower-case letters, digits, '.', '_' or '-', starting with a letter"
        )))
    }
}

pub fn check_full_name(n: &str) -> Result<()> {
    if n.trim().is_empty() || n.chars().count() > 200 || n.chars().any(char::is_control) {
        return Err(ServiceError::InvalidInput(
            "a full name is needed: 1-200 printable characters".into(),
        ));
    }
    Ok(())
}

/// Fingerprint of a node's public key: SHA-256 of the raw key, hex.
pub fn fingerprint(public_key_hex: &str) -> String {
    let raw = hex::decode(public_key_hex).unwrap_or_default();
    hex::encode(Sha256::digest(raw))
}

impl Ecrf {
    /// Opens an initialised node database (migrating its schema if it is older).
    pub fn open(
        path: &Path,
        key: Option<&str>,
        clock: Arc<dyn Clock>,
        config: Config,
    ) -> Result<Ecrf> {
        let store = Store::open(path, key, false)?;
        if !store.is_initialised()? {
            return Err(ServiceError::InvalidInput(format!(
                "{} is not initialised: run `ecrf init`",
                path.display()
            )));
        }
        Ecrf::new(store, clock, config)
    }

    /// Creates a node database at `path`: node identity with a new Ed25519 key, the first
    /// administrator, and the events that publish both and the definition in use. Every input
    /// is checked before the file is created.
    pub fn init(
        path: &Path,
        key: Option<&str>,
        req: InitRequest,
        clock: Arc<dyn Clock>,
        config: Config,
    ) -> Result<Ecrf> {
        let site = match (req.role, req.site) {
            (NodeRole::Site, None) => {
                return Err(ServiceError::InvalidInput(
                    "a site node needs --site CODE".into(),
                ))
            }
            (_, Some(s)) => Some(SiteCode::parse(s)?),
            (NodeRole::Central, None) => None,
        };
        let central_key = match (req.role, req.central_key) {
            (NodeRole::Central, Some(_)) => {
                return Err(ServiceError::InvalidInput(
                    "--central-key is for site nodes".into(),
                ))
            }
            (_, Some(k)) => {
                let k = k.trim().to_ascii_lowercase();
                if k.len() != 64 || !k.chars().all(|c| c.is_ascii_hexdigit()) {
                    return Err(ServiceError::InvalidInput(format!(
                        "--central-key must be the central node's key fingerprint (64 hex digits), not {k:?}"
                    )));
                }
                Some(k)
            }
            (_, None) => None,
        };
        check_username(req.admin)?;
        check_full_name(req.admin_name)?;
        check_password_policy(req.password)?;
        if path.exists() {
            return Err(ServiceError::Exists(format!("database {}", path.display())));
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            if !parent.is_dir() {
                return Err(ServiceError::Io(format!(
                    "folder {} does not exist",
                    parent.display()
                )));
            }
        }
        let password_hash = hash_password(config.kdf, req.password)?;
        let store = Store::open(path, key, true)?;
        let mut ecrf = Ecrf::new(store, clock, config)?;
        let now = rfc3339(ecrf.now());
        let now_ms = ecrf.now_ms();
        let signing = SigningKey::generate(&mut OsRng);
        let node = NodeInfo {
            node_id: Uuid::new_v4(),
            epoch: 1,
            role: req.role,
            site: site.map(|s| s.to_string()),
            study: ecrf.definition().study.id.clone(),
            public_key: hex::encode(signing.verifying_key().to_bytes()),
            created_at: now.clone(),
            signing_key: signing.to_bytes().to_vec(),
        };
        let admin = UserRow {
            user_id: Uuid::new_v4().to_string(),
            username: req.admin.to_string(),
            full_name: req.admin_name.trim().to_string(),
            role: Role::Admin.as_str().to_string(),
            password_hash,
            active: true,
            failed: 0,
            locked: false,
            created_at: now.clone(),
        };
        let def = ecrf.definition().clone();
        let files = ecrf_core::definition::builtin_files();
        ecrf.store.write(|tx| -> Result<()> {
            tx.init_node(&node)?;
            if let Some(k) = &central_key {
                tx.set_central_key(k)?;
            }
            tx.insert_user(&admin)?;
            let actor = Actor {
                user_id: Uuid::parse_str(&admin.user_id)
                    .map_err(|e| ServiceError::Internal(e.to_string()))?,
                username: admin.username.clone(),
            };
            tx.append_local(
                &actor,
                &now,
                now_ms,
                vec![
                    Payload::DefinitionPublished {
                        study: def.study.id.clone(),
                        version: def.study.version.clone(),
                        sha256: def.sha256.clone(),
                        files,
                    },
                    Payload::UserPublished {
                        user_id: actor.user_id,
                        username: admin.username.clone(),
                        full_name: admin.full_name.clone(),
                        role: Role::Admin,
                        active: true,
                        site: node.site.clone(),
                    },
                ],
            )?;
            tx.record_security(
                &now,
                &admin.username,
                "node_initialised",
                &format!("{} node {}", req.role.as_str(), node.node_id),
            )?;
            Ok(())
        })?;
        Ok(ecrf)
    }

    pub fn node_summary(&self) -> Result<NodeSummary> {
        let n = self.store.node()?;
        let def = self.definition();
        Ok(NodeSummary {
            node_id: n.node_id.to_string(),
            role: n.role,
            site: n.site,
            study: n.study,
            study_name: def.study.name.clone(),
            definition_version: def.study.version.clone(),
            epoch: n.epoch,
            fingerprint: fingerprint(&n.public_key),
        })
    }
}
