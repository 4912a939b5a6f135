//! Every event of two realistic databases hashes to the bytes of `serde_json_canonicalizer`,
//! the reference RFC 8785 implementation, applied to the event's content as a JSON value: the
//! check that the direct canonical writer of `ecrf_core::canonical` writes what RFC 8785 says
//! for every kind of event the app makes. The databases: a central node that imported two demo
//! sites (accepted nodes, acknowledgements), and the export tests' site (edits with reasons,
//! special values, an override, queries and their answers, signatures, source verification).

mod common;
#[path = "fixtures/export/site.rs"]
mod site;

use common::Node;
use ecrf_core::canonical::{sha256_hex, to_canonical};
use ecrf_services::Ecrf;
use std::collections::BTreeSet;

/// Checks every event of `e`; returns the kinds seen.
fn check_every_event(e: &Ecrf) -> BTreeSet<String> {
    let mut kinds = BTreeSet::new();
    e.store()
        .for_each_event(|stored| {
            let ev = stored.event;
            let content = ev.content();
            let value = serde_json::to_value(&content).unwrap();
            let reference = serde_json_canonicalizer::to_vec(&value).unwrap();
            assert_eq!(
                String::from_utf8(to_canonical(&content).unwrap()).unwrap(),
                String::from_utf8(reference.clone()).unwrap(),
                "event {}",
                ev.id
            );
            assert_eq!(ev.hash, sha256_hex(&reference), "event {}", ev.id);
            kinds.insert(ev.payload.kind().to_string());
            Ok(())
        })
        .unwrap();
    kinds
}

#[test]
fn every_event_hashes_as_the_reference_canonicalizer() {
    let dir = tempfile::tempdir().unwrap();
    let mut central = Node::new(dir.path(), "central", None, None);
    central
        .e
        .demo_sites(&mut central.admin, 2, 4, 11, None)
        .unwrap();
    let mut kinds = check_every_event(&central.e);
    let site_dir = dir.path().join("site");
    std::fs::create_dir(&site_dir).unwrap();
    let site = site::demo_site(&site_dir, 3);
    kinds.extend(check_every_event(&site.node.e));
    let want: BTreeSet<String> = [
        "acknowledged",
        "certificate_published",
        "definition_published",
        "derived_overridden",
        "form_completed",
        "node_accepted",
        "query_answered",
        "query_opened",
        "signed",
        "subject_enrolled",
        "user_published",
        "value_set",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert!(want.is_subset(&kinds), "kinds seen: {kinds:?}");
    println!("kinds checked: {kinds:?}");
}
