use crate::error::{AppError, Result};
use crate::state::{AppState, Inner};
use ecrf_core::address::{FormRef, ItemRef};
use ecrf_core::definition::Definition;
use ecrf_core::roles::Action;
use ecrf_services::dto::*;
use ecrf_services::sync::{
    BundleExported, BundleInspection, ConflictView, ImportProgress, ImportRecord, ImportSummary,
    NodeView,
};
use ecrf_services::{Ecrf, ServiceError, Session};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tauri::{AppHandle, Emitter, Manager, Runtime, State};

fn info(ecrf: &ecrf_services::Ecrf, s: &Session) -> Result<SessionInfo> {
    Ok(SessionInfo {
        username: s.username.clone(),
        full_name: s.full_name.clone(),
        role: s.role,
        permissions: ecrf.permissions(s)?,
        idle_minutes: ecrf.config().idle_minutes,
    })
}

#[tauri::command]
pub fn node_info(state: State<AppState>) -> Result<NodeSummary> {
    Ok(state.lock()?.ecrf()?.node_summary()?)
}

#[tauri::command]
pub fn login(state: State<AppState>, username: String, password: String) -> Result<SessionInfo> {
    let mut g = state.lock()?;
    let s = g.ecrf()?.login(&username, &password)?;
    let out = info(g.ecrf()?, &s)?;
    g.session = Some(s);
    Ok(out)
}

#[tauri::command]
pub fn logout(state: State<AppState>) -> Result<()> {
    state.lock()?.session = None;
    Ok(())
}

#[tauri::command]
pub fn session(state: State<AppState>) -> Result<Option<SessionInfo>> {
    let mut g = state.lock()?;
    let s = match &g.session {
        Some(s) if !s.locked => s.clone(),
        _ => return Ok(None),
    };
    Ok(Some(info(g.ecrf()?, &s)?))
}

/// Whether the database is open, or waits for its passphrase (an encrypted database).
#[tauri::command]
pub fn database_status(state: State<AppState>) -> Result<DatabaseStatus> {
    let g = state.lock()?;
    Ok(DatabaseStatus {
        open: g.database_open(),
        path: g.database_path().display().to_string(),
    })
}

/// Opens an encrypted database with the passphrase typed at start-up.
#[tauri::command]
pub fn open_database(state: State<AppState>, passphrase: String) -> Result<DatabaseStatus> {
    let mut g = state.lock()?;
    g.open_database(&passphrase)?;
    Ok(DatabaseStatus {
        open: true,
        path: g.database_path().display().to_string(),
    })
}

#[derive(serde::Serialize)]
pub struct DatabaseStatus {
    pub open: bool,
    pub path: String,
}

#[tauri::command]
pub fn unlock(state: State<AppState>, password: String) -> Result<SessionInfo> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    ecrf.unlock(s, &password)?;
    info(ecrf, s)
}

/// The current definition, or the version a subject was captured under.
#[tauri::command]
pub fn definition(state: State<AppState>, version: Option<String>) -> Result<Definition> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    ecrf.authorize(s, ecrf_core::roles::Action::ViewData)?;
    match version {
        Some(v) => Ok(ecrf.definition_version(&v)?.clone()),
        None => Ok(ecrf.definition().clone()),
    }
}

#[tauri::command]
pub fn subjects(state: State<AppState>) -> Result<Vec<SubjectSummary>> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.subjects(s)?)
}

#[tauri::command]
pub fn enrol(state: State<AppState>, subject: String) -> Result<SubjectSummary> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.enrol(s, &subject)?)
}

#[tauri::command]
pub fn casebook(state: State<AppState>, subject: String) -> Result<Casebook> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.casebook(s, &subject)?)
}

#[tauri::command]
pub fn form_show(state: State<AppState>, form: FormRef) -> Result<FormView> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.form_show(s, &form)?)
}

#[tauri::command]
pub fn form_check(
    state: State<AppState>,
    form: FormRef,
    values: Vec<ValueEntry>,
) -> Result<CheckOutcome> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.form_check(s, &form, &values)?)
}

#[tauri::command]
pub fn form_save(
    state: State<AppState>,
    form: FormRef,
    values: Vec<ValueEntry>,
    complete: bool,
    reason: Option<String>,
) -> Result<SaveOutcome> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.form_save(s, &form, &values, complete, reason.as_deref())?)
}

