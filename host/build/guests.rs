//! Building policy components for `wasm32-wasip2` with a nested cargo.
//!
//! The host's build script (the built-in policies) and the tests (fixture
//! policies) build into one target directory, `wasm-guests` inside the
//! outer one, so the guests' dependencies (serde, wit-bindgen and its
//! macro) compile once for both, and once for every build of the host
//! (debug, release, the Python package's). It is not the outer build's
//! own target directory: a nested cargo there would wait forever on the
//! outer build's lock. Used by `host/build.rs` and
//! `tests/integration/common/fixtures.rs` (through `#[path]`).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The guests' target directory inside an outer target directory.
pub fn guest_target_dir(outer_target: &Path) -> PathBuf {
    outer_target.join("wasm-guests")
}

/// Builds `package` (with `features` on top of its defaults) for
/// wasm32-wasip2 with the `guest` profile and returns its component's
/// bytes. Builds and reads under a lock on the target directory: builds
/// of another package or feature set rewrite shared outputs (a policy
/// crate rebuilds `emailgen-picker` without the default policy's export),
/// so nothing else may build between this build and this read.
pub fn build_component(
    workspace: &Path,
    target_dir: &Path,
    package: &str,
    features: &[&str],
) -> Result<Vec<u8>, String> {
    std::fs::create_dir_all(target_dir).map_err(|e| format!("cannot create {}: {e}", target_dir.display()))?;
    let lock_path = target_dir.join(".component-lock");
    let lock = File::create(&lock_path).map_err(|e| format!("cannot create {}: {e}", lock_path.display()))?;
    lock.lock().map_err(|e| format!("cannot lock {}: {e}", lock_path.display()))?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace)
        .args(["build", "--lib", "--package", package, "--target", "wasm32-wasip2", "--profile", "guest"])
        .arg("--target-dir")
        .arg(target_dir)
        // The outer build's settings are for the host, not for the guest
        // (and would change the guests' fingerprints between callers).
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_PROFILE_RELEASE_LTO");
    if !features.is_empty() {
        command.args(["--features", &features.join(",")]);
    }
    let status = command.status().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!(
            "building `{package}` {features:?} for wasm32-wasip2 failed; \
             if the target is missing, run `rustup target add wasm32-wasip2`"
        ));
    }
    let built = target_dir.join("wasm32-wasip2/guest").join(format!("{}.wasm", package.replace('-', "_")));
    std::fs::read(&built).map_err(|e| format!("cannot read {}: {e}", built.display()))
}
