//! A policy's pool of warm instances, which every way of picking draws
//! from: a warm instance is reused by the next pick against the same
//! store, never by a pick against another; a trapped one is dropped; the
//! pool is bounded; the slot, synchronous and async picks all use it.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use emailgen_host::policy::MAX_IDLE;
use emailgen_host::{
    AsyncMailStore, AsyncPolicyInstance, Canary, MailStore, PickOutcome, Policy, PolicySlot, StoreFuture,
};
use emailgen_picker::{Decky, ThreadRow, Topology};
use hostile_policy::seeds;

use crate::common::hostile::{hostile_path, office};
use crate::common::*;

/// The default policy loaded anew: a pool no other test touches.
fn own_default() -> Policy {
    Policy::builtin(&engine()).unwrap()
}

#[test]
fn the_next_pick_against_a_store_reuses_its_warm_instance() {
    let policy = own_default();
    let (mail, calls) = shared(with_revision(company(people(3))));
    let mut picker = policy.instance(mail, fixed_clock(at(10, 0)));
    assert!(picker.pick(&seeded(1)).action().is_some());
    assert_eq!(policy.idle_instances(), (1, 0));
    let asked = calls.lock().unwrap().calls.len();
    assert!(picker.pick(&seeded(2)).action().is_some());
    assert_eq!(policy.idle_instances(), (1, 0), "the same instance, given back again");
    // Warm: what the instance kept is still good at the store's revision,
    // so the second pick fetched neither the deckies nor the topology.
    let second: Vec<&str> = calls.lock().unwrap().calls[asked..].to_vec();
    assert!(!second.contains(&"list-running-deckies") && !second.contains(&"get-topology"), "{second:?}");
}

#[test]
fn instances_never_cross_stores_and_a_dropped_store_lets_its_instance_go() {
    let policy = own_default();
    let (a, _) = shared(company(people(3)));
    let (b, _) = shared(company(people(4)));
    policy.instance(a.clone(), fixed_clock(at(10, 0))).pick(&seeded(1));
    policy.instance(b.clone(), fixed_clock(at(10, 0))).pick(&seeded(1));
    assert_eq!(policy.idle_instances(), (2, 0), "one per store");
    policy.instance(a.clone(), fixed_clock(at(10, 0))).pick(&seeded(2));
    assert_eq!(policy.idle_instances(), (2, 0));
    drop(b);
    policy.instance(a, fixed_clock(at(10, 0))).pick(&seeded(3));
    assert_eq!(policy.idle_instances(), (1, 0), "the instance of a store that is gone is let go");
}

#[test]
fn a_trapped_instance_is_not_given_back() {
    let hostile = Policy::from_file(&engine(), hostile_path()).unwrap();
    let (mail, _) = shared(office());
    let mut picker = hostile.instance(mail, fixed_clock(at(10, 0)));
    assert!(picker.pick(&seeded(seeds::NORMAL)).action().is_some());
    assert_eq!(hostile.idle_instances(), (1, 0));
    assert!(picker.pick(&seeded(seeds::PANIC)).is_error());
    assert_eq!(hostile.idle_instances(), (0, 0), "a trapped store cannot run again");
    assert!(picker.pick(&seeded(seeds::NORMAL)).action().is_some(), "the next pick runs on a fresh one");
    assert_eq!(hostile.idle_instances(), (1, 0));
}

#[test]
fn the_pool_is_bounded() {
    let policy = own_default();
    let stores: Vec<_> = (0..MAX_IDLE + 6).map(|_| shared(company(people(3))).0).collect();
    for mail in &stores {
        policy.instance(mail.clone(), fixed_clock(at(10, 0))).pick(&seeded(1));
    }
    assert_eq!(policy.idle_instances(), (MAX_IDLE, 0));
}

#[test]
fn a_slot_picks_from_the_active_policys_pool() {
    let (first, second) = (own_default(), own_default());
    let slot = PolicySlot::new(first.clone(), 0);
    let (mail, _) = shared(company(people(3)));
    assert!(slot.pick(mail.clone(), fixed_clock(at(10, 0)), &seeded(1)).outcome.action().is_some());
    assert_eq!((first.idle_instances(), second.idle_instances()), ((1, 0), (0, 0)));
    let canary = Canary { mail: mail.clone(), clock: fixed_clock(at(10, 0)), options: seeded(1) };
    slot.swap(second.clone(), &canary).unwrap();
    assert_eq!(second.idle_instances(), (0, 0), "the canary ran on a fresh instance, not given back");
    slot.pick(mail, fixed_clock(at(10, 0)), &seeded(2));
    assert_eq!((first.idle_instances(), second.idle_instances()), ((1, 0), (1, 0)));
}

/// A store that answers at once, through the async interface.
struct AtOnce(TestStore);

impl AsyncMailStore for AtOnce {
    fn list_running_deckies(&mut self, services: Vec<String>) -> StoreFuture<'_, Vec<Decky>> {
        let filter: Vec<&str> = services.iter().map(String::as_str).collect();
        Box::pin(std::future::ready(self.0.list_running_deckies(&filter)))
    }
    fn get_topology(&mut self, id: String) -> StoreFuture<'_, Option<Topology>> {
        Box::pin(std::future::ready(self.0.get_topology(&id)))
    }
    fn list_email_threads(&mut self, d: String, s: String, r: String, limit: u32) -> StoreFuture<'_, Vec<ThreadRow>> {
        Box::pin(std::future::ready(self.0.list_email_threads(&d, &s, &r, limit)))
    }
    fn global_personas(&mut self) -> StoreFuture<'_, String> {
        Box::pin(std::future::ready(self.0.global_personas()))
    }
}

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            return output;
        }
    }
}

#[test]
fn async_picks_take_and_give_back_instances_of_the_same_pool() {
    let policy = own_default();
    let store = || Box::new(AtOnce(company(people(3))));
    let mut warm = AsyncPolicyInstance::new(policy.clone(), fixed_clock(at(10, 0)));
    let outcome: PickOutcome = block_on(warm.pick(store(), &seeded(1))).outcome;
    assert!(outcome.action().is_some());
    assert_eq!(policy.idle_instances(), (0, 1));
    // Another handle takes the same instance (async stores are per pick).
    let mut other = AsyncPolicyInstance::new(policy.clone(), fixed_clock(at(10, 0)));
    block_on(other.pick(store(), &seeded(2)));
    assert_eq!(policy.idle_instances(), (0, 1));
    let mut fresh = AsyncPolicyInstance::fresh(policy.clone(), fixed_clock(at(10, 0)));
    let fresh_outcome = block_on(fresh.pick(store(), &seeded(1)));
    assert_eq!(fresh_outcome, outcome, "a fresh instance decides as a warm one");
    assert_eq!(policy.idle_instances(), (0, 1), "a fresh instance is not kept");
}

/// A store that keeps a revision: an unchanged one is not fetched again.
fn with_revision(mut store: TestStore) -> TestStore {
    store.revision = Some(1);
    store
}
