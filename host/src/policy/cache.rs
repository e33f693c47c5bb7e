//! A precompiled-component cache on disk, so reloading a known policy skips
//! compilation.
//!
//! Entries are keyed by the component's sha256 and the engine's
//! compatibility hash (wasmtime version, target and the settings that affect
//! code), so an entry is only ever loaded by an engine that could have made
//! it. Loading an entry runs native code it contains: the directory must be
//! writable by the host alone.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use wasmtime::component::Component;

use super::PickerEngine;
use super::{compile, policy_name, sha256_hex, LoadError, Policy};

/// Compiled components on disk, by content hash and engine.
pub struct CompileCache {
    dir: PathBuf,
}

/// Whether a load came from the cache or compiled the component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheUse {
    /// Loaded from the cache.
    Hit,
    /// Compiled (and written to the cache).
    Miss,
}

impl CompileCache {
    /// A cache in `dir` (created when first written).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        CompileCache { dir: dir.into() }
    }

    /// `$XDG_CACHE_HOME/emailgen-picker` or `~/.cache/emailgen-picker`.
    pub fn default_dir() -> PathBuf {
        let base = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cache")))
            .unwrap_or_else(std::env::temp_dir);
        base.join("emailgen-picker")
    }

    /// Loads a policy from a file through the cache.
    pub fn load_file(&self, engine: &PickerEngine, path: &Path) -> Result<(Policy, CacheUse), LoadError> {
        let bytes =
            std::fs::read(path).map_err(|source| LoadError::Read { path: path.display().to_string(), source })?;
        self.load(engine, &policy_name(path), &bytes).map_err(|e| e.in_file(path))
    }

    /// Loads a policy from bytes through the cache.
    pub fn load(&self, engine: &PickerEngine, name: &str, bytes: &[u8]) -> Result<(Policy, CacheUse), LoadError> {
        let sha256 = sha256_hex(bytes);
        let entry = self.entry(engine, &sha256);
        if let Some(component) = read_entry(engine, &entry) {
            return Ok((Policy::from_component(engine, name, sha256, component)?, CacheUse::Hit));
        }
        let component = compile(engine, name, bytes)?;
        let policy = Policy::from_component(engine, name, sha256, component.clone())?;
        // Only checked policies are cached; a failed write costs a recompile
        // next time, nothing more.
        if let Err(err) = write_entry(&component, &entry) {
            tracing::warn!("cannot write compiled policy to {}: {err}", entry.display());
        }
        Ok((policy, CacheUse::Miss))
    }

    fn entry(&self, engine: &PickerEngine, sha256: &str) -> PathBuf {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.engine().precompile_compatibility_hash().hash(&mut hasher);
        self.dir.join(format!("{sha256}-{:016x}.cwasm", hasher.finish()))
    }
}

fn read_entry(engine: &PickerEngine, entry: &Path) -> Option<Component> {
    // Read into memory rather than map the file: a mapped file that someone
    // truncates later would crash the host with SIGBUS.
    let bytes = std::fs::read(entry).ok()?;
    // SAFETY: the entry was written by `write_entry` from a component this
    // host compiled with a compatible engine (the key says so), in a
    // directory only the host writes; wasmtime still checks the header.
    match unsafe { Component::deserialize(engine.engine(), &bytes) } {
        Ok(component) => Some(component),
        Err(err) => {
            tracing::warn!("ignoring unusable cache entry {}: {err}", entry.display());
            None
        }
    }
}

fn write_entry(component: &Component, entry: &Path) -> std::io::Result<()> {
    let dir = entry.parent().expect("entries live in the cache directory");
    std::fs::create_dir_all(dir)?;
    let bytes = component.serialize().map_err(|e| std::io::Error::other(e.to_string()))?;
    // Write then rename, so a reader never sees half an entry.
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let temp = dir.join(format!(".{}-{n}.tmp", std::process::id()));
    std::fs::write(&temp, bytes)?;
    std::fs::rename(&temp, entry)
}
