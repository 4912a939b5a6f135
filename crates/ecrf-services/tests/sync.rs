//! Sync between nodes through bundle files: trust, idempotence, order independence, gaps and
//! pending events, conflicts and their resolution, definition updates and signed PDFs, and
//! a corpus of bad bundles that are refused with nothing changed.

mod common;

use common::{joined, Node};
use ecrf_core::address::ItemRef;
use ecrf_services::ServiceError;
use serde_json::json;
use std::path::Path;

fn refused(r: Result<ecrf_services::sync::ImportSummary, ServiceError>) -> String {
    match r {
        Err(ServiceError::Refused(m)) => m,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn unknown_nodes_wait_for_acceptance_and_imports_are_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let mut central = Node::new(dir.path(), "central", None, None);
    let mut site = Node::new(dir.path(), "s01", Some("S01"), None);
    site.enrol("S01-001");
    site.set("S01-001", "WEIGHT", json!(61.5)).unwrap();
    let b = site.export(None, true);

    let before = (central.events(), central.digest(None));
    let msg = refused(central.import(&b, None));
    assert!(
        msg.contains("unknown node") && msg.contains(&site.fingerprint()),
        "{msg}"
    );
    let msg = refused(central.import(&b, Some(&"0".repeat(64))));
    assert!(msg.contains("is not the bundle's key fingerprint"), "{msg}");
    assert_eq!(
        (central.events(), central.digest(None)),
        before,
        "refusals change nothing"
    );

    let fp = site.fingerprint();
    let first = central.import(&b, Some(&fp)).unwrap();
    assert!(first.accepted_node);
    assert!(first.new > 0);
    assert_eq!((first.duplicate, first.pending), (0, 0));
    assert_eq!(first.subjects, vec!["S01-001".to_string()]);
    assert_eq!(central.value("S01-001", "WEIGHT"), json!(61.5));
    assert_eq!(central.digest(Some("S01")), site.digest(Some("S01")));

    let (events, digest) = (central.events(), central.digest(None));
    let again = central.import(&b, None).unwrap();
    assert_eq!((again.new, again.duplicate), (0, first.new));
    assert_eq!(
        (central.events(), central.digest(None)),
        (events, digest),
        "twice = once"
    );
    central.verify_ok();

    // The central node's key is not known at this site (no --central-key): its return bundle
    // waits for acceptance too.
    let ret = central.export(Some(&site.id()), false);
    let msg = refused(site.import(&ret, None));
    assert!(msg.contains("unknown node"), "{msg}");
    let cfp = central.fingerprint();
    let err = site.import(&ret, Some(&cfp)).unwrap_err();
    assert!(
        matches!(err, ServiceError::Forbidden { .. }),
        "a nurse does not accept keys: {err}"
    );
    let sum = site
        .e
        .import_bundle(&mut site.admin, &ret, Some(&cfp), &mut |_| {})
        .unwrap();
    assert!(sum.accepted_node);

    // Acknowledged: the next site bundle holds only what is new.
    site.set("S01-001", "HEIGHT", json!(170)).unwrap();
    let inc = site.export(None, false);
    let sum = central.import(&inc, None).unwrap();
    assert_eq!(
        sum.duplicate, 0,
        "incremental from the acknowledged sequence"
    );
    assert!(sum.new >= 1);
    assert_eq!(central.value("S01-001", "HEIGHT"), json!(170));
    assert_eq!(central.digest(Some("S01")), site.digest(Some("S01")));
    site.verify_ok();
    central.verify_ok();
    let hist = central.e.import_history(&mut central.user).unwrap();
    assert_eq!(hist.len(), 3);
    assert!(hist.iter().all(|h| h.origin == site.id()));
}

#[test]
fn ranges_in_any_order_converge_and_gaps_wait() {
    let dir = tempfile::tempdir().unwrap();
    let mut site = Node::new(dir.path(), "s01", Some("S01"), None);
    site.enrol("S01-001");
    site.enrol("S01-002");
    let mut cuts = vec![];
    for (i, w) in [60.0, 61.0, 62.5, 63.0, 64.0, 65.5].iter().enumerate() {
        cuts.push(site.events() as u64 + 1);
        site.set(
            if i % 2 == 0 { "S01-001" } else { "S01-002" },
            "WEIGHT",
            json!(w),
        )
        .unwrap();
    }
    let fp = site.fingerprint();
    // Disjoint ranges 1.., cut1.., cut3.., and a full bundle.
    let all = site.export(None, true);
    let r1 = site.export_since(None, false, Some(cuts[1]));
    let r3 = site.export_since(None, false, Some(cuts[3]));
    let reference = {
        let mut c = Node::new(dir.path(), "ref", None, None);
        c.import(&all, Some(&fp)).unwrap();
        c.digest(Some("S01"))
    };
    assert_eq!(reference, site.digest(Some("S01")));

    let orders: Vec<Vec<&Path>> = vec![
        vec![&r3, &r1, &all],
        vec![&r1, &all, &r3, &r1],
        vec![&all, &r3, &r1],
        vec![&r3, &r3, &all, &r1],
    ];
    for (n, order) in orders.iter().enumerate() {
        let mut c = Node::new(dir.path(), &format!("c{n}"), None, None);
        let mut waited = 0;
        for (i, b) in order.iter().enumerate() {
            let sum = c.import(b, Some(&fp)).unwrap();
            if i == 0 && (*b == r3.as_path() || *b == r1.as_path()) {
                assert!(sum.pending > 0, "a range after a gap waits");
                assert!(!sum.gaps.is_empty(), "the gap is reported: {sum:?}");
                let rep = c.e.store().verify().unwrap();
                assert!(!rep.pending.is_empty());
                assert!(rep.ok(), "waiting is not tampering");
            }
            waited += sum.released;
        }
        if order[0] != all.as_path() {
            assert!(
                waited > 0,
                "order {n}: waiting events joined when the gap filled"
            );
        }
        assert_eq!(c.e.store().pending_count().unwrap(), 0);
        assert_eq!(c.digest(Some("S01")), reference, "order {n}");
        c.verify_ok();
    }
}

#[test]
fn concurrent_edits_conflict_and_the_resolution_travels_back() {
    let dir = tempfile::tempdir().unwrap();
    let (mut central, mut sites) = joined(dir.path(), &[("s01a", "S01"), ("s01b", "S01")]);
    let (a_id, b_id) = (sites[0].id(), sites[1].id());
    sites[0].enrol("S01-001");
    sites[0].set("S01-001", "WEIGHT", json!(70)).unwrap();
    let b = sites[0].export(None, false);
    central.import(&b, None).unwrap();
    let relay = central.export(Some(&b_id), false);
    let sum = sites[1].import(&relay, None).unwrap();
    assert!(
        sum.subjects.contains(&"S01-001".to_string()),
        "relayed from the other laptop"
    );
    assert_eq!(sites[1].value("S01-001", "WEIGHT"), json!(70));

    // Both laptops change the weight without seeing each other; b later by the clock.
    sites[0].set("S01-001", "WEIGHT", json!(71)).unwrap();
    sites[1].clock.advance_ms(60_000);
    sites[1].set("S01-001", "WEIGHT", json!(72)).unwrap();
    let ba = sites[0].export(None, false);
    let bb = sites[1].export(None, false);
    let s1 = central.import(&bb, None).unwrap();
    let s2 = central.import(&ba, None).unwrap();
    assert_eq!(s1.conflicts + s2.conflicts, 1);
    let conflicts = central.e.conflicts(&mut central.user, None).unwrap();
    assert_eq!(conflicts.len(), 1);
    let c = &conflicts[0];
    assert_eq!(c.versions.len(), 2, "both values kept");
    let shown: Vec<_> = c.versions.iter().filter(|v| v.shown).collect();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].value, json!(72), "the later clock is shown");
    assert_eq!(central.value("S01-001", "WEIGHT"), json!(72));

    // Each laptop learns of the other's edit and shows the same.
    for (i, id) in [(0, &a_id), (1, &b_id)] {
        let r = central.export(Some(id), false);
        sites[i].import(&r, None).unwrap();
        assert_eq!(sites[i].value("S01-001", "WEIGHT"), json!(72));
        assert_eq!(sites[i].digest(Some("S01")), central.digest(Some("S01")));
    }

    // The data manager resolves with another value; it goes back to both laptops.
    let item = ItemRef::from_key(&c.key).unwrap();
    let msg = central
        .e
        .resolve_conflict(&mut central.user, &item, json!(71.5), " ")
        .unwrap_err();
    assert!(msg.to_string().contains("reason"));
    central
        .e
        .resolve_conflict(&mut central.user, &item, json!(71.5), "source: scale log")
        .unwrap();
    assert!(central
        .e
        .conflicts(&mut central.user, None)
        .unwrap()
        .is_empty());
    assert_eq!(central.value("S01-001", "WEIGHT"), json!(71.5));
    for (i, id) in [(0, &a_id), (1, &b_id)] {
        let r = central.export(Some(id), false);
        sites[i].import(&r, None).unwrap();
        assert_eq!(sites[i].value("S01-001", "WEIGHT"), json!(71.5));
        assert!(sites[i].e.store().conflicts(None).unwrap().is_empty());
        assert_eq!(sites[i].digest(Some("S01")), central.digest(Some("S01")));
        sites[i].verify_ok();
    }
    // An edit after the resolution is an ordinary edit on it.
    sites[0].set("S01-001", "WEIGHT", json!(71.8)).unwrap();
    let b = sites[0].export(None, false);
    let sum = central.import(&b, None).unwrap();
    assert_eq!(sum.conflicts, 0);
    assert_eq!(central.value("S01-001", "WEIGHT"), json!(71.8));
    central.verify_ok();
}

