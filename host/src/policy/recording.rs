//! Recording a pick as it runs: the seed it uses (drawn by the host when
//! the caller gave none), when it started and how long it took, and the
//! record handed to the instance's recorder.

use std::time::{Instant, SystemTime};

use emailgen_domain::PickOptions;

use super::load::Policy;
use crate::outcome::Picked;
use crate::record::{PickRecord, RecordedOptions, Recorder};
use crate::serve::StoreCall;

/// A pick under way.
pub(super) struct Taking {
    seed_drawn: bool,
    /// When it started and its options, when it is recorded.
    recorded: Option<(SystemTime, Instant, RecordedOptions)>,
}

impl Taking {
    /// The options the pick runs with (a seed always; drawn from the
    /// host's CSPRNG when none was given) and the pick under way.
    pub fn start(options: &PickOptions, recording: bool) -> (PickOptions, Taking) {
        let seed = options.seed.unwrap_or_else(rand::random);
        let recorded = recording.then(|| (SystemTime::now(), Instant::now(), RecordedOptions::of(options, seed)));
        (PickOptions { seed: Some(seed), ..options.clone() }, Taking { seed_drawn: options.seed.is_none(), recorded })
    }

    /// Whether the pick is recorded.
    pub fn recording(&self) -> bool {
        self.recorded.is_some()
    }

    /// Hands the pick's record to `recorder`; the pick, unchanged.
    pub fn finish(self, policy: &Policy, recorder: Option<&Recorder>, calls: Vec<StoreCall>, picked: Picked) -> Picked {
        if let (Some(recorder), Some((time, started, options))) = (recorder, self.recorded) {
            recorder.record(PickRecord {
                time,
                policy: policy.id().clone(),
                options,
                seed_drawn: self.seed_drawn,
                calls,
                outcome: picked.outcome.clone(),
                instructions: picked.instructions,
                fresh: picked.fresh,
                duration: started.elapsed(),
            });
        }
        picked
    }
}
