//! Roles, actions and the table "Who may do what" of the product specification.
//! The services check [`permits`] on every call; the UI only mirrors it.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Role {
    Nurse,
    Investigator,
    Monitor,
    DataManager,
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Nurse,
        Role::Investigator,
        Role::Monitor,
        Role::DataManager,
        Role::Admin,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Nurse => "nurse",
            Role::Investigator => "investigator",
            Role::Monitor => "monitor",
            Role::DataManager => "data-manager",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!("unknown role {s:?}: expected nurse, investigator, monitor, data-manager or admin")
            })
    }
}

/// Whether a database is a site's or the central data manager's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum NodeRole {
    Site,
    Central,
}

impl NodeRole {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeRole::Site => "site",
            NodeRole::Central => "central",
        }
    }
}

impl FromStr for NodeRole {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "site" => Ok(NodeRole::Site),
            "central" => Ok(NodeRole::Central),
            _ => Err(format!("unknown node role {s:?}: expected site or central")),
        }
    }
}

/// Everything a user can ask the services to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum Action {
    ViewData,
    Enrol,
    EnterData,
    AnswerQuery,
    Sign,
    OverrideDerived,
    OpenQuery,
    VerifySource,
    CloseQuery,
    ResolveConflict,
    Lock,
    ExportBundle,
    ImportBundle,
    ManageNodeKeys,
    Reports,
    ManageUsers,
    Backup,
    NodeSetup,
    Demo,
    VerifyAudit,
    /// Publish an amended study definition (central node).
    PublishDefinition,
}

impl Action {
    pub const ALL: [Action; 21] = [
        Action::ViewData,
        Action::Enrol,
        Action::EnterData,
        Action::AnswerQuery,
        Action::Sign,
        Action::OverrideDerived,
        Action::OpenQuery,
        Action::VerifySource,
        Action::CloseQuery,
        Action::ResolveConflict,
        Action::Lock,
        Action::ExportBundle,
        Action::ImportBundle,
        Action::ManageNodeKeys,
        Action::Reports,
        Action::ManageUsers,
        Action::Backup,
        Action::NodeSetup,
        Action::Demo,
        Action::VerifyAudit,
        Action::PublishDefinition,
    ];
}

/// The authorisation table. `node` matters where the table says so: nurses and investigators
/// import only at a site (return bundles from the central node).
pub fn permits(role: Role, action: Action, node: NodeRole) -> bool {
    use Action::*;
    use Role::*;
    match action {
        ViewData | VerifyAudit => true,
        Enrol | EnterData | AnswerQuery => matches!(role, Nurse | Investigator),
        Sign | OverrideDerived => role == Investigator,
        OpenQuery | VerifySource => matches!(role, Monitor | DataManager),
        CloseQuery | ResolveConflict | Lock => role == DataManager,
        ExportBundle => matches!(role, Nurse | Investigator | DataManager),
        ImportBundle => match role {
            Nurse | Investigator => node == NodeRole::Site,
            DataManager | Admin => true,
            Monitor => false,
        },
        ManageNodeKeys => matches!(role, DataManager | Admin),
        Reports => matches!(role, Investigator | Monitor | DataManager),
        ManageUsers | Backup | NodeSetup | Demo => role == Admin,
        PublishDefinition => role == DataManager && node == NodeRole::Central,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        }
        assert!("doctor".parse::<Role>().is_err());
    }
}
