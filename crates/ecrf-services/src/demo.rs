//! Realistic synthetic subjects, entered through the same form service as a nurse would.
//! Deterministic for a seed. Grows with every form the definition gains.

use crate::auth::{hash_password, Session};
use crate::dto::ValueEntry;
use crate::{Ecrf, Result, ServiceError};
use chrono::{Duration, NaiveDate};
use ecrf_core::address::FormRef;
use ecrf_core::event::Payload;
use ecrf_core::ids::SubjectId;
use ecrf_core::roles::{Action, Role};
use ecrf_store::UserRow;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use serde_json::{json, Value as Json};
use uuid::Uuid;

/// The user the demo enters data as; created deactivated-for-login (random password).
pub const DEMO_NURSE: &str = "demo.nurse";

#[derive(Debug, Serialize)]
pub struct DemoSummary {
    pub subjects: Vec<String>,
    pub events: u64,
}

fn entries(pairs: &[(&str, Json)]) -> Vec<ValueEntry> {
    pairs
        .iter()
        .map(|(k, v)| ValueEntry {
            group: "MAIN".into(),
            repeat: 1,
            item: k.to_string(),
            value: v.clone(),
        })
        .collect()
}

fn grouped(group: &str, pairs: &[(&str, Json)]) -> Vec<ValueEntry> {
    let mut e = entries(pairs);
    for x in &mut e {
        x.group = group.to_string();
    }
    e
}

impl Ecrf {
    /// Enrols `n` subjects at this site with screening data. Subject numbers continue after
    /// those already enrolled.
    pub fn demo(&mut self, admin: &mut Session, n: u32, seed: u64) -> Result<DemoSummary> {
        self.authorize(admin, Action::Demo)?;
        if n > 100_000 {
            return Err(ServiceError::InvalidInput(
                "at most 100000 subjects at a time".into(),
            ));
        }
        let node = self.store.node()?;
        let site = node.site.clone().ok_or_else(|| {
            ServiceError::InvalidInput("demo subjects are made at a site node".into())
        })?;
        let mut nurse = self.demo_nurse(admin)?;
        let before = self.store.event_count()?;
        let mut rng = StdRng::seed_from_u64(seed);
        let existing = self.store.subjects()?.len() as u32;
        let base = NaiveDate::from_ymd_opt(2025, 3, 3)
            .ok_or_else(|| ServiceError::Internal("date".into()))?;
        let mut made = Vec::new();
        for i in 0..n {
            let number = existing + i + 1;
            let id = format!("{site}-{number:03}");
            self.enrol(&mut nurse, &id)?;
            let sid = SubjectId::parse(&id)?;
            let consent = base + Duration::days((number as i64 * 9) % 540 + rng.gen_range(0..5));
            let child = rng.gen_bool(0.2);
            let age = if child {
                rng.gen_range(3..16)
            } else {
                rng.gen_range(18..71)
            };
            let birth = consent - Duration::days(age * 365 + rng.gen_range(0..360));
            let female = rng.gen_bool(0.45);
            let height: f64 = if child {
                rng.gen_range(95.0..165.0)
            } else if female {
                rng.gen_range(150.0..172.0)
            } else {
                rng.gen_range(160.0..186.0)
            };
            let bmi: f64 = rng.gen_range(18.0..28.0);
            let weight = (bmi * (height / 100.0).powi(2) * 10.0).round() / 10.0;
            let height = (height * 10.0).round() / 10.0;
            let birth_value = if rng.gen_bool(0.1) {
                json!(birth.format("%Y").to_string())
            } else {
                json!(birth.format("%Y-%m-%d").to_string())
            };
            let dm = FormRef::new(sid.clone(), "SCR", 1, "DM", 1)?;
            self.form_save(
                &mut nurse,
                &dm,
                &entries(&[
                    ("ICDAT", json!(consent.format("%Y-%m-%d").to_string())),
                    ("BRTHDAT", birth_value),
                    ("SEX", json!(if female { "F" } else { "M" })),
                    (
                        "ETHNIC",
                        json!(if rng.gen_bool(0.9) { "HAN" } else { "OTHER_CN" }),
                    ),
                    ("HEIGHT", json!(height)),
                    ("WEIGHT", json!(weight)),
                ]),
                true,
                None,
            )?;
            // Antigen status: most CD19+CD22+, some single-positive; a few screen failures.
            let cd19 = rng.gen_bool(0.9);
            let cd22 = !cd19 || rng.gen_bool(0.8);
            let fail = rng.gen_bool(0.12);
            let ag_date = consent - Duration::days(rng.gen_range(3..40));
            let ag = |pos: bool, rng: &mut StdRng| -> (Json, Json) {
                let pct: f64 = if pos {
                    rng.gen_range(60.0..99.9)
                } else {
                    rng.gen_range(0.0..5.0)
                };
                (
                    json!(if pos { "POS" } else { "NEG" }),
                    json!((pct * 10.0).round() / 10.0),
                )
            };
            let (s19, p19) = ag(cd19, &mut rng);
            let (s22, p22) = ag(cd22, &mut rng);
            let (scale, score) = if age < 16 {
                ("LANSKY", json!(rng.gen_range(6..11) * 10))
            } else if rng.gen_bool(0.7) {
                ("ECOG", json!(rng.gen_range(0..2)))
            } else {
                ("KPS", json!(rng.gen_range(7..11) * 10))
            };
            let mut e = entries(&[
                (
                    "DIAG",
                    json!(if rng.gen_bool(0.7) {
                        "BALL"
                    } else if rng.gen_bool(0.5) {
                        "BLBL"
                    } else {
                        "NHL"
                    }),
                ),
                (
                    "DISSTAT",
                    json!(if rng.gen_bool(0.6) {
                        "RELAPSED"
                    } else {
                        "REFRACTORY"
                    }),
                ),
            ]);
            let date = json!(ag_date.format("%Y-%m-%d").to_string());
            e.extend(grouped(
                "ANTIGEN",
                &[
                    ("CD19", s19),
                    ("CD19MTH", json!("FLOW")),
                    ("CD19PCT", p19),
                    ("CD19DAT", date.clone()),
                    ("CD22", s22),
                    ("CD22MTH", json!("FLOW")),
                    ("CD22PCT", p22),
                    ("CD22DAT", date),
                ],
            ));
            e.extend(grouped(
                "PERF",
                &[("PSSCALE", json!(scale)), ("PSSCORE", score)],
            ));
            let failing = if fail { rng.gen_range(0..3) } else { 99 };
            e.extend(grouped(
                "INCL",
                &[
                    ("IN01", json!("Y")),
                    ("IN02", json!("Y")),
                    ("IN03", json!("Y")),
                    ("IN04", json!(if failing == 0 { "N" } else { "Y" })),
                    ("IN05", json!(if failing == 1 { "N" } else { "Y" })),
                    ("IN06", json!("Y")),
                ],
            ));
            let mut excl = vec![
                ("EX01", json!("N")),
                ("EX02", json!(if failing == 2 { "Y" } else { "N" })),
                ("EX03", json!("N")),
            ];
            if female {
                excl.push(("EX04", json!("N")));
            }
            e.extend(grouped("EXCL", &excl));
            let elig = FormRef::new(sid, "SCR", 1, "ELIG", 1)?;
            self.form_save(&mut nurse, &elig, &e, true, None)?;
            made.push(id);
        }
        Ok(DemoSummary {
            subjects: made,
            events: (self.store.event_count()? - before) as u64,
        })
    }

