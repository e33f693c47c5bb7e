//! One awaited pick, polled from Python.
//!
//! Python calls [`PickSession::poll`] and gets what the pick needs next
//! ([`PollStatus`]): it is done; it asks the repository (then Python awaits
//! the call and hands the answer over with `answer` or `fail`); it gave the
//! loop a turn (the guest computes, or waits briefly: poll again soon); or
//! it waits on a timer outside the loop (a policy's sleep: `wake_on`
//! arranges a wake-up on the loop). The guest runs while `poll` runs, with
//! the GIL released.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use emailgen_host::{Picked, StoreError};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::answers;
use crate::mailbox::{open, Question, SharedMailbox};
use crate::outcome::{NativeOutcome, PolicyInfo};

/// What a pick needs next, as [`PickSession::poll`] says.
#[pyclass(frozen, eq, eq_int, module = "emailgen_picker._native")]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PollStatus {
    /// The pick is over: `outcome()` has it.
    #[pyo3(name = "DONE")]
    Done,
    /// The pick asks the repository: `request()` says what.
    #[pyo3(name = "STORE")]
    Store,
    /// The pick gave the loop a turn: poll again after one.
    #[pyo3(name = "YIELD")]
    Yield,
    /// The pick waits for a timer: poll again once `wake_on`'s callback ran.
    #[pyo3(name = "WAIT")]
    Wait,
}

/// A pick in progress, and the policy it runs on once it is over (a
/// slot's pick learns which policy took it only when it starts).
pub type PickFuture = Pin<Box<dyn Future<Output = (Picked, PolicyInfo)> + Send>>;

#[derive(Default)]
struct State {
    future: Option<PickFuture>,
    outcome: Option<(Picked, PolicyInfo)>,
}

/// One awaited pick.
#[pyclass(frozen, module = "emailgen_picker._native")]
pub struct PickSession {
    state: Mutex<State>,
    mailbox: SharedMailbox,
    wake: Arc<LoopWake>,
}

impl PickSession {
    pub fn new(future: PickFuture, mailbox: SharedMailbox) -> Self {
        let state = State { future: Some(future), outcome: None };
        PickSession { state: Mutex::new(state), mailbox, wake: Arc::default() }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[pymethods]
impl PickSession {
    /// Runs the pick until it needs something.
    fn poll(&self, py: Python<'_>) -> PollStatus {
        let mut state = self.state();
        let Some(future) = state.future.as_mut() else { return PollStatus::Done };
        let waker = Waker::from(self.wake.clone());
        let polled = py.detach(|| future.as_mut().poll(&mut Context::from_waker(&waker)));
        match polled {
            Poll::Ready(done) => {
                state.future = None;
                state.outcome = Some(done);
                PollStatus::Done
            }
            Poll::Pending => {
                let mut mailbox = open(&self.mailbox);
                if let Some(question) = mailbox.asked.take() {
                    mailbox.waiting = Some(question);
                    return PollStatus::Store;
                }
                if self.wake.take() {
                    PollStatus::Yield
                } else {
                    PollStatus::Wait
                }
            }
        }
    }

    /// The question the pick waits on: `("list_running_deckies",)`,
    /// `("get_topology", id)` or `("list_orchestrator_email_threads",
    /// decky, sender, recipient, limit)`.
    fn request<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let mailbox = open(&self.mailbox);
        let Some(question) = &mailbox.waiting else {
            return Err(PyRuntimeError::new_err("the pick asks nothing now"));
        };
        match question {
            Question::Deckies { .. } => PyTuple::new(py, ["list_running_deckies"]),
            Question::Topology { id } => (String::from("get_topology"), id.clone()).into_pyobject(py),
            Question::Threads { decky, sender, recipient, limit } => (
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
        let mut mailbox = open(&self.mailbox);
        let Some(question) = mailbox.waiting.take() else {
            return Err(PyRuntimeError::new_err("the pick asks nothing now"));
        };
        mailbox.answer = Some(answers::convert(&question, value));
        Ok(())
    }

    /// The repository call failed with `message`.
    fn fail(&self, message: String) -> PyResult<()> {
        let mut mailbox = open(&self.mailbox);
        if mailbox.waiting.take().is_none() {
            return Err(PyRuntimeError::new_err("the pick asks nothing now"));
        }
        mailbox.answer = Some(Err(StoreError(message)));
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
            Some((Picked { outcome, instructions, fresh }, policy)) => {
                Ok(NativeOutcome { outcome, policy, instructions, fresh })
            }
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
