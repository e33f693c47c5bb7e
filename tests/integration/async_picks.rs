//! Instances whose store the host waits for (`AsyncPolicyInstance`, the
//! library's `async` feature, which the Python package drives): the same
//! outcomes as the synchronous instances, store time that does not count
//! against the deadline, and a guest that cannot hold its executor.

use std::future::Future;
use std::pin::{pin, Pin};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use crate::common::hostile::*;
use crate::common::*;
use emailgen_host::{
    AsyncMailStore, AsyncPolicyInstance, ErrorKind, Limits, MailStore, PickOptions, PickOutcome, StoreFuture,
};
use emailgen_picker::{Decky, ThreadRow, Topology};
use hostile_policy::seeds;

/// A store that answers after `delay`, as a remote database would; every
/// call first says it is not ready.
struct Delayed {
    inner: TestStore,
    delay: Duration,
}

/// Ready once `until` has passed and it was polled before; pending (and
/// awake) until then.
struct Later<T>(Instant, Option<T>, bool);

impl<T: Unpin> Future for Later<T> {
    type Output = T;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let first = !std::mem::replace(&mut self.2, true);
        if first || Instant::now() < self.0 {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(self.1.take().expect("polled after it was ready"))
    }
}

/// `answer`, once `delay` has passed.
fn later<T: Send + Unpin + 'static>(delay: Duration, answer: T) -> Pin<Box<dyn Future<Output = T> + Send>> {
    Box::pin(Later(Instant::now() + delay, Some(answer), false))
}

impl AsyncMailStore for Delayed {
    fn list_running_deckies(&mut self, services: Vec<String>) -> StoreFuture<'_, Vec<Decky>> {
        let filter: Vec<&str> = services.iter().map(String::as_str).collect();
        later(self.delay, self.inner.list_running_deckies(&filter))
    }
    fn get_topology(&mut self, id: String) -> StoreFuture<'_, Option<Topology>> {
        later(self.delay, self.inner.get_topology(&id))
    }
    fn list_email_threads(&mut self, d: String, s: String, r: String, limit: u32) -> StoreFuture<'_, Vec<ThreadRow>> {
        later(self.delay, self.inner.list_email_threads(&d, &s, &r, limit))
    }
    fn global_personas(&mut self) -> StoreFuture<'_, String> {
        later(self.delay, self.inner.global_personas())
    }
}

/// How a future was driven: how many times it was polled, and the longest
/// a single poll held the executor's thread.
struct Driven {
    polls: usize,
    longest_poll: Duration,
}

/// Drives a future to its end on this thread, as an event loop would:
/// whenever it is pending, other work could run.
fn drive<F: Future>(future: F) -> (F::Output, Driven) {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    let mut driven = Driven { polls: 0, longest_poll: Duration::ZERO };
    loop {
        driven.polls += 1;
        let started = Instant::now();
        let polled = future.as_mut().poll(&mut context);
        driven.longest_poll = driven.longest_poll.max(started.elapsed());
        if let Poll::Ready(output) = polled {
            return (output, driven);
        }
        std::thread::yield_now();
    }
}

fn waited_pick(
    instance: &mut AsyncPolicyInstance,
    store: &TestStore,
    delay: Duration,
    options: &PickOptions,
) -> (PickOutcome, Driven) {
    let mail = Box::new(Delayed { inner: store.clone(), delay });
    let (picked, driven) = drive(instance.pick(mail, options));
    (picked.outcome, driven)
}

#[test]
fn waited_picks_decide_as_synchronous_ones() {
    let mut store = office();
    store.global_personas = people(4).to_string();
    store.deckies.push(decky("fleet-mx", &["pop3"], Some("fleet"), None));
    let mut waited = AsyncPolicyInstance::new(default_policy().clone(), fixed_clock(at(10, 0)));
    let (mail, _) = shared(store.clone());
    let mut warm = default_policy().instance(mail, fixed_clock(at(10, 0)));
    for seed in 0..60 {
        let options = PickOptions { reply_probability: Some(0.5), ..seeded(seed) };
        let (outcome, driven) = waited_pick(&mut waited, &store, Duration::ZERO, &options);
        assert_eq!(outcome, warm.pick(&options).outcome, "seed {seed}");
        assert!(driven.polls > 1, "the store's answers were waited for");
    }
}

