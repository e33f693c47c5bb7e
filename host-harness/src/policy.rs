//! Picker policies: loading and checking a component, and running picks on
//! an instance of it.

use std::path::Path;

use emailgen_picker::PickOptions;
use sha2::{Digest, Sha256};
use wasmtime::component::{types::ComponentItem, Component, Linker, ResourceTableError};
use wasmtime::{Store, Trap};

use crate::bindings::{Picker, PickerPre, WIT_PACKAGE, WIT_VERSION};
use crate::engine::PickerEngine;
use crate::imports::{Clock, HostState, SharedMailStore};
use crate::outcome::{ErrorKind, PickOutcome};
use crate::trap::{describe, is_hostcall_fuel_exhausted, DeadlineReached, PolicyViolation};
use crate::{convert, validate, wasi};

/// The default picker policy, built from this workspace and embedded.
pub const DEFAULT_POLICY_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/emailgen_picker.wasm"));
/// The realistic picker policy (`policies/realistic`), embedded.
pub const REALISTIC_POLICY_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/realistic_policy.wasm"));

/// The policies built into this host, by name.
pub const BUILTIN_POLICIES: &[(&str, &[u8])] =
    &[("default", DEFAULT_POLICY_WASM), ("realistic", REALISTIC_POLICY_WASM)];

/// Why a component could not become a policy.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read policy {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("policy {name} is not a valid WebAssembly component: {message}")]
    NotAComponent { name: String, message: String },
    #[error("policy {name} imports {import}, which picker policies may not use")]
    ForbiddenImport { name: String, import: String },
    #[error("policy {name} was built against {package}@{found}, but this host implements {package}@{supported}")]
    IncompatibleVersion { name: String, package: &'static str, found: String, supported: &'static str },
    #[error("there is no built-in policy {name:?} (built in: default, realistic)")]
    UnknownBuiltin { name: String },
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

/// Who produced an outcome: the policy's name, content hash and WIT version.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PolicyId {
    pub name: String,
    pub sha256: String,
    pub wit_version: String,
}

/// A compiled, checked policy, ready to instantiate. Cheap to clone.
#[derive(Clone)]
pub struct Policy {
    id: PolicyId,
    engine: PickerEngine,
    pre: PickerPre<HostState>,
}

impl Policy {
    /// The embedded default policy.
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

    /// A policy named on the command line: `builtin:NAME` or a file path.
    pub fn from_spec(engine: &PickerEngine, spec: &str) -> Result<Self, LoadError> {
        match spec.strip_prefix("builtin:") {
            Some(name) => Policy::named_builtin(engine, name),
            None => Policy::from_file(engine, Path::new(spec)),
        }
    }

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

    /// Checks an already compiled component (see [`crate::cache`]).
    pub fn from_component(
        engine: &PickerEngine,
        name: &str,
        sha256: String,
        component: Component,
    ) -> Result<Self, LoadError> {
        let wit_version = check_imports(engine, &component, name)?;
        let mut linker = Linker::new(engine.engine());
        link(&mut linker).map_err(|e| LoadError::WrongWorld { name: name.into(), message: describe(&e) })?;
        let pre = linker
            .instantiate_pre(&component)
            .and_then(PickerPre::new)
            .map_err(|e| LoadError::WrongWorld { name: name.into(), message: describe(&e) })?;
        Ok(Policy { id: PolicyId { name: name.into(), sha256, wit_version }, engine: engine.clone(), pre })
    }

    pub fn id(&self) -> &PolicyId {
        &self.id
    }

    pub fn engine(&self) -> &PickerEngine {
        &self.engine
    }

    /// A warm instance that picks against `mail`.
    pub fn instance(&self, mail: SharedMailStore, clock: Clock) -> PolicyInstance {
        PolicyInstance { policy: self.clone(), mail, clock, live: None }
    }

    /// One pick on a fresh instance, dropped afterwards.
    pub fn pick_fresh(&self, mail: SharedMailStore, clock: Clock, options: &PickOptions) -> PickOutcome {
        self.instance(mail, clock).pick(options)
    }
}

