//! The command line: argument parsing, logging setup and exit codes.
//!
//! Exit status (SPEC §7): 0 when every pick printed an action or a skip, 1
//! when any pick was an error, 2 when the command could not run at all (then
//! stdout is empty and stderr has one line saying what is wrong).

mod author;
mod bench;
mod check;
mod db;
mod personas;
mod pick;
mod replay;
mod run;
mod simulate;

use clap::{Parser, Subcommand};
use emailgen_host::sandbox as limits;

/// Exit status when every pick was an action or a skip.
pub const EXIT_OK: i32 = 0;
/// Exit status when at least one pick was an error.
pub const EXIT_PICK_ERROR: i32 = 1;
/// Exit status when the command could not run.
pub const EXIT_USAGE: i32 = 2;

#[derive(Parser)]
#[command(
    name = "host-harness",
    version,
    about = "Run sandboxed email-action picker policies (WebAssembly components) against scenarios",
    long_about = "Run sandboxed email-action picker policies (WebAssembly components of the WIT world \
decnet:emailgen/picker) against scenario files.\n\n\
Exit status: 0 when every pick was an action or a skip, 1 when any pick was an error, \
2 when the command could not run (bad flags, unreadable or invalid scenario or policy).\n\n\
Logs go to stderr; set RUST_LOG (e.g. RUST_LOG=policy=debug) to see more."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run picks against a scenario file and print one JSON line per pick.
    Pick(pick::PickArgs),
    /// Pick on a timer, hot-swapping the policy whenever its file changes.
    Run(run::RunArgs),
    /// Simulate a week (by default) of mail for a fake company against SQLite.
    Simulate(simulate::SimulateArgs),
    /// Create the SQLite database the simulator runs against.
    Db(db::DbArgs),
    /// Measure what a pick costs: warm and fresh instances, native baseline, load times.
    Bench(bench::BenchArgs),
    /// Check a policy before a swap: loads as the host would, picks in
    /// every sample and generated world without an error, decides the same
    /// for the same seed, and what a pick costs.
    Check(check::CheckArgs),
    /// Lay out a new policy (a skeleton on the language's kit).
    New(author::NewArgs),
    /// Build a policy's directory into a component (its path on the last line).
    Build(author::BuildArgs),
    /// Print the personas a scenario file serves, parsed and validated as
    /// the host parses them (JSON), with a warning per entry dropped.
    Personas(personas::PersonasArgs),
    /// Re-run recorded picks (`--record`): check they decide the same, or
    /// see what another policy would have decided.
    Replay(replay::ReplayArgs),
}

/// Sandbox limits shared by every command that runs policies (the
/// library's ranges and defaults: `emailgen_host::sandbox::limits`).
#[derive(clap::Args, Clone)]
pub struct LimitArgs {
    /// Wasm instructions one pick may execute (its compute budget; a pick
    /// on a fresh instance counts the instance's start). Past it the pick
    /// ends as an `instructions` error, the same on every machine.
    #[arg(long, value_name = "N", default_value_t = limits::DEFAULT_INSTRUCTIONS,
          value_parser = clap::value_parser!(u64).range(limits::INSTRUCTIONS))]
    instructions: u64,
    /// Time one pick may spend waiting (its sleeps and polls, added up)
    /// before it ends as a `deadline` error. Computing does not use it.
    #[arg(long, value_name = "MS", default_value_t = limits::DEFAULT_DEADLINE_MS,
          value_parser = clap::value_parser!(u64).range(limits::DEADLINE_MS))]
    deadline_ms: u64,
    /// Wall-clock time one pick may take in all, a safety net for a stuck
    /// or overloaded host (a `wall-clock` error, not counted against the
    /// policy).
    #[arg(long, value_name = "MS", default_value_t = limits::DEFAULT_WALL_CLOCK_MS,
          value_parser = clap::value_parser!(u64).range(limits::WALL_CLOCK_MS))]
    wall_clock_ms: u64,
    /// Linear memory one policy instance may grow to, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = limits::DEFAULT_MEMORY_MIB,
          value_parser = clap::value_parser!(u64).range(limits::MEMORY_MIB))]
    memory_mib: u64,
}

impl LimitArgs {
    pub fn engine(&self) -> Result<emailgen_host::PickerEngine, Fatal> {
        Ok(emailgen_host::PickerEngine::new(self.limits()?)?)
    }

