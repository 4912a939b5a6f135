//! Projections of current state, updated by each event in the transaction that stores it.

use crate::{Result, Store, StoreError, Tx};
use ecrf_core::address::{FormRef, ItemRef};
use ecrf_core::event::{ChangeEvent, EventId, Payload};
use ecrf_core::hlc::Hlc;
use ecrf_core::ids::SubjectId;
use ecrf_core::merge::{resolve, Version};
use ecrf_core::validate::{FormValues, Slot};
use rusqlite::{params, Connection, OptionalExtension, Statement};
use serde::Serialize;
use serde_json::Value as Json;
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize)]
pub struct SubjectRow {
    pub subject: String,
    pub site: String,
    pub enrolled_at: String,
    pub definition: String,
}

/// An investigator's override of a derived value.
#[derive(Debug, Clone, Serialize)]
pub struct OverrideRow {
    pub derivation: String,
    pub value: Json,
    /// The derived value when the override was made.
    pub derived: Json,
    pub reason: String,
    pub username: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FormState {
    pub form: FormRef,
    pub status: String,
    pub definition: String,
    pub derived: Json,
}

/// Forms touched by the events of one transaction, so that a run of values of one form writes
/// the form's `updated_rowid` once (when the run is flushed) rather than once per value. What is
/// written is the same: the rowid of the form's last event.
#[derive(Debug, Default)]
pub struct FormTouches {
    /// Form key → (rowid written, last rowid seen).
    forms: HashMap<String, (i64, i64)>,
}

/// How many forms a [`FormTouches`] holds before it writes them (bounded memory on a
/// million-event import or rebuild).
const TOUCHES_HELD: usize = 4096;

impl FormTouches {
    /// Writes the last rowid of every form touched since the last flush.
    pub(crate) fn flush(&mut self, conn: &Connection) -> Result<()> {
        let mut stmt = conn.prepare_cached(
            "UPDATE forms SET updated_rowid = ?2 WHERE form_key = ?1 AND updated_rowid < ?2",
        )?;
        for (key, (written, last)) in self.forms.drain() {
            if last > written {
                stmt.execute(params![key, last])?;
            }
        }
        Ok(())
    }
}

/// Applies one event of the change log to the projections. Every projection is a function of
/// the set of applied events, not of their order: values follow the merge policy
/// ([`ecrf_core::merge`]), statuses and overrides the latest clock. An event received with a
/// clock implausibly far in the future is in `future_events` before it is applied.
pub(crate) fn apply(
    conn: &Connection,
    ev: &ChangeEvent,
    rowid: i64,
    touches: Option<&mut FormTouches>,
) -> Result<()> {
    apply_with(conn, ev, rowid, touches, ValueRow::of(ev)?.as_ref(), None)
}

/// What the current value of a value set (or a conflict's resolution) is written with: its form
/// and item keys and its value as JSON text. Worked out from the event alone, so an import makes
/// it on the thread that reads the bundle and the writing thread only binds it.
#[derive(Debug, Clone)]
pub(crate) struct ValueRow {
    form_key: String,
    key: String,
    value: String,
}

impl ValueRow {
    /// The row of a value set or a resolution; `None` for other events.
    pub(crate) fn of(ev: &ChangeEvent) -> Result<Option<ValueRow>> {
        let (item, value) = match &ev.payload {
            Payload::ValueSet { item, new, .. } => (item, new),
            Payload::ConflictResolved { item, chosen, .. } => (item, chosen),
            _ => return Ok(None),
        };
        let form_key = item.form.key();
        Ok(Some(ValueRow {
            key: item.key_in(&form_key),
            form_key,
            value: serde_json::to_string(value)?,
        }))
    }
}

/// [`apply`] with the event's [`ValueRow`] made already (`None` when it has none), and
/// [`INSERT_FIRST_CURRENT`] prepared (`None`: from the statement cache).
pub(crate) fn apply_with(
    conn: &Connection,
    ev: &ChangeEvent,
    rowid: i64,
    touches: Option<&mut FormTouches>,
    row: Option<&ValueRow>,
    first_current: Option<&mut Statement<'_>>,
) -> Result<()> {
    let value_row =
        || row.ok_or_else(|| StoreError::Invalid(format!("{}: a value without its row", ev.id)));
    match &ev.payload {
        Payload::SubjectEnrolled {
            subject,
            site,
            definition_version,
        } => {
            conn.execute(
                "INSERT INTO subjects (subject, site, enrolled_at, definition, event_rowid) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![subject.as_str(), site, ev.captured_at, definition_version, rowid],
            )?;
        }
        Payload::ValueSet {
            item,
            definition_version,
            ..
        } => {
            let row = value_row()?;
            touch_form(
                conn,
                &item.form,
                &row.form_key,
                definition_version,
                rowid,
                touches,
            )?;
            add_version(conn, ev, rowid, item, row, first_current)?;
        }
        Payload::ConflictResolved { item, .. } => {
            add_version(conn, ev, rowid, item, value_row()?, first_current)?;
        }
        Payload::FormCompleted {
            form,
            definition_version,
        } => {
            touch_form(conn, form, &form.key(), definition_version, rowid, touches)?;
            set_form_status(conn, ev, form, "complete", rowid)?;
        }
        Payload::FormReopened { form, .. } => {
            set_form_status(conn, ev, form, "in_progress", rowid)?;
        }
        Payload::DerivedOverridden {
            form,
            derivation,
            derived,
            value,
            reason,
        } => {
            let newer = conn.execute(
                "INSERT INTO override_latest (form_key, derivation, hlc, node) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (form_key, derivation) DO UPDATE SET hlc = excluded.hlc, node = excluded.node \
                 WHERE (excluded.hlc, excluded.node) > (override_latest.hlc, override_latest.node)",
                params![form.key(), derivation, ev.hlc.0 as i64, ev.id.node.to_string()],
            )? > 0;
            if !newer {
                return Ok(());
            }
            if value.is_null() {
                conn.execute(
                    "DELETE FROM overrides WHERE form_key = ?1 AND derivation = ?2",
                    params![form.key(), derivation],
                )?;
            } else {
                conn.execute(
                    "INSERT INTO overrides (form_key, derivation, subject, value, derived, reason, username, at, event_rowid) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
                     ON CONFLICT (form_key, derivation) DO UPDATE SET value = excluded.value, derived = excluded.derived, \
                     reason = excluded.reason, username = excluded.username, at = excluded.at, event_rowid = excluded.event_rowid",
                    params![
                        form.key(),
                        derivation,
                        form.subject.as_str(),
                        serde_json::to_string(value)?,
                        serde_json::to_string(derived)?,
                        reason,
                        ev.actor.username,
                        ev.captured_at,
                        rowid
                    ],
                )?;
            }
        }
        Payload::DefinitionPublished {
            study,
            version,
            sha256,
            files,
        } => {
            // The first publication of a version stands; the services refuse a different text
            // under a published version before it reaches the log.
            conn.execute(
                "INSERT OR IGNORE INTO definitions (version, study, sha256, files, event_rowid) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![version, study, sha256, serde_json::to_string(files)?, rowid],
            )?;
        }
        Payload::QueryOpened {
            query,
            target,
            text,
            rule,
        } => {
            let form = target.form();
            let (item_key, grp, rep, item) = match target {
                ecrf_core::event::Target::Item(i) => (
                    Some(i.key()),
                    Some(i.group.clone()),
                    Some(i.group_repeat),
                    Some(i.item.clone()),
                ),
                ecrf_core::event::Target::Form(_) => (None, None, None, None),
            };
            conn.execute(
                "INSERT INTO queries (query, subject, form_key, item_key, grp, grp_repeat, item, rule, status, text, opened_by, opened_at, event_rowid) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open', ?9, ?10, ?11, ?12)",
                params![query.to_string(), form.subject.as_str(), form.key(), item_key, grp, rep, item, rule, text, ev.actor.username, ev.captured_at, rowid],
            )?;
            refresh_query_status(conn, query)?;
        }
        Payload::QueryAnswered { query, .. } => {
            query_status_change(conn, ev, rowid, query, "answered")?
        }
        Payload::QueryClosed { query, .. } => {
            query_status_change(conn, ev, rowid, query, "closed")?
        }
        Payload::QueryReopened { query, .. } => {
            query_status_change(conn, ev, rowid, query, "open")?
        }
        Payload::Signed {
            signature,
            scope,
            meaning,
            printed_name,
            content_hash,
            certificate,
            forms,
        } => {
            conn.execute(
                "INSERT INTO signatures (signature, subject, scope, meaning, printed_name, username, at, content_hash, forms, certificate, event_rowid) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    signature.to_string(),
                    scope.subject().map(|s| s.as_str()),
                    serde_json::to_string(scope)?,
                    serde_json::to_value(meaning)?.as_str().unwrap_or_default(),
                    printed_name,
                    ev.actor.username,
                    ev.captured_at,
                    content_hash,
                    serde_json::to_string(forms)?,
                    certificate,
                    rowid
                ],
            )?;
        }
        Payload::CertificatePublished {
            user_id,
            fingerprint,
            certificate,
        } => {
            use base64::Engine;
            let der = base64::engine::general_purpose::STANDARD
                .decode(certificate)
                .map_err(|_| {
                    StoreError::Invalid(format!("certificate {fingerprint} is not base64"))
                })?;
            conn.execute(
                "INSERT OR IGNORE INTO certificates (fingerprint, user_id, cert_der, event_rowid) VALUES (?1, ?2, ?3, ?4)",
                params![fingerprint, user_id.to_string(), der, rowid],
            )?;
        }
        Payload::NodeAccepted {
            node,
            fingerprint,
            public_key,
            role,
            site,
        } => {
            // Trust is each node's own: only the acceptances this node wrote apply.
            conn.execute(
                "INSERT INTO nodes (node, fingerprint, public_key, role, site, status, accepted_at, accepted_by) \
                 SELECT ?1, ?2, ?3, ?4, ?5, 'accepted', ?6, ?7 WHERE (SELECT node_id FROM node WHERE id = 1) = ?8 \
                 ON CONFLICT (node) DO UPDATE SET fingerprint = excluded.fingerprint, public_key = excluded.public_key, \
                 role = excluded.role, site = excluded.site, status = 'accepted', accepted_at = excluded.accepted_at, \
                 accepted_by = excluded.accepted_by, revoked_at = NULL, reason = NULL",
                params![node.to_string(), fingerprint, public_key, role.as_str(), site, ev.captured_at, ev.actor.username, ev.id.node.to_string()],
            )?;
        }
        Payload::NodeRevoked { node, reason, .. } => {
            conn.execute(
                "UPDATE nodes SET status = 'revoked', revoked_at = ?2, reason = ?3 \
                 WHERE node = ?1 AND (SELECT node_id FROM node WHERE id = 1) = ?4",
                params![
                    node.to_string(),
                    ev.captured_at,
                    reason,
                    ev.id.node.to_string()
                ],
            )?;
        }
        Payload::Acknowledged {
            node,
            epoch,
            stream,
            up_to,
        } => {
            conn.execute(
                "INSERT INTO acks (writer, node, epoch, stream, up_to) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (writer, node, epoch, stream) DO UPDATE SET up_to = max(up_to, excluded.up_to)",
                params![ev.id.node.to_string(), node.to_string(), epoch, stream, *up_to as i64],
            )?;
        }
        Payload::SourceVerified { target, verified } => {
            let level = match target {
                ecrf_core::event::Target::Item(_) => "item",
                ecrf_core::event::Target::Form(_) => "form",
            };
            conn.execute(
                "INSERT INTO sdv (target_key, level, form_key, subject, verified, hlc, node, username, at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
                 ON CONFLICT (target_key) DO UPDATE SET verified = excluded.verified, hlc = excluded.hlc, \
                 node = excluded.node, username = excluded.username, at = excluded.at \
                 WHERE (excluded.hlc, excluded.node) > (sdv.hlc, sdv.node)",
                params![
                    target.key(),
                    level,
                    target.form().key(),
                    target.subject().as_str(),
                    verified,
                    ev.hlc.0 as i64,
                    ev.id.node.to_string(),
                    ev.actor.username,
                    ev.captured_at
                ],
            )?;
        }
        Payload::Locked { scope, reason } => set_lock(conn, ev, scope, true, reason.as_deref())?,
        Payload::Unlocked { scope, reason } => set_lock(conn, ev, scope, false, Some(reason))?,
        // Users have their projection in the users table of each node; the log holds them.
        _ => {}
    }
    Ok(())
}