#[test]
fn time_spent_waiting_for_the_store_does_not_count_against_the_deadline() {
    // Three store calls of 30 ms each: 90 ms, past the 50 ms deadline.
    let mut instance = AsyncPolicyInstance::new(default_policy().clone(), fixed_clock(at(10, 0)));
    let options = PickOptions { reply_probability: Some(1.0), ..seeded(1) };
    let started = Instant::now();
    let (outcome, _) = waited_pick(&mut instance, &office(), Duration::from_millis(30), &options);
    assert!(started.elapsed() >= Duration::from_millis(60), "the store was slow");
    assert!(outcome.action().is_some_and(|a| a.is_reply), "{}", outcome.to_json());
}

#[test]
fn an_endless_loop_gives_the_executor_turns_and_ends_at_the_wall_clock_limit() {
    // Instructions enough for seconds of computing: the 50 ms wall-clock
    // limit comes first.
    let limits =
        Limits { instructions: UNHURRIED_INSTRUCTIONS, wall_clock: Duration::from_millis(50), ..Limits::default() };
    let mut instance = AsyncPolicyInstance::new(hostile_under(limits), fixed_clock(at(10, 0)));
    let started = Instant::now();
    let (outcome, driven) = waited_pick(&mut instance, &office(), Duration::ZERO, &seeded(seeds::LOOP_FOREVER));
    assert_error(&outcome, ErrorKind::WallClock, "wall-clock limit of 50 ms");
    assert!(started.elapsed() < STOPPED_WITHIN);
    // It yields every 2 ms tick; holding the thread, one poll would last
    // the whole 50 ms.
    assert!(driven.polls >= 3, "polled {} times", driven.polls);
    assert!(driven.longest_poll < Duration::from_millis(45), "one poll held the thread {:?}", driven.longest_poll);
    let (after, _) = waited_pick(&mut instance, &office(), Duration::ZERO, &seeded(seeds::NORMAL));
    assert!(after.action().is_some(), "{}", after.to_json());
}

#[test]
fn a_sleep_suspends_the_pick_instead_of_blocking_and_ends_at_the_deadline() {
    let mut instance = AsyncPolicyInstance::new(hostile().clone(), fixed_clock(at(10, 0)));
    let started = Instant::now();
    let (outcome, driven) = waited_pick(&mut instance, &office(), Duration::ZERO, &seeded(seeds::SLEEP));
    assert_error(&outcome, ErrorKind::Deadline, "wasi:io/poll");
    assert!(started.elapsed() < STOPPED_WITHIN);
    // Waited for outside the executor's thread: no poll lasts the 50 ms.
    assert!(driven.polls >= 3, "polled {} times", driven.polls);
    assert!(driven.longest_poll < Duration::from_millis(45), "one poll held the thread {:?}", driven.longest_poll);
    let (nap, _) = waited_pick(&mut instance, &office(), Duration::ZERO, &seeded(seeds::SHORT_NAP));
    assert!(nap.action().is_some(), "a short wait inside the deadline: {}", nap.to_json());
}

#[test]
fn a_failing_store_is_a_store_error_and_forgeries_are_still_refused() {
    let mut store = office();
    store.failing = Some("get-topology");
    let mut instance = AsyncPolicyInstance::new(hostile().clone(), fixed_clock(at(10, 0)));
    let (outcome, _) = waited_pick(&mut instance, &store, Duration::ZERO, &seeded(seeds::NORMAL));
    assert_error(&outcome, ErrorKind::Store, "get-topology");
    for (seed, mentions) in [(seeds::WRONG_SUBJECT, "reply subject"), (seeds::IMPORT_STORM, "called more than")] {
        let (outcome, _) = waited_pick(&mut instance, &office(), Duration::ZERO, &seeded(seed));
        assert_error(&outcome, ErrorKind::PolicyViolation, mentions);
    }
}
