//! Sync bundles: export (incremental from what the destination acknowledged, or full), inspect
//! and import (verify the file, plan each event, apply in one transaction), node trust and
//! revocation, conflicts and their resolution.

use crate::auth::Session;
use crate::view::TxView;
use crate::{Ecrf, Result, ServiceError};
use ecrf_bundle::{BundleError, BundleHeader, BundleReader, BundleWriter, Manifest, Origin};
use ecrf_core::address::ItemRef;
use ecrf_core::definition::Definition;
use ecrf_core::event::{EventId, Payload, STREAM_ALL};
use ecrf_core::hlc::Hlc;
use ecrf_core::ids::SubjectId;
use ecrf_core::merge::is_future;
use ecrf_core::roles::{Action, NodeRole};
use ecrf_core::sync::{admissible, classify, Disposition, Peer};
use ecrf_store::{ConflictRow, ImportRow, Incoming, NodeRow, StreamInfo, Tx};
use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use uuid::Uuid;

/// What `bundle export` wrote.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct BundleExported {
    pub file: String,
    pub destination: Option<String>,
    pub full: bool,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub events: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub pdfs: u64,
    /// `node:epoch:stream first..last` per stream.
    pub streams: Vec<String>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes: u64,
}

/// What `bundle inspect` shows: the manifest and who signed it.
#[derive(Debug, Clone, Serialize)]
pub struct BundleInspection {
    /// SHA-256 of the origin node's Ed25519 key: what `--accept-node` takes.
    pub origin_key_fingerprint: String,
    pub signature: &'static str,
    pub manifest: Manifest,
}

/// The summary of importing one bundle file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ImportSummary {
    pub file: String,
    /// `imported` or `refused`.
    pub status: String,
    /// Why it was refused; nothing was changed.
    pub reason: Option<String>,
    pub origin: Option<String>,
    pub origin_site: Option<String>,
    pub origin_key_fingerprint: Option<String>,
    /// The node's key was accepted with this import.
    pub accepted_node: bool,
    /// Events new to this node.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub new: u64,
    /// Events this node already held (a bundle imported twice changes nothing).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub duplicate: u64,
    /// New events that wait for an earlier range or for the value they were written on.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub pending: u64,
    /// Events that had been waiting and joined the record with this bundle.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub released: u64,
    /// Items newly in conflict (both values kept; the data manager resolves).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub conflicts: u64,
    /// Events stamped implausibly far in the future (flagged; they never win a conflict).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub future: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub pdfs: u64,
    /// Missing earlier ranges: `node:epoch:stream missing a..b`.
    pub gaps: Vec<String>,
    pub subjects: Vec<String>,
    /// Definition versions that took effect with this bundle.
    pub definitions: Vec<String>,
}

/// Progress of a long import.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ImportProgress {
    pub file: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub done: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total: u64,
}

/// A node this node trusts or has revoked.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct NodeView {
    pub node: String,
    pub fingerprint: String,
    pub role: String,
    pub site: Option<String>,
    pub status: String,
    pub accepted_at: String,
    pub accepted_by: String,
    pub revoked_at: Option<String>,
    pub reason: Option<String>,
    /// What this node holds of that node's streams: `epoch:stream up to N`.
    pub received: Vec<String>,
    /// What that node has acknowledged of this node's streams.
    pub acknowledged: Vec<String>,
}

/// One bundle in the import history.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ImportRecord {
    pub file: String,
    pub sha256: String,
    pub origin: String,
    pub origin_site: Option<String>,
    pub created_at: String,
    pub imported_at: String,
    pub imported_by: String,
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub summary: Json,
}

/// An item in conflict, with every competing version.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ConflictView {
    pub key: String,
    pub subject: String,
    pub item: ItemRef,
    pub versions: Vec<ConflictVersionView>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ConflictVersionView {
    pub event_id: String,
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub value: Json,
    pub username: String,
    pub captured_at: String,
    pub imported_at: Option<String>,
    pub resolution: bool,
    pub flagged: bool,
    pub shown: bool,
}

/// The page cache of an import, KiB: every index the import writes stays in memory up to
/// about a million events (measured in BENCHMARKS.md), and the memory of an import stays
/// bounded whatever the bundle's size.
pub const IMPORT_PAGE_CACHE_KIB: u32 = 64 * 1024;

/// Why a bundle is refused; the import changes nothing.
fn refused(msg: impl Into<String>) -> ServiceError {
    ServiceError::Refused(msg.into())
}

