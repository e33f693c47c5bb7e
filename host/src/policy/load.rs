//! Loading a policy: checking that it may run here (its size, imports, WIT
//! version, world and memory, read before anything is compiled: see
//! `inspect`), then compiling and linking it.

use std::path::Path;

use sha2::{Digest, Sha256};
use wasmtime::component::{types::ComponentItem, Component, Linker};

use super::engine::PickerEngine;
use super::error::LoadError;
use super::inspect::{check_imports, check_size, inspect};
use super::pool::{InstancePool, SharedPool};
use crate::bindings::PickerPre;
use crate::outcome::PolicyId;
use crate::sandbox::trap::describe;
use crate::sandbox::wasi;
use crate::serve::{self, HostState};

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
        let bytes = read_policy_file(engine, path)?;
        Policy::from_bytes(engine, &policy_name(path), &bytes).map_err(|e| e.in_file(path))
    }

    /// Checks and compiles a component: it must be a component within the
    /// size and memory limits, import only the picker's interfaces and the
    /// allowed WASI, at a compatible version, and export `pick` (all read
    /// before compiling), with the right types (checked after).
    pub fn from_bytes(engine: &PickerEngine, name: &str, bytes: &[u8]) -> Result<Self, LoadError> {
        inspect(name, bytes, engine.limits())?;
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
        let imports: Vec<String> = component
            .component_type()
            .imports(engine.engine())
            .map(|(import, item)| match item.ty {
                ComponentItem::ComponentInstance(_) => Ok(import.to_owned()),
                _ => Err(LoadError::ForbiddenImport { name: name.into(), import: import.into() }),
            })
            .collect::<Result<_, _>>()?;
        let wit_version = check_imports(name, &imports)?;
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

/// Reads a policy file, refusing one past the size limit before reading it.
pub fn read_policy_file(engine: &PickerEngine, path: &Path) -> Result<Vec<u8>, LoadError> {
    let read_error = |source| LoadError::Read { path: path.display().to_string(), source };
    let size = std::fs::metadata(path).map_err(read_error)?.len();
    check_size(&policy_name(path), size, engine.limits()).map_err(|e| e.in_file(path))?;
    std::fs::read(path).map_err(read_error)
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
