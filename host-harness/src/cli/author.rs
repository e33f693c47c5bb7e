//! `host-harness new DIR --lang rust` and `host-harness build DIR`.

use std::path::PathBuf;

use clap::Args;

use host_harness::author::js::Engine;
use host_harness::author::{self, Lang};

use super::{Fatal, EXIT_OK};

#[derive(Args)]
#[command(long_about = "Lay out a new picker policy in DIR: the policy's source on the language's kit, \
a scenario file its tests pick against, and a README. `host-harness build DIR` builds it, and the component \
it builds passes `host-harness check` as generated.\n\n\
Rust: a crate depending by path on this repository's kit/rust (set EMAILGEN_REPO when this binary has \
moved away from its checkout); `cargo test` in DIR runs the policy natively. Python: policy.py and \
app.py on the Python kit, tests in plain Python. JavaScript (js): policy.js and app.js on the JavaScript kit, tests \
under Node.")]
pub struct NewArgs {
    /// Directory to create (must not exist, or be empty); its name names the policy.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// The policy's language: rust, python or js.
    #[arg(long, value_name = "LANG", default_value = "rust", value_parser = |s: &str| s.parse::<Lang>())]
    lang: Lang,
}

pub fn new(args: NewArgs) -> Result<i32, Fatal> {
    let files = author::new_policy(&args.dir, args.lang).map_err(Fatal)?;
    eprintln!("created a {} policy in {} ({} files)", args.lang, args.dir.display(), files.len());
    eprintln!("next: host-harness build {}", args.dir.display());
    for file in files {
        println!("{}", file.display());
    }
    Ok(EXIT_OK)
}

#[derive(Args)]
#[command(long_about = "Build the picker policy in DIR into a component, with its language's toolchain \
(Rust: cargo, for wasm32-wasip2, release profile; Python: a pinned componentize-py; JavaScript: a pinned jco, \
QuickJS by default; the pinned tools are installed on first use into a per-user tools directory). Progress goes to stderr; the component's path is the \
last line on stdout.\n\nExit status: 0 when it built, 2 when it did not (the toolchain's errors are shown).")]
pub struct BuildArgs {
    /// The policy's directory (as `host-harness new` made it).
    #[arg(value_name = "DIR", default_value = ".")]
    dir: PathBuf,
    /// The engine a JavaScript policy's component carries: quickjs
    /// (componentize-qjs, the default) or spidermonkey (componentize-js).
    #[arg(long, value_name = "ENGINE", default_value = "quickjs", value_parser = |s: &str| s.parse::<Engine>())]
    js_engine: Engine,
}

pub fn build(args: BuildArgs) -> Result<i32, Fatal> {
    let component = author::build_policy(&args.dir, args.js_engine, &mut |line| eprintln!("{line}")).map_err(Fatal)?;
    println!("{}", component.display());
    Ok(EXIT_OK)
}
