//! Property: random edit histories on 2–5 nodes (the central node and 1–4 site nodes, two
//! sites with two laptops each at most), exchanged as bundles in random orders, with
//! duplicates, losses and resends, incremental, full and range bundles, and data manager
//! resolutions, converge: after a final exchange every node holding a site's data has the
//! same state digest for it as the central node, nothing waits, nothing was lost, and every
//! log verifies.
//!
//! `ECRF_PROP_CASES` sets the number of cases (default 12; the long run uses more).

mod common;

use common::Node;
use ecrf_core::address::ItemRef;
use proptest::prelude::*;
use serde_json::json;
use std::path::PathBuf;

#[derive(Debug, Clone)]
enum Mode {
    Incremental,
    Full,
    Since(u64),
}

#[derive(Debug, Clone)]
enum Op {
    Edit {
        node: usize,
        subject: usize,
        item: usize,
        value: usize,
    },
    SiteSends {
        node: usize,
        mode: Mode,
    },
    CentralSends {
        node: usize,
        mode: Mode,
    },
    /// Import a bundle waiting for `to` (usize::MAX: the central node); keep it to deliver
    /// it again later.
    Deliver {
        to: usize,
        pick: usize,
        keep: bool,
    },
    Lose {
        to: usize,
        pick: usize,
    },
    Resolve {
        pick: usize,
        value: usize,
    },
}

fn mode() -> impl Strategy<Value = Mode> {
    prop_oneof![
        4 => Just(Mode::Incremental),
        1 => Just(Mode::Full),
        1 => (1u64..40).prop_map(Mode::Since),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (0usize..4, 0usize..4, 0usize..2, 0usize..4)
            .prop_map(|(node, subject, item, value)| Op::Edit { node, subject, item, value }),
        2 => (0usize..4, mode()).prop_map(|(node, mode)| Op::SiteSends { node, mode }),
        2 => (0usize..4, mode()).prop_map(|(node, mode)| Op::CentralSends { node, mode }),
        4 => (prop_oneof![Just(usize::MAX), 0usize..4], 0usize..8, any::<bool>())
            .prop_map(|(to, pick, keep)| Op::Deliver { to, pick, keep }),
        1 => (prop_oneof![Just(usize::MAX), 0usize..4], 0usize..8)
            .prop_map(|(to, pick)| Op::Lose { to, pick }),
        1 => (0usize..4, 0usize..4).prop_map(|(pick, value)| Op::Resolve { pick, value }),
    ]
}

const LAPTOPS: [(&str, &str); 4] = [("a", "S01"), ("b", "S02"), ("c", "S01"), ("d", "S02")];
const ITEMS: [&str; 2] = ["WEIGHT", "HEIGHT"];
const VALUES: [f64; 4] = [55.5, 60.5, 70.5, 80.5];

fn subjects_of(site: &str) -> [String; 2] {
    [format!("{site}-001"), format!("{site}-002")]
}

