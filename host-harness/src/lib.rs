//! A wasmtime host for email-action picker policies.
//!
//! An orchestrator embeds this library to load picker policies (WebAssembly
//! components of the WIT world `decnet:emailgen/picker`), serve them its
//! data through [`MailStore`], and run picks in a sandbox. The
//! `host-harness` binary drives the same library from the command line.
//!
//! ```
//! use std::collections::HashMap;
//!
//! use emailgen_picker::{Decky, MailStore, PickOptions, StoreError, ThreadRow, Topology};
//! use host_harness::{local_clock, shared_store, Limits, PickOutcome, PickerEngine, Policy};
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

pub mod bench;
pub mod bindings;
pub mod cache;
pub mod convert;
pub mod engine;
mod fetched;
pub mod fingerprint;
pub mod imports;
pub mod listing;
pub mod native;
pub mod outcome;
pub mod persona_pool;
pub mod policy;
pub mod report;
pub mod scenario;
pub mod simulate;
pub mod slot;
pub mod sqlite_store;
pub mod stdio;
pub mod text;
pub mod trap;
pub mod validate;
pub mod wasi;

pub use cache::{CacheUse, CompileCache};
pub use emailgen_picker::{MailStore, PickOptions, StoreError};
pub use engine::{Limits, PickerEngine};
pub use imports::{local_clock, shared_store, Clock, SharedMailStore};
pub use outcome::{ErrorKind, PickError, PickOutcome};
pub use policy::{LoadError, Policy, PolicyId, PolicyInstance};
pub use scenario::{Scenario, ScenarioStore};
pub use slot::{AttributedOutcome, Canary, PolicySlot, SlotWorker, SwapError};
