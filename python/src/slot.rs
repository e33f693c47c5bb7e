//! The library's policy slot for Python: which policy is active, atomic
//! promotion after a canary, rollback on demand and after failures in a
//! row. Python runs the picks (and the canary) itself, awaited; the slot
//! keeps the books.

use std::sync::Mutex;

use emailgen_host::{PolicyId, PolicySlot};
use pyo3::prelude::*;

use crate::outcome::NativeOutcome;
use crate::policy::NativePolicy;

/// An orchestrator's active policy, swapped atomically.
#[pyclass(frozen, module = "emailgen_picker._native")]
pub struct NativeSlot {
    slot: PolicySlot,
    /// The pickers promoted so far, to find the active one's warm
    /// instances by its policy.
    pickers: Mutex<Vec<Py<NativePolicy>>>,
}

fn id_tuple(id: PolicyId) -> (String, String, String) {
    (id.name, id.sha256, id.wit_version)
}

#[pymethods]
impl NativeSlot {
    #[new]
    fn new(initial: Py<NativePolicy>, rollback_after: u32) -> Self {
        let slot = PolicySlot::new(initial.get().policy.clone(), rollback_after);
        NativeSlot { slot, pickers: Mutex::new(vec![initial]) }
    }

    /// The active picker and its generation (one more per promotion or
    /// rollback).
    fn active(&self, py: Python<'_>) -> (Py<NativePolicy>, u64) {
        let (policy, generation) = self.slot.active();
        let pickers = self.pickers.lock().unwrap_or_else(|p| p.into_inner());
        let picker =
            pickers.iter().rev().find(|p| p.get().policy.id() == policy.id()).expect("every promoted policy is kept");
        (picker.clone_ref(py), generation)
    }

    /// Promotes `candidate` if `canary` (a pick it made on a fresh
    /// instance) is an action or a skip; raises `SwapRefused` otherwise.
    fn promote(&self, candidate: Py<NativePolicy>, canary: &NativeOutcome) -> PyResult<(String, String, String)> {
        let promoted = self.slot.promote_after_canary(candidate.get().policy.clone(), canary.outcome.clone());
        let id = promoted.map_err(|e| crate::SwapRefused::new_err(e.to_string()))?;
        let mut pickers = self.pickers.lock().unwrap_or_else(|p| p.into_inner());
        pickers.push(candidate);
        // The active policy and the one a rollback would reinstate are all
        // the slot can reach.
        let (active, previous) = (self.slot.active().0, self.slot.previous());
        let reachable = |p: &Py<NativePolicy>| {
            let id = p.get().policy.id();
            id == active.id() || previous.as_ref().is_some_and(|prev| id == prev.id())
        };
        pickers.retain(reachable);
        Ok(id_tuple(id))
    }

    /// Reinstates the previous policy; raises `SwapRefused` if none.
    fn rollback(&self) -> PyResult<(String, String, String)> {
        let id = self.slot.rollback().map_err(|e| crate::SwapRefused::new_err(e.to_string()))?;
        Ok(id_tuple(id))
    }

    /// Counts a pick made on `generation` toward the automatic rollback;
    /// the policy rolled back to, when this pick's failure triggered one.
    fn record(&self, outcome: &NativeOutcome, generation: u64) -> Option<(String, String, String)> {
        self.slot.record(&outcome.outcome, generation).map(id_tuple)
    }
}
