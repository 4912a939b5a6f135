//! Drafts survive a restart and go when the form is saved; the investigator's queue lists
//! completed forms that are unsigned or whose signature broke.

mod common;

use common::{Node, PW};
use ecrf_core::address::FormRef;
use ecrf_core::event::{Scope, SignatureMeaning};
use ecrf_core::ids::SubjectId;
use ecrf_core::roles::Role;
use ecrf_services::dto::ValueEntry;
use ecrf_services::Ecrf;
use serde_json::json;

fn dm() -> FormRef {
    FormRef::new(SubjectId::parse("S01-001").unwrap(), "SCR", 1, "DM", 1).unwrap()
}

fn entry(item: &str, v: serde_json::Value) -> ValueEntry {
    ValueEntry {
        group: "MAIN".into(),
        repeat: 1,
        item: item.into(),
        value: v,
    }
}

#[test]
fn a_draft_survives_a_restart_and_goes_when_the_form_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let mut site = Node::new(dir.path(), "s01", Some("S01"), None);
    site.enrol("S01-001");
    let typed = vec![entry("WEIGHT", json!("61.")), entry("SEX", json!("F"))];
    site.e.save_draft(&mut site.user, &dm(), &typed).unwrap();
    let events = site.events();
    let digest = site.digest(None);

    // The app is killed: a new process opens the same database.
    let db = dir.path().join("s01.db");
    drop(site.e);
    let mut e = Ecrf::open(&db, None, common::clock(), common::config()).unwrap();
    let mut nurse = e.login("nurse", PW).unwrap();
    let d = e
        .draft(&mut nurse, &dm())
        .unwrap()
        .expect("the draft is back");
    assert_eq!(d.entries, typed, "kept as typed, even when not yet valid");
    assert_eq!(e.drafts(&mut nurse).unwrap().len(), 1);
    assert_eq!(
        e.store().event_count().unwrap(),
        events,
        "a draft is not a change event"
    );
    assert_eq!(e.state_digest(None).unwrap(), digest, "nor clinical data");

    // Another user does not see it.
    let mut admin = e.login("admin", "admin-pass-1").unwrap();
    e.add_user(&mut admin, "nurse2", Role::Nurse, "Other Nurse", PW)
        .unwrap();
    let mut other = e.login("nurse2", PW).unwrap();
    assert!(e.draft(&mut other, &dm()).unwrap().is_none());

    // Too big, or for an unknown subject: refused.
    let huge = vec![entry("DIAG", json!("x".repeat(2 << 20)))];
    assert!(e.save_draft(&mut nurse, &dm(), &huge).is_err());
    let nowhere = FormRef::new(SubjectId::parse("S01-099").unwrap(), "SCR", 1, "DM", 1).unwrap();
    assert!(e.save_draft(&mut nurse, &nowhere, &typed).is_err());

    // Saving the form removes the draft.
    e.form_save(
        &mut nurse,
        &dm(),
        &[entry("WEIGHT", json!(61))],
        false,
        None,
    )
    .unwrap();
    assert!(e.draft(&mut nurse, &dm()).unwrap().is_none());
    e.save_draft(&mut nurse, &dm(), &typed).unwrap();
    e.discard_draft(&mut nurse, &dm()).unwrap();
    assert!(e.drafts(&mut nurse).unwrap().is_empty());
}

#[test]
fn the_signature_queue_lists_unsigned_and_broken() {
    let dir = tempfile::tempdir().unwrap();
    let mut site = Node::new(dir.path(), "s01", Some("S01"), None);
    site.enrol("S01-001");
    site.complete_dm("S01-001");
    site.e
        .add_user(&mut site.admin, "inv", Role::Investigator, "Dr Inv", PW)
        .unwrap();
    let mut inv = site.e.login("inv", PW).unwrap();
    let q = site.e.signature_queue(&mut inv).unwrap();
    assert_eq!(q.len(), 1);
    assert_eq!((q[0].form.clone(), q[0].state.as_str()), (dm(), "unsigned"));
    assert!(
        site.e.signature_queue(&mut site.user).is_err(),
        "nurses do not sign"
    );
    site.e
        .sign(&mut inv, Scope::Form(dm()), SignatureMeaning::Approval, PW)
        .unwrap();
    assert!(site.e.signature_queue(&mut inv).unwrap().is_empty());
    site.e
        .form_save(
            &mut site.user,
            &dm(),
            &[entry("WEIGHT", json!(59))],
            false,
            Some("typo"),
        )
        .unwrap();
    let q = site.e.signature_queue(&mut inv).unwrap();
    assert_eq!(q[0].state, "signature_broken");
}
