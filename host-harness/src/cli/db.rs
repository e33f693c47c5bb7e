//! `host-harness db`: create the SQLite store the simulator runs against.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use host_harness::simulate::EXAMPLE_COMPANY;
use host_harness::sqlite_store::SqliteStore;
use host_harness::Scenario;

use super::{Fatal, EXIT_OK};

#[derive(Args)]
pub struct DbArgs {
    #[command(subcommand)]
    command: DbCommand,
}

#[derive(Subcommand)]
enum DbCommand {
    /// Create a database and fill it from a scenario (default: the bundled
    /// example company).
    Init {
        /// The database file to create.
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        /// Scenario whose deckies, topologies, global pool and threads fill it.
        #[arg(long, value_name = "FILE")]
        from_scenario: Option<PathBuf>,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
}

/// Seeded thread rows get timestamps just before this, so any simulated
/// time sorts after them.
fn seed_time() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2000, 1, 1).expect("a valid date").and_hms_opt(0, 0, 0).expect("midnight")
}

pub fn run(args: DbArgs) -> Result<i32, Fatal> {
    let DbCommand::Init { db, from_scenario, force } = args.command;
    let scenario = match &from_scenario {
        Some(path) => Scenario::load(path)?,
        None => Scenario::parse(EXAMPLE_COMPANY).map_err(|e| Fatal(format!("bundled example: {e}")))?,
    };
    if db.exists() {
        if !force {
            return Err(Fatal(format!("{} already exists (use --force to replace it)", db.display())));
        }
        std::fs::remove_file(&db).map_err(|e| Fatal(format!("cannot replace {}: {e}", db.display())))?;
    }
    let mut store = SqliteStore::open(&db).map_err(|e| Fatal(format!("cannot create {}: {e}", db.display())))?;
    store.fill_from(&scenario.store, seed_time()).map_err(|e| Fatal(format!("cannot fill {}: {e}", db.display())))?;
    let deckies = scenario.store.deckies().len();
    let topologies = scenario.store.topologies().len();
    eprintln!("created {} with {deckies} deckies and {topologies} topologies", db.display());
    Ok(EXIT_OK)
}
