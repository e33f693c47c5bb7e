//! Instances whose store the host waits for (feature `async`): a pick is
//! a future any executor can drive. While the store answers, the guest is
//! suspended and the executor runs other work; while the guest computes,
//! it gives the executor a turn every epoch tick (2 ms). The deadline
//! bounds the policy's own time: ticks spent waiting for the store are
//! added to it.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use emailgen_domain::PickOptions;
use wasmtime::component::{HasSelf, Linker};
use wasmtime::{Store, Trap, UpdateDeadline};

use super::instance::{accept, classify, new_store};
use super::recording::Taking;
use super::{PickerEngine, Policy};
use crate::bindings::waited::{Picker, PickerPre};
use crate::outcome::PickOutcome;
use crate::record::Recorder;
use crate::sandbox::{wasi, EpochClock, PickDeadline};
use crate::serve::{convert, AsyncMailStore, Clock, HostState, StoreCall};

/// The component linked for waited instances.
pub(super) fn pre(
    engine: &PickerEngine,
    component: &wasmtime::component::Component,
) -> wasmtime::Result<PickerPre<HostState>> {
    let mut linker = Linker::new(engine.engine());
    Picker::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state)?;
    wasi::add_to_linker_async(&mut linker)?;
    PickerPre::new(linker.instantiate_pre(component)?)
}

/// A warm instance of a policy whose picks are awaited, each against the
/// store given for it. One pick at a time; for picks at once, one instance
/// each. After a trap the next pick runs on a fresh instance.
pub struct AsyncPolicyInstance {
    policy: Policy,
    clock: Clock,
    live: Option<(Store<HostState>, Picker)>,
    recorder: Option<Recorder>,
}

impl AsyncPolicyInstance {
    /// An instance of `policy` (none is made until the first pick).
    pub fn new(policy: Policy, clock: Clock) -> Self {
        AsyncPolicyInstance { policy, clock, live: None, recorder: None }
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
        let (mut store, bindings) = match self.live.take() {
            Some(live) => live,
            None => match instantiate(self.policy.clone(), self.clock.clone()).await {
                Ok(live) => live,
                Err(outcome) => return (*outcome, Vec::new()),
            },
        };
        let deadline = self.policy.engine().epochs().deadline(self.policy.engine().limits());
        store.data_mut().attach(mail);
        store.data_mut().begin_pick(deadline, recording);
        store.set_epoch_deadline(1);
        let result = bindings.call_pick(&mut store, convert::pick_options(options)).await;
        store.data_mut().detach();
        let calls = store.data_mut().take_transcript();
        match result {
            Ok(outcome) => {
                let accepted = accept(outcome, &store);
                self.live = Some((store, bindings));
                (accepted, calls)
            }
            Err(err) => (classify(err, &mut store), calls),
        }
    }
}

/// A new instance of `policy`, its store attached for each pick. (Owns
/// what it needs: the future does not borrow the instance it fills.)
async fn instantiate(policy: Policy, clock: Clock) -> Result<(Store<HostState>, Picker), Box<PickOutcome>> {
    let engine = policy.engine();
    let state = HostState::detached(clock, engine.sandbox(), engine.caches());
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
        Ok(bindings) => Ok((store, bindings)),
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
