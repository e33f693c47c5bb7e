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
use super::run::{accept, classify, instructions_used, new_store, refuel};
use crate::bindings::asynchronous::Picker;
use crate::outcome::Picked;
use crate::record::Recorder;
use crate::sandbox::{EpochClock, WallClockLimit};
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
    /// that ended it, and what it cost. Given no seed, the host draws one.
    pub async fn pick(&mut self, mail: Box<dyn AsyncMailStore>, options: &PickOptions) -> Picked {
        let (options, taking) = Taking::start(options, self.recorder.is_some());
        let (picked, calls) = self.run(mail, &options, taking.recording()).await;
        taking.finish(&self.policy, self.recorder.as_ref(), calls, picked)
    }

    async fn run(
        &mut self,
        mail: Box<dyn AsyncMailStore>,
        options: &PickOptions,
        recording: bool,
    ) -> (Picked, Vec<StoreCall>) {
        let kept = if self.fresh { None } else { self.policy.pool().take_async() };
        let mut live = match kept {
            Some(live) => live,
            None => match instantiate(self.policy.clone(), self.clock.clone()).await {
                Ok(live) => live,
                Err(failed) => return (*failed, Vec::new()),
            },
        };
        let fresh = std::mem::replace(&mut live.fresh, false);
        refuel(&mut live.store, fresh);
        let limits = self.policy.engine().limits();
        let wall_clock = self.policy.engine().epochs().deadline(limits.wall_clock_ticks());
        let state = live.store.data_mut();
        state.attach_async(mail, self.clock.clone());
        state.begin_pick(wall_clock, recording);
        live.store.set_epoch_deadline(1);
        let result = live.bindings.call_pick(&mut live.store, convert::pick_options(options)).await;
        live.store.data_mut().detach();
        let calls = live.store.data_mut().take_transcript();
        let instructions = instructions_used(&live.store);
        let picked = |outcome| Picked { outcome, instructions, fresh };
        match result {
            Ok(outcome) => {
                let accepted = accept(outcome, &live.store);
                if !self.fresh {
                    self.policy.pool().give_back_async(live);
                }
                (picked(accepted), calls)
            }
            // A trapped store cannot run again: it is dropped here.
            Err(err) => (picked(classify(err, &mut live.store)), calls),
        }
    }
}

/// A new instance of `policy`, its store attached for each pick; or the
/// failed pick its start was. (Owns what it needs: the future does not
/// borrow the instance it fills.)
async fn instantiate(policy: Policy, clock: Clock) -> Result<Live<Picker>, Box<Picked>> {
    let engine = policy.engine();
    let state = HostState::new(clock, engine.sandbox(), engine.caches());
    let mut store = new_store(&policy, state);
    // Every tick: past the deadline, stop; else give the executor a turn
    // (the time until it polls again moves the deadline) and look again
    // next tick.
    let (epochs, wall_clock) = (engine.epochs().clone(), store.data().wall_clock().clone());
    store.epoch_deadline_callback(move |_| match epochs.now() >= wall_clock.tick() {
        true => Err(wasmtime::Error::new(Trap::Interrupt)),
        false => Ok(UpdateDeadline::YieldCustom(1, Box::pin(give_a_turn(epochs.clone(), wall_clock.clone())))),
    });
    store.set_epoch_deadline(1);
    let pre = policy.pre_async().clone();
    match pre.instantiate_async(&mut store).await {
        Ok(bindings) => Ok(Live { store, bindings, fresh: true }),
        Err(err) => {
            let outcome = classify(err, &mut store);
            Err(Box::new(Picked { outcome, instructions: instructions_used(&store), fresh: true }))
        }
    }
}

/// Lets the executor run other work once, then moves the wall-clock limit
/// by the ticks that took: time the executor gave others is not the pick's.
async fn give_a_turn(epochs: EpochClock, wall_clock: WallClockLimit) {
    let since = epochs.now();
    YieldOnce(false).await;
    wall_clock.extend(epochs.now().saturating_sub(since));
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
