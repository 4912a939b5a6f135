//! The endpoint and PK reports over realistic demo casebooks, checked against what the
//! casebooks say, counted independently here (the numerics themselves are checked against
//! scipy, lifelines and hand computation in ecrf-core's stats tests).

mod common;

use common::Node;
use ecrf_core::roles::Role;

/// Kaplan-Meier median by the textbook product-limit definition, written out here.
fn km_median(data: &[(f64, bool)]) -> Option<f64> {
    let mut times: Vec<f64> = data.iter().filter(|d| d.1).map(|d| d.0).collect();
    times.sort_by(f64::total_cmp);
    times.dedup();
    let mut s = 1.0;
    for t in times {
        let at_risk = data.iter().filter(|d| d.0 >= t).count() as f64;
        let deaths = data.iter().filter(|d| d.0 == t && d.1).count() as f64;
        s *= 1.0 - deaths / at_risk;
        if s <= 0.5 + 1e-12 {
            return Some(t);
        }
    }
    None
}

#[test]
fn endpoint_and_pk_reports_agree_with_the_casebooks() {
    let dir = tempfile::tempdir().unwrap();
    let mut site = Node::new(dir.path(), "s01", Some("S01"), None);
    site.e.demo(&mut site.admin, 16, 4).unwrap();
    site.e
        .add_user(
            &mut site.admin,
            "inv",
            Role::Investigator,
            "Dr Inv",
            common::PW,
        )
        .unwrap();
    let mut inv = site.e.login("inv", common::PW).unwrap();
    let outcomes = site.e.outcomes(&mut inv).unwrap();
    let rep = site.e.report_endpoints(&mut inv).unwrap();
    assert_eq!(rep.scope, "site S01");

    let infused = outcomes.iter().filter(|o| o.infused).count() as u64;
    let pops: Vec<(String, u64)> = rep
        .populations
        .iter()
        .map(|p| (p.population.clone(), p.n))
        .collect();
    assert_eq!(
        pops,
        vec![
            ("enrolled".to_string(), 16),
            (
                "leukapheresed".to_string(),
                outcomes.iter().filter(|o| o.leukapheresed).count() as u64
            ),
            ("infused".to_string(), infused),
        ]
    );
    assert!(infused >= 8, "demo data infuse most subjects: {infused}");

    // Responders among the infused, each by their disease's rule.
    let lymphoma: std::collections::BTreeMap<&str, bool> = rep
        .swimmer
        .iter()
        .map(|l| (l.subject.as_str(), l.disease == "lymphoma"))
        .collect();
    let responders = outcomes
        .iter()
        .filter(|o| o.infused)
        .filter(|o| {
            matches!(
                (o.best_response.as_deref(), lymphoma[o.subject.as_str()]),
                (Some("CR" | "CMR" | "PR" | "PMR"), true) | (Some("CR" | "CRI"), false)
            )
        })
        .count() as u64;
    let all_infused = rep
        .responses
        .iter()
        .find(|r| r.population == "infused" && r.disease == "all")
        .unwrap();
    assert_eq!(
        (all_infused.orr.x, all_infused.orr.n),
        (responders, infused)
    );
    let rate = all_infused.orr.rate.unwrap();
    assert!((rate - responders as f64 / infused as f64).abs() < 1e-12);
    assert!(all_infused.orr.lower.unwrap() <= rate && rate <= all_infused.orr.upper.unwrap());

    // OS: one time per infused subject; deaths are the subjects with a death form.
    let os = rep.survival.iter().find(|s| s.endpoint == "OS").unwrap();
    assert_eq!(os.n, infused);
    let deaths = outcomes
        .iter()
        .filter(|o| {
            let id = ecrf_core::ids::SubjectId::parse(&o.subject).unwrap();
            o.infused
                && site
                    .e
                    .store()
                    .subject_forms(&id)
                    .unwrap()
                    .iter()
                    .any(|f| f.form.form == "DTH")
        })
        .count() as u64;
    assert_eq!(os.events, deaths);
    let data: Vec<(f64, bool)> = os.subjects.iter().map(|s| (s.days, s.event)).collect();
    assert!(data.iter().all(|d| d.0 >= 0.0));
    assert_eq!(os.median, km_median(&data));
    // Both analyses of PFS and DOR are there; DOR only for responders.
    for ep in ["PFS", "DOR"] {
        for an in ["primary", "sensitivity"] {
            let v = rep
                .survival
                .iter()
                .find(|s| s.endpoint == ep && s.analysis == an)
                .unwrap();
            let data: Vec<(f64, bool)> = v.subjects.iter().map(|s| (s.days, s.event)).collect();
            assert_eq!(v.median, km_median(&data), "{ep} {an}");
        }
    }
    let dor = rep.survival.iter().find(|s| s.endpoint == "DOR").unwrap();
    assert!(dor.n <= responders + 1, "DOR counts responders only");
    // Worst grades: one per infused subject.
    for t in &rep.toxicity {
        assert_eq!(
            t.grades.iter().map(|g| g.x).sum::<u64>(),
            infused,
            "{}",
            t.toxicity
        );
    }

    let pk = site.e.report_pk(&mut inv).unwrap();
    assert!(!pk.subjects.is_empty());
    for p in &pk.subjects {
        let max = p
            .samples
            .iter()
            .filter_map(|s| s.value)
            .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
        assert_eq!(
            p.cmax,
            Some(max.unwrap_or(0.0)),
            "{} {}",
            p.subject,
            p.assay
        );
        assert!(p.auc_0_28_linear.unwrap() >= 0.0);
    }
    let cmax = pk
        .summaries
        .iter()
        .find(|s| s.assay == "qPCR" && s.parameter == "Cmax")
        .unwrap();
    assert_eq!(
        cmax.n as usize,
        pk.subjects
            .iter()
            .filter(|p| p.assay == "qPCR" && p.cmax.is_some())
            .count()
    );
    // A nurse may not see reports.
    assert!(site.e.report_endpoints(&mut site.user).is_err());
}
