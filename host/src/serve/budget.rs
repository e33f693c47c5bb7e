//! How often a policy may call each store import in one pick, and until
//! when.

use crate::sandbox::trap::{DeadlineReached, PolicyViolation, TimeLimit};
use crate::sandbox::{EpochClock, Limits, WallClockLimit};

/// Log lines a policy may write in one pick; the rest are dropped.
const MAX_LOG_LINES: u32 = 256;

/// The store imports, each with its own call budget.
#[derive(Clone, Copy)]
pub enum StoreImport {
    ListRunningDeckies,
    GetTopology,
    ListEmailThreads,
    GlobalPersonas,
    RunningDeckiesFingerprint,
    TopologyFingerprint,
    GlobalPersonasFingerprint,
    TopologyPersonas,
    GlobalPoolPersonas,
    RunningDeckyCount,
    RunningDeckyAt,
}

impl StoreImport {
    const COUNT: usize = 11;

    /// The import's name in the WIT.
    pub fn wit_name(self) -> &'static str {
        match self {
            StoreImport::ListRunningDeckies => "list-running-deckies",
            StoreImport::GetTopology => "get-topology",
            StoreImport::ListEmailThreads => "list-email-threads",
            StoreImport::GlobalPersonas => "global-personas",
            StoreImport::RunningDeckiesFingerprint => "running-deckies-fingerprint",
            StoreImport::TopologyFingerprint => "topology-fingerprint",
            StoreImport::GlobalPersonasFingerprint => "global-personas-fingerprint",
            StoreImport::TopologyPersonas => "topology-personas",
            StoreImport::GlobalPoolPersonas => "global-pool-personas",
            StoreImport::RunningDeckyCount => "running-decky-count",
            StoreImport::RunningDeckyAt => "running-decky-at",
        }
    }
}

/// How many times each store import may be called in one pick, and until
/// when: a store call asked for after the wall-clock limit is not made.
pub struct ImportBudget {
    max_calls: u32,
    max_thread_rows: u32,
    calls: [u32; StoreImport::COUNT],
    log_lines: u32,
    epochs: EpochClock,
    /// This pick's wall-clock limit.
    wall_clock: WallClockLimit,
}

impl ImportBudget {
    pub fn new(limits: &Limits, epochs: EpochClock, wall_clock: WallClockLimit) -> Self {
        ImportBudget {
            max_calls: limits.max_import_calls,
            max_thread_rows: limits.max_thread_rows,
            calls: [0; StoreImport::COUNT],
            log_lines: 0,
            epochs,
            wall_clock,
        }
    }

    /// A fresh budget for a pick.
    pub fn begin_pick(&mut self) {
        self.calls = [0; StoreImport::COUNT];
        self.log_lines = 0;
    }

    /// The most thread rows one lookup may return.
    pub fn max_thread_rows(&self) -> u32 {
        self.max_thread_rows
    }

    /// Counts a log line; whether it may reach the log. The first line over
    /// the budget says that the rest are dropped.
    pub fn log_line(&mut self) -> bool {
        self.log_lines += 1;
        if self.log_lines == MAX_LOG_LINES + 1 {
            tracing::warn!(target: "policy", "policy logged more than {MAX_LOG_LINES} lines this pick; the rest are dropped");
        }
        self.log_lines <= MAX_LOG_LINES
    }

    /// Counts a call of `import`: a policy violation past its budget, the
    /// wall-clock limit once it has passed (no store call is made for a pick
    /// past it).
    pub fn charge(&mut self, import: StoreImport) -> wasmtime::Result<()> {
        if self.epochs.now() >= self.wall_clock.tick() {
            let limit = TimeLimit::WallClock;
            return Err(wasmtime::Error::new(DeadlineReached { during: import.wit_name(), limit }));
        }
        let calls = &mut self.calls[import as usize];
        *calls += 1;
        if *calls > self.max_calls {
            let message = format!("{} called more than {} times in one pick", import.wit_name(), self.max_calls);
            return Err(wasmtime::Error::new(PolicyViolation(message)));
        }
        Ok(())
    }
}
