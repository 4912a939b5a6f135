//! Storage side of sync: receiving events from other nodes (into the log when what they depend
//! on is there, else into the waiting room), stream heads and acknowledgements for incremental
//! export, trusted node keys, the import history, signed documents and conflicts.

use crate::log::{bind_event, from_row, head, Incoming, INSERT_EVENT};
use crate::{project, Result, Store, StoreError, Tx};
use ecrf_core::canonical::{chain_link, sha256_hex, GENESIS};
use ecrf_core::event::{ChangeEvent, EventId};
use ecrf_core::hlc::Hlc;
use ecrf_core::sync::dependencies;
use rusqlite::{params, Connection, OptionalExtension, Statement};
use serde::Serialize;
use uuid::Uuid;

/// What became of one received event.
#[derive(Debug, Default)]
pub struct Received {
    /// Whether this event joined the log (else it waits).
    pub joined: bool,
    /// Events that waited for it (or for those) and joined the log after it, in order.
    pub released: Vec<ChangeEvent>,
    /// It waits for these (missing) events.
    pub waiting_for: Vec<EventId>,
}

/// A stream held by this node: its last sequence number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StreamInfo {
    pub node: Uuid,
    pub epoch: u32,
    pub stream: String,
    pub last: u64,
}

/// A node this node has accepted (or revoked).
#[derive(Debug, Clone, Serialize)]
pub struct NodeRow {
    pub node: String,
    pub fingerprint: String,
    pub public_key: String,
    pub role: String,
    pub site: Option<String>,
    pub status: String,
    pub accepted_at: String,
    pub accepted_by: String,
    pub revoked_at: Option<String>,
    pub reason: Option<String>,
}

/// A bundle imported.
#[derive(Debug, Clone, Serialize)]
pub struct ImportRow {
    pub id: i64,
    pub file: String,
    pub sha256: String,
    pub origin: String,
    pub origin_site: Option<String>,
    pub created_at: String,
    pub imported_at: String,
    pub imported_by: String,
    pub summary: serde_json::Value,
}

/// One competing version of an item in conflict.
#[derive(Debug, Clone, Serialize)]
pub struct ConflictVersion {
    pub event_id: String,
    pub value: serde_json::Value,
    pub username: String,
    pub captured_at: String,
    pub imported_at: Option<String>,
    pub resolution: bool,
    pub flagged: bool,
    pub shown: bool,
}

/// An item whose heads disagree.
#[derive(Debug, Clone, Serialize)]
pub struct ConflictRow {
    pub key: String,
    pub subject: String,
    pub form_key: String,
    pub versions: Vec<ConflictVersion>,
}

/// Events waiting for a missing predecessor or base, per stream.
#[derive(Debug, Clone, Serialize)]
pub struct PendingStream {
    pub node: String,
    pub epoch: u32,
    pub stream: String,
    pub waiting: u64,
    /// The first missing sequence number of the stream (what must arrive next).
    pub missing_from: u64,
    pub first_waiting: u64,
}

/// What one import knows of the log while it runs: every stream's head (a stream in the log is
/// contiguous, so an id is in the log exactly when its sequence is at most its stream's head)
/// and whether anything waits. It saves a query per event and per dependency.
///
/// Forms' `updated_rowid` are written in runs (see [`project::FormTouches`]): call
/// [`Tx::flush_received`] before reading forms or committing.
#[derive(Debug)]
pub struct ReceiveCache<'t> {
    heads: Heads,
    pending_possible: bool,
    touches: project::FormTouches,
    /// The two statements every event runs, prepared once for the import: the log's insert
    /// and a first current value's.
    insert_event: Statement<'t>,
    first_current: Statement<'t>,
}

/// Every stream's head met by an import: (last sequence number, chain). A bundle's events come
/// stream after stream, so the stream of the last lookup is tried first; the others (a few, one
/// or two per node) are searched in turn. No key is made or hashed for a lookup.
#[derive(Debug, Default)]
struct Heads {
    streams: Vec<(StreamKey, (u64, String))>,
    last: usize,
}

