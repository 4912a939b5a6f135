// The Tauri configuration lives at the repository root (tauri.conf.json, icons/); tauri-build
// reads it from the current directory, so run it from there. Capabilities stay in src-tauri/.
fn main() {
    // The folder of this checkout when the script runs, not when it was compiled: a build cache
    // shared between checkouts reuses one compiled build script for all of them.
    let Some(manifest_dir) = std::env::var_os("CARGO_MANIFEST_DIR") else {
        panic!("cargo did not set CARGO_MANIFEST_DIR");
    };
    let root = std::path::Path::new(&manifest_dir).join("..");
    println!("cargo:rerun-if-changed=../tauri.conf.json");
    println!("cargo:rerun-if-changed=capabilities");
    if let Err(e) = std::env::set_current_dir(&root) {
        panic!("cannot enter the repository root {}: {e}", root.display());
    }
    let attrs =
        tauri_build::Attributes::new().capabilities_path_pattern("src-tauri/capabilities/**/*");
    if let Err(e) = tauri_build::try_build(attrs) {
        panic!("tauri-build: {e:#}");
    }
}
