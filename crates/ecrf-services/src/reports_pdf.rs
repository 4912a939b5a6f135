//! The endpoint report as a PDF with its plots: response rates with exact CIs by population and
//! disease, medians and landmarks, Kaplan-Meier curves of OS, PFS and DOR (primary with its
//! log-log band, sensitivity dashed) with numbers at risk, worst CRS/ICANS grades, the SAE
//! listing, the swimmer plot, PK curves (log scale) with summaries and NCA per subject. Made
//! from the same numbers as `report_endpoints` and `report_pk`, in English, Chinese or both.

use crate::auth::Session;
use crate::export::{check_new_output, finish_partial, io_err, partial_path, remove_any};
use crate::reports::{EndpointReport, PkReport, RateView, SurvivalView};
use crate::{Ecrf, Result, ServiceError};
use ecrf_core::definition::{Definition, Lang};
use ecrf_pdf::endpoint_report::{
    render_endpoint_report, tr, Block, EndpointDocument, Table, TableColumn,
};
use ecrf_pdf::model::{DocLang, Header};
use ecrf_pdf::plot::{
    marker_of, KmCurve, KmPlot, KmStep, Marker, PkPlot, PkPoint, Rgb, SwimLane, SwimmerPlot, MONTH,
};
use std::path::Path;

fn pct(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{:.1}", v * 100.0))
}

/// "12/20 (60.0%; 95% CI 36.1–80.9)" (Chinese: full-width brackets and semicolon).
pub fn rate_text(r: &RateView, lang: DocLang) -> String {
    if r.n == 0 || r.rate.is_none() {
        return format!("{}/{}", r.x, r.n);
    }
    let (p, lo, hi) = (pct(r.rate), pct(r.lower), pct(r.upper));
    match lang {
        DocLang::One(Lang::Zh) => format!("{}/{}（{p}%；95% CI {lo}–{hi}）", r.x, r.n),
        _ => format!("{}/{} ({p}%; 95% CI {lo}–{hi})", r.x, r.n),
    }
}

fn months(d: Option<f64>, nr: &str) -> String {
    d.map_or(nr.to_string(), |d| format!("{:.1}", d / MONTH))
}

fn median_text(s: &SurvivalView, nr: &str) -> String {
    if s.n == 0 {
        return "–".into();
    }
    if s.median.is_none() && s.median_lower.is_none() {
        return nr.into();
    }
    format!(
        "{} ({}–{})",
        months(s.median, nr),
        months(s.median_lower, nr),
        months(s.median_upper, nr)
    )
}

fn landmark_text(s: &SurvivalView, m: u32) -> String {
    match s.landmarks.iter().find(|l| l.months == m) {
        Some(l) if l.survival.is_some() => {
            format!("{}% ({}–{})", pct(l.survival), pct(l.lower), pct(l.upper))
        }
        _ => "–".into(),
    }
}

/// A concentration as people read it: grouped integers from 100 on, else 3 significant digits.
fn conc(v: Option<f64>) -> String {
    let Some(v) = v.filter(|v| v.is_finite()) else {
        return "–".into();
    };
    if v.abs() >= 100.0 {
        let s = format!("{:.0}", v.abs());
        let mut out = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if v < 0.0 {
            out.insert(0, '-');
        }
        out
    } else {
        if v == 0.0 {
            return "0".into();
        }
        let d = (2 - v.abs().log10().floor() as i32).clamp(0, 8) as usize;
        let p = format!("{v:.d$}");
        let t = p.trim_end_matches('0').trim_end_matches('.');
        if t.is_empty() {
            "0".into()
        } else {
            t.to_string()
        }
    }
}

struct Words<'a> {
    lang: DocLang,
    def: &'a Definition,
}