fn run(sites: usize, ops: Vec<Op>) {
    let dir = tempfile::tempdir().unwrap();
    let (mut central, mut nodes) = common::joined(dir.path(), &LAPTOPS[..sites]);
    // The first laptop of each site enrols its subjects; everyone learns of them.
    for (i, n) in nodes.iter_mut().enumerate() {
        let site = LAPTOPS[i].1;
        if !LAPTOPS[..i].iter().any(|(_, s)| *s == site) {
            for s in subjects_of(site) {
                n.enrol(&s);
            }
        }
    }
    exchange_all(&mut central, &mut nodes);

    let mut central_inbox: Vec<PathBuf> = Vec::new();
    let mut inboxes: Vec<Vec<PathBuf>> = vec![Vec::new(); sites];
    for op in ops {
        match op {
            Op::Edit {
                node,
                subject,
                item,
                value,
            } => {
                let n = &mut nodes[node % sites];
                n.clock.advance_ms(1_000);
                let site = n.e.node_summary().unwrap().site.unwrap();
                let subject = &subjects_of(&site)[subject % 2];
                if n.e
                    .store()
                    .subject_exists(&ecrf_core::ids::SubjectId::parse(subject).unwrap())
                    .unwrap()
                {
                    n.set(subject, ITEMS[item], json!(VALUES[value])).unwrap();
                }
            }
            Op::SiteSends { node, mode } => {
                let n = &mut nodes[node % sites];
                let p = match mode {
                    Mode::Incremental => n.export(None, false),
                    Mode::Full => n.export(None, true),
                    Mode::Since(k) => n.export_since(None, false, Some(k)),
                };
                central_inbox.push(p);
            }
            Op::CentralSends { node, mode } => {
                let i = node % sites;
                let id = nodes[i].id();
                let p = match mode {
                    Mode::Incremental => central.export(Some(&id), false),
                    Mode::Full => central.export(Some(&id), true),
                    Mode::Since(k) => central.export_since(Some(&id), false, Some(k)),
                };
                inboxes[i].push(p);
            }
            Op::Deliver { to, pick, keep } => {
                let (inbox, node) = if to == usize::MAX {
                    (&mut central_inbox, &mut central)
                } else {
                    (&mut inboxes[to % sites], &mut nodes[to % sites])
                };
                if inbox.is_empty() {
                    continue;
                }
                let i = pick % inbox.len();
                let p = if keep {
                    inbox[i].clone()
                } else {
                    inbox.remove(i)
                };
                let sum = node
                    .import(&p, None)
                    .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
                assert_eq!(sum.status, "imported");
            }
            Op::Lose { to, pick } => {
                let inbox = if to == usize::MAX {
                    &mut central_inbox
                } else {
                    &mut inboxes[to % sites]
                };
                if !inbox.is_empty() {
                    let i = pick % inbox.len();
                    inbox.remove(i);
                }
            }
            Op::Resolve { pick, value } => {
                let conflicts = central.e.conflicts(&mut central.user, None).unwrap();
                if conflicts.is_empty() {
                    continue;
                }
                let c = &conflicts[pick % conflicts.len()];
                let chosen = c.versions[value % c.versions.len()].value.clone();
                let item = ItemRef::from_key(&c.key).unwrap();
                central
                    .e
                    .resolve_conflict(&mut central.user, &item, chosen, "checked with the source")
                    .unwrap();
            }
        }
    }
    // Whatever is still in transit may arrive late, after the final exchange: deliver it first.
    for p in central_inbox.drain(..) {
        central.import(&p, None).unwrap();
    }
    exchange_all(&mut central, &mut nodes);
    exchange_all(&mut central, &mut nodes);

    for n in &nodes {
        let site = n.e.node_summary().unwrap().site.unwrap();
        assert_eq!(
            n.digest(Some(&site)),
            central.digest(Some(&site)),
            "{} and the central node disagree on {site}",
            n.name
        );
        assert_eq!(n.e.store().pending_count().unwrap(), 0, "{}", n.name);
        n.verify_ok();
        // Nothing lost: the central node holds every event the laptop wrote.
        let own = n.e.node_summary().unwrap().node_id;
        let mine: Vec<_> =
            n.e.store()
                .streams()
                .unwrap()
                .into_iter()
                .filter(|s| s.node.to_string() == own)
                .collect();
        let at_central = central.e.store().streams().unwrap();
        for s in mine {
            assert!(at_central.contains(&s), "{}: central lacks {s:?}", n.name);
        }
    }
    assert_eq!(central.e.store().pending_count().unwrap(), 0);
    central.verify_ok();
}

/// Every laptop sends everything; the central node imports it; every laptop receives
/// everything for its site.
fn exchange_all(central: &mut Node, nodes: &mut [Node]) {
    for n in nodes.iter_mut() {
        let b = n.export(None, true);
        central.import(&b, None).unwrap();
    }
    for n in nodes.iter_mut() {
        let id = n.id();
        let b = central.export(Some(&id), true);
        n.import(&b, None).unwrap();
    }
}

fn cases() -> u32 {
    std::env::var("ECRF_PROP_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 64, ..ProptestConfig::default() })]
    #[test]
    fn random_histories_converge(sites in 1usize..=4, ops in proptest::collection::vec(op(), 5..30)) {
        run(sites, ops);
    }
}
