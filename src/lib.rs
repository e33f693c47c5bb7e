//! The default email-action picker policy (SPEC §5), written on the policy
//! kit (`emailgen-policy`): it implements [`Policy`](emailgen_policy::Policy)
//! and is exported with `export_policy!` in Wasm builds. The crate also
//! re-exports the kit and the domain, so tests and the harness name one
//! crate.

pub mod pick;

pub use emailgen_domain::{active_hours, outcome, persona, persona_cache, python_text, store, threads};
pub use emailgen_domain::{
    parse_personas, Decky, EmailAction, ErrorKind, LogLevel, MailStore, Outcome, Persona, PersonaSummary, PersonaView,
    PickError, PickOptions, ReplyLatency, Shortage, SkipReason, StoreError, Subject, ThreadRow, Tone, Topology,
};
pub use emailgen_policy::{cache as host_cache, draw, Instance, MemoryHost, PickerHost};
pub use pick::{DefaultPolicy, Picker};

#[cfg(all(target_arch = "wasm32", feature = "default-policy"))]
emailgen_policy::export_policy!(DefaultPolicy);
