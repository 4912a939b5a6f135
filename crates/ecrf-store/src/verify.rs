//! `audit verify`: recomputes every event hash and every stream's hash chain, reports gaps
//! apart from broken links, and checks the projections against a replay of the log.

use crate::log::from_row;
use crate::{Result, Store};
use ecrf_core::canonical::{chain_link, GENESIS};
use ecrf_core::event::{EventId, Payload};
use ecrf_core::hlc::Hlc;
use ecrf_core::merge::{resolve, Version};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Broken {
    /// The event id (`node:epoch:stream:seq`), or the projection key.
    pub at: String,
    pub problem: String,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct VerifyReport {
    pub events: u64,
    pub streams: u64,
    /// Hashes or links that do not hold, in log order; the first is where tampering starts.
    pub broken: Vec<Broken>,
    /// Missing sequence ranges of streams received from other nodes (not tampering).
    pub gaps: Vec<String>,
    /// Current values that differ from a replay of the log.
    pub projection: Vec<Broken>,
    /// Received events waiting for a missing range or base (not tampering: it has not
    /// arrived yet).
    pub pending: Vec<String>,
    /// Whether the database's append-only triggers are in place.
    pub triggers_intact: bool,
    /// Digest of the clinical state: two nodes that applied the same events show the same.
    pub digest: String,
    /// The same, per site's subjects: a site node and the central node agree on their site.
    pub site_digests: BTreeMap<String, String>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.broken.is_empty() && self.projection.is_empty() && self.triggers_intact
    }
}

impl Store {
    pub fn verify(&self) -> Result<VerifyReport> {
        let mut rep = VerifyReport::default();
        let triggers: i64 = self.conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ('events_no_update', 'events_no_delete')",
            [],
            |r| r.get(0),
        )?;
        rep.triggers_intact = triggers == 2;
        if !rep.triggers_intact {
            rep.broken.push(Broken {
                at: "schema".into(),
                problem: "the append-only triggers of the change log have been removed".into(),
            });
        }

        // Each stream in sequence order: (node, epoch, stream) -> (last seq, last chain).
        let mut heads: BTreeMap<(String, u32, String), (u64, String)> = BTreeMap::new();
        let mut stmt = self.conn.prepare(
            "SELECT rowid, node, epoch, stream, seq, hlc, user_id, username, captured_at, imported_at, payload, hash, chain \
             FROM events ORDER BY node, epoch, stream, seq",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            rep.events += 1;
            let se = match from_row(r) {
                Ok(se) => se,
                Err(e) => {
                    let at: i64 = r.get(0)?;
                    rep.broken.push(Broken {
                        at: format!("rowid {at}"),
                        problem: format!("unreadable event: {e}"),
                    });
                    continue;
                }
            };
            let ev = &se.event;
            let id = ev.id.to_string();
            if !ev.hash_is_valid() {
                rep.broken.push(Broken {
                    at: id.clone(),
                    problem: "content does not match its hash (changed after it was written)"
                        .into(),
                });
            }
            let key = (ev.id.node.to_string(), ev.id.epoch, ev.id.stream.clone());
            let (prev_seq, prev_chain) =
                heads.get(&key).cloned().unwrap_or((0, GENESIS.to_string()));
            if ev.id.seq != prev_seq + 1 {
                rep.gaps.push(format!(
                    "{}:{}:{} missing {}..{}",
                    key.0,
                    key.1,
                    key.2,
                    prev_seq + 1,
                    ev.id.seq - 1
                ));
                // After a gap the chain cannot be followed; trust the stored link to go on.
            } else if chain_link(&prev_chain, &ev.hash) != se.chain {
                rep.broken.push(Broken {
                    at: id.clone(),
                    problem: "hash chain broken: this event does not follow its predecessor".into(),
                });
            }
            heads.insert(key, (ev.id.seq, se.chain.clone()));
        }
        rep.streams = heads.len() as u64;
        drop(rows);
        drop(stmt);
        self.verify_projection(&mut rep)?;
        rep.digest = self.state_digest(None)?;
        let sites: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare("SELECT DISTINCT site FROM subjects ORDER BY site")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for site in sites {
            let d = self.state_digest(Some(&site))?;
            rep.site_digests.insert(site, d);
        }
        Ok(rep)
    }

    /// Replays the value events of the log through the merge policy and compares the shown
    /// value of every item with the current-value projection.
    fn verify_projection(&self, rep: &mut VerifyReport) -> Result<()> {
        let mut versions: BTreeMap<String, Vec<Version>> = BTreeMap::new();
        let mut stmt = self.conn.prepare(
            "SELECT node, epoch, stream, seq, hlc, payload, rowid IN (SELECT event_rowid FROM future_events) \
             FROM events WHERE kind IN ('value_set', 'conflict_resolved') ORDER BY rowid",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let p: String = r.get(5)?;
            let node: String = r.get(0)?;
            let Ok(node) = node.parse() else { continue };
            let id = EventId {
                node,
                epoch: r.get(1)?,
                stream: r.get(2)?,
                seq: r.get::<_, i64>(3)? as u64,
            };
            let (item, value, resolution, refs) = match serde_json::from_str::<Payload>(&p) {
                Ok(
                    ref payload @ Payload::ValueSet {
                        ref item, ref new, ..
                    },
                ) => (item.clone(), new.clone(), false, payload.refs()),
                Ok(
                    ref payload @ Payload::ConflictResolved {
                        ref item,
                        ref chosen,
                        ..
                    },
                ) => (item.clone(), chosen.clone(), true, payload.refs()),
                _ => continue,
            };
            versions.entry(item.key()).or_default().push(Version {
                id,
                hlc: Hlc(r.get::<_, i64>(4)? as u64),
                resolution,
                flagged: r.get(6)?,
                refs,
                value,
            });
        }
        let replay: BTreeMap<String, String> = versions
            .iter()
            .filter_map(|(k, vs)| {
                resolve(vs).map(|st| (k.clone(), serde_json::to_string(&st.shown.value)))
            })
            .map(|(k, v)| v.map(|v| (k, v)))
            .collect::<std::result::Result<_, _>>()?;
        let mut stmt = self.conn.prepare("SELECT key, value FROM item_values")?;
        let mut rows = stmt.query([])?;
        let mut seen = 0usize;
        while let Some(r) = rows.next()? {
            let key: String = r.get(0)?;
            let value: String = r.get(1)?;
            seen += 1;
            match replay.get(&key) {
                Some(v) if *v == value => {}
                Some(v) => rep.projection.push(Broken {
                    at: key,
                    problem: format!("current value {value} differs from the log's {v}"),
                }),
                None => rep.projection.push(Broken {
                    at: key,
                    problem: "current value has no event in the log".into(),
                }),
            }
        }
        if seen < replay.len() {
            rep.projection.push(Broken {
                at: "item_values".into(),
                problem: format!(
                    "{} values of the log are missing from the current values",
                    replay.len() - seen
                ),
            });
        }
        for p in self.pending()? {
            let why = if p.first_waiting > p.missing_from {
                format!("missing {}..{}", p.missing_from, p.first_waiting - 1)
            } else {
                "the values they were written on have not arrived".to_string()
            };
            rep.pending.push(format!(
                "{}:{}:{} {} events wait ({why})",
                p.node, p.epoch, p.stream, p.waiting
            ));
        }
        Ok(())
    }
}
