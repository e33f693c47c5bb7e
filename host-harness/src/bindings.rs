//! Host-side bindings of the WIT world `decnet:emailgen/picker`.
//!
//! Every import is trappable: the host ends a pick that breaks its import
//! budget with a trap, which the policy cannot catch.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "picker",
    imports: { default: trappable },
});

pub use decnet::emailgen::{clock, log, store, types};

/// The WIT package version this host implements.
pub const WIT_VERSION: &str = "0.2.2";
/// The WIT package name this host implements.
pub const WIT_PACKAGE: &str = "decnet:emailgen";
