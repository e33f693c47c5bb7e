//! Test-only policy components, built from `tests/fixtures/` by the tests
//! themselves into a target directory of their own.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// Builds `package` for wasm32-wasip2 with `features` and returns the path
/// of a copy of its component named `name`.
pub fn build_fixture(package: &str, features: &[&str], name: &str) -> PathBuf {
    // One build at a time: variants of one package share an output name.
    static BUILD: Mutex<()> = Mutex::new(());
    let _guard = BUILD.lock().unwrap_or_else(|p| p.into_inner());
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target_dir = workspace.join("target").join("policy-fixtures");
    let mut cargo = Command::new(env!("CARGO"));
    cargo
        .current_dir(workspace)
        .args(["build", "--lib", "--quiet", "--package", package, "--target", "wasm32-wasip2", "--profile", "guest"])
        .arg("--target-dir")
        .arg(&target_dir)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    if !features.is_empty() {
        cargo.args(["--features", &features.join(",")]);
    }
    let status = cargo.status().expect("run cargo to build a test fixture");
    assert!(status.success(), "building fixture {package} {features:?} failed");
    let built = target_dir.join("wasm32-wasip2/guest").join(format!("{}.wasm", package.replace('-', "_")));
    let copy = target_dir.join(name);
    std::fs::copy(&built, &copy).expect("copy the fixture component");
    copy
}