#[derive(Debug)]
struct StreamKey {
    node: Uuid,
    epoch: u32,
    stream: String,
}

impl StreamKey {
    fn is_of(&self, id: &EventId) -> bool {
        self.node == id.node && self.epoch == id.epoch && self.stream == id.stream
    }
}

impl Heads {
    /// The head of a stream as the log has it (no event yet: sequence 0 and the genesis link).
    fn load(
        conn: &Connection,
        node: Uuid,
        epoch: u32,
        stream: &str,
    ) -> Result<(StreamKey, (u64, String))> {
        let h = head(conn, &node, epoch, stream)?
            .map(|h| (h.seq, h.chain))
            .unwrap_or((0, GENESIS.to_string()));
        let key = StreamKey {
            node,
            epoch,
            stream: stream.to_string(),
        };
        Ok((key, h))
    }

    /// Where `id`'s stream is in the list, if it is: the stream of the last lookup first.
    fn position(&mut self, id: &EventId) -> Option<usize> {
        let at = match self.streams.get(self.last) {
            Some((k, _)) if k.is_of(id) => self.last,
            _ => self.streams.iter().position(|(k, _)| k.is_of(id))?,
        };
        self.last = at;
        Some(at)
    }

    /// The head of `id`'s stream, read from the log the first time.
    fn of(&mut self, conn: &Connection, id: &EventId) -> Result<&mut (u64, String)> {
        let at = match self.position(id) {
            Some(at) => at,
            None => {
                self.streams
                    .push(Self::load(conn, id.node, id.epoch, &id.stream)?);
                self.last = self.streams.len() - 1;
                self.last
            }
        };
        self.streams
            .get_mut(at)
            .map(|(_, h)| h)
            .ok_or_else(|| StoreError::Invalid("stream head cache".into()))
    }
}

/// Hash-chain links of received events, made on the thread that reads a bundle, from the
/// heads its streams had in the log when the import began ([`Tx::chain_ahead`]): each event that
/// follows the last one linked in its stream is linked after it. The writer takes a link only
/// when the log's link before the event is the one it was made after (an event that waited, or
/// one released from waiting, makes the two differ; the writer then links it itself).
#[derive(Debug, Default)]
pub struct ChainAhead(Heads);

impl ChainAhead {
    /// Links `inc` into its stream, if it follows the last event linked there (a stream the
    /// import did not name is left to the writer).
    pub fn link(&mut self, inc: &mut Incoming) {
        let id = &inc.event.id;
        let Some((_, (seq, chain))) = self
            .0
            .position(id)
            .and_then(|at| self.0.streams.get_mut(at))
        else {
            return;
        };
        if *seq + 1 != id.seq {
            return;
        }
        let link = chain_link(chain, &inc.event.hash);
        inc.linked = Some((std::mem::replace(chain, link.clone()), link));
        *seq = id.seq;
    }
}

impl ReceiveCache<'_> {
    fn in_log(&mut self, conn: &Connection, id: &EventId) -> Result<bool> {
        Ok(id.seq <= self.heads.of(conn, id)?.0)
    }
}