#[test]
fn a_future_stamped_edit_is_flagged_and_does_not_win() {
    let dir = tempfile::tempdir().unwrap();
    let (mut central, mut sites) = joined(dir.path(), &[("s01a", "S01"), ("s01b", "S01")]);
    let b_id = sites[1].id();
    sites[0].enrol("S01-001");
    sites[0].set("S01-001", "WEIGHT", json!(70)).unwrap();
    let b = sites[0].export(None, false);
    central.import(&b, None).unwrap();
    let r = central.export(Some(&b_id), false);
    sites[1].import(&r, None).unwrap();
    // Laptop b's clock runs three days ahead.
    sites[1].clock.advance_ms(3 * 24 * 3600 * 1000);
    sites[1].relogin();
    sites[1].set("S01-001", "WEIGHT", json!(99)).unwrap();
    sites[0].set("S01-001", "WEIGHT", json!(71)).unwrap();
    let bb = sites[1].export(None, false);
    let ba = sites[0].export(None, false);
    let sb = central.import(&bb, None).unwrap();
    assert!(sb.future >= 1, "{sb:?}");
    central.import(&ba, None).unwrap();
    let c = central.e.conflicts(&mut central.user, None).unwrap();
    assert_eq!(c.len(), 1);
    assert!(c[0]
        .versions
        .iter()
        .any(|v| v.flagged && v.value == json!(99) && !v.shown));
    assert_eq!(central.value("S01-001", "WEIGHT"), json!(71));
}

