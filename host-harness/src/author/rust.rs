//! Rust policies: a crate on the policy kit (`kit/rust`), built with cargo
//! for wasm32-wasip2.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

const CARGO_TOML: &str = include_str!("../../templates/rust/Cargo.toml.in");
const LIB_RS: &str = include_str!("../../templates/rust/src/lib.rs");
const OFFICE: &str = include_str!("../../templates/rust/scenarios/office.json");
const README: &str = include_str!("../../templates/rust/README.md");
const CARGO_CONFIG: &str = include_str!("../../templates/rust/cargo/config.toml");
const GITIGNORE: &str = include_str!("../../templates/rust/gitignore");

/// A new policy crate named `name` in `dir`, depending on the kit in `repo`.
/// The repository's `Cargo.lock` comes along, so the policy builds with the
/// versions the kit is tested with (and offline, from cargo's cache).
pub fn new_policy(dir: &Path, name: &str, repo: &Path) -> Result<Vec<PathBuf>, String> {
    let kit = repo.join("kit/rust");
    let manifest = CARGO_TOML.replace("{name}", name).replace("{kit}", &toml_string(&kit.to_string_lossy()));
    let lock = std::fs::read_to_string(repo.join("Cargo.lock")).unwrap_or_default();
    let toolchain = std::fs::read_to_string(repo.join("rust-toolchain.toml")).unwrap_or_default();
    let mut files = vec![
        ("Cargo.toml", manifest),
        ("src/lib.rs", LIB_RS.to_owned()),
        ("scenarios/office.json", OFFICE.to_owned()),
        ("README.md", README.replace("{name}", name)),
        (".cargo/config.toml", CARGO_CONFIG.to_owned()),
        (".gitignore", GITIGNORE.to_owned()),
    ];
    if !lock.is_empty() {
        files.push(("Cargo.lock", lock));
    }
    if !toolchain.is_empty() {
        files.push(("rust-toolchain.toml", toolchain));
    }
    super::write_files(dir, &files)
}

/// A path inside a TOML basic string.
fn toml_string(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// `cargo build --release --target wasm32-wasip2` in `dir`; the component
/// is the library target's `.wasm`.
pub fn build(dir: &Path, progress: &mut dyn FnMut(&str)) -> Result<PathBuf, String> {
    let manifest = dir.join("Cargo.toml");
    let metadata = metadata(&manifest)?;
    let package = metadata.packages.first().ok_or("cargo metadata lists no package")?;
    let lib = package.targets.iter().find(|t| t.crate_types.iter().any(|k| k == "cdylib")).ok_or_else(|| {
        format!("{} has no cdylib library target: a policy needs `crate-type = [\"cdylib\"]`", manifest.display())
    })?;
    progress(&format!("building {} for wasm32-wasip2 (cargo build --release)", package.name));
    let status = Command::new(cargo())
        .arg("build")
        .arg("--manifest-path")
        .arg(&manifest)
        .args(["--lib", "--release", "--target", "wasm32-wasip2"])
        .env_remove("CARGO_BUILD_TARGET")
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!(
            "cargo could not build {} (its errors are above); if the target is missing, run `rustup target add wasm32-wasip2`",
            package.name
        ));
    }
    let component = Path::new(&metadata.target_directory)
        .join("wasm32-wasip2/release")
        .join(format!("{}.wasm", lib.name.replace('-', "_")));
    match component.is_file() {
        true => Ok(component),
        false => Err(format!("cargo succeeded but {} is missing", component.display())),
    }
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

#[derive(Deserialize)]
struct Metadata {
    packages: Vec<Package>,
    target_directory: String,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    targets: Vec<Target>,
}

#[derive(Deserialize)]
struct Target {
    name: String,
    crate_types: Vec<String>,
}

fn metadata(manifest: &Path) -> Result<Metadata, String> {
    let output = Command::new(cargo())
        .arg("metadata")
        .arg("--manifest-path")
        .arg(manifest)
        .args(["--no-deps", "--format-version", "1"])
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        let why = String::from_utf8_lossy(&output.stderr);
        return Err(format!("cargo cannot read {}: {}", manifest.display(), why.trim()));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("cargo metadata said something unexpected: {e}"))
}