/// A lock or unlock: the latest by clock (then node id) stands for its scope.
fn set_lock(
    conn: &Connection,
    ev: &ChangeEvent,
    scope: &ecrf_core::event::Scope,
    locked: bool,
    reason: Option<&str>,
) -> Result<()> {
    conn.execute(
        "INSERT INTO locks (scope_key, scope, subject, locked, hlc, node, username, at, reason) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
         ON CONFLICT (scope_key) DO UPDATE SET locked = excluded.locked, hlc = excluded.hlc, node = excluded.node, \
         username = excluded.username, at = excluded.at, reason = excluded.reason \
         WHERE (excluded.hlc, excluded.node) > (locks.hlc, locks.node)",
        params![
            scope.key(),
            serde_json::to_string(scope)?,
            scope.subject().map(|s| s.as_str()),
            locked,
            ev.hlc.0 as i64,
            ev.id.node.to_string(),
            ev.actor.username,
            ev.captured_at,
            reason
        ],
    )?;
    Ok(())
}

/// The insert of every column of `item_values` (bound by [`put_current`]), then `$on_conflict`.
macro_rules! insert_current {
    ($on_conflict:literal) => {
        concat!(
            "INSERT INTO item_values (key, form_key, subject, event, form, grp, grp_repeat, item, value, event_rowid, heads) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ",
            $on_conflict
        )
    };
}

