//! The audit trail report for an inspector: every change event of a subject (or of one item),
//! with who, when (capture time on the device and import time at this node), the old and new
//! value and the reason. Read from the change log; as JSON, CSV.

use super::{check_new_output, display_value, finish_partial, io_err, partial_path, remove_any};
use crate::auth::Session;
use crate::{Ecrf, Result, ServiceError};
use ecrf_core::address::ItemRef;
use ecrf_core::event::{Payload, Target};
use ecrf_core::ids::SubjectId;
use ecrf_core::roles::Action;
use ecrf_store::EventFilter;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::Path;

/// One change in the audit trail report.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AuditLine {
    /// `node:epoch:stream:seq`.
    pub event_id: String,
    pub subject: String,
    pub kind: String,
    /// What changed: an item key (`S01-001/SCR.1/DM.1/MAIN.1/WEIGHT`), a form key, a derived
    /// value (`…/DM.1/derived.BSA`), a scope or a query.
    pub target: String,
    pub username: String,
    pub full_name: String,
    /// Capture time on the device (UTC).
    pub captured_at: String,
    /// When this node received the event (none for events written here).
    pub imported_at: Option<String>,
    pub old: String,
    pub new: String,
    pub reason: String,
}

/// The columns of the CSV report, in order.
pub const AUDIT_COLUMNS: [&str; 11] = [
    "event_id",
    "subject",
    "kind",
    "target",
    "username",
    "full_name",
    "captured_at",
    "imported_at",
    "old",
    "new",
    "reason",
];

