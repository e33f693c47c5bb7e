//! Test-only policy components, built from `tests/fixtures/` by the tests
//! themselves, into the target directory the host's build script builds
//! the built-in policies in (`host/build/guests.rs`): the guests'
//! dependencies are compiled already.

use std::path::{Path, PathBuf};

#[path = "../../../host/build/guests.rs"]
mod guests;

/// The outer target directory: the one this test executable was built in
/// (`<target>/<profile>/deps/<test>`), wherever cargo was told to put it
/// (`CARGO_TARGET_DIR`, `build.target-dir`), as the build script finds it.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    exe.ancestors().nth(3).expect("a test executable inside a target directory").to_path_buf()
}

/// Builds `package` for wasm32-wasip2 with `features` and returns the path
/// of a copy of its component named `name`.
pub fn build_fixture(package: &str, features: &[&str], name: &str) -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target_dir = guests::guest_target_dir(&target_dir());
    let bytes =
        guests::build_component(workspace, &target_dir, package, features).unwrap_or_else(|why| panic!("{why}"));
    let copy = target_dir.join(name);
    std::fs::write(&copy, bytes).expect("write the fixture component");
    copy
}