/// The insert of a first current value ([`insert_current!`] doing nothing on conflict), for a
/// caller that prepares it once for many events (an import) rather than asking the statement
/// cache for it at every value.
pub(crate) const INSERT_FIRST_CURRENT: &str = insert_current!("ON CONFLICT DO NOTHING");

/// Adds a version of an item's value: it replaces the heads it was written on (its refs), and
/// the merge policy shows one of the heads.
///
/// The versions themselves are the item's value events in the log. An item with one head keeps
/// it as its current value's `event_rowid` and nothing else; only an item with several heads
/// lists them in `item_heads`. So the common case (a first value, or an edit of the value shown)
/// is two plain statements at most: the current value is inserted, or else replaced when its
/// only head is the one the new version was written on. Whatever else (a value beside another
/// node's, a fork, a resolution) goes through [`merge_heads`].
fn add_version(
    conn: &Connection,
    ev: &ChangeEvent,
    rowid: i64,
    item: &ItemRef,
    row: &ValueRow,
    first_current: Option<&mut Statement<'_>>,
) -> Result<()> {
    let ValueRow {
        form_key,
        key,
        value,
    } = row;
    let refs = ev.payload.refs();
    let mut ref_rowids = Vec::with_capacity(refs.len());
    for r in &refs {
        // Every ref is in the log: an event joins it after what it was written on.
        ref_rowids.push(event_rowid(conn, r)?.ok_or_else(|| {
            StoreError::Invalid(format!(
                "{} was written on {r}, which is not in the log",
                ev.id
            ))
        })?);
    }
    let base = match ref_rowids.as_slice() {
        [] => None,
        [one] => Some(*one),
        _ => return merge_heads(conn, item, form_key, key, rowid, &ref_rowids),
    };
    // Two plain statements rather than one upsert: an upsert (or RETURNING) makes SQLite keep a
    // statement journal, a copy of every page it touches, which cost more than the second
    // statement does when it runs (an edit).
    let inserted = match first_current {
        Some(stmt) => bind_current(stmt, (key, form_key, item), value, rowid, 1)?,
        None => put_current(
            conn,
            INSERT_FIRST_CURRENT,
            (key, form_key, item),
            value,
            rowid,
            1,
        )?,
    };
    if inserted == 1 {
        // The item's first version here: its only head.
        return Ok(());
    }
    if let Some(base) = base {
        let replaced = conn
            .prepare_cached(
                "UPDATE item_values SET value = ?2, event_rowid = ?3 \
                 WHERE subject = ?5 AND form = ?6 AND key = ?1 AND heads = 1 AND event_rowid = ?4",
            )?
            .execute(params![
                key,
                value,
                rowid,
                base,
                item.form.subject.as_str(),
                item.form.form
            ])?;
        if replaced == 1 {
            return Ok(());
        }
    }
    // A value beside another node's, a fork, a resolution: the merge policy decides.
    merge_heads(conn, item, form_key, key, rowid, &ref_rowids)
}

/// Writes an item's current value with `sql`, an [`insert_current!`] with what it does on
/// conflict. Returns the rows changed.
fn put_current(
    conn: &Connection,
    sql: &str,
    row: (&str, &str, &ItemRef),
    value: &str,
    rowid: i64,
    heads: i64,
) -> Result<usize> {
    let mut stmt = conn.prepare_cached(sql)?;
    bind_current(&mut stmt, row, value, rowid, heads)
}

/// Runs an [`insert_current!`] statement for one current value. Returns the rows changed.
fn bind_current(
    stmt: &mut Statement<'_>,
    (key, form_key, item): (&str, &str, &ItemRef),
    value: &str,
    rowid: i64,
    heads: i64,
) -> Result<usize> {
    Ok(stmt.execute(params![
        key,
        form_key,
        item.form.subject.as_str(),
        item.form.event,
        item.form.form,
        item.group,
        item.group_repeat,
        item.item,
        value,
        rowid,
        heads
    ])?)
}

/// The row of an event in the log.
fn event_rowid(conn: &Connection, id: &EventId) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT rowid FROM events WHERE node = ?1 AND epoch = ?2 AND stream = ?3 AND seq = ?4",
        )?
        .query_row(
            params![id.node.to_string(), id.epoch, id.stream, id.seq as i64],
            |r| r.get(0),
        )
        .optional()?)
}

