//! The engine's epoch: the clock deadlines are measured on.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use wasmtime::Engine;

/// How often the engine's epoch advances; deadlines are measured in these
/// ticks, so a deadline is honoured to within one tick.
pub const EPOCH_TICK: Duration = Duration::from_millis(2);

/// The engine's epoch as the host sees it: the ticker advances it together
/// with wasmtime's, so a host call can tell how much of a pick's deadline
/// is left with one atomic load (wasmtime keeps its own epoch private).
#[derive(Clone, Default)]
pub struct EpochClock {
    ticks: Arc<AtomicU64>,
}

impl EpochClock {
    /// Ticks since the engine started.
    pub fn now(&self) -> u64 {
        self.ticks.load(Ordering::Relaxed)
    }

    /// The tick at which a pick starting now and lasting `ticks` reaches
    /// its deadline (what wasmtime's epoch deadline is set to).
    pub fn deadline(&self, ticks: u64) -> u64 {
        self.now() + ticks
    }

    /// Time left until `deadline` (a tick from [`deadline`](Self::deadline));
    /// zero once it has passed.
    pub fn remaining(&self, deadline: u64) -> Duration {
        EPOCH_TICK * u32::try_from(deadline.saturating_sub(self.now())).unwrap_or(u32::MAX)
    }
}

/// A pick's wall-clock limit, as an epoch tick, shared by everything that
/// checks it (the import budget, WASI waits, the guest's interruption). An
/// awaited pick moves it later by the time it spent waiting on others (the
/// store, its executor): those are not the pick's to bound.
#[derive(Clone, Default, Debug)]
pub struct WallClockLimit(Arc<AtomicU64>);

impl WallClockLimit {
    /// Sets the limit to epoch tick `tick`.
    pub fn set(&self, tick: u64) {
        self.0.store(tick, Ordering::Relaxed);
    }

    /// The epoch tick of the limit.
    pub fn tick(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    /// Moves the limit `ticks` later.
    pub fn extend(&self, ticks: u64) {
        self.0.fetch_add(ticks, Ordering::Relaxed);
    }
}

/// Advances the engine's epoch every [`EPOCH_TICK`] until the engine is
/// dropped. The epoch follows the wall clock, not the count of sleeps: a
/// sleep that overslept (a busy machine) is made up with several ticks at
/// once, so 25 ticks are 50 ms however late the ticker wakes.
pub(super) fn spawn_epoch_ticker(engine: &Engine, epochs: &EpochClock) {
    let weak = engine.weak();
    let ticks = Arc::clone(&epochs.ticks);
    thread::Builder::new()
        .name("picker-epoch".into())
        .spawn(move || {
            let started = Instant::now();
            let tick_nanos = EPOCH_TICK.as_nanos() as u64;
            let mut done: u64 = 0;
            loop {
                let next = started + Duration::from_nanos(tick_nanos * (done + 1));
                thread::sleep(next.saturating_duration_since(Instant::now()));
                let Some(engine) = weak.upgrade() else { break };
                let due = started.elapsed().as_nanos() as u64 / tick_nanos;
                while done < due {
                    ticks.fetch_add(1, Ordering::Relaxed);
                    engine.increment_epoch();
                    done += 1;
                }
            }
        })
        .expect("spawn the epoch ticker thread");
}