#[test]
fn definition_updates_and_signed_pdfs_travel() {
    use ecrf_core::event::{Scope, SignatureMeaning};
    use ecrf_core::roles::Role;
    use ecrf_services::pdf_model::DocLang;
    let dir = tempfile::tempdir().unwrap();
    let (mut central, mut sites) = joined(dir.path(), &[("s01", "S01")]);
    let site = &mut sites[0];
    site.enrol("S01-001");
    site.complete_dm("S01-001");
    site.e
        .add_user(
            &mut site.admin,
            "inv",
            Role::Investigator,
            "Dr Inv",
            common::PW,
        )
        .unwrap();
    let mut inv = site.e.login("inv", common::PW).unwrap();
    let pdf = site
        .e
        .export_pdf(
            &mut inv,
            Scope::Subject {
                subject: ecrf_core::ids::SubjectId::parse("S01-001").unwrap(),
            },
            DocLang::One(ecrf_core::definition::Lang::En),
            Some((common::PW, SignatureMeaning::Approval)),
        )
        .unwrap();
    let b = site.export(None, false);
    let m = ecrf_services::Ecrf::inspect_bundle(&b).unwrap();
    assert_eq!(m.manifest.counts.pdfs, 1);
    let sum = central.import(&b, None).unwrap();
    assert_eq!(sum.pdfs, 1);
    assert_eq!(central.e.store().document_count().unwrap(), 1);
    let check = central.e.check_pdf(&mut central.user, &pdf).unwrap();
    assert!(check.intact && check.certificate_known, "{check:?}");
    assert_eq!(check.matches_record, Some(true));

    // An amended definition published centrally takes effect at the site.
    let mut files = ecrf_core::definition::builtin_files();
    let study = files.get_mut("v1/study.toml").unwrap();
    *study = study.replacen("version = \"1.0\"", "version = \"1.1\"", 1);
    central
        .e
        .publish_definition(&mut central.user, files)
        .unwrap();
    let r = central.export(Some(&site.id()), false);
    let sum = site.import(&r, None).unwrap();
    assert_eq!(sum.definitions, vec!["1.1".to_string()]);
    assert_eq!(site.e.definition().study.version, "1.1");
    site.verify_ok();
}

