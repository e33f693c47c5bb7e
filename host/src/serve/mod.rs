//! Serving the picker's WIT imports (`store`, `clock`, `log`) from the
//! embedder's [`MailStore`](emailgen_domain::MailStore): one instance's
//! state, the import budgets, the running deckies listed once per pick and
//! shared by store revision, fingerprints, and the record of what was
//! served that the answer is checked against.
//!
//! Uses the sandbox below it (WASI, limits, traps); knows nothing of
//! policies or of checking answers.

mod budget;
mod clock;
pub mod convert;
mod fetched;
pub mod fingerprint;
pub mod listing;
mod log;
mod mail;
mod served;
mod state;
mod store;
#[cfg(feature = "async")]
mod store_async;
mod store_state;
mod this_pick;
pub mod transcript;

pub use mail::{local_clock, lock_store, shared_store, AsyncMailStore, Clock, SharedMailStore, StoreFuture};
pub use served::{Served, SharedPersonaCache, ThreadLookup};
#[cfg(feature = "async")]
pub use state::add_to_linker_async;
pub use state::{add_to_linker, HostState};
pub use transcript::{Answered, StoreCall};

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use listing::SharedListings;

/// Polls a future once: its output, or `None` if it would wait. The
/// synchronous imports run the same code as the async ones this way, over
/// a store that answers at once.
pub(crate) fn poll_once<F: Future>(future: F) -> Option<F::Output> {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => Some(output),
        Poll::Pending => None,
    }
}

/// What every instance on an engine shares: persona lists parsed by the
/// host (so a fresh instance does not parse again) and running-decky
/// listings by store revision (see [`listing`]).
#[derive(Clone, Default)]
pub struct SharedCaches {
    /// Persona lists by text, as the host parsed them.
    pub personas: SharedPersonaCache,
    /// Running-decky listings by store and revision.
    pub listings: SharedListings,
}
