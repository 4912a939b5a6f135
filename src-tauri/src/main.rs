//! The desktop shell: opens the node database, keeps the session, and exposes the services as
//! Tauri commands. Each command authorises (inside the service), calls one service, and maps
//! the result; no domain logic lives here.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod error;
mod state;
/// Every command of the app (the shell and its tests register the same list).
macro_rules! handlers {
    () => {
        tauri::generate_handler![
            $crate::commands::node_info,
            $crate::commands::database_status,
            $crate::commands::open_database,
            $crate::commands::login,
            $crate::commands::logout,
            $crate::commands::session,
            $crate::commands::unlock,
            $crate::commands::definition,
            $crate::commands::subjects,
            $crate::commands::enrol,
            $crate::commands::casebook,
            $crate::commands::form_show,
            $crate::commands::form_check,
            $crate::commands::form_save,
            $crate::commands::form_override,
            $crate::commands::subject_schedule,
            $crate::commands::worklist,
            $crate::commands::sign,
            $crate::commands::subject_signatures,
            $crate::commands::export_pdf,
            $crate::commands::bundle_export,
            $crate::commands::bundle_inspect,
            $crate::commands::bundle_import,
            $crate::commands::import_history,
            $crate::commands::nodes,
            $crate::commands::revoke_node,
            $crate::commands::conflicts,
            $crate::commands::resolve_conflict,
            $crate::commands::draft_save,
            $crate::commands::draft,
            $crate::commands::drafts,
            $crate::commands::draft_discard,
            $crate::commands::signature_queue,
            $crate::commands::audit_trail,
            $crate::commands::audit_log,
            $crate::commands::queries,
            $crate::commands::query_open,
            $crate::commands::query_act,
            $crate::commands::sdv_mark,
            $crate::commands::lock_data,
            $crate::commands::unlock_data,
            $crate::commands::locks,
            $crate::commands::report_endpoints,
            $crate::commands::report_pk,
            $crate::commands::export_odm,
            $crate::commands::export_csv,
            $crate::commands::report_endpoints_pdf,
        ]
    };
}

#[cfg(test)]
mod authz_tests;

/// mimalloc: parsing and projecting events makes many small allocations, which it serves
/// faster than the system allocator (about 10 % of an import; see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let state = match state::AppState::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::exit(2);
        }
    };
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .invoke_handler(handlers!())
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(e) = result {
        eprintln!("error: the window could not start: {e}");
        std::process::exit(2);
    }
}
