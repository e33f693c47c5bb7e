//! Loading a policy: compiling a component and checking that it may run
//! here (its imports, its WIT version, its world).

use std::path::Path;

use sha2::{Digest, Sha256};
use wasmtime::component::{types::ComponentItem, Component, Linker};

use super::engine::PickerEngine;
use super::pool::{InstancePool, SharedPool};
use crate::bindings::{PickerPre, WIT_PACKAGE, WIT_VERSION};
use crate::outcome::PolicyId;
use crate::sandbox::trap::describe;
use crate::sandbox::wasi;
use crate::serve::{self, HostState};

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
}

impl LoadError {
    /// The same error, naming the policy by the file it came from rather
    /// than by its name, so the message says where the problem is.
    pub fn in_file(mut self, path: &Path) -> Self {
        match &mut self {
            LoadError::NotAComponent { name, .. }
            | LoadError::ForbiddenImport { name, .. }
            | LoadError::IncompatibleVersion { name, .. }
            | LoadError::WrongWorld { name, .. } => *name = path.display().to_string(),
            LoadError::Read { .. } | LoadError::UnknownBuiltin { .. } => {}
        }
        self
    }
}

/// The name a policy loaded from a file goes by: the file's name without
/// its extension.
pub fn policy_name(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "policy".into())
}

/// A compiled, checked policy, ready to instantiate, with its pool of warm
/// instances. Cheap to clone (the clones share the pool).
#[derive(Clone)]
pub struct Policy {
    id: PolicyId,
    engine: PickerEngine,
    pre: PickerPre<HostState>,
    /// The same component linked for instances whose store is awaited.
    #[cfg(feature = "async")]
    pre_async: crate::bindings::asynchronous::PickerPre<HostState>,
    pool: SharedPool,
}

impl Policy {
    /// A policy named on the command line: `builtin:NAME` or a file path.
    pub fn from_spec(engine: &PickerEngine, spec: &str) -> Result<Self, LoadError> {
        match spec.strip_prefix("builtin:") {
            Some(name) => Policy::named_builtin(engine, name),
            None => Policy::from_file(engine, Path::new(spec)),
        }
    }

    /// A policy from a component file, named by the file's stem.
    pub fn from_file(engine: &PickerEngine, path: &Path) -> Result<Self, LoadError> {
        let bytes =
            std::fs::read(path).map_err(|source| LoadError::Read { path: path.display().to_string(), source })?;
        Policy::from_bytes(engine, &policy_name(path), &bytes).map_err(|e| e.in_file(path))
    }

    /// Compiles and checks a component: it must be a component, import only
    /// the picker's interfaces and the allowed WASI, at a compatible version,
    /// and export `pick` with the right type.
    pub fn from_bytes(engine: &PickerEngine, name: &str, bytes: &[u8]) -> Result<Self, LoadError> {
        let component = compile(engine, name, bytes)?;
        Policy::from_component(engine, name, sha256_hex(bytes), component)
    }

    /// Checks an already compiled component (see [`super::cache`]).
    pub fn from_component(
        engine: &PickerEngine,
        name: &str,
        sha256: String,
        component: Component,
    ) -> Result<Self, LoadError> {
        let wit_version = check_imports(engine, &component, name)?;
        let wrong_world = |e: wasmtime::Error| LoadError::WrongWorld { name: name.into(), message: describe(&e) };
        let pre = pre(engine, &component).map_err(wrong_world)?;
        #[cfg(feature = "async")]
        let pre_async = pre_async(engine, &component).map_err(wrong_world)?;
        Ok(Policy {
            id: PolicyId { name: name.into(), sha256, wit_version },
            engine: engine.clone(),
            pre,
            #[cfg(feature = "async")]
            pre_async,
            pool: SharedPool::new(InstancePool::default()),
        })
    }

    /// Who this policy is.
    pub fn id(&self) -> &PolicyId {
        &self.id
    }

    /// The engine it was loaded on.
    pub fn engine(&self) -> &PickerEngine {
        &self.engine
    }

    /// The pre-instantiated component.
    pub(super) fn pre(&self) -> &PickerPre<HostState> {
        &self.pre
    }

    /// The pre-instantiated component, linked for instances whose store
    /// is awaited.
    #[cfg(feature = "async")]
    pub(super) fn pre_async(&self) -> &crate::bindings::asynchronous::PickerPre<HostState> {
        &self.pre_async
    }

    /// Its warm instances.
    pub(super) fn pool(&self) -> &InstancePool {
        &self.pool
    }

    /// How many of its instances are idle in its pool (synchronous,
    /// async): what the policy holds between picks.
    pub fn idle_instances(&self) -> (usize, usize) {
        self.pool.idle()
    }
}

/// The component linked for synchronous instances: the picker imports and
/// the allowed WASI.
fn pre(engine: &PickerEngine, component: &Component) -> wasmtime::Result<PickerPre<HostState>> {
    let mut linker = Linker::new(engine.engine());
    serve::add_to_linker(&mut linker)?;
    wasi::add_to_linker(&mut linker)?;
    PickerPre::new(linker.instantiate_pre(component)?)
}

/// The component linked for instances whose store is awaited.
#[cfg(feature = "async")]
fn pre_async(
    engine: &PickerEngine,
    component: &Component,
) -> wasmtime::Result<crate::bindings::asynchronous::PickerPre<HostState>> {
    let mut linker = Linker::new(engine.engine());
    serve::add_to_linker_async(&mut linker)?;
    wasi::add_to_linker_async(&mut linker)?;
    crate::bindings::asynchronous::PickerPre::new(linker.instantiate_pre(component)?)
}

/// Refuses imports outside the picker world and the allowed WASI; returns the
/// WIT version the component was built against.
fn check_imports(engine: &PickerEngine, component: &Component, name: &str) -> Result<String, LoadError> {
    let mut version = None;
    for (import, item) in component.component_type().imports(engine.engine()) {
        if !matches!(item.ty, ComponentItem::ComponentInstance(_)) {
            return Err(LoadError::ForbiddenImport { name: name.into(), import: import.into() });
        }
        let (interface, found) = import.split_once('@').unwrap_or((import, ""));
        if interface.starts_with(WIT_PACKAGE) {
            if !compatible(found) {
                return Err(LoadError::IncompatibleVersion {
                    name: name.into(),
                    package: WIT_PACKAGE,
                    found: found.into(),
                    supported: WIT_VERSION,
                });
            }
            version = Some(found.to_owned());
        } else if !wasi::ALLOWED_WASI.contains(&interface) {
            return Err(LoadError::ForbiddenImport { name: name.into(), import: import.into() });
        }
    }
    Ok(version.unwrap_or_else(|| WIT_VERSION.into()))
}

/// Semver compatibility with the host's WIT version: same major, and while
/// the major is 0, the same minor; a newer patch is fine.
fn compatible(found: &str) -> bool {
    let (Ok(found), Ok(ours)) = (semver::Version::parse(found), semver::Version::parse(WIT_VERSION)) else {
        return false;
    };
    found.major == ours.major && (ours.major != 0 || found.minor == ours.minor)
}

/// Compiles a component (no checks yet).
pub fn compile(engine: &PickerEngine, name: &str, bytes: &[u8]) -> Result<Component, LoadError> {
    Component::new(engine.engine(), bytes)
        .map_err(|e| LoadError::NotAComponent { name: name.into(), message: describe(&e) })
}

/// The content hash that identifies a policy.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
