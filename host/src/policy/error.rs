//! Why a component could not become a policy: each refusal says what is
//! wrong, in the operator's units, naming the policy (or its file).

use std::path::Path;

/// Why a component could not become a policy.
#[derive(Debug, thiserror::Error)]
///
/// `name` is the policy's name, or the file it came from.
#[allow(missing_docs)] // The fields are the message's parts.
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read policy {path}: {source}")]
    Read { path: String, source: std::io::Error },
    /// The bytes are not a WebAssembly component wasmtime can compile.
    #[error("policy {name} is not a valid WebAssembly component: {message}")]
    NotAComponent { name: String, message: String },
    /// The component imports something outside the picker world and the
    /// allowed WASI.
    #[error("policy {name} imports {import}, which picker policies may not use")]
    ForbiddenImport { name: String, import: String },
    /// The component was built against a WIT version this host does not
    /// implement.
    #[error("policy {name} was built against {package}@{found}, but this host implements {package}@{supported}")]
    IncompatibleVersion { name: String, package: &'static str, found: String, supported: &'static str },
    /// No built-in policy has that name.
    #[error("there is no built-in policy {name:?} (built in: default, realistic)")]
    UnknownBuiltin { name: String },
    /// The component's imports or exports do not have the picker world's
    /// types.
    #[error("policy {name} does not fit the picker world: {message}")]
    WrongWorld { name: String, message: String },
    /// The component is larger than `Limits::max_policy_bytes`.
    #[error("policy {name} is {size_mib:.2} MiB; the largest policy this host loads is {limit_mib:.2} MiB")]
    TooLarge { name: String, size_mib: f64, limit_mib: f64 },
    /// The compile cache's directory is not this user's alone.
    #[error("compile cache {dir} cannot be used: {why}")]
    UnsafeCache { dir: String, why: String },
    /// The component's memory starts larger than `Limits::memory_bytes`.
    #[error(
        "policy {name} needs at least {needs_mib:.2} MiB of memory to start; the limit is {limit_mib:.2} MiB \
         (--memory-mib, Limits.memory_mib)"
    )]
    MemoryTooLarge { name: String, needs_mib: f64, limit_mib: f64 },
}

impl LoadError {
    /// The same error, naming the policy by the file it came from rather
    /// than by its name, so the message says where the problem is.
    pub fn in_file(mut self, path: &Path) -> Self {
        match &mut self {
            LoadError::NotAComponent { name, .. }
            | LoadError::ForbiddenImport { name, .. }
            | LoadError::IncompatibleVersion { name, .. }
            | LoadError::WrongWorld { name, .. }
            | LoadError::TooLarge { name, .. }
            | LoadError::MemoryTooLarge { name, .. } => *name = path.display().to_string(),
            LoadError::Read { .. } | LoadError::UnknownBuiltin { .. } | LoadError::UnsafeCache { .. } => {}
        }
        self
    }
}
