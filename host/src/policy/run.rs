//! What every way of picking shares: a new instance's wasmtime store, the
//! policy's answer checked, and a failed call told for what it was.

use wasmtime::component::ResourceTableError;
use wasmtime::{Store, Trap};

use super::load::Policy;
use crate::check;
use crate::outcome::{ErrorKind, PickOutcome};
use crate::sandbox::trap::{describe, is_hostcall_fuel_exhausted, DeadlineReached, PolicyViolation};
use crate::serve::HostState;

/// A wasmtime store for a new instance, within the engine's limits and
/// ready for its first pick.
pub(super) fn new_store(policy: &Policy, state: HostState) -> Store<HostState> {
    let engine = policy.engine();
    let limits = engine.limits();
    let mut store = Store::new(engine.engine(), state);
    store.limiter(|state| state.limiter());
    store.set_epoch_deadline(limits.deadline_ticks());
    store.data_mut().begin_pick(engine.epochs().deadline(limits.deadline_ticks()), false);
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
