//! Re-running a recorded pick: on a fresh instance, against a store that
//! answers from the record's transcript alone.

use super::Policy;
use crate::outcome::PickOutcome;
use crate::record::{RecordedPick, TranscriptStore};
use crate::serve::shared_store;

/// A replayed pick.
#[derive(Debug, Clone)]
pub struct Replayed {
    /// What the pick produced this time.
    pub outcome: PickOutcome,
    /// The instructions it executed this time, on a fresh instance (equal
    /// to the recorded count when the recorded pick ran on one too).
    pub instructions: u64,
    /// The questions the transcript could not answer ("needs data not
    /// recorded"): when any, the outcome is not to be trusted.
    pub missing: Vec<String>,
}

impl Policy {
    /// Re-runs `record` with this policy (the recorded one, to check that
    /// it decides the same; another, to see what it would have decided),
    /// with the record's options and seed.
    pub fn replay(&self, record: &RecordedPick) -> Replayed {
        let options = record.options.pick_options();
        let store = TranscriptStore::new(record.calls.clone());
        let (missing, clock) = (store.missing(), store.clock());
        let picked = self.pick_fresh(shared_store(store), clock, &options);
        let missing = missing.lock().unwrap_or_else(|p| p.into_inner()).clone();
        Replayed { outcome: picked.outcome, instructions: picked.instructions, missing }
    }
}