/// The heads of an item after a new version (`rowid`, written on `refs`): the old heads less
/// the refs, and the new one. The merge policy shows one; several disagreeing heads are a
/// conflict.
fn merge_heads(
    conn: &Connection,
    item: &ItemRef,
    form_key: &str,
    key: &str,
    rowid: i64,
    refs: &[i64],
) -> Result<()> {
    let current: Option<(i64, i64)> = conn
        .prepare_cached(
            "SELECT heads, event_rowid FROM item_values WHERE subject = ?2 AND form = ?3 AND key = ?1",
        )?
        .query_row(
            params![key, item.form.subject.as_str(), item.form.form],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let mut heads: Vec<i64> = match current {
        None => Vec::new(),
        Some((1, head)) => vec![head],
        Some(_) => {
            let mut stmt = conn.prepare_cached(
                "SELECT event_rowid FROM item_heads WHERE key = ?1 ORDER BY event_rowid",
            )?;
            let rows = stmt.query_map([key], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        }
    };
    heads.retain(|h| !refs.contains(h) && *h != rowid);
    heads.push(rowid);
    conn.prepare_cached("DELETE FROM item_heads WHERE key = ?1")?
        .execute([key])?;
    if heads.len() > 1 {
        let mut stmt =
            conn.prepare_cached("INSERT INTO item_heads (key, event_rowid) VALUES (?1, ?2)")?;
        for h in &heads {
            stmt.execute(params![key, h])?;
        }
    }
    let mut versions = Vec::with_capacity(heads.len());
    let mut rowids = std::collections::BTreeMap::new();
    for h in &heads {
        let v = version_at(conn, *h)?;
        rowids.insert(v.id.clone(), *h);
        versions.push(v);
    }
    let Some(state) = resolve(&versions) else {
        return Ok(());
    };
    let shown_rowid = rowids.get(&state.shown.id).copied().unwrap_or(rowid);
    put_current(
        conn,
        insert_current!(
            "ON CONFLICT (subject, form, key) DO UPDATE SET value = excluded.value, \
             event_rowid = excluded.event_rowid, heads = excluded.heads"
        ),
        (key, form_key, item),
        &serde_json::to_string(&state.shown.value)?,
        shown_rowid,
        state.heads.len() as i64,
    )?;
    if state.in_conflict() {
        let ids: Vec<String> = state.heads.iter().map(|h| h.id.to_string()).collect();
        conn.prepare_cached(
            "INSERT INTO conflicts (key, subject, form_key, heads, shown) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (key) DO UPDATE SET heads = excluded.heads, shown = excluded.shown",
        )?
        .execute(params![
            key,
            item.form.subject.as_str(),
            form_key,
            serde_json::to_string(&ids)?,
            state.shown.id.to_string()
        ])?;
    } else {
        conn.prepare_cached("DELETE FROM conflicts WHERE key = ?1")?
            .execute([key])?;
    }
    Ok(())
}

/// A version of an item as the merge policy sees it, read from its event in the log.
pub(crate) fn version_at(conn: &Connection, rowid: i64) -> Result<Version> {
    let (node, epoch, stream, seq, hlc, payload, flagged): (String, u32, String, i64, i64, String, bool) = conn
        .prepare_cached(
            "SELECT node, epoch, stream, seq, hlc, payload, rowid IN (SELECT event_rowid FROM future_events) \
             FROM events WHERE rowid = ?1",
        )?
        .query_row([rowid], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?;
    let id = EventId {
        node: node
            .parse()
            .map_err(|_| StoreError::Invalid(format!("stored node id {node}")))?,
        epoch,
        stream,
        seq: seq as u64,
    };
    let (value, resolution) = match serde_json::from_str::<Payload>(&payload)? {
        Payload::ValueSet { new, .. } => (new, false),
        Payload::ConflictResolved { chosen, .. } => (chosen, true),
        _ => {
            return Err(StoreError::Invalid(format!(
                "event {id} is a head of an item but sets no value"
            )))
        }
    };
    Ok(Version {
        id,
        hlc: Hlc(hlc as u64),
        resolution,
        flagged,
        refs: Vec::new(),
        value,
    })
}

/// Completion and reopening: the latest by clock (then node id) stands.
fn set_form_status(
    conn: &Connection,
    ev: &ChangeEvent,
    form: &FormRef,
    status: &str,
    rowid: i64,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE forms SET status = ?2, status_hlc = ?3, status_node = ?4, updated_rowid = ?5 \
         WHERE form_key = ?1 AND (?3, ?4) > (status_hlc, status_node)",
    )?
    .execute(params![
        form.key(),
        status,
        ev.hlc.0 as i64,
        ev.id.node.to_string(),
        rowid
    ])?;
    Ok(())
}

fn query_status_change(
    conn: &Connection,
    ev: &ChangeEvent,
    rowid: i64,
    query: &uuid::Uuid,
    status: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO query_status (event_rowid, query, status, hlc, node) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![rowid, query.to_string(), status, ev.hlc.0 as i64, ev.id.node.to_string()],
    )?;
    refresh_query_status(conn, query)
}

/// A query's status is its latest status change by clock (open when none).
fn refresh_query_status(conn: &Connection, query: &uuid::Uuid) -> Result<()> {
    conn.execute(
        "UPDATE queries SET status = coalesce((SELECT status FROM query_status WHERE query = ?1 \
         ORDER BY hlc DESC, node DESC LIMIT 1), 'open') WHERE query = ?1",
        [query.to_string()],
    )?;
    Ok(())
}

/// A query as the form shows it.
#[derive(Debug, Clone, Serialize)]
pub struct QueryRow {
    pub query: String,
    pub item: Option<String>,
    pub group: Option<String>,
    pub repeat: Option<u32>,
    pub rule: Option<String>,
    pub status: String,
    pub text: String,
    pub opened_by: String,
    pub opened_at: String,
}

fn form_queries(conn: &Connection, f: &FormRef) -> Result<Vec<QueryRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT query, item, grp, grp_repeat, rule, status, text, opened_by, opened_at FROM queries WHERE form_key = ?1 ORDER BY event_rowid",
    )?;
    let rows = stmt.query_map([f.key()], |r| {
        Ok(QueryRow {
            query: r.get(0)?,
            item: r.get(1)?,
            group: r.get(2)?,
            repeat: r.get(3)?,
            rule: r.get(4)?,
            status: r.get(5)?,
            text: r.get(6)?,
            opened_by: r.get(7)?,
            opened_at: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn touch_form(
    conn: &Connection,
    f: &FormRef,
    key: &str,
    definition: &str,
    rowid: i64,
    touches: Option<&mut FormTouches>,
) -> Result<()> {
    if let Some(t) = touches {
        if let Some(seen) = t.forms.get_mut(key) {
            seen.1 = rowid;
            return Ok(());
        }
        if t.forms.len() >= TOUCHES_HELD {
            t.flush(conn)?;
        }
        t.forms.insert(key.to_string(), (rowid, rowid));
    }
    // Two plain statements rather than an upsert (see `add_version`).
    let inserted = conn
        .prepare_cached(
            "INSERT INTO forms (form_key, subject, event, event_repeat, form, form_repeat, status, definition, updated_rowid) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'in_progress', ?7, ?8) ON CONFLICT (form_key) DO NOTHING",
        )?
        .execute(params![
            key,
            f.subject.as_str(),
            f.event,
            f.event_repeat,
            f.form,
            f.form_repeat,
            definition,
            rowid
        ])?;
    if inserted == 0 {
        conn.prepare_cached("UPDATE forms SET updated_rowid = ?2 WHERE form_key = ?1")?
            .execute(params![key, rowid])?;
    }
    Ok(())
}

fn subjects(conn: &Connection) -> Result<Vec<SubjectRow>> {
    let mut stmt = conn
        .prepare("SELECT subject, site, enrolled_at, definition FROM subjects ORDER BY subject")?;
    let rows = stmt.query_map([], |r| {
        Ok(SubjectRow {
            subject: r.get(0)?,
            site: r.get(1)?,
            enrolled_at: r.get(2)?,
            definition: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn subject(conn: &Connection, id: &SubjectId) -> Result<Option<SubjectRow>> {
    Ok(conn
        .query_row(
            "SELECT subject, site, enrolled_at, definition FROM subjects WHERE subject = ?1",
            [id.as_str()],
            |r| {
                Ok(SubjectRow {
                    subject: r.get(0)?,
                    site: r.get(1)?,
                    enrolled_at: r.get(2)?,
                    definition: r.get(3)?,
                })
            },
        )
        .optional()?)
}

/// The keys of a form instance's current values: every item key is its form's key, '/' and
/// the rest, so they sort in `[form key + "/", form key + "0")` ('0' follows '/'): within the
/// form's subject and name, the first columns of `item_values`' primary key, a range of it.
pub(crate) fn form_range(f: &FormRef) -> [String; 2] {
    let k = f.key();
    [format!("{k}/"), format!("{k}0")]
}

/// Current values of a form instance, with the id of the event that set each.
fn form_values(conn: &Connection, f: &FormRef) -> Result<Vec<(Slot, Json, EventId)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT v.grp, v.grp_repeat, v.item, v.value, e.node, e.epoch, e.stream, e.seq \
         FROM item_values v JOIN events e ON e.rowid = v.event_rowid \
         WHERE v.subject = ?3 AND v.form = ?4 AND v.key >= ?1 AND v.key < ?2",
    )?;
    let [lo, hi] = form_range(f);
    let mut rows = stmt.query(params![lo, hi, f.subject.as_str(), f.form])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let value: String = r.get(3)?;
        let node: String = r.get(4)?;
        out.push((
            Slot {
                group: r.get(0)?,
                repeat: r.get(1)?,
                item: r.get(2)?,
            },
            serde_json::from_str(&value)?,
            EventId {
                node: node
                    .parse()
                    .map_err(|_| StoreError::Invalid("stored node id".into()))?,
                epoch: r.get(5)?,
                stream: r.get(6)?,
                seq: r.get::<_, i64>(7)? as u64,
            },
        ));
    }
    Ok(out)
}

/// Current values of a form instance ([`form_values`] without the events that set them).
fn form_value_map(conn: &Connection, f: &FormRef) -> Result<FormValues> {
    let mut stmt = conn.prepare_cached(
        "SELECT grp, grp_repeat, item, value FROM item_values \
         WHERE subject = ?3 AND form = ?4 AND key >= ?1 AND key < ?2",
    )?;
    let [lo, hi] = form_range(f);
    let mut rows = stmt.query(params![lo, hi, f.subject.as_str(), f.form])?;
    let mut out = FormValues::new();
    while let Some(r) = rows.next()? {
        let value: String = r.get(3)?;
        out.insert(
            Slot {
                group: r.get(0)?,
                repeat: r.get(1)?,
                item: r.get(2)?,
            },
            serde_json::from_str(&value)?,
        );
    }
    Ok(out)
}

fn form_state(conn: &Connection, f: &FormRef) -> Result<Option<FormState>> {
    Ok(conn
        .query_row(
            "SELECT status, definition, derived FROM forms WHERE form_key = ?1",
            [f.key()],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            },
        )
        .optional()?
        .map(|(status, definition, derived)| FormState {
            form: f.clone(),
            status,
            definition,
            derived: serde_json::from_str(&derived).unwrap_or(Json::Null),
        }))
}

fn subject_forms(conn: &Connection, subject: &SubjectId) -> Result<Vec<FormState>> {
    let mut stmt = conn.prepare(
        "SELECT event, event_repeat, form, form_repeat, status, definition, derived FROM forms WHERE subject = ?1 ORDER BY updated_rowid",
    )?;
    let mut rows = stmt.query([subject.as_str()])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let derived: String = r.get(6)?;
        out.push(FormState {
            form: FormRef {
                subject: subject.clone(),
                event: r.get(0)?,
                event_repeat: r.get(1)?,
                form: r.get(2)?,
                form_repeat: r.get(3)?,
            },
            status: r.get(4)?,
            definition: r.get(5)?,
            derived: serde_json::from_str(&derived).unwrap_or(Json::Null),
        });
    }
    Ok(out)
}

/// A value of another form of the subject (the main group, first repeat), for cross-form
/// conditions and checks.
fn lookup(
    conn: &Connection,
    subject: &SubjectId,
    event: Option<&str>,
    form: &str,
    item: &str,
) -> Result<Json> {
    let mut stmt = conn.prepare_cached(
        "SELECT value FROM item_values WHERE subject = ?1 AND form = ?2 AND item = ?3 AND (?4 IS NULL OR event = ?4) \
         ORDER BY grp_repeat, key LIMIT 1",
    )?;
    let v: Option<String> = stmt
        .query_row(params![subject.as_str(), form, item, event], |r| r.get(0))
        .optional()?;
    Ok(match v {
        Some(s) => serde_json::from_str(&s)?,
        None => Json::Null,
    })
}

fn overrides(conn: &Connection, f: &FormRef) -> Result<Vec<OverrideRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT derivation, value, derived, reason, username, at FROM overrides WHERE form_key = ?1 ORDER BY derivation",
    )?;
    let mut rows = stmt.query([f.key()])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let value: String = r.get(1)?;
        let derived: String = r.get(2)?;
        out.push(OverrideRow {
            derivation: r.get(0)?,
            value: serde_json::from_str(&value)?,
            derived: serde_json::from_str(&derived)?,
            reason: r.get(3)?,
            username: r.get(4)?,
            at: r.get(5)?,
        });
    }
    Ok(out)
}

fn item_event(conn: &Connection, item: &ItemRef) -> Result<Option<EventId>> {
    let row = conn
        .query_row(
            "SELECT e.node, e.epoch, e.stream, e.seq FROM item_values v JOIN events e ON e.rowid = v.event_rowid \
             WHERE v.subject = ?2 AND v.form = ?3 AND v.key = ?1",
            params![item.key(), item.form.subject.as_str(), item.form.form],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?)),
        )
        .optional()?;
    row.map(|(n, epoch, stream, seq)| {
        Ok(EventId {
            node: n
                .parse()
                .map_err(|_| StoreError::Invalid("stored node id".into()))?,
            epoch,
            stream,
            seq: seq as u64,
        })
    })
    .transpose()
}

