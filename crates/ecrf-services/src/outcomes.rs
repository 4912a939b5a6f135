//! Per-subject outcomes the reports build on: analysis populations (enrolled, leukapheresed,
//! infused) and the best overall response. Responses are recomputed from current values (an
//! investigator's override wins), never read from a cache. The data of all subjects is read at
//! once ([`crate::report_data`]).

use crate::auth::Session;
use crate::report_data::{Casebook, Needs};
use crate::{Ecrf, Result};
use ecrf_core::bor::{best_overall, Assessment, Window};
use ecrf_core::definition::ItemType;
use ecrf_core::roles::Action;
use serde::{Deserialize, Serialize};

/// Derivation functions whose value is a response assessment.
const RESPONSE_FUNCTIONS: &[&str] = &["all_response", "lugano_overall"];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SubjectOutcome {
    pub subject: String,
    pub site: String,
    pub leukapheresed: bool,
    pub infused: bool,
    pub infusion_date: Option<String>,
    /// Dated responses in date order (overrides applied).
    #[cfg_attr(feature = "ts", ts(type = "Array<{ date: string, code: string }>"))]
    pub responses: Vec<Assessment>,
    /// Best overall response within the protocol's window after infusion, up to the first
    /// progression or relapse and before new anticancer therapy.
    pub best_response: Option<String>,
}

impl Ecrf {
    fn param_path(&self, name: &str, default: &str) -> String {
        self.definition()
            .parameters
            .get(name)
            .and_then(|v| v.as_str())
            .unwrap_or(default)
            .to_string()
    }

    fn lookup_path(&self, book: &Casebook, path: &str) -> Result<Option<String>> {
        let Some((form, item)) = path.split_once('.') else {
            return Ok(None);
        };
        Ok(book.lookup(None, form, item)?.as_str().map(str::to_string))
    }

    /// What the outcomes read: the response forms, whole (their derivations may read any
    /// item). The dates they look up in other forms are read as they are asked for.
    pub(crate) fn outcome_needs(&self, needs: Needs) -> Needs {
        self.forms_deriving(RESPONSE_FUNCTIONS)
            .iter()
            .fold(needs, |n, f| n.all(f))
    }

    fn responses(&self, book: &Casebook) -> Result<Vec<Assessment>> {
        let mut out = Vec::new();
        for state in book.forms() {
            let Some((form, spec)) = book.derivation(state, RESPONSE_FUNCTIONS)? else {
                continue;
            };
            let Some(date_item) = form.items.iter().find(|i| {
                matches!(i.kind, ItemType::Date | ItemType::Datetime)
                    && i.group == ecrf_core::definition::MAIN_GROUP
            }) else {
                continue;
            };
            let values = book.values(state);
            let Some(date) = values
                .iter()
                .find(|(s, _)| s.item == date_item.id)
                .and_then(|(_, v)| v.as_str())
                .map(str::to_string)
            else {
                continue;
            };
            let code = book.derived(state, form, spec, |v| v.as_str().map(str::to_string))?;
            if let Some(code) = code {
                out.push(Assessment { date, code });
            }
        }
        out.sort_by(|a, b| a.date.cmp(&b.date));
        Ok(out)
    }

    pub(crate) fn outcome(&self, book: &Casebook, site: &str) -> Result<SubjectOutcome> {
        let leuk =
            self.lookup_path(book, &self.param_path("leukapheresis_date", "LEUK.LEUKDAT"))?;
        let infusion = self.lookup_path(book, &self.param_path("infusion_date", "INF.INFDAT"))?;
        let new_therapy =
            self.lookup_path(book, &self.param_path("new_therapy_date", "NACT.NACTSTDAT"))?;
        let days = self
            .definition()
            .param_f64("orr_window_days")
            .unwrap_or(92.0) as i64;
        let to = infusion.as_deref().and_then(|d| {
            chrono::NaiveDate::parse_from_str(d.get(..10)?, "%Y-%m-%d")
                .ok()
                .map(|d| {
                    (d + chrono::Duration::days(days))
                        .format("%Y-%m-%d")
                        .to_string()
                })
        });
        let responses = self.responses(book)?;
        let window = Window {
            from: infusion
                .as_ref()
                .and_then(|d| d.get(..10))
                .map(str::to_string),
            to,
            new_therapy,
        };
        let best_response = if infusion.is_some() {
            best_overall(&responses, &window)
        } else {
            None
        };
        Ok(SubjectOutcome {
            subject: book.id.to_string(),
            site: site.to_string(),
            leukapheresed: leuk.is_some(),
            infused: infusion.is_some(),
            infusion_date: infusion,
            responses,
            best_response,
        })
    }

    /// Populations and best overall response of every subject.
    pub fn outcomes(&mut self, s: &mut Session) -> Result<Vec<SubjectOutcome>> {
        self.authorize(s, Action::ViewData)?;
        self.store.read_snapshot(|| {
            let mut out = Vec::new();
            self.each_casebook(&self.outcome_needs(Needs::default()), |row, book| {
                out.push(self.outcome(book, &row.site)?);
                Ok(())
            })?;
            Ok(out)
        })
    }
}
