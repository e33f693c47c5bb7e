//! A cache of compiled components on disk, so that loading a known policy
//! reads native code instead of compiling (an 18 MiB component takes
//! seconds to compile, and milliseconds to load from here).
//!
//! An entry is native code the host will run, so the cache is guarded:
//!
//! - **keyed** by the component's sha256 and a hash of the engine's
//!   configuration and wasmtime version (what decides whether compiled
//!   code fits), so an entry is only ever loaded by an engine that could
//!   have made it;
//! - **owned**: the directory is created owner-only (0700) and used only if
//!   it belongs to this user and nobody else may write to it; entries are
//!   written owner-only (0600), whole (write, then rename);
//! - **verified**: each entry starts with the sha256 of what follows, checked
//!   before wasmtime sees the code; a corrupt entry is removed and the
//!   component compiled again;
//! - **bounded**: past `max_bytes` (1 GiB by default) the entries used least
//!   recently are removed.

use std::fs::{self, File, OpenOptions};
use std::hash::Hash;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};
use wasmtime::component::Component;

use super::error::LoadError;
use super::inspect::inspect;
use super::load::{compile, policy_name, read_policy_file, sha256_hex, Policy};
use super::PickerEngine;

/// The default size cap of a cache directory.
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;

/// Compiled components on disk, by content hash and engine.
pub struct CompileCache {
    dir: PathBuf,
    max_bytes: u64,
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
    /// A cache in `dir` (created, owner-only, when first used), capped at
    /// [`DEFAULT_MAX_BYTES`].
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        CompileCache { dir: dir.into(), max_bytes: DEFAULT_MAX_BYTES }
    }

    /// The same cache, capped at `max_bytes`.
    pub fn with_max_bytes(self, max_bytes: u64) -> Self {
        CompileCache { max_bytes, ..self }
    }

    /// The per-user default: `$XDG_CACHE_HOME/emailgen-picker`, else
    /// `~/.cache/emailgen-picker`, else a directory of this user's in the
    /// system's temporary directory.
    pub fn default_dir() -> PathBuf {
        let base = std::env::var_os("XDG_CACHE_HOME")
            .filter(|dir| !dir.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cache")));
        match base {
            Some(base) => base.join("emailgen-picker"),
            None => std::env::temp_dir().join(format!("emailgen-picker-{}", user_id())),
        }
    }

    /// The cache's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Loads a policy from a file through the cache.
    pub fn load_file(&self, engine: &PickerEngine, path: &Path) -> Result<(Policy, CacheUse), LoadError> {
        let bytes = read_policy_file(engine, path)?;
        self.load(engine, &policy_name(path), &bytes).map_err(|e| e.in_file(path))
    }

    /// Loads a policy from bytes through the cache: checked first (as
    /// `Policy::from_bytes` checks), then read from the cache or compiled
    /// and written to it.
    pub fn load(&self, engine: &PickerEngine, name: &str, bytes: &[u8]) -> Result<(Policy, CacheUse), LoadError> {
        inspect(name, bytes, engine.limits())?;
        self.secure_dir()?;
        let sha256 = sha256_hex(bytes);
        let entry = self.entry(engine, &sha256);
        if let Some(component) = read_entry(engine, &entry) {
            return Ok((Policy::from_component(engine, name, sha256, component)?, CacheUse::Hit));
        }
        let component = compile(engine, name, bytes)?;
        let policy = Policy::from_component(engine, name, sha256, component.clone())?;
        // Only checked policies are cached; a failed write costs a compile
        // next time, nothing more.
        match write_entry(&component, &entry) {
            Ok(()) => self.evict(),
            Err(err) => {
                tracing::warn!(target: "host::cache", "cannot write compiled policy to {}: {err}", entry.display())
            }
        }
        Ok((policy, CacheUse::Miss))
    }

    /// The entry of component `sha256` for `engine`'s configuration.
    fn entry(&self, engine: &PickerEngine, sha256: &str) -> PathBuf {
        let mut hasher = StableHasher::default();
        engine.engine().precompile_compatibility_hash().hash(&mut hasher);
        let engine_hash = hex(&hasher.0.finalize()[..8]);
        self.dir.join(format!("{sha256}-{engine_hash}.cwasm"))
    }

    /// Creates the directory owner-only, or checks that the one there is
    /// this user's alone.
    fn secure_dir(&self) -> Result<(), LoadError> {
        let unsafe_cache = |why: String| LoadError::UnsafeCache { dir: self.dir.display().to_string(), why };
        if !self.dir.exists() {
            create_private_dir(&self.dir).map_err(|e| unsafe_cache(format!("it cannot be created: {e}")))?;
        }
        let meta = fs::symlink_metadata(&self.dir).map_err(|e| unsafe_cache(format!("it cannot be read: {e}")))?;
        if !meta.is_dir() {
            return Err(unsafe_cache("it is not a directory (a symbolic link, or a file)".into()));
        }
        private_to_this_user(&meta).map_err(unsafe_cache)
    }

    /// Removes the entries used least recently until the rest fit the cap.
    fn evict(&self) {
        let Ok(listing) = fs::read_dir(&self.dir) else { return };
        let mut entries: Vec<(SystemTime, u64, PathBuf)> = listing
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "cwasm"))
            .filter_map(|e| {
                let meta = e.metadata().ok()?;
                Some((meta.modified().ok()?, meta.len(), e.path()))
            })
            .collect();
        let mut total: u64 = entries.iter().map(|(_, len, _)| len).sum();
        entries.sort();
        for (_, len, path) in entries {
            if total <= self.max_bytes {
                break;
            }
            if fs::remove_file(&path).is_ok() {
                tracing::info!(target: "host::cache", "evicted {} ({len} bytes) from the compile cache", path.display());
                total -= len;
            }
        }
    }
}

