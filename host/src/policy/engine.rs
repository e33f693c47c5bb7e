//! The engine policies are loaded on: the sandbox, and what every instance
//! on it shares.

use std::ops::Deref;

use crate::sandbox::{Limits, Sandbox};
use crate::serve::SharedCaches;

/// A sandbox for picker policies (a configured wasmtime engine, its epoch
/// ticker, the limits of a pick) and the caches its instances share.
/// Policies are loaded on one; cheap to clone.
#[derive(Clone)]
pub struct PickerEngine {
    sandbox: Sandbox,
    caches: SharedCaches,
}

impl PickerEngine {
    /// An engine whose picks run under `limits`.
    pub fn new(limits: Limits) -> wasmtime::Result<Self> {
        Ok(PickerEngine { sandbox: Sandbox::new(limits)?, caches: SharedCaches::default() })
    }

    /// The sandbox: the wasmtime engine, its epoch and the limits.
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// What every instance on this engine shares.
    pub fn caches(&self) -> &SharedCaches {
        &self.caches
    }
}

/// The sandbox's accessors (`engine()`, `limits()`, `epochs()`) on the
/// engine itself.
impl Deref for PickerEngine {
    type Target = Sandbox;

    fn deref(&self) -> &Sandbox {
        &self.sandbox
    }
}