impl Tx<'_> {
    /// A cache for one import (see [`ReceiveCache`]).
    pub fn receive_cache(&self) -> Result<ReceiveCache<'_>> {
        let waiting: i64 = self
            .tx
            .query_row("SELECT count(*) FROM pending_events", [], |r| r.get(0))?;
        Ok(ReceiveCache {
            heads: Heads::default(),
            pending_possible: waiting > 0,
            touches: project::FormTouches::default(),
            insert_event: self.tx.prepare(INSERT_EVENT)?,
            first_current: self.tx.prepare(project::INSERT_FIRST_CURRENT)?,
        })
    }

    /// A [`ChainAhead`] for these streams (node, epoch, stream), from their heads in the log.
    pub fn chain_ahead<'s>(
        &self,
        streams: impl IntoIterator<Item = (Uuid, u32, &'s str)>,
    ) -> Result<ChainAhead> {
        let streams = streams
            .into_iter()
            .map(|(node, epoch, stream)| Heads::load(&self.tx, node, epoch, stream))
            .collect::<Result<_>>()?;
        Ok(ChainAhead(Heads { streams, last: 0 }))
    }

    /// Writes what the cache holds back (see [`ReceiveCache`]).
    pub fn flush_received(&self, c: &mut ReceiveCache) -> Result<()> {
        c.touches.flush(&self.tx)
    }

    /// [`Tx::held_hash`], asking the database only for ids it may hold.
    pub fn held_hash_cached(&self, c: &mut ReceiveCache, id: &EventId) -> Result<Option<String>> {
        if c.in_log(&self.tx, id)? || c.pending_possible {
            self.held_hash(id)
        } else {
            Ok(None)
        }
    }

    /// The hash this node holds under an event id, in the log or waiting.
    pub fn held_hash(&self, id: &EventId) -> Result<Option<String>> {
        let h: Option<String> = self
            .tx
            .prepare_cached(
                "SELECT hash FROM events WHERE node = ?1 AND epoch = ?2 AND stream = ?3 AND seq = ?4",
            )?
            .query_row(
                params![id.node.to_string(), id.epoch, id.stream, id.seq as i64],
                |r| r.get(0),
            )
            .optional()?;
        if h.is_some() {
            return Ok(h);
        }
        Ok(self
            .tx
            .prepare_cached("SELECT hash FROM pending_events WHERE event_id = ?1")?
            .query_row([id.to_string()], |r| r.get(0))
            .optional()?)
    }

    /// Stores an event received from another node (new to this node). It joins the log and
    /// the projections when its predecessor in its stream and the values it was written on
    /// are in the log; otherwise it waits, and joins when they arrive.
    pub fn receive(
        &self,
        c: &mut ReceiveCache,
        inc: &Incoming,
        imported_at: &str,
        flagged: bool,
    ) -> Result<Received> {
        let ev = &inc.event;
        let mut missing = Vec::new();
        for d in dependencies(ev) {
            if !c.in_log(&self.tx, &d)? {
                missing.push(d);
            }
        }
        let mut out = Received::default();
        if !missing.is_empty() {
            self.tx
                .prepare_cached(
                    "INSERT INTO pending_events (event_id, node, epoch, stream, seq, hash, event, imported_at, flagged) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )?
                .execute(params![
                    ev.id.to_string(),
                    ev.id.node.to_string(),
                    ev.id.epoch,
                    ev.id.stream,
                    ev.id.seq as i64,
                    ev.hash,
                    serde_json::to_string(ev)?,
                    imported_at,
                    flagged
                ])?;
            let mut stmt = self.tx.prepare_cached(
                "INSERT OR IGNORE INTO pending_deps (event_id, dep) VALUES (?1, ?2)",
            )?;
            for d in &missing {
                stmt.execute(params![ev.id.to_string(), d.to_string()])?;
            }
            out.waiting_for = missing;
            c.pending_possible = true;
            return Ok(out);
        }
        self.join_log(c, inc, imported_at, flagged)?;
        out.joined = true;
        if !c.pending_possible {
            return Ok(out);
        }
        // Release what waited for it, and what waited for those.
        let mut i = 0;
        loop {
            let id = match i {
                0 => ev.id.to_string(),
                _ => match out.released.get(i - 1) {
                    Some(r) => r.id.to_string(),
                    None => break,
                },
            };
            i += 1;
            let waiting: Vec<String> = {
                let mut stmt = self
                    .tx
                    .prepare_cached("SELECT event_id FROM pending_deps WHERE dep = ?1")?;
                let rows = stmt.query_map([&id], |r| r.get(0))?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            for w in waiting {
                self.tx.execute(
                    "DELETE FROM pending_deps WHERE event_id = ?1 AND dep = ?2",
                    params![w, id],
                )?;
                let left: i64 = self.tx.query_row(
                    "SELECT count(*) FROM pending_deps WHERE event_id = ?1",
                    [&w],
                    |r| r.get(0),
                )?;
                if left > 0 {
                    continue;
                }
                let (json, at, flagged): (String, String, bool) = self.tx.query_row(
                    "SELECT event, imported_at, flagged FROM pending_events WHERE event_id = ?1",
                    [&w],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )?;
                self.tx
                    .execute("DELETE FROM pending_events WHERE event_id = ?1", [&w])?;
                let released = Incoming::new(serde_json::from_str(&json)?)?;
                self.join_log(c, &released, &at, flagged)?;
                out.released.push(released.event);
            }
        }
        Ok(out)
    }

    fn join_log(
        &self,
        c: &mut ReceiveCache,
        inc: &Incoming,
        imported_at: &str,
        flagged: bool,
    ) -> Result<i64> {
        let ev = &inc.event;
        let head = c.heads.of(&self.tx, &ev.id)?;
        if head.0 + 1 != ev.id.seq {
            return Err(StoreError::Invalid(format!(
                "event {} does not follow its stream",
                ev.id
            )));
        }
        let chain = match inc.chain_after(&head.1) {
            Some(link) => link.to_string(),
            None => chain_link(&head.1, &ev.hash),
        };
        bind_event(
            &mut c.insert_event,
            ev,
            inc.ids(),
            inc.payload(),
            &chain,
            Some(imported_at),
        )?;
        let rowid = self.tx.last_insert_rowid();
        *head = (ev.id.seq, chain);
        if flagged {
            self.tx.execute(
                "INSERT INTO future_events (event_rowid, imported_at) VALUES (?1, ?2)",
                params![rowid, imported_at],
            )?;
        }
        project::apply_with(
            &self.tx,
            ev,
            rowid,
            Some(&mut c.touches),
            inc.value_row(),
            Some(&mut c.first_current),
        )?;
        Ok(rowid)
    }

    /// Moves this node's clock past what it received (never behind anything it has seen).
    pub fn observe_clock(&mut self, remote: Hlc, now_ms: u64) -> Result<()> {
        let local: i64 = self
            .tx
            .query_row("SELECT hlc FROM node WHERE id = 1", [], |r| r.get(0))?;
        let next = Hlc(local as u64).observe(remote, now_ms);
        self.tx
            .execute("UPDATE node SET hlc = ?1 WHERE id = 1", [next.0 as i64])?;
        Ok(())
    }

    pub fn set_central_key(&mut self, fingerprint: &str) -> Result<()> {
        self.tx.execute(
            "UPDATE node SET central_key = ?1 WHERE id = 1",
            [fingerprint],
        )?;
        Ok(())
    }

    pub fn record_import(&mut self, r: &ImportRow) -> Result<i64> {
        self.tx.execute(
            "INSERT INTO imports (file, sha256, origin, origin_site, created_at, imported_at, imported_by, summary) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                r.file,
                r.sha256,
                r.origin,
                r.origin_site,
                r.created_at,
                r.imported_at,
                r.imported_by,
                serde_json::to_string(&r.summary)?
            ],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Keeps a signed PDF (made here or received). The same bytes twice are one document.
    pub fn put_document(
        &mut self,
        signature: &Uuid,
        subject: Option<&str>,
        origin: &Uuid,
        bytes: &[u8],
        created_at: &str,
        imported_at: Option<&str>,
    ) -> Result<bool> {
        let sha = sha256_hex(bytes);
        let n = self.tx.execute(
            "INSERT OR IGNORE INTO documents (sha256, signature, subject, origin, bytes, created_at, imported_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![sha, signature.to_string(), subject, origin.to_string(), bytes, created_at, imported_at],
        )?;
        Ok(n > 0)
    }

    pub fn node_trust(&self, node: &Uuid) -> Result<Option<NodeRow>> {
        node_trust(&self.tx, node)
    }

    pub fn streams(&self) -> Result<Vec<StreamInfo>> {
        streams(&self.tx)
    }

    pub fn has_signature(&self, signature: &Uuid) -> Result<bool> {
        Ok(self.tx.query_row(
            "SELECT count(*) FROM signatures WHERE signature = ?1",
            [signature.to_string()],
            |r| r.get::<_, i64>(0),
        )? > 0)
    }

    /// Whether the event is in the log or waiting.
    pub fn holds_signature_event(&self, signature: &Uuid) -> Result<bool> {
        if self.has_signature(signature)? {
            return Ok(true);
        }
        let pattern = format!("%\"signature\":\"{signature}\"%");
        Ok(self.tx.query_row(
            "SELECT count(*) FROM pending_events WHERE event LIKE ?1",
            [pattern],
            |r| r.get::<_, i64>(0),
        )? > 0)
    }
}

fn node_trust(conn: &Connection, node: &Uuid) -> Result<Option<NodeRow>> {
    Ok(conn
        .query_row(
            "SELECT node, fingerprint, public_key, role, site, status, accepted_at, accepted_by, revoked_at, reason FROM nodes WHERE node = ?1",
            [node.to_string()],
            node_row,
        )
        .optional()?)
}

fn node_row(r: &rusqlite::Row) -> rusqlite::Result<NodeRow> {
    Ok(NodeRow {
        node: r.get(0)?,
        fingerprint: r.get(1)?,
        public_key: r.get(2)?,
        role: r.get(3)?,
        site: r.get(4)?,
        status: r.get(5)?,
        accepted_at: r.get(6)?,
        accepted_by: r.get(7)?,
        revoked_at: r.get(8)?,
        reason: r.get(9)?,
    })
}

/// Every stream and its head, by skipping along the log's unique index (node, epoch, stream,
/// seq): a few index lookups per stream, whatever the size of the log.
fn streams(conn: &Connection) -> Result<Vec<StreamInfo>> {
    let mut first = conn.prepare_cached(
        "SELECT node, epoch, stream FROM events ORDER BY node, epoch, stream LIMIT 1",
    )?;
    // The next stream starts after the last event of this one. (A bound on the first three
    // columns alone made SQLite step over every event of the stream: 0.3 s on a million.)
    let mut next = conn.prepare_cached(
        "SELECT node, epoch, stream FROM events WHERE (node, epoch, stream, seq) > (?1, ?2, ?3, ?4) \
         ORDER BY node, epoch, stream, seq LIMIT 1",
    )?;
    let mut last = conn.prepare_cached(
        "SELECT max(seq) FROM events WHERE node = ?1 AND epoch = ?2 AND stream = ?3",
    )?;
    let row = |r: &rusqlite::Row| -> rusqlite::Result<(String, u32, String)> {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    };
    let mut cur = first.query_row([], row).optional()?;
    let mut out = Vec::new();
    while let Some((node, epoch, stream)) = cur {
        let seq: i64 = last.query_row(params![node, epoch, stream], |r| r.get(0))?;
        out.push(StreamInfo {
            node: Uuid::parse_str(&node)
                .map_err(|_| StoreError::Invalid(format!("stored node id {node}")))?,
            epoch,
            stream: stream.clone(),
            last: seq as u64,
        });
        cur = next
            .query_row(params![node, epoch, stream, seq], row)
            .optional()?;
    }
    Ok(out)
}

impl Store {
    pub fn node_trust(&self, node: &Uuid) -> Result<Option<NodeRow>> {
        node_trust(&self.conn, node)
    }

    pub fn nodes(&self) -> Result<Vec<NodeRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT node, fingerprint, public_key, role, site, status, accepted_at, accepted_by, revoked_at, reason FROM nodes ORDER BY site, accepted_at",
        )?;
        let rows = stmt.query_map([], node_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn central_key(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT central_key FROM node WHERE id = 1", [], |r| {
                r.get(0)
            })?)
    }

    /// Every stream this node holds, with its last sequence number.
    pub fn streams(&self) -> Result<Vec<StreamInfo>> {
        streams(&self.conn)
    }

    /// What `writer` has acknowledged of a stream (0: nothing).
    pub fn acked(&self, writer: &Uuid, node: &Uuid, epoch: u32, stream: &str) -> Result<u64> {
        Ok(self
            .conn
            .query_row(
                "SELECT up_to FROM acks WHERE writer = ?1 AND node = ?2 AND epoch = ?3 AND stream = ?4",
                params![writer.to_string(), node.to_string(), epoch, stream],
                |r| r.get::<_, i64>(0),
            )
            .optional()?
            .unwrap_or(0) as u64)
    }

    /// Visits the events of one stream with a sequence number above `after`, in order.
    pub fn for_each_in_stream(
        &self,
        node: &Uuid,
        epoch: u32,
        stream: &str,
        after: u64,
        mut f: impl FnMut(ChangeEvent) -> Result<()>,
    ) -> Result<()> {
        let mut stmt = self.conn.prepare(
            "SELECT rowid, node, epoch, stream, seq, hlc, user_id, username, captured_at, imported_at, payload, hash, chain \
             FROM events WHERE node = ?1 AND epoch = ?2 AND stream = ?3 AND seq > ?4 ORDER BY seq",
        )?;
        let mut rows = stmt.query(params![node.to_string(), epoch, stream, after as i64])?;
        while let Some(r) = rows.next()? {
            f(from_row(r)?.event)?;
        }
        Ok(())
    }

    /// The signed PDFs that belong to a signature.
    pub fn documents_of(&self, signature: &Uuid) -> Result<Vec<Vec<u8>>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT bytes FROM documents WHERE signature = ?1 ORDER BY created_at",
        )?;
        let rows = stmt.query_map([signature.to_string()], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn document_count(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM documents", [], |r| r.get(0))?)
    }

    pub fn imports(&self) -> Result<Vec<ImportRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, file, sha256, origin, origin_site, created_at, imported_at, imported_by, summary FROM imports ORDER BY id DESC",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let summary: String = r.get(8)?;
            out.push(ImportRow {
                id: r.get(0)?,
                file: r.get(1)?,
                sha256: r.get(2)?,
                origin: r.get(3)?,
                origin_site: r.get(4)?,
                created_at: r.get(5)?,
                imported_at: r.get(6)?,
                imported_by: r.get(7)?,
                summary: serde_json::from_str(&summary)?,
            });
        }
        Ok(out)
    }

    /// Events waiting for something missing, per stream.
    pub fn pending(&self) -> Result<Vec<PendingStream>> {
        let mut stmt = self.conn.prepare(
            "SELECT node, epoch, stream, count(*), min(seq) FROM pending_events GROUP BY node, epoch, stream ORDER BY node, epoch, stream",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let node: String = r.get(0)?;
            let epoch: u32 = r.get(1)?;
            let stream: String = r.get(2)?;
            let last: i64 = self.conn.query_row(
                "SELECT coalesce(max(seq), 0) FROM events WHERE node = ?1 AND epoch = ?2 AND stream = ?3",
                params![node, epoch, stream],
                |r| r.get(0),
            )?;
            out.push(PendingStream {
                node,
                epoch,
                stream,
                waiting: r.get::<_, i64>(3)? as u64,
                missing_from: last as u64 + 1,
                first_waiting: r.get::<_, i64>(4)? as u64,
            });
        }
        Ok(out)
    }

    pub fn pending_count(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM pending_events", [], |r| {
                r.get::<_, i64>(0)
            })? as u64)
    }

    /// Items in conflict, with every competing version.
    pub fn conflicts(&self, subject: Option<&str>) -> Result<Vec<ConflictRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT key, subject, form_key, heads, shown FROM conflicts WHERE ?1 IS NULL OR subject = ?1 ORDER BY key",
        )?;
        let mut rows = stmt.query([subject])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let heads: String = r.get(3)?;
            let shown: String = r.get(4)?;
            let heads: Vec<String> = serde_json::from_str(&heads)?;
            let mut versions = Vec::new();
            for h in heads {
                let id: EventId = h
                    .parse()
                    .map_err(|_| StoreError::Invalid(format!("stored event id {h}")))?;
                let (rowid, username, captured_at, imported_at) = self
                    .conn
                    .query_row(
                        "SELECT rowid, username, captured_at, imported_at FROM events \
                         WHERE node = ?1 AND epoch = ?2 AND stream = ?3 AND seq = ?4",
                        params![id.node.to_string(), id.epoch, id.stream, id.seq as i64],
                        |r| {
                            Ok((
                                r.get::<_, i64>(0)?,
                                r.get::<_, String>(1)?,
                                r.get::<_, String>(2)?,
                                r.get::<_, Option<String>>(3)?,
                            ))
                        },
                    )
                    .optional()?
                    .ok_or_else(|| {
                        StoreError::Invalid(format!(
                            "a head of an item in conflict is not in the log: {h}"
                        ))
                    })?;
                let version = project::version_at(&self.conn, rowid)?;
                versions.push(ConflictVersion {
                    shown: h == shown,
                    event_id: h,
                    value: version.value,
                    username,
                    captured_at,
                    imported_at,
                    resolution: version.resolution,
                    flagged: version.flagged,
                });
            }
            out.push(ConflictRow {
                key: r.get(0)?,
                subject: r.get(1)?,
                form_key: r.get(2)?,
                versions,
            });
        }
        Ok(out)
    }

    /// A digest of the clinical state (subjects, values and which event shows them,
    /// conflicts, form statuses, overrides, queries, signatures, definitions), without row ids or
    /// import times: nodes that applied the same events have the same digest. `site` limits
    /// it to one site's subjects.
    pub fn state_digest(&self, site: Option<&str>) -> Result<String> {
        let like = site.map(|s| format!("{s}-%"));
        let mut lines: Vec<String> = Vec::new();
        let mut dump = |sql: &str, cols: usize, filtered: bool| -> Result<()> {
            let mut stmt = self.conn.prepare(sql)?;
            let mut rows = if filtered {
                stmt.query([like.as_deref()])?
            } else {
                stmt.query([])?
            };
            while let Some(r) = rows.next()? {
                let mut parts = Vec::with_capacity(cols);
                for i in 0..cols {
                    let v: rusqlite::types::Value = r.get(i)?;
                    parts.push(format!("{v:?}"));
                }
                lines.push(parts.join("|"));
            }
            lines.push("--".into());
            Ok(())
        };
        dump("SELECT subject, site, enrolled_at, definition FROM subjects WHERE ?1 IS NULL OR subject LIKE ?1 ORDER BY subject", 4, true)?;
        dump("SELECT v.key, v.value, e.node || ':' || e.epoch || ':' || e.stream || ':' || e.seq FROM item_values v JOIN events e ON e.rowid = v.event_rowid WHERE ?1 IS NULL OR v.subject LIKE ?1 ORDER BY v.key", 3, true)?;
        dump("SELECT key, heads, shown FROM conflicts WHERE ?1 IS NULL OR subject LIKE ?1 ORDER BY key", 3, true)?;
        // Derived values are left out: they are a cache of a function of the values (and of
        // the day), refreshed on save and on import.
        dump("SELECT form_key, status, definition FROM forms WHERE ?1 IS NULL OR subject LIKE ?1 ORDER BY form_key", 3, true)?;
        dump("SELECT form_key, derivation, value, derived, reason FROM overrides WHERE ?1 IS NULL OR subject LIKE ?1 ORDER BY form_key, derivation", 5, true)?;
        dump("SELECT query, form_key, item_key, status, text FROM queries WHERE ?1 IS NULL OR subject LIKE ?1 ORDER BY query", 5, true)?;
        dump("SELECT signature, scope, content_hash, forms FROM signatures WHERE ?1 IS NULL OR subject LIKE ?1 ORDER BY signature", 4, true)?;
        dump("SELECT target_key, verified, hlc, node FROM sdv WHERE ?1 IS NULL OR subject LIKE ?1 ORDER BY target_key", 4, true)?;
        dump("SELECT scope_key, locked, hlc, node, reason FROM locks WHERE ?1 IS NULL OR subject LIKE ?1 OR subject IS NULL ORDER BY scope_key", 5, true)?;
        dump(
            "SELECT version, sha256 FROM definitions ORDER BY version",
            2,
            false,
        )?;
        Ok(sha256_hex(lines.join("\n").as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::{ChainAhead, Heads, StreamKey};
    use crate::Incoming;
    use ecrf_core::canonical::{chain_link, GENESIS};
    use ecrf_core::event::{Actor, ChangeEvent, EventId, Payload};
    use ecrf_core::hlc::Hlc;
    use ecrf_core::ids::SubjectId;
    use uuid::Uuid;

    fn incoming(node: Uuid, stream: &str, seq: u64, hash: &str) -> Incoming {
        let event = ChangeEvent {
            id: EventId {
                node,
                epoch: 1,
                stream: stream.into(),
                seq,
            },
            hlc: Hlc(seq),
            actor: Actor {
                user_id: Uuid::nil(),
                username: "nurse".into(),
            },
            captured_at: "2026-12-07T00:00:00.000Z".into(),
            payload: Payload::SubjectEnrolled {
                subject: SubjectId::parse("S01-001").expect("subject"),
                site: "S01".into(),
                definition_version: "1.0".into(),
            },
            hash: hash.into(),
        };
        Incoming::new(event).expect("incoming")
    }

    /// Which events of a bundle get a link made ahead, and after which link: from the head the
    /// stream had, one after another; not after a gap, not in a stream not named.
    #[test]
    fn links_made_ahead() {
        let node = Uuid::from_u128(7);
        let other = Uuid::from_u128(8);
        let head = chain_link(GENESIS, "h2");
        let mut ahead = ChainAhead(Heads {
            streams: vec![(
                StreamKey {
                    node,
                    epoch: 1,
                    stream: "S01".into(),
                },
                (2, head.clone()),
            )],
            last: 0,
        });
        let l3 = chain_link(&head, "h3");
        let l4 = chain_link(&l3, "h4");
        // (node, stream, seq, hash, the link expected before it and its link if made ahead)
        type Case<'a> = (Uuid, &'a str, u64, &'a str, Option<(&'a str, &'a str)>);
        let cases: [Case; 6] = [
            (node, "S01", 2, "h2", None), // already in the log
            (node, "S01", 3, "h3", Some((&head, &l3))),
            (node, "S01", 4, "h4", Some((&l3, &l4))),
            (node, "S01", 6, "h6", None), // a gap: it will wait
            (node, "ALL", 1, "x", None),  // a stream not named
            (other, "S01", 1, "y", None),
        ];
        for (n, stream, seq, hash, want) in cases {
            let mut inc = incoming(n, stream, seq, hash);
            ahead.link(&mut inc);
            let got = inc.linked.as_ref().map(|(b, l)| (b.as_str(), l.as_str()));
            assert_eq!(got, want, "{stream} {seq}");
            if let Some((before, link)) = want {
                assert_eq!(inc.chain_after(before), Some(link));
                assert_eq!(inc.chain_after(GENESIS), None, "only after its own link");
            }
        }
    }
}
