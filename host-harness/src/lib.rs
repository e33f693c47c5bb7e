//! The picker host as an application, on the `emailgen-host` library's
//! public API: scenario files, the SQLite store, the week simulator and
//! its HTML report, measurements (warm, fresh and native picks), and the
//! `host-harness` command line (`src/cli`, in the binary).
//!
//! An orchestrator embeds `emailgen-host`, not this crate.

pub mod author;
pub mod bench;
pub mod check;
pub mod native;
pub mod replay;
pub mod report;
pub mod simulate;
pub mod sqlite_store;

/// Scenario files (SPEC §7), a crate of their own so the policy kit's test
/// runner reads them too.
pub use emailgen_scenario as scenario;
pub use emailgen_scenario::{Scenario, ScenarioStore};
