//! The CLI contract of docs/cli.md: what each command prints and its exit codes, and that bad
//! input to every command gets one clear line on stderr and changes nothing.

mod common;
use common::*;

#[test]
fn a_nurse_enrols_and_saves_and_sees_derived_values() {
    let site = Site::new();
    let r = site.nurse(&["subject", "enrol", "S01-001"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["subject"], "S01-001");

    let dm = site.file("dm.json", DM);
    let r = site.nurse(&[
        "form",
        "save",
        "--subject",
        "S01-001",
        "--event",
        "SCR",
        "--form",
        "DM",
        "--data",
        &dm,
        "--complete",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = r.json();
    assert_eq!(out["status"], "complete");
    assert_eq!(out["events"], 7, "six values and the completion");

    let r = site.nurse(&[
        "form",
        "show",
        "--subject",
        "S01-001",
        "--event",
        "SCR",
        "--form",
        "DM",
    ]);
    let show = r.json();
    let derived = |id: &str| {
        show["derived"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .unwrap()
            .clone()
    };
    // Age at consent 2026-01-10 of someone born 1980-05-20: 45 completed years.
    assert_eq!(derived("AGE")["value"], 45);
    // Mosteller: sqrt(162.5 * 58 / 3600) = 1.618 -> 1.62 m².
    assert_eq!(derived("BSA")["value"], 1.62);
    // 58 / 1.625² = 21.96 -> 22.0.
    assert_eq!(derived("BMI")["value"], 22.0);

    // Eligibility: all criteria met -> eligible; one exclusion met -> not eligible, named.
    let elig = site.file(
        "elig.json",
        r#"{"DIAG":"BALL","DISSTAT":"RELAPSED",
            "CD19":"POS","CD19MTH":"FLOW","CD19PCT":92.5,"CD19DAT":"2025-12-20",
            "CD22":"POS","CD22MTH":"IHC","CD22DAT":"2025-12-20",
            "PSSCALE":"ECOG","PSSCORE":1,
            "IN01":"Y","IN02":"Y","IN03":"Y","IN04":"Y","IN05":"Y","IN06":"Y",
            "EX01":"N","EX02":"N","EX03":"N","EX04":"N"}"#,
    );
    let r = site.nurse(&[
        "form",
        "save",
        "--subject",
        "S01-001",
        "--event",
        "SCR",
        "--form",
        "ELIG",
        "--data",
        &elig,
        "--complete",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d = &r.json()["derived"][0];
    assert_eq!(d["display"]["en"], "Eligible");
    assert_eq!(d["value"]["eligible"], true);

    let ex = site.file("ex.json", r#"{"EX02":"Y"}"#);
    let r = site.nurse(&[
        "form",
        "save",
        "--subject",
        "S01-001",
        "--event",
        "SCR",
        "--form",
        "ELIG",
        "--data",
        &ex,
        "--reason",
        "HBV DNA result received",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d = &r.json()["derived"][0];
    assert_eq!(d["value"]["eligible"], false);
    assert_eq!(d["value"]["failing"], serde_json::json!(["EX02"]));
    assert!(d["display"]["en"]
        .as_str()
        .unwrap()
        .contains("Active HIV, HBV or HCV infection"));

    // The audit log has the change with old and new value and the reason.
    let r = site.nurse(&["audit", "log", "--subject", "S01-001"]);
    assert_eq!(r.code, 0);
    let last: serde_json::Value = serde_json::from_str(r.stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["kind"], "value_set");
    assert_eq!(last["payload"]["old"], "N");
    assert_eq!(last["payload"]["new"], "Y");
    assert_eq!(last["payload"]["reason"], "HBV DNA result received");
    assert_eq!(last["username"], "nurse1");
    assert!(
        last["payload"]["base"]["seq"].as_u64().is_some(),
        "the base version the writer saw"
    );

    let r = site.nurse(&["audit", "verify"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn a_form_of_another_form_reads_cross_form_values() {
    let site = Site::new();
    site.nurse(&["subject", "enrol", "S01-002"]);
    let dm = site.file("dm.json", DM);
    site.nurse(&[
        "form",
        "save",
        "--subject",
        "S01-002",
        "--event",
        "SCR",
        "--form",
        "DM",
        "--data",
        &dm,
    ]);
    // CD19 assessed 200 days before consent: a warning (query), and the save goes through.
    let elig = site.file(
        "e.json",
        r#"{"CD19":"POS","CD19MTH":"IHC","CD19DAT":"2025-06-24"}"#,
    );
    let r = site.nurse(&[
        "form",
        "save",
        "--subject",
        "S01-002",
        "--event",
        "SCR",
        "--form",
        "ELIG",
        "--data",
        &elig,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let f = &r.json()["findings"];
    assert_eq!(f.as_array().unwrap().len(), 1, "{f}");
    assert_eq!(f[0]["rule"], "ELIG-02");
    assert_eq!(f[0]["severity"], "warning");
    // The warning opened a query, as a change event, once.
    assert_eq!(r.json()["queries_opened"], 1);
    let more = site.file("e2.json", r#"{"CD19MTH":"FLOW","CD19PCT":88.0}"#);
    let r = site.nurse(&[
        "form",
        "save",
        "--subject",
        "S01-002",
        "--event",
        "SCR",
        "--form",
        "ELIG",
        "--data",
        &more,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.json()["queries_opened"],
        0,
        "the open query is not opened again"
    );
    let show = site
        .nurse(&[
            "form",
            "show",
            "--subject",
            "S01-002",
            "--event",
            "SCR",
            "--form",
            "ELIG",
        ])
        .json();
    let q = show["queries"].as_array().unwrap();
    assert_eq!(q.len(), 1, "{q:?}");
    assert_eq!(q[0]["rule"], "ELIG-02");
    assert_eq!(q[0]["item"], "CD19DAT");
    assert_eq!(q[0]["status"], "open");
    assert_eq!(q[0]["opened_by"], "nurse1");
    let log = site.nurse(&["audit", "log", "--subject", "S01-002"]).stdout;
    assert_eq!(
        log.lines()
            .filter(|l| l.contains("\"kind\":\"query_opened\""))
            .count(),
        1
    );
}

struct Bad {
    name: &'static str,
    user: Option<&'static str>,
    password: &'static str,
    args: Vec<String>,
    code: i32,
    stderr: &'static str,
}

/// Bad input to each command: the exit code, one clear line on stderr, nothing changed.
#[test]
fn bad_input_is_refused_clearly_and_changes_nothing() {
    let site = Site::new().with_completed_dm();
    let f = |name: &str, text: &str| site.file(name, text);
    let not_json = f("bad.json", "{ this is not json");
    let array = f("array.json", "[1, 2]");
    let unknown_item = f("unknown.json", r#"{"SHOE_SIZE": 42}"#);
    let word_height = f("height.json", r#"{"HEIGHT": "tall"}"#);
    let huge_height = f("huge.json", r#"{"HEIGHT": 500}"#);
    let future = f("future.json", r#"{"ICDAT": "2999-01-01"}"#);
    let born_after = f("born.json", r#"{"BRTHDAT": "2026-02-01"}"#);
    let bad_date = f("date.json", r#"{"ICDAT": "2026-02-30"}"#);
    let sql = f("sql.json", r#"{"SEX": "F'; DROP TABLE events; --"}"#);
    let ctrl = f("ctrl.json", "{\"DIAG\": \"BALL\\u0000\"}");
    let weight = f("weight.json", r#"{"WEIGHT": 60}"#);
    let partial_elig = f("pe.json", r#"{"DIAG": "BALL"}"#);
    let bad_def = f("study.toml", "format = 1\n[study]\nid = \"X\"\nversion = \"1\"\nname = { en = \"x\", zh = \"x\" }\nform_files = []\nevents = 3\n");
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let save = |data: &str, extra: &[&str]| {
        let mut v = s(&[
            "form",
            "save",
            "--subject",
            "S01-001",
            "--event",
            "SCR",
            "--form",
            "DM",
            "--data",
            data,
        ]);
        v.extend(extra.iter().map(|x| x.to_string()));
        v
    };
    let n = Some("nurse1");
    let a = Some("admin");
    let cases = vec![
        Bad {
            name: "init over an existing database",
            user: None,
            password: ADMIN_PW,
            args: s(&[
                "init", "--role", "site", "--site", "S01", "--admin", "admin2",
            ]),
            code: 2,
            stderr: "already exists",
        },
        Bad {
            name: "user add by a nurse",
            user: n,
            password: NURSE_PW,
            args: s(&["user", "add", "x1", "--role", "nurse", "--name", "X"]),
            code: 2,
            stderr: "nurse may not manage users",
        },
        Bad {
            name: "user add with a bad username",
            user: a,
            password: ADMIN_PW,
            args: s(&["user", "add", "Bad Name", "--role", "nurse", "--name", "X"]),
            code: 2,
            stderr: "invalid username",
        },
        Bad {
            name: "user add of an existing user",
            user: a,
            password: ADMIN_PW,
            args: s(&["user", "add", "nurse1", "--role", "nurse", "--name", "X"]),
            code: 2,
            stderr: "already exists",
        },
        Bad {
            name: "user add with an unknown role",
            user: a,
            password: ADMIN_PW,
            args: s(&["user", "add", "x2", "--role", "surgeon", "--name", "X"]),
            code: 2,
            stderr: "invalid value 'surgeon'",
        },
        Bad {
            name: "wrong password",
            user: n,
            password: "not-the-password",
            args: s(&["subject", "enrol", "S01-009"]),
            code: 2,
            stderr: "wrong username or password",
        },
        Bad {
            name: "unknown user",
            user: Some("ghost"),
            password: NURSE_PW,
            args: s(&["subject", "list"]),
            code: 2,
            stderr: "wrong username or password",
        },
        Bad {
            name: "enrol a malformed id",
            user: n,
            password: NURSE_PW,
            args: s(&["subject", "enrol", "S1-1"]),
            code: 2,
            stderr: "invalid subject id",
        },
        Bad {
            name: "enrol another site's subject",
            user: n,
            password: NURSE_PW,
            args: s(&["subject", "enrol", "S02-001"]),
            code: 2,
            stderr: "does not belong to site S01",
        },
        Bad {
            name: "enrol twice",
            user: n,
            password: NURSE_PW,
            args: s(&["subject", "enrol", "S01-001"]),
            code: 2,
            stderr: "already exists",
        },
        Bad {
            name: "enrol by a monitor",
            user: Some("mon1"),
            password: MON_PW,
            args: s(&["subject", "enrol", "S01-010"]),
            code: 2,
            stderr: "monitor may not enrol",
        },
        Bad {
            name: "save: not JSON",
            user: n,
            password: NURSE_PW,
            args: save(&not_json, &[]),
            code: 2,
            stderr: "not valid JSON",
        },
        Bad {
            name: "save: not an object",
            user: n,
            password: NURSE_PW,
            args: save(&array, &[]),
            code: 2,
            stderr: "must be a JSON object",
        },
        Bad {
            name: "save: missing file",
            user: n,
            password: NURSE_PW,
            args: save("/nonexistent/x.json", &[]),
            code: 2,
            stderr: "No such file",
        },
        Bad {
            name: "save: unknown item",
            user: n,
            password: NURSE_PW,
            args: save(&unknown_item, &[]),
            code: 2,
            stderr: "has no item or repeating group SHOE_SIZE",
        },
        Bad {
            name: "save: a word for a number",
            user: n,
            password: NURSE_PW,
            args: save(&word_height, &["--reason", "x"]),
            code: 1,
            stderr: "Height: expected a number",
        },
        Bad {
            name: "save: above the range",
            user: n,
            password: NURSE_PW,
            args: save(&huge_height, &["--reason", "x"]),
            code: 1,
            stderr: "above the maximum 230",
        },
        Bad {
            name: "save: consent in the future",
            user: n,
            password: NURSE_PW,
            args: save(&future, &["--reason", "x"]),
            code: 1,
            stderr: "cannot be in the future",
        },
        Bad {
            name: "save: born after consent",
            user: n,
            password: NURSE_PW,
            args: save(&born_after, &["--reason", "x"]),
            code: 1,
            stderr: "before the date of consent",
        },
        Bad {
            name: "save: 30 February",
            user: n,
            password: NURSE_PW,
            args: save(&bad_date, &["--reason", "x"]),
            code: 1,
            stderr: "expected a date",
        },
        Bad {
            name: "save: SQL in a choice",
            user: n,
            password: NURSE_PW,
            args: save(&sql, &["--reason", "x"]),
            code: 1,
            stderr: "is not one of the choices",
        },
        Bad {
            name: "save: completed form without a reason",
            user: n,
            password: NURSE_PW,
            args: save(&weight, &[]),
            code: 1,
            stderr: "reason for change is required",
        },
        Bad {
            name: "save: unknown subject",
            user: n,
            password: NURSE_PW,
            args: s(&[
                "form",
                "save",
                "--subject",
                "S01-404",
                "--event",
                "SCR",
                "--form",
                "DM",
                "--data",
                &weight,
            ]),
            code: 2,
            stderr: "subject S01-404 not found",
        },
        Bad {
            name: "save: unknown form",
            user: n,
            password: NURSE_PW,
            args: s(&[
                "form",
                "save",
                "--subject",
                "S01-001",
                "--event",
                "SCR",
                "--form",
                "XYZ",
                "--data",
                &weight,
            ]),
            code: 2,
            stderr: "form XYZ not found",
        },
        Bad {
            name: "save: repeat of a non-repeating form",
            user: n,
            password: NURSE_PW,
            args: s(&[
                "form",
                "save",
                "--subject",
                "S01-001",
                "--event",
                "SCR",
                "--form",
                "DM",
                "--form-repeat",
                "2",
                "--data",
                &weight,
            ]),
            code: 2,
            stderr: "does not repeat",
        },
        Bad {
            name: "save: repeat 0",
            user: n,
            password: NURSE_PW,
            args: s(&[
                "form",
                "save",
                "--subject",
                "S01-001",
                "--event",
                "SCR",
                "--event-repeat",
                "0",
                "--form",
                "DM",
                "--data",
                &weight,
            ]),
            code: 2,
            stderr: "repeats are numbered from 1",
        },
        Bad {
            name: "save: a control character",
            user: n,
            password: NURSE_PW,
            args: s(&[
                "form",
                "save",
                "--subject",
                "S01-001",
                "--event",
                "SCR",
                "--form",
                "ELIG",
                "--data",
                &ctrl,
            ]),
            code: 1,
            stderr: "is not one of the choices",
        },
        Bad {
            name: "save: complete with required items missing",
            user: n,
            password: NURSE_PW,
            args: s(&[
                "form",
                "save",
                "--subject",
                "S01-001",
                "--event",
                "SCR",
                "--form",
                "ELIG",
                "--data",
                &partial_elig,
                "--complete",
            ]),
            code: 1,
            stderr: "is required",
        },
        Bad {
            name: "save by a monitor",
            user: Some("mon1"),
            password: MON_PW,
            args: save(&weight, &["--reason", "x"]),
            code: 2,
            stderr: "monitor may not enter data",
        },
        Bad {
            name: "show: unknown subject",
            user: n,
            password: NURSE_PW,
            args: s(&[
                "form",
                "show",
                "--subject",
                "S01-404",
                "--event",
                "SCR",
                "--form",
                "DM",
            ]),
            code: 2,
            stderr: "not found",
        },
        Bad {
            name: "audit log: malformed subject",
            user: n,
            password: NURSE_PW,
            args: s(&["audit", "log", "--subject", "nope"]),
            code: 2,
            stderr: "invalid subject id",
        },
        Bad {
            name: "demo by a nurse",
            user: n,
            password: NURSE_PW,
            args: s(&["demo", "--subjects", "2"]),
            code: 2,
            stderr: "nurse may not create demo data",
        },
        Bad {
            name: "definition check of a broken file",
            user: None,
            password: "",
            args: s(&["definition", "check", &bad_def]),
            code: 1,
            stderr: "study.toml:7:1: unknown field `events`",
        },
        Bad {
            name: "no --user",
            user: None,
            password: NURSE_PW,
            args: s(&["subject", "list"]),
            code: 2,
            stderr: "--user NAME is required",
        },
        Bad {
            name: "unknown command",
            user: n,
            password: NURSE_PW,
            args: s(&["subject", "delete", "S01-001"]),
            code: 2,
            stderr: "unrecognized subcommand",
        },
    ];
    for c in cases {
        let before = site.snapshot();
        let args: Vec<&str> = c.args.iter().map(String::as_str).collect();
        let r = run(&site.db, c.user, c.password, "new-pass-123", &args);
        assert_eq!(
            r.code, c.code,
            "{}: exit code; stderr: {}",
            c.name, r.stderr
        );
        assert!(
            r.stderr.contains(c.stderr),
            "{}: stderr {:?} lacks {:?}",
            c.name,
            r.stderr,
            c.stderr
        );
        if !c.stderr.starts_with("unrecognized") && !c.stderr.starts_with("invalid value") {
            assert_eq!(
                r.stderr.trim_end().lines().count(),
                1,
                "{}: one line on stderr: {:?}",
                c.name,
                r.stderr
            );
        }
        assert_eq!(site.snapshot(), before, "{}: the database changed", c.name);
    }
}

#[test]
fn init_refuses_bad_input_before_creating_anything() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["init", "--role", "site", "--admin", "admin"],
            ADMIN_PW,
            "needs --site",
        ),
        (
            &["init", "--role", "site", "--site", "s1", "--admin", "admin"],
            ADMIN_PW,
            "invalid site code",
        ),
        (
            &[
                "init", "--role", "site", "--site", "S01", "--admin", "Admin!",
            ],
            ADMIN_PW,
            "invalid username",
        ),
        (
            &[
                "init", "--role", "site", "--site", "S01", "--admin", "admin",
            ],
            "short",
            "at least 8 characters",
        ),
        (
            &["init", "--role", "moon", "--admin", "admin"],
            ADMIN_PW,
            "invalid value 'moon'",
        ),
    ];
    for (args, pw, msg) in cases {
        let r = run(&db, None, pw, "", args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains(msg),
            "{args:?}: {:?} lacks {msg:?}",
            r.stderr
        );
        assert!(!db.exists(), "{args:?} created the database");
    }
}

#[test]
fn five_wrong_passwords_lock_the_account_until_an_admin_unlocks_it() {
    let site = Site::new();
    for i in 1..=5 {
        let r = run(
            &site.db,
            Some("nurse1"),
            "wrong-password",
            "",
            &["subject", "list"],
        );
        assert_eq!(r.code, 2);
        if i < 5 {
            assert!(
                r.stderr.contains("wrong username or password"),
                "{}",
                r.stderr
            );
        } else {
            assert!(r.stderr.contains("locked"), "{}", r.stderr);
        }
    }
    // Even the right password is refused now.
    let r = site.nurse(&["subject", "list"]);
    assert!(r.stderr.contains("locked"), "{}", r.stderr);
    let log = site
        .ok(Some("admin"), ADMIN_PW, &["user", "security-log"])
        .json();
    let kinds: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"account_locked"), "{kinds:?}");
    assert_eq!(
        kinds.iter().filter(|k| **k == "login_failed").count(),
        5,
        "{kinds:?}"
    );
    site.ok(Some("admin"), ADMIN_PW, &["user", "unlock", "nurse1"]);
    assert_eq!(site.nurse(&["subject", "list"]).code, 0);
}

#[test]
fn users_are_deactivated_not_deleted_and_admin_recovery_works() {
    let site = Site::new();
    site.ok(Some("admin"), ADMIN_PW, &["user", "deactivate", "nurse1"]);
    let r = site.nurse(&["subject", "list"]);
    assert!(r.stderr.contains("deactivated"), "{}", r.stderr);
    let users = site.ok(Some("admin"), ADMIN_PW, &["user", "list"]).json();
    let n = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "nurse1")
        .unwrap()
        .clone();
    assert_eq!(n["active"], false);

    // Lock the only admin out, then recover with the database file.
    for _ in 0..5 {
        run(
            &site.db,
            Some("admin"),
            "wrong-password",
            "",
            &["user", "list"],
        );
    }
    assert!(
        run(&site.db, Some("admin"), ADMIN_PW, "", &["user", "list"])
            .stderr
            .contains("locked")
    );
    let r = run(
        &site.db,
        None,
        "",
        "brand-new-pass-1",
        &["recover-admin", "admin"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        run(
            &site.db,
            Some("admin"),
            "brand-new-pass-1",
            "",
            &["user", "list"]
        )
        .code,
        0
    );
}

#[test]
fn definition_show_lists_events_and_forms() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(
        &dir.path().join("none.db"),
        None,
        "",
        "",
        &["definition", "show", "--json"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d = r.json();
    let forms = d["forms"].as_array().unwrap();
    let elig = forms.iter().find(|f| f["id"] == "ELIG").unwrap();
    assert_eq!(elig["name"]["zh"], "入选/排除标准");
    let cd19 = elig["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "CD19")
        .unwrap();
    assert_eq!(cd19["type"], "choice");
    assert_eq!(cd19["codelist"], "ANTIGEN");
    let height = forms.iter().find(|f| f["id"] == "DM").unwrap()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "HEIGHT")
        .unwrap()
        .clone();
    assert_eq!(height["unit"], "cm");
    assert!(d["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["id"] == "SCR"));
}

#[test]
fn definition_check_accepts_the_shipped_definition() {
    let study = manifest_dir().join("../ecrf-core/definition/v1/study.toml");
    let study = study.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let r = run(
        &dir.path().join("none.db"),
        None,
        "",
        "",
        &["definition", "check", study],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["ok"], true);
}
