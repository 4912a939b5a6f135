//! Best overall response per subject, from the responses of the subject's assessments in date
//! order: the best response recorded up to and including the first progression or relapse,
//! before new anticancer therapy, within the window after infusion the protocol gives.

use serde::{Deserialize, Serialize};

/// One response assessment: its date and its response code (an override where there is one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub date: String,
    pub code: String,
}

/// Rank of a response code: higher is better; `None` for codes that are no response category.
/// B-ALL: CR > CRi > MLFS > PR > NR > PD/relapse. Lymphoma (Lugano): CR/CMR > PR/PMR > SD/NMR > PD/PMD.
pub fn rank(code: &str) -> Option<u8> {
    Some(match code {
        "CR" | "CMR" => 6,
        "CRI" => 5,
        "MLFS" => 4,
        "PR" | "PMR" => 3,
        "SD" | "NMR" | "NR" => 2,
        "PD" | "PMD" | "RELAPSE" => 1,
        _ => return None,
    })
}

fn progression(code: &str) -> bool {
    matches!(code, "PD" | "PMD" | "RELAPSE")
}

/// The window and cut-offs that apply.
#[derive(Debug, Clone, Default)]
pub struct Window {
    /// Infusion date: assessments before it do not count.
    pub from: Option<String>,
    /// Last date that counts (infusion + the protocol's window, e.g. 3 months).
    pub to: Option<String>,
    /// New anticancer therapy or HSCT: assessments on or after it do not count.
    pub new_therapy: Option<String>,
}

/// The best overall response, or `None` when no assessment counts.
pub fn best_overall(assessments: &[Assessment], w: &Window) -> Option<String> {
    let mut sorted: Vec<&Assessment> = assessments
        .iter()
        .filter(|a| rank(&a.code).is_some())
        .filter(|a| {
            w.from
                .as_ref()
                .is_none_or(|f| a.date.as_str() >= f.as_str())
        })
        .filter(|a| {
            w.to.as_ref()
                .is_none_or(|t| a.date.get(..10).unwrap_or(&a.date) <= t.as_str())
        })
        .filter(|a| {
            w.new_therapy
                .as_ref()
                .is_none_or(|n| a.date.as_str() < n.as_str())
        })
        .collect();
    sorted.sort_by(|a, b| a.date.cmp(&b.date));
    let mut best: Option<&Assessment> = None;
    for a in sorted {
        if best.is_none_or(|b| rank(&a.code) > rank(&b.code)) {
            best = Some(a);
        }
        if progression(&a.code) {
            break;
        }
    }
    best.map(|a| a.code.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(date: &str, code: &str) -> Assessment {
        Assessment {
            date: date.into(),
            code: code.into(),
        }
    }

    #[test]
    fn table() {
        let w = Window {
            from: Some("2026-01-10".into()),
            to: Some("2026-04-10".into()),
            new_therapy: None,
        };
        let cases: Vec<(Vec<Assessment>, Window, Option<&str>)> = vec![
            (
                vec![a("2026-02-07", "CRI"), a("2026-03-10", "CR")],
                w.clone(),
                Some("CR"),
            ),
            (
                vec![a("2026-02-07", "CR"), a("2026-03-10", "RELAPSE")],
                w.clone(),
                Some("CR"),
            ),
            // After relapse, a later CR does not count.
            (
                vec![
                    a("2026-02-07", "NR"),
                    a("2026-03-10", "PD"),
                    a("2026-04-01", "CR"),
                ],
                w.clone(),
                Some("NR"),
            ),
            (vec![a("2026-02-07", "PD")], w.clone(), Some("PD")),
            // Outside the window after infusion.
            (
                vec![
                    a("2026-01-05", "CR"),
                    a("2026-05-01", "CR"),
                    a("2026-02-07", "PR"),
                ],
                w.clone(),
                Some("PR"),
            ),
            // New therapy cuts off.
            (
                vec![a("2026-02-07", "PR"), a("2026-03-10", "CR")],
                Window {
                    new_therapy: Some("2026-03-01".into()),
                    ..w.clone()
                },
                Some("PR"),
            ),
            // Lymphoma codes; an unknown code is ignored.
            (
                vec![
                    a("2026-02-07", "PMR"),
                    a("2026-03-10", "CMR"),
                    a("2026-03-11", "??"),
                ],
                w.clone(),
                Some("CMR"),
            ),
            (vec![], w.clone(), None),
            (
                vec![a("2026-02-07", "MLFS"), a("2026-02-20", "PR")],
                Window::default(),
                Some("MLFS"),
            ),
        ];
        for (i, (xs, w, want)) in cases.into_iter().enumerate() {
            assert_eq!(best_overall(&xs, &w).as_deref(), want, "case {i}");
        }
    }
}