impl Ecrf {
    /// Every change of one subject (or of every subject this user may report on), or of one
    /// item, in log order per subject.
    pub fn report_audit(
        &mut self,
        s: &mut Session,
        subject: Option<&str>,
        item: Option<&ItemRef>,
    ) -> Result<Vec<AuditLine>> {
        // The audit trail of one subject or item is for everyone who may view the data (a nurse
        // asking for a field's history); the whole study's is a report.
        let site = if subject.is_some() || item.is_some() {
            self.authorize(s, Action::ViewData)?;
            None
        } else {
            self.export_scope(s)?
        };
        let wanted: Option<SubjectId> = match (subject, item) {
            (_, Some(i)) => Some(i.form.subject.clone()),
            (Some(s), None) => Some(SubjectId::parse(s)?),
            (None, None) => None,
        };
        if let (Some(s), Some(i)) = (subject, item) {
            if SubjectId::parse(s)? != i.form.subject {
                return Err(ServiceError::InvalidInput(format!(
                    "item {} is not of subject {s}",
                    i.key()
                )));
            }
        }
        let subjects: Vec<String> = match &wanted {
            Some(sid) => {
                let row = self
                    .store
                    .subject(sid)?
                    .filter(|r| site.as_deref().is_none_or(|s| r.site == s))
                    .ok_or_else(|| ServiceError::NotFound(format!("subject {sid}")))?;
                vec![row.subject]
            }
            None => self
                .export_subjects(site.as_deref())?
                .into_iter()
                .map(|r| r.subject)
                .collect(),
        };
        let names: HashMap<String, String> = self
            .export_users(site.as_deref())?
            .into_iter()
            .map(|u| (u.user_id, u.full_name))
            .collect();
        let item_key = item.map(ItemRef::key);
        let mut out = Vec::new();
        for subject in subjects {
            let events = self.store.events(&EventFilter {
                subject: Some(subject.clone()),
                ..Default::default()
            })?;
            // The value each item had, to show the old value of a resolution.
            let mut last: HashMap<String, String> = HashMap::new();
            let mut item_queries: HashSet<String> = HashSet::new();
            for e in events {
                let ev = &e.event;
                let (target, old, new, reason) = match &ev.payload {
                    Payload::SubjectEnrolled {
                        site,
                        definition_version,
                        ..
                    } => (
                        subject.clone(),
                        String::new(),
                        format!("enrolled at site {site} (definition {definition_version})"),
                        String::new(),
                    ),
                    Payload::ValueSet {
                        item,
                        old,
                        new,
                        reason,
                        ..
                    } => {
                        let k = item.key();
                        last.insert(k.clone(), display_value(new));
                        (
                            k,
                            display_value(old),
                            display_value(new),
                            reason.clone().unwrap_or_default(),
                        )
                    }
                    Payload::ConflictResolved {
                        item,
                        chosen,
                        reason,
                        candidates,
                    } => {
                        let k = item.key();
                        let old = format!(
                            "{} (conflict of {} versions)",
                            last.get(&k).cloned().unwrap_or_default(),
                            candidates.len()
                        );
                        last.insert(k.clone(), display_value(chosen));
                        (k, old, display_value(chosen), reason.clone())
                    }
                    Payload::FormCompleted { form, .. } => {
                        (form.key(), String::new(), "complete".into(), String::new())
                    }
                    Payload::FormReopened { form, reason } => (
                        form.key(),
                        "complete".into(),
                        "reopened".into(),
                        reason.clone(),
                    ),
                    Payload::DerivedOverridden {
                        form,
                        derivation,
                        derived,
                        value,
                        reason,
                    } => (
                        format!("{}/derived.{derivation}", form.key()),
                        display_value(derived),
                        if value.is_null() {
                            "override withdrawn".into()
                        } else {
                            display_value(value)
                        },
                        reason.clone(),
                    ),
                    Payload::QueryOpened {
                        query,
                        target,
                        text,
                        rule,
                    } => {
                        if matches!(target, Target::Item(i) if Some(i.key()) == item_key) {
                            item_queries.insert(query.to_string());
                        }
                        (
                            target.key(),
                            String::new(),
                            match rule {
                                Some(r) => format!("query {query} opened ({r}): {text}"),
                                None => format!("query {query} opened: {text}"),
                            },
                            String::new(),
                        )
                    }
                    Payload::QueryAnswered { query, text, .. }
                    | Payload::QueryClosed { query, text, .. }
                    | Payload::QueryReopened { query, text, .. } => {
                        let verb = match ev.payload.kind() {
                            "query_answered" => "answered",
                            "query_closed" => "closed",
                            _ => "re-opened",
                        };
                        (
                            format!("query {query}"),
                            String::new(),
                            format!("{verb}: {text}"),
                            String::new(),
                        )
                    }
                    Payload::Signed {
                        scope,
                        meaning,
                        printed_name,
                        content_hash,
                        ..
                    } => (
                        scope.key(),
                        String::new(),
                        format!(
                            "signed ({}) by {printed_name}; content hash {content_hash}",
                            serde_json::to_value(meaning)
                                .ok()
                                .and_then(|v| v.as_str().map(str::to_string))
                                .unwrap_or_default()
                        ),
                        String::new(),
                    ),
                    Payload::SourceVerified { target, verified } => (
                        target.key(),
                        String::new(),
                        if *verified {
                            "source data verified".into()
                        } else {
                            "verification withdrawn".into()
                        },
                        String::new(),
                    ),
                    Payload::Locked { scope, reason } => (
                        scope.key(),
                        String::new(),
                        "locked".into(),
                        reason.clone().unwrap_or_default(),
                    ),
                    Payload::Unlocked { scope, reason } => (
                        scope.key(),
                        "locked".into(),
                        "unlocked".into(),
                        reason.clone(),
                    ),
                    _ => continue,
                };
                if let Some(k) = &item_key {
                    let about_item =
                        target == *k || item_queries.iter().any(|q| target == format!("query {q}"));
                    if !about_item {
                        continue;
                    }
                }
                out.push(AuditLine {
                    event_id: ev.id.to_string(),
                    subject: subject.clone(),
                    kind: ev.payload.kind().to_string(),
                    target,
                    username: ev.actor.username.clone(),
                    full_name: names
                        .get(&ev.actor.user_id.to_string())
                        .cloned()
                        .unwrap_or_else(|| ev.actor.username.clone()),
                    captured_at: ev.captured_at.clone(),
                    imported_at: e.imported_at.clone(),
                    old,
                    new,
                    reason,
                });
            }
        }
        Ok(out)
    }
}

