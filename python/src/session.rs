//! One awaited pick, polled from Python.
//!
//! Python calls [`PickSession::poll`] and gets what the pick needs next:
//! it is done; it asks the repository (then Python awaits the call and
//! hands the answer over with `answer` or `fail`); it gave the loop a turn
//! (the guest computes, or waits briefly: poll again soon); or it waits on
//! a timer outside the loop (a policy's sleep: `wake_on` arranges a
//! wake-up on the loop). The guest runs while `poll` runs, with the GIL
//! released.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use emailgen_host::{AsyncPolicyInstance, PickOutcome, PolicyId, StoreError};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::answers;
use crate::outcome::NativeOutcome;
use crate::policy::Idle;
use crate::store::{lock, SharedSlot, StoreRequest};

/// The pick is over: `outcome()` has it.
pub const DONE: u8 = 0;
/// The pick asks the repository: `request()` says what.
pub const STORE: u8 = 1;
/// The pick gave the loop a turn: poll again after one.
pub const YIELD: u8 = 2;
/// The pick waits for a timer: poll again once `wake_on`'s callback ran.
pub const WAIT: u8 = 3;

/// A pick in progress: the instance it runs on comes back with its
/// outcome.
pub type PickFuture = Pin<Box<dyn Future<Output = (AsyncPolicyInstance, PickOutcome)> + Send>>;

#[derive(Default)]
struct State {
    future: Option<PickFuture>,
    outcome: Option<PickOutcome>,
}

/// One awaited pick.
#[pyclass(frozen, module = "emailgen_picker._native")]
pub struct PickSession {
    state: Mutex<State>,
    slot: SharedSlot,
    wake: Arc<LoopWake>,
    /// Where the instance goes back when the pick is over.
    idle: Arc<Idle>,
    policy: PolicyId,
}

impl PickSession {
    pub fn new(future: PickFuture, slot: SharedSlot, idle: Arc<Idle>, policy: PolicyId) -> Self {
        let state = State { future: Some(future), outcome: None };
        PickSession { state: Mutex::new(state), slot, wake: Arc::default(), idle, policy }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[pymethods]
impl PickSession {
    /// Runs the pick until it needs something; returns DONE, STORE, YIELD
    /// or WAIT.
    fn poll(&self, py: Python<'_>) -> PyResult<u8> {
        let mut state = self.state();
        let Some(future) = state.future.as_mut() else { return Ok(DONE) };
        let waker = Waker::from(self.wake.clone());
        let polled = py.detach(|| future.as_mut().poll(&mut Context::from_waker(&waker)));
        match polled {
            Poll::Ready((instance, outcome)) => {
                state.future = None;
                state.outcome = Some(outcome);
                self.idle.put(instance);
                Ok(DONE)
            }
            Poll::Pending => {
                let mut slot = lock(&self.slot);
                if let Some(request) = slot.asked.take() {
                    slot.waiting = Some(request);
                    return Ok(STORE);
                }
                Ok(if self.wake.take() { YIELD } else { WAIT })
            }
        }
    }

    /// The question the pick waits on: `("list_running_deckies",)`,
    /// `("get_topology", id)` or `("list_orchestrator_email_threads",
    /// decky, sender, recipient, limit)`.
    fn request<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let slot = lock(&self.slot);
        let Some(request) = &slot.waiting else { return Err(PyRuntimeError::new_err("the pick asks nothing now")) };
        match request {
            StoreRequest::Deckies { .. } => PyTuple::new(py, ["list_running_deckies"]),
            StoreRequest::Topology { id } => (String::from("get_topology"), id.clone()).into_pyobject(py),
            StoreRequest::Threads { decky, sender, recipient, limit } => (
                String::from("list_orchestrator_email_threads"),
                decky.clone(),
                sender.clone(),
                recipient.clone(),
                *limit,
            )
                .into_pyobject(py),
        }
    }

    /// Hands the repository's answer to the waiting question. An answer
    /// that does not fit becomes a store error the pick reports.
    fn answer(&self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let mut slot = lock(&self.slot);
        let Some(request) = slot.waiting.take() else {
            return Err(PyRuntimeError::new_err("the pick asks nothing now"));
        };
        slot.answer = Some(answers::convert(&request, value));
        Ok(())
    }

    /// The repository call failed with `message`.
    fn fail(&self, message: String) -> PyResult<()> {
        let mut slot = lock(&self.slot);
        if slot.waiting.take().is_none() {
            return Err(PyRuntimeError::new_err("the pick asks nothing now"));
        }
        slot.answer = Some(Err(StoreError(message)));
        Ok(())
    }

    /// After WAIT: calls `callback` on `event_loop` (thread-safely) once the
    /// pick can go on; at once if it already can.
    fn wake_on(&self, event_loop: Py<PyAny>, callback: Py<PyAny>) -> PyResult<()> {
        self.wake.arm(event_loop, callback)
    }

    /// The outcome, once DONE.
    fn outcome(&self) -> PyResult<NativeOutcome> {
        match self.state().outcome.clone() {
            Some(outcome) => Ok(NativeOutcome { outcome, policy: self.policy.clone() }),
            None => Err(PyRuntimeError::new_err("the pick is not over")),
        }
    }
}

/// The waker of a pick polled from Python. A wake while `poll` runs (the
/// guest's turn-giving yield) is noted and read by `poll`; a wake from
/// another thread (a timer) calls Python's callback on its loop.
#[derive(Default)]
pub struct LoopWake {
    woken: AtomicBool,
    target: Mutex<Option<(Py<PyAny>, Py<PyAny>)>>,
}

impl LoopWake {
    /// Whether it was woken since last asked.
    fn take(&self) -> bool {
        self.woken.swap(false, Ordering::AcqRel)
    }

    fn arm(&self, event_loop: Py<PyAny>, callback: Py<PyAny>) -> PyResult<()> {
        let mut target = self.target.lock().unwrap_or_else(|p| p.into_inner());
        if self.take() {
            return Python::attach(|py| call_soon(py, &event_loop, &callback));
        }
        *target = Some((event_loop, callback));
        Ok(())
    }
}

fn call_soon(py: Python<'_>, event_loop: &Py<PyAny>, callback: &Py<PyAny>) -> PyResult<()> {
    event_loop.call_method1(py, "call_soon_threadsafe", (callback,)).map(drop)
}

impl Wake for LoopWake {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let armed = self.target.lock().unwrap_or_else(|p| p.into_inner()).take();
        match armed {
            Some((event_loop, callback)) => Python::attach(|py| {
                if let Err(err) = call_soon(py, &event_loop, &callback) {
                    // The loop is closed: nobody waits for this pick.
                    err.print(py);
                }
            }),
            None => self.woken.store(true, Ordering::Release),
        }
    }
}