/// A user's signing key as stored: the sealed private key and the certificate.
#[derive(Debug, Clone)]
pub struct SigningKeyRow {
    pub fingerprint: String,
    pub user_id: String,
    pub cert_der: Vec<u8>,
    pub sealed_key: Vec<u8>,
    pub created_at: String,
    pub active: bool,
}

fn signing_keys(conn: &Connection, user_id: &str) -> Result<Vec<SigningKeyRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT fingerprint, user_id, cert_der, sealed_key, created_at, active FROM signing_keys WHERE user_id = ?1 ORDER BY created_at",
    )?;
    let rows = stmt.query_map([user_id], |r| {
        Ok(SigningKeyRow {
            fingerprint: r.get(0)?,
            user_id: r.get(1)?,
            cert_der: r.get(2)?,
            sealed_key: r.get(3)?,
            created_at: r.get(4)?,
            active: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn certificate(conn: &Connection, fingerprint: &str) -> Result<Option<Vec<u8>>> {
    Ok(conn
        .query_row(
            "SELECT cert_der FROM certificates WHERE fingerprint = ?1",
            [fingerprint],
            |r| r.get(0),
        )
        .optional()?)
}

/// A signature as made.
#[derive(Debug, Clone, Serialize)]
pub struct SignatureRow {
    pub signature: String,
    pub scope: ecrf_core::event::Scope,
    pub meaning: String,
    pub printed_name: String,
    pub username: String,
    pub at: String,
    pub content_hash: String,
    pub forms: Vec<String>,
    pub certificate: Option<String>,
}

fn signatures(conn: &Connection, subject: &SubjectId) -> Result<Vec<SignatureRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT signature, scope, meaning, printed_name, username, at, content_hash, forms, certificate \
         FROM signatures WHERE subject = ?1 ORDER BY event_rowid",
    )?;
    let mut rows = stmt.query([subject.as_str()])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let scope: String = r.get(1)?;
        let forms: String = r.get(7)?;
        out.push(SignatureRow {
            signature: r.get(0)?,
            scope: serde_json::from_str(&scope)?,
            meaning: r.get(2)?,
            printed_name: r.get(3)?,
            username: r.get(4)?,
            at: r.get(5)?,
            content_hash: r.get(6)?,
            forms: serde_json::from_str(&forms)?,
            certificate: r.get(8)?,
        });
    }
    Ok(out)
}

/// A published definition version: its files, in publication order.
#[derive(Debug, Clone)]
pub struct DefinitionRow {
    pub version: String,
    pub study: String,
    pub sha256: String,
    pub files: std::collections::BTreeMap<String, String>,
}

fn definitions(conn: &Connection) -> Result<Vec<DefinitionRow>> {
    let mut stmt =
        conn.prepare("SELECT version, study, sha256, files FROM definitions ORDER BY event_rowid")?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let files: String = r.get(3)?;
        out.push(DefinitionRow {
            version: r.get(0)?,
            study: r.get(1)?,
            sha256: r.get(2)?,
            files: serde_json::from_str(&files)?,
        });
    }
    Ok(out)
}

