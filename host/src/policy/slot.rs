//! A slot holding the active picker policy, swapped atomically at runtime.
//!
//! `swap` checks a candidate (compiled and checked when it was loaded; here:
//! a canary pick on the caller's data) and only then promotes it. Picks in
//! flight finish on the policy they started with; a pick that starts after a
//! swap returned runs on the new policy. A bad candidate never replaces a
//! good policy, and a policy that fails `rollback_after` picks in a row is
//! replaced by the one before it.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, RwLock};

use emailgen_domain::PickOptions;
use serde::Serialize;

use super::{LoadError, Policy, PolicyId};
use crate::outcome::{ErrorKind, PickError, PickOutcome, Picked};
use crate::record::Recorder;
use crate::serve::{Clock, SharedMailStore};

/// Why a swap or rollback did not happen; the active policy is unchanged.
#[derive(Debug, thiserror::Error)]
pub enum SwapError {
    /// The candidate could not be loaded.
    #[error("{0}")]
    Load(#[from] LoadError),
    /// The candidate's canary pick was an error.
    #[error("canary pick of {policy} failed: {error}")]
    Canary {
        /// The candidate's name.
        policy: String,
        /// What its canary pick failed with.
        error: PickError,
    },
    /// A rollback was asked for, but no policy was active before this one.
    #[error("there is no previous policy to roll back to")]
    NoPrevious,
}

/// A pick, what it cost, and the policy that made it.
#[derive(Debug, Clone, Serialize)]
pub struct AttributedOutcome {
    /// What the pick produced.
    #[serde(flatten)]
    pub outcome: PickOutcome,
    /// The policy that made it.
    pub policy: PolicyId,
    /// Wasm instructions the policy executed (see [`Picked`]).
    pub instructions: u64,
    /// Whether it ran on a fresh instance.
    #[serde(skip)]
    pub fresh: bool,
    /// The slot generation the pick ran on (it grows by one per promotion).
    #[serde(skip)]
    pub generation: u64,
    /// Set when this pick's failure made the slot roll back: the policy now
    /// active.
    #[serde(skip)]
    pub rolled_back_to: Option<PolicyId>,
}

struct Active {
    policy: Arc<Policy>,
    generation: u64,
    previous: Option<Arc<Policy>>,
}

/// The active policy of an orchestrator, swapped atomically (see the
/// module docs).
pub struct PolicySlot {
    active: RwLock<Active>,
    failures_in_a_row: AtomicU32,
    rollback_after: u32,
    recorder: RwLock<Option<Recorder>>,
}

/// Data for the canary pick that a candidate must pass.
pub struct Canary {
    /// The store the canary pick reads.
    pub mail: SharedMailStore,
    /// Its clock.
    pub clock: Clock,
    /// Its options.
    pub options: PickOptions,
}

impl PolicySlot {
    /// A slot with `initial` active. After `rollback_after` failed picks in a
    /// row (0: never) the slot rolls back to the previous policy.
    pub fn new(initial: Policy, rollback_after: u32) -> Self {
        let active = Active { policy: Arc::new(initial), generation: 0, previous: None };
        PolicySlot {
            active: RwLock::new(active),
            failures_in_a_row: AtomicU32::new(0),
            rollback_after,
            recorder: RwLock::new(None),
        }
    }

    /// Records every pick its workers make into `recorder` (`None`: stop),
    /// whichever policy is active.
    pub fn set_recorder(&self, recorder: Option<Recorder>) {
        *self.recorder.write().unwrap_or_else(|p| p.into_inner()) = recorder;
    }