#[tauri::command]
pub fn form_override(
    state: State<AppState>,
    form: FormRef,
    derived: String,
    value: serde_json::Value,
    reason: String,
) -> Result<FormView> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.override_derived(s, &form, &derived, &value, &reason)?)
}

#[tauri::command]
pub fn subject_schedule(
    state: State<AppState>,
    subject: String,
) -> Result<Vec<ecrf_core::schedule::Visit>> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.subject_schedule(s, &subject)?)
}

#[tauri::command]
pub fn worklist(
    state: State<AppState>,
    days: Option<u32>,
) -> Result<Vec<ecrf_services::schedule::WorklistEntry>> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.worklist(s, days.unwrap_or(7))?)
}

/// Signs with the password entered again in the sign dialog.
#[tauri::command]
pub fn sign(
    state: State<AppState>,
    scope: ecrf_core::event::Scope,
    meaning: ecrf_core::event::SignatureMeaning,
    password: String,
) -> Result<ecrf_services::signatures::SignatureView> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.sign(s, scope, meaning, &password)?)
}

#[tauri::command]
pub fn subject_signatures(
    state: State<AppState>,
    subject: String,
) -> Result<Vec<ecrf_services::signatures::SignatureView>> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.subject_signatures(s, &subject)?)
}

/// Writes a PDF of a form, an event or a casebook to the path the person chose in the native
/// save dialog; with `password` and `meaning`, signed by the exporting investigator.
#[tauri::command]
pub fn export_pdf(
    state: State<AppState>,
    scope: ecrf_core::event::Scope,
    lang: String,
    path: String,
    password: Option<String>,
    meaning: Option<ecrf_core::event::SignatureMeaning>,
) -> Result<u64> {
    use ecrf_services::pdf_model::DocLang;
    let lang = match lang.as_str() {
        "zh" => DocLang::One(ecrf_core::definition::Lang::Zh),
        "both" => DocLang::Both,
        _ => DocLang::One(ecrf_core::definition::Lang::En),
    };
    let path = std::path::PathBuf::from(path);
    if path.extension().is_none_or(|e| e != "pdf") {
        return Err(crate::error::AppError::new(
            "invalid_input",
            "the file name must end in .pdf",
        ));
    }
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    let sign = match (&password, meaning) {
        (Some(p), Some(m)) => Some((p.as_str(), m)),
        (None, None) => None,
        _ => {
            return Err(crate::error::AppError::new(
                "invalid_input",
                "signing needs both the password and the meaning",
            ))
        }
    };
    let bytes = ecrf.export_pdf(s, scope, lang, sign)?;
    std::fs::write(&path, &bytes)
        .map_err(|e| crate::error::AppError::new("io", format!("{}: {e}", path.display())))?;
    Ok(bytes.len() as u64)
}

// ---- sync bundles ----

/// The event that reports a long import's progress (an `ImportProgress`), at most ~20 a second.
pub const IMPORT_PROGRESS: &str = "bundle-import-progress";

/// Runs `f` on a blocking thread with the state held, so a long import or export does not
/// freeze the window; other commands answer `busy` meanwhile.
async fn blocking<R: Runtime, T: Send + 'static>(
    app: AppHandle<R>,
    f: impl FnOnce(&AppHandle<R>, &mut Inner) -> Result<T> + Send + 'static,
) -> Result<T> {
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        let mut g = state.lock()?;
        f(&app, &mut g)
    })
    .await
    .map_err(|e| AppError::new("internal", format!("the background task failed: {e}")))?
}

fn bundle_path(path: &str) -> Result<PathBuf> {
    let path = PathBuf::from(path);
    if path.extension().is_none_or(|e| e != "ecrfb") {
        return Err(AppError::new(
            "invalid_input",
            "the file name must end in .ecrfb",
        ));
    }
    Ok(path)
}

