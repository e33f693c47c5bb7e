//! Host-side bindings of the WIT world `decnet:emailgen/picker`, generated
//! by wasmtime's `bindgen!` from `wit/` (the WIT documents every type).
//!
//! Every import is trappable: the host ends a pick that breaks its import
//! budget with a trap, which the policy cannot catch.

#[allow(missing_docs)] // Generated; `wit/picker.wit` documents it.
mod generated {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "picker",
        imports: { default: trappable },
    });
}

pub use generated::decnet::emailgen::{clock, log, store, types};
pub use generated::{Picker, PickerPre};

/// The WIT package version this host implements.
pub const WIT_VERSION: &str = "0.2.2";
/// The WIT package name this host implements.
pub const WIT_PACKAGE: &str = "decnet:emailgen";