    /// The limits as the library takes them.
    pub fn limits(&self) -> Result<emailgen_host::Limits, Fatal> {
        let operator = limits::OperatorLimits {
            instructions: self.instructions,
            deadline_ms: self.deadline_ms,
            wall_clock_ms: self.wall_clock_ms,
            memory_mib: self.memory_mib,
        };
        Ok(emailgen_host::Limits::from_operator(&operator)?)
    }
}

/// Where compiled policies are kept, shared by the commands that load them.
#[derive(clap::Args, Clone)]
pub struct CacheArgs {
    /// Directory of compiled policies, so a policy compiles once (default:
    /// $XDG_CACHE_HOME/emailgen-picker or ~/.cache/emailgen-picker; owner-only,
    /// refused if others may write to it).
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<std::path::PathBuf>,
    /// Compile every policy afresh, without the cache.
    #[arg(long, conflicts_with = "cache_dir")]
    no_cache: bool,
}

impl CacheArgs {
    /// The cache to load through, unless turned off.
    pub fn cache(&self) -> Option<emailgen_host::CompileCache> {
        (!self.no_cache).then(|| {
            emailgen_host::CompileCache::new(
                self.cache_dir.clone().unwrap_or_else(emailgen_host::CompileCache::default_dir),
            )
        })
    }

    /// A policy named on the command line (`builtin:NAME` or a file),
    /// through the cache.
    pub fn load(&self, engine: &emailgen_host::PickerEngine, spec: &str) -> Result<emailgen_host::Policy, Fatal> {
        let Some(cache) = self.cache() else { return Ok(emailgen_host::Policy::from_spec(engine, spec)?) };
        match spec.strip_prefix("builtin:") {
            Some(name) => {
                let builtin = emailgen_host::policy::BUILTIN_POLICIES.iter().find(|(n, _)| *n == name);
                let Some((name, bytes)) = builtin else {
                    return Err(emailgen_host::LoadError::UnknownBuiltin { name: name.into() }.into());
                };
                Ok(cache.load(engine, name, bytes)?.0)
            }
            None => Ok(cache.load_file(engine, std::path::Path::new(spec))?.0),
        }
    }
}

/// Recording picks, shared by the commands that pick.
#[derive(clap::Args, Clone)]
pub struct RecordArgs {
    /// Record every pick (policy, options and seed, the store's answers it
    /// depended on, outcome, duration) to FILE as JSON Lines, for
    /// `host-harness replay`. Appends to an existing file.
    #[arg(long, value_name = "FILE")]
    record: Option<std::path::PathBuf>,
    /// Rotate the record file before it grows past this size (FILE.1, …).
    #[arg(long, value_name = "MIB", default_value_t = 64, requires = "record", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    record_max_mib: u64,
    /// Rotated record files kept.
    #[arg(long, value_name = "N", default_value_t = 4, requires = "record")]
    record_keep: u32,
}

impl RecordArgs {
    /// The sink the picks go to, if recording.
    pub fn sink(&self) -> Result<Option<std::sync::Arc<emailgen_host::FileSink>>, Fatal> {
        let Some(path) = &self.record else { return Ok(None) };
        let limits = emailgen_host::FileLimits { max_bytes: self.record_max_mib << 20, keep: self.record_keep };
        let sink = emailgen_host::FileSink::create(path, limits)
            .map_err(|e| Fatal(format!("cannot record to {}: {e}", path.display())))?;
        Ok(Some(std::sync::Arc::new(sink)))
    }
}

/// A command that could not run: printed as one stderr line, exit 2.
pub struct Fatal(pub String);

impl<E: std::fmt::Display> From<E> for Fatal {
    fn from(err: E) -> Self {
        Fatal(err.to_string())
    }
}

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() { EXIT_USAGE } else { EXIT_OK };
        }
    };
    init_logging();
    let result = match cli.command {
        Command::Pick(args) => pick::run(args),
        Command::Run(args) => run::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Check(args) => check::run(args),
        Command::New(args) => author::new(args),
        Command::Personas(args) => personas::run(args),
        Command::Build(args) => author::build(args),
        Command::Simulate(args) => simulate::run(args),
        Command::Db(args) => db::run(args),
        Command::Replay(args) => replay::run(args),
    };
    result.unwrap_or_else(|Fatal(message)| {
        eprintln!("host-harness: {}", message.replace('\n', " "));
        EXIT_USAGE
    })
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error"));
    // Colours only on a terminal: logs piped to a file stay plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(true)
        .with_ansi(ansi)
        .init();
}
