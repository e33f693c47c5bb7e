//! Paths given to a measurement program. `cargo bench` runs it in its
//! package's folder (`host-harness/benches`), not where the command was
//! typed, so a relative path that is not there is taken from the
//! repository's root: the commands in BENCHMARKS.md work as written.

use std::path::{Path, PathBuf};

/// The repository's root: two folders above this package's.
fn root() -> &'static Path {
    let package = Path::new(env!("CARGO_MANIFEST_DIR"));
    package.ancestors().nth(2).unwrap_or(package)
}

/// `arg` as a path: as given when it exists (or is absolute), else from
/// the repository's root.
pub fn given(arg: &str) -> PathBuf {
    let path = Path::new(arg);
    if path.is_absolute() || path.exists() {
        path.to_owned()
    } else {
        root().join(path)
    }
}
