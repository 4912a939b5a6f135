//! Realistic synthetic subjects, entered through the same form service as a nurse would.
//!
//! Each subject gets a whole casebook as far as today: screening and baseline, leukapheresis
//! and manufacturing, bridging, lymphodepletion on days −5 to −3, the infusion, daily CRS and
//! ICANS assessments with vital signs and laboratory on days 1–14 (and after day 14 while CRS
//! or ICANS lasts), the PK series, responses from day 28, survival follow-up, the logs of
//! adverse events, concomitant medications and new therapy, and the end of study. Some
//! subjects fail screening or manufacturing, some relapse, a few die.
//!
//! Consent dates are placed back from today (the newest subjects are still in daily
//! monitoring), so the data are deterministic for a seed on a given day. Nothing dated after
//! today or after a subject's death or withdrawal is entered.

use crate::auth::{hash_password, Session};
use crate::{Ecrf, Result, ServiceError};
use chrono::{Datelike, Duration, NaiveDate};
use ecrf_core::address::FormRef;
use ecrf_core::definition::{Anchor, Definition};
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

impl Ecrf {
    /// Enrols `n` subjects at this site, each with a casebook up to today. Subject numbers
    /// continue after those already enrolled.
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
        let today = NaiveDate::parse_from_str(&self.today(), "%Y-%m-%d")
            .map_err(|e| ServiceError::Internal(format!("today: {e}")))?;
        let def = self.definition().clone();
        let mut nurse = self.demo_nurse(admin)?;
        let before = self.store.event_count()?;
        let mut rng = StdRng::seed_from_u64(seed);
        let existing = self.store.subjects()?.len() as u32;
        let mut made = Vec::new();
        // Synthetic data: no fsync per save (restored below, also when a save fails).
        self.store.set_durable(false)?;
        let result = self.demo_subjects(
            &mut nurse, &mut rng, &def, &site, existing, n, today, &mut made,
        );
        self.store.set_durable(true)?;
        result?;
        Ok(DemoSummary {
            subjects: made,
            events: (self.store.event_count()? - before) as u64,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn demo_subjects(
        &mut self,
        nurse: &mut Session,
        rng: &mut StdRng,
        def: &Definition,
        site: &str,
        existing: u32,
        n: u32,
        today: NaiveDate,
        made: &mut Vec<String>,
    ) -> Result<()> {
        for i in 0..n {
            let number = existing + i + 1;
            let id = format!("{site}-{number:03}");
            self.enrol(nurse, &id)?;
            let sid = SubjectId::parse(&id)?;
            let subject = Subject::draw(rng, number, today, site);
            let forms = Casebook::new(&subject, def, today).build(rng);
            for f in &forms {
                self.demo_save(def, nurse, &sid, f)?;
            }
            made.push(id);
        }
        Ok(())
    }

    fn demo_save(
        &mut self,
        def: &Definition,
        nurse: &mut Session,
        subject: &SubjectId,
        f: &DemoForm,
    ) -> Result<()> {
        let form = def
            .form(&f.form)
            .ok_or_else(|| ServiceError::Internal(format!("demo: no form {}", f.form)))?;
        let entries = crate::forms::parse_data(form, &f.data)?;
        let at = FormRef::new(
            subject.clone(),
            &f.event,
            f.event_repeat,
            &f.form,
            f.form_repeat,
        )?;
        self.form_save(nurse, &at, &entries, true, None)
            .map(|_| ())
            .map_err(|e| match e {
                ServiceError::Validation { .. } => ServiceError::Internal(format!(
                    "demo data for {} {}.{} {}.{} was refused: {e}",
                    subject, f.event, f.event_repeat, f.form, f.form_repeat
                )),
                other => other,
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

/// One form instance to save, with its data as a nurse would type it (item → value; a
/// repeating group → rows).
struct DemoForm {
    event: String,
    event_repeat: u32,
    form: String,
    form_repeat: u32,
    data: Json,
}

// ------------------------------------------------------------------------------------------
// Small helpers
// ------------------------------------------------------------------------------------------

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}
fn ym(d: NaiveDate) -> String {
    d.format("%Y-%m").to_string()
}
/// A date-time at the sites' offset (China Standard Time).
fn at(d: NaiveDate, hh: u32, mm: u32) -> String {
    format!("{}T{hh:02}:{mm:02}+08:00", ymd(d))
}
fn days(d: NaiveDate, n: i64) -> NaiveDate {
    d + Duration::days(n)
}
fn round(x: f64, digits: i32) -> f64 {
    let p = 10f64.powi(digits);
    (x * p).round() / p
}
/// Rounds as the core's derivations display (`{:.2}`), so checks on derived values match.
fn fixed(x: f64, digits: usize) -> f64 {
    format!("{x:.digits$}").parse().unwrap_or(x)
}
fn pick<T: Copy>(rng: &mut StdRng, choices: &[(T, u32)]) -> T {
    let total: u32 = choices.iter().map(|c| c.1).sum();
    let mut r = rng.gen_range(0..total.max(1));
    for (c, w) in choices {
        if r < *w {
            return *c;
        }
        r -= w;
    }
    choices[0].0
}
fn yn(b: bool) -> &'static str {
    if b {
        "Y"
    } else {
        "N"
    }
}
/// Adds `key: value` to a JSON object.
fn put(obj: &mut Json, key: &str, value: Json) {
    if let Some(m) = obj.as_object_mut() {
        m.insert(key.to_string(), value);
    }
}

// ------------------------------------------------------------------------------------------
// The subject: everything drawn once, before any form is written
// ------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Diag {
    All,
    Lbl,
    Nhl,
}

impl Diag {
    fn code(self) -> &'static str {
        match self {
            Diag::All => "BALL",
            Diag::Lbl => "BLBL",
            Diag::Nhl => "NHL",
        }
    }
    fn marrow(self) -> bool {
        self != Diag::Nhl
    }
    fn imaging(self) -> bool {
        self != Diag::All
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mfg {
    Released,
    Oos,
    Failed,
}

/// Response at day 28: marrow (B-ALL, B-LBL) and imaging (lymphoma).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Marrow {
    Cr,
    Cri,
    Nr,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Pet {
    Cmr,
    Pmr,
    Nmr,
    Pmd,
}

/// A CRS or ICANS episode: the grade on each day from the onset.
#[derive(Clone, Debug)]
struct Course {
    onset: i64,
    grades: Vec<u8>,
}

impl Course {
    fn draw(rng: &mut StdRng, onset: i64, max: u8) -> Course {
        let mut grades = vec![1u8];
        if max >= 2 {
            let peak = match max {
                2 => rng.gen_range(1..=2),
                _ => rng.gen_range(2..=3),
            };
            grades.extend(std::iter::repeat_n(max, peak));
            let mut g = max - 1;
            while g >= 1 {
                grades.push(g);
                g -= 1;
            }
            let tail = rng.gen_range(0..=1);
            grades.extend(std::iter::repeat_n(1, tail));
        } else {
            let more = rng.gen_range(1..=3);
            grades.extend(std::iter::repeat_n(1, more));
        }
        Course { onset, grades }
    }
    fn grade(&self, t: i64) -> u8 {
        let k = t - self.onset;
        if k < 0 {
            return 0;
        }
        self.grades.get(k as usize).copied().unwrap_or(0)
    }
    fn end(&self) -> i64 {
        self.onset + self.grades.len() as i64 - 1
    }
    fn max(&self) -> u8 {
        self.grades.iter().copied().max().unwrap_or(0)
    }
    fn first_at_least(&self, g: u8) -> Option<i64> {
        self.grades
            .iter()
            .position(|x| *x >= g)
            .map(|k| self.onset + k as i64)
    }
}

/// A target lesion: site, longest and short diameters (cm).
#[derive(Clone, Debug)]
struct Lesion {
    site: &'static str,
    ld: f64,
    sd: f64,
}

#[derive(Clone, Debug)]
struct Subject {
    number: u32,
    /// Seeds the per-day draws that several forms of one day share (the CRS picture).
    seed: u64,
    site: String,
    consent: NaiveDate,
    birth: NaiveDate,
    birth_year_only: bool,
    female: bool,
    height: f64,
    weight: f64,
    diag: Diag,
    relapsed: bool,
    cd19: bool,
    cd22: bool,
    antigen_date: NaiveDate,
    /// Screen failure: 0 creatinine clearance, 1 ALT, 2 active hepatitis B.
    fails: Option<u8>,
    crcl: f64,
    // Leukapheresis and manufacturing.
    apheresis: NaiveDate,
    mfg: Mfg,
    mfg_start: NaiveDate,
    release: NaiveDate,
    // Treatment.
    infusion: NaiveDate,
    dose_level: usize,
    bridging: bool,
    renal_reduction: bool,
    crs: Option<Course>,
    icans: Option<Course>,
    /// Days after infusion when neutrophils ≥ 0.5 and platelets ≥ 50 again.
    anc_recovery: i64,
    plt_recovery: i64,
    // Disease.
    baseline_blasts: f64,
    circulating: bool,
    lesions: Vec<Lesion>,
    marrow: Marrow,
    pet: Pet,
    pmr_to_cmr: bool,
    mrd_negative: bool,
    relapse_day: Option<i64>,
    hsct_day: Option<i64>,
    // Kinetics.
    cmax_log10: f64,
    tmax: i64,
    car_peak_pct: f64,
    car_loss_day: i64,
    b_recovery_day: Option<i64>,
    ivig: bool,
    // Adverse events.
    febrile_neutropenia: Option<i64>,
    infection: Option<(i64, usize, u8)>,
    iec_hs: bool,
    // The end.
    death: Option<(NaiveDate, &'static str, bool)>,
    withdrawal: Option<NaiveDate>,
}

impl Subject {
    fn draw(rng: &mut StdRng, number: u32, today: NaiveDate, site: &str) -> Subject {
        // Spread over the last two years: (number × 62) mod 97 is a permutation of 0..97.
        let back = 35 + ((number as i64 * 62) % 97) * 7 + rng.gen_range(0..5);
        let consent = days(today, -back);
        let child = rng.gen_bool(0.2);
        let age: i64 = if child {
            rng.gen_range(3..16)
        } else {
            rng.gen_range(18..71)
        };
        let birth = days(consent, -(age * 365 + rng.gen_range(0..360)));
        let female = rng.gen_bool(0.45);
        let height: f64 = if child {
            (80.0 + 6.0 * age as f64 + rng.gen_range(-8.0..8.0)).min(180.0)
        } else if female {
            rng.gen_range(150.0..172.0)
        } else {
            rng.gen_range(160.0..186.0)
        };
        let bmi: f64 = if child {
            rng.gen_range(14.5..21.0)
        } else {
            rng.gen_range(18.0..28.0)
        };
        let weight = round(bmi * (height / 100.0).powi(2), 1);
        let height = round(height, 1);
        let diag = if child {
            pick(rng, &[(Diag::All, 85), (Diag::Lbl, 10), (Diag::Nhl, 5)])
        } else {
            pick(rng, &[(Diag::All, 60), (Diag::Lbl, 15), (Diag::Nhl, 25)])
        };
        let cd19 = rng.gen_bool(0.9);
        let cd22 = !cd19 || rng.gen_bool(0.8);
        // One subject in six fails screening (creatinine clearance, ALT or hepatitis B).
        let fails = (number % 6 == 5).then(|| rng.gen_range(0..3u8));
        let crcl = if fails == Some(0) {
            rng.gen_range(38.0..48.0)
        } else {
            rng.gen_range(52.0..140.0)
        };
        let apheresis = days(consent, rng.gen_range(5..=9));
        let mfg_start = days(apheresis, 1);
        let mfg = pick(rng, &[(Mfg::Released, 90), (Mfg::Oos, 5), (Mfg::Failed, 5)]);
        let release = days(mfg_start, rng.gen_range(14..=20));
        let infusion = days(release, rng.gen_range(6..=9));
        let dose_level = [1usize, 1, 0, 2][number as usize % 4];

        let crs = rng
            .gen_bool(if diag == Diag::Nhl { 0.6 } else { 0.75 })
            .then(|| {
                let onset = pick(rng, &[(1, 35), (2, 30), (3, 20), (4, 10), (5, 5)]);
                let mut max = pick(rng, &[(1u8, 45), (2, 35), (3, 15), (4, 5)]);
                if dose_level == 2 && max < 4 && rng.gen_bool(0.3) {
                    max += 1;
                }
                Course::draw(rng, onset, max)
            });
        let icans = rng
            .gen_bool(if diag == Diag::Nhl { 0.2 } else { 0.3 })
            .then(|| {
                let onset = match &crs {
                    Some(c) => c.onset + rng.gen_range(1..=4),
                    None => rng.gen_range(4..=8),
                };
                let max = pick(rng, &[(1u8, 45), (2, 30), (3, 18), (4, 7)]);
                Course::draw(rng, onset, max)
            });
        let severe = crs
            .as_ref()
            .map_or(0, Course::max)
            .max(icans.as_ref().map_or(0, Course::max));
        let anc_recovery = rng.gen_range(9..=20) + if severe >= 3 { 8 } else { 0 };
        let plt_recovery = anc_recovery + rng.gen_range(2..=12);

        let baseline_blasts = match diag {
            Diag::All => round(rng.gen_range(20.0..95.0), 1),
            Diag::Lbl => round(rng.gen_range(5.0..19.9), 1),
            Diag::Nhl => 0.0,
        };
        let circulating = diag == Diag::All && rng.gen_bool(0.6);
        let lesions = if diag.imaging() {
            const SITES: [&str; 8] = [
                "Anterior mediastinum",
                "Left cervical level IV node",
                "Right axillary node",
                "Retroperitoneal para-aortic node",
                "Left external iliac node",
                "Mesenteric node",
                "Right inguinal node",
                "Subcarinal node",
            ];
            let n = if diag == Diag::Lbl {
                rng.gen_range(2..=4)
            } else {
                pick(
                    rng,
                    &[(1usize, 10), (2, 20), (3, 30), (4, 20), (5, 12), (6, 8)],
                )
            };
            let start = if diag == Diag::Lbl {
                0
            } else {
                rng.gen_range(1..3)
            };
            (0..n)
                .map(|k| {
                    let ld = round(rng.gen_range(1.8..9.5), 1);
                    let sd = round(ld * rng.gen_range(0.5..0.85), 1);
                    Lesion {
                        site: SITES[(start + k) % SITES.len()],
                        ld,
                        sd,
                    }
                })
                .collect()
        } else {
            vec![]
        };
        let marrow = pick(
            rng,
            &[(Marrow::Cr, 60), (Marrow::Cri, 22), (Marrow::Nr, 18)],
        );
        let pet = match diag {
            Diag::Lbl => match marrow {
                Marrow::Cr => Pet::Cmr,
                Marrow::Cri => Pet::Pmr,
                Marrow::Nr => Pet::Nmr,
            },
            _ => pick(
                rng,
                &[
                    (Pet::Cmr, 50),
                    (Pet::Pmr, 28),
                    (Pet::Nmr, 10),
                    (Pet::Pmd, 12),
                ],
            ),
        };
        let responder = match diag {
            Diag::All => marrow != Marrow::Nr,
            Diag::Lbl => marrow != Marrow::Nr,
            Diag::Nhl => matches!(pet, Pet::Cmr | Pet::Pmr),
        };
        let pmr_to_cmr = rng.gen_bool(0.5);
        let mrd_negative = rng.gen_bool(0.85);
        let relapse_day = if !responder {
            Some(28)
        } else if rng.gen_bool(if pet == Pet::Pmr && diag == Diag::Nhl {
            0.5
        } else {
            0.33
        }) {
            Some(rng.gen_range(75..=420))
        } else {
            None
        };
        let hsct_day = (diag == Diag::All && responder && rng.gen_bool(0.25))
            .then(|| rng.gen_range(75..=110))
            .filter(|h| relapse_day.is_none_or(|r| r > *h));

        let cmax_log10 = rng.gen_range(3.8..5.4);
        let tmax = pick(rng, &[(7, 40), (11, 35), (14, 25)]);
        let car_peak_pct = rng.gen_range(4.0..55.0);
        let car_loss_day = rng.gen_range(150..1400);
        let b_recovery_day = match relapse_day {
            Some(r) if r > 28 => Some(r),
            _ => (rng.gen_bool(0.35)).then(|| car_loss_day + rng.gen_range(20..90)),
        };
        let ivig = rng.gen_bool(0.3);
        let febrile_neutropenia = rng.gen_bool(0.25).then(|| rng.gen_range(5..=10));
        let infection = rng.gen_bool(0.3).then(|| {
            (
                rng.gen_range(20..=200),
                rng.gen_range(0..5),
                pick(rng, &[(2u8, 60), (3, 40)]),
            )
        });
        let iec_hs = crs.as_ref().is_some_and(|c| c.max() >= 3) && rng.gen_bool(0.15);

        let mut death = None;
        if let Some(r) = relapse_day {
            if rng.gen_bool(0.55) {
                let cause = "PROGRESSION";
                death = Some((
                    days(infusion, r + rng.gen_range(30..240)),
                    cause,
                    rng.gen_bool(0.2),
                ));
            }
        }
        if rng.gen_bool(0.03) {
            let d = days(infusion, rng.gen_range(30..120));
            if death.is_none_or(|(x, _, _)| d < x) {
                death = Some((d, "INFECTION", false));
            }
        }
        let withdrawal = rng
            .gen_bool(0.04)
            .then(|| days(infusion, rng.gen_range(120..500)))
            .filter(|w| death.is_none_or(|(d, _, _)| *w < d));
        Subject {
            number,
            seed: rng.gen(),
            site: site.to_string(),
            consent,
            birth,
            birth_year_only: rng.gen_bool(0.1),
            female,
            height,
            weight,
            diag,
            relapsed: rng.gen_bool(0.6),
            cd19,
            cd22,
            antigen_date: days(consent, -rng.gen_range(3..40)),
            fails,
            crcl,
            apheresis,
            mfg,
            mfg_start,
            release,
            infusion,
            dose_level,
            bridging: rng.gen_bool(0.7),
            renal_reduction: crcl < 60.0,
            crs,
            icans,
            anc_recovery,
            plt_recovery,
            baseline_blasts,
            circulating,
            lesions,
            marrow,
            pet,
            pmr_to_cmr,
            mrd_negative,
            relapse_day,
            hsct_day,
            cmax_log10,
            tmax,
            car_peak_pct,
            car_loss_day,
            b_recovery_day,
            ivig,
            febrile_neutropenia,
            infection,
            iec_hs,
            death,
            withdrawal,
        }
    }

    fn infused(&self) -> bool {
        self.fails.is_none() && self.mfg != Mfg::Failed
    }
    /// Age in completed years as the core derives it (from the year alone when only the year
    /// of birth is entered).
    fn age_at(&self, d: NaiveDate) -> i64 {
        let mut y = (d.year() - self.birth.year()) as i64;
        if !self.birth_year_only && (d.month(), d.day()) < (self.birth.month(), self.birth.day()) {
            y -= 1;
        }
        y
    }
    fn day(&self, d: NaiveDate) -> i64 {
        (d - self.infusion).num_days()
    }
    fn date(&self, t: i64) -> NaiveDate {
        days(self.infusion, t)
    }
    fn crs_grade(&self, t: i64) -> u8 {
        self.crs.as_ref().map_or(0, |c| c.grade(t))
    }
    fn icans_grade(&self, t: i64) -> u8 {
        self.icans.as_ref().map_or(0, |c| c.grade(t))
    }
    fn toci_days(&self) -> Vec<i64> {
        let Some(c) = &self.crs else { return vec![] };
        match c.first_at_least(2) {
            Some(t) if c.max() >= 3 => vec![t, t + 1],
            Some(t) => vec![t],
            None => vec![],
        }
    }
    fn relapsed_by(&self, t: i64) -> bool {
        self.relapse_day.is_some_and(|r| t >= r)
    }
    /// The last day of daily monitoring (14, or later while CRS or ICANS lasts).
    fn last_daily(&self) -> i64 {
        let c = self.crs.as_ref().map_or(0, Course::end);
        let i = self.icans.as_ref().map_or(0, Course::end);
        c.max(i).clamp(14, 28)
    }
    /// The date after which nothing is recorded: death, withdrawal, or none.
    fn stop(&self) -> Option<NaiveDate> {
        match (self.death.map(|d| d.0), self.withdrawal) {
            (Some(d), Some(w)) => Some(d.min(w)),
            (d, w) => d.or(w),
        }
    }
    fn lab_name(&self) -> String {
        format!("Department of Laboratory Medicine, site {}", self.site)
    }
    fn lot(&self) -> String {
        format!(
            "CD1922-{}-{:02}",
            self.mfg_start.format("%y%m%d"),
            self.number % 100
        )
    }
}

// ------------------------------------------------------------------------------------------
// The casebook: forms in protocol order, each with realistic values
// ------------------------------------------------------------------------------------------

struct Casebook<'a> {
    s: &'a Subject,
    def: &'a Definition,
    today: NaiveDate,
    out: Vec<DemoForm>,
}

/// Protocol doses: fludarabine 30 mg/m²/day, cyclophosphamide 500 mg/m²/day; CAR-T dose
/// levels in CAR+ T cells per kg.
const DOSE_LEVELS: [(&str, f64); 3] = [("DL1", 3.0e5), ("DL2", 1.0e6), ("DL3", 3.0e6)];
const ALT_ULN: i64 = 40;
const AST_ULN: i64 = 35;
const BILI_ULN: f64 = 21.0;
const QPCR_LLOQ: f64 = 50.0;

impl<'a> Casebook<'a> {
    fn new(s: &'a Subject, def: &'a Definition, today: NaiveDate) -> Casebook<'a> {
        Casebook {
            s,
            def,
            today,
            out: Vec::new(),
        }
    }

    /// Whether a form dated `d` can exist today.
    fn recordable(&self, d: NaiveDate) -> bool {
        d <= self.today && self.s.stop().is_none_or(|x| d <= x)
    }

    fn add(&mut self, event: &str, er: u32, form: &str, fr: u32, data: Json) {
        self.out.push(DemoForm {
            event: event.to_string(),
            event_repeat: er,
            form: form.to_string(),
            form_repeat: fr,
            data,
        });
    }

    fn build(mut self, rng: &mut StdRng) -> Vec<DemoForm> {
        let s = self.s;
        let def = self.def;
        self.add("SITE", 1, "LABNORM", 1, labnorm(s));
        for ev in &def.events {
            let (date, t) = match (ev.anchor, ev.id.as_str()) {
                (Anchor::Enrolment, "SCR") => (s.consent, None),
                (Anchor::Enrolment, "BL") => (days(s.consent, 1), None),
                (Anchor::Enrolment, _) => (s.apheresis, None),
                (Anchor::Infusion, _) => {
                    if !s.infused() {
                        continue;
                    }
                    let day = ev.day.unwrap_or(0) as i64;
                    let [lo, hi] = ev.window.unwrap_or([day as i32, day as i32]);
                    let spread = ((hi - lo) as i64 / 6).min(10);
                    let jitter = if spread > 0 && day > 14 {
                        rng.gen_range(-spread..=spread)
                    } else {
                        0
                    };
                    let t = day + jitter;
                    (s.date(t), Some(t))
                }
                (Anchor::None, _) => continue,
            };
            // A screen failure had the screening and baseline assessments, nothing after.
            if s.fails.is_some() && ev.id != "SCR" && ev.id != "BL" {
                continue;
            }
            if s.mfg == Mfg::Failed && ev.id != "SCR" && ev.id != "BL" && ev.id != "APH" {
                continue;
            }
            if !self.recordable(date) {
                continue;
            }
            if ev.id == "BRG" {
                // Recorded once bridging is over, when lymphodepletion starts.
                if self.recordable(s.date(-5)) {
                    let data = if s.bridging {
                        bridge(rng, s)
                    } else {
                        json!({"BRGIVEN": "N"})
                    };
                    self.add(&ev.id, 1, "BRIDGE", 1, data);
                }
                continue;
            }
            for f in &ev.forms {
                if let Some(data) = self.form(rng, &ev.id, f, date, t) {
                    self.add(&ev.id, 1, f, 1, data);
                }
            }
        }
        if s.infused() {
            self.extended(rng);
            self.unscheduled(rng);
        }
        self.end_of_study(rng);
        if s.infused() {
            self.logs(rng);
        }
        self.out
    }

    /// One scheduled form of an event dated `date` (day `t` after infusion).
    fn form(
        &mut self,
        rng: &mut StdRng,
        event: &str,
        form: &str,
        date: NaiveDate,
        t: Option<i64>,
    ) -> Option<Json> {
        let s = self.s;
        let day = t.unwrap_or(-30);
        Some(match form {
            "DM" => dm(rng, s),
            "ELIG" => elig(rng, s),
            "DH" => dh(rng, s),
            "BASE" => base(rng, s),
            "VS" => vs(rng, s, date, day, t.is_none()),
            "LAB" => lab(rng, s, date, day),
            "LEUK" => leuk(rng, s),
            // Manufacturing is recorded when its outcome is known.
            "MFG" if s.release > self.today => return None,
            "MFG" => mfg(rng, s),
            "LD" => ld(s, date),
            "INF" => inf(rng, s),
            "CRS" => crs(rng, s, day),
            "ICANS" => icans(rng, s, day),
            "PK" => pk(rng, s, pk_timepoint(event), date, day),
            "BM" => bm(rng, s, date, day),
            "MRD" => mrd(rng, s, date, day),
            "LYRESP" => lyresp(rng, s, date, day),
            "SURV" => surv(s, date, day),
            _ => return None,
        })
    }

    /// Daily monitoring after day 14 while CRS or ICANS lasts (event EXT, repeat = day − 14).
    fn extended(&mut self, rng: &mut StdRng) {
        let s = self.s;
        for t in 15..=s.last_daily() {
            let date = s.date(t);
            if !self.recordable(date) {
                break;
            }
            let r = (t - 14) as u32;
            let data = [
                ("CRS", crs(rng, s, t)),
                ("ICANS", icans(rng, s, t)),
                ("VS", vs(rng, s, date, t, false)),
                ("LAB", lab(rng, s, date, t)),
            ];
            for (f, d) in data {
                self.add("EXT", r, f, 1, d);
            }
        }
    }

    /// Unscheduled visits: an extra PK sample at the height of a severe CRS, and the
    /// assessment that documents a relapse between scheduled visits.
    fn unscheduled(&mut self, rng: &mut StdRng) {
        let s = self.s;
        let mut repeat = 0;
        if let Some(c) = s.crs.as_ref().filter(|c| c.max() >= 3) {
            let t = c.first_at_least(3).unwrap_or(c.onset);
            let date = s.date(t);
            if self.recordable(date) {
                repeat += 1;
                self.add("UNS", repeat, "PK", 1, pk(rng, s, "UNS", date, t));
            }
        }
        if let Some(r) = s.relapse_day.filter(|r| *r > 28) {
            let date = s.date(r);
            if self.recordable(date) {
                repeat += 1;
                self.add("UNS", repeat, "VS", 1, vs(rng, s, date, r, false));
                self.add("UNS", repeat, "LAB", 1, lab(rng, s, date, r));
                if s.diag.marrow() {
                    self.add("UNS", repeat, "BM", 1, bm(rng, s, date, r));
                    self.add("UNS", repeat, "MRD", 1, mrd(rng, s, date, r));
                }
                if s.diag.imaging() {
                    self.add("UNS", repeat, "LYRESP", 1, lyresp(rng, s, date, r));
                }
            }
        }
    }

    fn end_of_study(&mut self, rng: &mut StdRng) {
        let s = self.s;
        if s.fails.is_some() {
            let sf = days(s.consent, rng.gen_range(3..=8));
            if sf <= self.today {
                let crit = match s.fails {
                    Some(0) => "IN04: creatinine clearance below 50 mL/min",
                    Some(1) => "IN05: ALT above 5 × ULN",
                    _ => "EX02: active hepatitis B (HBV DNA positive)",
                };
                self.add(
                    "EOS",
                    1,
                    "SF",
                    1,
                    json!({"SFDAT": ymd(sf), "SFRSN": "ELIG", "SFCRIT": crit}),
                );
                self.add(
                    "EOS",
                    1,
                    "EOS",
                    1,
                    json!({"EOSDAT": ymd(sf), "EOSSTAT": "SCREENFAIL", "INFUSED": "N"}),
                );
            }
            return;
        }
        if s.mfg == Mfg::Failed {
            let end = days(s.release, rng.gen_range(5..=15));
            if end <= self.today {
                self.add(
                    "EOS",
                    1,
                    "EOS",
                    1,
                    json!({
                        "EOSDAT": ymd(end), "EOSSTAT": "NOTINFUSED", "INFUSED": "N",
                        "EOSSPEC": "Manufacturing failure (insufficient expansion); referred for salvage chemotherapy"
                    }),
                );
            }
            return;
        }
        if let Some(w) = s.withdrawal.filter(|w| *w <= self.today) {
            self.add(
                "EOS",
                1,
                "WD",
                1,
                json!({"WDDAT": ymd(w), "WDRSN": "CONSENT", "WDSURV": "N"}),
            );
            self.add(
                "EOS",
                1,
                "EOS",
                1,
                json!({"EOSDAT": ymd(w), "EOSSTAT": "WITHDRAWAL", "INFUSED": "Y"}),
            );
            return;
        }
        if let Some((d, cause, partial)) = s.death.filter(|d| d.0 <= self.today) {
            let mut dth = json!({
                "DTHDAT": if partial { ym(d) } else { ymd(d) },
                "DTHCAUSE": cause,
                "DTHREL": if cause == "INFECTION" { "POSSIBLE" } else { "NOT" },
                "AUTOPSY": "N",
                "DTHSRC": if partial { "PHONE" } else { "RECORDS" },
            });
            if cause == "INFECTION" {
                put(
                    &mut dth,
                    "DTHSPEC",
                    json!("Septic shock (Klebsiella pneumoniae bacteraemia) during prolonged neutropenia"),
                );
            }
            self.add("EOS", 1, "DTH", 1, dth);
            let eos = days(d, rng.gen_range(3..=20));
            if eos <= self.today {
                self.add(
                    "EOS",
                    1,
                    "EOS",
                    1,
                    json!({"EOSDAT": ymd(eos), "EOSSTAT": "DEATH", "INFUSED": "Y"}),
                );
            }
        }
    }

    /// The adverse event, concomitant medication and new therapy logs.
    fn logs(&mut self, rng: &mut StdRng) {
        let s = self.s;
        let mut n = 0;
        for (start, data) in adverse_events(rng, s, self.today) {
            if self.recordable(start) {
                n += 1;
                self.add("AELOG", 1, "AE", n, data);
            }
        }
        let mut n = 0;
        for (start, data) in medications(rng, s, self.today) {
            if self.recordable(start) {
                n += 1;
                self.add("CMLOG", 1, "CM", n, data);
            }
        }
        let mut n = 0;
        for (start, data) in new_therapy(rng, s, self.today) {
            if self.recordable(start) {
                n += 1;
                self.add("NACTLOG", 1, "NACT", n, data);
            }
        }
    }
}

fn pk_timepoint(event: &str) -> &'static str {
    const TPT: [&str; 15] = [
        "D1", "D4", "D7", "D11", "D14", "D21", "D28", "M2", "M3", "M6", "M12", "M18", "M24", "M30",
        "M36",
    ];
    match event {
        "D0" => "PRE",
        e => TPT.iter().find(|x| **x == e).copied().unwrap_or("UNS"),
    }
}

// ------------------------------------------------------------------------------------------
// Forms
// ------------------------------------------------------------------------------------------

fn labnorm(s: &Subject) -> Json {
    let hgb = if s.female { (115, 150) } else { (130, 175) };
    let rows = [
        ("WBC", 3.5, 9.5, "×10⁹/L"),
        ("ANC", 1.8, 6.3, "×10⁹/L"),
        ("ALC", 1.1, 3.2, "×10⁹/L"),
        ("HGB", hgb.0 as f64, hgb.1 as f64, "g/L"),
        ("PLT", 125.0, 350.0, "×10⁹/L"),
        ("FERRITIN", 13.0, 150.0, "ng/mL"),
        ("CRP", 0.0, 10.0, "mg/L"),
        ("IL6", 0.0, 7.0, "pg/mL"),
        ("FIB", 2.0, 4.0, "g/L"),
        ("LDH", 120.0, 250.0, "U/L"),
        ("ALT", 7.0, ALT_ULN as f64, "U/L"),
        ("AST", 13.0, AST_ULN as f64, "U/L"),
        ("BILI", 0.0, BILI_ULN, "µmol/L"),
        ("CREAT", 41.0, 81.0, "µmol/L"),
    ];
    json!({
        "LABNAME": s.lab_name(),
        "EFFDAT": "2025-01-01",
        "RANGES": rows.iter().map(|(t, lo, hi, u)| json!({"TEST": t, "LOW": lo, "HIGH": hi, "UNIT": u})).collect::<Vec<_>>(),
    })
}

fn dm(rng: &mut StdRng, s: &Subject) -> Json {
    json!({
        "ICDAT": ymd(s.consent),
        "BRTHDAT": if s.birth_year_only { s.birth.format("%Y").to_string() } else { ymd(s.birth) },
        "SEX": if s.female { "F" } else { "M" },
        "ETHNIC": if rng.gen_bool(0.9) { "HAN" } else { "OTHER_CN" },
        "HEIGHT": s.height,
        "WEIGHT": s.weight,
    })
}

fn elig(rng: &mut StdRng, s: &Subject) -> Json {
    let age = s.age_at(s.consent);
    let ag = |pos: bool, rng: &mut StdRng| -> (&str, f64) {
        if pos {
            ("POS", round(rng.gen_range(60.0..99.9), 1))
        } else {
            ("NEG", round(rng.gen_range(0.0..5.0), 1))
        }
    };
    let (s19, p19) = ag(s.cd19, rng);
    let (s22, p22) = ag(s.cd22, rng);
    let (scale, score) = if age < 16 {
        ("LANSKY", rng.gen_range(6..11) * 10)
    } else if rng.gen_bool(0.7) {
        ("ECOG", rng.gen_range(0..2))
    } else {
        ("KPS", rng.gen_range(7..11) * 10)
    };
    let alt = if s.fails == Some(1) {
        rng.gen_range(215..320)
    } else {
        rng.gen_range(8..120)
    };
    let f = s.fails;
    let method = if s.diag == Diag::Nhl && rng.gen_bool(0.5) {
        "IHC"
    } else {
        "FLOW"
    };
    let mut e = json!({
        "DIAG": s.diag.code(),
        "DISSTAT": if s.relapsed { "RELAPSED" } else { "REFRACTORY" },
        "CD19": s19, "CD19MTH": method, "CD19DAT": ymd(s.antigen_date),
        "CD22": s22, "CD22MTH": method, "CD22DAT": ymd(s.antigen_date),
        "PSSCALE": scale, "PSSCORE": score,
        "ORGDAT": ymd(s.consent),
        "CRCL": round(s.crcl, 1),
        "CRCLMTH": if age < 16 { "SCHWARTZ" } else { "CG" },
        "ALT": alt, "ALTULN": ALT_ULN,
        "AST": (alt as f64 * rng.gen_range(0.6..1.0)).round() as i64 + 5, "ASTULN": AST_ULN,
        "BILI": round(rng.gen_range(4.0..30.0), 1), "BILIULN": BILI_ULN,
        "SPO2": rng.gen_range(94..=99),
        "LVEF": rng.gen_range(52..=70),
        "LVEFDAT": ymd(days(s.consent, -rng.gen_range(0..20))),
        "IN01": "Y", "IN02": "Y", "IN03": "Y",
        "IN04": yn(f != Some(0)), "IN05": yn(f != Some(1)), "IN06": "Y",
        "EX01": "N", "EX02": yn(f == Some(2)), "EX03": "N",
    });
    if method == "FLOW" {
        put(&mut e, "CD19PCT", json!(p19));
        put(&mut e, "CD22PCT", json!(p22));
    }
    if s.female {
        put(&mut e, "EX04", json!("N"));
    }
    e
}

/// A prior line of therapy: type, regimen, start, end, best response.
struct Line {
    kind: &'static str,
    regimen: &'static str,
    start: NaiveDate,
    end: NaiveDate,
    resp: &'static str,
}

fn dh(rng: &mut StdRng, s: &Subject) -> Json {
    let latest = days(s.antigen_date, -20);
    let diagnosed = days(s.consent, -rng.gen_range(300..1500));
    let ph_pos = s.diag == Diag::All && rng.gen_bool(0.2);
    let plan: Vec<(&str, &str)> = match s.diag {
        Diag::All | Diag::Lbl => {
            let mut p = vec![if ph_pos {
                ("TKI", "VDLP with dasatinib, then consolidation")
            } else {
                ("CHEMO", "VDLP induction, CAM and HD-MTX consolidation")
            }];
            if rng.gen_bool(0.4) {
                p.push(("HSCT", "Allogeneic HSCT (Bu/Cy/ATG conditioning)"));
            }
            p.push(pick(
                rng,
                &[
                    (("BLINA", "Blinatumomab 28 µg/day"), 4),
                    (("INO", "Inotuzumab ozogamicin"), 2),
                    (("CHEMO", "FLAG-Ida re-induction"), 4),
                ],
            ));
            p
        }
        Diag::Nhl => {
            let mut p = vec![("CHEMOIMMUNO", "R-CHOP × 6")];
            p.push(("CHEMOIMMUNO", "R-ICE × 2"));
            if rng.gen_bool(0.3) {
                p.push(("HSCT", "Autologous HSCT (BEAM conditioning)"));
            }
            p
        }
    };
    let n = plan.len() as i64;
    let span = (latest - diagnosed).num_days().max(60 * n);
    let mut lines = Vec::new();
    for (k, (kind, regimen)) in plan.iter().enumerate() {
        let start = days(diagnosed, span * k as i64 / n);
        let len = if *kind == "HSCT" {
            1
        } else {
            (span / n / 2).clamp(20, 180)
        };
        let end = days(start, len).min(latest).max(start);
        // The last line failed in a refractory subject; earlier lines gave remissions.
        let resp = if k as i64 == n - 1 && !s.relapsed {
            "SD"
        } else {
            "CR"
        };
        lines.push(Line {
            kind,
            regimen,
            start,
            end,
            resp,
        });
    }
    // Relapsed: after the last line. Refractory: primary refractory after a single line,
    // otherwise refractory to the treatment of a relapse.
    let refractory_primary = !s.relapsed && n == 1;
    let nrel = if s.relapsed {
        rng.gen_range(1..=2)
    } else if refractory_primary {
        0
    } else {
        1
    };
    let rel_date = days(s.consent, -rng.gen_range(25..60)).max(days(diagnosed, 40));
    let mut d = json!({
        "DIAGDAT": ym(diagnosed),
        "CNSHX": yn(rng.gen_bool(0.1)),
        "REFR": yn(refractory_primary),
        "NREL": nrel,
        "NLINES": lines.len(),
    });
    if nrel >= 1 || refractory_primary {
        put(&mut d, "RELDAT", json!(ym(rel_date)));
    }
    match s.diag {
        Diag::All => put(&mut d, "PH", json!(if ph_pos { "POS" } else { "NEG" })),
        Diag::Lbl => {
            put(&mut d, "PH", json!("NEG"));
            put(&mut d, "STAGE", json!("IV"));
        }
        Diag::Nhl => {
            put(
                &mut d,
                "HISTO",
                json!(pick(
                    rng,
                    &[
                        ("DLBCL", 55),
                        ("HGBL", 15),
                        ("TFL", 15),
                        ("PMBCL", 8),
                        ("MCL", 7)
                    ]
                )),
            );
            put(
                &mut d,
                "STAGE",
                json!(pick(rng, &[("II", 15), ("III", 35), ("IV", 50)])),
            );
        }
    }
    let cd19 = lines.iter().find(|l| l.kind == "BLINA");
    put(&mut d, "CD19TX", json!(yn(cd19.is_some())));
    if let Some(l) = cd19 {
        put(&mut d, "CD19AGT", json!("BLINA"));
        put(&mut d, "CD19LDAT", json!(ymd(l.end)));
        put(&mut d, "CD19RSP", json!(l.resp));
    }
    let cd22 = lines.iter().find(|l| l.kind == "INO");
    put(&mut d, "CD22TX", json!(yn(cd22.is_some())));
    if let Some(l) = cd22 {
        put(&mut d, "CD22AGT", json!("INO"));
        put(&mut d, "CD22LDAT", json!(ymd(l.end)));
        put(&mut d, "CD22RSP", json!(l.resp));
    }
    let hsct = lines.iter().find(|l| l.kind == "HSCT");
    put(&mut d, "HSCT", json!(yn(hsct.is_some())));
    if let Some(l) = hsct {
        let allo = s.diag != Diag::Nhl;
        put(&mut d, "HSCTTYP", json!(if allo { "ALLO" } else { "AUTO" }));
        if allo {
            put(
                &mut d,
                "HSCTDON",
                json!(pick(rng, &[("MSD", 30), ("MUD", 20), ("HAPLO", 50)])),
            );
        }
        put(&mut d, "HSCTN", json!(1));
        put(&mut d, "HSCTDAT", json!(ymd(l.start)));
    }
    put(
        &mut d,
        "LINES",
        Json::Array(
            lines
                .iter()
                .map(|l| {
                    json!({
                        "LNTYPE": l.kind, "LNREG": l.regimen,
                        "LNSTDAT": ym(l.start), "LNENDAT": ym(l.end), "LNRESP": l.resp,
                    })
                })
                .collect(),
        ),
    );
    d
}

fn base(rng: &mut StdRng, s: &Subject) -> Json {
    let mut b = json!({"BASEDAT": ymd(days(s.consent, rng.gen_range(1..=3)))});
    if s.diag.marrow() {
        put(&mut b, "BMBLAST", json!(s.baseline_blasts));
        put(&mut b, "CIRCBL", json!(yn(s.circulating)));
        if s.circulating {
            put(&mut b, "CIRCPCT", json!(round(rng.gen_range(3.0..60.0), 1)));
        }
        if s.diag == Diag::Lbl {
            put(&mut b, "EMD", json!("PRESENT"));
            put(
                &mut b,
                "EMDSITE",
                json!("Anterior mediastinal mass and lymph nodes"),
            );
        } else {
            put(&mut b, "EMD", json!("NONE"));
        }
        put(
            &mut b,
            "CNS",
            json!(if rng.gen_bool(0.1) { "CNS2" } else { "CNS1" }),
        );
    }
    if s.diag.imaging() {
        let spd: f64 = s.lesions.iter().map(|l| l.ld * l.sd).sum();
        let big = s.lesions.iter().any(|l| l.ld >= 10.0);
        put(
            &mut b,
            "BSTAGE",
            json!(if s.diag == Diag::Lbl {
                "IV"
            } else {
                pick(rng, &[("II", 15), ("III", 35), ("IV", 50)])
            }),
        );
        put(&mut b, "BULKY", json!(yn(big)));
        put(&mut b, "BDEAUV", json!(rng.gen_range(4..=5)));
        put(&mut b, "BNLES", json!(s.lesions.len()));
        put(&mut b, "BSPD", json!(round(spd, 2)));
        put(
            &mut b,
            "BMINV",
            json!(yn(s.diag == Diag::Lbl || rng.gen_bool(0.2))),
        );
    }
    b
}

/// The day's CRS picture, the same on every form of that day: (maximum temperature,
/// hypotension, oxygen, fever masked by treatment).
fn crs_day(s: &Subject, t: i64) -> (f64, &'static str, &'static str, bool) {
    let rng = &mut StdRng::seed_from_u64(s.seed.wrapping_add((t as u64).wrapping_mul(7919)));
    let g = s.crs_grade(t);
    let tocid = s.toci_days().first().copied();
    let masked = g >= 1 && tocid.is_some_and(|td| t > td);
    let fever = g >= 1 && !masked;
    let temp = if fever {
        round(
            (38.1 + 0.35 * g as f64 + rng.gen_range(0.0..1.0)).min(40.6),
            1,
        )
    } else {
        round(rng.gen_range(36.3..37.6), 1)
    };
    let (hyp, oxy) = match g {
        2 => match rng.gen_range(0..3) {
            0 => ("FLUIDS", "NONE"),
            1 => ("NONE", "LOWFLOW"),
            _ => ("FLUIDS", "LOWFLOW"),
        },
        3 => match rng.gen_range(0..3) {
            0 => ("VASO1", "LOWFLOW"),
            1 => ("FLUIDS", "HIGHFLOW"),
            _ => ("VASO1", "HIGHFLOW"),
        },
        4 => match rng.gen_range(0..2) {
            0 => ("VASO2", "HIGHFLOW"),
            _ => ("VASO1", "PPV"),
        },
        _ => ("NONE", "NONE"),
    };
    (temp, hyp, oxy, masked)
}

fn crs(rng: &mut StdRng, s: &Subject, t: i64) -> Json {
    let date = s.date(t);
    let (temp, hyp, oxy, masked) = crs_day(s, t);
    let g = s.crs_grade(t);
    let mut c = json!({
        "CRSDAT": ymd(date),
        "TEMPMAX": temp,
        "HYPOTN": hyp,
        "OXYGEN": oxy,
        "ANTIPYR": yn(temp >= 38.0),
    });
    let fever_hour = rng.gen_range(10..22);
    if temp >= 38.0 {
        put(
            &mut c,
            "TEMPTIM",
            json!(format!("{fever_hour:02}:{:02}", rng.gen_range(0..60))),
        );
        put(&mut c, "ANTIPTM", json!(at(date, fever_hour, 45)));
    } else {
        put(&mut c, "PRIORFEV", json!(yn(masked)));
        put(&mut c, "TREATED", json!(yn(masked)));
    }
    if hyp != "NONE" || oxy != "NONE" || temp >= 38.0 {
        put(&mut c, "OTHCAUSE", json!("N"));
    }
    match hyp {
        "VASO1" => put(&mut c, "VASONAME", json!("Norepinephrine")),
        "VASO2" => put(&mut c, "VASONAME", json!("Norepinephrine, epinephrine")),
        _ => {}
    }
    match oxy {
        "LOWFLOW" => put(&mut c, "O2FLOW", json!(round(rng.gen_range(1.0..5.0), 0))),
        "HIGHFLOW" => put(&mut c, "O2FLOW", json!(round(rng.gen_range(20.0..50.0), 0))),
        _ => {}
    }
    let toci = s.toci_days().contains(&t);
    put(&mut c, "TOCI", json!(yn(toci)));
    if toci {
        let mgkg = if s.weight < 30.0 { 12.0 } else { 8.0 };
        put(
            &mut c,
            "TOCIDTM",
            json!(at(date, (fever_hour + 1).min(23), 30)),
        );
        put(
            &mut c,
            "TOCIDOSE",
            json!((mgkg * s.weight).min(800.0).round()),
        );
    }
    let steroid = g >= 3 || (g >= 1 && s.crs_grade(t - 1) >= 3);
    put(&mut c, "STEROID", json!(yn(steroid)));
    if steroid {
        put(&mut c, "STERDTM", json!(at(date, 8, 0)));
        put(&mut c, "STERAGT", json!("DEX"));
        put(&mut c, "STERDOSE", json!(if g >= 4 { 40.0 } else { 20.0 }));
    }
    if let Some(course) = s.crs.as_ref().filter(|_| g >= 1) {
        put(&mut c, "CRSONDAT", json!(ymd(s.date(course.onset))));
        let resolved = t == course.end();
        put(
            &mut c,
            "CRSSTAT",
            json!(if resolved { "RESOLVED" } else { "ONGOING" }),
        );
        if resolved {
            put(&mut c, "CRSRSDAT", json!(ymd(date)));
        }
        put(&mut c, "FATAL", json!("N"));
    }
    c
}

/// ICE items for a score: writing goes first, then attention, orientation, naming, commands.
fn ice_items(score: i64) -> [i64; 5] {
    let mut lost = 10 - score.clamp(0, 10);
    let mut items = [4i64, 3, 1, 1, 1]; // orientation, naming, commands, writing, attention
    for k in [3usize, 4, 0, 0, 0, 0, 1, 1, 1, 2] {
        if lost == 0 {
            break;
        }
        if items[k] > 0 {
            items[k] -= 1;
            lost -= 1;
        }
    }
    items
}

fn icans(rng: &mut StdRng, s: &Subject, t: i64) -> Json {
    let date = s.date(t);
    let g = s.icans_grade(t);
    let child = s.age_at(date) <= 12;
    let consc = match g {
        0 => "AWAKE",
        1 => {
            if child || rng.gen_bool(0.5) {
                "SPONT"
            } else {
                "AWAKE"
            }
        }
        2 => {
            if child {
                "VOICE"
            } else {
                pick(rng, &[("AWAKE", 40), ("SPONT", 30), ("VOICE", 30)])
            }
        }
        3 => pick(rng, &[("VOICE", 50), ("TACTILE", 50)]),
        _ => "UNAROUSABLE",
    };
    let mut f = json!({
        "ICANSDAT": ymd(date),
        "ICANSTIM": "10:00",
        "TOOL": if child { "CAPD" } else { "ICE" },
        "CONSC": consc,
        "SEIZURE": if g == 3 && rng.gen_bool(0.2) { "RAPID" } else { "NONE" },
        "MOTOR": "NONE",
        "ICP": "NONE",
        "OTHCAUSE": "N",
        "NEURO": yn(g >= 1),
        "ICAED": yn(t <= 30),
    });
    if child {
        put(&mut f, "CAPDUNAB", json!(yn(g >= 4)));
        if g < 4 {
            let capd = match g {
                0 => 0,
                1 | 2 => rng.gen_range(2..=8),
                _ => rng.gen_range(9..=20),
            };
            put(&mut f, "CAPD", json!(capd));
        }
    } else {
        let score = match g {
            0 => 10,
            1 => rng.gen_range(7..=9),
            2 => rng.gen_range(3..=6),
            3 => rng.gen_range(0..=2),
            _ => 0,
        };
        let [o, n, c, w, a] = ice_items(score);
        put(&mut f, "ICEORIENT", json!(o));
        put(&mut f, "ICENAME", json!(n));
        put(&mut f, "ICECMD", json!(c));
        put(&mut f, "ICEWRITE", json!(w));
        put(&mut f, "ICEATTN", json!(a));
    }
    if let Some(course) = s.icans.as_ref().filter(|_| g >= 1) {
        put(&mut f, "ICONDAT", json!(ymd(s.date(course.onset))));
        let resolved = t == course.end();
        put(
            &mut f,
            "ICSTAT",
            json!(if resolved { "RESOLVED" } else { "ONGOING" }),
        );
        if resolved {
            put(&mut f, "ICRSDAT", json!(ymd(date)));
        }
        put(&mut f, "ICSTER", json!(yn(course.max() >= 2)));
    }
    f
}

fn vs(rng: &mut StdRng, s: &Subject, date: NaiveDate, t: i64, weigh: bool) -> Json {
    let daily = (1..=28).contains(&t);
    let (tmax, hyp, oxy, _) = if daily {
        crs_day(s, t)
    } else {
        (round(rng.gen_range(36.3..37.3), 1), "NONE", "NONE", false)
    };
    let temp = round(tmax - rng.gen_range(0.0..0.6), 1);
    let sbp: i64 = match hyp {
        "NONE" => rng.gen_range(102..135),
        "FLUIDS" => rng.gen_range(86..98),
        _ => rng.gen_range(84..96),
    };
    let spo2: i64 = match oxy {
        "NONE" => rng.gen_range(96..=99),
        "LOWFLOW" => rng.gen_range(93..=97),
        _ => rng.gen_range(91..=95),
    };
    let mut v = json!({
        "VSDAT": ymd(date),
        "VSTIM": "08:00",
        "TEMP": temp,
        "HR": rng.gen_range(68..92) + if temp >= 38.0 { 22 } else { 0 } + if hyp != "NONE" { 12 } else { 0 },
        "SBP": sbp,
        "DBP": (sbp - rng.gen_range(35..48)).max(45),
        "RR": rng.gen_range(14..20) + if oxy != "NONE" { 6 } else { 0 },
        "SPO2": spo2,
        "O2SUPP": yn(oxy != "NONE"),
    });
    if weigh || t >= 21 {
        put(
            &mut v,
            "WEIGHT",
            json!(round(s.weight + rng.gen_range(-1.5..1.0), 1)),
        );
    }
    v
}

fn lab(rng: &mut StdRng, s: &Subject, date: NaiveDate, t: i64) -> Json {
    let g = s.crs_grade(t);
    let post = t >= 1;
    let relapsed = s.relapsed_by(t);
    // Blood counts, ×10⁹/L.
    let anc = if t < 0 {
        rng.gen_range(0.8..4.0)
    } else if t == 0 {
        rng.gen_range(0.3..1.2)
    } else if t < s.anc_recovery || (relapsed && rng.gen_bool(0.5)) {
        rng.gen_range(0.02..0.45)
    } else {
        rng.gen_range(0.8..3.2)
    };
    let alc = if !post {
        rng.gen_range(0.2..1.6)
    } else if t <= 5 {
        rng.gen_range(0.03..0.2)
    } else if t <= 21 {
        rng.gen_range(0.3..2.5)
    } else {
        rng.gen_range(0.4..1.6)
    };
    let blasts = if (t < 0 && s.circulating) || (relapsed && s.diag == Diag::All) {
        rng.gen_range(0.5..8.0)
    } else {
        0.0
    };
    let (anc, alc) = (round(anc, 2), round(alc, 2));
    let wbc = round(anc + alc + rng.gen_range(0.05..0.6) + blasts, 2);
    let plt: i64 = if t < 0 {
        rng.gen_range(30..220)
    } else if t >= 3 && t < s.plt_recovery {
        rng.gen_range(8..45)
    } else if t >= 3 {
        rng.gen_range(55..210)
    } else {
        rng.gen_range(35..120)
    };
    let hgb: i64 = if (3..s.plt_recovery).contains(&t) {
        rng.gen_range(68..95)
    } else {
        rng.gen_range(85..128)
    };
    // Inflammation: rising with the CRS grade, falling after tocilizumab.
    let gf = g as f64;
    let ferritin = if g > 0 {
        rng.gen_range(800.0..1500.0) * (1.0 + 2.5 * gf)
    } else {
        rng.gen_range(150.0..1100.0)
    };
    let crp = if g > 0 {
        20.0 + 45.0 * gf + rng.gen_range(0.0..40.0)
    } else {
        rng.gen_range(1.0..12.0)
    };
    let il6 = if g > 0 {
        25.0 * 4f64.powf(gf) * rng.gen_range(0.6..1.6)
    } else {
        rng.gen_range(0.5..9.0)
    };
    let severe = g >= 3;
    let mut l = json!({
        "LBDAT": ymd(date),
        "LBTIM": "06:30",
        "WBC": wbc,
        "ANC": anc,
        "ALC": alc,
        "HGB": hgb,
        "PLT": plt,
        "PLTTRANS": "N",
        "FERRITIN": round(ferritin.min(45000.0), 1),
        "CRP": round(crp.min(380.0), 1),
        "LDH": rng.gen_range(150..320) + if t < 0 || relapsed { rng.gen_range(80..500) } else { 0 } + if severe { 150 } else { 0 },
        "ALT": if severe { rng.gen_range(60..180) } else { rng.gen_range(10..45) },
        "AST": if severe { rng.gen_range(50..160) } else { rng.gen_range(12..40) },
        "BILI": round(if severe { rng.gen_range(15.0..40.0) } else { rng.gen_range(5.0..18.0) }, 1),
    });
    if t <= 28 {
        put(
            &mut l,
            "IL6",
            if il6 < 1.5 {
                json!({"blq": 1.5})
            } else {
                json!(round(il6.min(9000.0), 1))
            },
        );
        put(
            &mut l,
            "FIB",
            json!(round(
                if severe {
                    rng.gen_range(1.0..1.9)
                } else {
                    rng.gen_range(2.1..4.2)
                },
                2
            )),
        );
    } else {
        put(
            &mut l,
            "IL6",
            json!({"not_done": "Not scheduled after day 28"}),
        );
        put(
            &mut l,
            "FIB",
            json!({"not_done": "Not scheduled after day 28"}),
        );
    }
    l
}

fn leuk(rng: &mut StdRng, s: &Subject) -> Json {
    let child = s.age_at(s.apheresis) < 16;
    let comp = rng.gen_bool(0.1);
    let mut l = json!({
        "LEUKDAT": ymd(s.apheresis),
        "ALC": round(rng.gen_range(0.3..1.8), 2),
        "CD3ABS": rng.gen_range(150..1400),
        "BLOODVOL": round(if child { rng.gen_range(3.0..8.0) } else { rng.gen_range(9.0..15.0) }, 1),
        "PRODVOL": rng.gen_range(80..300),
        "PRODCD3": round(if child { rng.gen_range(0.6..3.0) } else { rng.gen_range(1.5..8.0) }, 2),
        "LEUKCOMP": yn(comp),
        "SHIPDAT": ymd(s.apheresis),
    });
    if comp {
        put(
            &mut l,
            "LEUKCSP",
            json!("Perioral paraesthesia (citrate), resolved with oral calcium"),
        );
    }
    l
}

fn mfg(rng: &mut StdRng, s: &Subject) -> Json {
    let (_, per_kg) = DOSE_LEVELS[s.dose_level];
    let mut m = json!({
        "MFGSTDAT": ymd(s.mfg_start),
        "LOT": s.lot(),
    });
    match s.mfg {
        Mfg::Failed => {
            put(&mut m, "MFGSTAT", json!("FAILED"));
            put(&mut m, "FAILRSN", json!("EXPANSION"));
            put(
                &mut m,
                "FAILSP",
                json!(format!(
                    "Insufficient T-cell expansion (fold expansion {:.1})",
                    rng.gen_range(2.0..6.0)
                )),
            );
            put(&mut m, "REAPH", json!("N"));
        }
        status => {
            let oos = status == Mfg::Oos;
            let viab = if oos {
                rng.gen_range(62.0..69.0)
            } else {
                rng.gen_range(85.0..96.0)
            };
            put(
                &mut m,
                "MFGSTAT",
                json!(if oos { "OOS" } else { "RELEASED" }),
            );
            put(&mut m, "RELDAT", json!(ymd(s.release)));
            put(&mut m, "VIAB", json!(round(viab, 1)));
            put(&mut m, "TRANSD", json!(round(rng.gen_range(18.0..55.0), 1)));
            let total = per_kg * s.weight * rng.gen_range(1.5..4.0);
            put(&mut m, "TOTCAR", json!(round(total / 1.0e5, 0) * 1.0e5));
            if oos {
                put(&mut m, "OOSPAR", json!("VIAB"));
                put(
                    &mut m,
                    "OOSDESC",
                    json!(format!("Viability {:.1} % (specification ≥ 70 %)", viab)),
                );
                put(&mut m, "OOSACC", json!("Y"));
            }
        }
    }
    m
}

fn bridge(rng: &mut StdRng, s: &Subject) -> Json {
    let start = days(s.apheresis, rng.gen_range(1..=3));
    let ld5 = days(s.infusion, -5);
    let end = days(ld5, -rng.gen_range(3..=6)).max(days(start, 2));
    let mut rows = vec![json!({
        "BRAGENT": "STEROID",
        "BRREG": "Dexamethasone 10 mg/m²/day, days 1–5",
        "BRSTDAT": ymd(start),
        "BRENDAT": ymd(days(start, 4).min(end)),
    })];
    if s.diag == Diag::Nhl {
        if rng.gen_bool(0.4) {
            rows.push(json!({
                "BRAGENT": "RADIO", "BRREG": "Involved-site radiotherapy 20 Gy in 5 fractions",
                "BRSTDAT": ymd(start), "BRENDAT": ymd(end),
            }));
        }
    } else if rng.gen_bool(0.6) {
        rows.push(json!({
            "BRAGENT": "VCR", "BRREG": "Vincristine 1.4 mg/m² (max 2 mg) weekly",
            "BRSTDAT": ymd(start), "BRENDAT": ymd(end),
        }));
    }
    json!({"BRGIVEN": "Y", "AGENTS": rows})
}

fn ld(s: &Subject, date: NaiveDate) -> Json {
    let weight = round(s.weight - 0.5, 1);
    let bsa = fixed((s.height * weight / 3600.0).sqrt(), 2);
    let flu_plan = fixed(30.0 * bsa, 1);
    let cy_plan = (500.0 * bsa).round();
    let flu = if s.renal_reduction {
        fixed(flu_plan * 0.8, 1)
    } else {
        flu_plan
    };
    let mut l = json!({
        "LDDAT": ymd(date),
        "HEIGHT": s.height,
        "WEIGHT": weight,
        "FLUPLAN": flu_plan,
        "FLUDOSE": flu,
        "CYPLAN": cy_plan,
        "CYDOSE": cy_plan,
        "DOSECHG": yn(s.renal_reduction),
    });
    if s.renal_reduction {
        put(&mut l, "CHGRSN", json!("RENAL"));
        put(
            &mut l,
            "CHGSPEC",
            json!(format!(
                "Fludarabine reduced by 20 % for creatinine clearance {:.0} mL/min",
                s.crcl
            )),
        );
    }
    l
}

fn inf(rng: &mut StdRng, s: &Subject) -> Json {
    let (level, per_kg) = DOSE_LEVELS[s.dose_level];
    let weight = round(s.weight - 0.5, 1);
    let cells = round(per_kg * weight * rng.gen_range(0.92..1.08) / 1.0e5, 0) * 1.0e5;
    let start_h = rng.gen_range(9..14);
    let reaction = rng.gen_bool(0.05);
    let sbp = rng.gen_range(105..130);
    let mut f = json!({
        "INFDAT": ymd(s.infusion),
        "INFSTDTM": at(s.infusion, start_h, 0),
        "INFENDTM": at(s.infusion, start_h, rng.gen_range(12..35)),
        "PREMED": "Y",
        "LOT": s.lot(),
        "DOSELVL": level,
        "WTUSED": weight,
        "CARTOT": cells,
        "NBAGS": if cells > 2.0e8 { 2 } else { 1 },
        "INFVOL": rng.gen_range(20..110),
        "INFCOMP": "Y",
        "PRETEMP": round(rng.gen_range(36.3..37.2), 1),
        "PREHR": rng.gen_range(70..95),
        "PRESBP": sbp,
        "PREDBP": sbp - rng.gen_range(35..45),
        "PRESPO2": rng.gen_range(96..=99),
        "POSTTEMP": round(rng.gen_range(36.4..37.4), 1),
        "POSTHR": rng.gen_range(72..98),
        "POSTSBP": sbp - 4,
        "POSTDBP": sbp - 4 - rng.gen_range(35..45),
        "POSTSPO2": rng.gen_range(96..=99),
        "INFRXN": yn(reaction),
    });
    if reaction {
        put(&mut f, "RXNGR", json!(1));
        put(
            &mut f,
            "RXNDESC",
            json!("Chills during the infusion, resolved without treatment"),
        );
    }
    f
}

/// log10 of qPCR copies/µg below Cmax, by day: expansion to Tmax, then biphasic decline.
fn kinetics(s: &Subject, t: f64) -> f64 {
    let tmax = s.tmax as f64;
    let knots: [(f64, f64); 12] = [
        (0.0, -4.0),
        (1.0, -2.3),
        (4.0, -0.9),
        (tmax, 0.0),
        (tmax + 7.0, -0.45),
        (28.0, -0.95),
        (60.0, -1.5),
        (90.0, -1.8),
        (180.0, -2.3),
        (365.0, -2.8),
        (730.0, -3.3),
        (1100.0, -3.6),
    ];
    let mut prev = knots[0];
    for k in knots.iter().skip(1) {
        if k.0 <= prev.0 {
            continue;
        }
        if t <= k.0 {
            let f = (t - prev.0) / (k.0 - prev.0);
            return prev.1 + f * (k.1 - prev.1);
        }
        prev = *k;
    }
    prev.1
}

fn pk(rng: &mut StdRng, s: &Subject, tpt: &str, date: NaiveDate, t: i64) -> Json {
    let mut p = json!({"PKTPT": tpt});
    if tpt != "PRE" && rng.gen_bool(0.03) {
        put(&mut p, "PKCOLL", json!("N"));
        put(
            &mut p,
            "PKNDRSN",
            json!("Sample not drawn: subject transferred for imaging"),
        );
        return p;
    }
    let (hh, mm) = if tpt == "PRE" { (7, 30) } else { (8, 15) };
    put(&mut p, "PKCOLL", json!("Y"));
    put(&mut p, "PKDTM", json!(at(date, hh, mm)));
    let dna = 200.0;
    put(&mut p, "QDNA", json!(dna));
    put(&mut p, "QLLOQ", json!(QPCR_LLOQ));
    let copies = if tpt == "PRE" || t > s.car_loss_day {
        0.0
    } else {
        10f64.powf(s.cmax_log10 + kinetics(s, t as f64) + rng.gen_range(-0.08..0.08))
    };
    if copies < QPCR_LLOQ {
        put(&mut p, "QCOPIES", json!({"blq": QPCR_LLOQ}));
        put(&mut p, "QRAW", json!({"blq": QPCR_LLOQ * dna / 1000.0}));
    } else {
        let raw = round(copies * dna / 1000.0, 1);
        put(&mut p, "QRAW", json!(raw));
        put(&mut p, "QCOPIES", json!(round(raw / dna * 1000.0, 0)));
    }
    let cd3: f64 = if tpt == "PRE" || t <= 4 {
        rng.gen_range(60.0f64..300.0)
    } else if t <= 21 {
        rng.gen_range(400.0..2500.0)
    } else {
        rng.gen_range(500.0..1500.0)
    }
    .round();
    let pct = if copies < QPCR_LLOQ {
        0.0
    } else {
        s.car_peak_pct * 10f64.powf(0.75 * kinetics(s, t as f64))
    };
    put(&mut p, "CD3ABS", json!(cd3));
    if pct < 0.05 {
        put(&mut p, "CARPCT", json!({"blq": 0.05}));
        put(&mut p, "CARABS", json!({"blq": 0.1}));
    } else {
        let pct = round(pct, 2);
        let abs = round(pct * cd3 / 100.0, 1);
        put(&mut p, "CARPCT", json!(pct));
        put(
            &mut p,
            "CARABS",
            if abs < 0.1 {
                json!({"blq": 0.1})
            } else {
                json!(abs)
            },
        );
    }
    let b_cells = match s.b_recovery_day {
        _ if tpt == "PRE" => Some(rng.gen_range(0.0..40.0)),
        Some(r) if t >= r => Some(rng.gen_range(20.0..250.0)),
        _ => None,
    };
    put(
        &mut p,
        "CD19B",
        match b_cells {
            Some(b) if b >= 1.0 => json!(round(b, 1)),
            _ => json!({"blq": 1}),
        },
    );
    p
}

/// Marrow state at day `t`: blasts, circulating blasts, ANC and platelets per µL,
/// transfusion dependence.
fn marrow_state(rng: &mut StdRng, s: &Subject, t: i64) -> (f64, bool, f64, f64, bool) {
    if s.relapsed_by(t) && t > 28 {
        let blasts = if s.marrow == Marrow::Nr {
            (s.baseline_blasts * rng.gen_range(1.0..1.3)).min(97.0)
        } else {
            rng.gen_range(8.0..65.0)
        };
        return (
            blasts,
            s.diag == Diag::All && rng.gen_bool(0.6),
            rng.gen_range(300.0..1500.0),
            rng.gen_range(20000.0..90000.0),
            rng.gen_bool(0.4),
        );
    }
    let later = t > 45;
    match s.marrow {
        Marrow::Cr => (
            rng.gen_range(0.2..3.5),
            false,
            rng.gen_range(1100.0..3500.0),
            rng.gen_range(105000.0..260000.0),
            false,
        ),
        Marrow::Cri if later => (
            rng.gen_range(0.2..3.5),
            false,
            rng.gen_range(1050.0..3000.0),
            rng.gen_range(101000.0..220000.0),
            false,
        ),
        Marrow::Cri => (
            rng.gen_range(0.5..4.0),
            false,
            rng.gen_range(400.0..950.0),
            rng.gen_range(40000.0..95000.0),
            rng.gen_bool(0.3),
        ),
        Marrow::Nr => (
            (s.baseline_blasts * rng.gen_range(0.75..1.1)).clamp(6.0, 97.0),
            s.diag == Diag::All && rng.gen_bool(0.5),
            rng.gen_range(500.0..1500.0),
            rng.gen_range(30000.0..120000.0),
            rng.gen_bool(0.5),
        ),
    }
}

fn bm(rng: &mut StdRng, s: &Subject, date: NaiveDate, t: i64) -> Json {
    if !s.diag.marrow() {
        return json!({"BMPERF": "N", "BMNDRSN": "Lymphoma: response assessed by imaging (Lugano)"});
    }
    let (blasts, circ, anc, plt, transf) = marrow_state(rng, s, t);
    let mut b = json!({
        "BMPERF": "Y",
        "BMDAT": ymd(date),
        "BLASTS": round(blasts, 1),
        "CIRCBL": yn(circ),
        "EMD": if s.diag == Diag::Lbl && (s.relapsed_by(t) || (t <= 45 && s.pet != Pet::Cmr)) { "PRESENT" } else { "NONE" },
        "CNS": "CNS1",
        "ANC": anc.round(),
        "PLT": (plt / 1000.0).round() * 1000.0,
        "TRANSF": yn(transf),
        "PRIORCR": yn(t > 28 && s.marrow != Marrow::Nr),
    });
    if circ {
        put(&mut b, "CIRCPCT", json!(round(rng.gen_range(2.0..30.0), 1)));
    }
    if b["EMD"] == "PRESENT" {
        put(&mut b, "EMDSITE", json!("Mediastinal mass (see imaging)"));
    }
    b
}

fn mrd(rng: &mut StdRng, s: &Subject, date: NaiveDate, t: i64) -> Json {
    if !s.diag.marrow() {
        return json!({"MRDPERF": "N", "MRDNDRSN": "Not applicable: lymphoma"});
    }
    let ngs = rng.gen_bool(0.3);
    let sens = if ngs { 0.0001 } else { 0.01 };
    let negative = !s.relapsed_by(t) && s.marrow != Marrow::Nr && s.mrd_negative;
    let result = if negative {
        0.0
    } else if s.relapsed_by(t) || s.marrow == Marrow::Nr {
        round(rng.gen_range(5.0..60.0), 2)
    } else {
        round(rng.gen_range(0.02..0.8), 3)
    };
    json!({
        "MRDPERF": "Y",
        "MRDDAT": ymd(date),
        "MRDSPEC": "BM",
        "MRDMTH": if ngs { "NGS" } else { "FLOW" },
        "MRDSENS": sens,
        "MRDDET": yn(!negative),
        "MRDRES": result,
    })
}

fn lyresp(rng: &mut StdRng, s: &Subject, date: NaiveDate, t: i64) -> Json {
    if !s.diag.imaging() {
        return json!({"LYPERF": "N", "LYNDRSN": "B-ALL without extramedullary disease"});
    }
    let imaging_date = days(date, -rng.gen_range(0..=2)).max(days(s.infusion, 1));
    let state = if s.relapsed_by(t) && t > 28 {
        Pet::Pmd
    } else if s.pet == Pet::Pmr && t > 60 && s.pmr_to_cmr {
        Pet::Cmr
    } else {
        s.pet
    };
    let pet_scan = matches!(t, 20..=45 | 75..=105 | 160..=200 | 330..=400) || state == Pet::Pmd;
    let mut l = json!({
        "LYPERF": "Y",
        "LYDAT": ymd(imaging_date),
        "LYMTH": if pet_scan { "PETCT" } else { "CT" },
        "NEWLES": yn(state == Pet::Pmd && rng.gen_bool(0.5)),
        "SPLEEN": "N",
        "NEWMAR": "N",
        "EXTRAN": yn(state == Pet::Pmd),
        "MARCLR": yn(state != Pet::Pmd),
    });
    if pet_scan {
        let (ds, uptake) = match state {
            Pet::Cmr => (rng.gen_range(2..=3), "REDUCED"),
            Pet::Pmr => (4, "REDUCED"),
            Pet::Nmr => (rng.gen_range(4..=5), "UNCHANGED"),
            Pet::Pmd => (5, "INCREASED"),
        };
        put(&mut l, "DEAUV", json!(ds));
        put(&mut l, "UPTAKE", json!(uptake));
        let new_avid = l["NEWLES"] == "Y";
        put(&mut l, "NEWAVID", json!(yn(new_avid)));
        put(&mut l, "MARAVID", json!("N"));
    }
    let rows: Vec<Json> = s
        .lesions
        .iter()
        .map(|les| {
            let f = match state {
                Pet::Cmr => 0.0,
                Pet::Pmr => rng.gen_range(0.45..0.65),
                Pet::Nmr => rng.gen_range(0.85..1.0),
                Pet::Pmd => rng.gen_range(1.25..1.45),
            };
            let ld = if state == Pet::Cmr {
                round(rng.gen_range(0.6..1.4), 1)
            } else {
                round((les.ld * f).max(0.6), 1)
            };
            let sd = round((ld * les.sd / les.ld).max(0.3), 1).min(ld);
            json!({"LESSITE": les.site, "LDIAM": ld, "SDIAM": sd})
        })
        .collect();
    put(&mut l, "LESIONS", Json::Array(rows));
    l
}

fn surv(s: &Subject, date: NaiveDate, t: i64) -> Json {
    let relapsed = s.relapsed_by(t);
    let mut f = json!({
        "LCDAT": ymd(date),
        "CONTACT": "VISIT",
        "SURVSTAT": "ALIVE",
        "DZSTAT": if relapsed { "RELAPSE" } else { "REMISSION" },
        "NEWTX": yn(new_therapy_between(s, t - 92, t)),
    });
    if let Some(r) = s.relapse_day.filter(|_| relapsed) {
        put(&mut f, "PROGDAT", json!(ymd(s.date(r))));
    }
    f
}

/// When new anticancer therapy starts (days after infusion), and what it is.
fn new_therapy_plan(s: &Subject) -> Vec<(i64, &'static str)> {
    let mut v = Vec::new();
    if let Some(h) = s.hsct_day {
        v.push((h, "HSCT"));
    }
    if let Some(r) = s.relapse_day {
        v.push((r + 14, "SALVAGE"));
    }
    v
}

fn new_therapy_between(s: &Subject, from: i64, to: i64) -> bool {
    new_therapy_plan(s)
        .iter()
        .any(|(d, _)| *d > from && *d <= to)
}

fn new_therapy(rng: &mut StdRng, s: &Subject, today: NaiveDate) -> Vec<(NaiveDate, Json)> {
    let mut out = Vec::new();
    for (d, kind) in new_therapy_plan(s) {
        let start = s.date(d);
        let mut n = match kind {
            "HSCT" => json!({
                "NATYPE": "HSCT_ALLO",
                "NATRT": "Allogeneic HSCT, TBI/cyclophosphamide conditioning",
                "NARSN": "CONSOL",
                "NASTDAT": ymd(start),
                "HSCTDON": pick(rng, &[("MSD", 30), ("MUD", 20), ("HAPLO", 50)]),
                "NAREMIS": "Y",
            }),
            _ => {
                let (kind, what) = match s.diag {
                    Diag::Nhl => pick(
                        rng,
                        &[
                            (
                                (
                                    "ANTIBODY",
                                    "Polatuzumab vedotin, bendamustine and rituximab",
                                ),
                                5,
                            ),
                            (("ANTIBODY", "Glofitamab"), 3),
                            (("RADIO", "Involved-site radiotherapy 30 Gy"), 2),
                        ],
                    ),
                    _ => pick(
                        rng,
                        &[
                            (("ANTIBODY", "Inotuzumab ozogamicin"), 5),
                            (("CHEMO", "FLAG-Ida"), 3),
                            (("ANTIBODY", "Blinatumomab"), 2),
                        ],
                    ),
                };
                json!({
                    "NATYPE": kind,
                    "NATRT": what,
                    "NARSN": if s.relapse_day == Some(28) { "NORESP" } else { "RELAPSE" },
                    "NASTDAT": ymd(start),
                    "NAREMIS": "N",
                })
            }
        };
        let end = days(start, rng.gen_range(28..90));
        if kind != "HSCT" && end <= today && s.stop().is_none_or(|x| end <= x) {
            put(&mut n, "NAENDAT", json!(ymd(end)));
        }
        out.push((start, n));
    }
    out
}

/// An AE from `start` to `end` (days after infusion); open when it lasts beyond today or the
/// subject's death or withdrawal.
#[allow(clippy::too_many_arguments)]
fn ae(
    s: &Subject,
    today: NaiveDate,
    term: &str,
    cat: &str,
    start: i64,
    end: i64,
    grade: u8,
    car: &str,
    ld: &str,
    treated: bool,
) -> (NaiveDate, Json) {
    let st = s.date(start);
    let en = s.date(end);
    let open = en > today || s.stop().is_some_and(|x| en > x);
    let dlt = (0..=28).contains(&start);
    let fatal = grade == 5;
    let mut a = json!({
        "AETERM": term,
        "AECAT": cat,
        "AESTDAT": ymd(st),
        "AEONGO": yn(open && !fatal),
        "AEGRADE": grade,
        "AESER": yn(grade >= 3 && cat != "CYTOPENIA"),
        "AERELCAR": car,
        "AERELLD": ld,
        "AETRT": yn(treated),
        "AEOUT": if fatal { "FATAL" } else if open { "NOTRECOVERED" } else { "RECOVERED" },
        "AEDLT": yn(dlt),
    });
    if !open || fatal {
        put(&mut a, "AEENDAT", json!(ymd(en)));
    }
    if dlt {
        put(
            &mut a,
            "AEDLTY",
            json!(yn(
                cat == "CYTOPENIA" && end > 28 || grade >= 4 && cat != "CYTOPENIA"
            )),
        );
    }
    if grade >= 3 && cat != "CYTOPENIA" {
        put(
            &mut a,
            "SAECRIT",
            json!(if fatal {
                "DEATH"
            } else if grade == 4 {
                "LIFE"
            } else {
                "HOSP"
            }),
        );
        put(&mut a, "SAEAWDAT", json!(ymd(st)));
        put(&mut a, "SAE24", json!("Y"));
        put(&mut a, "SAERPDAT", json!(ymd(days(st, 1))));
    }
    if cat == "CYTOPENIA" && !open {
        put(&mut a, "RECOVDAT", json!(ymd(en)));
    }
    (st, a)
}

fn adverse_events(rng: &mut StdRng, s: &Subject, today: NaiveDate) -> Vec<(NaiveDate, Json)> {
    let mut v = Vec::new();
    v.push(ae(
        s,
        today,
        "Neutrophil count decreased",
        "CYTOPENIA",
        1,
        s.anc_recovery,
        4,
        "PROBABLE",
        "PROBABLE",
        s.anc_recovery > 14,
    ));
    v.push(ae(
        s,
        today,
        "Platelet count decreased",
        "CYTOPENIA",
        3,
        s.plt_recovery,
        4,
        "PROBABLE",
        "PROBABLE",
        true,
    ));
    v.push(ae(
        s,
        today,
        "Anemia",
        "CYTOPENIA",
        3,
        s.plt_recovery.min(28),
        3,
        "POSSIBLE",
        "PROBABLE",
        true,
    ));
    if let Some(d) = s.febrile_neutropenia.filter(|d| *d < s.anc_recovery) {
        v.push(ae(
            s,
            today,
            "Febrile neutropenia",
            "CYTOPENIA",
            d,
            d + rng.gen_range(2..5),
            3,
            "POSSIBLE",
            "PROBABLE",
            true,
        ));
    }
    if let Some(c) = s.crs.as_ref().filter(|c| c.max() >= 3) {
        let d = c.first_at_least(3).unwrap_or(c.onset);
        v.push(ae(
            s,
            today,
            "Alanine aminotransferase increased",
            "ORGAN",
            d,
            d + rng.gen_range(6..14),
            3,
            "PROBABLE",
            "UNLIKELY",
            false,
        ));
        if s.iec_hs {
            let start = c.end() + 2;
            let (st, mut a) = ae(
                s,
                today,
                "Hemophagocytic lymphohistiocytosis",
                "IECHS",
                start,
                start + rng.gen_range(7..15),
                3,
                "PROBABLE",
                "NOT",
                true,
            );
            put(&mut a, "HLHFERR", json!(rng.gen_range(20000..60000)));
            put(
                &mut a,
                "HLHTRT",
                json!("Anakinra 100 mg every 6 hours, dexamethasone 10 mg every 6 hours"),
            );
            v.push((st, a));
        }
    }
    if let Some((d, kind, grade)) = s.infection {
        const INFECTIONS: [(&str, &str, &str); 5] = [
            ("Lung infection", "Lung", "Klebsiella pneumoniae"),
            ("Upper respiratory infection", "Upper airway", "Rhinovirus"),
            ("Sepsis", "Blood", "Escherichia coli"),
            (
                "Herpes zoster",
                "Skin (T6 dermatome)",
                "Varicella-zoster virus",
            ),
            (
                "Cytomegalovirus infection reactivation",
                "Blood",
                "Cytomegalovirus",
            ),
        ];
        let (term, site, pathogen) = INFECTIONS[kind];
        let (st, mut a) = ae(
            s,
            today,
            term,
            "INFECTION",
            d,
            d + rng.gen_range(7..21),
            grade,
            "POSSIBLE",
            "UNLIKELY",
            true,
        );
        put(&mut a, "PATHOGEN", json!(pathogen));
        put(&mut a, "INFSITE", json!(site));
        put(&mut a, "IGG", json!(round(rng.gen_range(2.5..7.5), 2)));
        v.push((st, a));
    }
    if let Some((d, "INFECTION", _)) = s.death {
        let t = s.day(d);
        let (st, mut a) = ae(
            s,
            today,
            "Sepsis",
            "INFECTION",
            t - 4,
            t,
            5,
            "POSSIBLE",
            "UNLIKELY",
            true,
        );
        put(&mut a, "PATHOGEN", json!("Klebsiella pneumoniae"));
        put(&mut a, "INFSITE", json!("Blood"));
        put(&mut a, "IGG", json!({"not_done": "Not measured"}));
        v.push((st, a));
    }
    v
}

/// A medication from `start` to `end` (days after infusion), open when it goes on beyond
/// today; stopped at death or withdrawal.
#[allow(clippy::too_many_arguments)]
fn cm(
    s: &Subject,
    today: NaiveDate,
    cat: &str,
    drug: &str,
    indication: &str,
    dose: f64,
    unit: &str,
    freq: &str,
    route: &str,
    start: i64,
    end: i64,
) -> (NaiveDate, Json) {
    let st = s.date(start);
    let mut en = s.date(end);
    if let Some(x) = s.stop() {
        en = en.min(x);
    }
    let open = en > today;
    let mut c = json!({
        "CMCAT": cat,
        "CMINDC": indication,
        "CMDOSE": dose,
        "CMDOSU": unit,
        "CMFREQ": freq,
        "CMROUTE": route,
        "CMSTDAT": ymd(st),
        "CMONGO": yn(open),
    });
    if cat == "TRANSFUSION" {
        put(&mut c, "TRANSTYP", json!(drug));
    } else {
        put(&mut c, "CMTRT", json!(drug));
    }
    if !open {
        put(&mut c, "CMENDAT", json!(ymd(en.max(st))));
    }
    (st, c)
}

fn medications(rng: &mut StdRng, s: &Subject, today: NaiveDate) -> Vec<(NaiveDate, Json)> {
    let mut v = Vec::new();
    let kg = s.weight;
    v.push(cm(
        s,
        today,
        "OTHER",
        "Paracetamol",
        "PREMED",
        500.0,
        "MG",
        "once",
        "PO",
        0,
        0,
    ));
    v.push(cm(
        s,
        today,
        "OTHER",
        "Promethazine",
        "PREMED",
        12.5,
        "MG",
        "once",
        "IM",
        0,
        0,
    ));
    v.push(cm(
        s,
        today,
        "OTHER",
        "Levetiracetam",
        "PROPHYLAXIS",
        500.0,
        "MG",
        "every 12 hours",
        "PO",
        0,
        30,
    ));
    v.push(cm(
        s,
        today,
        "ANTIVIRAL",
        "Aciclovir",
        "PROPHYLAXIS",
        400.0,
        "MG",
        "twice daily",
        "PO",
        -5,
        365,
    ));
    v.push(cm(
        s,
        today,
        "ANTIBIOTIC",
        "Sulfamethoxazole/trimethoprim",
        "PROPHYLAXIS",
        960.0,
        "MG",
        "three times a week",
        "PO",
        s.anc_recovery + 1,
        180,
    ));
    for d in s.toci_days() {
        let mgkg = if kg < 30.0 { 12.0 } else { 8.0 };
        v.push(cm(
            s,
            today,
            "TOCI",
            "Tocilizumab",
            "CRS",
            (mgkg * kg).min(800.0).round(),
            "MG",
            "once",
            "IV",
            d,
            d,
        ));
    }
    if let Some(c) = s.crs.as_ref().filter(|c| c.max() >= 3) {
        let d = c.first_at_least(3).unwrap_or(c.onset);
        v.push(cm(
            s,
            today,
            "STEROID",
            "Dexamethasone",
            "CRS",
            10.0,
            "MG",
            "every 6 hours",
            "IV",
            d,
            d + 3,
        ));
        v.push(cm(
            s,
            today,
            "VASO",
            "Norepinephrine",
            "CRS",
            round(rng.gen_range(0.05..0.2), 2),
            "UG_KG_MIN",
            "continuous infusion",
            "IV",
            d,
            d + rng.gen_range(1..3),
        ));
    }
    if let Some(c) = s.icans.as_ref().filter(|c| c.max() >= 2) {
        let d = c.first_at_least(2).unwrap_or(c.onset);
        v.push(cm(
            s,
            today,
            "STEROID",
            "Dexamethasone",
            "ICANS",
            10.0,
            "MG",
            "every 6 hours",
            "IV",
            d,
            c.end(),
        ));
    }
    if s.iec_hs {
        if let Some(c) = &s.crs {
            v.push(cm(
                s,
                today,
                "ANAKINRA",
                "Anakinra",
                "IECHS",
                100.0,
                "MG",
                "every 6 hours",
                "SC",
                c.end() + 2,
                c.end() + 9,
            ));
        }
    }
    if s.anc_recovery > 14 {
        v.push(cm(
            s,
            today,
            "GCSF",
            "Filgrastim",
            "CYTOPENIA",
            if kg < 50.0 { 150.0 } else { 300.0 },
            "UG",
            "daily",
            "SC",
            14,
            s.anc_recovery,
        ));
    }
    let mut d = 5;
    while d < s.plt_recovery.min(30) {
        v.push(cm(
            s,
            today,
            "TRANSFUSION",
            "PLT",
            "CYTOPENIA",
            1.0,
            "UNIT",
            "once",
            "IV",
            d,
            d,
        ));
        d += rng.gen_range(3..6);
    }
    v.push(cm(
        s,
        today,
        "TRANSFUSION",
        "RBC",
        "CYTOPENIA",
        2.0,
        "UNIT",
        "once",
        "IV",
        8,
        8,
    ));
    if let Some(f) = s.febrile_neutropenia.filter(|f| *f < s.anc_recovery) {
        v.push(cm(
            s,
            today,
            "ANTIBIOTIC",
            "Meropenem",
            "INFECTION",
            1.0,
            "G",
            "every 8 hours",
            "IV",
            f,
            f + 7,
        ));
    }
    if let Some((d, _, _)) = s.infection {
        v.push(cm(
            s,
            today,
            "ANTIBIOTIC",
            "Piperacillin/tazobactam",
            "INFECTION",
            4.5,
            "G",
            "every 8 hours",
            "IV",
            d,
            d + 10,
        ));
    }
    if s.ivig {
        v.push(cm(
            s,
            today,
            "IVIG",
            "Human immunoglobulin (IVIG)",
            "PROPHYLAXIS",
            round(0.4 * kg, 0).max(5.0),
            "G",
            "every 4 weeks",
            "IV",
            60,
            540,
        ));
    }
    v.sort_by_key(|(d, _)| *d);
    v
}
