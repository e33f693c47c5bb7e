//! The embedder's store and clock, as the host holds them: a store that
//! answers at once ([`MailStore`], shared) or one the host waits for
//! ([`AsyncMailStore`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::NaiveDateTime;
use emailgen_domain::{Decky, MailStore, StoreError, Subject, ThreadRow, Topology};

/// The orchestrator's store, shared by every instance that picks against
/// it. Implement [`MailStore`] over your database and wrap it with
/// [`shared_store`].
pub type SharedMailStore = Arc<Mutex<dyn MailStore + Send>>;

/// Wraps an embedder's store for sharing between instances.
pub fn shared_store(store: impl MailStore + Send + 'static) -> SharedMailStore {
    Arc::new(Mutex::new(store))
}

/// The host's local wall clock, or a fixed one in tests.
pub type Clock = Arc<dyn Fn() -> NaiveDateTime + Send + Sync>;

/// The host's local wall clock.
pub fn local_clock() -> Clock {
    Arc::new(|| chrono::Local::now().naive_local())
}

/// The embedder's store, locked. A store that panicked mid-call is still
/// the embedder's store; its data is as consistent as the embedder made it.
pub fn lock_store(mail: &SharedMailStore) -> MutexGuard<'_, dyn MailStore + Send + 'static> {
    mail.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What a store call of a [`AsyncMailStore`] returns: the answer, once the
/// embedder has it.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// A store whose answers the host waits for, for an embedder on an async
/// runtime (the Python package implements it over the orchestrator's
/// coroutines). The same four questions as [`MailStore`], with owned
/// arguments. Used by the policy layer's `AsyncPolicyInstance` (feature `async`):
/// while a call waits, the guest is suspended and the pick's deadline
/// stands still, since the deadline bounds the policy, not the store.
pub trait AsyncMailStore: Send {
    /// As [`MailStore::list_running_deckies`].
    fn list_running_deckies(&mut self, services: Vec<String>) -> StoreFuture<'_, Vec<Decky>>;
    /// As [`MailStore::get_topology`].
    fn get_topology(&mut self, id: String) -> StoreFuture<'_, Option<Topology>>;
    /// As [`MailStore::list_email_threads`].
    fn list_email_threads(
        &mut self,
        mail_decky_uuid: String,
        sender_email: String,
        recipient_email: String,
        limit: u32,
    ) -> StoreFuture<'_, Vec<ThreadRow>>;
    /// As [`MailStore::global_personas`].
    fn global_personas(&mut self) -> StoreFuture<'_, String>;
    /// As [`MailStore::revision`]: answered at once. `None` (the default):
    /// the store keeps none.
    fn revision(&mut self, _subject: Subject<'_>) -> Option<u64> {
        None
    }
}

/// How one instance reaches the embedder's store: shared and answered at
/// once, or awaited (and then only during a pick).
pub(crate) enum Mail {
    /// A [`MailStore`] shared by the engine's instances.
    Shared(SharedMailStore),
    /// This pick's [`AsyncMailStore`].
    Async(Box<dyn AsyncMailStore>),
    /// Between two picks of an async instance: no store.
    Detached,
}

/// What a store call on [`Mail::Detached`] says (no pick is running, so no
/// policy code can ask).
fn detached() -> StoreError {
    StoreError("no store is attached to this instance outside a pick".into())
}

impl Mail {
    /// The shared store, which keys the engine's listings.
    pub fn shared(&self) -> Option<&SharedMailStore> {
        match self {
            Mail::Shared(mail) => Some(mail),
            _ => None,
        }
    }

    /// Whether a call may wait (and the deadline should stand still).
    pub fn waits(&self) -> bool {
        matches!(self, Mail::Async(_))
    }

    pub fn revision(&mut self, subject: Subject<'_>) -> Option<u64> {
        match self {
            Mail::Shared(mail) => lock_store(mail).revision(subject),
            Mail::Async(store) => store.revision(subject),
            Mail::Detached => None,
        }
    }

    pub async fn list_running_deckies(&mut self, filter: &[&str]) -> Result<Vec<Decky>, StoreError> {
        match self {
            Mail::Shared(mail) => lock_store(mail).list_running_deckies(filter),
            Mail::Async(store) => store.list_running_deckies(filter.iter().map(|s| s.to_string()).collect()).await,
            Mail::Detached => Err(detached()),
        }
    }

    pub async fn get_topology(&mut self, id: &str) -> Result<Option<Topology>, StoreError> {
        match self {
            Mail::Shared(mail) => lock_store(mail).get_topology(id),
            Mail::Async(store) => store.get_topology(id.to_owned()).await,
            Mail::Detached => Err(detached()),
        }
    }

    pub async fn list_email_threads(
        &mut self,
        decky: &str,
        sender: &str,
        recipient: &str,
        limit: u32,
    ) -> Result<Vec<ThreadRow>, StoreError> {
        match self {
            Mail::Shared(mail) => lock_store(mail).list_email_threads(decky, sender, recipient, limit),
            Mail::Async(store) => {
                store.list_email_threads(decky.to_owned(), sender.to_owned(), recipient.to_owned(), limit).await
            }
            Mail::Detached => Err(detached()),
        }
    }

    pub async fn global_personas(&mut self) -> Result<String, StoreError> {
        match self {
            Mail::Shared(mail) => lock_store(mail).global_personas(),
            Mail::Async(store) => store.global_personas().await,
            Mail::Detached => Err(detached()),
        }
    }
}