impl Words<'_> {
    fn t(&self, en: &str, zh: &str) -> String {
        tr(self.lang, en, zh)
    }

    fn population(&self, p: &str) -> String {
        match p {
            "enrolled" => self.t("Enrolled", "入组"),
            "leukapheresed" => self.t("Leukapheresed", "已单采"),
            "infused" => self.t("Infused", "已回输"),
            _ => p.into(),
        }
    }

    fn disease(&self, d: &str) -> String {
        match d {
            "all" => self.t("All diseases", "全部疾病"),
            "lymphoma" => self.t("B-cell lymphoma", "B 细胞淋巴瘤"),
            _ => d.into(),
        }
    }

    fn endpoint(&self, e: &str) -> String {
        match e {
            "OS" => self.t("Overall survival (OS)", "总生存期（OS）"),
            "PFS" => self.t("Progression-free survival (PFS)", "无进展生存期（PFS）"),
            "DOR" => self.t("Duration of response (DOR)", "缓解持续时间（DOR）"),
            _ => e.into(),
        }
    }

    fn analysis(&self, a: &str) -> String {
        match a {
            "primary" => self.t("Primary", "主要分析"),
            "sensitivity" => self.t("Sensitivity", "敏感性分析"),
            _ => a.into(),
        }
    }

    /// A code of an item's codelist (form AE) in words.
    fn ae_code(&self, item: &str, code: Option<&str>) -> String {
        let Some(code) = code else {
            return "–".into();
        };
        self.def
            .form("AE")
            .and_then(|f| f.items.iter().find(|i| i.id == item))
            .and_then(|i| i.codelist.as_deref())
            .and_then(|c| self.def.codelist(c))
            .and_then(|c| c.choices.iter().find(|ch| ch.code == code))
            .map_or(code.to_string(), |ch| self.t(&ch.en, &ch.zh))
    }

    fn marker(&self, m: Marker) -> String {
        match m {
            Marker::Cr => self.t("Complete response (CR, CMR)", "完全缓解（CR、CMR）"),
            Marker::Cri => self.t(
                "CR with incomplete count recovery",
                "血细胞计数未完全恢复的完全缓解",
            ),
            Marker::Pr => self.t("Partial response (PR, PMR)", "部分缓解（PR、PMR）"),
            Marker::Sd => self.t("Stable disease / no response", "疾病稳定/未缓解"),
            Marker::Pd => self.t("Progression or relapse", "进展或复发"),
            Marker::Other => self.t("Other assessment", "其他评估"),
        }
    }

    fn col(&self, en: &str, zh: &str, weight: f32, right: bool) -> TableColumn {
        TableColumn {
            title: self.t(en, zh),
            weight,
            right,
        }
    }
}

fn km_steps(s: &SurvivalView) -> Vec<KmStep> {
    s.steps
        .iter()
        .map(|k| KmStep {
            day: k.day,
            at_risk: k.at_risk,
            events: k.events,
            censored: k.censored,
            survival: k.survival,
            lower: k.lower,
            upper: k.upper,
        })
        .collect()
}

