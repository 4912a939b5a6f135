//! End to end, in a real window: a nurse logs in, enrols a subject, enters eligibility, and
//! after the app is closed and started again finds the values there.

use chrono::Utc;
use ecrf_core::address::FormRef;
use ecrf_core::ids::SubjectId;
use ecrf_core::roles::{NodeRole, Role};
use ecrf_services::clock::SystemClock;
use ecrf_services::node::InitRequest;
use ecrf_services::{Config, Ecrf, Kdf};
use ecrf_tests::webdriver::Session;
use ecrf_tests::{app_binary, artifacts, Display, Driver};
use std::path::Path;
use std::sync::Arc;

const NURSE_PW: &str = "nurse-pass-1";

fn make_site(db: &Path) {
    let config = Config {
        kdf: Kdf::Fast,
        ..Config::default()
    };
    let mut e = Ecrf::init(
        db,
        None,
        InitRequest {
            role: NodeRole::Site,
            site: Some("S01"),
            admin: "admin",
            admin_name: "Site Admin",
            password: "admin-pass-1",
            central_key: None,
        },
        Arc::new(SystemClock),
        config,
    )
    .expect("init");
    let mut admin = e.login("admin", "admin-pass-1").expect("admin login");
    e.add_user(&mut admin, "nurse1", Role::Nurse, "Li Na", NURSE_PW)
        .expect("add nurse");
}

/// The site database as the services open it (cheap password hashing for tests).
fn open_site(db: &Path) -> Ecrf {
    Ecrf::open(
        db,
        None,
        Arc::new(SystemClock),
        Config {
            kdf: Kdf::Fast,
            ..Config::default()
        },
    )
    .expect("open the site database")
}

fn login(s: &Session) {
    login_as(s, "nurse1", NURSE_PW);
}

fn login_as(s: &Session, user: &str, password: &str) {
    // The login screen is ready (and done moving the focus) once it shows the node.
    s.wait_text("body", "S01");
    let u = s.wait("#username");
    s.type_into(&u, user);
    let p = s.wait("#password");
    s.type_into(&p, password);
    s.click_on("#login");
}

fn open_eligibility(s: &Session) {
    s.click_on("[data-subject=\"S01-001\"] td");
    s.click_on("[data-form-cell=\"SCR.1/ELIG.1\"]");
}

#[test]
fn nurse_enrols_enters_eligibility_and_finds_it_after_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("site.db");
    make_site(&db);
    let display = Display::start();
    let env = [
        ("ECRF_DB", db.to_string_lossy().into_owned()),
        ("ECRF_KDF", "fast".to_string()),
        ("LANG", "en_GB.UTF-8".to_string()),
    ];
    let driver = Driver::start(&display, &env);
    let app = app_binary();

    let s = Session::new(driver.port, &app);
    login(&s);
    let input = s.wait("#new-subject");
    s.type_into(&input, "S01-001");
    s.click_on("#enrol");
    open_eligibility(&s);
    s.choose("DIAG", "BALL");
    s.choose("CD19", "POS");
    // The method appears once the CD19 status is known.
    s.choose("CD19MTH", "FLOW");
    let pct = s.wait("input[data-item=\"CD19PCT\"][data-part=\"value\"]");
    s.type_into(&pct, "92.5");
    s.click_on("#save");
    s.wait("[data-form-status=\"in_progress\"]");
    s.screenshot(&artifacts().join("e2e-eligibility.png"))
        .expect("screenshot");
    s.quit();

    // The values are in the database, written through the same service as the CLI's.
    {
        let mut e = open_site(&db);
        let mut nurse = e.login("nurse1", NURSE_PW).expect("login");
        let f = FormRef::new(SubjectId::parse("S01-001").unwrap(), "SCR", 1, "ELIG", 1).unwrap();
        let view = e.form_show(&mut nurse, &f).expect("show");
        let get = |item: &str| {
            view.values
                .iter()
                .find(|v| v.item == item)
                .map(|v| v.value.clone())
        };
        assert_eq!(get("CD19"), Some(serde_json::json!("POS")));
        assert_eq!(get("CD19PCT"), Some(serde_json::json!(92.5)));
        assert_eq!(view.status, "in_progress");
        let log = e.audit_log(&mut nurse, Some("S01-001")).expect("log");
        assert!(log.iter().all(|a| a.username == "nurse1"));
        assert!(log.iter().any(|a| a.kind == "subject_enrolled"));
        assert!(Utc::now().to_rfc3339() > log[0].captured_at);
    }

    // Start the app again: the values are shown.
    let s = Session::new(driver.port, &app);
    login(&s);
    open_eligibility(&s);
    let pos = s.wait("input[data-item=\"CD19\"][value=\"POS\"]");
    assert_eq!(s.property(&pos, "checked"), serde_json::json!(true));
    let pct = s.wait("input[data-item=\"CD19PCT\"][data-part=\"value\"]");
    assert_eq!(s.property(&pct, "value"), serde_json::json!("92.5"));
    s.screenshot(&artifacts().join("e2e-after-restart.png"))
        .expect("screenshot");
    s.quit();
}

