//! Endpoint and PK reports (central node: all sites; a site: its own subjects): response rates
//! with exact confidence intervals by analysis population, Kaplan-Meier for OS, PFS and DOR
//! (primary and sensitivity handling of new therapy), worst CRS and ICANS grades, the SAE
//! listing, a swimmer plot's data, and non-compartmental PK per subject with summaries.
//! Everything is recomputed from current values (overrides applied).

use crate::auth::Session;
use crate::report_data::{Casebook, Needs};
use crate::{Ecrf, Result};
use ecrf_core::endpoints::{self, Analysis, Facts, TimeToEvent};
use ecrf_core::roles::Action;
use ecrf_core::stats::binomial::Rate;
use ecrf_core::stats::km::KaplanMeier;
use ecrf_core::stats::pk::{self, Conc};
use ecrf_core::stats::summary::{GeometricSummary, MedianRange};
use ecrf_core::validate::FormValues;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// A response rate with its exact (Clopper-Pearson) 95% confidence interval.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RateView {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub x: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub n: u64,
    pub rate: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

impl RateView {
    fn of(x: u64, n: u64) -> RateView {
        let r = Rate::new(x, n);
        RateView {
            x,
            n,
            rate: r.as_ref().map(|r| r.rate),
            lower: r.as_ref().map(|r| r.lower),
            upper: r.as_ref().map(|r| r.upper),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ResponseTable {
    /// `enrolled`, `leukapheresed` or `infused`.
    pub population: String,
    /// `B-ALL`, `lymphoma` or `all` (each subject by the rule of their disease).
    pub disease: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub n: u64,
    pub orr: RateView,
    pub cr: RateView,
    pub cri: RateView,
    pub pr: RateView,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct KmStepView {
    pub day: f64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub at_risk: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub events: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub censored: u64,
    pub survival: f64,
    pub lower: f64,
    pub upper: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SubjectTime {
    pub subject: String,
    pub days: f64,
    pub event: bool,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SurvivalView {
    /// `OS`, `PFS` or `DOR`.
    pub endpoint: String,
    /// `primary` (censor at new therapy/HSCT) or `sensitivity` (do not).
    pub analysis: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub n: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub events: u64,
    /// Days; null when not reached.
    pub median: Option<f64>,
    pub median_lower: Option<f64>,
    pub median_upper: Option<f64>,
    /// Survival at 6, 12, 24 and 36 months (days 182.625 × k), with the log-log CI.
    pub landmarks: Vec<Landmark>,
    pub steps: Vec<KmStepView>,
    /// Numbers at risk every 3 months, for the table under a plot.
    pub at_risk: Vec<AtRisk>,
    pub subjects: Vec<SubjectTime>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Landmark {
    pub months: u32,
    pub survival: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AtRisk {
    pub day: f64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub n: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct GradeTable {
    /// `CRS` or `ICANS`.
    pub toxicity: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub n: u64,
    /// Subjects by worst grade 0-5 (0: none recorded).
    pub grades: Vec<RateView>,
    /// Grade 3 or worse.
    pub grade3plus: RateView,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SaeLine {
    pub subject: String,
    pub term: String,
    pub start: Option<String>,
    pub day: Option<i64>,
    pub grade: Option<i64>,
    pub criteria: Option<String>,
    pub related_car_t: Option<String>,
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SwimmerLane {
    pub subject: String,
    pub disease: String,
    /// Days from infusion to the end of follow-up (OS time).
    pub days: f64,
    pub died: bool,
    pub responses: Vec<SwimmerMark>,
    pub new_therapy_day: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SwimmerMark {
    pub day: f64,
    pub code: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct PopulationCount {
    pub population: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub n: u64,
}

/// The endpoint report.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct EndpointReport {
    pub study: String,
    pub generated_at: String,
    /// `all sites` at the central node, else the site.
    pub scope: String,
    pub populations: Vec<PopulationCount>,
    pub responses: Vec<ResponseTable>,
    pub survival: Vec<SurvivalView>,
    pub toxicity: Vec<GradeTable>,
    pub sae: Vec<SaeLine>,
    pub swimmer: Vec<SwimmerLane>,
}

/// One subject as the reports see them.
struct Subject {
    id: String,
    leukapheresed: bool,
    infused: bool,
    lymphoma: bool,
    facts: Facts,
    best: Option<String>,
    worst_crs: Option<i64>,
    worst_icans: Option<i64>,
    /// The subject's serious adverse events, in the order of its forms.
    sae: Vec<SaeLine>,
}

fn date_of(v: &Json) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn day_between(from: &str, to: &str) -> Option<f64> {
    let f = chrono::NaiveDate::parse_from_str(from.get(..10)?, "%Y-%m-%d").ok()?;
    let t = chrono::NaiveDate::parse_from_str(to.get(..10)?, "%Y-%m-%d").ok()?;
    Some((t - f).num_days() as f64)
}

/// The first value of `item` in a form instance (any group).
fn item(values: &FormValues, item: &str) -> Json {
    values
        .iter()
        .find(|(s, _)| s.item == item)
        .map(|(_, v)| v.clone())
        .unwrap_or(Json::Null)
}

/// Derivation functions whose worst value per subject the report shows.
const GRADE_FUNCTIONS: [&str; 2] = ["crs_grade", "icans_grade"];

impl Ecrf {
    /// The worst value of a derivation (by function name) over a subject's forms, overrides
    /// applied.
    fn worst_derived(book: &Casebook, function: &str) -> Result<Option<i64>> {
        let mut worst: Option<i64> = None;
        for state in book.forms() {
            let Some((form, spec)) = book.derivation(state, &[function])? else {
                continue;
            };
            if let Some(g) = book.derived(state, form, spec, Json::as_i64)? {
                worst = Some(worst.map_or(g, |w| w.max(g)));
            }
        }
        Ok(worst)
    }

    fn report_subject(&self, book: &Casebook) -> Result<Subject> {
        let outcome = self.outcome(book, book.id.site())?;
        let lymphoma = book
            .instances("ELIG")
            .next()
            .map(|v| item(v, "DIAG"))
            .and_then(|d| d.as_str().map(|s| s != "BALL"))
            .unwrap_or(false);
        let mut alive = Vec::new();
        let mut progression = Vec::new();
        let mut dead_on_follow_up = None;
        for v in book.instances("SURV") {
            let lc = date_of(&item(v, "LCDAT"));
            match item(v, "SURVSTAT").as_str() {
                Some("DEAD") => dead_on_follow_up = lc.clone(),
                _ => alive.extend(lc),
            }
            progression.extend(date_of(&item(v, "PROGDAT")));
        }
        let death = book
            .instances("DTH")
            .next()
            .and_then(|v| date_of(&item(v, "DTHDAT")))
            .or(dead_on_follow_up);
        let new_therapy = book
            .instances("NACT")
            .filter_map(|v| date_of(&item(v, "NASTDAT")))
            .min();
        let mut sae = Vec::new();
        for v in book.instances("AE") {
            if item(v, "AESER").as_str() != Some("Y") {
                continue;
            }
            let start = date_of(&item(v, "AESTDAT"));
            sae.push(SaeLine {
                subject: book.id.to_string(),
                term: item(v, "AETERM").as_str().unwrap_or_default().to_string(),
                day: match (&outcome.infusion_date, &start) {
                    (Some(i), Some(d)) => day_between(i, d).map(|d| d as i64),
                    _ => None,
                },
                start,
                grade: item(v, "AEGRADE").as_i64(),
                criteria: item(v, "SAECRIT").as_str().map(str::to_string),
                related_car_t: item(v, "AERELCAR").as_str().map(str::to_string),
                outcome: item(v, "AEOUT").as_str().map(str::to_string),
            });
        }
        let facts = Facts {
            infusion: outcome.infusion_date.clone(),
            responses: outcome.responses.clone(),
            death,
            alive,
            progression,
            new_therapy,
            lymphoma,
        };
        Ok(Subject {
            id: book.id.to_string(),
            leukapheresed: outcome.leukapheresed,
            infused: outcome.infused,
            lymphoma,
            facts,
            best: outcome.best_response,
            worst_crs: Self::worst_derived(book, GRADE_FUNCTIONS[0])?,
            worst_icans: Self::worst_derived(book, GRADE_FUNCTIONS[1])?,
            sae,
        })
    }

    /// The endpoint report over this node's subjects.
    pub fn report_endpoints(&mut self, s: &mut Session) -> Result<EndpointReport> {
        self.authorize(s, Action::Reports)?;
        self.store.read_snapshot(|| self.endpoint_report())
    }

    fn endpoint_report(&self) -> Result<EndpointReport> {
        let node = self.store.node()?;
        let needs = self
            .forms_deriving(&GRADE_FUNCTIONS)
            .iter()
            .fold(self.outcome_needs(Needs::default()), |n, f| n.all(f))
            .items("ELIG", &["DIAG"])
            .items("SURV", &["LCDAT", "SURVSTAT", "PROGDAT"])
            .items("DTH", &["DTHDAT"])
            .items("NACT", &["NASTDAT"])
            .items(
                "AE",
                &[
                    "AESER", "AETERM", "AESTDAT", "AEGRADE", "SAECRIT", "AERELCAR", "AEOUT",
                ],
            );
        let mut subjects = Vec::new();
        self.each_casebook(&needs, |_, book| {
            subjects.push(self.report_subject(book)?);
            Ok(())
        })?;
        let includes_pr = self
            .definition()
            .parameters
            .get("all_orr_includes_pr")
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        type Member = fn(&Subject) -> bool;
        let populations: [(&str, Member); 3] = [
            ("enrolled", |_| true),
            ("leukapheresed", |s| s.leukapheresed),
            ("infused", |s| s.infused),
        ];
        let mut responses = Vec::new();
        for (pop, member) in populations {
            for (disease, which) in [
                ("all", None),
                ("B-ALL", Some(false)),
                ("lymphoma", Some(true)),
            ] {
                let group: Vec<&Subject> = subjects
                    .iter()
                    .filter(|s| member(s) && which.is_none_or(|l| s.lymphoma == l))
                    .collect();
                if group.is_empty() && disease != "all" {
                    continue;
                }
                let n = group.len() as u64;
                let count = |codes: &[&str]| {
                    group
                        .iter()
                        .filter(|s| s.best.as_deref().is_some_and(|b| codes.contains(&b)))
                        .count() as u64
                };
                let orr = group
                    .iter()
                    .filter(|s| {
                        s.best.as_deref().is_some_and(|b| {
                            endpoints::is_response(b, s.lymphoma)
                                || (!s.lymphoma && includes_pr && b == "PR")
                        })
                    })
                    .count() as u64;
                responses.push(ResponseTable {
                    population: pop.into(),
                    disease: disease.into(),
                    n,
                    orr: RateView::of(orr, n),
                    cr: RateView::of(count(&["CR", "CMR"]), n),
                    cri: RateView::of(count(&["CRI"]), n),
                    pr: RateView::of(count(&["PR", "PMR"]), n),
                });
            }
        }
        let mut survival = Vec::new();
        type Endpoint = fn(&Facts, Analysis) -> Option<TimeToEvent>;
        let eps: [(&str, Endpoint); 3] = [
            ("OS", |f, _| endpoints::os(f)),
            ("PFS", endpoints::pfs),
            ("DOR", endpoints::dor),
        ];
        for (name, f) in eps {
            for analysis in [Analysis::Primary, Analysis::Sensitivity] {
                if name == "OS" && analysis == Analysis::Sensitivity {
                    continue;
                }
                let times: Vec<SubjectTime> = subjects
                    .iter()
                    .filter_map(|s| {
                        f(&s.facts, analysis).map(|t| SubjectTime {
                            subject: s.id.clone(),
                            days: t.days,
                            event: t.event,
                            reason: t.reason,
                        })
                    })
                    .collect();
                survival.push(survival_view(name, analysis, times));
            }
        }
        let toxicity = vec![
            grade_table(
                "CRS",
                subjects.iter().filter(|s| s.infused).map(|s| s.worst_crs),
            ),
            grade_table(
                "ICANS",
                subjects.iter().filter(|s| s.infused).map(|s| s.worst_icans),
            ),
        ];
        let sae = subjects
            .iter_mut()
            .flat_map(|s| std::mem::take(&mut s.sae))
            .collect();
        let swimmer = subjects
            .iter()
            .filter_map(|s| {
                let os = endpoints::os(&s.facts)?;
                let inf = s.facts.infusion.as_deref()?;
                Some(SwimmerLane {
                    subject: s.id.clone(),
                    disease: if s.lymphoma { "lymphoma" } else { "B-ALL" }.into(),
                    days: os.days,
                    died: os.event,
                    responses: s
                        .facts
                        .responses
                        .iter()
                        .filter_map(|a| {
                            Some(SwimmerMark {
                                day: day_between(inf, &a.date).filter(|d| *d >= 0.0)?,
                                code: a.code.clone(),
                            })
                        })
                        .collect(),
                    new_therapy_day: s
                        .facts
                        .new_therapy
                        .as_deref()
                        .and_then(|n| day_between(inf, n)),
                })
            })
            .collect();
        Ok(EndpointReport {
            study: node.study.clone(),
            generated_at: self.now_str(),
            scope: node
                .site
                .map_or_else(|| "all sites".to_string(), |s| format!("site {s}")),
            populations: populations
                .iter()
                .map(|(p, member)| PopulationCount {
                    population: p.to_string(),
                    n: subjects.iter().filter(|s| member(s)).count() as u64,
                })
                .collect(),
            responses,
            survival,
            toxicity,
            sae,
            swimmer,
        })
    }
}

fn survival_view(name: &str, analysis: Analysis, subjects: Vec<SubjectTime>) -> SurvivalView {
    let data: Vec<(f64, bool)> = subjects.iter().map(|s| (s.days, s.event)).collect();
    let fit = KaplanMeier::fit(&data);
    let analysis = match analysis {
        Analysis::Primary => "primary",
        Analysis::Sensitivity => "sensitivity",
    };
    let month = 365.25 / 12.0;
    let (median, ci, steps, landmarks, at_risk) = match &fit {
        Some(k) => {
            let ci = k.median_ci();
            let landmarks = [6u32, 12, 24, 36]
                .iter()
                .map(|m| {
                    let at = k.survival_at(*m as f64 * month);
                    Landmark {
                        months: *m,
                        survival: at.as_ref().map(|a| a.survival),
                        lower: at.as_ref().map(|a| a.lower),
                        upper: at.as_ref().map(|a| a.upper),
                    }
                })
                .collect();
            let ticks: Vec<f64> = (0..=12).map(|q| q as f64 * 3.0 * month).collect();
            let at_risk = ticks
                .iter()
                .zip(k.at_risk(&ticks))
                .map(|(d, n)| AtRisk { day: *d, n })
                .collect();
            (
                k.median(),
                (ci.lower, ci.upper),
                k.steps
                    .iter()
                    .map(|s| KmStepView {
                        day: s.time,
                        at_risk: s.at_risk,
                        events: s.events,
                        censored: s.censored,
                        survival: s.survival,
                        lower: s.lower,
                        upper: s.upper,
                    })
                    .collect(),
                landmarks,
                at_risk,
            )
        }
        None => (None, (None, None), Vec::new(), Vec::new(), Vec::new()),
    };
    SurvivalView {
        endpoint: name.into(),
        analysis: analysis.into(),
        n: subjects.len() as u64,
        events: subjects.iter().filter(|s| s.event).count() as u64,
        median,
        median_lower: ci.0,
        median_upper: ci.1,
        landmarks,
        steps,
        at_risk,
        subjects,
    }
}

fn grade_table(name: &str, worst: impl Iterator<Item = Option<i64>>) -> GradeTable {
    let worst: Vec<i64> = worst.map(|w| w.unwrap_or(0)).collect();
    let n = worst.len() as u64;
    GradeTable {
        toxicity: name.into(),
        n,
        grades: (0..=5)
            .map(|g| RateView::of(worst.iter().filter(|w| **w == g).count() as u64, n))
            .collect(),
        grade3plus: RateView::of(worst.iter().filter(|w| **w >= 3).count() as u64, n),
    }
}

/// PK parameters of one subject for one assay.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct PkSubject {
    pub subject: String,
    /// `qPCR` (copies/µg gDNA) or `flow` (CAR+ cells/µL).
    pub assay: String,
    pub samples: Vec<PkSample>,
    pub cmax: Option<f64>,
    pub tmax: Option<f64>,
    pub clast: Option<f64>,
    pub tlast: Option<f64>,
    pub auc_0_28_lin_up_log_down: Option<f64>,
    pub auc_0_28_linear: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct PkSample {
    pub day: f64,
    pub value: Option<f64>,
    /// Below the limit of quantification, with the limit.
    pub blq: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct PkSummary {
    pub assay: String,
    pub parameter: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub n: u64,
    pub geometric_mean: Option<f64>,
    pub geometric_cv_percent: Option<f64>,
    pub median: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct PkReport {
    pub study: String,
    pub generated_at: String,
    pub subjects: Vec<PkSubject>,
    pub summaries: Vec<PkSummary>,
}

fn conc(v: &Json) -> Conc {
    if let Some(x) = v.as_f64() {
        return Conc::Value(x);
    }
    if let Some(l) = v.get("blq").and_then(|l| l.as_f64()) {
        return Conc::Blq { lloq: l };
    }
    Conc::Missing
}

impl Ecrf {
    /// Non-compartmental PK per subject and assay, with summaries (clinical-rules §4).
    pub fn report_pk(&mut self, s: &mut Session) -> Result<PkReport> {
        self.authorize(s, Action::Reports)?;
        self.store.read_snapshot(|| self.pk_report())
    }

    fn pk_report(&self) -> Result<PkReport> {
        let node = self.store.node()?;
        let needs = Needs::default()
            .items("INF", &["INFSTDTM", "INFDAT"])
            .items("PK", &["PKDTM", "QCOPIES", "CARABS"]);
        let mut out = Vec::new();
        self.each_casebook(&needs, |_, book| {
            pk_subject(book, &mut out);
            Ok(())
        })?;
        let mut summaries = Vec::new();
        for assay in ["qPCR", "flow"] {
            let of = |f: fn(&PkSubject) -> Option<f64>| -> Vec<f64> {
                out.iter()
                    .filter(|p| p.assay == assay)
                    .filter_map(f)
                    .collect()
            };
            for (name, values, geometric) in [
                ("Cmax", of(|p| p.cmax), true),
                ("AUC0-28d", of(|p| p.auc_0_28_lin_up_log_down), true),
                ("Tmax", of(|p| p.tmax), false),
                ("Tlast", of(|p| p.tlast), false),
            ] {
                let g = geometric.then(|| GeometricSummary::of(&values)).flatten();
                let m = MedianRange::of(&values);
                summaries.push(PkSummary {
                    assay: assay.into(),
                    parameter: name.into(),
                    n: values.len() as u64,
                    geometric_mean: g.as_ref().map(|g| g.geometric_mean),
                    geometric_cv_percent: g.as_ref().and_then(|g| g.geometric_cv_percent),
                    median: m.as_ref().map(|m| m.median),
                    min: m.as_ref().map(|m| m.min),
                    max: m.as_ref().map(|m| m.max),
                });
            }
        }
        Ok(PkReport {
            study: node.study,
            generated_at: self.now_str(),
            subjects: out,
            summaries,
        })
    }
}

/// NCA of one subject per assay, from the samples after the start of the infusion.
fn pk_subject(book: &Casebook, out: &mut Vec<PkSubject>) {
    let start = book
        .instances("INF")
        .next()
        .and_then(|v| date_of(&item(v, "INFSTDTM")).or_else(|| date_of(&item(v, "INFDAT"))));
    let Some(start) = start.as_deref().and_then(parse_instant) else {
        return;
    };
    for (assay, it) in [("qPCR", "QCOPIES"), ("flow", "CARABS")] {
        let mut samples: Vec<(f64, Conc)> = Vec::new();
        for v in book.instances("PK") {
            let Some(at) = date_of(&item(v, "PKDTM"))
                .as_deref()
                .and_then(parse_instant)
            else {
                continue;
            };
            let day = (at - start).num_seconds() as f64 / 86_400.0;
            let value = item(v, it);
            if value.is_null() {
                continue;
            }
            samples.push((day, conc(&value)));
        }
        if samples.is_empty() {
            continue;
        }
        samples.sort_by(|a, b| a.0.total_cmp(&b.0));
        let nca = pk::nca(&samples);
        out.push(PkSubject {
            subject: book.id.to_string(),
            assay: assay.into(),
            samples: samples
                .iter()
                .map(|(d, c)| PkSample {
                    day: *d,
                    value: match c {
                        Conc::Value(x) => Some(*x),
                        _ => None,
                    },
                    blq: match c {
                        Conc::Blq { lloq } => Some(*lloq),
                        _ => None,
                    },
                })
                .collect(),
            cmax: nca.as_ref().map(|n| n.cmax),
            tmax: nca.as_ref().and_then(|n| n.tmax),
            clast: nca.as_ref().map(|n| n.clast),
            tlast: nca.as_ref().and_then(|n| n.tlast),
            auc_0_28_lin_up_log_down: nca.as_ref().map(|n| n.auc_0_28_lin_up_log_down),
            auc_0_28_linear: nca.as_ref().map(|n| n.auc_0_28_linear),
        });
    }
}

/// A date-time (with offset) or a date (midnight UTC).
fn parse_instant(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&chrono::Utc));
    }
    let d = chrono::NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()?;
    Some(d.and_hms_opt(0, 0, 0)?.and_utc())
}