/// Links the picker imports and the allowed WASI.
fn link(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    Picker::add_to_linker::<_, wasmtime::component::HasSelf<_>>(linker, |state| state)?;
    wasi::add_to_linker(linker)
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

/// A policy instance bound to a store. Reused across picks while it is
/// healthy; after a trap (which poisons a wasmtime store) it is discarded and
/// the next pick runs on a fresh one.
pub struct PolicyInstance {
    policy: Policy,
    mail: SharedMailStore,
    clock: Clock,
    live: Option<(Store<HostState>, Picker)>,
}

impl PolicyInstance {
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn pick(&mut self, options: &PickOptions) -> PickOutcome {
        let (mut store, bindings) = match self.live.take() {
            Some(live) => live,
            None => match self.instantiate() {
                Ok(live) => live,
                Err(outcome) => return *outcome,
            },
        };
        let engine = &self.policy.engine;
        store.set_epoch_deadline(engine.limits().deadline_ticks());
        store.data_mut().begin_pick(engine.epochs().deadline(engine.limits()));
        match bindings.call_pick(&mut store, convert::pick_options(options)) {
            Ok(outcome) => {
                let accepted = validate::accept(outcome, store.data().served());
                self.live = Some((store, bindings));
                accepted
                    .unwrap_or_else(|violation| PickOutcome::error(ErrorKind::PolicyViolation, violation.to_string()))
            }
            Err(err) => classify(err, &mut store),
        }
    }

    /// Bytes of linear memory the live instance holds (0 when none is live).
    pub fn guest_memory_bytes(&mut self) -> usize {
        let Some((store, _)) = &mut self.live else { return 0 };
        store.data_mut().limiter().peak_memory_bytes()
    }

    fn instantiate(&self) -> Result<(Store<HostState>, Picker), Box<PickOutcome>> {
        let limits = self.policy.engine.limits();
        let state = HostState::new(self.mail.clone(), self.clock.clone(), &self.policy.engine);
        let mut store = Store::new(self.policy.engine.engine(), state);
        store.limiter(|state| state.limiter());
        store.set_epoch_deadline(limits.deadline_ticks());
        store.data_mut().begin_pick(self.policy.engine.epochs().deadline(limits));
        // What one call may make the host allocate: wasmtime counts it while
        // lifting the call's arguments (or the answer), before the host
        // sees them.
        store.set_hostcall_fuel(limits.max_call_bytes);
        store.set_max_component_handles(limits.max_resource_handles);
        match self.policy.pre.instantiate(&mut store) {
            Ok(bindings) => Ok((store, bindings)),
            Err(err) => Err(Box::new(classify(err, &mut store))),
        }
    }
}

/// Turns a failed call into the error outcome that says what happened,
/// with the whole cause (but not the wasm backtrace).
fn classify(err: wasmtime::Error, store: &mut Store<HostState>) -> PickOutcome {
    let limits = store.data().limits().clone();
    if store.data_mut().limiter().take_denied() {
        return PickOutcome::error(
            ErrorKind::Memory,
            format!("policy exceeded its memory limit of {} bytes: {}", limits.memory_bytes, describe(&err)),
        );
    }
    if let Some(violation) = err.downcast_ref::<PolicyViolation>() {
        return PickOutcome::error(ErrorKind::PolicyViolation, violation.to_string());
    }
    let deadline = limits.deadline.as_millis();
    if let Some(reached) = err.downcast_ref::<DeadlineReached>() {
        return PickOutcome::error(
            ErrorKind::Deadline,
            format!("policy ran past its deadline of {deadline} ms: {reached}"),
        );
    }
    if is_hostcall_fuel_exhausted(&err) {
        return PickOutcome::error(
            ErrorKind::PolicyViolation,
            format!(
                "policy violation: one call handed the host more than {} bytes (an import's arguments or the answer): {}",
                limits.max_call_bytes,
                describe(&err)
            ),
        );
    }
    if matches!(err.downcast_ref::<ResourceTableError>(), Some(ResourceTableError::Full)) {
        return PickOutcome::error(
            ErrorKind::PolicyViolation,
            format!(
                "policy violation: the policy held more than {} resource handles at once: {}",
                limits.max_resource_handles,
                describe(&err)
            ),
        );
    }
    if let Some(exit) = err.downcast_ref::<wasmtime_wasi::I32Exit>() {
        return PickOutcome::error(ErrorKind::Trap, format!("policy trapped: it called exit with status {}", exit.0));
    }
    match err.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => {
            PickOutcome::error(ErrorKind::Deadline, format!("policy ran past its deadline of {deadline} ms"))
        }
        Some(Trap::OutOfFuel) => PickOutcome::error(ErrorKind::Deadline, "policy ran out of fuel"),
        Some(_) => PickOutcome::error(ErrorKind::Trap, format!("policy trapped: {}", describe(&err))),
        None => PickOutcome::error(ErrorKind::Trap, format!("policy failed: {}", describe(&err))),
    }
}