/// Every form of the definition is drawn by the one renderer, in both languages, for a demo
/// subject with a complete casebook.
#[test]
fn every_form_renders_from_the_definition() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("site.db");
    make_site(&db);
    let mut subject = String::new();
    {
        let mut e = open_site(&db);
        let mut admin = e.login("admin", "admin-pass-1").expect("admin");
        let demo = e.demo(&mut admin, 6, 4).expect("demo");
        let mut nurse = e.login("nurse1", NURSE_PW).expect("nurse");
        // The subject with the most forms started: an infused one.
        let mut best = 0;
        for s in &demo.subjects {
            let n = e
                .casebook(&mut nurse, s)
                .expect("casebook")
                .forms
                .iter()
                .filter(|f| f.status != "not_started")
                .count();
            if n > best {
                best = n;
                subject = s.clone();
            }
        }
    }
    let def = ecrf_core::definition::builtin();
    let display = Display::start();
    let env = [
        ("ECRF_DB", db.to_string_lossy().into_owned()),
        ("ECRF_KDF", "fast".to_string()),
    ];
    let driver = Driver::start(&display, &env);
    let s = Session::new(driver.port, &app_binary());
    login(&s);
    s.click_on(&format!("[data-subject=\"{subject}\"] td"));
    let mut seen = std::collections::BTreeSet::new();
    for ev in &def.events {
        for form in &ev.forms {
            if !seen.insert(form.clone()) {
                continue;
            }
            let cell = format!("[data-form-cell=\"{}.1/{}.1\"]", ev.id, form);
            s.wait(&cell);
            s.execute(
                "arguments[0].scrollIntoView({block: 'center'});",
                serde_json::json!([{ "element-6066-11e4-a52e-4f735466cecf": s.wait(&cell) }]),
            );
            s.click_on(&cell);
            let f = def.form(form).expect("form");
            let first = &f.items[0];
            s.wait(&format!("[data-item=\"{}\"]", first.id));
            // Every derived value has its place on the screen.
            for d in &f.derived {
                s.wait(&format!("[data-derived=\"{}\"]", d.id));
            }
            if ["CRS", "ICANS", "LYRESP", "INF"].contains(&form.as_str()) {
                s.screenshot(&artifacts().join(format!("form-{form}.png")))
                    .expect("screenshot");
            }
            s.click_on("#back");
            s.wait(&cell);
        }
    }
    // The same form in Chinese.
    s.click_on("[data-form-cell=\"D1.1/CRS.1\"]");
    s.wait_text("h1", "Cytokine release syndrome");
    s.wait("[data-derived=\"CRSGR\"]");
    s.click_on("#lang");
    s.wait_text("h1", "细胞因子释放综合征");
    s.screenshot(&artifacts().join("form-CRS-zh.png"))
        .expect("screenshot");
    assert_eq!(seen.len(), def.forms.len(), "every form is in some event");
    s.quit();
}

/// An investigator signs a form in the app; a later edit shows the signature broken.
#[test]
fn investigator_signs_and_a_later_edit_breaks_the_signature() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("site.db");
    make_site(&db);
    {
        let mut e = open_site(&db);
        let mut admin = e.login("admin", "admin-pass-1").expect("admin");
        e.add_user(
            &mut admin,
            "inv1",
            Role::Investigator,
            "Dr Zhang Wei",
            "investigator-pass-1",
        )
        .expect("add investigator");
        let mut nurse = e.login("nurse1", NURSE_PW).expect("nurse");
        e.enrol(&mut nurse, "S01-001").expect("enrol");
        let f = FormRef::new(SubjectId::parse("S01-001").unwrap(), "SCR", 1, "DM", 1).unwrap();
        let v = |item: &str, value: serde_json::Value| ecrf_services::dto::ValueEntry {
            group: "MAIN".into(),
            repeat: 1,
            item: item.into(),
            value,
        };
        let values = [
            v("ICDAT", serde_json::json!("2026-01-10")),
            v("BRTHDAT", serde_json::json!("1980-05-20")),
            v("SEX", serde_json::json!("F")),
            v("ETHNIC", serde_json::json!("HAN")),
            v("HEIGHT", serde_json::json!(162.5)),
            v("WEIGHT", serde_json::json!(58)),
        ];
        e.form_save(&mut nurse, &f, &values, true, None)
            .expect("save DM");
    }
    let display = Display::start();
    let env = [
        ("ECRF_DB", db.to_string_lossy().into_owned()),
        ("ECRF_KDF", "fast".to_string()),
    ];
    let driver = Driver::start(&display, &env);
    let s = Session::new(driver.port, &app_binary());
    login_as(&s, "inv1", "investigator-pass-1");
    s.click_on("[data-subject=\"S01-001\"] td");
    s.click_on("[data-form-cell=\"SCR.1/DM.1\"]");
    s.click_on("#sign-form");
    s.wait("#sign-dialog");
    s.click_on("#sign-meaning-authorship");
    s.type_into(&s.wait("#sign-password"), "investigator-pass-1");
    s.click_on("#sign-ok");
    s.wait("[data-signature-ok]");
    s.screenshot(&artifacts().join("e2e-signed.png"))
        .expect("screenshot");

    // Change the weight: a completed form asks for a reason; the signature is then broken.
    let w = s.wait("input[data-item=\"WEIGHT\"][data-part=\"value\"]");
    s.clear(&w);
    s.type_into(&w, "59.5");
    s.click_on("#save");
    s.type_into(&s.wait("#reason"), "re-weighed on the calibrated scale");
    s.click_on("#reason-ok");
    s.wait("[data-signature-broken]");
    s.screenshot(&artifacts().join("e2e-signature-broken.png"))
        .expect("screenshot");
    s.quit();

    let mut e = open_site(&db);
    let mut inv = e.login("inv1", "investigator-pass-1").expect("login");
    let sigs = e
        .subject_signatures(&mut inv, "S01-001")
        .expect("signatures");
    assert_eq!(sigs.len(), 1);
    assert!(sigs[0].broken, "the edit broke the signature");
    assert_eq!(sigs[0].printed_name, "Dr Zhang Wei");
}