    /// The recorder its picks go to.
    pub fn recorder(&self) -> Option<Recorder> {
        self.recorder.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The active policy and its generation.
    pub fn active(&self) -> (Arc<Policy>, u64) {
        let active = self.read();
        (active.policy.clone(), active.generation)
    }

    /// The policy a rollback would reinstate.
    pub fn previous(&self) -> Option<Arc<Policy>> {
        self.read().previous.clone()
    }

    /// Promotes `candidate` if its canary pick is an action or a skip.
    pub fn swap(&self, candidate: Policy, canary: &Canary) -> Result<PolicyId, SwapError> {
        let trial = candidate.pick_fresh(canary.mail.clone(), canary.clock.clone(), &canary.options);
        self.promote_after_canary(candidate, trial.outcome)
    }

    /// Promotes `candidate` if `canary`, the outcome of a pick it made on
    /// a fresh instance (for a caller that ran the canary pick itself, for
    /// example awaited), is an action or a skip.
    pub fn promote_after_canary(&self, candidate: Policy, canary: PickOutcome) -> Result<PolicyId, SwapError> {
        if let PickOutcome::Error { error } = canary {
            return Err(SwapError::Canary { policy: candidate.id().name.clone(), error });
        }
        let id = candidate.id().clone();
        let mut active = self.write();
        let old = std::mem::replace(&mut active.policy, Arc::new(candidate));
        active.previous = Some(old);
        active.generation += 1;
        self.failures_in_a_row.store(0, Ordering::Relaxed);
        tracing::info!("policy {} ({}) promoted", id.name, &id.sha256[..12]);
        Ok(id)
    }

    /// Reinstates the previous policy.
    pub fn rollback(&self) -> Result<PolicyId, SwapError> {
        self.reinstate_previous(&mut self.write(), "on demand")
    }

    /// Reinstates the previous policy in `active` (the slot's, locked),
    /// and logs why.
    fn reinstate_previous(&self, active: &mut Active, why: &str) -> Result<PolicyId, SwapError> {
        let previous = active.previous.take().ok_or(SwapError::NoPrevious)?;
        let id = previous.id().clone();
        let replaced = std::mem::replace(&mut active.policy, previous);
        tracing::warn!("rolled back from policy {} to {} ({}) {why}", replaced.id().name, id.name, &id.sha256[..12]);
        active.previous = Some(replaced);
        active.generation += 1;
        self.failures_in_a_row.store(0, Ordering::Relaxed);
        Ok(id)
    }

    /// One pick against `mail` on the policy active when it starts (on a
    /// warm instance from that policy's pool), counted toward the automatic
    /// rollback and recorded into the slot's recorder.
    pub fn pick(&self, mail: SharedMailStore, clock: Clock, options: &PickOptions) -> AttributedOutcome {
        let (policy, generation) = self.active();
        let mut instance = policy.instance(mail, clock);
        instance.set_recorder(self.recorder());
        let picked = instance.pick(options);
        self.attribute(picked, &policy, generation)
    }

    /// The same, awaited against a store the host waits for (feature
    /// `async`).
    #[cfg(feature = "async")]
    pub async fn pick_async(
        &self,
        mail: Box<dyn crate::serve::AsyncMailStore>,
        clock: Clock,
        options: &PickOptions,
    ) -> AttributedOutcome {
        let (policy, generation) = self.active();
        let mut instance = super::AsyncPolicyInstance::new((*policy).clone(), clock);
        instance.set_recorder(self.recorder());
        let picked = instance.pick(mail, options).await;
        self.attribute(picked, &policy, generation)
    }

    /// A pick, counted and attributed to the policy that made it.
    fn attribute(&self, picked: Picked, policy: &Policy, generation: u64) -> AttributedOutcome {
        let rolled_back_to = self.count_toward_rollback(&picked.outcome, generation);
        let Picked { outcome, instructions, fresh } = picked;
        AttributedOutcome { outcome, policy: policy.id().clone(), instructions, fresh, generation, rolled_back_to }
    }

    /// A worker that picks on the active policy against one store.
    pub fn worker(&self, mail: SharedMailStore, clock: Clock) -> SlotWorker<'_> {
        SlotWorker { slot: self, mail, clock }
    }

    /// Counts a pick's result (made on the policy of `generation`) toward
    /// the automatic rollback; returns the reinstated policy when this
    /// failure triggered one. [`pick`](Self::pick) calls it for every pick;
    /// a caller that picks on [`active`](Self::active) itself does too.
    pub fn count_toward_rollback(&self, outcome: &PickOutcome, generation: u64) -> Option<PolicyId> {
        if !is_policy_failure(outcome) {
            self.failures_in_a_row.store(0, Ordering::Relaxed);
            return None;
        }
        let streak = self.failures_in_a_row.fetch_add(1, Ordering::Relaxed) + 1;
        if self.rollback_after == 0 || streak < self.rollback_after {
            return None;
        }
        let PickOutcome::Error { error } = outcome else { return None };
        let mut active = self.write();
        // Roll back only if the failing policy is still the active one.
        if active.generation != generation {
            return None;
        }
        let why = format!("after {streak} failed picks in a row, the last: {:?}: {}", error.kind, error.message);
        self.reinstate_previous(&mut active, &why).ok()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Active> {
        self.active.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Active> {
        self.active.write().unwrap_or_else(|p| p.into_inner())
    }
}

/// Failures that are the policy's fault: not a store outage, bad options,
/// or the wall-clock limit (a loaded machine or a stuck host). Its own
/// waits past its deadline are its doing; so is running out of
/// instructions.
fn is_policy_failure(outcome: &PickOutcome) -> bool {
    match outcome {
        PickOutcome::Error { error } => {
            !matches!(error.kind, ErrorKind::Store | ErrorKind::InvalidInput | ErrorKind::WallClock)
        }
        _ => false,
    }
}

/// Picks on a slot's active policy against one store ([`PolicySlot::pick`]
/// with the store and clock given once).
pub struct SlotWorker<'s> {
    slot: &'s PolicySlot,
    mail: SharedMailStore,
    clock: Clock,
}

impl SlotWorker<'_> {
    /// One pick on the policy active when it starts, counted toward the
    /// automatic rollback.
    pub fn pick(&mut self, options: &PickOptions) -> AttributedOutcome {
        self.slot.pick(self.mail.clone(), self.clock.clone(), options)
    }
}
