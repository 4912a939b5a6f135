//! Study definition versions: publishing an amended version (central node), and loading the
//! versions a node knows. A version is immutable: once published, its text never changes, and
//! every form instance keeps the version it was first captured under.

use crate::auth::Session;
use crate::{Ecrf, Result, ServiceError};
use ecrf_core::definition::{load, Definition};
use ecrf_core::event::Payload;
use ecrf_core::roles::Action;
use serde::Serialize;
use std::collections::BTreeMap;

/// The study file of a published definition: the `study.toml` nearest the top.
pub fn root_of(files: &BTreeMap<String, String>) -> Option<&str> {
    files
        .keys()
        .filter(|k| *k == "study.toml" || k.ends_with("/study.toml"))
        .min_by_key(|k| k.matches('/').count())
        .map(String::as_str)
}

pub fn load_published(files: &BTreeMap<String, String>) -> Result<Definition, String> {
    let root = root_of(files).ok_or("no study.toml among its files")?;
    load(files, root).map_err(|errs| {
        errs.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct VersionInfo {
    pub version: String,
    pub study: String,
    pub sha256: String,
    pub current: bool,
}

impl Ecrf {
    /// Publishes an amended definition (files: name → text, with one `study.toml`). It becomes
    /// current for form instances started from now on; existing ones keep their version.
    pub fn publish_definition(
        &mut self,
        s: &mut Session,
        files: BTreeMap<String, String>,
    ) -> Result<VersionInfo> {
        self.authorize(s, Action::PublishDefinition)?;
        let def = load_published(&files).map_err(|m| ServiceError::Validation {
            message: format!("the definition does not load: {m}"),
            findings: vec![],
        })?;
        if def.study.id != self.definition().study.id {
            return Err(ServiceError::InvalidInput(format!(
                "the definition is of study {}, this node's study is {}",
                def.study.id,
                self.definition().study.id
            )));
        }
        if let Some(known) = self.defs.get(&def.study.version) {
            return Err(if known.sha256 == def.sha256 {
                ServiceError::Exists(format!("definition version {}", def.study.version))
            } else {
                ServiceError::InvalidInput(format!(
                    "definition version {} is already published with other content: versions are immutable, give the amendment a new version",
                    def.study.version
                ))
            });
        }
        let now = self.now_str();
        let now_ms = self.now_ms();
        let actor = s.actor();
        let payload = Payload::DefinitionPublished {
            study: def.study.id.clone(),
            version: def.study.version.clone(),
            sha256: def.sha256.clone(),
            files,
        };
        self.store.write(|tx| -> Result<()> {
            tx.append_local(&actor, &now, now_ms, vec![payload])?;
            Ok(())
        })?;
        let version = def.study.version.clone();
        let info = VersionInfo {
            version: version.clone(),
            study: def.study.id.clone(),
            sha256: def.sha256.clone(),
            current: true,
        };
        self.defs.insert(version.clone(), def);
        self.current = version;
        Ok(info)
    }

    pub fn definition_versions(&self) -> Vec<VersionInfo> {
        self.defs
            .values()
            .map(|d| VersionInfo {
                version: d.study.version.clone(),
                study: d.study.id.clone(),
                sha256: d.sha256.clone(),
                current: d.study.version == self.current,
            })
            .collect()
    }
}
