//! A policy's life: loading and checking a component on an engine,
//! instances that pick, a slot that swaps policies atomically and rolls
//! back, and a cache of compiled components. The top layer: it uses every
//! other.

mod builtin;
pub mod cache;
mod engine;
mod instance;
mod load;
mod recording;
mod replay;
pub mod slot;
#[cfg(feature = "async")]
mod waited;

pub use crate::outcome::PolicyId;
pub use builtin::BUILTIN_POLICIES;
#[cfg(feature = "builtin")]
pub use builtin::{DEFAULT_POLICY_WASM, REALISTIC_POLICY_WASM};
pub use engine::PickerEngine;
pub use instance::PolicyInstance;
pub use load::{compile, policy_name, sha256_hex, LoadError, Policy};
pub use replay::Replayed;
#[cfg(feature = "async")]
pub use waited::AsyncPolicyInstance;
