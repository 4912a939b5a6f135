//! Backups before imports and on demand; a restored node writes in a new epoch, so its next
//! bundle imports centrally with no fork and nothing lost, and it gets back from the central
//! node what it had written after the backup.

mod common;

use common::{joined, PW};
use ecrf_services::Ecrf;
use serde_json::json;

#[test]
fn a_restored_node_continues_in_a_new_epoch_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let (mut central, mut sites) = joined(dir.path(), &[("s01", "S01")]);
    let mut site = sites.remove(0);
    site.enrol("S01-001");
    site.set("S01-001", "WEIGHT", json!(60.5)).unwrap();
    let b = site.export(None, false);
    central.import(&b, None).unwrap();
    let before_import = central.e.backups(&mut central.admin).unwrap();
    assert!(
        before_import
            .iter()
            .any(|b| b.reason == "before-import" && b.usable),
        "{before_import:?}"
    );
    assert!(
        site.e.backups(&mut site.user).is_err(),
        "a nurse does not handle backups"
    );

    let backup = site.e.backup_now(&mut site.admin).unwrap();
    assert_eq!(backup.reason, "manual");
    let old_epoch = backup.epoch.unwrap();

    // After the backup: more data, which reaches the central node.
    site.enrol("S01-002");
    site.set("S01-002", "WEIGHT", json!(70.5)).unwrap();
    site.set("S01-001", "HEIGHT", json!(165.5)).unwrap();
    let b = site.export(None, false);
    central.import(&b, None).unwrap();

    // The laptop's disk fails; the backup is put back.
    let r = site
        .e
        .restore_backup(&mut site.admin, std::path::Path::new(&backup.file))
        .unwrap();
    assert!(r.new_epoch > old_epoch, "{r:?}");
    assert!(std::path::Path::new(&r.previous_saved_as).exists());
    assert_eq!(site.e.node_summary().unwrap().epoch, r.new_epoch);
    assert!(!site
        .e
        .store()
        .subject_exists(&ecrf_core::ids::SubjectId::parse("S01-002").unwrap())
        .unwrap());
    site.relogin();
    // The nurse goes on working: the new events are in the new epoch.
    site.set("S01-001", "WEIGHT", json!(61.5)).unwrap();
    let b = site.export(None, false);
    let sum = central
        .import(&b, None)
        .expect("no fork: a new epoch never reuses an id");
    assert!(sum.new > 0);
    assert_eq!(central.value("S01-001", "WEIGHT"), json!(61.5));
    assert_eq!(
        central.value("S01-002", "WEIGHT"),
        json!(70.5),
        "nothing lost centrally"
    );
    // The central node gives the laptop back what it wrote after the backup.
    let id = site.id();
    let ret = central.export(Some(&id), false);
    site.import(&ret, None).unwrap();
    assert_eq!(site.value("S01-002", "WEIGHT"), json!(70.5));
    assert_eq!(site.value("S01-001", "HEIGHT"), json!(165.5));
    assert_eq!(site.digest(Some("S01")), central.digest(Some("S01")));
    site.verify_ok();
    central.verify_ok();

    // A backup of another node is refused.
    let other = central.e.backup_now(&mut central.admin).unwrap();
    let err = site
        .e
        .restore_backup(&mut site.admin, std::path::Path::new(&other.file))
        .unwrap_err();
    assert!(err.to_string().contains("not of this node"), "{err}");
    let _ = PW;
    let _ = Ecrf::inspect_bundle;
}
