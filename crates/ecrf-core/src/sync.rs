//! The pure part of importing a bundle: what each received event is (new, duplicate, fork,
//! rejected) and which events a node may receive from whom. The store applies the plan.
//!
//! Who sends what:
//! * a site node sends the central node its own events only (its streams, named after its
//!   site), about its own site's subjects;
//! * the central node sends a site node the central streams of that site and `ALL`, and relays
//!   the events of the site's other nodes (a second laptop, a replaced one), never another
//!   site's subjects.

use crate::event::{ChangeEvent, EventId, Payload, STREAM_ALL};
use crate::roles::NodeRole;
use serde::Serialize;
use uuid::Uuid;

/// A node as a bundle names it.
#[derive(Debug, Clone, PartialEq)]
pub struct Peer {
    pub node: Uuid,
    pub role: NodeRole,
    pub site: Option<String>,
}

/// What the plan decided for one received event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "disposition", rename_all = "snake_case")]
pub enum Disposition {
    /// Not held yet: it will be stored (applied now, or pending until what it was written on
    /// arrives).
    New,
    /// Already held with the same hash.
    Duplicate,
    /// Held with another hash: the origin reused an event id. The bundle is refused.
    Fork { held: String },
    /// Not something this node may receive from this sender. The bundle is refused.
    Rejected { reason: String },
}

/// The kinds of event only the central node writes.
fn central_only(p: &Payload) -> bool {
    matches!(
        p,
        Payload::QueryClosed { .. }
            | Payload::QueryReopened { .. }
            | Payload::Locked { .. }
            | Payload::Unlocked { .. }
            | Payload::ConflictResolved { .. }
            | Payload::NodeRevoked { .. }
    )
}

/// Whether `receiver` may take `ev` from a bundle made by `sender`. `known_definition`
/// tells whether a definition version is already known with the same text (sites publish the
/// built-in one when they are set up; only the central node publishes new ones).
pub fn admissible(
    ev: &ChangeEvent,
    sender: &Peer,
    receiver: &Peer,
    known_definition: &dyn Fn(&str, &str) -> Option<bool>,
) -> Result<(), String> {
    let author_is_sender = ev.id.node == sender.node;
    let author_role = if author_is_sender {
        sender.role
    } else {
        NodeRole::Site
    };
    let subject_site = ev.payload.subject().map(|s| s.site().to_string());
    match (sender.role, receiver.role) {
        (NodeRole::Site, NodeRole::Central) => {
            if !author_is_sender {
                return Err("a site node may send only its own events".into());
            }
            if Some(&ev.id.stream) != sender.site.as_ref() {
                return Err(format!(
                    "a site node of {} wrote in stream {}",
                    sender.site.as_deref().unwrap_or("?"),
                    ev.id.stream
                ));
            }
        }
        (NodeRole::Central, NodeRole::Site) => {
            let site = receiver.site.as_deref().unwrap_or_default();
            if author_is_sender {
                if ev.id.stream != site && ev.id.stream != STREAM_ALL {
                    return Err(format!(
                        "stream {} of the central node is not for site {site}",
                        ev.id.stream
                    ));
                }
            } else if ev.id.stream != site {
                return Err(format!("stream {} is not for site {site}", ev.id.stream));
            }
        }
        (NodeRole::Site, NodeRole::Site) => {
            return Err("a site imports bundles from the central node only".into())
        }
        (NodeRole::Central, NodeRole::Central) => {
            return Err("the central node imports bundles from site nodes only".into())
        }
    }
    let stream_site = (ev.id.stream != STREAM_ALL).then(|| ev.id.stream.clone());
    if let Some(s) = &subject_site {
        if Some(s) != stream_site.as_ref() {
            return Err(format!(
                "subject of site {s} in stream {}: a stream carries only its own site's subjects",
                ev.id.stream
            ));
        }
    }
    if author_role == NodeRole::Site && central_only(&ev.payload) {
        return Err(format!(
            "a site node cannot write a {} event",
            ev.payload.kind()
        ));
    }
    if let Payload::DefinitionPublished {
        version, sha256, ..
    } = &ev.payload
    {
        match known_definition(version, sha256) {
            Some(true) => {}
            Some(false) => {
                return Err(format!(
                    "definition version {version} arrives with a text other than the one this node holds"
                ))
            }
            None if author_role == NodeRole::Site => {
                return Err(format!(
                    "a site node cannot publish definition version {version}"
                ))
            }
            None => {}
        }
    }
    Ok(())
}

