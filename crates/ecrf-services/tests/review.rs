//! Queries (with threads, across bundles), source data verification (cleared by a change of
//! the value), and locks (locked data cannot change; unlocking needs a reason).

mod common;

use common::{joined, PW};
use ecrf_core::address::FormRef;
use ecrf_core::event::{Scope, Target};
use ecrf_core::ids::SubjectId;
use ecrf_core::roles::Role;
use ecrf_services::ServiceError;
use serde_json::json;

fn dm_form() -> FormRef {
    FormRef::new(SubjectId::parse("S01-001").unwrap(), "SCR", 1, "DM", 1).unwrap()
}

#[test]
fn a_query_travels_to_the_site_and_back_with_its_thread() {
    let dir = tempfile::tempdir().unwrap();
    let (mut central, mut sites) = joined(dir.path(), &[("s01", "S01")]);
    let mut site = sites.remove(0);
    let site_id = site.id();
    site.enrol("S01-001");
    site.set("S01-001", "WEIGHT", json!(58)).unwrap();
    let b = site.export(None, false);
    central.import(&b, None).unwrap();

    let item = central.e.item_ref(&dm_form(), "WEIGHT", 1).unwrap();
    // A nurse cannot open queries; the data manager can.
    let err = site
        .e
        .open_query(&mut site.user, Target::Item(item.clone()), "Please confirm")
        .unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden { .. }), "{err}");
    let err = central
        .e
        .open_query(&mut central.user, Target::Item(item.clone()), "  ")
        .unwrap_err();
    assert!(err.to_string().contains("printable"), "{err}");
    let q = central
        .e
        .open_query(
            &mut central.user,
            Target::Item(item.clone()),
            "Weight 58 kg differs from the source (62 kg)?",
        )
        .unwrap();
    assert_eq!(q.status, "open");
    assert_eq!(q.item.as_deref(), Some("WEIGHT"));

    let r = central.export(Some(&site_id), false);
    site.import(&r, None).unwrap();
    let cb = site.e.casebook(&mut site.user, "S01-001").unwrap();
    let cell = cb.forms.iter().find(|f| f.form == dm_form()).unwrap();
    assert_eq!(cell.open_queries, 1, "the casebook cell counts the query");
    let err = site
        .e
        .close_query(&mut site.user, &q.query, "done")
        .unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden { .. }));
    let a = site
        .e
        .answer_query(
            &mut site.user,
            &q.query,
            "Source says 58 kg; scale log checked.",
        )
        .unwrap();
    assert_eq!(a.status, "answered");

    let b = site.export(None, false);
    central.import(&b, None).unwrap();
    assert_eq!(
        central.e.query(&mut central.user, &q.query).unwrap().status,
        "answered"
    );
    central
        .e
        .close_query(&mut central.user, &q.query, "Confirmed against the source.")
        .unwrap();
    let err = site
        .e
        .answer_query(&mut site.user, "not-a-uuid", "x")
        .unwrap_err();
    assert!(err.to_string().contains("not a query id"));
    central
        .e
        .reopen_query(
            &mut central.user,
            &q.query,
            "Second look: the date is wrong too.",
        )
        .unwrap();
    let r = central.export(Some(&site_id), false);
    site.import(&r, None).unwrap();
    let thread = site.e.query(&mut site.user, &q.query).unwrap();
    assert_eq!(thread.status, "open");
    let kinds: Vec<_> = thread.thread.iter().map(|m| m.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "query_opened",
            "query_answered",
            "query_closed",
            "query_reopened"
        ]
    );
    assert_eq!(thread.thread[1].username, "nurse");
    assert_eq!(
        site.e
            .queries(&mut site.user, None, Some("open"))
            .unwrap()
            .len(),
        1
    );
    assert!(site
        .e
        .queries(&mut site.user, None, Some("pending"))
        .is_err());
    assert_eq!(site.digest(Some("S01")), central.digest(Some("S01")));
}

