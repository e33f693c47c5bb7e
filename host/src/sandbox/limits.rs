//! What one pick may use: the limits the sandbox enforces, and the two an
//! operator sets (the CLI's `--deadline-ms` and `--memory-mib`, the Python
//! package's `Limits`), with their ranges, here once.

use std::ops::RangeInclusive;
use std::time::Duration;

use super::epoch::EPOCH_TICK;

/// The deadlines an operator may set, in milliseconds.
pub const DEADLINE_MS: RangeInclusive<u64> = 1..=60_000;
/// The memory limits an operator may set, in MiB.
pub const MEMORY_MIB: RangeInclusive<u64> = 1..=4096;
/// The default deadline, in milliseconds.
pub const DEFAULT_DEADLINE_MS: u64 = 50;
/// The default memory limit, in MiB.
pub const DEFAULT_MEMORY_MIB: u64 = 32;

/// An operator's limit outside its range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name} must be {}-{}, not {value}", range.start(), range.end())]
pub struct LimitOutOfRange {
    /// The limit's name (`deadline_ms`, `memory_mib`).
    pub name: &'static str,
    /// The value given.
    pub value: u64,
    /// The values allowed.
    pub range: RangeInclusive<u64>,
}

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
            deadline: Duration::from_millis(DEFAULT_DEADLINE_MS),
            memory_bytes: (DEFAULT_MEMORY_MIB as usize) << 20,
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
    /// The defaults with an operator's deadline and memory limit, each
    /// checked against its range ([`DEADLINE_MS`], [`MEMORY_MIB`]).
    pub fn with_operator(deadline_ms: u64, memory_mib: u64) -> Result<Limits, LimitOutOfRange> {
        let check = |name, value, range: RangeInclusive<u64>| match range.contains(&value) {
            true => Ok(value),
            false => Err(LimitOutOfRange { name, value, range }),
        };
        let deadline_ms = check("deadline_ms", deadline_ms, DEADLINE_MS)?;
        let memory_mib = check("memory_mib", memory_mib, MEMORY_MIB)?;
        Ok(Limits {
            deadline: Duration::from_millis(deadline_ms),
            memory_bytes: (memory_mib as usize) << 20,
            ..Limits::default()
        })
    }

    /// The deadline in epoch ticks, one more than it spans (a pick may
    /// start just before a tick) and at least two.
    pub fn deadline_ticks(&self) -> u64 {
        (self.deadline.as_micros() / EPOCH_TICK.as_micros()).max(1) as u64 + 1
    }
}
