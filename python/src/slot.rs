//! The library's policy slot for Python: which policy is active, picks on
//! it (awaited, counted toward the automatic rollback, recorded), atomic
//! promotion after a canary, rollback on demand.

use std::sync::Arc;

use emailgen_host::{local_clock, Picked, PolicySlot, Recorder};
use pyo3::prelude::*;

use crate::mailbox::{MailboxStore, SharedMailbox};
use crate::options::{global_pool, pick_options};
use crate::outcome::{NativeOutcome, PolicyInfo};
use crate::policy::{NativePolicy, NativeRecorder};
use crate::session::PickSession;

/// An orchestrator's active policy, swapped atomically.
#[pyclass(frozen, module = "emailgen_picker._native")]
pub struct NativeSlot {
    slot: Arc<PolicySlot>,
}

#[pymethods]
impl NativeSlot {
    #[new]
    #[pyo3(signature = (initial, *, rollback_after, recorder = None))]
    fn new(initial: &NativePolicy, rollback_after: u32, recorder: Option<PyRef<'_, NativeRecorder>>) -> Self {
        let slot = PolicySlot::new(initial.policy.clone(), rollback_after);
        slot.set_recorder(recorder.map(|r| r.sink.clone() as Recorder));
        NativeSlot { slot: Arc::new(slot) }
    }

    /// The active policy (one of the same pool as the slot's).
    fn active(&self) -> NativePolicy {
        NativePolicy { policy: (*self.slot.active().0).clone() }
    }

    /// Starts a pick on the policy active when it starts; see
    /// `NativePolicy.start` for the options.
    #[pyo3(signature = (*, seed = None, now = None, reply_probability = None, global_personas = None))]
    fn start(
        &self,
        seed: Option<&Bound<'_, PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
        reply_probability: Option<f64>,
        global_personas: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PickSession> {
        let options = pick_options(seed, now, reply_probability)?;
        let mailbox = SharedMailbox::default();
        let store = Box::new(MailboxStore { mailbox: Arc::clone(&mailbox), global: global_pool(global_personas)? });
        let slot = Arc::clone(&self.slot);
        let future = Box::pin(async move {
            let picked = slot.pick_async(store, local_clock(), &options).await;
            let policy = PolicyInfo::from(&picked.policy);
            (Picked { outcome: picked.outcome, instructions: picked.instructions, fresh: picked.fresh }, policy)
        });
        Ok(PickSession::new(future, mailbox))
    }

    /// Promotes `candidate` if `canary` (a pick it made on a fresh
    /// instance) is an action or a skip; raises `SwapRefused` otherwise.
    fn promote(&self, py: Python<'_>, candidate: &NativePolicy, canary: &NativeOutcome) -> PyResult<PolicyInfo> {
        let (candidate, canary) = (candidate.policy.clone(), canary.outcome.clone());
        let promoted = py.detach(|| self.slot.promote_after_canary(candidate, canary));
        let id = promoted.map_err(|e| crate::SwapRefused::new_err(e.to_string()))?;
        Ok(PolicyInfo::from(&id))
    }

    /// Reinstates the previous policy; raises `SwapRefused` if none.
    fn rollback(&self) -> PyResult<PolicyInfo> {
        let id = self.slot.rollback().map_err(|e| crate::SwapRefused::new_err(e.to_string()))?;
        Ok(PolicyInfo::from(&id))
    }
}