/// The disposition of one event, given the hash this node holds under its id (if any).
pub fn classify(
    ev: &ChangeEvent,
    held: Option<&str>,
    admissible: impl FnOnce() -> Result<(), String>,
) -> Disposition {
    match held {
        Some(h) if h == ev.hash => Disposition::Duplicate,
        Some(h) => Disposition::Fork {
            held: h.to_string(),
        },
        None => match admissible() {
            Ok(()) => Disposition::New,
            Err(reason) => Disposition::Rejected { reason },
        },
    }
}

/// What an event must wait for before it is applied: its predecessor in its stream and the
/// value events it was written on.
pub fn dependencies(ev: &ChangeEvent) -> Vec<EventId> {
    let mut deps = Vec::new();
    if ev.id.seq > 1 {
        deps.push(EventId {
            seq: ev.id.seq - 1,
            ..ev.id.clone()
        });
    }
    deps.extend(ev.payload.refs());
    deps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::FormRef;
    use crate::event::{Actor, EventContent};
    use crate::hlc::Hlc;
    use crate::ids::SubjectId;
    use serde_json::json;

    fn peer(n: u128, role: NodeRole, site: Option<&str>) -> Peer {
        Peer {
            node: Uuid::from_u128(n),
            role,
            site: site.map(str::to_string),
        }
    }

    fn ev(node: u128, stream: &str, seq: u64, payload: Payload) -> ChangeEvent {
        EventContent {
            id: EventId {
                node: Uuid::from_u128(node),
                epoch: 1,
                stream: stream.into(),
                seq,
            },
            hlc: Hlc::new(1_000, 0),
            actor: Actor {
                user_id: Uuid::nil(),
                username: "u".into(),
            },
            captured_at: "2026-01-01T00:00:00.000Z".into(),
            payload,
        }
        .seal()
        .unwrap()
    }

    fn value(subject: &str) -> Payload {
        let f = FormRef::new(SubjectId::parse(subject).unwrap(), "SCR", 1, "DM", 1).unwrap();
        Payload::ValueSet {
            item: f.item("MAIN", 1, "SEX"),
            old: json!(null),
            new: json!("F"),
            base: None,
            reason: None,
            definition_version: "1.0".into(),
        }
    }

    fn close(subject: &str) -> Payload {
        Payload::QueryClosed {
            query: Uuid::nil(),
            subject: SubjectId::parse(subject).unwrap(),
            text: "ok".into(),
        }
    }

    fn def(version: &str) -> Payload {
        Payload::DefinitionPublished {
            study: "X".into(),
            version: version.into(),
            sha256: "abc".into(),
            files: Default::default(),
        }
    }

    /// (case, event, sender, receiver, expected error fragment or None), from the rules above.
    #[test]
    fn who_may_send_what() {
        let site1 = peer(1, NodeRole::Site, Some("S01"));
        let site1b = peer(4, NodeRole::Site, Some("S01"));
        let site2 = peer(2, NodeRole::Site, Some("S02"));
        let central = peer(3, NodeRole::Central, None);
        let cases: Vec<(&str, ChangeEvent, &Peer, &Peer, Option<&str>)> = vec![
            (
                "site value to central",
                ev(1, "S01", 1, value("S01-001")),
                &site1,
                &central,
                None,
            ),
            (
                "site relays another node",
                ev(4, "S01", 1, value("S01-001")),
                &site1,
                &central,
                Some("only its own events"),
            ),
            (
                "site writes another site's subject",
                ev(1, "S01", 1, value("S02-001")),
                &site1,
                &central,
                Some("only its own site's subjects"),
            ),
            (
                "site writes in a foreign stream",
                ev(1, "S02", 1, value("S02-001")),
                &site1,
                &central,
                Some("wrote in stream S02"),
            ),
            (
                "site closes a query",
                ev(1, "S01", 1, close("S01-001")),
                &site1,
                &central,
                Some("cannot write a query_closed"),
            ),
            (
                "site publishes its built-in definition",
                ev(1, "S01", 1, def("1.0")),
                &site1,
                &central,
                None,
            ),
            (
                "site publishes a new definition",
                ev(1, "S01", 1, def("9.9")),
                &site1,
                &central,
                Some("cannot publish"),
            ),
            (
                "site to site",
                ev(1, "S01", 1, value("S01-001")),
                &site1,
                &site2,
                Some("from the central node only"),
            ),
            (
                "central to central",
                ev(3, "S01", 1, value("S01-001")),
                &central,
                &central,
                Some("from site nodes only"),
            ),
            (
                "central closes a query at the site",
                ev(3, "S01", 1, close("S01-001")),
                &central,
                &site1,
                None,
            ),
            (
                "central publishes a definition to all",
                ev(3, "ALL", 1, def("9.9")),
                &central,
                &site1,
                None,
            ),
            (
                "central sends another site's stream",
                ev(3, "S02", 1, close("S02-001")),
                &central,
                &site1,
                Some("not for site S01"),
            ),
            (
                "central relays the site's other node",
                ev(4, "S01", 1, value("S01-001")),
                &central,
                &site1,
                None,
            ),
            (
                "central relays another site's node",
                ev(2, "S02", 1, value("S02-001")),
                &central,
                &site1,
                Some("not for site S01"),
            ),
            (
                "relayed site event cannot close queries",
                ev(4, "S01", 1, close("S01-001")),
                &central,
                &site1b,
                Some("cannot write a query_closed"),
            ),
            (
                "central subject in ALL",
                ev(3, "ALL", 1, close("S01-001")),
                &central,
                &site1,
                Some("only its own site's subjects"),
            ),
            (
                "definition text differs",
                ev(3, "ALL", 1, def("1.0")),
                &central,
                &site1,
                None,
            ),
        ];
        let known = |v: &str, sha: &str| (v == "1.0").then_some(sha == "abc");
        for (name, e, s, r, want) in cases {
            let got = admissible(&e, s, r, &known);
            match want {
                None => assert!(got.is_ok(), "{name}: {got:?}"),
                Some(frag) => {
                    let err = got.expect_err(name);
                    assert!(err.contains(frag), "{name}: {err}");
                }
            }
        }
        let other_text = |_: &str, _: &str| Some(false);
        assert!(
            admissible(&ev(3, "ALL", 1, def("1.0")), &central, &site1, &other_text)
                .unwrap_err()
                .contains("text other than")
        );
    }

    #[test]
    fn classify_and_dependencies() {
        let e = ev(1, "S01", 3, value("S01-001"));
        assert_eq!(
            classify(&e, Some(&e.hash), || Ok(())),
            Disposition::Duplicate
        );
        assert_eq!(
            classify(&e, Some("other"), || Ok(())),
            Disposition::Fork {
                held: "other".into()
            }
        );
        assert_eq!(classify(&e, None, || Ok(())), Disposition::New);
        assert_eq!(
            classify(&e, None, || Err("no".into())),
            Disposition::Rejected {
                reason: "no".into()
            }
        );
        let deps = dependencies(&e);
        assert_eq!(deps.len(), 1);
        assert_eq!(deps[0].seq, 2);
        assert!(dependencies(&ev(1, "S01", 1, value("S01-001"))).is_empty());
    }
}