/// Writes the report as CSV (columns [`AUDIT_COLUMNS`]) to a new file; returns its size.
pub fn write_audit_csv(lines: &[AuditLine], out: &Path) -> Result<u64> {
    check_new_output(out)?;
    let partial = partial_path(out);
    let result = (|| -> Result<()> {
        let f = File::create(&partial).map_err(|e| io_err(&partial, e))?;
        let mut w = csv::Writer::from_writer(f);
        w.write_record(AUDIT_COLUMNS)
            .map_err(|e| io_err(&partial, e))?;
        for l in lines {
            w.write_record([
                l.event_id.as_str(),
                &l.subject,
                &l.kind,
                &l.target,
                &l.username,
                &l.full_name,
                &l.captured_at,
                l.imported_at.as_deref().unwrap_or_default(),
                &l.old,
                &l.new,
                &l.reason,
            ])
            .map_err(|e| io_err(&partial, e))?;
        }
        let f = w.into_inner().map_err(|e| io_err(&partial, e.error()))?;
        f.sync_all().map_err(|e| io_err(&partial, e))
    })();
    match result {
        Ok(()) => {
            finish_partial(&partial, out)?;
            Ok(std::fs::metadata(out).map(|m| m.len()).unwrap_or(0))
        }
        Err(e) => {
            let _ = remove_any(&partial);
            Err(e)
        }
    }
}

impl Ecrf {
    /// The audit trail report as a PDF table (A4 landscape) written to a new file; returns its
    /// size and the number of lines.
    pub fn report_audit_pdf(
        &mut self,
        s: &mut Session,
        subject: Option<&str>,
        item: Option<&ItemRef>,
        lang: ecrf_pdf::model::DocLang,
        out: &Path,
    ) -> Result<(u64, usize)> {
        use ecrf_core::definition::Text;
        use ecrf_pdf::report::{render_report, Column, ReportDocument};
        check_new_output(out)?;
        let lines = self.report_audit(s, subject, item)?;
        let def = self.definition();
        let one = match lang {
            ecrf_pdf::model::DocLang::One(l) => l,
            ecrf_pdf::model::DocLang::Both => ecrf_core::definition::Lang::En,
        };
        let header = ecrf_pdf::model::Header {
            study: def.study.id.clone(),
            study_name: def.study.name.get(one).to_string(),
            site: self.store.node()?.site.unwrap_or_else(|| "central".into()),
            definition_version: def.study.version.clone(),
            generated_at: self.now_str(),
        };
        let t = |en: &str, zh: &str| Text {
            en: en.into(),
            zh: zh.into(),
        };
        let scope = match (item, subject) {
            (Some(i), _) => i.key(),
            (None, Some(s)) => s.to_string(),
            (None, None) => "*".to_string(),
        };
        let col = |en: &str, zh: &str, weight: f32| Column {
            title: t(en, zh),
            weight,
        };
        let doc = ReportDocument {
            title: t("Audit trail", "稽查轨迹"),
            scope,
            lang,
            header,
            columns: vec![
                col("Captured (UTC)", "采集时间（UTC）", 1.75),
                col("Imported (UTC)", "导入时间（UTC）", 1.75),
                col("User", "用户", 1.2),
                col("Change", "变更", 1.0),
                col("What", "对象", 2.4),
                col("Old value", "原值", 1.4),
                col("New value", "新值", 2.0),
                col("Reason", "原因", 1.6),
            ],
            rows: lines
                .iter()
                .map(|l| {
                    vec![
                        l.captured_at.clone(),
                        l.imported_at.clone().unwrap_or_default(),
                        format!("{} ({})", l.full_name, l.username),
                        l.kind.replace('_', " "),
                        l.target.clone(),
                        l.old.clone(),
                        l.new.clone(),
                        l.reason.clone(),
                    ]
                })
                .collect(),
        };
        let bytes = render_report(&doc).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let partial = partial_path(out);
        std::fs::write(&partial, &bytes).map_err(|e| io_err(&partial, e))?;
        if let Err(e) = finish_partial(&partial, out) {
            let _ = remove_any(&partial);
            return Err(e);
        }
        Ok((bytes.len() as u64, lines.len()))
    }
}
