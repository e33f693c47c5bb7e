//! The host-wide global persona pool, kept in a file (SPEC §2).
//!
//! The path is `DECNET_REALISM_PERSONAS` when set and non-blank, else
//! `/etc/decnet/email_personas.json`, else `~/.decnet/email_personas.json`.
//! A missing, unreadable or unparseable file is an empty pool. The file is
//! re-read when its modification time changes, so an edit takes effect
//! without a restart.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The environment variable naming the pool file (when set and not blank).
pub const ENV_VAR: &str = "DECNET_REALISM_PERSONAS";
/// The system-wide pool file, used when the variable is not set.
pub const SYSTEM_PATH: &str = "/etc/decnet/email_personas.json";

/// The pool file and the text last read from it.
#[derive(Debug, Default)]
pub struct PersonaPoolFile {
    /// A fixed path; `None` resolves the path on every read.
    fixed: Option<PathBuf>,
    cached: Option<(PathBuf, SystemTime, String)>,
}

impl PersonaPoolFile {
    /// The pool at the path SPEC §2 resolves (re-resolved on every read).
    pub fn from_environment() -> Self {
        PersonaPoolFile::default()
    }

    /// The pool at a fixed path.
    pub fn at(path: impl Into<PathBuf>) -> Self {
        PersonaPoolFile { fixed: Some(path.into()), cached: None }
    }

    /// The pool's JSON text; empty when the file is missing, unreadable or
    /// not JSON.
    pub fn text(&mut self) -> String {
        let Some(path) = self.fixed.clone().or_else(resolve_path) else {
            return String::new();
        };
        let Ok(modified) = std::fs::metadata(&path).and_then(|m| m.modified()) else {
            self.cached = None;
            return String::new();
        };
        if let Some((cached_path, cached_time, text)) = &self.cached {
            if *cached_path == path && *cached_time == modified {
                return text.clone();
            }
        }
        let text = read_pool(&path);
        self.cached = Some((path, modified, text.clone()));
        text
    }
}

/// The first of the three candidate paths that applies.
pub fn resolve_path() -> Option<PathBuf> {
    if let Some(value) = std::env::var_os(ENV_VAR) {
        // Blank as Python's `str.strip()` sees it, as DECNET's resolver does.
        if !crate::python_text::strip(&value.to_string_lossy()).is_empty() {
            return Some(PathBuf::from(value));
        }
    }
    let system = PathBuf::from(SYSTEM_PATH);
    if system.exists() {
        return Some(system);
    }
    std::env::var_os("HOME").map(|home| Path::new(&home).join(".decnet").join("email_personas.json"))
}

fn read_pool(path: &Path) -> String {
    match std::fs::read_to_string(path) {
        // Skipped, not decoded: a lone surrogate escape in one entry's string
        // is JSON (Python reads it) and costs only that entry.
        Ok(text) if serde_json::from_str::<serde::de::IgnoredAny>(&text).is_ok() => text,
        Ok(_) => {
            tracing::warn!("global persona pool {} is not valid JSON; using an empty pool", path.display());
            String::new()
        }
        Err(err) => {
            tracing::warn!("cannot read global persona pool {}: {err}; using an empty pool", path.display());
            String::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_is_an_empty_pool() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(PersonaPoolFile::at(dir.path().join("none.json")).text(), "");
    }

    #[test]
    fn unparseable_file_is_an_empty_pool() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pool.json");
        std::fs::write(&path, "[{not json").unwrap();
        assert_eq!(PersonaPoolFile::at(&path).text(), "");
    }

    #[test]
    fn a_lone_surrogate_in_one_entry_keeps_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pool.json");
        let text = r#"[{"name": "Ana \ud83d", "email": "ana@acme.example", "role": "CFO"}, {"name": "Bo"}]"#;
        std::fs::write(&path, text).unwrap();
        assert_eq!(PersonaPoolFile::at(&path).text(), text);
    }

    #[test]
    fn an_edit_is_picked_up_when_the_mtime_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pool.json");
        std::fs::write(&path, "[1]").unwrap();
        let mut pool = PersonaPoolFile::at(&path);
        assert_eq!(pool.text(), "[1]");
        std::fs::write(&path, "[2]").unwrap();
        let later = SystemTime::now() + std::time::Duration::from_secs(5);
        std::fs::File::options().write(true).open(&path).unwrap().set_modified(later).unwrap();
        assert_eq!(pool.text(), "[2]");
        std::fs::remove_file(&path).unwrap();
        assert_eq!(pool.text(), "");
    }
}
