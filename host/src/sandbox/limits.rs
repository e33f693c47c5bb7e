//! What one pick may use: the limits the sandbox enforces.

use std::time::Duration;

use super::epoch::EPOCH_TICK;

/// What one pick may use. The defaults suit the default policy with room to
/// spare: it needs well under 1 ms and 2 MiB.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Wall-clock time a pick may run before it ends as a `deadline` error.
    pub deadline: Duration,
    /// Bytes of linear memory an instance may grow to.
    pub memory_bytes: usize,
    /// Elements a table may grow to.
    pub table_elements: usize,
    /// Native stack the guest may use; deeper recursion traps.
    pub wasm_stack_bytes: usize,
    /// Calls of each store import allowed in one pick.
    pub max_import_calls: u32,
    /// The most thread rows one lookup returns, whatever limit is asked.
    pub max_thread_rows: u32,
    /// Bytes the policy may hand the host in one call (an import's
    /// arguments, or its answer), counted as the host allocates them:
    /// string bytes, plus each list entry at its size on the host (24 bytes
    /// for a string). wasmtime's "hostcall fuel"; past it the call traps
    /// before the host allocates anything, and the pick is a
    /// `policy-violation`.
    pub max_call_bytes: usize,
    /// Bytes of `wasi:random` (secure or insecure) one call may ask for.
    pub max_random_bytes_per_call: u64,
    /// Bytes of `wasi:random` one pick may ask for in all.
    pub max_random_bytes_per_pick: u64,
    /// Resource handles (streams, pollables) an instance may hold at once.
    pub max_resource_handles: usize,
    /// Instances from a pre-allocated pool (cheap fresh instances; reserves
    /// address space up front) when `Some(n)`, for at most `n` live instances.
    pub pooled_instances: Option<u32>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            deadline: Duration::from_millis(50),
            memory_bytes: 32 << 20,
            table_elements: 10_000,
            wasm_stack_bytes: 512 << 10,
            max_import_calls: 64,
            max_thread_rows: 100,
            max_call_bytes: 1 << 20,
            max_random_bytes_per_call: 64 << 10,
            max_random_bytes_per_pick: 1 << 20,
            max_resource_handles: 1024,
            pooled_instances: Some(1000),
        }
    }
}

impl Limits {
    /// The deadline in epoch ticks, one more than it spans (a pick may
    /// start just before a tick) and at least two.
    pub fn deadline_ticks(&self) -> u64 {
        (self.deadline.as_micros() / EPOCH_TICK.as_micros()).max(1) as u64 + 1
    }
}
