//! Migrations upgrade frozen databases of older schema versions without losing anything.

use ecrf_store::{Store, SCHEMA_VERSION};

fn from_fixture(sql: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(sql).unwrap();
    drop(conn);
    (dir, path)
}

/// The demographics form of the subject of the version-11 and version-12 fixtures.
fn fixture_dm_form() -> ecrf_core::address::FormRef {
    ecrf_core::address::FormRef::new(
        ecrf_core::ids::SubjectId::parse("S07-001").unwrap(),
        "SCR",
        1,
        "DM",
        1,
    )
    .unwrap()
}

#[test]
fn schema_v1_upgrades_and_rebuilds_projections() {
    let (_dir, path) = from_fixture(include_str!("fixtures/schema-v1.sql"));
    let store = Store::open(&path, None, false).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    // Everything of version 1 is still there...
    assert_eq!(store.event_count().unwrap(), 12);
    let node = store.node().unwrap();
    assert_eq!(node.site.as_deref(), Some("S07"));
    assert_eq!(store.users().unwrap().len(), 2);
    // ...and the projections version 2 added were rebuilt from the log.
    let subjects = store.subjects().unwrap();
    assert_eq!(subjects.len(), 1);
    assert_eq!(subjects[0].subject, "S07-001");
    let form = fixture_dm_form();
    let values = store.form_value_map(&form).unwrap();
    let weight = values
        .iter()
        .find(|(s, _)| s.item == "WEIGHT")
        .map(|(_, v)| v.clone())
        .unwrap();
    // The fixture changed the weight from 70.5 to 71 with a reason; the later value shows.
    assert_eq!(weight, serde_json::json!(71));
    assert_eq!(store.form_state(&form).unwrap().unwrap().status, "complete");
    // The definition published at init is known again.
    let defs = store.definitions().unwrap();
    assert_eq!(defs.len(), 1);
    assert_eq!(defs[0].version, "1.0");
    let report = store.verify().unwrap();
    assert!(report.ok(), "{report:?}");
    // Opening again migrates nothing and changes nothing.
    drop(store);
    let again = Store::open(&path, None, false).unwrap();
    assert_eq!(again.event_count().unwrap(), 12);
}

/// Version 11 kept every version of an item (`item_versions`) and its subject index lacked what
/// the reports read; version 12 keeps only heads and a covering index. A populated version-11
/// database upgrades, its projections are rebuilt from the log, and nothing is lost.
#[test]
fn schema_v11_upgrades_to_heads() {
    let (_dir, path) = from_fixture(include_str!("fixtures/schema-v11.sql"));
    let store = Store::open(&path, None, false).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(store.event_count().unwrap(), 12);
    let conn = store.conn();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'item_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(tables, ["item_heads", "item_values"]);
    let form = fixture_dm_form();
    let values = store.form_value_map(&form).unwrap();
    assert_eq!(values.len(), 6, "{values:?}");
    let weight = values
        .iter()
        .find(|(s, _)| s.item == "WEIGHT")
        .map(|(_, v)| v.clone())
        .unwrap();
    // The edit shows; its single head is the current value's event, with nothing in item_heads.
    assert_eq!(weight, serde_json::json!(59.5));
    let heads: i64 = conn
        .query_row("SELECT count(*) FROM item_heads", [], |r| r.get(0))
        .unwrap();
    assert_eq!(heads, 0);
    let shown: (i64, String) = conn
        .query_row(
            "SELECT v.heads, e.kind FROM item_values v JOIN events e ON e.rowid = v.event_rowid WHERE v.item = 'WEIGHT'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(shown, (1, "value_set".to_string()));
    assert_eq!(store.form_state(&form).unwrap().unwrap().status, "complete");
    let report = store.verify().unwrap();
    assert!(report.ok(), "{report:?}");
}

/// Version 12 kept current values in a rowid table with two indexes; version 13 keeps them in
/// one B-tree ordered by (subject, form, key). A populated version-12 database upgrades with
/// its rows copied (no rebuild), every value and head as before, and verifies clean.
#[test]
fn schema_v12_upgrades_to_values_by_subject() {
    let (_dir, path) = from_fixture(include_str!("fixtures/schema-v12.sql"));
    let before: Vec<(String, String, i64, i64)> = {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let mut stmt = conn
            .prepare("SELECT key, value, event_rowid, heads FROM item_values ORDER BY key")
            .unwrap();
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    };
    assert_eq!(before.len(), 6);
    let store = Store::open(&path, None, false).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let conn = store.conn();
    let table: String = conn
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'item_values'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        table.contains("PRIMARY KEY (subject, form, key)"),
        "{table}"
    );
    assert!(table.ends_with("WITHOUT ROWID"), "{table}");
    let indexes: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'item_values' AND sql IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(indexes, 0, "no index beside the table");
    let mut stmt = conn
        .prepare("SELECT key, value, event_rowid, heads FROM item_values ORDER BY key")
        .unwrap();
    let after: Vec<(String, String, i64, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(after, before);
    let form = fixture_dm_form();
    let values = store.form_value_map(&form).unwrap();
    assert_eq!(values.len(), 6, "{values:?}");
    assert!(values
        .iter()
        .any(|(s, v)| s.item == "WEIGHT" && *v == serde_json::json!(59.5)));
    let report = store.verify().unwrap();
    assert!(report.ok(), "{report:?}");
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(conn);
    let err = Store::open(&path, None, false).err().unwrap();
    assert!(err.to_string().contains("newer than this program"), "{err}");
}

#[test]
fn a_foreign_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    std::fs::write(
        &path,
        b"this is not a database at all, just some text that is long enough",
    )
    .unwrap();
    let err = Store::open(&path, None, false).err().unwrap();
    assert!(err.to_string().contains("not an eCRF database"), "{err}");
}
