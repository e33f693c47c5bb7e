//! The default email-action picker policy (SPEC §5).
//!
//! The picking logic is plain Rust written against [`PickerHost`], so it
//! runs and is tested natively; [`component`] (Wasm builds only) adapts it to
//! the WIT world `decnet:emailgen/picker` in `wit/`. What the WIT defines
//! (deckies, personas, outcomes, …) is the domain crate's, re-exported here
//! so a policy names one crate.

// Lets the generated bindings name this crate the way other crates do.
extern crate self as emailgen_picker;

pub mod draw;
pub mod host_cache;
pub mod memory;
pub mod pick;
pub mod picker_host;

#[cfg(all(target_arch = "wasm32", feature = "component"))]
pub mod component;

pub use emailgen_domain::{active_hours, outcome, persona, persona_cache, python_text, store, threads};
pub use emailgen_domain::{
    parse_personas, Decky, EmailAction, ErrorKind, LogLevel, MailStore, Outcome, Persona, PersonaSummary, PersonaView,
    PickError, PickOptions, ReplyLatency, Shortage, SkipReason, StoreError, Subject, ThreadRow, Tone, Topology,
};
pub use memory::MemoryHost;
pub use pick::Picker;
pub use picker_host::PickerHost;
