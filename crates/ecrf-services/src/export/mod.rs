//! Exports of the dataset for the data manager, the sponsor and inspectors: CDISC ODM 1.3.2
//! ([`odm`]), CSV tables with a data dictionary ([`csv`]) and the audit trail report
//! ([`audit`]).
//!
//! Every export reads the store (subjects, form states, current values, the change log,
//! signatures) and the definition version each form instance was captured under; none writes
//! to the database. Authorisation is [`Action::Reports`]; an investigator exports only the
//! subjects of their own site, at that site's node (a site node holds only its own subjects).
//!
//! Files are written to `<out>.partial` and renamed when complete, so a crash or a refused
//! export never leaves a half-written file under the requested name; an existing output is
//! never overwritten.

pub mod audit;
pub mod csv;
pub mod odm;

use crate::auth::Session;
use crate::{Ecrf, Result, ServiceError};
use ecrf_core::definition::ItemType;
use ecrf_core::roles::{Action, Role};
use ecrf_store::SubjectRow;
use serde::Serialize;
use serde_json::Value as Json;
use std::path::{Path, PathBuf};

/// What an ODM export wrote.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ExportSummary {
    pub written: String,
    /// `Transactional` (every change, the default) or `Snapshot` (current values).
    pub file_type: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub subjects: u64,
    /// Form instances (`FormData` holding data).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub forms: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub item_data: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub audit_records: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub signatures: u64,
    /// The definition versions written as `MetaDataVersion`s.
    pub metadata_versions: Vec<String>,
}

impl Ecrf {
    /// Authorises an export and returns the site it is limited to: an investigator sees only
    /// their own site's subjects, and exports at that site's node.
    pub(crate) fn export_scope(&mut self, s: &mut Session) -> Result<Option<String>> {
        self.authorize(s, Action::Reports)?;
        let role: Role = self
            .store
            .user(&s.username)?
            .ok_or(ServiceError::Unauthenticated)?
            .role
            .parse()
            .map_err(ServiceError::Internal)?;
        if role != Role::Investigator {
            return Ok(None);
        }
        match self.store.node()?.site {
            Some(site) => Ok(Some(site)),
            None => Err(ServiceError::Forbidden {
                role: role.to_string(),
                action:
                    "export every site's data (an investigator exports their own site, at its node)"
                        .into(),
            }),
        }
    }

    /// The subjects an export covers, in id order.
    pub(crate) fn export_subjects(&self, site: Option<&str>) -> Result<Vec<SubjectRow>> {
        Ok(self
            .store
            .subjects()?
            .into_iter()
            .filter(|r| site.is_none_or(|s| r.site == s))
            .collect())
    }
}

/// `<out>.partial`: where an export is written before it is renamed to `out`.
pub(crate) fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.as_os_str().to_os_string();
    name.push(".partial");
    PathBuf::from(name)
}

/// Refuses an existing output; an empty file name is bad input.
pub(crate) fn check_new_output(out: &Path) -> Result<()> {
    if out.as_os_str().is_empty() {
        return Err(ServiceError::InvalidInput("no output path given".into()));
    }
    if out.exists() {
        return Err(ServiceError::Exists(format!("{}", out.display())));
    }
    Ok(())
}

pub(crate) fn io_err(path: &Path, e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Io(format!("{}: {e}", path.display()))
}

/// Renames the finished `.partial` to its name, unless something appeared there meanwhile.
pub(crate) fn finish_partial(partial: &Path, out: &Path) -> Result<()> {
    if out.exists() {
        let _ = remove_any(partial);
        return Err(ServiceError::Exists(format!("{}", out.display())));
    }
    std::fs::rename(partial, out).map_err(|e| io_err(out, e))
}

pub(crate) fn remove_any(p: &Path) -> std::io::Result<()> {
    if p.is_dir() {
        std::fs::remove_dir_all(p)
    } else {
        std::fs::remove_file(p)
    }
}

/// A stored value as one line of text, as entered: ISO dates and times, numbers as stored,
/// `true`/`false`, special values as `NOT DONE: reason`, the missing-value code (`ND`, `UNK`,
/// `NA`, `NASK`) and `<LLOQ 0.5`. Null (no value) is the empty string.
pub fn display_value(v: &Json) -> String {
    match v {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        Json::Number(n) => n.to_string(),
        Json::Bool(b) => b.to_string(),
        Json::Object(m) => {
            if let Some(r) = m.get("not_done") {
                format!("NOT DONE: {}", r.as_str().unwrap_or_default())
            } else if let Some(c) = m.get("code").and_then(Json::as_str) {
                c.to_string()
            } else if let Some(l) = m.get("blq") {
                format!("<LLOQ {l}")
            } else {
                v.to_string()
            }
        }
        Json::Array(_) => v.to_string(),
    }
}

/// The ODM / dictionary name of an item type.
pub(crate) fn type_name(t: ItemType) -> &'static str {
    match t {
        ItemType::Text => "text",
        ItemType::Note => "note",
        ItemType::Integer => "integer",
        ItemType::Decimal => "decimal",
        ItemType::Boolean => "boolean",
        ItemType::Choice => "choice",
        ItemType::Date => "date",
        ItemType::Datetime => "datetime",
        ItemType::Time => "time",
    }
}

/// A number of a range as written in the definition (`0`, `37.5`).
pub(crate) fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_read_as_entered() {
        for (v, s) in [
            (json!(null), ""),
            (json!("2024-03"), "2024-03"),
            (json!(162.5), "162.5"),
            (json!(58), "58"),
            (json!(true), "true"),
            (json!({"not_done": "haemolysed"}), "NOT DONE: haemolysed"),
            (json!({"code": "UNK"}), "UNK"),
            (json!({"blq": 0.5}), "<LLOQ 0.5"),
        ] {
            assert_eq!(display_value(&v), s, "{v}");
        }
        assert_eq!(num(100.0), "100");
        assert_eq!(num(-0.5), "-0.5");
        assert_eq!(
            partial_path(Path::new("/tmp/a.xml")),
            PathBuf::from("/tmp/a.xml.partial")
        );
    }
}
