//! The policies built into this host: the default policy (this
//! repository's root crate) and the realistic one (`policies/realistic`),
//! compiled for `wasm32-wasip2` by the build script and embedded.

use super::{LoadError, PickerEngine, Policy};

/// The default picker policy, built from this workspace and embedded.
#[cfg(feature = "builtin")]
pub const DEFAULT_POLICY_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/emailgen_picker.wasm"));
/// The realistic picker policy (`policies/realistic`), embedded.
#[cfg(feature = "builtin")]
pub const REALISTIC_POLICY_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/realistic_policy.wasm"));

/// The policies built into this host, by name.
#[cfg(feature = "builtin")]
pub const BUILTIN_POLICIES: &[(&str, &[u8])] =
    &[("default", DEFAULT_POLICY_WASM), ("realistic", REALISTIC_POLICY_WASM)];

/// The policies built into this host, by name: none without the `builtin`
/// feature.
#[cfg(not(feature = "builtin"))]
pub const BUILTIN_POLICIES: &[(&str, &[u8])] = &[];

impl Policy {
    /// The embedded default policy.
    #[cfg(feature = "builtin")]
    pub fn builtin(engine: &PickerEngine) -> Result<Self, LoadError> {
        Policy::from_bytes(engine, "default", DEFAULT_POLICY_WASM)
    }

    /// A built-in policy by name (`default`, `realistic`).
    pub fn named_builtin(engine: &PickerEngine, name: &str) -> Result<Self, LoadError> {
        match BUILTIN_POLICIES.iter().find(|(n, _)| *n == name) {
            Some((name, bytes)) => Policy::from_bytes(engine, name, bytes),
            None => Err(LoadError::UnknownBuiltin { name: name.into() }),
        }
    }
}
