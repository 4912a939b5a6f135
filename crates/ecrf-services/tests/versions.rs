//! Definition versions are immutable; each form instance keeps the version it was captured
//! under; an amended version applies to what is started after it. Overrides of derived values
//! keep both values.

use chrono::TimeZone;
use ecrf_core::address::FormRef;
use ecrf_core::definition::builtin_files;
use ecrf_core::event::{Actor, Payload};
use ecrf_core::ids::SubjectId;
use ecrf_core::roles::{NodeRole, Role};
use ecrf_services::clock::FixedClock;
use ecrf_services::dto::ValueEntry;
use ecrf_services::node::InitRequest;
use ecrf_services::{Config, Ecrf, Kdf, ServiceError};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::at(
        chrono::Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap(),
    ))
}
fn config() -> Config {
    Config {
        kdf: Kdf::Fast,
        ..Config::default()
    }
}

fn node(path: &Path, role: NodeRole) -> Ecrf {
    let site = (role == NodeRole::Site).then_some("S01");
    let mut e = Ecrf::init(
        path,
        None,
        InitRequest {
            role,
            site,
            admin: "admin",
            admin_name: "Admin",
            password: "admin-pass-1",
            central_key: None,
        },
        clock(),
        config(),
    )
    .unwrap();
    let mut admin = e.login("admin", "admin-pass-1").unwrap();
    for (u, r) in [
        ("dm", Role::DataManager),
        ("nurse", Role::Nurse),
        ("inv", Role::Investigator),
    ] {
        e.add_user(&mut admin, u, r, "User", "password-123")
            .unwrap();
    }
    e
}

/// The built-in definition as version 1.1, with the BSA overridable and a new item in DM.
fn amended() -> BTreeMap<String, String> {
    let mut files = builtin_files();
    let study = files.get_mut("v1/study.toml").unwrap();
    *study = study.replacen("version = \"1.0\"", "version = \"1.1\"", 1);
    let dm = files.get_mut("v1/forms/dm.toml").unwrap();
    *dm = dm.replacen(
        "function = \"bsa_mosteller\"",
        "function = \"bsa_mosteller\"\noverridable = true",
        1,
    );
    dm.push_str("\n[[items]]\nid = \"HAND\"\nlabel = { en = \"Handedness\", zh = \"利手\" }\ntype = \"text\"\n");
    files
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
fn publishing_is_for_the_central_data_manager_and_versions_are_immutable() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = node(&dir.path().join("c.db"), NodeRole::Central);
    let mut nurse = c.login("nurse", "password-123").unwrap();
    assert!(matches!(
        c.publish_definition(&mut nurse, amended()),
        Err(ServiceError::Forbidden { .. })
    ));
    let mut dm = c.login("dm", "password-123").unwrap();
    let info = c.publish_definition(&mut dm, amended()).unwrap();
    assert_eq!(info.version, "1.1");
    assert_eq!(c.definition().study.version, "1.1");
    assert!(matches!(
        c.publish_definition(&mut dm, amended()),
        Err(ServiceError::Exists(_))
    ));
    let mut other = amended();
    other
        .get_mut("v1/forms/dm.toml")
        .unwrap()
        .push_str("\n# a changed text\n");
    let err = c.publish_definition(&mut dm, other).unwrap_err();
    assert!(err.to_string().contains("versions are immutable"), "{err}");
    let mut broken = amended();
    *broken.get_mut("v1/study.toml").unwrap() = broken["v1/study.toml"]
        .replacen("version = \"1.1\"", "version = \"1.2\"", 1)
        .replacen("anchor = \"enrolment\"", "anchor = \"moon\"", 1);
    assert!(matches!(
        c.publish_definition(&mut dm, broken),
        Err(ServiceError::Validation { .. })
    ));
    let versions: Vec<String> = c
        .definition_versions()
        .into_iter()
        .map(|v| v.version)
        .collect();
    assert_eq!(versions, vec!["1.0", "1.1"]);
    // Reopening the node finds both, the amendment current.
    drop(c);
    let c = Ecrf::open(&dir.path().join("c.db"), None, clock(), config()).unwrap();
    assert_eq!(c.definition().study.version, "1.1");
}

