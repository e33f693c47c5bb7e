//! Memory and table growth, within the limits.

use wasmtime::{ResourceLimiter, StoreLimits, StoreLimitsBuilder};

use super::limits::Limits;

/// Memory and table limits that remember when they said no, so a failed
/// growth is reported as a `memory` error rather than a bare trap.
pub struct Limiter {
    inner: StoreLimits,
    denied: bool,
    memory_bytes: usize,
}

impl Limiter {
    /// Limits for one instance.
    pub fn new(limits: &Limits) -> Self {
        let inner = StoreLimitsBuilder::new()
            .memory_size(limits.memory_bytes)
            .table_elements(limits.table_elements)
            .trap_on_grow_failure(true)
            .build();
        Limiter { inner, denied: false, memory_bytes: 0 }
    }

    /// The largest linear memory size granted so far.
    pub fn peak_memory_bytes(&self) -> usize {
        self.memory_bytes
    }

    /// Whether a growth was refused since the last call; resets the flag.
    pub fn take_denied(&mut self) -> bool {
        std::mem::take(&mut self.denied)
    }
}

impl ResourceLimiter for Limiter {
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        let result = self.inner.memory_growing(current, desired, maximum);
        match result {
            Ok(true) => self.memory_bytes = self.memory_bytes.max(desired),
            _ => self.denied = true,
        }
        result
    }

    fn table_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        let result = self.inner.table_growing(current, desired, maximum);
        self.denied |= !matches!(result, Ok(true));
        result
    }
}