/// A query with where it is, for lists.
#[derive(Debug, Clone, Serialize)]
pub struct QueryListRow {
    pub query: String,
    pub subject: String,
    pub form_key: String,
    pub item: Option<String>,
    pub group: Option<String>,
    pub repeat: Option<u32>,
    pub rule: Option<String>,
    pub status: String,
    pub text: String,
    pub opened_by: String,
    pub opened_at: String,
}

fn query_list(
    conn: &Connection,
    subject: Option<&str>,
    status: Option<&str>,
    query: Option<&str>,
) -> Result<Vec<QueryListRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT query, subject, form_key, item, grp, grp_repeat, rule, status, text, opened_by, opened_at FROM queries \
         WHERE (?1 IS NULL OR subject = ?1) AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR query = ?3) \
         ORDER BY subject, opened_at, query",
    )?;
    let rows = stmt.query_map(params![subject, status, query], |r| {
        Ok(QueryListRow {
            query: r.get(0)?,
            subject: r.get(1)?,
            form_key: r.get(2)?,
            item: r.get(3)?,
            group: r.get(4)?,
            repeat: r.get(5)?,
            rule: r.get(6)?,
            status: r.get(7)?,
            text: r.get(8)?,
            opened_by: r.get(9)?,
            opened_at: r.get(10)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One message of a query's thread, from the change log.
#[derive(Debug, Clone, Serialize)]
pub struct QueryMessageRow {
    pub kind: String,
    pub text: String,
    pub username: String,
    pub at: String,
}

fn query_thread(conn: &Connection, subject: &str, query: &str) -> Result<Vec<QueryMessageRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT kind, payload, username, captured_at FROM events \
         WHERE subject = ?1 AND kind IN ('query_opened', 'query_answered', 'query_closed', 'query_reopened') \
         ORDER BY hlc, node",
    )?;
    let mut rows = stmt.query([subject])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let payload: String = r.get(1)?;
        let p: Payload = serde_json::from_str(&payload)?;
        let (id, text) = match &p {
            Payload::QueryOpened { query, text, .. }
            | Payload::QueryAnswered { query, text, .. }
            | Payload::QueryClosed { query, text, .. }
            | Payload::QueryReopened { query, text, .. } => (query.to_string(), text.clone()),
            _ => continue,
        };
        if id == query {
            out.push(QueryMessageRow {
                kind: r.get(0)?,
                text,
                username: r.get(2)?,
                at: r.get(3)?,
            });
        }
    }
    Ok(out)
}

/// A lock in force.
#[derive(Debug, Clone, Serialize)]
pub struct LockRow {
    pub scope_key: String,
    pub scope: ecrf_core::event::Scope,
    pub username: String,
    pub at: String,
    pub reason: Option<String>,
}

/// The narrowest lock in force over a form instance, if any.
fn lock_of(conn: &Connection, f: &FormRef) -> Result<Option<LockRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT scope_key, scope, username, at, reason FROM locks WHERE scope_key = ?1 AND locked = 1",
    )?;
    for key in ecrf_core::event::Scope::covering(f) {
        let row = stmt
            .query_row([&key], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            })
            .optional()?;
        if let Some((scope_key, scope, username, at, reason)) = row {
            return Ok(Some(LockRow {
                scope_key,
                scope: serde_json::from_str(&scope)?,
                username,
                at,
                reason,
            }));
        }
    }
    Ok(None)
}