#[test]
fn forms_keep_their_version_and_new_forms_take_the_amendment() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut e = node(&path, NodeRole::Site);
    let mut nurse = e.login("nurse", "password-123").unwrap();
    e.enrol(&mut nurse, "S01-001").unwrap();
    let dm1 = FormRef::new(SubjectId::parse("S01-001").unwrap(), "SCR", 1, "DM", 1).unwrap();
    e.form_save(
        &mut nurse,
        &dm1,
        &[entry("HEIGHT", json!(170)), entry("WEIGHT", json!(70))],
        false,
        None,
    )
    .unwrap();
    drop(e);

    // The amendment arrives (as a return bundle would bring it: a definition_published event).
    {
        let mut store = ecrf_store::Store::open(&path, None, false).unwrap();
        let files = amended();
        let def = ecrf_services::definitions::load_published(&files).unwrap();
        let actor = Actor {
            user_id: uuid::Uuid::nil(),
            username: "central.dm".into(),
        };
        store
            .write(|tx| -> ecrf_store::Result<()> {
                tx.append_local(
                    &actor,
                    "2026-03-01T09:00:00.000Z",
                    1_772_355_600_000,
                    vec![Payload::DefinitionPublished {
                        study: def.study.id.clone(),
                        version: "1.1".into(),
                        sha256: def.sha256.clone(),
                        files,
                    }],
                )?;
                Ok(())
            })
            .unwrap();
    }
    let mut e = Ecrf::open(&path, None, clock(), config()).unwrap();
    let mut nurse = e.login("nurse", "password-123").unwrap();
    assert_eq!(e.definition().study.version, "1.1");

    // The DM form started under 1.0 stays on 1.0: the new item is not part of it.
    assert_eq!(
        e.form_show(&mut nurse, &dm1).unwrap().definition_version,
        "1.0"
    );
    let err = e
        .form_save(
            &mut nurse,
            &dm1,
            &[entry("HAND", json!("right"))],
            false,
            None,
        )
        .unwrap_err();
    assert!(err.to_string().contains("has no item HAND"), "{err}");

    // A subject enrolled now gets DM under 1.1, with the new item and an overridable BSA.
    e.enrol(&mut nurse, "S01-002").unwrap();
    let dm2 = FormRef::new(SubjectId::parse("S01-002").unwrap(), "SCR", 1, "DM", 1).unwrap();
    let out = e
        .form_save(
            &mut nurse,
            &dm2,
            &[
                entry("HAND", json!("right")),
                entry("HEIGHT", json!(180)),
                entry("WEIGHT", json!(81)),
            ],
            false,
            None,
        )
        .unwrap();
    assert_eq!(out.status, "in_progress");
    assert_eq!(
        e.form_show(&mut nurse, &dm2).unwrap().definition_version,
        "1.1"
    );

    // Overrides: investigators only, with a reason, of overridable values; both values kept.
    assert!(matches!(
        e.override_derived(&mut nurse, &dm2, "BSA", &json!(2.0), "measured"),
        Err(ServiceError::Forbidden { .. })
    ));
    let mut inv = e.login("inv", "password-123").unwrap();
    let err = e
        .override_derived(&mut inv, &dm2, "BSA", &json!(2.0), "  ")
        .unwrap_err();
    assert!(err.to_string().contains("needs a reason"), "{err}");
    let err = e
        .override_derived(&mut inv, &dm2, "BMI", &json!(20), "x")
        .unwrap_err();
    assert!(err.to_string().contains("may not be overridden"), "{err}");
    let err = e
        .override_derived(&mut inv, &dm1, "BSA", &json!(2.0), "x")
        .unwrap_err();
    assert!(
        err.to_string().contains("may not be overridden"),
        "1.0 has no overridable BSA: {err}"
    );
    let view = e
        .override_derived(
            &mut inv,
            &dm2,
            "BSA",
            &json!(1.98),
            "BSA by the pharmacy's nomogram",
        )
        .unwrap();
    // sqrt(180 * 81 / 3600) = 2.0125 -> 2.01 derived; 1.98 the override.
    let derived = view.derived.iter().find(|d| d.id == "BSA").unwrap();
    assert_eq!(derived.value, json!(2.01));
    assert_eq!(view.overrides.len(), 1);
    assert_eq!(view.overrides[0].value, json!(1.98));
    assert_eq!(view.overrides[0].derived_then, json!(2.01));
    assert_eq!(view.overrides[0].reason, "BSA by the pharmacy's nomogram");
    assert_eq!(view.overrides[0].username, "inv");
    // Withdrawn with null; it stays in the audit trail.
    let view = e
        .override_derived(
            &mut inv,
            &dm2,
            "BSA",
            &serde_json::Value::Null,
            "override not needed",
        )
        .unwrap();
    assert!(view.overrides.is_empty());
    let log = e.audit_log(&mut inv, Some("S01-002")).unwrap();
    assert_eq!(
        log.iter()
            .filter(|a| a.kind == "derived_overridden")
            .count(),
        2
    );
    let report = e.store().verify().unwrap();
    assert!(report.ok(), "{report:?}");
}
