//! The change log: appending local events (sequence, clock, hash, chain) and reading events.

use crate::node::read_node;
use crate::project::{self, ValueRow};
use crate::{Result, Store, Tx};
use ecrf_core::canonical::{chain_link, GENESIS};
use ecrf_core::event::{Actor, ChangeEvent, EventContent, EventId, Payload, STREAM_ALL};
use ecrf_core::hlc::Hlc;
use ecrf_core::roles::NodeRole;
use rusqlite::{params, Connection, OptionalExtension, Row, Statement};
use serde::Serialize;
use uuid::Uuid;

/// The last event of a stream.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StreamHead {
    pub node: Uuid,
    pub epoch: u32,
    pub stream: String,
    pub seq: u64,
    pub chain: String,
}

/// Which events to read.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub subject: Option<String>,
    pub after_rowid: Option<i64>,
    pub limit: Option<u32>,
}

/// A stored event with where and when it was stored.
#[derive(Debug, Clone, Serialize)]
pub struct StoredEvent {
    pub rowid: i64,
    #[serde(flatten)]
    pub event: ChangeEvent,
    pub chain: String,
    pub imported_at: Option<String>,
}

impl Tx<'_> {
    /// Appends events written on this node, in order, and applies them to the projections.
    /// Each gets the next sequence number of its stream, a clock tick, its hash and chain link.
    pub fn append_local(
        &mut self,
        actor: &Actor,
        captured_at: &str,
        now_ms: u64,
        payloads: Vec<Payload>,
    ) -> Result<Vec<ChangeEvent>> {
        let node = read_node(&self.tx)?;
        let mut hlc: Hlc = Hlc(self
            .tx
            .query_row("SELECT hlc FROM node WHERE id = 1", [], |r| {
                r.get::<_, i64>(0)
            })? as u64);
        let mut out = Vec::with_capacity(payloads.len());
        for payload in payloads {
            let stream = match node.role {
                NodeRole::Site => node.site.clone().unwrap_or_else(|| STREAM_ALL.to_string()),
                NodeRole::Central => payload
                    .site_stream()
                    .unwrap_or_else(|| STREAM_ALL.to_string()),
            };
            let head = head(&self.tx, &node.node_id, node.epoch, &stream)?;
            let (seq, prev) = match head {
                Some(h) => (h.seq + 1, h.chain),
                None => (1, GENESIS.to_string()),
            };
            hlc = hlc.tick(now_ms);
            let ev = EventContent {
                id: EventId {
                    node: node.node_id,
                    epoch: node.epoch,
                    stream,
                    seq,
                },
                hlc,
                actor: actor.clone(),
                captured_at: captured_at.to_string(),
                payload,
            }
            .seal()?;
            let chain = chain_link(&prev, &ev.hash);
            let rowid = insert_event(&self.tx, &ev, &chain, None)?;
            project::apply(&self.tx, &ev, rowid, None)?;
            out.push(ev);
        }
        self.tx
            .execute("UPDATE node SET hlc = ?1 WHERE id = 1", [hlc.0 as i64])?;
        Ok(out)
    }

    pub fn events(&self, f: &EventFilter) -> Result<Vec<StoredEvent>> {
        read_events(&self.tx, f)
    }
}

impl Store {
    pub fn events(&self, f: &EventFilter) -> Result<Vec<StoredEvent>> {
        read_events(&self.conn, f)
    }

    /// Visits every event in log order without holding them all in memory.
    pub fn for_each_event(&self, mut f: impl FnMut(StoredEvent) -> Result<()>) -> Result<()> {
        let mut stmt = self.conn.prepare(&format!("{SELECT} ORDER BY rowid"))?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            f(from_row(r)?)?;
        }
        Ok(())
    }

    pub fn event_count(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM events", [], |r| r.get(0))?)
    }
}

pub(crate) fn head(
    conn: &Connection,
    node: &Uuid,
    epoch: u32,
    stream: &str,
) -> Result<Option<StreamHead>> {
    Ok(conn
        .query_row(
            "SELECT seq, chain FROM events WHERE node = ?1 AND epoch = ?2 AND stream = ?3 ORDER BY seq DESC LIMIT 1",
            params![node.to_string(), epoch, stream],
            |r| {
                Ok(StreamHead {
                    node: *node,
                    epoch,
                    stream: stream.to_string(),
                    seq: r.get::<_, i64>(0)? as u64,
                    chain: r.get(1)?,
                })
            },
        )
        .optional()?)
}

/// An event received from another node with its payload already serialised for the log, and
/// the keys and value text of the current value it sets. It is made on whatever thread reads the
/// bundle, so that the one writing the database only binds and inserts.
///
/// It may also carry its hash-chain link, made ahead by a [`crate::ChainAhead`] from the link
/// it expected before it: the writer takes it only when the log's link before it is that one.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub event: ChangeEvent,
    payload: String,
    value: Option<ValueRow>,
    /// The event's node and author as the log stores them (hyphenated UUIDs).
    node: String,
    user: String,
    /// (the link expected before it, its link).
    pub(crate) linked: Option<(String, String)>,
}