fn locks(conn: &Connection) -> Result<Vec<LockRow>> {
    let mut stmt = conn.prepare(
        "SELECT scope_key, scope, username, at, reason FROM locks WHERE locked = 1 ORDER BY scope_key",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let scope: String = r.get(1)?;
        out.push(LockRow {
            scope_key: r.get(0)?,
            scope: serde_json::from_str(&scope)?,
            username: r.get(2)?,
            at: r.get(3)?,
            reason: r.get(4)?,
        });
    }
    Ok(out)
}

/// Source data verification of a form instance: the items whose mark still holds (newer than
/// their current value), and whether a form-level mark holds (newer than every value).
#[derive(Debug, Clone, Default, Serialize)]
pub struct SdvState {
    pub form_verified: bool,
    pub items: Vec<String>,
    pub by: Option<String>,
    pub at: Option<String>,
}

fn sdv_state(conn: &Connection, f: &FormRef) -> Result<SdvState> {
    let [lo, hi] = form_range(f);
    let newest_value: i64 = conn
        .prepare_cached(
            "SELECT coalesce(max(e.hlc), 0) FROM item_values v JOIN events e ON e.rowid = v.event_rowid \
             WHERE v.subject = ?3 AND v.form = ?4 AND v.key >= ?1 AND v.key < ?2",
        )?
        .query_row(params![lo, hi, f.subject.as_str(), f.form], |r| r.get(0))?;
    let mut out = SdvState::default();
    let mut stmt = conn.prepare_cached(
        "SELECT s.target_key, s.level, s.verified, s.hlc, s.username, s.at, \
         (SELECT e.hlc FROM item_values v JOIN events e ON e.rowid = v.event_rowid \
          WHERE v.subject = ?2 AND v.form = ?3 AND v.key = s.target_key) \
         FROM sdv s WHERE s.form_key = ?1",
    )?;
    let mut rows = stmt.query(params![f.key(), f.subject.as_str(), f.form])?;
    while let Some(r) = rows.next()? {
        let key: String = r.get(0)?;
        let level: String = r.get(1)?;
        let verified: bool = r.get(2)?;
        let hlc: i64 = r.get(3)?;
        if !verified {
            continue;
        }
        if level == "form" {
            if hlc > newest_value {
                out.form_verified = true;
                out.by = Some(r.get(4)?);
                out.at = Some(r.get(5)?);
            }
        } else {
            let value_hlc: Option<i64> = r.get(6)?;
            if value_hlc.is_some_and(|v| hlc > v) {
                out.items.push(key);
            }
        }
    }
    out.items.sort();
    Ok(out)
}

/// A draft of typed input.
#[derive(Debug, Clone, Serialize)]
pub struct DraftRow {
    pub form: FormRef,
    pub entries: Json,
    pub saved_at: String,
}

fn drafts(conn: &Connection, username: &str, form_key: Option<&str>) -> Result<Vec<DraftRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT form, entries, saved_at FROM drafts WHERE username = ?1 AND (?2 IS NULL OR form_key = ?2) ORDER BY saved_at DESC",
    )?;
    let mut rows = stmt.query(params![username, form_key])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let form: String = r.get(0)?;
        let entries: String = r.get(1)?;
        out.push(DraftRow {
            form: serde_json::from_str(&form)?,
            entries: serde_json::from_str(&entries)?,
            saved_at: r.get(2)?,
        });
    }
    Ok(out)
}

