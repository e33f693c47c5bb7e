//! What every way of picking shares: a new instance's wasmtime store, the
//! policy's answer checked, and a failed call told for what it was.

use wasmtime::component::ResourceTableError;
use wasmtime::{Store, Trap};

use super::load::Policy;
use crate::check;
use crate::outcome::{ErrorKind, PickOutcome};
use crate::sandbox::trap::{describe, is_hostcall_fuel_exhausted, DeadlineReached, PolicyViolation, TimeLimit};
use crate::sandbox::Limits;
use crate::serve::HostState;

/// A wasmtime store for a new instance, within the engine's limits and
/// ready for its first pick. Its instruction budget is the first pick's,
/// which so counts the instance's start (its initialisers run Wasm too).
pub(super) fn new_store(policy: &Policy, state: HostState) -> Store<HostState> {
    let engine = policy.engine();
    let limits = engine.limits();
    let mut store = Store::new(engine.engine(), state);
    store.limiter(|state| state.limiter());
    store.set_epoch_deadline(limits.wall_clock_ticks());
    store.data_mut().begin_pick(engine.epochs().deadline(limits.wall_clock_ticks()), false);
    store.set_fuel(limits.instructions).expect("the engine consumes fuel");
    // What one call may make the host allocate: wasmtime counts it while
    // lifting the call's arguments (or the answer), before the host sees
    // them.
    store.set_hostcall_fuel(limits.max_call_bytes);
    store.set_max_component_handles(limits.max_resource_handles);
    store
}

/// Gives a warm instance a pick's instruction budget (a fresh one has it
/// already, less what its start took).
pub(super) fn refuel(store: &mut Store<HostState>, fresh: bool) {
    if !fresh {
        let budget = store.data().limits().instructions;
        store.set_fuel(budget).expect("the engine consumes fuel");
    }
}

/// The instructions a pick executed: its budget less the fuel left.
pub(super) fn instructions_used(store: &Store<HostState>) -> u64 {
    let budget = store.data().limits().instructions;
    budget.saturating_sub(store.get_fuel().unwrap_or(0))
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
    if let Some(reached) = err.downcast_ref::<DeadlineReached>() {
        return match reached.limit {
            TimeLimit::Deadline => PickOutcome::error(
                ErrorKind::Deadline,
                format!("policy waited past its deadline of {} ms: {reached}", limits.deadline.as_millis()),
            ),
            TimeLimit::WallClock => wall_clock(&limits, &reached.to_string()),
        };
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
        Some(Trap::Interrupt) => wall_clock(&limits, "while the policy computed"),
        Some(Trap::OutOfFuel) => PickOutcome::error(
            ErrorKind::Instructions,
            format!("policy ran out of its instruction budget: it executed {} instructions", limits.instructions),
        ),
        Some(_) => PickOutcome::error(ErrorKind::Trap, format!("policy trapped: {}", describe(&err))),
        None => PickOutcome::error(ErrorKind::Trap, format!("policy failed: {}", describe(&err))),
    }
}

/// The safety net came: the pick took longer than the wall-clock limit
/// while within its instruction budget.
fn wall_clock(limits: &Limits, when: &str) -> PickOutcome {
    PickOutcome::error(
        ErrorKind::WallClock,
        format!(
            "the pick ran past the wall-clock limit of {} ms ({when}) within its instruction budget: \
             the machine or the host was too slow",
            limits.wall_clock.as_millis()
        ),
    )
}