impl Incoming {
    pub fn new(event: ChangeEvent) -> Result<Incoming> {
        let payload = serde_json::to_string(&event.payload)?;
        let value = ValueRow::of(&event)?;
        Ok(Incoming {
            node: event.id.node.to_string(),
            user: event.actor.user_id.to_string(),
            event,
            payload,
            value,
            linked: None,
        })
    }

    /// Its link in its stream's hash chain, if it was made ahead after `prev`.
    pub(crate) fn chain_after(&self, prev: &str) -> Option<&str> {
        match &self.linked {
            Some((before, link)) if before == prev => Some(link),
            _ => None,
        }
    }

    pub(crate) fn payload(&self) -> &str {
        &self.payload
    }

    pub(crate) fn value_row(&self) -> Option<&ValueRow> {
        self.value.as_ref()
    }

    /// The event's node and author as the log stores them.
    pub(crate) fn ids(&self) -> (&str, &str) {
        (&self.node, &self.user)
    }
}

pub(crate) fn insert_event(
    conn: &Connection,
    ev: &ChangeEvent,
    chain: &str,
    imported_at: Option<&str>,
) -> Result<i64> {
    insert_encoded(
        conn,
        ev,
        &serde_json::to_string(&ev.payload)?,
        chain,
        imported_at,
    )
}

/// [`insert_event`] with the payload's JSON given.
pub(crate) fn insert_encoded(
    conn: &Connection,
    ev: &ChangeEvent,
    payload: &str,
    chain: &str,
    imported_at: Option<&str>,
) -> Result<i64> {
    let mut stmt = conn.prepare_cached(INSERT_EVENT)?;
    let ids = (ev.id.node.to_string(), ev.actor.user_id.to_string());
    bind_event(&mut stmt, ev, (&ids.0, &ids.1), payload, chain, imported_at)?;
    Ok(conn.last_insert_rowid())
}

/// The insert of an event into the log.
pub(crate) const INSERT_EVENT: &str = "INSERT INTO events (node, epoch, stream, seq, hlc, kind, subject, user_id, username, captured_at, imported_at, payload, hash, chain) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";

/// Runs [`INSERT_EVENT`] (prepared by the caller) for one event, with its (node, author) as
/// text; its rowid is then the connection's `last_insert_rowid`.
pub(crate) fn bind_event(
    stmt: &mut Statement<'_>,
    ev: &ChangeEvent,
    (node, user): (&str, &str),
    payload: &str,
    chain: &str,
    imported_at: Option<&str>,
) -> Result<()> {
    stmt.execute(params![
        node,
        ev.id.epoch,
        ev.id.stream,
        ev.id.seq as i64,
        ev.hlc.0 as i64,
        ev.payload.kind(),
        ev.payload.subject().map(|s| s.as_str()),
        user,
        ev.actor.username,
        ev.captured_at,
        imported_at,
        payload,
        ev.hash,
        chain,
    ])?;
    Ok(())
}

const SELECT: &str = "SELECT rowid, node, epoch, stream, seq, hlc, user_id, username, captured_at, imported_at, payload, hash, chain FROM events";

fn read_events(conn: &Connection, f: &EventFilter) -> Result<Vec<StoredEvent>> {
    let mut sql = format!("{SELECT} WHERE rowid > ?1");
    if f.subject.is_some() {
        sql.push_str(" AND subject = ?2");
    }
    sql.push_str(" ORDER BY rowid");
    if let Some(l) = f.limit {
        sql.push_str(&format!(" LIMIT {l}"));
    }
    let mut stmt = conn.prepare(&sql)?;
    let after = f.after_rowid.unwrap_or(0);
    let mut rows = match &f.subject {
        Some(s) => stmt.query(params![after, s])?,
        None => stmt.query(params![after])?,
    };
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(from_row(r)?);
    }
    Ok(out)
}

pub(crate) fn from_row(r: &Row) -> Result<StoredEvent> {
    let node: String = r.get(1)?;
    let payload: String = r.get(10)?;
    let user_id: String = r.get(6)?;
    let bad = |what: &str| crate::StoreError::Invalid(format!("stored event has a bad {what}"));
    Ok(StoredEvent {
        rowid: r.get(0)?,
        event: ChangeEvent {
            id: EventId {
                node: Uuid::parse_str(&node).map_err(|_| bad("node id"))?,
                epoch: r.get(2)?,
                stream: r.get(3)?,
                seq: r.get::<_, i64>(4)? as u64,
            },
            hlc: Hlc(r.get::<_, i64>(5)? as u64),
            actor: Actor {
                user_id: Uuid::parse_str(&user_id).map_err(|_| bad("user id"))?,
                username: r.get(7)?,
            },
            captured_at: r.get(8)?,
            payload: serde_json::from_str(&payload)?,
            hash: r.get(11)?,
        },
        chain: r.get(12)?,
        imported_at: r.get(9)?,
    })
}
