//! Picking on a policy against a store that answers at once: a
//! [`PolicyInstance`] takes a warm instance from the policy's pool for each
//! pick and gives it back after.

use emailgen_domain::PickOptions;

use super::load::Policy;
use super::pool::Live;
use super::recording::Taking;
use super::run::{accept, classify, instructions_used, new_store, refuel};
use crate::bindings::Picker;
use crate::outcome::Picked;
use crate::record::Recorder;
use crate::serve::{convert, Clock, HostState, SharedMailStore, StoreCall};

/// Picks of a policy against one store. Each pick runs on a warm instance
/// from the policy's pool (the one that picked against this store last);
/// after a trap (which poisons a wasmtime store) that instance is dropped
/// and the next pick runs on a fresh one.
pub struct PolicyInstance {
    policy: Policy,
    mail: SharedMailStore,
    clock: Clock,
    recorder: Option<Recorder>,
    /// Bytes of linear memory the instance of the last pick held.
    memory_bytes: usize,
}

impl Policy {
    /// Picks against `mail`, on warm instances from this policy's pool.
    pub fn instance(&self, mail: SharedMailStore, clock: Clock) -> PolicyInstance {
        PolicyInstance { policy: self.clone(), mail, clock, recorder: None, memory_bytes: 0 }
    }

    /// One pick on a fresh instance, dropped afterwards.
    pub fn pick_fresh(&self, mail: SharedMailStore, clock: Clock, options: &PickOptions) -> Picked {
        let (options, taking) = Taking::start(options, false);
        let (picked, calls, _) = match instantiate(self, clock.clone()) {
            Ok(mut live) => {
                live.store.data_mut().attach_shared(mail, clock);
                run(self, live, &options, false)
            }
            Err(failed) => (*failed, Vec::new(), None),
        };
        taking.finish(self, None, calls, picked)
    }
}

impl PolicyInstance {
    /// Records every pick of this instance into `recorder` (`None`: stop).
    pub fn set_recorder(&mut self, recorder: Option<Recorder>) {
        self.recorder = recorder;
    }

    /// The policy this instance runs.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Runs one pick: the policy's checked answer, or the error that ended
    /// it, and what it cost. Never panics on anything the policy does.
    /// Given no seed, the host draws one (and records it, when recording).
    pub fn pick(&mut self, options: &PickOptions) -> Picked {
        let (options, taking) = Taking::start(options, self.recorder.is_some());
        let live = match self.policy.pool().take(&self.mail) {
            Some(live) => Ok(live),
            None => instantiate(&self.policy, self.clock.clone()),
        };
        let (picked, calls) = match live {
            Ok(mut live) => {
                live.store.data_mut().attach_shared(self.mail.clone(), self.clock.clone());
                let (picked, calls, healthy) = run(&self.policy, live, &options, taking.recording());
                if let Some(mut live) = healthy {
                    live.store.data_mut().detach();
                    self.memory_bytes = live.store.data_mut().limiter().peak_memory_bytes();
                    self.policy.pool().give_back(&self.mail, live);
                }
                (picked, calls)
            }
            Err(failed) => (*failed, Vec::new()),
        };
        taking.finish(&self.policy, self.recorder.as_ref(), calls, picked)
    }

    /// Bytes of linear memory the instance of the last healthy pick held
    /// (0 before any).
    pub fn guest_memory_bytes(&mut self) -> usize {
        self.memory_bytes
    }
}

/// A new instance of `policy`, its store attached for each pick; or the
/// failed pick its start was (a trap, its instruction budget used up).
fn instantiate(policy: &Policy, clock: Clock) -> Result<Live<Picker>, Box<Picked>> {
    let engine = policy.engine();
    let state = HostState::new(clock, engine.sandbox(), engine.caches());
    let mut store = new_store(policy, state);
    match policy.pre().instantiate(&mut store) {
        Ok(bindings) => Ok(Live { store, bindings, fresh: true }),
        Err(err) => {
            let outcome = classify(err, &mut store);
            Err(Box::new(Picked { outcome, instructions: instructions_used(&store), fresh: true }))
        }
    }
}

/// One pick on `live`: the pick, its transcript (when recording), and the
/// instance when it may pick again.
fn run(
    policy: &Policy,
    mut live: Live<Picker>,
    options: &PickOptions,
    recording: bool,
) -> (Picked, Vec<StoreCall>, Option<Live<Picker>>) {
    let engine = policy.engine();
    let fresh = std::mem::replace(&mut live.fresh, false);
    refuel(&mut live.store, fresh);
    live.store.set_epoch_deadline(engine.limits().wall_clock_ticks());
    live.store.data_mut().begin_pick(engine.epochs().deadline(engine.limits().wall_clock_ticks()), recording);
    let result = live.bindings.call_pick(&mut live.store, convert::pick_options(options));
    let instructions = instructions_used(&live.store);
    let picked = |outcome| Picked { outcome, instructions, fresh };
    match result {
        Ok(outcome) => {
            let accepted = accept(outcome, &live.store);
            let calls = live.store.data_mut().take_transcript();
            (picked(accepted), calls, Some(live))
        }
        // A trapped store cannot run again: it is dropped here.
        Err(err) => (picked(classify(err, &mut live.store)), live.store.data_mut().take_transcript(), None),
    }
}
