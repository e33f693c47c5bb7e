//! The default email-action picker policy.
//!
//! The picking logic is plain Rust written against [`host::PickerHost`], so it
//! runs and is tested natively; [`component`] (Wasm builds only) adapts it to
//! the WIT world `decnet:emailgen/picker` in `wit/`.

// Lets the generated bindings name this crate the way other crates do.
extern crate self as emailgen_picker;

pub mod active_hours;
pub mod host;
pub mod host_cache;
pub mod memory;
pub mod outcome;
pub mod persona;
pub mod persona_cache;
pub mod pick;
pub mod python_text;
pub mod threads;

#[cfg(all(target_arch = "wasm32", feature = "component"))]
pub mod component;

pub use host::{Decky, LogLevel, MailStore, PickerHost, StoreError, Subject, ThreadRow, Topology};
pub use memory::MemoryHost;
pub use outcome::{EmailAction, ErrorKind, Outcome, PickError, Shortage, SkipReason};
pub use persona::{parse_personas, Persona, PersonaSummary, PersonaView, ReplyLatency, Tone};
pub use pick::{PickOptions, Picker};