    /// The demo's nurse account: created on first use with a random password nobody knows.
    fn demo_nurse(&mut self, admin: &Session) -> Result<Session> {
        let existing = self.store.user(DEMO_NURSE)?;
        let row = match existing {
            Some(u) => u,
            None => {
                let now = self.now_str();
                let now_ms = self.now_ms();
                let password: String = Uuid::new_v4().to_string();
                let row = UserRow {
                    user_id: Uuid::new_v4().to_string(),
                    username: DEMO_NURSE.into(),
                    full_name: "Demo Nurse (synthetic data)".into(),
                    role: Role::Nurse.as_str().into(),
                    password_hash: hash_password(self.config.kdf, &password)?,
                    active: true,
                    failed: 0,
                    locked: false,
                    created_at: now.clone(),
                };
                let site = self.store.node()?.site;
                let actor = admin.actor();
                let uid = Uuid::parse_str(&row.user_id)
                    .map_err(|e| ServiceError::Internal(e.to_string()))?;
                let r2 = row.clone();
                self.store.write(|tx| -> Result<()> {
                    tx.insert_user(&r2)?;
                    tx.append_local(
                        &actor,
                        &now,
                        now_ms,
                        vec![Payload::UserPublished {
                            user_id: uid,
                            username: r2.username.clone(),
                            full_name: r2.full_name.clone(),
                            role: Role::Nurse,
                            active: true,
                            site,
                        }],
                    )?;
                    Ok(())
                })?;
                row
            }
        };
        Ok(Session {
            user_id: Uuid::parse_str(&row.user_id)
                .map_err(|e| ServiceError::Internal(e.to_string()))?,
            username: row.username,
            full_name: row.full_name,
            role: Role::Nurse,
            last_active: self.now(),
            locked: false,
        })
    }
}
