//! A wasmtime host for email-action picker policies.
//!
//! An orchestrator embeds this library to load picker policies (WebAssembly
//! components of the WIT world `decnet:emailgen/picker`), serve them its
//! data through [`MailStore`], and run picks in a sandbox. The
//! `host-harness` binary drives the same library from the command line.
//!
//! ```no_run
//! use host_harness::{PickerEngine, Limits, Policy, shared_store, local_clock, ScenarioStore};
//! use emailgen_picker::PickOptions;
//!
//! let engine = PickerEngine::new(Limits::default()).unwrap();
//! let policy = Policy::builtin(&engine).unwrap();
//! let store = ScenarioStore::load("scenario.json".as_ref()).unwrap();
//! let mut instance = policy.instance(shared_store(store), local_clock());
//! let outcome = instance.pick(&PickOptions::default());
//! println!("{}", outcome.to_json());
//! ```

pub mod bench;
pub mod bindings;
pub mod cache;
pub mod convert;
pub mod engine;
pub mod fingerprint;
pub mod imports;
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