fn bundle_err(e: BundleError) -> ServiceError {
    refused(e.to_string())
}

fn node_role(s: &str) -> Result<NodeRole> {
    s.parse()
        .map_err(|e: String| refused(format!("bundle manifest: {e}")))
}

impl Ecrf {
    fn signing_key(&self) -> Result<SigningKey> {
        let node = self.store.node()?;
        let bytes: [u8; 32] = node
            .signing_key
            .as_slice()
            .try_into()
            .map_err(|_| ServiceError::Integrity("the node's signing key is damaged".into()))?;
        Ok(SigningKey::from_bytes(&bytes))
    }

    /// The node a central bundle is for: a node id, or a site code naming the site's one
    /// accepted node.
    fn destination(&self, to: &str) -> Result<NodeRow> {
        let nodes = self.store.nodes()?;
        if let Ok(id) = Uuid::parse_str(to) {
            return nodes
                .into_iter()
                .find(|n| n.node == id.to_string())
                .ok_or_else(|| {
                    ServiceError::NotFound(format!(
                        "node {to} (accept its key by importing its bundle first)"
                    ))
                });
        }
        let mut of_site: Vec<NodeRow> = nodes
            .into_iter()
            .filter(|n| n.site.as_deref() == Some(to) && n.status == "accepted")
            .collect();
        match of_site.len() {
            0 => Err(ServiceError::NotFound(format!(
                "an accepted node of site {to}"
            ))),
            1 => Ok(of_site.remove(0)),
            _ => Err(ServiceError::InvalidInput(format!(
                "site {to} has {} accepted nodes: give the node id (see `ecrf node list`)",
                of_site.len()
            ))),
        }
    }

    /// Writes a bundle. At a site: its own events for the central node, from what the central
    /// node acknowledged (or all with `full`, or from sequence `since` of each stream on, to
    /// resend a range). At the central node: for one site node, the
    /// central streams of its site and `ALL` and the events of the site's other nodes, from
    /// what that node acknowledged (or all with `full`).
    pub fn export_bundle(
        &mut self,
        s: &mut Session,
        to: Option<&str>,
        full: bool,
        since: Option<u64>,
        out: &Path,
    ) -> Result<BundleExported> {
        self.authorize(s, Action::ExportBundle)?;
        let node = self.store.node()?;
        let (dest, plan) = match node.role {
            NodeRole::Site => {
                let central = self
                    .store
                    .nodes()?
                    .into_iter()
                    .find(|n| n.role == "central" && n.status == "accepted");
                if let Some(t) = to.filter(|t| *t != "central") {
                    if central.as_ref().is_none_or(|c| c.node != t) {
                        return Err(ServiceError::InvalidInput(format!(
                            "a site sends bundles to the central node only; {t} is not it (use --to central)"
                        )));
                    }
                }
                let dest: Option<Uuid> = central.as_ref().and_then(|c| c.node.parse().ok());
                let plan: Vec<(StreamInfo, u64)> = self
                    .store
                    .streams()?
                    .into_iter()
                    .filter(|st| st.node == node.node_id)
                    .map(|st| {
                        let from = match (full, since, dest) {
                            (_, Some(n), _) => Ok(n.saturating_sub(1)),
                            (false, None, Some(d)) => {
                                self.store.acked(&d, &st.node, st.epoch, &st.stream)
                            }
                            _ => Ok(0),
                        };
                        from.map(|f| (st, f))
                    })
                    .collect::<std::result::Result<_, _>>()?;
                (dest, plan)
            }
            NodeRole::Central => {
                let to = to.ok_or_else(|| {
                    ServiceError::InvalidInput(
                        "a central bundle is for one site node: give --to NODE (or the site code)"
                            .into(),
                    )
                })?;
                let d = self.destination(to)?;
                if d.status != "accepted" {
                    return Err(ServiceError::InvalidInput(format!(
                        "node {} is revoked",
                        d.node
                    )));
                }
                let site = d.site.clone().unwrap_or_default();
                let dest: Uuid = d
                    .node
                    .parse()
                    .map_err(|_| ServiceError::Integrity(format!("stored node id {}", d.node)))?;
                let streams = self.store.streams()?;
                // The destination's own streams of earlier epochs come back to it: a node
                // restored from a backup gets what it wrote after the backup was taken.
                let dest_epoch = streams
                    .iter()
                    .filter(|st| st.node == dest)
                    .map(|st| st.epoch)
                    .max()
                    .unwrap_or(0);
                let plan: Vec<(StreamInfo, u64)> = streams
                    .into_iter()
                    .filter(|st| st.node != dest || st.epoch < dest_epoch)
                    .filter(|st| {
                        st.stream == site || (st.stream == STREAM_ALL && st.node == node.node_id)
                    })
                    .map(|st| {
                        let from = match (full, since) {
                            (_, Some(n)) => Ok(n.saturating_sub(1)),
                            (true, None) => Ok(0),
                            (false, None) => {
                                self.store.acked(&dest, &st.node, st.epoch, &st.stream)
                            }
                        };
                        from.map(|f| (st, f))
                    })
                    .collect::<std::result::Result<_, _>>()?;
                (Some(dest), plan)
            }
        };
        if out.exists() {
            return Err(ServiceError::Exists(format!("file {}", out.display())));
        }
        let header = BundleHeader {
            study: node.study.clone(),
            definition_version: self.definition().study.version.clone(),
            origin: Origin {
                node: node.node_id,
                role: node.role.as_str().to_string(),
                site: node.site.clone(),
                epoch: node.epoch,
                public_key: node.public_key.clone(),
            },
            destination: dest,
            full,
            created_at: self.now_str(),
        };
        let key = self.signing_key()?;
        let mut w =
            BundleWriter::create(out, header).map_err(|e| ServiceError::Io(e.to_string()))?;
        let mut signatures = Vec::new();
        let mut failed: Option<ServiceError> = None;
        for (st, from) in &plan {
            if st.last <= *from {
                continue;
            }
            self.store
                .for_each_in_stream(&st.node, st.epoch, &st.stream, *from, |ev| {
                    if let Payload::Signed { signature, .. } = &ev.payload {
                        signatures.push(*signature);
                    }
                    if let Err(e) = w.push_event(&ev) {
                        failed.get_or_insert(ServiceError::Io(e.to_string()));
                    }
                    Ok(())
                })?;
        }
        if let Some(e) = failed {
            return Err(e);
        }
        for sig in signatures {
            for pdf in self.store.documents_of(&sig)? {
                w.add_pdf(sig, &pdf)
                    .map_err(|e| ServiceError::Io(e.to_string()))?;
            }
        }
        let m = w
            .finish(&key)
            .map_err(|e| ServiceError::Io(e.to_string()))?;
        let bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
        log::info!(
            "exported {} events and {} PDFs to {}",
            m.counts.events,
            m.counts.pdfs,
            out.display()
        );
        Ok(BundleExported {
            file: out.display().to_string(),
            destination: dest.map(|d| d.to_string()),
            full,
            events: m.counts.events,
            pdfs: m.counts.pdfs,
            streams: m
                .streams
                .iter()
                .map(|r| {
                    format!(
                        "{}:{}:{} {}..{}",
                        r.node, r.epoch, r.stream, r.first, r.last
                    )
                })
                .collect(),
            bytes,
        })
    }

