//! Python policies: a module on the Python kit (`kit/python`,
//! `emailgen_policy`), made a component by a pinned componentize-py.
//!
//! componentize-py is installed on first use into a virtualenv in the
//! per-user tools directory (`tools_dir()`), so an author needs only
//! Python 3. WASI is stubbed (`--stub-wasi`): the component imports the
//! picker world alone, which this host accepts.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The componentize-py this kit is built and tested with.
pub const COMPONENTIZE_PY: &str = "0.25.1";

const POLICY_PY: &str = include_str!("../../templates/python/policy.py");
const APP_PY: &str = include_str!("../../templates/python/app.py");
const TEST_PY: &str = include_str!("../../templates/python/tests/test_policy.py");
const OFFICE: &str = include_str!("../../templates/python/scenarios/office.json");
const README: &str = include_str!("../../templates/python/README.md");
const GITIGNORE: &str = include_str!("../../templates/python/gitignore");

/// A new Python policy named `name` in `dir`.
pub fn new_policy(dir: &Path, name: &str) -> Result<Vec<PathBuf>, String> {
    let files = [
        ("policy.py", POLICY_PY.to_owned()),
        ("app.py", APP_PY.to_owned()),
        ("tests/test_policy.py", TEST_PY.to_owned()),
        ("scenarios/office.json", OFFICE.to_owned()),
        ("README.md", README.replace("{name}", name)),
        (".gitignore", GITIGNORE.to_owned()),
    ];
    super::write_files(dir, &files)
}

/// Whether `dir` holds a Python policy (its entry point, `app.py`).
pub fn is_policy(dir: &Path) -> bool {
    dir.join("app.py").is_file()
}

/// componentize-py over `dir`'s `app` module and the kit; the component
/// goes to `dir/build/<name>.wasm`.
pub fn build(dir: &Path, repo: &Path, progress: &mut dyn FnMut(&str)) -> Result<PathBuf, String> {
    let tool = componentize_py(progress)?;
    let name = super::package_name(&dir.canonicalize().map_err(|e| format!("{}: {e}", dir.display()))?)?;
    let out = dir.join("build").join(format!("{}.wasm", name.replace('-', "_")));
    std::fs::create_dir_all(out.parent().expect("build/ has a parent"))
        .map_err(|e| format!("cannot create {}: {e}", dir.join("build").display()))?;
    progress(&format!("building {name} with componentize-py {COMPONENTIZE_PY} (WASI stubbed)"));
    let status = Command::new(&tool)
        .arg("-d")
        .arg(repo.join("wit"))
        .args(["-w", "picker", "componentize", "app", "-p"])
        .arg(dir)
        .arg("-p")
        .arg(repo.join("kit/python"))
        .args(["--stub-wasi", "-o"])
        .arg(&out)
        // Only the policy and the kit go in: not the site-packages of a
        // virtualenv the author happens to be in.
        .env_remove("VIRTUAL_ENV")
        .status()
        .map_err(|e| format!("cannot run {}: {e}", tool.display()))?;
    if !status.success() {
        return Err(format!("componentize-py could not build {} (its errors are above)", dir.display()));
    }
    Ok(out)
}

/// The pinned componentize-py, installed into the tools directory when it
/// is not there yet.
fn componentize_py(progress: &mut dyn FnMut(&str)) -> Result<PathBuf, String> {
    let venv = super::tools_dir().join(format!("componentize-py-{COMPONENTIZE_PY}"));
    let tool = venv.join("bin/componentize-py");
    if tool.is_file() {
        return Ok(tool);
    }
    let python = std::env::var("EMAILGEN_PYTHON").unwrap_or_else(|_| "python3".into());
    progress(&format!("installing componentize-py {COMPONENTIZE_PY} into {} (first use)", venv.display()));
    let partial = venv.with_extension("partial");
    let _ = std::fs::remove_dir_all(&partial);
    super::run(Command::new(&python).args(["-m", "venv"]).arg(&partial), "create a virtualenv")?;
    super::run(
        Command::new(partial.join("bin/pip")).args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            &format!("componentize-py=={COMPONENTIZE_PY}"),
        ]),
        "install componentize-py from PyPI",
    )?;
    // Renamed whole: an interrupted install is never taken for a finished one.
    std::fs::rename(&partial, &venv).map_err(|e| format!("cannot move {} into place: {e}", venv.display()))?;
    fix_shebangs(&venv, &partial)?;
    Ok(tool)
}

/// A virtualenv's scripts name its interpreter by absolute path: after the
/// rename, point them at the directory's new name.
fn fix_shebangs(venv: &Path, old: &Path) -> Result<(), String> {
    let bin = venv.join("bin");
    let (old, new) = (old.to_string_lossy().into_owned(), venv.to_string_lossy().into_owned());
    for entry in std::fs::read_dir(&bin).map_err(|e| format!("cannot read {}: {e}", bin.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        if text.contains(&old) {
            std::fs::write(&path, text.replace(&old, &new))
                .map_err(|e| format!("cannot fix {}: {e}", path.display()))?;
        }
    }
    Ok(())
}
