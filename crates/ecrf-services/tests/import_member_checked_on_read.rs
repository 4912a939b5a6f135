//! The import checks each member of a bundle when it reads it (the signature over the whole
//! file is checked before anything). A bundle whose third events member was damaged and then
//! signed again with the origin's own key (a faulty or hostile sender: the signature holds, the
//! manifest's hashes do not) is refused after the first members were already applied inside
//! the import's transaction: the refusal names the member, and the database is as before. The
//! intact bundle then imports.

mod common;

use common::Node;
use ecrf_services::ServiceError;

#[test]
fn a_damaged_late_member_signed_by_its_origin_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut central = Node::new(dir.path(), "central", None, None);
    let mut site = Node::new(dir.path(), "s01", Some("S01"), Some(&central.fingerprint()));
    // Enough events for several members of 5000.
    site.e.demo(&mut site.admin, 12, 3).unwrap();
    assert!(site.events() > 15_000, "{} events", site.events());
    let good = site.export(None, true);

    // The third events member's compressed data, one byte changed half-way.
    let mut bytes = std::fs::read(&good).unwrap();
    let name = b"events/000003.jsonl";
    let header = bytes
        .windows(4 + 26 + name.len())
        .position(|w| w.starts_with(b"PK\x03\x04") && &w[30..] == name)
        .expect("the member's local header");
    let le16 = |at: usize| usize::from(u16::from_le_bytes([bytes[at], bytes[at + 1]]));
    let compressed =
        u32::from_le_bytes(bytes[header + 18..header + 22].try_into().unwrap()) as usize;
    let data = header + 30 + le16(header + 26) + le16(header + 28);
    bytes[data + compressed / 2] ^= 0x5a;
    let bad = dir.path().join("damaged-resigned.ecrfb");
    std::fs::write(&bad, &bytes).unwrap();
    let node = site.e.store().node().unwrap();
    let key = ed25519_dalek::SigningKey::from_bytes(&node.signing_key.try_into().unwrap());
    ecrf_bundle::sign_in_place(&bad, &key).unwrap();
    // The signature holds: only the member's content is wrong.
    assert!(ecrf_bundle::BundleReader::open_checking_members_on_read(&bad).is_ok());

    let before = central.events();
    let digest = central.digest(None);
    match central.import(&bad, Some(&site.fingerprint())) {
        Err(ServiceError::Refused(msg)) => {
            assert!(msg.contains("events/000003.jsonl"), "{msg}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(central.events(), before, "nothing of the bundle stays");
    assert_eq!(central.digest(None), digest);
    // The site's key was not accepted either: the acceptance was in the same transaction.
    let nodes = central.e.nodes(&mut central.admin).unwrap();
    assert!(
        nodes.iter().all(|n| n.site.as_deref() != Some("S01")),
        "{nodes:?}"
    );

    let sum = central.import(&good, Some(&site.fingerprint())).unwrap();
    assert_eq!(sum.new as i64, site.events());
    central.verify_ok();
}
