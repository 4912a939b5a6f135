// The Tauri configuration lives at the repository root (tauri.conf.json, icons/); tauri-build
// reads it from the current directory, so run it from there. Capabilities stay in src-tauri/.
fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
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