/// A hasher whose output is the same in every process and Rust version (the
/// key of an entry must be).
#[derive(Default)]
struct StableHasher(Sha256);

impl std::hash::Hasher for StableHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
    fn finish(&self) -> u64 {
        u64::from_le_bytes(self.0.clone().finalize()[..8].try_into().expect("eight bytes"))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The length of an entry's header: the sha256 of the code after it.
const CHECKSUM_BYTES: usize = 32;

fn read_entry(engine: &PickerEngine, entry: &Path) -> Option<Component> {
    // Read into memory rather than map the file: a mapped file that someone
    // truncates later would crash the host with SIGBUS.
    let bytes = fs::read(entry).ok()?;
    let intact =
        bytes.len() > CHECKSUM_BYTES && Sha256::digest(&bytes[CHECKSUM_BYTES..])[..] == bytes[..CHECKSUM_BYTES];
    if !intact {
        tracing::warn!(target: "host::cache", "removing corrupt compile cache entry {}", entry.display());
        let _ = fs::remove_file(entry);
        return None;
    }
    // SAFETY: the entry is intact (its checksum says so), was written by
    // `write_entry` from a component this host compiled with a compatible
    // engine (its key says so), in a directory only this user may write;
    // wasmtime still checks the header.
    match unsafe { Component::deserialize(engine.engine(), &bytes[CHECKSUM_BYTES..]) } {
        Ok(component) => {
            // Used now: the last to be evicted.
            let _ = File::options().write(true).open(entry).and_then(|f| f.set_modified(SystemTime::now()));
            Some(component)
        }
        Err(err) => {
            tracing::warn!(target: "host::cache", "ignoring unusable cache entry {}: {err}", entry.display());
            None
        }
    }
}

fn write_entry(component: &Component, entry: &Path) -> std::io::Result<()> {
    let dir = entry.parent().expect("entries live in the cache directory");
    let code = component.serialize().map_err(|e| std::io::Error::other(e.to_string()))?;
    // Write then rename, so a reader never sees half an entry.
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let temp = dir.join(format!(".{}-{n}.tmp", std::process::id()));
    let mut file = private_file(&temp)?;
    file.write_all(&Sha256::digest(&code))?;
    file.write_all(&code)?;
    file.sync_all()?;
    fs::rename(&temp, entry)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)
}

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

/// Whether the directory is this user's and nobody else may write to it.
#[cfg(unix)]
fn private_to_this_user(meta: &fs::Metadata) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    if meta.uid() != user_id() {
        return Err(format!("it belongs to user {}, not to this one ({})", meta.uid(), user_id()));
    }
    if meta.mode() & 0o022 != 0 {
        return Err(format!(
            "others may write to it (mode {:o}); it holds code the host runs: chmod go-w it, or use another",
            meta.mode() & 0o777
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn private_to_this_user(_: &fs::Metadata) -> Result<(), String> {
    Ok(())
}

#[cfg(unix)]
fn user_id() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

#[cfg(not(unix))]
fn user_id() -> u32 {
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entry_key_is_the_same_in_every_process() {
        let mut a = StableHasher::default();
        "engine settings".hash(&mut a);
        let mut b = StableHasher::default();
        "engine settings".hash(&mut b);
        assert_eq!(std::hash::Hasher::finish(&a), std::hash::Hasher::finish(&b));
    }

    #[cfg(unix)]
    #[test]
    fn a_directory_others_may_write_is_refused_and_a_new_one_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let made = CompileCache::new(root.path().join("new"));
        made.secure_dir().unwrap();
        assert_eq!(fs::metadata(made.dir()).unwrap().permissions().mode() & 0o777, 0o700);
        let open = root.path().join("open");
        fs::create_dir(&open).unwrap();
        fs::set_permissions(&open, fs::Permissions::from_mode(0o777)).unwrap();
        let refused = CompileCache::new(&open).secure_dir().unwrap_err().to_string();
        assert!(refused.contains("others may write to it (mode 777)"), "{refused}");
    }
}