#[test]
fn bad_bundles_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut central, mut sites) = joined(dir.path(), &[("s01", "S01"), ("s02", "S02")]);
    sites[0].enrol("S01-001");
    sites[0].set("S01-001", "WEIGHT", json!(70)).unwrap();
    let good = sites[0].export(None, false);
    let bytes = std::fs::read(&good).unwrap();
    let write = |name: &str, b: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, b).unwrap();
        p
    };
    let mut flipped = bytes.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x01;
    // A return bundle made for S01's node, carried to S02's.
    let for_s01 = central.export(Some(&sites[0].id()), false);
    // A site's bundle given to another site.
    let s02_bundle = sites[1].export(None, false);
    // Another study's bundle, signed by a key of its own.
    let other_study = {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        let p = dir.path().join("other-study.ecrfb");
        let w = ecrf_bundle::BundleWriter::create(
            &p,
            ecrf_bundle::BundleHeader {
                study: "ANOTHER-TRIAL".into(),
                definition_version: "1.0".into(),
                origin: ecrf_bundle::Origin {
                    node: uuid::Uuid::new_v4(),
                    role: "site".into(),
                    site: Some("S01".into()),
                    epoch: 1,
                    public_key: hex::encode(key.verifying_key().to_bytes()),
                },
                destination: None,
                full: true,
                created_at: "2026-03-01T09:00:00.000Z".into(),
            },
        )
        .unwrap();
        w.finish(&key).unwrap();
        p
    };
    // A bundle claiming to be S01's node but signed by another key.
    let impostor = {
        let key = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
        let p = dir.path().join("impostor.ecrfb");
        let site_id: uuid::Uuid = sites[0].id().parse().unwrap();
        let w = ecrf_bundle::BundleWriter::create(
            &p,
            ecrf_bundle::BundleHeader {
                study: central.e.node_summary().unwrap().study,
                definition_version: "1.0".into(),
                origin: ecrf_bundle::Origin {
                    node: site_id,
                    role: "site".into(),
                    site: Some("S01".into()),
                    epoch: 1,
                    public_key: hex::encode(key.verifying_key().to_bytes()),
                },
                destination: None,
                full: true,
                created_at: "2026-03-01T09:00:00.000Z".into(),
            },
        )
        .unwrap();
        w.finish(&key).unwrap();
        p
    };
    let cases: Vec<(&str, std::path::PathBuf, usize, &str)> = vec![
        (
            "truncated",
            write("trunc.ecrfb", &bytes[..bytes.len() / 3]),
            99,
            "",
        ),
        ("one flipped byte", write("flip.ecrfb", &flipped), 99, ""),
        ("not a bundle", write("junk.ecrfb", b"hello"), 99, ""),
        ("another study", other_study, 99, "ANOTHER-TRIAL"),
        ("signed by another key", impostor, 99, "signed by key"),
        ("made for another node", for_s01, 1, "was made for node"),
        (
            "a site's bundle at a site",
            s02_bundle,
            0,
            "central node only",
        ),
    ];
    for (name, path, at, fragment) in cases {
        let node = match at {
            0 => &mut sites[0],
            1 => &mut sites[1],
            _ => &mut central,
        };
        let before = (node.events(), node.digest(None));
        let msg = refused(node.import(&path, None));
        assert!(msg.contains(fragment), "{name}: {msg}");
        assert_eq!(
            (node.events(), node.digest(None)),
            before,
            "{name}: nothing changed"
        );
        node.verify_ok();
    }
    // The good bundle still imports after all that.
    assert!(central.import(&good, None).unwrap().new > 0);
}

