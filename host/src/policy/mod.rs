//! A policy's life: loading and checking a component on an engine,
//! instances that pick, a slot that swaps policies atomically and rolls
//! back, and a cache of compiled components. The top layer: it uses every
//! other.

#[cfg(feature = "async")]
mod async_instance;
mod builtin;
pub mod cache;
mod engine;
mod error;
pub mod inspect;
mod instance;
mod load;
mod pool;
mod recording;
mod replay;
mod run;
pub mod slot;

pub use crate::outcome::PolicyId;
#[cfg(feature = "async")]
pub use async_instance::AsyncPolicyInstance;
pub use builtin::BUILTIN_POLICIES;
#[cfg(feature = "builtin")]
pub use builtin::{DEFAULT_POLICY_WASM, REALISTIC_POLICY_WASM};
pub use engine::PickerEngine;
pub use error::LoadError;
pub use instance::PolicyInstance;
pub use load::{compile, policy_name, read_policy_file, sha256_hex, Policy};
pub use pool::MAX_IDLE;
pub use replay::Replayed;
