//! What the picker's WIT (`wit/picker.wit`, package `decnet:emailgen`)
//! defines, as plain Rust, shared by everyone who speaks it: the host
//! library, its harness and Python package, and the policies.
//!
//! - [`store`]: the orchestrator's data (deckies, topologies, thread rows)
//!   and the [`MailStore`] an embedder implements over its database;
//! - [`persona`]: personas and their validation (SPEC §3), read as DECNET
//!   reads them; [`active_hours`] their windows (SPEC §4);
//! - [`threads`]: a reply's headers as the host derives them;
//! - [`options`] and [`outcome`]: what a pick is asked and what it decides;
//! - [`python_text`]: Python's reading of text, where DECNET's behaviour
//!   depends on it; [`persona_cache`]: parsed lists kept by text;
//! - [`persona_pool`]: the host-wide global persona pool file (SPEC §2).
//!
//! No policy logic lives here: how a pick decides is a policy's business
//! (the default policy is the crate `emailgen-picker`).

pub mod active_hours;
pub mod options;
pub mod outcome;
pub mod persona;
pub mod persona_cache;
#[cfg(not(target_arch = "wasm32"))]
pub mod persona_pool;
pub mod python_text;
pub mod store;
pub mod threads;

pub use options::PickOptions;
pub use outcome::{EmailAction, ErrorKind, Outcome, PickError, Shortage, SkipReason};
pub use persona::{parse_personas, Persona, PersonaSummary, PersonaView, ReplyLatency, Tone};
pub use store::{Decky, LogLevel, MailStore, StoreError, Subject, ThreadRow, Topology, MAIL_SERVICES};