    /// Reads and verifies a bundle without a database; imports nothing.
    pub fn inspect_bundle(path: &Path) -> Result<BundleInspection> {
        let r = BundleReader::open(path).map_err(bundle_err)?;
        Ok(BundleInspection {
            origin_key_fingerprint: r.fingerprint().to_string(),
            signature: "valid",
            manifest: r.manifest().clone(),
        })
    }

    /// Imports one bundle file: everything is verified before anything changes, each event
    /// is planned (new, duplicate, fork, rejected), and the new ones are applied in one
    /// transaction. A refused bundle changes nothing and is recorded in the security log.
    pub fn import_bundle(
        &mut self,
        s: &mut Session,
        path: &Path,
        accept: Option<&str>,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<ImportSummary> {
        self.authorize(s, Action::ImportBundle)?;
        let file = path.display().to_string();
        match self.import_inner(s, path, accept, progress) {
            Ok(sum) => Ok(sum),
            Err(e) => {
                let at = self.now_str();
                if let Err(le) = self.store.record_security(
                    &at,
                    &s.username,
                    "bundle_refused",
                    &format!("{file}: {e}"),
                ) {
                    log::error!("could not record the refused bundle: {le}");
                }
                Err(e)
            }
        }
    }

    fn import_inner(
        &mut self,
        s: &mut Session,
        path: &Path,
        accept: Option<&str>,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<ImportSummary> {
        let file = path.display().to_string();
        let t0 = std::time::Instant::now();
        // The signature over every byte now; each member's content when it is read, inside
        // the transaction below, which a bad member rolls back.
        let reader = BundleReader::open_checking_members_on_read(path).map_err(bundle_err)?;
        log::debug!(
            "import {}: signature and structure verified in {:?}",
            path.display(),
            t0.elapsed()
        );
        let m = reader.manifest().clone();
        let fp = reader.fingerprint().to_string();
        let me = self.store.node()?;
        if m.study != me.study {
            return Err(refused(format!(
                "the bundle is for study {}, this node holds study {}",
                m.study, me.study
            )));
        }
        if m.origin.node == me.node_id {
            return Err(refused("this bundle was made by this node"));
        }
        let sender = Peer {
            node: m.origin.node,
            role: node_role(&m.origin.role)?,
            site: m.origin.site.clone(),
        };
        let receiver = Peer {
            node: me.node_id,
            role: me.role,
            site: me.site.clone(),
        };
        match (sender.role, receiver.role) {
            (NodeRole::Site, NodeRole::Site) => {
                return Err(refused(
                    "a site imports bundles from the central node only; this one comes from a site node",
                ))
            }
            (NodeRole::Central, NodeRole::Central) => {
                return Err(refused(
                    "the central node imports bundles from site nodes only; this one comes from a central node",
                ))
            }
            _ => {}
        }
        if let Some(d) = m.destination.filter(|d| *d != me.node_id) {
            return Err(refused(format!(
                "the bundle was made for node {d}, not for this node ({})",
                me.node_id
            )));
        }
        if let Some(a) = accept {
            if a.trim() != fp {
                return Err(refused(format!(
                    "the fingerprint given ({}) is not the bundle's key fingerprint {fp}",
                    a.trim()
                )));
            }
        }
        let accept_now = match self.store.node_trust(&m.origin.node)? {
            Some(n) if n.status == "revoked" => {
                return Err(refused(format!(
                    "node {} was revoked on {}{}: its bundles are no longer accepted",
                    n.node,
                    n.revoked_at.unwrap_or_default(),
                    n.reason.map(|r| format!(" ({r})")).unwrap_or_default()
                )))
            }
            Some(n) if n.fingerprint != fp => {
                return Err(refused(format!(
                    "node {} is known with key {} but this bundle is signed by key {fp}",
                    n.node, n.fingerprint
                )))
            }
            Some(_) => false,
            None => {
                let central_key = self.store.central_key()?;
                let preset =
                    sender.role == NodeRole::Central && central_key.as_deref() == Some(&fp);
                if !preset {
                    // Accepting a key is the data manager's or an administrator's decision.
                    if accept.is_some() {
                        self.authorize(s, Action::ManageNodeKeys)?;
                    }
                }
                if accept.is_none() && !preset {
                    return Err(refused(format!(
                        "unknown node {} ({} {}): check its key fingerprint {fp} with the sender and import again with --accept-node {fp}",
                        m.origin.node,
                        m.origin.role,
                        m.origin.site.as_deref().unwrap_or("")
                    )));
                }
                true
            }
        };

        let now = self.now_str();
        let now_ms = self.now_ms();
        let actor = s.actor();
        let total = m.counts.events;
        let known_defs: BTreeMap<String, String> = self
            .defs
            .iter()
            .map(|(v, d)| (v.clone(), d.sha256.clone()))
            .collect();
        let defs = self.defs.clone();
        let today = self.today();
        let mut sum = ImportSummary {
            file: file.clone(),
            status: "imported".into(),
            origin: Some(m.origin.node.to_string()),
            origin_site: m.origin.site.clone(),
            origin_key_fingerprint: Some(fp.clone()),
            accepted_node: accept_now,
            ..Default::default()
        };
        let before_conflicts: u64 = self
            .store
            .conn()
            .query_row("SELECT count(*) FROM conflicts", [], |r| r.get::<_, i64>(0))
            .map_err(ecrf_store::StoreError::from)?
            .max(0) as u64;
        if self.config.backup_before_import {
            self.backup_for("before-import")?;
        }
        let reader = &reader;
        // A larger page cache while the import writes (bounded, and given back after).
        self.store.set_page_cache_kib(IMPORT_PAGE_CACHE_KIB)?;
        let applied = self.store.write(|tx| -> Result<()> {
            if accept_now {
                tx.append_local(
                    &actor,
                    &now,
                    now_ms,
                    vec![Payload::NodeAccepted {
                        node: m.origin.node,
                        fingerprint: fp.clone(),
                        public_key: m.origin.public_key.clone(),
                        role: sender.role,
                        site: m.origin.site.clone(),
                    }],
                )?;
            }
            let mut cache = tx.receive_cache()?;
            // Chain links are made on the reader thread from the streams' heads now.
            let mut ahead =
                tx.chain_ahead(m.streams.iter().map(|r| (r.node, r.epoch, r.stream.as_str())))?;
            let mut staged: BTreeSet<EventId> = BTreeSet::new();
            let mut subjects: BTreeSet<String> = BTreeSet::new();
            let mut max_hlc = Hlc::default();
            let mut new_data = false;
            let mut done = 0u64;
            let known = |v: &str, sha: &str| known_defs.get(v).map(|k| k == sha);
            let t_events = std::time::Instant::now();
            // Two stages on two threads: one reads the bundle (inflate, parse, check each
            // event's hash), the other plans and applies. At most a few members are in memory
            // (the channel holds two), so memory stays bounded whatever the bundle's size.
            //
            // Each chunk applied goes back to the reader, which frees it: the memory is freed
            // by the thread that allocated it (cheaper for the allocator) and the thread that
            // writes, the slower of the two, does not spend its time freeing.
            std::thread::scope(|scope| -> Result<()> {
                let (send, chunks) = std::sync::mpsc::sync_channel(2);
                let (give_back, applied) = std::sync::mpsc::sync_channel::<Vec<Incoming>>(1);
                std::thread::Builder::new()
                    .name("bundle-reader".into())
                    .spawn_scoped(scope, move || {
                        for chunk in reader.event_chunks() {
                            applied.try_iter().for_each(drop);
                            let chunk = chunk.map_err(bundle_err).and_then(|events| {
                                events
                                    .into_iter()
                                    .map(|e| {
                                        let mut inc = Incoming::new(e)?;
                                        ahead.link(&mut inc);
                                        Ok(inc)
                                    })
                                    .collect::<Result<Vec<_>>>()
                            });
                            // A closed channel means the import stopped (an error): stop.
                            if send.send(chunk).is_err() {
                                break;
                            }
                        }
                    })
                    .map_err(|e| ServiceError::Internal(format!("cannot start the bundle reader: {e}")))?;
                for chunk in chunks {
                    let chunk = chunk?;
                    for inc in &chunk {
                        let ev = &inc.event;
                        let held = tx.held_hash_cached(&mut cache, &ev.id)?;
                        match classify(ev, held.as_deref(), || {
                            admissible(ev, &sender, &receiver, &known)
                        }) {
                            Disposition::Duplicate => sum.duplicate += 1,
                            Disposition::Fork { held } => {
                                return Err(refused(format!(
                                    "fork: event {} arrives with hash {} but this node holds it with hash {held}; \
                                     the sending node reused an event id (was it restored from a backup without a new epoch?)",
                                    ev.id, ev.hash
                                )))
                            }
                            Disposition::Rejected { reason } => {
                                return Err(refused(format!("event {}: {reason}", ev.id)))
                            }
                            Disposition::New => {
                                sum.new += 1;
                                let flagged = is_future(ev.hlc, now_ms);
                                if flagged {
                                    sum.future += 1;
                                } else {
                                    max_hlc = max_hlc.max(ev.hlc);
                                }
                                if !matches!(ev.payload, Payload::Acknowledged { .. }) {
                                    new_data = true;
                                }
                                let r = tx.receive(&mut cache, inc, &now, flagged)?;
                                if !r.waiting_for.is_empty() {
                                    staged.insert(ev.id.clone());
                                }
                                for a in r.joined.then_some(ev).into_iter().chain(&r.released) {
                                    if let Some(sub) = a.payload.subject() {
                                        if !subjects.contains(sub.as_str()) {
                                            subjects.insert(sub.to_string());
                                        }
                                    }
                                    if let Payload::DefinitionPublished { version, .. } = &a.payload {
                                        if !known_defs.contains_key(version) {
                                            sum.definitions.push(version.clone());
                                        }
                                    }
                                }
                                for a in &r.released {
                                    staged.remove(&a.id);
                                    sum.released += 1;
                                }
                            }
                        }
                    }
                    tx.flush_received(&mut cache)?;
                    done += chunk.len() as u64;
                    // Freed here only when the reader has stopped or is behind in freeing.
                    let _ = give_back.try_send(chunk);
                    progress(ImportProgress {
                        file: file.clone(),
                        done,
                        total,
                    });
                }
                Ok(())
            })?;
            // Its prepared statements borrow the transaction: done with them.
            drop(cache);
            sum.pending = staged.len() as u64;
            log::debug!("import: {} events planned and applied in {:?}", sum.new + sum.duplicate, t_events.elapsed());
            let t_rest = std::time::Instant::now();
            for pdf in reader.pdfs() {
                let (signature, sha, bytes) = pdf.map_err(bundle_err)?;
                check_signed_pdf(tx, &signature, &sha, &bytes)?;
                let subject = signed_subject(tx, &signature)?;
                if tx.put_document(
                    &signature,
                    subject.as_deref(),
                    &m.origin.node,
                    &bytes,
                    &m.created_at,
                    Some(&now),
                )? {
                    sum.pdfs += 1;
                }
            }
            if max_hlc > Hlc::default() {
                tx.observe_clock(max_hlc, now_ms)?;
            }
            log::debug!("import: PDFs checked in {:?}", t_rest.elapsed());
            let t_derived = std::time::Instant::now();
            for subject in &subjects {
                refresh_derived(tx, &defs, subject, &today)?;
            }
            // Acknowledge what this node now holds of the sender's streams.
            log::debug!("import: derived values of {} subjects refreshed in {:?}", subjects.len(), t_derived.elapsed());
            let heads: BTreeMap<(Uuid, u32, String), u64> = tx
                .streams()?
                .into_iter()
                .map(|st| ((st.node, st.epoch, st.stream), st.last))
                .collect();
            let held = |node: Uuid, epoch: u32, stream: &str| {
                heads
                    .get(&(node, epoch, stream.to_string()))
                    .copied()
                    .unwrap_or(0)
            };
            if new_data {
                let mut acks = Vec::new();
                for r in &m.streams {
                    if let Some(last) = heads.get(&(r.node, r.epoch, r.stream.clone())) {
                        acks.push(Payload::Acknowledged {
                            node: r.node,
                            epoch: r.epoch,
                            stream: r.stream.clone(),
                            up_to: *last,
                        });
                    }
                }
                if !acks.is_empty() {
                    tx.append_local(&actor, &now, now_ms, acks)?;
                }
            }
            for r in &m.streams {
                let held = held(r.node, r.epoch, &r.stream);
                if r.first > held + 1 {
                    sum.gaps.push(format!(
                        "{}:{}:{} missing {}..{}",
                        r.node,
                        r.epoch,
                        r.stream,
                        held + 1,
                        r.first - 1
                    ));
                }
            }
            sum.subjects = subjects.into_iter().collect();
            let after: i64 = tx
                .conn()
                .query_row("SELECT count(*) FROM conflicts", [], |r| r.get(0))
                .map_err(ecrf_store::StoreError::from)?;
            sum.conflicts = (after.max(0) as u64).saturating_sub(before_conflicts);
            tx.record_import(&ImportRow {
                id: 0,
                file: file.clone(),
                sha256: reader.file_sha256().to_string(),
                origin: m.origin.node.to_string(),
                origin_site: m.origin.site.clone(),
                created_at: m.created_at.clone(),
                imported_at: now.clone(),
                imported_by: actor.username.clone(),
                summary: serde_json::to_value(&sum)
                    .map_err(|e| ServiceError::Internal(e.to_string()))?,
            })?;
            Ok(())
        });
        let restored = self
            .store
            .set_page_cache_kib(ecrf_store::DEFAULT_PAGE_CACHE_KIB);
        // The import's own error first, if it failed.
        applied?;
        restored?;
        if !sum.definitions.is_empty() {
            self.reload_definitions()?;
        }
        log::info!(
            "imported {}: {} new, {} duplicate, {} pending",
            file,
            sum.new,
            sum.duplicate,
            sum.pending
        );
        Ok(sum)
    }

    /// Loads definition versions received since this node was opened; the last published
    /// becomes current.
    fn reload_definitions(&mut self) -> Result<()> {
        let fresh = Ecrf::load_definitions(&self.store)?;
        self.defs = fresh.0;
        self.current = fresh.1;
        Ok(())
    }

    /// The nodes this node trusts or revoked, with what was exchanged.
    pub fn nodes(&mut self, s: &mut Session) -> Result<Vec<NodeView>> {
        self.authorize(s, Action::ViewData)?;
        let me = self.store.node()?;
        let streams = self.store.streams()?;
        self.store
            .nodes()?
            .into_iter()
            .map(|n| {
                let id: Uuid = n
                    .node
                    .parse()
                    .map_err(|_| ServiceError::Integrity(format!("stored node id {}", n.node)))?;
                let received = streams
                    .iter()
                    .filter(|st| st.node == id)
                    .map(|st| format!("{}:{} up to {}", st.epoch, st.stream, st.last))
                    .collect();
                let mut acknowledged = Vec::new();
                for st in streams.iter().filter(|st| st.node == me.node_id) {
                    let a = self.store.acked(&id, &st.node, st.epoch, &st.stream)?;
                    if a > 0 {
                        acknowledged.push(format!(
                            "{}:{} up to {a} of {}",
                            st.epoch, st.stream, st.last
                        ));
                    }
                }
                Ok(NodeView {
                    node: n.node,
                    fingerprint: n.fingerprint,
                    role: n.role,
                    site: n.site,
                    status: n.status,
                    accepted_at: n.accepted_at,
                    accepted_by: n.accepted_by,
                    revoked_at: n.revoked_at,
                    reason: n.reason,
                    received,
                    acknowledged,
                })
            })
            .collect()
    }

    /// Revokes a node's key (a lost laptop): its bundles are refused from now on; what was
    /// imported from it stays.
    pub fn revoke_node(&mut self, s: &mut Session, node: &str, reason: &str) -> Result<NodeView> {
        self.authorize(s, Action::ManageNodeKeys)?;
        let reason = reason.trim();
        if reason.is_empty()
            || reason.chars().count() > 1000
            || reason.chars().any(char::is_control)
        {
            return Err(ServiceError::InvalidInput(
                "revoking a node needs a reason (at most 1000 printable characters)".into(),
            ));
        }
        let id = Uuid::parse_str(node)
            .map_err(|_| ServiceError::InvalidInput(format!("{node:?} is not a node id")))?;
        let n = self
            .store
            .node_trust(&id)?
            .ok_or_else(|| ServiceError::NotFound(format!("node {node}")))?;
        if n.status == "revoked" {
            return Err(ServiceError::InvalidInput(format!(
                "node {node} is already revoked"
            )));
        }
        let now = self.now_str();
        let now_ms = self.now_ms();
        let actor = s.actor();
        self.store.write(|tx| -> Result<()> {
            tx.append_local(
                &actor,
                &now,
                now_ms,
                vec![Payload::NodeRevoked {
                    node: id,
                    site: n.site.clone(),
                    reason: reason.to_string(),
                }],
            )?;
            Ok(())
        })?;
        self.nodes(s)?
            .into_iter()
            .find(|v| v.node == node)
            .ok_or_else(|| ServiceError::NotFound(format!("node {node}")))
    }

    pub fn import_history(&mut self, s: &mut Session) -> Result<Vec<ImportRecord>> {
        self.authorize(s, Action::ViewData)?;
        Ok(self
            .store
            .imports()?
            .into_iter()
            .map(|r| ImportRecord {
                file: r.file,
                sha256: r.sha256,
                origin: r.origin,
                origin_site: r.origin_site,
                created_at: r.created_at,
                imported_at: r.imported_at,
                imported_by: r.imported_by,
                summary: r.summary,
            })
            .collect())
    }

    /// Items in conflict (all, or one subject's).
    pub fn conflicts(
        &mut self,
        s: &mut Session,
        subject: Option<&str>,
    ) -> Result<Vec<ConflictView>> {
        self.authorize(s, Action::ViewData)?;
        let subject = subject.map(SubjectId::parse).transpose()?;
        self.store
            .conflicts(subject.as_ref().map(|s| s.as_str()))?
            .into_iter()
            .map(conflict_view)
            .collect()
    }

    /// The data manager's resolution of a conflict: the value chosen (one of the competing
    /// values or another), with a reason. It is a change event that supersedes every
    /// competing version and travels back to the site.
    pub fn resolve_conflict(
        &mut self,
        s: &mut Session,
        item: &ItemRef,
        chosen: Json,
        reason: &str,
    ) -> Result<ConflictView> {
        self.authorize(s, Action::ResolveConflict)?;
        let reason = reason.trim();
        if reason.is_empty()
            || reason.chars().count() > 1000
            || reason.chars().any(char::is_control)
        {
            return Err(ServiceError::InvalidInput(
                "a resolution needs a reason (at most 1000 printable characters)".into(),
            ));
        }
        self.refuse_if_locked(&item.form)?;
        let key = item.key();
        let conflict = self
            .store
            .conflicts(Some(item.form.subject.as_str()))?
            .into_iter()
            .find(|c| c.key == key)
            .ok_or_else(|| ServiceError::NotFound(format!("a conflict on {key}")))?;
        let state = self
            .store
            .form_state(&item.form)?
            .ok_or_else(|| ServiceError::NotFound(format!("form {}", item.form.key())))?;
        let def = self.definition_version(&state.definition)?;
        let form = def
            .form(&item.form.form)
            .ok_or_else(|| ServiceError::NotFound(item.form.form.clone()))?;
        let chosen = crate::forms::check_item_value(def, form, &item.group, &item.item, &chosen)?;
        let candidates: Vec<EventId> = conflict
            .versions
            .iter()
            .map(|v| {
                v.event_id
                    .parse()
                    .map_err(|_| ServiceError::Integrity(format!("stored event id {}", v.event_id)))
            })
            .collect::<Result<_>>()?;
        let now = self.now_str();
        let now_ms = self.now_ms();
        let actor = s.actor();
        let today = self.today();
        let defs = self.defs.clone();
        let subject = item.form.subject.to_string();
        self.store.write(|tx| -> Result<()> {
            tx.append_local(
                &actor,
                &now,
                now_ms,
                vec![Payload::ConflictResolved {
                    item: item.clone(),
                    candidates,
                    chosen,
                    reason: reason.to_string(),
                }],
            )?;
            refresh_derived(tx, &defs, &subject, &today)?;
            Ok(())
        })?;
        Ok(ConflictView {
            key: key.clone(),
            subject: item.form.subject.to_string(),
            item: item.clone(),
            versions: Vec::new(),
        })
    }

    /// A digest of the clinical state (see `Store::state_digest`).
    pub fn state_digest(&self, site: Option<&str>) -> Result<String> {
        Ok(self.store.state_digest(site)?)
    }
}

fn conflict_view(c: ConflictRow) -> Result<ConflictView> {
    let item = ItemRef::from_key(&c.key)
        .ok_or_else(|| ServiceError::Integrity(format!("stored item key {}", c.key)))?;
    Ok(ConflictView {
        key: c.key,
        subject: c.subject,
        item,
        versions: c
            .versions
            .into_iter()
            .map(|v| ConflictVersionView {
                event_id: v.event_id,
                value: v.value,
                username: v.username,
                captured_at: v.captured_at,
                imported_at: v.imported_at,
                resolution: v.resolution,
                flagged: v.flagged,
                shown: v.shown,
            })
            .collect(),
    })
}

/// A received signed PDF must be intact, cover the whole file, and belong to a signature this
/// node holds.
fn check_signed_pdf(tx: &Tx, signature: &Uuid, sha: &str, bytes: &[u8]) -> Result<()> {
    let check = ecrf_pdf::sign::verify_pdf(bytes)
        .map_err(|e| refused(format!("signed PDF {sha} is not a signed PDF: {e}")))?;
    if !check.intact || !check.covers_whole_file {
        return Err(refused(format!(
            "signed PDF {sha} does not verify: {}",
            check.problem.unwrap_or_default()
        )));
    }
    if !tx.holds_signature_event(signature)? {
        return Err(refused(format!(
            "signed PDF {sha} belongs to signature {signature}, which is neither in the bundle nor on this node"
        )));
    }
    Ok(())
}

fn signed_subject(tx: &Tx, signature: &Uuid) -> Result<Option<String>> {
    Ok(tx
        .conn()
        .query_row(
            "SELECT subject FROM signatures WHERE signature = ?1",
            [signature.to_string()],
            |r| r.get(0),
        )
        .ok()
        .flatten())
}

/// Recomputes the derived values of every form of a subject from the current values.
pub(crate) fn refresh_derived(
    tx: &mut Tx,
    defs: &BTreeMap<String, Definition>,
    subject: &str,
    today: &str,
) -> Result<()> {
    let subject = SubjectId::parse(subject)?;
    let forms = tx.subject_forms(&subject)?;
    let mut updates = Vec::new();
    for state in forms {
        let Some(def) = defs.get(&state.definition) else {
            continue;
        };
        let Some(form) = def.form(&state.form.form) else {
            continue;
        };
        if form.derived.is_empty() && state.derived.as_array().is_some_and(Vec::is_empty) {
            // Nothing to derive, nothing derived before: most forms.
            continue;
        }
        let values = tx.form_value_map(&state.form)?;
        let view = TxView {
            tx,
            subject: &subject,
            today: today.to_string(),
        };
        let derived = ecrf_core::derive::derive_form(def, form, &values, &view);
        updates.push((
            state.form,
            serde_json::to_value(&derived).map_err(|e| ServiceError::Internal(e.to_string()))?,
        ));
    }
    for (f, d) in updates {
        tx.set_derived(&f, &d)?;
    }
    Ok(())
}
