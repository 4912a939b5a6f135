//! The use cases of the eCRF, shared by the desktop app and the `ecrf` CLI: node set-up,
//! sessions and users, enrolment, form entry with validation and derivations, the audit trail,
//! demo data. Every call that acts for a user checks [`ecrf_core::roles::permits`] first; a
//! refused call changes neither the clinical data nor the change log.

pub mod audit;
pub mod auth;
pub mod backups;
pub mod clock;
pub mod definitions;
pub mod demo;
pub mod demo_sites;
pub mod drafts;
pub mod dto;
mod error;
pub mod export;
pub mod forms;
mod keys;
pub mod node;
pub mod outcomes;
pub mod pdf;
mod report_data;
pub mod reports;
pub mod reports_pdf;
pub mod review;
/// The PDF document model, for shells that choose a language.
pub use ecrf_pdf::model as pdf_model;
pub mod schedule;
pub mod signatures;
pub mod subjects;
pub mod sync;
pub mod users;
mod view;

pub use auth::{Kdf, Session};
pub use error::{Result, ServiceError};

use clock::Clock;
use ecrf_core::definition::Definition;
use ecrf_store::Store;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Settings the shells choose.
#[derive(Clone, Debug)]
pub struct Config {
    pub kdf: Kdf,
    /// Minutes of inactivity after which a session locks.
    pub idle_minutes: u32,
    /// Failed passwords in a row that lock an account.
    pub lockout_after: u32,
    /// Make an online backup before every bundle import (benchmarks of the import alone turn
    /// it off).
    pub backup_before_import: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            kdf: Kdf::Standard,
            idle_minutes: 15,
            lockout_after: 5,
            backup_before_import: true,
        }
    }
}

/// One open node database with the definitions it knows.
pub struct Ecrf {
    pub(crate) store: Store,
    pub(crate) defs: BTreeMap<String, Definition>,
    pub(crate) current: String,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) config: Config,
}

impl Ecrf {
    /// Wraps an opened store. The built-in definition is always known; every version published
    /// on or received by this node is loaded beside it, and the last published is current.
    pub fn new(store: Store, clock: Arc<dyn Clock>, config: Config) -> Result<Ecrf> {
        let (defs, current) = Ecrf::load_definitions(&store)?;
        Ok(Ecrf {
            store,
            defs,
            current,
            clock,
            config,
        })
    }

    /// The built-in definition and every version published on or received by this node; the
    /// last published is current.
    pub(crate) fn load_definitions(
        store: &Store,
    ) -> Result<(BTreeMap<String, Definition>, String)> {
        let def = ecrf_core::definition::builtin();
        let mut current = def.study.version.clone();
        let mut defs = BTreeMap::new();
        defs.insert(current.clone(), def);
        for row in store.definitions()? {
            let def = definitions::load_published(&row.files).map_err(|m| {
                ServiceError::Integrity(format!(
                    "published definition {} does not load: {m}",
                    row.version
                ))
            })?;
            if let Some(known) = defs.get(&row.version) {
                if known.sha256 != def.sha256 {
                    return Err(ServiceError::Integrity(format!(
                        "definition version {} is published with two different texts",
                        row.version
                    )));
                }
            }
            current = row.version.clone();
            defs.insert(row.version, def);
        }
        Ok((defs, current))
    }

    /// The definition new records are captured under.
    pub fn definition(&self) -> &Definition {
        &self.defs[&self.current]
    }

    /// The definition a record was captured under.
    pub fn definition_version(&self, version: &str) -> Result<&Definition> {
        self.defs
            .get(version)
            .ok_or_else(|| ServiceError::NotFound(format!("definition version {version}")))
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub(crate) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
    pub(crate) fn now_ms(&self) -> u64 {
        self.clock.now().timestamp_millis().max(0) as u64
    }
    pub(crate) fn now_str(&self) -> String {
        clock::rfc3339(self.clock.now())
    }
}