/// The document of the endpoint report (exposed for tests and other shells).
pub fn endpoint_document(
    rep: &EndpointReport,
    pk: &PkReport,
    def: &Definition,
    lang: DocLang,
    header: Header,
) -> EndpointDocument {
    let w = Words { lang, def };
    let nr = w.t("NR", "未达到");
    let mut b = Vec::new();

    // Populations and response.
    b.push(Block::Heading(
        w.t("Analysis populations and response", "分析人群与疗效"),
    ));
    b.push(Block::Note(
        rep.populations
            .iter()
            .map(|p| format!("{} {}", w.population(&p.population), p.n))
            .collect::<Vec<_>>()
            .join(" · "),
    ));
    b.push(Block::Subheading(w.t(
        "Best overall response by analysis population",
        "各分析人群的最佳总体疗效",
    )));
    b.push(Block::Table(Table {
        columns: vec![
            w.col("Population", "分析人群", 1.0, false),
            w.col("Disease", "疾病", 1.0, false),
            w.col("N", "N", 0.35, true),
            w.col("Overall response (ORR)", "总缓解（ORR）", 1.55, false),
            w.col("CR", "CR", 1.5, false),
            w.col("CRi", "CRi", 1.5, false),
            w.col("PR", "PR", 1.5, false),
        ],
        rows: rep
            .responses
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let first = i == 0 || rep.responses[i - 1].population != r.population;
                vec![
                    if first {
                        w.population(&r.population)
                    } else {
                        String::new()
                    },
                    w.disease(&r.disease),
                    r.n.to_string(),
                    rate_text(&r.orr, lang),
                    rate_text(&r.cr, lang),
                    if r.disease == "lymphoma" {
                        w.t("n/a", "不适用")
                    } else {
                        rate_text(&r.cri, lang)
                    },
                    rate_text(&r.pr, lang),
                ]
            })
            .collect(),
        row_titles: true,
    }));
    b.push(Block::Note(w.t(
        "B-ALL: overall response is CR or CRi within 3 months of infusion. Lymphoma (Lugano 2014): CR or PR (complete or partial metabolic response counted) before progression or new therapy. Rates with exact Clopper-Pearson 95% confidence intervals.",
        "B-ALL：总缓解为回输后 3 个月内达到 CR 或 CRi。淋巴瘤（Lugano 2014）：疾病进展或开始新治疗前达到 CR 或 PR（计入完全或部分代谢缓解）。比率附精确 Clopper-Pearson 95% 置信区间。",
    )));

    // Time to event.
    b.push(Block::Heading(
        w.t("Time-to-event endpoints", "时间-事件终点"),
    ));
    let lms = [6u32, 12, 24];
    let mut cols = vec![
        w.col("Endpoint", "终点", 1.7, false),
        w.col("Analysis", "分析", 0.9, false),
        w.col("N", "N", 0.35, true),
        w.col("Events", "事件数", 0.55, true),
        w.col(
            "Median, months (95% CI)",
            "中位时间，月（95% CI）",
            1.3,
            false,
        ),
    ];
    for m in lms {
        cols.push(TableColumn {
            title: w.t(
                &format!("{m} months (95% CI)"),
                &format!("{m} 个月（95% CI）"),
            ),
            weight: 1.25,
            right: false,
        });
    }
    b.push(Block::Table(Table {
        columns: cols,
        rows: rep
            .survival
            .iter()
            .map(|s| {
                let mut r = vec![
                    w.endpoint(&s.endpoint),
                    w.analysis(&s.analysis),
                    s.n.to_string(),
                    s.events.to_string(),
                    median_text(s, &nr),
                ];
                r.extend(lms.iter().map(|m| landmark_text(s, *m)));
                r
            })
            .collect(),
        row_titles: true,
    }));
    b.push(Block::Note(w.t(
        "Kaplan-Meier with Greenwood variance and log-log confidence intervals; median CI by Brookmeyer-Crowley. NR: not reached. A month is 30.44 days. Index date: the CAR-T infusion (day 0). Primary analysis: censored at the last adequate assessment before new anticancer therapy or HSCT; sensitivity analysis: not censored there.",
        "Kaplan-Meier 法，Greenwood 方差，log-log 置信区间；中位时间置信区间采用 Brookmeyer-Crowley 法。未达到：中位时间尚未达到。1 个月按 30.44 天计。起点为 CAR-T 回输日（第 0 天）。主要分析：在新的抗肿瘤治疗或造血干细胞移植前的最后一次充分评估时删失；敏感性分析：不在该处删失。",
    )));
    let endpoints: Vec<&str> = {
        let mut v: Vec<&str> = rep.survival.iter().map(|s| s.endpoint.as_str()).collect();
        v.dedup();
        v
    };
    for e in endpoints {
        let prim = rep
            .survival
            .iter()
            .find(|s| s.endpoint == e && s.analysis == "primary");
        let sens = rep
            .survival
            .iter()
            .find(|s| s.endpoint == e && s.analysis == "sensitivity");
        let mut curves = Vec::new();
        for (s, color, dashed, band) in [
            (prim, Rgb::BLUE, false, true),
            (sens, Rgb::ORANGE, true, false),
        ] {
            if let Some(s) = s.filter(|s| !s.steps.is_empty()) {
                curves.push(KmCurve {
                    label: w.analysis(&s.analysis),
                    steps: km_steps(s),
                    at_risk: s.at_risk.iter().map(|a| (a.day, a.n)).collect(),
                    color,
                    dashed,
                    band,
                });
            }
        }
        b.push(Block::Subheading(w.endpoint(e)));
        if curves.is_empty() {
            b.push(Block::Note(w.t(
                "No subject has a time for this endpoint yet.",
                "尚无受试者具有此终点的时间数据。",
            )));
            continue;
        }
        let y = match e {
            "OS" => w.t("Overall survival", "总生存率"),
            "PFS" => w.t("Progression-free survival", "无进展生存率"),
            _ => w.t("Remaining in response", "维持缓解的比例"),
        };
        b.push(Block::Km(KmPlot {
            y_label: y,
            x_label: w.t("Months since infusion", "回输后月数"),
            at_risk_label: w.t("Number at risk", "风险人数"),
            note: if curves.len() > 1 {
                w.t(
                    "Shaded: 95% CI of the primary analysis (log-log) · | censored",
                    "阴影：主要分析的 95% 置信区间（log-log）· | 删失",
                )
            } else {
                w.t(
                    "Shaded: 95% CI (log-log) · | censored",
                    "阴影：95% 置信区间（log-log）· | 删失",
                )
            },
            curves,
        }));
    }

    // Safety.
    b.push(Block::Heading(w.t("Safety", "安全性")));
    b.push(Block::Subheading(w.t(
        "Worst CRS and ICANS grade per infused subject (ASTCT)",
        "每名已回输受试者的最严重 CRS 和 ICANS 分级（ASTCT）",
    )));
    let crs = rep.toxicity.iter().find(|t| t.toxicity == "CRS");
    let icans = rep.toxicity.iter().find(|t| t.toxicity == "ICANS");
    let cell = |t: Option<&crate::reports::GradeTable>, g: usize| {
        t.and_then(|t| t.grades.get(g))
            .map_or("–".into(), |r| format!("{} ({}%)", r.x, pct(r.rate)))
    };
    let mut rows: Vec<Vec<String>> = (0..=5)
        .map(|g| {
            vec![
                if g == 0 {
                    w.t("None", "无")
                } else {
                    w.t(&format!("Grade {g}"), &format!("{g} 级"))
                },
                cell(crs, g),
                cell(icans, g),
            ]
        })
        .collect();
    rows.push(vec![
        w.t("Grade 3 or worse", "3 级及以上"),
        crs.map_or("–".into(), |t| rate_text(&t.grade3plus, lang)),
        icans.map_or("–".into(), |t| rate_text(&t.grade3plus, lang)),
    ]);
    b.push(Block::Table(Table {
        columns: vec![
            w.col("Worst grade", "最严重分级", 1.0, false),
            TableColumn {
                title: format!("CRS (N = {})", crs.map_or(0, |t| t.n)),
                weight: 1.6,
                right: false,
            },
            TableColumn {
                title: format!("ICANS (N = {})", icans.map_or(0, |t| t.n)),
                weight: 1.6,
                right: false,
            },
        ],
        rows,
        row_titles: true,
    }));
    b.push(Block::Subheading(w.t(
        &format!("Serious adverse events ({})", rep.sae.len()),
        &format!("严重不良事件（{}）", rep.sae.len()),
    )));
    if rep.sae.is_empty() {
        b.push(Block::Note(w.t(
            "No serious adverse event has been reported.",
            "尚未报告严重不良事件。",
        )));
    } else {
        let day = w.t("day", "第");
        b.push(Block::Table(Table {
            columns: vec![
                w.col("Subject", "受试者", 0.8, false),
                w.col("Event", "事件", 1.6, false),
                w.col("Start", "开始日期", 1.05, false),
                w.col("Grade", "分级", 0.45, true),
                w.col("Why serious", "严重性标准", 1.4, false),
                w.col("Related to CAR-T", "与 CAR-T 的相关性", 1.0, false),
                w.col("Outcome", "转归", 1.0, false),
            ],
            rows: rep
                .sae
                .iter()
                .map(|s| {
                    let start = match (&s.start, s.day) {
                        (Some(d), Some(n)) => match lang {
                            DocLang::One(Lang::Zh) => format!("{d}（第 {n} 天）"),
                            _ => format!("{d} ({day} {n})"),
                        },
                        (Some(d), None) => d.clone(),
                        _ => "–".into(),
                    };
                    vec![
                        s.subject.clone(),
                        s.term.clone(),
                        start,
                        s.grade.map_or("–".into(), |g| g.to_string()),
                        w.ae_code("SAECRIT", s.criteria.as_deref()),
                        w.ae_code("AERELCAR", s.related_car_t.as_deref()),
                        w.ae_code("AEOUT", s.outcome.as_deref()),
                    ]
                })
                .collect(),
            row_titles: false,
        }));
    }

    // Swimmer.
    b.push(Block::Heading(w.t(
        &format!(
            "Responses over time ({} infused subjects)",
            rep.swimmer.len()
        ),
        &format!("随时间的疗效（{} 名已回输受试者）", rep.swimmer.len()),
    )));
    if rep.swimmer.is_empty() {
        b.push(Block::Note(
            w.t("No subject has been infused yet.", "尚无已回输的受试者。"),
        ));
    } else {
        let mut groups: Vec<String> = Vec::new();
        for l in &rep.swimmer {
            if !groups.contains(&l.disease) {
                groups.push(l.disease.clone());
            }
        }
        let mut kinds: Vec<Marker> = Vec::new();
        let lanes = rep
            .swimmer
            .iter()
            .map(|l| {
                let mut marks: Vec<(f64, Marker)> = Vec::new();
                for m in &l.responses {
                    let k = marker_of(&m.code);
                    if !kinds.contains(&k) {
                        kinds.push(k);
                    }
                    if !marks
                        .iter()
                        .any(|(d, mk)| *mk == k && (d - m.day).abs() < 1.0)
                    {
                        marks.push((m.day, k));
                    }
                }
                SwimLane {
                    subject: l.subject.clone(),
                    group: groups.iter().position(|g| *g == l.disease).unwrap_or(0),
                    days: l.days,
                    died: l.died,
                    marks,
                    new_therapy_day: l.new_therapy_day,
                }
            })
            .collect();
        let order = [
            Marker::Cr,
            Marker::Cri,
            Marker::Pr,
            Marker::Sd,
            Marker::Pd,
            Marker::Other,
        ];
        b.push(Block::Swimmer(SwimmerPlot {
            lanes,
            x_label: w.t("Months since infusion", "回输后月数"),
            groups: groups.iter().map(|g| w.disease(g)).collect(),
            marker_labels: order
                .iter()
                .filter(|k| kinds.contains(k))
                .map(|k| (*k, w.marker(*k)))
                .collect(),
            new_therapy_label: w.t("New therapy or HSCT", "新治疗或造血干细胞移植"),
            death_label: w.t("Death", "死亡"),
            ongoing_label: w.t("Alive, follow-up ongoing", "存活，随访中"),
        }));
        b.push(Block::Note(w.t(
            "Bars run from infusion to the last follow-up; the bar's colour is the disease. Markers: response assessments as recorded (investigators' overrides applied).",
            "条形自回输至最后一次随访，颜色表示疾病。标记：记录的疗效评估（已应用研究者的修正）。",
        )));
    }

    // Cellular kinetics.
    b.push(Block::NewPage);
    b.push(Block::Heading(w.t(
        "Cellular kinetics (CAR-T expansion and persistence)",
        "细胞动力学（CAR-T 扩增与持续）",
    )));
    if pk.subjects.is_empty() {
        b.push(Block::Note(w.t(
            "No PK sample has been recorded yet.",
            "尚未记录药代动力学样本。",
        )));
    }
    let unit = |a: &str| {
        if a == "flow" {
            w.t("CAR+ cells/µL", "CAR+ 细胞/µL")
        } else {
            w.t("copies/µg gDNA", "拷贝数/µg gDNA")
        }
    };
    let assay_name = |a: &str| {
        if a == "flow" {
            w.t("Flow cytometry", "流式细胞术")
        } else {
            "qPCR".to_string()
        }
    };
    let mut assays: Vec<&str> = Vec::new();
    for s in &pk.subjects {
        if !assays.contains(&s.assay.as_str()) {
            assays.push(&s.assay);
        }
    }
    for a in &assays {
        let series: Vec<Vec<PkPoint>> = pk
            .subjects
            .iter()
            .filter(|s| s.assay == *a)
            .map(|s| {
                s.samples
                    .iter()
                    .map(|x| PkPoint {
                        day: x.day,
                        value: x.value,
                        blq: x.blq,
                    })
                    .collect()
            })
            .collect();
        for (max_day, en, zh) in [
            (Some(28.0), "days 0–28", "第 0–28 天"),
            (None, "whole follow-up", "全部随访"),
        ] {
            b.push(Block::Subheading(format!(
                "{} · {}",
                assay_name(a),
                w.t(en, zh)
            )));
            b.push(Block::Pk(PkPlot {
                series: series.clone(),
                y_label: unit(a),
                x_label: w.t("Days since infusion", "回输后天数"),
                max_day,
                each_label: w.t("Each subject", "各受试者"),
                median_label: w.t("Median", "中位数"),
                blq_label: w.t("Below LLOQ (at the LLOQ)", "低于定量下限（绘于定量下限）"),
                lloq_label: w.t("LLOQ", "定量下限"),
            }));
        }
    }
    if !pk.subjects.is_empty() {
        b.push(Block::Note(w.t(
            "Time is the sample's date-time minus the start of infusion. The median is over subjects at each nominal sampling day. Leading and trailing BLQ count as 0 in AUC, BLQ between quantifiable values are dropped (PKNCA defaults); AUC0-28d by linear-up/log-down trapezoids unless said otherwise.",
            "时间 = 采样日期时间减去回输开始时间。中位数为每个名义采样日各受试者的中位数。计算 AUC 时首尾的低于定量下限值按 0 计，夹在可定量值之间的剔除（PKNCA 默认规则）；除另有说明外，AUC0-28d 采用线性上升/对数下降梯形法。",
        )));
        b.push(Block::Subheading(w.t("Summary of parameters", "参数汇总")));
        b.push(Block::Table(Table {
            columns: vec![
                w.col("Assay", "检测方法", 0.9, false),
                w.col("Parameter", "参数", 1.5, false),
                w.col("n", "n", 0.35, true),
                w.col("Geometric mean", "几何均数", 1.0, true),
                w.col("Geometric CV%", "几何变异系数 %", 0.9, true),
                w.col("Median", "中位数", 0.9, true),
                w.col("Min–max", "最小值–最大值", 1.6, true),
            ],
            rows: pk
                .summaries
                .iter()
                .map(|s| {
                    let u = unit(&s.assay);
                    let param = match s.parameter.as_str() {
                        "Cmax" => format!("Cmax ({u})"),
                        "AUC0-28d" => format!("AUC0-28d ({u} × {})", w.t("day", "天")),
                        "Tmax" => w.t("Tmax (days)", "Tmax（天）"),
                        "Tlast" => w.t("Tlast (days)", "Tlast（天）"),
                        p => p.to_string(),
                    };
                    vec![
                        assay_name(&s.assay),
                        param,
                        s.n.to_string(),
                        conc(s.geometric_mean),
                        s.geometric_cv_percent
                            .map_or("–".into(), |v| format!("{v:.1}")),
                        conc(s.median),
                        format!("{}–{}", conc(s.min), conc(s.max)),
                    ]
                })
                .collect(),
            row_titles: false,
        }));
        b.push(Block::Subheading(
            w.t("Parameters per subject", "各受试者参数"),
        ));
        b.push(Block::Table(Table {
            columns: vec![
                w.col("Subject", "受试者", 0.8, false),
                w.col("Assay", "检测方法", 0.9, false),
                w.col("Cmax", "Cmax", 0.9, true),
                w.col("Tmax (d)", "Tmax（天）", 0.6, true),
                w.col("Clast", "Clast", 0.8, true),
                w.col("Tlast (d)", "Tlast（天）", 0.6, true),
                w.col(
                    "AUC0-28d lin-up/log-down",
                    "AUC0-28d 线性上升/对数下降",
                    1.2,
                    true,
                ),
                w.col("AUC0-28d linear", "AUC0-28d 线性梯形", 1.1, true),
            ],
            rows: pk
                .subjects
                .iter()
                .map(|s| {
                    vec![
                        s.subject.clone(),
                        assay_name(&s.assay),
                        conc(s.cmax),
                        conc(s.tmax),
                        conc(s.clast),
                        conc(s.tlast),
                        conc(s.auc_0_28_lin_up_log_down),
                        conc(s.auc_0_28_linear),
                    ]
                })
                .collect(),
            row_titles: false,
        }));
    }

    EndpointDocument {
        title: w.t("Endpoint report", "终点报告"),
        // At a site the header's site says it all.
        scope: if rep.scope == "all sites" {
            w.t("All sites", "全部研究中心")
        } else {
            String::new()
        },
        lang,
        header,
        blocks: b,
    }
}