#[test]
fn a_fork_is_refused_loudly() {
    let dir = tempfile::tempdir().unwrap();
    let (mut central, mut sites) = joined(dir.path(), &[("s01", "S01")]);
    sites[0].enrol("S01-001");
    let b = sites[0].export(None, false);
    central.import(&b, None).unwrap();
    // The laptop is copied (an old backup put back without a new epoch), then both copies
    // write the same next sequence numbers with different content.
    let db = dir.path().join("s01.db");
    let copy = dir.path().join("s01-copy.db");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute("VACUUM INTO ?1", [copy.to_str().unwrap()])
            .unwrap();
    }
    sites[0].set("S01-001", "WEIGHT", json!(70)).unwrap();
    let first = sites[0].export(None, false);
    central.import(&first, None).unwrap();
    let mut clone =
        ecrf_services::Ecrf::open(&copy, None, common::clock(), common::config()).unwrap();
    let mut nurse = clone.login("nurse", common::PW).unwrap();
    let f = ecrf_core::address::FormRef::new(
        ecrf_core::ids::SubjectId::parse("S01-001").unwrap(),
        "SCR",
        1,
        "DM",
        1,
    )
    .unwrap();
    clone
        .form_save(
            &mut nurse,
            &f,
            &[ecrf_services::dto::ValueEntry {
                group: "MAIN".into(),
                repeat: 1,
                item: "WEIGHT".into(),
                value: json!(80),
            }],
            false,
            None,
        )
        .unwrap();
    let forked = dir.path().join("forked.ecrfb");
    clone
        .export_bundle(&mut nurse, None, true, None, &forked)
        .unwrap();
    let before = (central.events(), central.digest(None));
    let msg = refused(central.import(&forked, None));
    assert!(msg.contains("fork"), "{msg}");
    assert_eq!((central.events(), central.digest(None)), before);
    assert_eq!(central.value("S01-001", "WEIGHT"), json!(70));
}

#[test]
fn a_revoked_node_is_refused_and_its_replacement_gets_the_sites_data() {
    let dir = tempfile::tempdir().unwrap();
    let (mut central, mut sites) = joined(dir.path(), &[("s01", "S01")]);
    let old = sites[0].id();
    sites[0].enrol("S01-001");
    sites[0].set("S01-001", "WEIGHT", json!(70)).unwrap();
    let b = sites[0].export(None, false);
    central.import(&b, None).unwrap();
    sites[0].set("S01-001", "WEIGHT", json!(71)).unwrap();
    let late = sites[0].export(None, false);

    let msg = central
        .e
        .revoke_node(&mut central.user, &old, "")
        .unwrap_err()
        .to_string();
    assert!(msg.contains("reason"), "{msg}");
    let mut admin = central.e.login("admin", "admin-pass-1").unwrap();
    let v = central
        .e
        .revoke_node(&mut admin, &old, "laptop stolen 2026-03-01")
        .unwrap();
    assert_eq!(v.status, "revoked");
    let msg = refused(central.import(&late, None));
    assert!(msg.contains("revoked"), "{msg}");

    // The replacement laptop joins and receives the site's data from the central node.
    let fp = central.fingerprint();
    let mut fresh = Node::new(dir.path(), "s01-new", Some("S01"), Some(&fp));
    let hello = fresh.export(None, true);
    let ffp = fresh.fingerprint();
    central.import(&hello, Some(&ffp)).unwrap();
    let r = central.export(Some(&fresh.id()), false);
    fresh.import(&r, None).unwrap();
    assert_eq!(fresh.value("S01-001", "WEIGHT"), json!(70));
    assert_eq!(fresh.digest(Some("S01")), central.digest(Some("S01")));
    fresh.set("S01-001", "WEIGHT", json!(70.5)).unwrap();
    let b = fresh.export(None, false);
    assert_eq!(central.import(&b, None).unwrap().conflicts, 0);
    assert_eq!(central.value("S01-001", "WEIGHT"), json!(70.5));
    fresh.verify_ok();
    central.verify_ok();
}
