//! Builds the picker policy components this library embeds (the `builtin`
//! feature).
//!
//! The guests are compiled for `wasm32-wasip2` by a nested cargo, into a
//! target directory shared with the tests' fixture builds (`build/guests.rs`).
//! Custom sections (debug names, producers) are dropped from what is
//! embedded.

use std::env;
use std::path::{Path, PathBuf};

#[path = "build/custom_sections.rs"]
mod custom_sections;
#[path = "build/guests.rs"]
mod guests;

/// (cargo package, file name of its component). Built one cargo call each:
/// each call unifies features for its own package only (a policy crate
/// rebuilds `emailgen-picker` without the default policy's export).
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
    for watched in ["src", "wit", "policies", "kit", "domain", "Cargo.toml", "Cargo.lock", ".cargo"] {
        println!("cargo:rerun-if-changed={}", workspace.join(watched).display());
    }
    let target_dir = guests::guest_target_dir(&outer_target_dir(&out_dir));
    for (package, file) in GUESTS {
        let bytes = guests::build_component(workspace, &target_dir, package, &[]).unwrap_or_else(|why| panic!("{why}"));
        let stripped = custom_sections::strip(&bytes).unwrap_or_else(|why| panic!("cannot strip {package}: {why}"));
        std::fs::write(out_dir.join(file), stripped).expect("write the component into OUT_DIR");
    }
}

/// The outer build's target directory: `OUT_DIR` is
/// `<target>[/<triple>]/<profile>/build/<package>-<hash>/out`. Anything
/// else (a build system of its own), and the guests build under `OUT_DIR`.
fn outer_target_dir(out_dir: &Path) -> PathBuf {
    let build = out_dir.ancestors().nth(2);
    match (build, out_dir.ancestors().nth(4)) {
        (Some(build), Some(target)) if build.file_name().is_some_and(|n| n == "build") => target.to_path_buf(),
        _ => out_dir.to_path_buf(),
    }
}
