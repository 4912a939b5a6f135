//! SQLite storage of one node (a site or the central node): schema and migrations, the
//! append-only change log with its per-stream hash chains, and the projections of current
//! state kept in the same transaction as the events they come from.
//!
//! The store knows SQL and the event vocabulary; it does not know who may do what (services),
//! how values are validated or derived (core), or anything about windows and screens.

mod bulk;
mod error;
mod log;
mod migrate;
mod node;
mod project;
mod store;
mod sync;
mod users;
mod verify;

pub use bulk::{FormInstance, LookupTable, SubjectForms, Wanted};
pub use error::StoreError;
pub use log::{EventFilter, Incoming, StoredEvent, StreamHead};
pub use migrate::{MIGRATIONS, SCHEMA_VERSION};
pub use node::NodeInfo;
pub use project::{
    DefinitionRow, DraftRow, FormState, LockRow, OverrideRow, QueryListRow, QueryMessageRow,
    QueryRow, SdvState, SignatureRow, SigningKeyRow, SubjectRow,
};
pub use store::{backup_path, Store, Tx, DEFAULT_PAGE_CACHE_KIB};
pub use sync::{
    ChainAhead, ConflictRow, ConflictVersion, ImportRow, NodeRow, PendingStream, ReceiveCache,
    Received, StreamInfo,
};
pub use users::{SecurityEntry, UserRow};
pub use verify::{Broken, VerifyReport};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
