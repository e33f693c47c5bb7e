//! Picks whose store the host awaits (feature `async`): a pick is a
//! future any executor can drive. While the store answers, the guest is
//! suspended and the executor runs other work; while the guest computes,
//! it gives the executor a turn every epoch tick (2 ms). The deadline
//! bounds the policy's own time: ticks spent waiting for the store are
//! added to it. Instances come from the policy's pool and go back to it.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use emailgen_domain::PickOptions;
use wasmtime::{Trap, UpdateDeadline};

use super::load::Policy;
use super::pool::Live;
use super::recording::Taking;
use super::run::{accept, classify, new_store};
use crate::bindings::asynchronous::Picker;
use crate::outcome::PickOutcome;
use crate::record::Recorder;
use crate::sandbox::{EpochClock, PickDeadline};
use crate::serve::{convert, AsyncMailStore, Clock, HostState, StoreCall};

/// Awaited picks of a policy, each against the store given for it. Each
/// pick runs on a warm instance from the policy's pool (picks at once on
/// instances of their own); after a trap the next pick runs on a fresh one.
pub struct AsyncPolicyInstance {
    policy: Policy,
    clock: Clock,
    recorder: Option<Recorder>,
    fresh: bool,
}

impl AsyncPolicyInstance {
    /// Awaited picks of `policy`, on warm instances from its pool (none is
    /// made until the first pick).
    pub fn new(policy: Policy, clock: Clock) -> Self {
        AsyncPolicyInstance { policy, clock, recorder: None, fresh: false }
    }

    /// Awaited picks of `policy`, each on a fresh instance (dropped
    /// afterwards): a canary pick, or a pick that must not depend on what
    /// an instance kept.
    pub fn fresh(policy: Policy, clock: Clock) -> Self {
        AsyncPolicyInstance { fresh: true, ..AsyncPolicyInstance::new(policy, clock) }
    }

    /// Records every pick of this instance into `recorder` (`None`: stop).
    pub fn set_recorder(&mut self, recorder: Option<Recorder>) {
        self.recorder = recorder;
    }

    /// The policy this instance runs.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// One pick against `mail`: the policy's checked answer, or the error
    /// that ended it. Given no seed, the host draws one.
    pub async fn pick(&mut self, mail: Box<dyn AsyncMailStore>, options: &PickOptions) -> PickOutcome {
        let (options, taking) = Taking::start(options, self.recorder.is_some());
        let (outcome, calls) = self.run(mail, &options, taking.recording()).await;
        taking.finish(&self.policy, self.recorder.as_ref(), calls, outcome)
    }

    async fn run(
        &mut self,
        mail: Box<dyn AsyncMailStore>,
        options: &PickOptions,
        recording: bool,
    ) -> (PickOutcome, Vec<StoreCall>) {
        let kept = if self.fresh { None } else { self.policy.pool().take_async() };
        let mut live = match kept {
            Some(live) => live,
            None => match instantiate(self.policy.clone(), self.clock.clone()).await {
                Ok(live) => live,
                Err(outcome) => return (*outcome, Vec::new()),
            },
        };
        let deadline = self.policy.engine().epochs().deadline(self.policy.engine().limits().deadline_ticks());
        let state = live.store.data_mut();
        state.attach_async(mail, self.clock.clone());
        state.begin_pick(deadline, recording);
        live.store.set_epoch_deadline(1);
        let result = live.bindings.call_pick(&mut live.store, convert::pick_options(options)).await;
        live.store.data_mut().detach();
        let calls = live.store.data_mut().take_transcript();
        match result {
            Ok(outcome) => {
                let accepted = accept(outcome, &live.store);
                if !self.fresh {
                    self.policy.pool().give_back_async(live);
                }
                (accepted, calls)
            }
            // A trapped store cannot run again: it is dropped here.
            Err(err) => (classify(err, &mut live.store), calls),
        }
    }
}

/// A new instance of `policy`, its store attached for each pick. (Owns
/// what it needs: the future does not borrow the instance it fills.)
async fn instantiate(policy: Policy, clock: Clock) -> Result<Live<Picker>, Box<PickOutcome>> {
    let engine = policy.engine();
    let state = HostState::new(clock, engine.sandbox(), engine.caches());
    let mut store = new_store(&policy, state);
    // Every tick: past the deadline, stop; else give the executor a turn
    // (the time until it polls again moves the deadline) and look again
    // next tick.
    let (epochs, deadline) = (engine.epochs().clone(), store.data().deadline().clone());
    store.epoch_deadline_callback(move |_| match epochs.now() >= deadline.tick() {
        true => Err(wasmtime::Error::new(Trap::Interrupt)),
        false => Ok(UpdateDeadline::YieldCustom(1, Box::pin(give_a_turn(epochs.clone(), deadline.clone())))),
    });
    store.set_epoch_deadline(1);
    let pre = policy.pre_async().clone();
    match pre.instantiate_async(&mut store).await {
        Ok(bindings) => Ok(Live { store, bindings }),
        Err(err) => Err(Box::new(classify(err, &mut store))),
    }
}

/// Lets the executor run other work once, then moves the deadline by the
/// ticks that took: the policy's time is what the deadline bounds.
async fn give_a_turn(epochs: EpochClock, deadline: PickDeadline) {
    let since = epochs.now();
    YieldOnce(false).await;
    deadline.extend(epochs.now().saturating_sub(since));
}

/// Pending once (asking to be polled again at once), then ready.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if std::mem::replace(&mut self.0, true) {
            return Poll::Ready(());
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
