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
//! ```
//! use std::collections::HashMap;
//!
//! use emailgen_host::{local_clock, shared_store, Limits, PickOutcome, PickerEngine, Policy};
//! use emailgen_host::{Decky, MailStore, PickOptions, StoreError, ThreadRow, Topology};
//!
//! /// The orchestrator's data (a database in real life).
//! struct Orchestrator {
//!     deckies: Vec<Decky>,
//!     topologies: HashMap<String, Topology>,
//!     pool: String,
//! }
//!
//! impl MailStore for Orchestrator {
//!     fn list_running_deckies(&mut self, services: &[&str]) -> Result<Vec<Decky>, StoreError> {
//!         Ok(self.deckies.iter().filter(|d| d.offers_any(services)).cloned().collect())
//!     }
//!     fn get_topology(&mut self, id: &str) -> Result<Option<Topology>, StoreError> {
//!         Ok(self.topologies.get(id).cloned())
//!     }
//!     fn list_email_threads(&mut self, _: &str, _: &str, _: &str, _: u32) -> Result<Vec<ThreadRow>, StoreError> {
//!         Ok(Vec::new()) // no mail sent yet
//!     }
//!     fn global_personas(&mut self) -> Result<String, StoreError> {
//!         Ok(self.pool.clone())
//!     }
//! }
//!
//! let fleet_mail = Decky {
//!     uuid: "fleet-01:mx".into(),
//!     services: vec!["imap".into()],
//!     source: Some("fleet".into()),
//!     ..Decky::default()
//! };
//! let pool = r#"[{"name": "Ana", "email": "ana@corp.example", "role": "CFO", "active_hours": "00:00-00:00"},
//!                {"name": "Bo", "email": "bo@corp.example", "role": "IT", "active_hours": "00:00-00:00"}]"#;
//! let store = Orchestrator { deckies: vec![fleet_mail], topologies: HashMap::new(), pool: pool.into() };
//!
//! let engine = PickerEngine::new(Limits::default()).unwrap();
//! let policy = Policy::builtin(&engine).unwrap(); // or Policy::from_file(&engine, path)
//! let mut picker = policy.instance(shared_store(store), local_clock());
//! match picker.pick(&PickOptions::default()) {
//!     PickOutcome::Action { action } => println!("{} writes to {}", action.sender.name, action.recipient.name),
//!     other => panic!("{}", other.to_json()),
//! }
//! ```
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
//! | 0 | [`outcome`], [`text`], [`persona_pool`] | outcomes, text safety, the host-wide persona pool file |
//!
//! The domain types and [`MailStore`] live in the picker crate
//! (`emailgen_domain::host`), which the guest's native build, this library
//! and the harness all use; they are re-exported here.
//!
//! One pick: the embedder's store → [`serve`] (an import asks, the answer is
//! recorded as served) → the guest (the policy decides) → [`check`] (the
//! answer against what was served) → a [`PickOutcome`].

#![warn(missing_docs)]

pub mod bindings;
pub mod check;
pub mod outcome;
pub mod persona_pool;
pub mod policy;
pub mod record;
pub mod sandbox;
pub mod serve;
pub mod text;

#[cfg(test)]
mod layers_test;
#[cfg(test)]
mod readme_test;

pub use emailgen_domain::{
    Decky, EmailAction, MailStore, Persona, PickOptions, Shortage, SkipReason, StoreError, Subject, ThreadRow, Topology,
};
pub use outcome::{ErrorKind, PickError, PickOutcome};
pub use persona_pool::PersonaPoolFile;
pub use policy::cache::{CacheUse, CompileCache};
pub use policy::slot::{AttributedOutcome, Canary, PolicySlot, SlotWorker, SwapError};
#[cfg(feature = "async")]
pub use policy::AsyncPolicyInstance;
pub use policy::{LoadError, PickerEngine, Policy, PolicyId, PolicyInstance, Replayed};
pub use record::{FileLimits, FileSink, PickRecord, RecordSink, RecordedPick, Recorder};
pub use sandbox::{LimitOutOfRange, Limits};
pub use serve::StoreCall;
pub use serve::{local_clock, shared_store, AsyncMailStore, Clock, SharedMailStore, StoreFuture};
