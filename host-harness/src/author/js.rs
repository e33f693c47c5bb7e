//! JavaScript policies: a module on the JavaScript kit (`kit/js`, the npm
//! package `emailgen-policy`), bundled into a component by a pinned jco.
//!
//! jco is installed on first use into the per-user tools directory, so an
//! author needs only Node. QuickJS (componentize-qjs, WASI stubbed, sync)
//! is the default engine: a 1.7 MB component; SpiderMonkey
//! (componentize-js, WASI features disabled) is the option.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The jco this kit is built and tested with.
pub const JCO: &str = "1.35.0";
/// Its engines, pinned beside it (jco asks for version ranges).
pub const COMPONENTIZE_QJS: &str = "0.4.5";
pub const COMPONENTIZE_JS: &str = "0.22.0";

/// The JavaScript engine a component carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    /// QuickJS through componentize-qjs: small and quick to start.
    #[default]
    QuickJs,
    /// SpiderMonkey (StarlingMonkey) through componentize-js.
    SpiderMonkey,
}

impl std::str::FromStr for Engine {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "quickjs" => Ok(Engine::QuickJs),
            "spidermonkey" => Ok(Engine::SpiderMonkey),
            other => Err(format!("no JavaScript engine {other:?} (available: quickjs, spidermonkey)")),
        }
    }
}

const POLICY_JS: &str = include_str!("../../templates/js/policy.js");
const APP_JS: &str = include_str!("../../templates/js/app.js");
const TEST_JS: &str = include_str!("../../templates/js/test/policy.test.js");
const OFFICE: &str = include_str!("../../templates/js/scenarios/office.json");
const PACKAGE_JSON: &str = include_str!("../../templates/js/package.json.in");
const README: &str = include_str!("../../templates/js/README.md");
const GITIGNORE: &str = include_str!("../../templates/js/gitignore");

/// A new JavaScript policy named `name` in `dir`, depending on the kit in `repo`.
pub fn new_policy(dir: &Path, name: &str, repo: &Path) -> Result<Vec<PathBuf>, String> {
    let kit = repo.join("kit/js").to_string_lossy().replace('\\', "\\\\").replace('"', "\\\"");
    let files = [
        ("package.json", PACKAGE_JSON.replace("{name}", name).replace("{kit}", &kit)),
        ("policy.js", POLICY_JS.to_owned()),
        ("app.js", APP_JS.to_owned()),
        ("test/policy.test.js", TEST_JS.to_owned()),
        ("scenarios/office.json", OFFICE.to_owned()),
        ("README.md", README.replace("{name}", name)),
        (".gitignore", GITIGNORE.to_owned()),
    ];
    super::write_files(dir, &files)
}

/// Whether `dir` holds a JavaScript policy (its entry point, `app.js`).
pub fn is_policy(dir: &Path) -> bool {
    dir.join("app.js").is_file()
}

/// jco over `dir`'s `app.js`, bundled with the kit; the component goes to
/// `dir/build/<name>.wasm`.
pub fn build(dir: &Path, repo: &Path, engine: Engine, progress: &mut dyn FnMut(&str)) -> Result<PathBuf, String> {
    let jco = jco(progress)?;
    let dir = dir.canonicalize().map_err(|e| format!("{}: {e}", dir.display()))?;
    let name = super::package_name(&dir)?;
    // The kit is copied in, not linked: jco's module loader reads nothing
    // outside the policy's directory. A file: dependency: nothing downloaded.
    progress("copying the kit into node_modules (npm install --install-links)");
    super::run(
        npm().args(["install", "--no-audit", "--no-fund", "--silent", "--install-links"]).current_dir(&dir),
        "npm install",
    )?;
    let out = dir.join("build").join(format!("{}.wasm", name.replace('-', "_")));
    // jco reads the WIT inside a sandbox that sees the working directory
    // only: a copy goes beside the output.
    copy_wit(&repo.join("wit"), &dir.join("build/wit"))?;
    progress(&format!("building {name} with jco {JCO} ({engine:?})"));
    match engine {
        Engine::QuickJs => super::run(
            Command::new(node())
                .arg(&jco)
                .args(["componentize", "app.js", "--wit", "build/wit", "--world-name", "picker", "-o"])
                .arg(&out)
                .args(["--backend", "quickjs", "--backend-qjs-disable-async", "--backend-qjs-stub-wasi"])
                .current_dir(&dir),
            "componentize with jco",
        )?,
        Engine::SpiderMonkey => {
            // componentize-js resolves no package names: the policy and the
            // kit are bundled into one module first (rolldown, from jco's
            // own dependencies), the WIT's interfaces left as imports.
            let bin = jco.ancestors().nth(4).expect("jco inside node_modules").join(".bin");
            let mut bundle = Command::new(bin.join("rolldown"));
            bundle.args(["app.js", "--file", "build/bundle.js", "--format", "esm"]).current_dir(&dir);
            for interface in ["store", "clock", "log"] {
                bundle.args(["--external", &format!("decnet:emailgen/{interface}@{}", super::WIT_VERSION)]);
            }
            super::run(&mut bundle, "bundle with rolldown")?;
            super::run(
                Command::new(bin.join("componentize-js"))
                    .args(["build/bundle.js", "--wit", "build/wit", "--world-name", "picker", "-o"])
                    .arg(&out)
                    .args(["-d", "stdio", "random", "clocks", "http", "fetch-event"])
                    .current_dir(&dir),
                "componentize with componentize-js",
            )?
        }
    }
    Ok(out)
}

/// The pinned jco's entry script, installed into the tools directory when
/// it is not there yet.
fn jco(progress: &mut dyn FnMut(&str)) -> Result<PathBuf, String> {
    let dir = super::tools_dir().join(format!("jco-{JCO}"));
    let script = dir.join("node_modules/@bytecodealliance/jco/dist/jco.js");
    if script.is_file() {
        return Ok(script);
    }
    progress(&format!("installing jco {JCO} into {} (first use)", dir.display()));
    let partial = dir.with_extension("partial");
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir_all(&partial).map_err(|e| format!("cannot create {}: {e}", partial.display()))?;
    super::run(
        npm()
            .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
            .arg(&partial)
            .arg(format!("@bytecodealliance/jco@{JCO}"))
            .arg(format!("componentize-qjs@{COMPONENTIZE_QJS}"))
            .arg(format!("@bytecodealliance/componentize-js@{COMPONENTIZE_JS}")),
        "install jco from npm",
    )?;
    std::fs::rename(&partial, &dir).map_err(|e| format!("cannot move {} into place: {e}", dir.display()))?;
    match script.is_file() {
        true => Ok(script),
        false => Err(format!("jco {JCO} installed, but {} is missing", script.display())),
    }
}

/// The `.wit` files of `from` into `to` (created).
fn copy_wit(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    for entry in std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().is_some_and(|e| e == "wit") {
            let target = to.join(path.file_name().expect("a file"));
            std::fs::copy(&path, &target).map_err(|e| format!("cannot copy {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

fn node() -> String {
    std::env::var("EMAILGEN_NODE").unwrap_or_else(|_| "node".into())
}

fn npm() -> Command {
    Command::new(std::env::var("EMAILGEN_NPM").unwrap_or_else(|_| "npm".into()))
}
