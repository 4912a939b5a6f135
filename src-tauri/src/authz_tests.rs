//! Every command of the app, called through Tauri's IPC (the mock runtime) as the web view
//! would: with no session each refuses (`unauthenticated`) unless it is one of the few that
//! need none; with a session, each role the product's table does not allow is refused
//! (`forbidden`) by the Rust side. The table of who may call what is written here from
//! product.md, not derived from the code.

use crate::state::AppState;
use ecrf_core::roles::{NodeRole, Role};
use ecrf_services::clock::SystemClock;
use ecrf_services::node::InitRequest;
use ecrf_services::{Config, Ecrf, Kdf};
use serde_json::{json, Value};
use std::sync::Arc;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{WebviewWindow, WebviewWindowBuilder};

const PW: &str = "password-123";

/// The roles, as they log in.
const ROLES: [(&str, Role); 5] = [
    ("nurse", Role::Nurse),
    ("inv", Role::Investigator),
    ("mon", Role::Monitor),
    ("dm", Role::DataManager),
    ("admin", Role::Admin),
];

fn call(
    w: &WebviewWindow<tauri::test::MockRuntime>,
    cmd: &str,
    args: Value,
) -> Result<Value, Value> {
    get_ipc_response(
        w,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().unwrap_or(Value::Null))
}

fn code(r: &Result<Value, Value>) -> Option<String> {
    r.as_ref().err().map(|e| {
        e["code"]
            .as_str()
            .map_or_else(|| e.to_string(), str::to_string)
    })
}

