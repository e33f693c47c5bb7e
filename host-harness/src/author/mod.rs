//! Writing a policy: `host-harness new` (a skeleton per language) and
//! `host-harness build` (the component, whatever the language).
//!
//! One module per language; each knows how to lay out a new policy and how
//! to build one. `build` recognises the language from the files in the
//! directory.

pub mod js;
pub mod python;
pub mod rust;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The WIT package version the kits build against.
pub const WIT_VERSION: &str = "0.2.2";

/// A language a policy can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Rust,
    Python,
    Js,
}

impl FromStr for Lang {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "rust" => Ok(Lang::Rust),
            "python" => Ok(Lang::Python),
            "js" | "javascript" => Ok(Lang::Js),
            other => Err(format!("no policy template for language {other:?} (available: rust, python, js)")),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Lang::Rust => "rust",
            Lang::Python => "python",
            Lang::Js => "js",
        })
    }
}

/// The emailgen repository this binary was built from: where the kits are.
/// `EMAILGEN_REPO` overrides it (a binary moved away from its checkout).
pub fn repository() -> Result<PathBuf, String> {
    let repo = match std::env::var_os("EMAILGEN_REPO") {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join(".."),
    };
    let kit = repo.join("kit/rust/Cargo.toml");
    if !kit.is_file() {
        return Err(format!(
            "the policy kits are not at {} (set EMAILGEN_REPO to a checkout of the emailgen repository)",
            repo.display()
        ));
    }
    repo.canonicalize().map_err(|e| format!("cannot resolve {}: {e}", repo.display()))
}

/// Lays out a new policy in `dir` (created; it must not exist, or be empty).
pub fn new_policy(dir: &Path, lang: Lang) -> Result<Vec<PathBuf>, String> {
    if dir.exists()
        && std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?.next().is_some()
    {
        return Err(format!("{} already exists and is not empty", dir.display()));
    }
    let name = package_name(dir)?;
    match lang {
        Lang::Rust => rust::new_policy(dir, &name, &repository()?),
        Lang::Python => python::new_policy(dir, &name),
        Lang::Js => js::new_policy(dir, &name, &repository()?),
    }
}

/// Builds the policy in `dir` (a JavaScript one with `engine`), reporting
/// progress with `progress`, and returns the component's path.
pub fn build_policy(dir: &Path, engine: js::Engine, progress: &mut dyn FnMut(&str)) -> Result<PathBuf, String> {
    match detect(dir)? {
        Lang::Rust => rust::build(dir, progress),
        Lang::Python => python::build(dir, &repository()?, progress),
        Lang::Js => js::build(dir, &repository()?, engine, progress),
    }
}

/// The language of the policy in `dir`, from its files.
fn detect(dir: &Path) -> Result<Lang, String> {
    if dir.join("Cargo.toml").is_file() {
        return Ok(Lang::Rust);
    }
    if python::is_policy(dir) {
        return Ok(Lang::Python);
    }
    if js::is_policy(dir) {
        return Ok(Lang::Js);
    }
    Err(format!("{} holds no policy this command can build (no Cargo.toml, app.py or app.js)", dir.display()))
}

/// Where `build` keeps the toolchains it installs (pinned versions, one
/// directory each): `EMAILGEN_TOOLS_DIR`, else `$XDG_CACHE_HOME/emailgen-picker/tools`,
/// else `~/.cache/emailgen-picker/tools`.
pub fn tools_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("EMAILGEN_TOOLS_DIR") {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from).unwrap_or_else(|| {
        std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(std::env::temp_dir).join(".cache")
    });
    cache.join("emailgen-picker").join("tools")
}

/// A package name from the directory's name: lowercase letters, digits,
/// `-` and `_`, starting with a letter.
fn package_name(dir: &Path) -> Result<String, String> {
    let base = dir.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    let name: String =
        base.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '-' }).collect();
    match name.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => Ok(name),
        _ => Err(format!("{:?} cannot name a package: start the directory's name with a letter", base)),
    }
}

/// Runs a toolchain's command, its output shown as it comes; `what` names
/// the step in the error.
fn run(command: &mut std::process::Command, what: &str) -> Result<(), String> {
    let status = command.status().map_err(|e| format!("cannot {what}: {e}"))?;
    match status.success() {
        true => Ok(()),
        false => Err(format!("could not {what} (the errors are above)")),
    }
}

/// Writes `files` (path relative to `dir`, contents) under `dir`.
fn write_files(dir: &Path, files: &[(&str, String)]) -> Result<Vec<PathBuf>, String> {
    files
        .iter()
        .map(|(relative, contents)| {
            let path = dir.join(relative);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
            }
            std::fs::write(&path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            Ok(path)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names_come_from_the_directory() {
        assert_eq!(package_name(Path::new("/tmp/Night Shift")).unwrap(), "night-shift");
        assert!(package_name(Path::new("/tmp/9lives")).is_err());
    }

    #[test]
    fn languages_are_named() {
        assert_eq!("rust".parse::<Lang>(), Ok(Lang::Rust));
        assert_eq!("python".parse::<Lang>(), Ok(Lang::Python));
        assert_eq!("js".parse::<Lang>(), Ok(Lang::Js));
        assert!("cobol".parse::<Lang>().unwrap_err().contains("available: rust, python, js"));
    }
}
