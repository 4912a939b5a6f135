//! A demo trial at the central node: site nodes with synthetic subjects, whose bundles the
//! central node imports with their keys accepted.

use crate::auth::Session;
use crate::node::InitRequest;
use crate::sync::ImportSummary;
use crate::{Ecrf, Result, ServiceError};
use ecrf_core::roles::{Action, NodeRole};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One site node the demo made.
#[derive(Debug, Serialize)]
pub struct DemoSite {
    pub site: String,
    pub node: String,
    pub fingerprint: String,
    /// The site's database (kept with `--out`).
    pub database: Option<String>,
    pub bundle: Option<String>,
    pub subjects: usize,
    pub events: u64,
    pub import: ImportSummary,
}

#[derive(Debug, Serialize)]
pub struct DemoSitesSummary {
    pub sites: Vec<DemoSite>,
    pub central_events: i64,
}

impl Ecrf {
    /// Makes `sites` site nodes (S01, S02, … after the sites already known) with `subjects`
    /// synthetic subjects each, exports each site's full bundle and imports it here with the
    /// site's key accepted. With `out`, the site databases and bundles are kept there.
    pub fn demo_sites(
        &mut self,
        admin: &mut Session,
        sites: u32,
        subjects: u32,
        seed: u64,
        out: Option<&Path>,
    ) -> Result<DemoSitesSummary> {
        self.authorize(admin, Action::Demo)?;
        let me = self.store.node()?;
        if me.role != NodeRole::Central {
            return Err(ServiceError::InvalidInput(
                "demo --sites runs on the central node".into(),
            ));
        }
        if sites == 0 || sites > 99 {
            return Err(ServiceError::InvalidInput(
                "--sites takes 1 to 99 sites".into(),
            ));
        }
        let tmp;
        let dir: PathBuf = match out {
            Some(d) => {
                std::fs::create_dir_all(d)
                    .map_err(|e| ServiceError::Io(format!("{}: {e}", d.display())))?;
                d.to_path_buf()
            }
            None => {
                tmp = tempfile::tempdir().map_err(|e| ServiceError::Io(e.to_string()))?;
                tmp.path().to_path_buf()
            }
        };
        let known: Vec<String> = self
            .store
            .nodes()?
            .into_iter()
            .filter_map(|n| n.site)
            .collect();
        let mut made = Vec::new();
        let mut number = 0;
        for i in 0..sites {
            let code = loop {
                number += 1;
                let c = format!("S{number:02}");
                if !known.contains(&c) {
                    break c;
                }
            };
            let db = dir.join(format!("{code}.db"));
            let password = uuid::Uuid::new_v4().to_string();
            let mut site = Ecrf::init(
                &db,
                None,
                InitRequest {
                    role: NodeRole::Site,
                    site: Some(&code),
                    admin: "admin",
                    admin_name: "Site administrator (demo)",
                    password: &password,
                    central_key: None,
                },
                Arc::clone(&self.clock),
                self.config.clone(),
            )?;
            let mut s = site.login("admin", &password)?;
            let demo = site.demo(&mut s, subjects, seed.wrapping_add(u64::from(i)))?;
            // Bundles are sent by the site's staff: a nurse account for the demo.
            site.add_user(
                &mut s,
                "demo.sender",
                ecrf_core::roles::Role::Nurse,
                "Demo sender (synthetic data)",
                &password,
            )?;
            let mut sender = site.login("demo.sender", &password)?;
            let bundle = dir.join(format!("{code}-full.ecrfb"));
            site.export_bundle(&mut sender, None, true, None, &bundle)?;
            let info = site.node_summary()?;
            drop(site);
            let import =
                self.import_bundle(admin, &bundle, Some(&info.fingerprint), &mut |_| {})?;
            made.push(DemoSite {
                site: code,
                node: info.node_id,
                fingerprint: info.fingerprint,
                database: out.map(|_| db.display().to_string()),
                bundle: out.map(|_| bundle.display().to_string()),
                subjects: demo.subjects.len(),
                events: demo.events,
                import,
            });
        }
        Ok(DemoSitesSummary {
            sites: made,
            central_events: self.store.event_count()?,
        })
    }
}
