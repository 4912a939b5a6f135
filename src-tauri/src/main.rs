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

// The system allocator, not mimalloc as in the CLI: mimalloc made imports about 10 % faster
// but kept about 20 MB more resident in the idle app (measured with scripts/bench-app.sh), and
// the app's idle memory is the tighter goal. See BENCHMARKS.md.

/// WebKitGTK composites pages through OpenGL; without a GPU (a virtual machine, Xvfb) that is
/// Mesa's software rasteriser. Measured under Xvfb with scripts/bench-app.sh, compositing took the
/// app with its WebKit processes from about 250 to 340 MB resident at the login screen (the web
/// process from 175 to 280 MB) and from 285 to 440 MB at a casebook, and painted the login form
/// about 0.3 s later. Forms need no compositing, so it is off unless the user says otherwise
/// (`WEBKIT_DISABLE_COMPOSITING_MODE=0` turns it back on). A WebDriver screenshot then waits for
/// a repaint: see `Session::screenshot` in tests/webdriver.rs.
///
/// While compositing is off, the DMA-BUF renderer (pages handed to the window as GPU buffers) is
/// off too: the page arrives as shared memory anyway. For DMA-BUF, the app process opens an EGL
/// display of its own only to learn which render node the web process should use, and that loads
/// Mesa with its LLVM into the app process: the app alone went from 158 to 103 MB resident, the
/// app with its WebKit processes from 248 to 234 MB (login screen, launched directly under Xvfb,
/// each page counted once). Naming the node ourselves (`WEBKIT_WEB_RENDER_DEVICE_FILE`) spares
/// that display. WebKit opens the node only for DMA-BUF buffers, so when there is none (Xvfb,
/// most virtual machines) `/dev/null` stands for "no render node". The web process still opens
/// its own EGL display (WebKitGTK 2.50 aborts without one), so Mesa stays loaded there.
/// Each variable the user has set is left as it is; `WEBKIT_DISABLE_COMPOSITING_MODE=0` also
/// leaves the DMA-BUF renderer to WebKit, which composites through it.
///
/// With both off, the window draws no OpenGL either, so GTK's own OpenGL is off too
/// (`GDK_GL=disable`). On X11, GTK 3 opens the display by probing GLX to choose its visuals, which
/// loads Mesa with its LLVM into the app process, unless an earlier GTK 3 program on the same
/// display left its choice on the root window (the `GDK_VISUALS` property). So the first
/// launch on a display, the one on a fresh Xvfb for instance, took the app from 103 to 154 MB
/// resident and the app with its WebKit processes from 233 to 244 MB (login screen, launched
/// directly under Xvfb, each page counted once); later launches read the cached visuals and
/// gain nothing from it.
#[cfg(target_os = "linux")]
fn prefer_lean_webkit() {
    use std::env;
    // Before any other thread exists: nothing reads the environment concurrently.
    let compositing_off = match env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE") {
        None => {
            env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
            true
        }
        Some(v) => v != "0",
    };
    let dmabuf_off = match env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER") {
        None if compositing_off => {
            env::set_var("WEBKIT_DISABLE_DMABUF_RENDERER", "1");
            true
        }
        None => false,
        Some(v) => v != "0",
    };
    if dmabuf_off && env::var_os("WEBKIT_WEB_RENDER_DEVICE_FILE").is_none() {
        env::set_var("WEBKIT_WEB_RENDER_DEVICE_FILE", first_render_node());
    }
    if compositing_off && dmabuf_off && env::var_os("GDK_GL").is_none() {
        env::set_var("GDK_GL", "disable");
    }
}

/// The first DRM render node (`/dev/dri/renderD128`...), or `/dev/null` when there is none.
#[cfg(target_os = "linux")]
fn first_render_node() -> std::path::PathBuf {
    let mut nodes: Vec<std::path::PathBuf> = std::fs::read_dir("/dev/dri")
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("renderD"))
        .map(|e| e.path())
        .collect();
    nodes.sort();
    nodes
        .into_iter()
        .next()
        .unwrap_or_else(|| std::path::PathBuf::from("/dev/null"))
}

fn main() {
    #[cfg(target_os = "linux")]
    prefer_lean_webkit();
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
