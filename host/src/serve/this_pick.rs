//! What every interface of one instance shares about the pick under way:
//! its deadline, its import budget and its transcript. Each interface's
//! state is its own (`store`, `clock`, `log`); this part is borrowed by the
//! ones that need it.

use super::budget::ImportBudget;
use super::transcript::{StoreCall, Transcript};
use crate::sandbox::{EpochClock, Limits, WallClockLimit};

/// The pick under way, as its interfaces share it.
pub struct ThisPick {
    epochs: EpochClock,
    /// This pick's wall-clock limit (shared with the WASI it may wait on).
    pub(super) wall_clock: WallClockLimit,
    /// How much of each import this pick may still use.
    pub(super) budget: ImportBudget,
    /// The store's answers this pick depended on, when it is recorded.
    pub(super) transcript: Transcript,
}

impl ThisPick {
    pub(super) fn new(limits: &Limits, epochs: EpochClock, wall_clock: WallClockLimit) -> Self {
        ThisPick {
            budget: ImportBudget::new(limits, epochs.clone(), wall_clock.clone()),
            epochs,
            wall_clock,
            transcript: Transcript::default(),
        }
    }

    /// A new pick that must end by epoch tick `wall_clock`, recorded or not.
    pub(super) fn begin(&mut self, wall_clock: u64, recording: bool) {
        self.wall_clock.set(wall_clock);
        self.transcript.begin(recording);
        self.budget.begin_pick();
    }

    /// When a store call that may wait begins: the epoch tick, for a store
    /// the host waits for.
    pub(super) fn wait_starts(&self, waits: bool) -> Option<u64> {
        waits.then(|| self.epochs.now())
    }

    /// An awaited store call ended: the ticks it took are added to the
    /// pick's wall-clock limit, which bounds the pick's time, not the
    /// store's.
    pub(super) fn wait_ends(&mut self, since: Option<u64>) {
        if let Some(since) = since {
            self.wall_clock.extend(self.epochs.now().saturating_sub(since));
        }
    }

    /// This pick's transcript (empty unless it was recorded).
    pub(super) fn take_transcript(&mut self) -> Vec<StoreCall> {
        self.transcript.take()
    }
}
