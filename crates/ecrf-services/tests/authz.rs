//! Every action × every role, against the table "Who may do what" of product.md, written out
//! here independently of the code's own table; and a refused call changes nothing.

use chrono::TimeZone;
use ecrf_core::roles::{Action, NodeRole, Role};
use ecrf_services::clock::FixedClock;
use ecrf_services::node::InitRequest;
use ecrf_services::{Config, Ecrf, Kdf, ServiceError};
use std::sync::Arc;

// Columns: nurse, investigator, monitor, data manager, admin. Rows as in product.md.
const SITE_TABLE: &[(Action, [bool; 5])] = &[
    (Action::ViewData, [true, true, true, true, true]),
    (Action::Enrol, [true, true, false, false, false]),
    (Action::EnterData, [true, true, false, false, false]),
    (Action::AnswerQuery, [true, true, false, false, false]),
    (Action::Sign, [false, true, false, false, false]),
    (Action::OverrideDerived, [false, true, false, false, false]),
    (Action::OpenQuery, [false, false, true, true, false]),
    (Action::VerifySource, [false, false, true, true, false]),
    (Action::CloseQuery, [false, false, false, true, false]),
    (Action::ResolveConflict, [false, false, false, true, false]),
    (Action::Lock, [false, false, false, true, false]),
    (Action::ExportBundle, [true, true, false, true, false]),
    (Action::ImportBundle, [true, true, false, true, true]),
    (Action::ManageNodeKeys, [false, false, false, true, true]),
    (Action::Reports, [false, true, true, true, false]),
    (Action::ManageUsers, [false, false, false, false, true]),
    (Action::Backup, [false, false, false, false, true]),
    (Action::NodeSetup, [false, false, false, false, true]),
    (Action::Demo, [false, false, false, false, true]),
    (Action::VerifyAudit, [true, true, true, true, true]),
    // Not in product.md's table: the data manager publishes amended definitions, centrally.
    (
        Action::PublishDefinition,
        [false, false, false, true, false],
    ),
];

const ROLES: [Role; 5] = [
    Role::Nurse,
    Role::Investigator,
    Role::Monitor,
    Role::DataManager,
    Role::Admin,
];

fn node(role: NodeRole) -> (tempfile::TempDir, Ecrf) {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::at(
        chrono::Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap(),
    ));
    let config = Config {
        kdf: Kdf::Fast,
        ..Config::default()
    };
    let site = (role == NodeRole::Site).then_some("S01");
    let mut e = Ecrf::init(
        &dir.path().join("n.db"),
        None,
        InitRequest {
            role,
            site,
            admin: "admin",
            admin_name: "Admin",
            password: "admin-pass-1",
            central_key: None,
        },
        clock,
        config,
    )
    .unwrap();
    let mut admin = e.login("admin", "admin-pass-1").unwrap();
    for r in ROLES.iter().filter(|r| **r != Role::Admin) {
        e.add_user(
            &mut admin,
            &format!("u-{}", r.as_str()),
            *r,
            "User",
            "password-123",
        )
        .unwrap();
    }
    (dir, e)
}

fn login(e: &mut Ecrf, r: Role) -> ecrf_services::Session {
    if r == Role::Admin {
        e.login("admin", "admin-pass-1").unwrap()
    } else {
        e.login(&format!("u-{}", r.as_str()), "password-123")
            .unwrap()
    }
}