#[test]
fn source_verification_is_cleared_by_a_change_of_the_value() {
    let dir = tempfile::tempdir().unwrap();
    let (mut central, mut sites) = joined(dir.path(), &[("s01", "S01")]);
    let mut site = sites.remove(0);
    let site_id = site.id();
    site.enrol("S01-001");
    site.complete_dm("S01-001");
    let b = site.export(None, false);
    central.import(&b, None).unwrap();
    central
        .e
        .add_user(&mut central.admin, "mon", Role::Monitor, "Monitor", PW)
        .unwrap();
    let mut mon = central.e.login("mon", PW).unwrap();
    let weight = central.e.item_ref(&dm_form(), "WEIGHT", 1).unwrap();
    let err = site
        .e
        .mark_sdv(&mut site.user, Target::Item(weight.clone()), true)
        .unwrap_err();
    assert!(
        matches!(err, ServiceError::Forbidden { .. }),
        "a nurse does not verify"
    );
    let v = central
        .e
        .mark_sdv(&mut mon, Target::Item(weight.clone()), true)
        .unwrap();
    assert_eq!(v.items, vec![weight.key()]);
    let v = central
        .e
        .mark_sdv(&mut mon, Target::Form(dm_form()), true)
        .unwrap();
    assert!(v.form_verified);
    let cb = central.e.casebook(&mut mon, "S01-001").unwrap();
    assert!(
        cb.forms
            .iter()
            .find(|f| f.form == dm_form())
            .unwrap()
            .verified
    );

    // The nurse corrects the weight (a completed form: with a reason).
    let r = central.export(Some(&site_id), false);
    site.import(&r, None).unwrap();
    let f = dm_form();
    let e = ecrf_services::dto::ValueEntry {
        group: "MAIN".into(),
        repeat: 1,
        item: "WEIGHT".into(),
        value: json!(59),
    };
    site.e
        .form_save(&mut site.user, &f, &[e], false, Some("transcription error"))
        .unwrap();
    let b = site.export(None, false);
    central.import(&b, None).unwrap();
    let v = central.e.sdv(&mut mon, &dm_form()).unwrap();
    assert!(v.items.is_empty(), "the changed item is no longer verified");
    assert!(!v.form_verified, "nor the form");
    let height = central.e.item_ref(&dm_form(), "HEIGHT", 1).unwrap();
    let v = central
        .e
        .mark_sdv(&mut mon, Target::Item(height.clone()), true)
        .unwrap();
    assert_eq!(v.items, vec![height.key()]);
    let v = central
        .e
        .mark_sdv(&mut mon, Target::Item(height), false)
        .unwrap();
    assert!(v.items.is_empty(), "a mark can be withdrawn");
    let bad = central.e.item_ref(&dm_form(), "NOPE", 1);
    assert!(bad.is_err());
}

#[test]
fn locked_data_cannot_change_until_unlocked_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (mut central, mut sites) = joined(dir.path(), &[("s01", "S01")]);
    let mut site = sites.remove(0);
    let site_id = site.id();
    site.enrol("S01-001");
    site.enrol("S01-002");
    site.set("S01-001", "WEIGHT", json!(58)).unwrap();
    let b = site.export(None, false);
    central.import(&b, None).unwrap();
    let subject = Scope::Subject {
        subject: SubjectId::parse("S01-001").unwrap(),
    };
    let err = site
        .e
        .lock_data(&mut site.user, subject.clone(), None)
        .unwrap_err();
    assert!(matches!(err, ServiceError::Forbidden { .. }));
    let unknown = Scope::Subject {
        subject: SubjectId::parse("S01-099").unwrap(),
    };
    assert!(matches!(
        central.e.lock_data(&mut central.user, unknown, None),
        Err(ServiceError::NotFound(_))
    ));
    central
        .e
        .lock_data(
            &mut central.user,
            subject.clone(),
            Some("database lock for interim analysis"),
        )
        .unwrap();
    assert!(central
        .e
        .lock_data(&mut central.user, subject.clone(), None)
        .unwrap_err()
        .to_string()
        .contains("already locked"));
    let r = central.export(Some(&site_id), false);
    site.import(&r, None).unwrap();
    let err = site.set("S01-001", "WEIGHT", json!(60)).unwrap_err();
    assert_eq!(err.code(), "locked", "{err}");
    assert!(err.to_string().contains("locked by dm"), "{err}");
    assert_eq!(site.value("S01-001", "WEIGHT"), json!(58));
    site.set("S01-002", "WEIGHT", json!(61)).unwrap();
    let view = site.e.form_show(&mut site.user, &dm_form()).unwrap();
    assert!(view.locked.is_some());
    let cb = site.e.casebook(&mut site.user, "S01-001").unwrap();
    assert!(
        cb.forms.iter().all(|f| f.locked),
        "every form of the subject shows locked"
    );

    assert!(central
        .e
        .unlock_data(&mut central.user, subject.clone(), " ")
        .unwrap_err()
        .to_string()
        .contains("reason"));
    central
        .e
        .unlock_data(
            &mut central.user,
            subject.clone(),
            "query on weight needs a correction",
        )
        .unwrap();
    let r = central.export(Some(&site_id), false);
    site.import(&r, None).unwrap();
    site.set("S01-001", "WEIGHT", json!(60)).unwrap();

    // The whole study.
    central
        .e
        .lock_data(&mut central.user, Scope::Study, None)
        .unwrap();
    let r = central.export(Some(&site_id), false);
    site.import(&r, None).unwrap();
    assert_eq!(
        site.set("S01-002", "WEIGHT", json!(62)).unwrap_err().code(),
        "locked"
    );
    assert_eq!(central.e.locks(&mut central.user).unwrap().len(), 1);
    let b = site.export(None, false);
    central.import(&b, None).unwrap();
    assert_eq!(site.digest(Some("S01")), central.digest(Some("S01")));
}
