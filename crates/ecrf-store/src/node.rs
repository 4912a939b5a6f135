use crate::{Result, Store, StoreError, Tx};
use ecrf_core::roles::NodeRole;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use uuid::Uuid;

/// The identity of this node.
#[derive(Clone, Serialize)]
pub struct NodeInfo {
    pub node_id: Uuid,
    pub epoch: u32,
    pub role: NodeRole,
    pub site: Option<String>,
    pub study: String,
    /// Ed25519 public key, hex.
    pub public_key: String,
    pub created_at: String,
    #[serde(skip)]
    pub signing_key: Vec<u8>,
}

impl std::fmt::Debug for NodeInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeInfo")
            .field("node_id", &self.node_id)
            .field("epoch", &self.epoch)
            .field("role", &self.role)
            .field("site", &self.site)
            .finish_non_exhaustive()
    }
}

pub(crate) fn read_node(conn: &Connection) -> Result<NodeInfo> {
    let row = conn
        .query_row(
            "SELECT node_id, epoch, role, site, study, public_key, created_at, signing_key FROM node WHERE id = 1",
            [],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, u32>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, Vec<u8>>(7)?,
                ))
            },
        )
        .optional()?;
    let (id, epoch, role, site, study, public_key, created_at, signing_key) =
        row.ok_or(StoreError::NotInitialised)?;
    Ok(NodeInfo {
        node_id: Uuid::parse_str(&id).map_err(|e| StoreError::Invalid(format!("node id: {e}")))?,
        epoch,
        role: role.parse().map_err(StoreError::Invalid)?,
        site,
        study,
        public_key,
        created_at,
        signing_key,
    })
}

impl Store {
    pub fn node(&self) -> Result<NodeInfo> {
        read_node(&self.conn)
    }
    pub fn is_initialised(&self) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM node", [], |r| r.get::<_, i64>(0))?
            > 0)
    }
}

impl Tx<'_> {
    pub fn node(&self) -> Result<NodeInfo> {
        read_node(&self.tx)
    }

    pub fn init_node(&mut self, n: &NodeInfo) -> Result<()> {
        let exists: i64 = self
            .tx
            .query_row("SELECT count(*) FROM node", [], |r| r.get(0))?;
        if exists > 0 {
            return Err(StoreError::AlreadyInitialised);
        }
        self.tx.execute(
            "INSERT INTO node (id, node_id, epoch, role, site, study, signing_key, public_key, created_at) \
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                n.node_id.to_string(),
                n.epoch,
                n.role.as_str(),
                n.site,
                n.study,
                n.signing_key,
                n.public_key,
                n.created_at
            ],
        )?;
        Ok(())
    }

    /// Sets the epoch after a restore from backup; it must be greater than the current one.
    pub fn set_epoch(&mut self, epoch: u32) -> Result<()> {
        let n = self.tx.execute(
            "UPDATE node SET epoch = ?1 WHERE id = 1 AND epoch < ?1",
            [epoch],
        )?;
        if n == 0 {
            return Err(StoreError::Invalid(format!(
                "epoch {epoch} is not greater than the current epoch"
            )));
        }
        Ok(())
    }

    /// Starts a new epoch (after a restore from backup), so no event id is ever reused.
    pub fn new_epoch(&mut self) -> Result<u32> {
        self.tx
            .execute("UPDATE node SET epoch = epoch + 1 WHERE id = 1", [])?;
        Ok(self
            .tx
            .query_row("SELECT epoch FROM node WHERE id = 1", [], |r| r.get(0))?)
    }
}