/// Read queries, on the store or inside a write transaction.
macro_rules! queries {
    ($t:ty, $conn:ident) => {
        impl $t {
            pub fn subjects(&self) -> Result<Vec<SubjectRow>> {
                subjects(&self.$conn)
            }
            pub fn subject(&self, s: &SubjectId) -> Result<Option<SubjectRow>> {
                subject(&self.$conn, s)
            }
            pub fn subject_exists(&self, s: &SubjectId) -> Result<bool> {
                Ok(self.$conn.query_row(
                    "SELECT count(*) FROM subjects WHERE subject = ?1",
                    [s.as_str()],
                    |r| r.get::<_, i64>(0),
                )? > 0)
            }
            pub fn form_values(&self, f: &FormRef) -> Result<Vec<(Slot, Json, EventId)>> {
                form_values(&self.$conn, f)
            }
            pub fn form_value_map(&self, f: &FormRef) -> Result<FormValues> {
                form_value_map(&self.$conn, f)
            }
            pub fn form_state(&self, f: &FormRef) -> Result<Option<FormState>> {
                form_state(&self.$conn, f)
            }
            pub fn subject_forms(&self, s: &SubjectId) -> Result<Vec<FormState>> {
                subject_forms(&self.$conn, s)
            }
            pub fn lookup(
                &self,
                s: &SubjectId,
                event: Option<&str>,
                form: &str,
                item: &str,
            ) -> Result<Json> {
                lookup(&self.$conn, s, event, form, item)
            }
            pub fn item_event(&self, item: &ItemRef) -> Result<Option<EventId>> {
                item_event(&self.$conn, item)
            }
            pub fn overrides(&self, f: &FormRef) -> Result<Vec<OverrideRow>> {
                overrides(&self.$conn, f)
            }
            pub fn definitions(&self) -> Result<Vec<DefinitionRow>> {
                definitions(&self.$conn)
            }
            pub fn form_queries(&self, f: &FormRef) -> Result<Vec<QueryRow>> {
                form_queries(&self.$conn, f)
            }
            pub fn signatures(&self, subject: &SubjectId) -> Result<Vec<SignatureRow>> {
                signatures(&self.$conn, subject)
            }
            pub fn signing_keys(&self, user_id: &str) -> Result<Vec<SigningKeyRow>> {
                signing_keys(&self.$conn, user_id)
            }
            pub fn certificate(&self, fingerprint: &str) -> Result<Option<Vec<u8>>> {
                certificate(&self.$conn, fingerprint)
            }
            pub fn query_list(
                &self,
                subject: Option<&str>,
                status: Option<&str>,
                query: Option<&str>,
            ) -> Result<Vec<QueryListRow>> {
                query_list(&self.$conn, subject, status, query)
            }
            pub fn query_thread(&self, subject: &str, query: &str) -> Result<Vec<QueryMessageRow>> {
                query_thread(&self.$conn, subject, query)
            }
            pub fn drafts(&self, username: &str, form_key: Option<&str>) -> Result<Vec<DraftRow>> {
                drafts(&self.$conn, username, form_key)
            }
            pub fn lock_of(&self, f: &FormRef) -> Result<Option<LockRow>> {
                lock_of(&self.$conn, f)
            }
            pub fn locks(&self) -> Result<Vec<LockRow>> {
                locks(&self.$conn)
            }
            pub fn sdv_state(&self, f: &FormRef) -> Result<SdvState> {
                sdv_state(&self.$conn, f)
            }
        }
    };
}
queries!(Store, conn);
queries!(Tx<'_>, tx);

impl Tx<'_> {
    /// Keeps (replaces) a user's draft of a form instance.
    pub fn put_draft(
        &mut self,
        username: &str,
        f: &FormRef,
        entries: &Json,
        at: &str,
    ) -> Result<()> {
        self.tx.execute(
            "INSERT INTO drafts (username, form_key, form, entries, saved_at) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (username, form_key) DO UPDATE SET entries = excluded.entries, saved_at = excluded.saved_at",
            params![username, f.key(), serde_json::to_string(f)?, serde_json::to_string(entries)?, at],
        )?;
        Ok(())
    }

    pub fn drop_draft(&mut self, username: &str, f: &FormRef) -> Result<()> {
        self.tx.execute(
            "DELETE FROM drafts WHERE username = ?1 AND form_key = ?2",
            params![username, f.key()],
        )?;
        Ok(())
    }

    /// Stores the derived values recomputed for a form instance.
    pub fn set_derived(&mut self, f: &FormRef, derived: &Json) -> Result<()> {
        self.tx
            .prepare_cached("UPDATE forms SET derived = ?2 WHERE form_key = ?1 AND derived != ?2")?
            .execute(params![f.key(), serde_json::to_string(derived)?])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::form_range;
    use ecrf_core::address::FormRef;
    use ecrf_core::ids::SubjectId;

    /// Which item keys fall in a form's key range: its own items only, not those of a form
    /// whose key begins with the same characters (DM.1 and DM.10).
    #[test]
    fn a_form_range_holds_its_items_and_no_other_forms() {
        let form = |s: &str, e: u32, f: &str, r: u32| {
            FormRef::new(SubjectId::parse(s).expect("subject"), "SCR", e, f, r).expect("form")
        };
        let dm1 = form("S01-001", 1, "DM", 1);
        let cases: [(FormRef, &str, bool); 6] = [
            (dm1.clone(), "MAIN", true),
            (dm1.clone(), "AAA", true),
            (form("S01-001", 1, "DM", 10), "MAIN", false),
            (form("S01-001", 1, "DMX", 1), "MAIN", false),
            (form("S01-001", 10, "DM", 1), "MAIN", false),
            (form("S01-002", 1, "DM", 1), "MAIN", false),
        ];
        let [lo, hi] = form_range(&dm1);
        for (f, group, inside) in cases {
            let key = f.item(group, 1, "WEIGHT").key();
            assert_eq!(
                key >= lo && key < hi,
                inside,
                "{key} in [{lo}, {hi}) should be {inside}"
            );
        }
    }
}
