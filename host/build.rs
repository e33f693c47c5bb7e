//! Builds the picker policy components this library embeds (the `builtin`
//! feature).
//!
//! The guests are compiled for `wasm32-wasip2` by a nested cargo that uses a
//! target directory of its own under `OUT_DIR`: a nested cargo on the outer
//! build's target directory would wait forever on its lock. Custom sections
//! (debug names, producers) are dropped from what is embedded.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "build/custom_sections.rs"]
mod custom_sections;

/// (cargo package, file name of its component). Built one cargo call each,
/// and copied out straight away: each call unifies features for its own
/// package only, and a policy crate rebuilds `emailgen-picker` without the
/// default policy's export (which also rewrites that crate's `.wasm`).
const GUESTS: &[(&str, &str)] =
    &[("realistic-policy", "realistic_policy.wasm"), ("emailgen-picker", "emailgen_picker.wasm")];

fn main() {
    // Without the `builtin` feature nothing is embedded, and no guest built.
    if env::var_os("CARGO_FEATURE_BUILTIN").is_none() {
        return;
    }
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let workspace = manifest_dir.parent().expect("the host crate lives inside the workspace");
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());
    for watched in ["src", "wit", "policies", "Cargo.toml", "Cargo.lock", ".cargo"] {
        println!("cargo:rerun-if-changed={}", workspace.join(watched).display());
    }
    for (package, file) in GUESTS {
        let built = build_guest(workspace, &out_dir.join("guest-target"), package, file);
        let bytes = std::fs::read(&built).expect("read the built component");
        let stripped =
            custom_sections::strip(&bytes).unwrap_or_else(|why| panic!("cannot strip {}: {why}", built.display()));
        std::fs::write(out_dir.join(file), stripped).expect("write the component into OUT_DIR");
    }
}

fn build_guest(workspace: &Path, target_dir: &Path, package: &str, file: &str) -> PathBuf {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(workspace)
        .args(["build", "--lib", "--package", package, "--target", "wasm32-wasip2", "--profile", "guest"])
        .arg("--target-dir")
        .arg(target_dir)
        // The outer build's flags are for the host, not for the guest.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_PROFILE_RELEASE_LTO")
        .status()
        .expect("run cargo to build the guest component");
    if !status.success() {
        panic!(
            "building the guest component `{package}` for wasm32-wasip2 failed; \
             if the target is missing, run `rustup target add wasm32-wasip2`"
        );
    }
    target_dir.join("wasm32-wasip2").join("guest").join(file)
}
