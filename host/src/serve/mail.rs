//! The embedder's store and clock, as the host holds them.

use std::sync::{Arc, Mutex, MutexGuard};

use chrono::NaiveDateTime;
use emailgen_picker::MailStore;

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
