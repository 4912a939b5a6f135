//! The desktop shell: opens the node database, keeps the session, and exposes the services as
//! Tauri commands. Each command authorises (inside the service), calls one service, and maps
//! the result; no domain logic lives here.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod error;
mod state;

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
        .invoke_handler(tauri::generate_handler![
            commands::node_info,
            commands::login,
            commands::logout,
            commands::session,
            commands::unlock,
            commands::definition,
            commands::subjects,
            commands::enrol,
            commands::casebook,
            commands::form_show,
            commands::form_check,
            commands::form_save,
            commands::form_override,
            commands::subject_schedule,
            commands::worklist,
            commands::sign,
            commands::subject_signatures,
            commands::export_pdf,
            commands::bundle_export,
            commands::bundle_inspect,
            commands::bundle_import,
            commands::import_history,
            commands::nodes,
            commands::revoke_node,
            commands::conflicts,
            commands::resolve_conflict,
            commands::draft_save,
            commands::draft,
            commands::drafts,
            commands::draft_discard,
            commands::signature_queue,
            commands::audit_trail,
            commands::audit_log,
            commands::queries,
            commands::query_open,
            commands::query_act,
            commands::sdv_mark,
            commands::lock_data,
            commands::unlock_data,
            commands::locks,
            commands::report_endpoints,
            commands::report_pk,
            commands::export_odm,
            commands::export_csv,
            commands::report_endpoints_pdf,
        ])
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(e) = result {
        eprintln!("error: the window could not start: {e}");
        std::process::exit(2);
    }
}
