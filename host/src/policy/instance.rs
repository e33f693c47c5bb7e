//! Running picks on an instance of a policy, and telling what happened
//! when one fails.

use emailgen_domain::PickOptions;
use wasmtime::component::ResourceTableError;
use wasmtime::{Store, Trap};

use super::load::Policy;
use super::recording::Taking;
use crate::bindings::Picker;
use crate::check;
use crate::outcome::{ErrorKind, PickOutcome};
use crate::record::Recorder;
use crate::sandbox::trap::{describe, is_hostcall_fuel_exhausted, DeadlineReached, PolicyViolation};
use crate::serve::{convert, Clock, HostState, SharedMailStore, StoreCall};

/// A policy instance bound to a store. Reused across picks while it is
/// healthy; after a trap (which poisons a wasmtime store) it is discarded and
/// the next pick runs on a fresh one.
pub struct PolicyInstance {
    policy: Policy,
    mail: SharedMailStore,
    clock: Clock,
    live: Option<(Store<HostState>, Picker)>,
    recorder: Option<Recorder>,
}

impl PolicyInstance {
    pub(super) fn new(policy: Policy, mail: SharedMailStore, clock: Clock) -> Self {
        PolicyInstance { policy, mail, clock, live: None, recorder: None }
    }

    /// Records every pick of this instance into `recorder` (`None`: stop).
    pub fn set_recorder(&mut self, recorder: Option<Recorder>) {
        self.recorder = recorder;
    }

    /// The policy this instance runs.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Runs one pick: the policy's checked answer, or the error that ended
    /// it. Never panics on anything the policy does. Given no seed, the
    /// host draws one (and records it, when recording).
    pub fn pick(&mut self, options: &PickOptions) -> PickOutcome {
        let (options, taking) = Taking::start(options, self.recorder.is_some());
        let (outcome, calls) = self.run(&options, taking.recording());
        taking.finish(&self.policy, self.recorder.as_ref(), calls, outcome)
    }

    /// The pick itself, and its transcript (when recording).
    fn run(&mut self, options: &PickOptions, recording: bool) -> (PickOutcome, Vec<StoreCall>) {
        let (mut store, bindings) = match self.live.take() {
            Some(live) => live,
            None => match self.instantiate() {
                Ok(live) => live,
                Err(outcome) => return (*outcome, Vec::new()),
            },
        };
        let engine = self.policy.engine();
        store.set_epoch_deadline(engine.limits().deadline_ticks());
        store.data_mut().begin_pick(engine.epochs().deadline(engine.limits()), recording);
        match bindings.call_pick(&mut store, convert::pick_options(options)) {
            Ok(outcome) => {
                let accepted = accept(outcome, &store);
                let calls = store.data_mut().take_transcript();
                self.live = Some((store, bindings));
                (accepted, calls)
            }
            // A trapped store cannot run again: it is dropped here.
            Err(err) => (classify(err, &mut store), store.data_mut().take_transcript()),
        }
    }

    /// Bytes of linear memory the live instance holds (0 when none is live).
    pub fn guest_memory_bytes(&mut self) -> usize {
        let Some((store, _)) = &mut self.live else { return 0 };
        store.data_mut().limiter().peak_memory_bytes()
    }

    fn instantiate(&self) -> Result<(Store<HostState>, Picker), Box<PickOutcome>> {
        let engine = self.policy.engine();
        let state = HostState::new(self.mail.clone(), self.clock.clone(), engine.sandbox(), engine.caches());
        let mut store = new_store(&self.policy, state);
        match self.policy.pre().instantiate(&mut store) {
            Ok(bindings) => Ok((store, bindings)),
            Err(err) => Err(Box::new(classify(err, &mut store))),
        }
    }
}

/// A wasmtime store for a new instance, within the engine's limits and
/// ready for its first pick.
pub(super) fn new_store(policy: &Policy, state: HostState) -> Store<HostState> {
    let engine = policy.engine();
    let limits = engine.limits();
    let mut store = Store::new(engine.engine(), state);
    store.limiter(|state| state.limiter());
    store.set_epoch_deadline(limits.deadline_ticks());
    store.data_mut().begin_pick(engine.epochs().deadline(limits), false);
    // What one call may make the host allocate: wasmtime counts it while
    // lifting the call's arguments (or the answer), before the host sees
    // them.
    store.set_hostcall_fuel(limits.max_call_bytes);
    store.set_max_component_handles(limits.max_resource_handles);
    store
}

/// The policy's answer, checked against what was served this pick.
pub(super) fn accept(outcome: crate::bindings::types::PickOutcome, store: &Store<HostState>) -> PickOutcome {
    check::accept(outcome, store.data().served())
        .unwrap_or_else(|violation| PickOutcome::error(ErrorKind::PolicyViolation, violation.to_string()))
}

/// Turns a failed call into the error outcome that says what happened,
/// with the whole cause (but not the wasm backtrace).
pub(super) fn classify(err: wasmtime::Error, store: &mut Store<HostState>) -> PickOutcome {
    let limits = store.data().limits().clone();
    if store.data_mut().limiter().take_denied() {
        return PickOutcome::error(
            ErrorKind::Memory,
            format!("policy exceeded its memory limit of {} bytes: {}", limits.memory_bytes, describe(&err)),
        );
    }
    if let Some(violation) = err.downcast_ref::<PolicyViolation>() {
        return PickOutcome::error(ErrorKind::PolicyViolation, violation.to_string());
    }
    let deadline = limits.deadline.as_millis();
    if let Some(reached) = err.downcast_ref::<DeadlineReached>() {
        return PickOutcome::error(
            ErrorKind::Deadline,
            format!("policy ran past its deadline of {deadline} ms: {reached}"),
        );
    }
    if is_hostcall_fuel_exhausted(&err) {
        return PickOutcome::error(
            ErrorKind::PolicyViolation,
            format!(
                "policy violation: one call handed the host more than {} bytes (an import's arguments or the answer): {}",
                limits.max_call_bytes,
                describe(&err)
            ),
        );
    }
    if matches!(err.downcast_ref::<ResourceTableError>(), Some(ResourceTableError::Full)) {
        return PickOutcome::error(
            ErrorKind::PolicyViolation,
            format!(
                "policy violation: the policy held more than {} resource handles at once: {}",
                limits.max_resource_handles,
                describe(&err)
            ),
        );
    }
    if let Some(exit) = err.downcast_ref::<wasmtime_wasi::I32Exit>() {
        return PickOutcome::error(ErrorKind::Trap, format!("policy trapped: it called exit with status {}", exit.0));
    }
    match err.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => {
            PickOutcome::error(ErrorKind::Deadline, format!("policy ran past its deadline of {deadline} ms"))
        }
        Some(Trap::OutOfFuel) => PickOutcome::error(ErrorKind::Deadline, "policy ran out of fuel"),
        Some(_) => PickOutcome::error(ErrorKind::Trap, format!("policy trapped: {}", describe(&err))),
        None => PickOutcome::error(ErrorKind::Trap, format!("policy failed: {}", describe(&err))),
    }
}