#[test]
fn every_command_authorises_in_rust() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("site.db");
    let config = Config {
        kdf: Kdf::Fast,
        ..Config::default()
    };
    let mut e = Ecrf::init(
        &db,
        None,
        InitRequest {
            role: NodeRole::Site,
            site: Some("S01"),
            admin: "admin",
            admin_name: "Admin",
            password: PW,
            central_key: None,
        },
        Arc::new(SystemClock),
        config.clone(),
    )
    .expect("init");
    let mut admin = e.login("admin", PW).expect("login");
    for (u, r) in &ROLES[..4] {
        e.add_user(&mut admin, u, *r, "User", PW).expect("user");
    }
    let mut nurse = e.login("nurse", PW).expect("nurse");
    e.enrol(&mut nurse, "S01-001").expect("enrol");

    let app = mock_builder()
        .manage(AppState::with_open(e, db.clone(), config))
        .invoke_handler(handlers!())
        .build(mock_context(noop_assets()))
        .expect("app");
    let w = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");

    let form = json!({"subject": "S01-001", "event": "SCR", "event_repeat": 1, "form": "DM", "form_repeat": 1});
    let item = json!({"subject": "S01-001", "event": "SCR", "event_repeat": 1, "form": "DM", "form_repeat": 1, "group": "MAIN", "group_repeat": 1, "item": "WEIGHT"});
    let target = json!({"level": "item", "subject": "S01-001", "event": "SCR", "event_repeat": 1, "form": "DM", "form_repeat": 1, "group": "MAIN", "group_repeat": 1, "item": "WEIGHT"});
    let scope = json!({"level": "subject", "subject": "S01-001"});
    let out = |name: &str| dir.path().join(name).display().to_string();
    let all: &[&str] = &["nurse", "inv", "mon", "dm", "admin"];
    let site_staff: &[&str] = &["nurse", "inv"];
    let reporters: &[&str] = &["inv", "mon", "dm"];
    let reviewers: &[&str] = &["mon", "dm"];
    let dm: &[&str] = &["dm"];
    let inv: &[&str] = &["inv"];
    let keys: &[&str] = &["dm", "admin"];
    let importers: &[&str] = &["nurse", "inv", "dm", "admin"];
    let exporters: &[&str] = &["nurse", "inv", "dm"];
    let none: &[&str] = &[];
    // (command, arguments, roles that may call it); `all` for viewing.
    let table: Vec<(&str, Value, &[&str])> = vec![
        ("unlock", json!({"password": PW}), all),
        ("definition", json!({}), all),
        ("subjects", json!({}), all),
        ("enrol", json!({"subject": "S01-002"}), site_staff),
        ("casebook", json!({"subject": "S01-001"}), all),
        ("form_show", json!({"form": form}), all),
        ("form_check", json!({"form": form, "values": []}), all),
        (
            "form_save",
            json!({"form": form, "values": [], "complete": false, "reason": null}),
            site_staff,
        ),
        (
            "form_override",
            json!({"form": form, "derived": "BSA", "value": null, "reason": "x"}),
            inv,
        ),
        ("subject_schedule", json!({"subject": "S01-001"}), all),
        ("worklist", json!({}), all),
        (
            "sign",
            json!({"scope": scope, "meaning": "approval", "password": PW}),
            inv,
        ),
        ("subject_signatures", json!({"subject": "S01-001"}), all),
        (
            "export_pdf",
            json!({"scope": scope, "lang": "en", "path": out("cb.pdf")}),
            all,
        ),
        (
            "bundle_export",
            json!({"to": null, "full": true, "path": out("b.ecrfb")}),
            exporters,
        ),
        (
            "bundle_inspect",
            json!({"path": out("missing.ecrfb")}),
            importers,
        ),
        (
            "bundle_import",
            json!({"paths": [out("missing.ecrfb")], "accept": null}),
            importers,
        ),
        ("import_history", json!({}), all),
        ("nodes", json!({}), all),
        (
            "revoke_node",
            json!({"node": "00000000-0000-0000-0000-000000000000", "reason": "x"}),
            keys,
        ),
        ("conflicts", json!({}), all),
        (
            "resolve_conflict",
            json!({"item": item, "value": 60, "reason": "x"}),
            dm,
        ),
        (
            "draft_save",
            json!({"form": form, "values": []}),
            site_staff,
        ),
        ("draft", json!({"form": form}), all),
        ("drafts", json!({}), all),
        ("draft_discard", json!({"form": form}), all),
        ("signature_queue", json!({}), inv),
        (
            "audit_trail",
            json!({"subject": "S01-001", "item": null}),
            all,
        ),
        ("audit_log", json!({"subject": "S01-001"}), all),
        ("queries", json!({}), all),
        (
            "query_open",
            json!({"target": target, "text": "check"}),
            reviewers,
        ),
        (
            "query_act",
            json!({"query": "00000000-0000-0000-0000-000000000000", "action": "close", "text": "x"}),
            dm,
        ),
        (
            "sdv_mark",
            json!({"target": target, "verified": true}),
            reviewers,
        ),
        ("lock_data", json!({"scope": scope, "reason": null}), dm),
        ("unlock_data", json!({"scope": scope, "reason": "x"}), dm),
        ("locks", json!({}), all),
        ("report_endpoints", json!({}), reporters),
        ("report_pk", json!({}), reporters),
        ("export_odm", json!({"path": out("odm.xml")}), reporters),
        ("export_csv", json!({"path": out("csv")}), reporters),
        (
            "report_endpoints_pdf",
            json!({"lang": "en", "path": out("rep.pdf")}),
            reporters,
        ),
        ("logout", json!({}), none),
    ];
    let open = [
        "node_info",
        "database_status",
        "open_database",
        "login",
        "logout",
        "session",
    ];
    // The list above covers every registered command but those that need no session.
    let source = include_str!("main.rs");
    let registered: Vec<&str> = source
        .split("commands::")
        .skip(1)
        .filter_map(|s| s.split(',').next())
        .map(str::trim)
        .collect();
    for c in &registered {
        assert!(
            open.contains(c) || table.iter().any(|(n, _, _)| n == c),
            "command {c} is not in the table of this test"
        );
    }

    // No session: refused, and the refusal is not a crash or a deserialisation error.
    for (cmd, args, _) in &table {
        if *cmd == "logout" {
            continue;
        }
        let r = call(&w, cmd, args.clone());
        assert_eq!(
            code(&r).as_deref(),
            Some("unauthenticated"),
            "{cmd} without a session: {r:?}"
        );
    }
    assert!(call(&w, "node_info", json!({})).is_ok());
    assert_eq!(call(&w, "session", json!({})), Ok(Value::Null));

    // Each role: what the table does not allow is forbidden; what it allows is not.
    for (user, _) in ROLES {
        let r = call(&w, "login", json!({"username": user, "password": PW}));
        assert!(r.is_ok(), "login {user}: {r:?}");
        for (cmd, args, allowed) in &table {
            if *cmd == "logout" || *cmd == "unlock" {
                continue;
            }
            let r = call(&w, cmd, args.clone());
            let c = code(&r);
            if allowed.contains(&user) {
                assert_ne!(c.as_deref(), Some("forbidden"), "{user} may {cmd}: {r:?}");
                assert_ne!(c.as_deref(), Some("unauthenticated"), "{user} {cmd}: {r:?}");
                if let Some(c) = &c {
                    assert!(
                        !c.contains("invalid args"),
                        "{cmd}: arguments not understood: {c}"
                    );
                }
            } else {
                assert_eq!(
                    c.as_deref(),
                    Some("forbidden"),
                    "{user} may not {cmd}: {r:?}"
                );
            }
        }
        assert!(call(&w, "logout", json!({})).is_ok());
    }
}
