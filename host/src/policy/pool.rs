//! A policy's warm instances, kept between picks: one pool per policy,
//! which every way of picking draws from ([`PolicyInstance`], the slot,
//! async picks, the Python package). A pick takes an instance and gives it
//! back when it is over; an instance whose pick trapped is not given back
//! (a trapped wasmtime store cannot run again), and the next pick makes a
//! fresh one.
//!
//! A synchronous instance remembers the store it picked against (without
//! keeping it alive) and is only taken for picks against that very store:
//! what an instance keeps between picks (listings and persona lists by
//! fingerprint, a store's revisions) is the answer of one store, and another
//! store's revisions may collide with it. An instance whose store is gone is
//! dropped. An async instance is given its store for each pick; its
//! fingerprints are content hashes unless that store keeps revisions.
//!
//! [`PolicyInstance`]: super::PolicyInstance

use std::sync::{Arc, Mutex, Weak};

use emailgen_domain::MailStore;
use wasmtime::Store;

use crate::bindings::Picker;
use crate::serve::{HostState, SharedMailStore};

/// The store a synchronous instance picked against, not kept alive. (While
/// the weak reference lives, the store's allocation cannot be reused by
/// another store, so an address names one store.)
type StoreKey = Weak<Mutex<dyn MailStore + Send>>;

/// How many idle instances of each kind a pool keeps; more picks at once
/// make more, which are dropped when they end. Bounds what an idle policy
/// holds (each instance its linear memory, each synchronous one its store).
pub const MAX_IDLE: usize = 64;

/// A live instance: its wasmtime store and its bindings, and whether it
/// has not picked yet (its start then counts toward its first pick's
/// instructions).
pub(super) struct Live<B> {
    pub store: Store<HostState>,
    pub bindings: B,
    pub fresh: bool,
}

/// A policy's idle instances.
#[derive(Default)]
pub(super) struct InstancePool {
    sync: Mutex<Vec<(StoreKey, Live<Picker>)>>,
    #[cfg(feature = "async")]
    asynchronous: Mutex<Vec<Live<crate::bindings::asynchronous::Picker>>>,
}

/// A pool shared by every clone of a policy.
pub(super) type SharedPool = Arc<InstancePool>;

impl InstancePool {
    /// The instance that picked against `mail` last, if one is idle.
    pub fn take(&self, mail: &SharedMailStore) -> Option<Live<Picker>> {
        let mut idle = lock(&self.sync);
        let at = idle.iter().rposition(|(kept, _)| same_store(kept, mail))?;
        Some(idle.remove(at).1)
    }

    /// Gives back an instance that picked against `mail` (and lets go of
    /// the instances whose store is gone).
    pub fn give_back(&self, mail: &SharedMailStore, live: Live<Picker>) {
        let mut idle = lock(&self.sync);
        idle.retain(|(kept, _)| kept.strong_count() > 0);
        keep(&mut idle, (Arc::downgrade(mail), live));
    }

    /// An idle async instance, the one given back last.
    #[cfg(feature = "async")]
    pub fn take_async(&self) -> Option<Live<crate::bindings::asynchronous::Picker>> {
        lock(&self.asynchronous).pop()
    }

    /// Gives back an async instance.
    #[cfg(feature = "async")]
    pub fn give_back_async(&self, live: Live<crate::bindings::asynchronous::Picker>) {
        keep(&mut lock(&self.asynchronous), live);
    }

    /// How many instances are idle (synchronous, async).
    pub fn idle(&self) -> (usize, usize) {
        #[cfg(feature = "async")]
        let asynchronous = lock(&self.asynchronous).len();
        #[cfg(not(feature = "async"))]
        let asynchronous = 0;
        (lock(&self.sync).len(), asynchronous)
    }
}

fn same_store(kept: &StoreKey, mail: &SharedMailStore) -> bool {
    std::ptr::addr_eq(kept.as_ptr(), Arc::as_ptr(mail))
}

/// Keeps `item` as the newest idle instance, dropping the oldest past
/// [`MAX_IDLE`].
fn keep<T>(idle: &mut Vec<T>, item: T) {
    if idle.len() >= MAX_IDLE {
        idle.remove(0);
    }
    idle.push(item);
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}
