//! Reading a component before compiling it: what it imports and exports,
//! the WIT version it was built against, and the memory it needs to start.
//!
//! Compiling a large component takes seconds and hundreds of MiB; a
//! component the host would refuse anyway is refused here instead, for
//! about what reading its bytes costs (the sections are walked, no code is
//! validated or compiled).

use wasmparser::{ComponentExternalKind, ComponentTypeRef, Encoding, Parser, Payload};

use super::error::LoadError;
use crate::bindings::{WIT_PACKAGE, WIT_VERSION};
use crate::sandbox::wasi::ALLOWED_WASI;
use crate::sandbox::Limits;

/// What reading a component found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    /// The component's imports, in order.
    pub imports: Vec<String>,
    /// The version of `decnet:emailgen` it imports (the host's when it
    /// imports none of its interfaces).
    pub wit_version: String,
    /// The largest linear memory it starts with, in bytes.
    pub memory_bytes: u64,
}

/// Reads `bytes` as a picker policy, refusing what the host would refuse
/// after compiling: a size past `limits.max_policy_bytes`, something that
/// is not a component, an import outside the picker world and the allowed
/// WASI, a WIT version the host does not implement, no `pick` export, a
/// memory that starts larger than `limits.memory_bytes`.
pub fn inspect(name: &str, bytes: &[u8], limits: &Limits) -> Result<Inspection, LoadError> {
    check_size(name, bytes.len() as u64, limits)?;
    let not_a_component = |message: String| LoadError::NotAComponent { name: name.into(), message };
    let (mut depth, mut imports, mut exports_pick, mut memory_bytes) = (0usize, Vec::new(), false, 0u64);
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| not_a_component(e.to_string()))?;
        match payload {
            Payload::Version { encoding, .. } => {
                if depth == 0 && encoding != Encoding::Component {
                    return Err(not_a_component(
                        "it is a core WebAssembly module; a policy is a component (build for wasm32-wasip2, \
                         or wrap it with `wasm-tools component new`)"
                            .into(),
                    ));
                }
                depth += 1;
            }
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(reader) if depth == 1 => {
                for import in reader {
                    let import = import.map_err(|e| not_a_component(e.to_string()))?;
                    match import.ty {
                        // A type a world uses (`pick-options`, …): it grants
                        // nothing.
                        ComponentTypeRef::Type(_) => {}
                        ComponentTypeRef::Instance(_) => imports.push(import.name.name.to_owned()),
                        _ => {
                            let import = import.name.name.to_owned();
                            return Err(LoadError::ForbiddenImport { name: name.into(), import });
                        }
                    }
                }
            }
            Payload::ComponentExportSection(reader) if depth == 1 => {
                for export in reader {
                    let export = export.map_err(|e| not_a_component(e.to_string()))?;
                    exports_pick |= export.name.name == "pick" && export.kind == ComponentExternalKind::Func;
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    let memory = memory.map_err(|e| not_a_component(e.to_string()))?;
                    let page = 1u64 << memory.page_size_log2.unwrap_or(16);
                    memory_bytes = memory_bytes.max(memory.initial.saturating_mul(page));
                }
            }
            _ => {}
        }
    }
    let wit_version = check_imports(name, &imports)?;
    if !exports_pick {
        return Err(LoadError::WrongWorld {
            name: name.into(),
            message: "it exports no `pick` function: it is not a picker policy (world decnet:emailgen/picker)".into(),
        });
    }
    if memory_bytes > limits.memory_bytes as u64 {
        return Err(LoadError::MemoryTooLarge {
            name: name.into(),
            needs_mib: mib(memory_bytes),
            limit_mib: mib(limits.memory_bytes as u64),
        });
    }
    Ok(Inspection { imports, wit_version, memory_bytes })
}

/// Refuses a policy file larger than the limit, before reading it whole.
pub fn check_size(name: &str, size: u64, limits: &Limits) -> Result<(), LoadError> {
    match size > limits.max_policy_bytes {
        true => {
            Err(LoadError::TooLarge { name: name.into(), size_mib: mib(size), limit_mib: mib(limits.max_policy_bytes) })
        }
        false => Ok(()),
    }
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / f64::from(1u32 << 20)
}

/// Refuses imports outside the picker world and the allowed WASI; the WIT
/// version the component was built against.
pub(super) fn check_imports(name: &str, imports: &[String]) -> Result<String, LoadError> {
    let mut version = None;
    for import in imports {
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
        } else if !ALLOWED_WASI.contains(&interface) {
            return Err(LoadError::ForbiddenImport { name: name.into(), import: import.clone() });
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
