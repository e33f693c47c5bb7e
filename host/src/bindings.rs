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

/// The same world for instances whose store the host awaits (feature
/// `async`): `store` imports are async host functions and `pick` is called
/// with `call_async`; the types, `clock` and `log` are those above.
#[cfg(feature = "async")]
pub mod asynchronous {
    #[allow(missing_docs)] // Generated; `wit/picker.wit` documents it.
    mod generated {
        wasmtime::component::bindgen!({
            path: "../wit",
            world: "picker",
            imports: { "decnet:emailgen/store": async | trappable, default: trappable },
            exports: { default: async },
            with: {
                "decnet:emailgen/types": crate::bindings::types,
                "decnet:emailgen/clock": crate::bindings::clock,
                "decnet:emailgen/log": crate::bindings::log,
            },
        });
    }

    pub use generated::decnet::emailgen::store;
    pub use generated::{Picker, PickerPre};
}

/// The WIT package version this host implements.
pub const WIT_VERSION: &str = "0.2.2";
/// The WIT package name this host implements.
pub const WIT_PACKAGE: &str = "decnet:emailgen";