/// Writes a bundle to the path chosen in the native save dialog: at a site for the central
/// node (`to` none or "central"), at the central node for one site node (`to` its id).
#[tauri::command]
pub async fn bundle_export<R: Runtime>(
    app: AppHandle<R>,
    to: Option<String>,
    full: bool,
    path: String,
) -> Result<BundleExported> {
    let path = bundle_path(&path)?;
    blocking(app, move |_, g| {
        let (ecrf, s) = g.with_session()?;
        Ok(ecrf.export_bundle(s, to.as_deref(), full, None, &path)?)
    })
    .await
}

/// Reads and verifies a bundle (who signed it, what it holds) without importing it.
#[tauri::command]
pub async fn bundle_inspect<R: Runtime>(
    app: AppHandle<R>,
    path: String,
) -> Result<BundleInspection> {
    blocking(app, move |_, g| {
        let (ecrf, s) = g.with_session()?;
        ecrf.authorize(s, Action::ImportBundle)?;
        Ok(Ecrf::inspect_bundle(Path::new(&path))?)
    })
    .await
}

/// Imports each file in turn; a refused file (nothing changed) is a summary with status
/// `refused` and the reason, as in the CLI. `accept` is the fingerprint of a new node's key
/// the person checked with the sender.
#[tauri::command]
pub async fn bundle_import<R: Runtime>(
    app: AppHandle<R>,
    paths: Vec<String>,
    accept: Option<String>,
) -> Result<Vec<ImportSummary>> {
    blocking(app, move |app, g| {
        let (ecrf, s) = g.with_session()?;
        let mut out = Vec::new();
        for p in paths {
            let emit = |pr: &ImportProgress| {
                if let Err(e) = app.emit(IMPORT_PROGRESS, pr) {
                    log::warn!("import progress not sent: {e}");
                }
            };
            emit(&ImportProgress {
                file: p.clone(),
                done: 0,
                total: 0,
            });
            let mut last: Option<Instant> = None;
            let mut progress = |pr: ImportProgress| {
                let now = Instant::now();
                if pr.done >= pr.total
                    || last.is_none_or(|l| now.duration_since(l) >= Duration::from_millis(50))
                {
                    last = Some(now);
                    emit(&pr);
                }
            };
            match ecrf.import_bundle(s, Path::new(&p), accept.as_deref(), &mut progress) {
                Ok(sum) => out.push(sum),
                Err(ServiceError::Refused(reason)) => out.push(ImportSummary {
                    file: p,
                    status: "refused".into(),
                    reason: Some(reason),
                    ..Default::default()
                }),
                Err(e) => return Err(e.into()),
            }
        }
        Ok(out)
    })
    .await
}

#[tauri::command]
pub fn import_history(state: State<AppState>) -> Result<Vec<ImportRecord>> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.import_history(s)?)
}

#[tauri::command]
pub fn nodes(state: State<AppState>) -> Result<Vec<NodeView>> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.nodes(s)?)
}

#[tauri::command]
pub fn revoke_node(state: State<AppState>, node: String, reason: String) -> Result<NodeView> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.revoke_node(s, &node, &reason)?)
}

#[tauri::command]
pub fn conflicts(state: State<AppState>, subject: Option<String>) -> Result<Vec<ConflictView>> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.conflicts(s, subject.as_deref())?)
}

/// The data manager's choice for an item in conflict (one of the values or another), with a
/// reason.
#[tauri::command]
pub fn resolve_conflict(
    state: State<AppState>,
    item: ItemRef,
    value: serde_json::Value,
    reason: String,
) -> Result<ConflictView> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.resolve_conflict(s, &item, value, &reason)?)
}

// ---- Drafts, the investigator's queue, item history --------------------------------------

#[tauri::command]
pub fn draft_save(state: State<AppState>, form: FormRef, values: Vec<ValueEntry>) -> Result<()> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.save_draft(s, &form, &values)?)
}

#[tauri::command]
pub fn draft(
    state: State<AppState>,
    form: FormRef,
) -> Result<Option<ecrf_services::drafts::Draft>> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.draft(s, &form)?)
}

#[tauri::command]
pub fn drafts(state: State<AppState>) -> Result<Vec<ecrf_services::drafts::Draft>> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.drafts(s)?)
}

#[tauri::command]
pub fn draft_discard(state: State<AppState>, form: FormRef) -> Result<()> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.discard_draft(s, &form)?)
}

