//! Nodes for sync tests: a central node and site nodes with their users, all on one clock.
#![allow(dead_code)]

use chrono::TimeZone;
use ecrf_core::address::FormRef;
use ecrf_core::ids::SubjectId;
use ecrf_core::roles::{NodeRole, Role};
use ecrf_services::clock::FixedClock;
use ecrf_services::dto::ValueEntry;
use ecrf_services::node::InitRequest;
use ecrf_services::sync::ImportSummary;
use ecrf_services::{Config, Ecrf, Kdf, ServiceError, Session};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

pub const PW: &str = "password-123";

pub fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::at(
        chrono::Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap(),
    ))
}

pub fn config() -> Config {
    Config {
        kdf: Kdf::Fast,
        ..Config::default()
    }
}

/// One node with an administrator, a data manager (central) or a nurse (site) logged in.
pub struct Node {
    pub e: Ecrf,
    pub admin: Session,
    /// The nurse at a site, the data manager at the central node.
    pub user: Session,
    pub dir: PathBuf,
    pub name: String,
    pub clock: Arc<FixedClock>,
    bundles: AtomicU32,
}

impl Node {
    pub fn new(dir: &Path, name: &str, site: Option<&str>, central_key: Option<&str>) -> Node {
        Node::with_clock(dir, name, site, central_key, clock())
    }

    pub fn with_clock(
        dir: &Path,
        name: &str,
        site: Option<&str>,
        central_key: Option<&str>,
        clock: Arc<FixedClock>,
    ) -> Node {
        let role = if site.is_some() {
            NodeRole::Site
        } else {
            NodeRole::Central
        };
        let mut e = Ecrf::init(
            &dir.join(format!("{name}.db")),
            None,
            InitRequest {
                role,
                site,
                admin: "admin",
                admin_name: "Admin",
                password: "admin-pass-1",
                central_key,
            },
            clock.clone(),
            config(),
        )
        .unwrap();
        let mut admin = e.login("admin", "admin-pass-1").unwrap();
        let (u, r) = match role {
            NodeRole::Site => ("nurse", Role::Nurse),
            NodeRole::Central => ("dm", Role::DataManager),
        };
        e.add_user(&mut admin, u, r, "User", PW).unwrap();
        let user = e.login(u, PW).unwrap();
        Node {
            e,
            admin,
            user,
            dir: dir.to_path_buf(),
            name: name.to_string(),
            clock,
            bundles: AtomicU32::new(0),
        }
    }

    pub fn fingerprint(&self) -> String {
        self.e.node_summary().unwrap().fingerprint
    }
    pub fn id(&self) -> String {
        self.e.node_summary().unwrap().node_id
    }

    fn next_path(&self) -> PathBuf {
        let n = self.bundles.fetch_add(1, Ordering::SeqCst);
        self.dir.join(format!("{}-{n}.ecrfb", self.name))
    }

    /// A bundle for `to` (central: a node id; site: None = the central node).
    pub fn export(&mut self, to: Option<&str>, full: bool) -> PathBuf {
        self.export_since(to, full, None)
    }

    pub fn export_since(&mut self, to: Option<&str>, full: bool, since: Option<u64>) -> PathBuf {
        let p = self.next_path();
        self.e
            .export_bundle(&mut self.user, to, full, since, &p)
            .unwrap();
        p
    }

    pub fn import(
        &mut self,
        p: &Path,
        accept: Option<&str>,
    ) -> Result<ImportSummary, ServiceError> {
        self.e.import_bundle(&mut self.user, p, accept, &mut |_| {})
    }

    pub fn digest(&self, site: Option<&str>) -> String {
        self.e.state_digest(site).unwrap()
    }

    pub fn enrol(&mut self, subject: &str) {
        self.e.enrol(&mut self.user, subject).unwrap();
    }

    /// Saves one demographics item (not completing the form).
    pub fn set(
        &mut self,
        subject: &str,
        item: &str,
        v: serde_json::Value,
    ) -> Result<u32, ServiceError> {
        let f = FormRef::new(SubjectId::parse(subject).unwrap(), "SCR", 1, "DM", 1).unwrap();
        let e = ValueEntry {
            group: "MAIN".into(),
            repeat: 1,
            item: item.into(),
            value: v,
        };
        self.e
            .form_save(&mut self.user, &f, &[e], false, None)
            .map(|o| o.events)
    }

    /// Saves the whole demographics form, complete.
    pub fn complete_dm(&mut self, subject: &str) {
        let f = FormRef::new(SubjectId::parse(subject).unwrap(), "SCR", 1, "DM", 1).unwrap();
        let data = json!({"ICDAT":"2026-01-10","BRTHDAT":"1980-05-20","SEX":"F","ETHNIC":"HAN","HEIGHT":162.5,"WEIGHT":58});
        let def = self.e.definition().clone();
        let entries = ecrf_services::forms::parse_data(def.form("DM").unwrap(), &data).unwrap();
        self.e
            .form_save(&mut self.user, &f, &entries, true, None)
            .unwrap();
    }

    /// Logs the user in again (after the clock moved past the idle lock).
    pub fn relogin(&mut self) {
        let name = self.user.username.clone();
        self.user = self.e.login(&name, PW).unwrap();
    }

    pub fn value(&mut self, subject: &str, item: &str) -> serde_json::Value {
        let f = FormRef::new(SubjectId::parse(subject).unwrap(), "SCR", 1, "DM", 1).unwrap();
        self.e
            .store()
            .form_value_map(&f)
            .unwrap()
            .into_iter()
            .find(|(s, _)| s.item == item)
            .map(|(_, v)| v)
            .unwrap_or(json!(null))
    }

    pub fn events(&self) -> i64 {
        self.e.store().event_count().unwrap()
    }

    pub fn verify_ok(&self) {
        let r = self.e.store().verify().unwrap();
        assert!(r.ok(), "{}: {:?}", self.name, r);
    }
}

/// A central node and sites joined: each site's first bundle accepted centrally, the
/// central's first return bundle accepted at each site by the key given at set-up.
pub fn joined(dir: &Path, sites: &[(&str, &str)]) -> (Node, Vec<Node>) {
    let mut central = Node::new(dir, "central", None, None);
    let fp = central.fingerprint();
    let mut out = Vec::new();
    for (name, site) in sites {
        let mut s = Node::new(dir, name, Some(site), Some(&fp));
        let b = s.export(None, true);
        let sfp = s.fingerprint();
        let sum = central.import(&b, Some(&sfp)).unwrap();
        assert!(sum.accepted_node);
        out.push(s);
    }
    for s in &mut out {
        let id = s.id();
        let b = central.export(Some(&id), false);
        let sum = s.import(&b, None).unwrap();
        assert!(sum.accepted_node, "central key preset at set-up");
    }
    (central, out)
}