#[test]
fn every_action_and_role_at_a_site_and_at_the_centre() {
    for node_role in [NodeRole::Site, NodeRole::Central] {
        let (_d, mut e) = node(node_role);
        for (action, allowed) in SITE_TABLE {
            for (i, role) in ROLES.iter().enumerate() {
                // Nurses and investigators import only at a site; definitions are published
                // only centrally.
                let central_import_by_site_staff = *action == Action::ImportBundle
                    && node_role == NodeRole::Central
                    && matches!(role, Role::Nurse | Role::Investigator);
                let publish_at_site =
                    *action == Action::PublishDefinition && node_role == NodeRole::Site;
                let expected = allowed[i] && !central_import_by_site_staff && !publish_at_site;
                let mut s = login(&mut e, *role);
                let got = e.authorize(&mut s, *action);
                match (expected, got) {
                    (true, Ok(())) => {}
                    (false, Err(ServiceError::Forbidden { .. })) => {}
                    (exp, got) => panic!(
                        "{node_role:?} {role} {action:?}: expected allowed={exp}, got {got:?}"
                    ),
                }
            }
        }
    }
}

#[test]
fn refused_service_calls_change_nothing() {
    let (_d, mut e) = node(NodeRole::Site);
    let mut nurse = login(&mut e, Role::Nurse);
    e.enrol(&mut nurse, "S01-001").unwrap();
    let before = e.store().event_count().unwrap();
    for role in [Role::Monitor, Role::DataManager, Role::Admin] {
        let mut s = login(&mut e, role);
        assert!(
            matches!(
                e.enrol(&mut s, "S01-002"),
                Err(ServiceError::Forbidden { .. })
            ),
            "{role} enrol"
        );
        let f = ecrf_core::address::FormRef::new(
            ecrf_core::ids::SubjectId::parse("S01-001").unwrap(),
            "SCR",
            1,
            "DM",
            1,
        )
        .unwrap();
        let v = vec![ecrf_services::dto::ValueEntry {
            group: "MAIN".into(),
            repeat: 1,
            item: "SEX".into(),
            value: serde_json::json!("F"),
        }];
        assert!(
            matches!(
                e.form_save(&mut s, &f, &v, false, None),
                Err(ServiceError::Forbidden { .. })
            ),
            "{role} save"
        );
    }
    for role in [
        Role::Nurse,
        Role::Investigator,
        Role::Monitor,
        Role::DataManager,
    ] {
        let mut s = login(&mut e, role);
        assert!(
            matches!(
                e.add_user(&mut s, "x-user", Role::Nurse, "X", "password-123"),
                Err(ServiceError::Forbidden { .. })
            ),
            "{role} add user"
        );
        assert!(
            matches!(e.demo(&mut s, 1, 1), Err(ServiceError::Forbidden { .. })),
            "{role} demo"
        );
    }
    assert_eq!(e.store().event_count().unwrap(), before);
    let refusals = e
        .store()
        .security_log(100)
        .unwrap()
        .iter()
        .filter(|x| x.kind == "refused")
        .count();
    assert_eq!(refusals, 3 * 2 + 4 * 2);
}

#[test]
fn an_idle_session_locks_and_unlocks_with_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::at(
        chrono::Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap(),
    ));
    let config = Config {
        kdf: Kdf::Fast,
        idle_minutes: 15,
        ..Config::default()
    };
    let mut e = Ecrf::init(
        &dir.path().join("n.db"),
        None,
        InitRequest {
            role: NodeRole::Site,
            site: Some("S01"),
            admin: "admin",
            admin_name: "Admin",
            password: "admin-pass-1",
            central_key: None,
        },
        clock.clone(),
        config,
    )
    .unwrap();
    let mut s = e.login("admin", "admin-pass-1").unwrap();
    clock.advance_ms(14 * 60_000);
    assert!(e.authorize(&mut s, Action::ViewData).is_ok());
    clock.advance_ms(15 * 60_000 + 1);
    assert!(matches!(
        e.authorize(&mut s, Action::ViewData),
        Err(ServiceError::SessionLocked)
    ));
    assert!(matches!(
        e.authorize(&mut s, Action::ViewData),
        Err(ServiceError::SessionLocked)
    ));
    assert!(e.unlock(&mut s, "wrong-password").is_err());
    e.unlock(&mut s, "admin-pass-1").unwrap();
    assert!(e.authorize(&mut s, Action::ViewData).is_ok());
}