#[tauri::command]
pub fn signature_queue(
    state: State<AppState>,
) -> Result<Vec<ecrf_services::signatures::QueueItem>> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.signature_queue(s)?)
}

/// Every change of one item (or of a subject's data), for "history" on demand.
#[tauri::command]
pub fn audit_trail(
    state: State<AppState>,
    subject: Option<String>,
    item: Option<ItemRef>,
) -> Result<Vec<ecrf_services::export::audit::AuditLine>> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.report_audit(s, subject.as_deref(), item.as_ref())?)
}

/// The change log of one subject as raw events, for whoever may view data (`audit_trail`
/// needs the reports permission, which a research nurse does not have).
#[tauri::command]
pub fn audit_log(state: State<AppState>, subject: String) -> Result<Vec<AuditEntry>> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.audit_log(s, Some(&subject))?)
}

// ---- Queries, source data verification, locks --------------------------------------------

use ecrf_core::event::{Scope, Target};
use ecrf_services::review::{LockView, QueryThread, SdvView};

#[tauri::command]
pub fn queries(
    state: State<AppState>,
    subject: Option<String>,
    status: Option<String>,
) -> Result<Vec<QueryThread>> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.queries(s, subject.as_deref(), status.as_deref())?)
}

#[tauri::command]
pub fn query_open(state: State<AppState>, target: Target, text: String) -> Result<QueryThread> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.open_query(s, target, &text)?)
}

/// `action`: answer, close or reopen.
#[tauri::command]
pub fn query_act(
    state: State<AppState>,
    query: String,
    action: String,
    text: String,
) -> Result<QueryThread> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(match action.as_str() {
        "answer" => ecrf.answer_query(s, &query, &text)?,
        "close" => ecrf.close_query(s, &query, &text)?,
        "reopen" => ecrf.reopen_query(s, &query, &text)?,
        other => {
            return Err(
                ServiceError::InvalidInput(format!("unknown query action {other:?}")).into(),
            )
        }
    })
}

#[tauri::command]
pub fn sdv_mark(state: State<AppState>, target: Target, verified: bool) -> Result<SdvView> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.mark_sdv(s, target, verified)?)
}

#[tauri::command]
pub fn lock_data(
    state: State<AppState>,
    scope: Scope,
    reason: Option<String>,
) -> Result<Vec<LockView>> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.lock_data(s, scope, reason.as_deref())?)
}

#[tauri::command]
pub fn unlock_data(state: State<AppState>, scope: Scope, reason: String) -> Result<Vec<LockView>> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.unlock_data(s, scope, &reason)?)
}

#[tauri::command]
pub fn locks(state: State<AppState>) -> Result<Vec<LockView>> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.locks(s)?)
}

// ---- Reports and exports ------------------------------------------------------------------

#[tauri::command]
pub fn report_endpoints(state: State<AppState>) -> Result<ecrf_services::reports::EndpointReport> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.report_endpoints(s)?)
}

#[tauri::command]
pub fn report_pk(state: State<AppState>) -> Result<ecrf_services::reports::PkReport> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.report_pk(s)?)
}

#[tauri::command]
pub fn export_odm(
    state: State<AppState>,
    path: PathBuf,
) -> Result<ecrf_services::export::ExportSummary> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.export_odm(s, &path)?)
}

#[tauri::command]
pub fn export_csv(
    state: State<AppState>,
    path: PathBuf,
) -> Result<ecrf_services::export::csv::CsvSummary> {
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.export_csv(s, &path)?)
}

/// The endpoint report as a PDF with its plots; answers the bytes written.
#[tauri::command]
pub fn report_endpoints_pdf(state: State<AppState>, lang: String, path: PathBuf) -> Result<u64> {
    let lang = match lang.as_str() {
        "en" => ecrf_services::pdf_model::DocLang::One(ecrf_core::definition::Lang::En),
        "zh" => ecrf_services::pdf_model::DocLang::One(ecrf_core::definition::Lang::Zh),
        "both" => ecrf_services::pdf_model::DocLang::Both,
        other => {
            return Err(ServiceError::InvalidInput(format!("unknown language {other:?}")).into())
        }
    };
    let mut g = state.lock()?;
    let (ecrf, s) = g.with_session()?;
    Ok(ecrf.report_endpoints_pdf(s, lang, &path)?)
}