impl Ecrf {
    /// Writes the endpoint report with its plots (Kaplan-Meier, swimmer, PK) as a PDF to a new
    /// file `out`; answers its size in bytes. Needs the `reports` permission (an investigator:
    /// their own site's subjects).
    pub fn report_endpoints_pdf(
        &mut self,
        s: &mut Session,
        lang: DocLang,
        out: &Path,
    ) -> Result<u64> {
        // Who may, before anything about the file is said.
        self.authorize(s, ecrf_core::roles::Action::Reports)?;
        check_new_output(out)?;
        let rep = self.report_endpoints(s)?;
        let pk = self.report_pk(s)?;
        let def = self.definition();
        let one = match lang {
            DocLang::One(l) => l,
            DocLang::Both => Lang::En,
        };
        let header = Header {
            study: def.study.id.clone(),
            study_name: def.study.name.get(one).to_string(),
            site: self.store.node()?.site.unwrap_or_else(|| "central".into()),
            definition_version: def.study.version.clone(),
            generated_at: rep.generated_at.clone(),
        };
        let doc = endpoint_document(&rep, &pk, def, lang, header);
        let bytes =
            render_endpoint_report(&doc).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let partial = partial_path(out);
        std::fs::write(&partial, &bytes).map_err(|e| io_err(&partial, e))?;
        if let Err(e) = finish_partial(&partial, out) {
            let _ = remove_any(&partial);
            return Err(e);
        }
        Ok(bytes.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use crate::node::InitRequest;
    use crate::{Config, Kdf};
    use chrono::TimeZone;
    use ecrf_core::roles::{NodeRole, Role};
    use std::sync::Arc;

    #[test]
    fn formats() {
        let r = RateView {
            x: 12,
            n: 20,
            rate: Some(0.6),
            lower: Some(0.36054),
            upper: Some(0.80879),
        };
        assert_eq!(
            rate_text(&r, DocLang::One(Lang::En)),
            "12/20 (60.0%; 95% CI 36.1–80.9)"
        );
        assert_eq!(
            rate_text(&r, DocLang::One(Lang::Zh)),
            "12/20（60.0%；95% CI 36.1–80.9）"
        );
        assert_eq!(conc(Some(77_253.2)), "77,253");
        assert_eq!(conc(Some(359.0)), "359");
        assert_eq!(conc(Some(14.0)), "14");
        assert_eq!(conc(Some(0.00123)), "0.00123");
        assert_eq!(conc(Some(2.5)), "2.5");
        assert_eq!(conc(None), "–");
    }

    /// The text of a PDF in content order, whitespace collapsed (a cell's wrapped lines join).
    fn pdftotext(pdf: &Path) -> Option<String> {
        let out = std::process::Command::new("pdftotext")
            .args([&pdf.to_string_lossy(), "-"])
            .output()
            .ok()?;
        out.status.success().then(|| {
            String::from_utf8_lossy(&out.stdout)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
    }

    #[test]
    fn endpoint_report_pdf_of_a_demo_site() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(FixedClock::at(
            chrono::Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap(),
        ));
        let mut e = Ecrf::init(
            &dir.path().join("s01.db"),
            None,
            InitRequest {
                role: NodeRole::Site,
                site: Some("S01"),
                admin: "admin",
                admin_name: "Admin",
                password: "admin-pass-1",
                central_key: None,
            },
            clock,
            Config {
                kdf: Kdf::Fast,
                ..Config::default()
            },
        )
        .unwrap();
        let mut admin = e.login("admin", "admin-pass-1").unwrap();
        e.demo(&mut admin, 14, 9).unwrap();
        e.add_user(
            &mut admin,
            "inv",
            Role::Investigator,
            "Dr Inv",
            "password-123",
        )
        .unwrap();
        let mut inv = e.login("inv", "password-123").unwrap();
        // The nurse may not run reports.
        e.add_user(&mut admin, "nurse", Role::Nurse, "Nurse", "password-123")
            .unwrap();
        let mut nurse = e.login("nurse", "password-123").unwrap();
        let refused = dir.path().join("refused.pdf");
        assert!(e
            .report_endpoints_pdf(&mut nurse, DocLang::One(Lang::En), &refused)
            .is_err());
        assert!(!refused.exists());

        let rep = e.report_endpoints(&mut inv).unwrap();
        for (name, lang) in [
            ("en", DocLang::One(Lang::En)),
            ("zh", DocLang::One(Lang::Zh)),
            ("both", DocLang::Both),
        ] {
            let out = dir.path().join(format!("report-{name}.pdf"));
            let n = e.report_endpoints_pdf(&mut inv, lang, &out).unwrap();
            assert_eq!(n, std::fs::metadata(&out).unwrap().len());
            // A second time to the same path: refused, the file stays.
            assert!(e.report_endpoints_pdf(&mut inv, lang, &out).is_err());
            if let Ok(keep) = std::env::var("ECRF_KEEP_REPORT_PDF") {
                std::fs::copy(&out, format!("{keep}-{name}.pdf")).unwrap();
            }
            let Some(text) = pdftotext(&out) else {
                continue;
            };
            let all = rep
                .responses
                .iter()
                .find(|r| r.population == "infused" && r.disease == "all")
                .unwrap();
            let orr = rate_text(&all.orr, lang);
            match lang {
                DocLang::One(Lang::Zh) => {
                    assert!(text.contains("终点报告"), "{text}");
                    assert!(text.contains("风险人数"));
                    assert!(text.contains("回输后月数"));
                }
                _ => {
                    assert!(text.contains("Endpoint report"), "{text}");
                    assert!(text.contains("Number at risk"));
                    assert!(text.contains("Months since infusion"));
                    assert!(text.contains("Serious adverse events"));
                    assert!(text.contains("Days since infusion"));
                }
            }
            assert!(text.contains(&orr), "{orr} in the {name} report");
            let os = rep.survival.iter().find(|s| s.endpoint == "OS").unwrap();
            assert!(text.contains(&os.at_risk[0].n.to_string()));
            assert!(text.contains("CART-1922-01"));
        }
    }
}
