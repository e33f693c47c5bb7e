//! The wasmtime host an orchestrator embeds to run email-action picker
//! policies: WebAssembly components of the WIT world
//! `decnet:emailgen/picker` (`wit/` in this repository), sandboxed and
//! hot-swappable.
//!
//! Implement [`MailStore`] over your database; load a [`Policy`] on a
//! [`PickerEngine`]; pick on a [`PolicyInstance`] or through a
//! [`PolicySlot`] that swaps policies atomically. Every answer is checked
//! against what the host served before it becomes a [`PickOutcome`].
//!
#![doc = concat!("```\n", include_str!("../examples/embedding.rs"), "```")]
//!
//! (That is `examples/embedding.rs`, run as this crate's doc test; the book
//! shows it, `docs/embedding.md`.)
//!
//! # Layers
//!
//! Each module uses only the ones below it (a test of this crate checks
//! the `use` lines):
//!
//! | layer | modules | what it is |
//! |---|---|---|
//! | 4 | [`policy`] | loading and checking a component, instances, the swap slot, the compile cache |
//! | 3 | [`check`], [`record`] | checking a policy's answer against what was served; pick records, their sinks, the store a replay answers from |
//! | 2 | [`serve`], [`bindings`] | the WIT imports over a [`MailStore`]: budgets, listings, fingerprints, the record of what was served |
//! | 1 | [`sandbox`] | the wasmtime engine, limits, epoch deadlines, WASI, policy output, traps |
//! | 0 | [`outcome`], [`text`] | outcomes, text safety |
//!
//! The domain types and [`MailStore`] live in the domain crate
//! (`emailgen-domain`), which the policies, this library, the harness and
//! the Python package all use; they are re-exported here, with the host-wide
//! persona pool file ([`PersonaPoolFile`], SPEC §2).
//!
//! One pick: the embedder's store → [`serve`] (an import asks, the answer is
//! recorded as served) → the guest (the policy decides) → [`check`] (the
//! answer against what was served) → a [`PickOutcome`].

#![warn(missing_docs)]

pub mod bindings;
pub mod check;
pub mod outcome;
pub mod policy;
pub mod record;
pub mod sandbox;
pub mod serve;
pub mod text;

#[cfg(test)]
mod layers_test;

pub use emailgen_domain::persona_pool::{self, PersonaPoolFile};
pub use emailgen_domain::{
    Decky, EmailAction, MailStore, Persona, PickOptions, Shortage, SkipReason, StoreError, Subject, ThreadRow, Topology,
};
pub use outcome::{ErrorKind, PickError, PickOutcome, Picked};
pub use policy::cache::{CacheUse, CompileCache};
pub use policy::slot::{AttributedOutcome, Canary, PolicySlot, SlotWorker, SwapError};
#[cfg(feature = "async")]
pub use policy::AsyncPolicyInstance;
pub use policy::{LoadError, PickerEngine, Policy, PolicyId, PolicyInstance, Replayed};
pub use record::{FileLimits, FileSink, PickRecord, RecordSink, RecordedPick, Recorder};
pub use sandbox::{LimitOutOfRange, Limits, OperatorLimits};
pub use serve::StoreCall;
pub use serve::{local_clock, shared_store, AsyncMailStore, Clock, SharedMailStore, StoreFuture};
