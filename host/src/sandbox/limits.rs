//! What one pick may use: the limits the sandbox enforces, and the four an
//! operator sets (the CLI's `--instructions`, `--deadline-ms`,
//! `--wall-clock-ms` and `--memory-mib`, the Python package's `Limits`),
//! with their ranges and defaults, here once.
//!
//! Two limits bound a pick's time, and they do not overlap:
//!
//! - **instructions** bound what the policy computes: wasmtime's fuel, one
//!   unit per Wasm instruction executed (a few, such as `nop` and `block`,
//!   cost none). Deterministic: a pick on a fresh instance runs out at the
//!   same instruction on every machine, however busy;
//! - the **deadline** bounds what the policy waits for: its sleeps and polls
//!   (`wasi:io/poll`), added up over the pick. A policy that computes does
//!   not use it, so a loaded machine cannot fail a pick through it;
//! - the **wall-clock limit** is the safety net: the pick's whole time (less
//!   the time an awaited store took), for a host stuck for reasons of its
//!   own. Far above what any pick within its budget takes on a loaded
//!   machine, and not counted against the policy when it comes.

use std::ops::RangeInclusive;
use std::time::Duration;

use super::epoch::EPOCH_TICK;

/// The instruction budgets an operator may set.
pub const INSTRUCTIONS: RangeInclusive<u64> = 1_000..=100_000_000_000;
/// The deadlines an operator may set, in milliseconds.
pub const DEADLINE_MS: RangeInclusive<u64> = 1..=60_000;
/// The wall-clock limits an operator may set, in milliseconds.
pub const WALL_CLOCK_MS: RangeInclusive<u64> = 1..=600_000;
/// The memory limits an operator may set, in MiB.
pub const MEMORY_MIB: RangeInclusive<u64> = 1..=4096;
/// The default instruction budget of a pick: see the book's security
/// chapter for what it admits. Sized for policies in interpreted languages
/// (a Python-built policy's dearest pick on `bench/large.json` uses about a
/// twentieth of it; a Rust one's about a thousandth).
pub const DEFAULT_INSTRUCTIONS: u64 = 100_000_000;
/// The default deadline, in milliseconds.
pub const DEFAULT_DEADLINE_MS: u64 = 50;
/// The default wall-clock limit, in milliseconds.
pub const DEFAULT_WALL_CLOCK_MS: u64 = 2_000;
/// The default memory limit, in MiB.
pub const DEFAULT_MEMORY_MIB: u64 = 32;
/// The largest policy component loaded by default: 64 MiB, more than three
/// times the largest policy a language toolchain makes here (a Python one,
/// about 18 MiB).
pub const DEFAULT_MAX_POLICY_BYTES: u64 = 64 << 20;

/// An operator's limit outside its range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name} must be {}-{}, not {value}", range.start(), range.end())]
pub struct LimitOutOfRange {
    /// The limit's name (`deadline_ms`, `memory_mib`, …).
    pub name: &'static str,
    /// The value given.
    pub value: u64,
    /// The values allowed.
    pub range: RangeInclusive<u64>,
}

/// The limits an operator sets, in the units they are set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OperatorLimits {
    /// Wasm instructions one pick may execute.
    pub instructions: u64,
    /// Milliseconds one pick may spend waiting (sleeps, polls).
    pub deadline_ms: u64,
    /// Milliseconds one pick may take in all (the safety net).
    pub wall_clock_ms: u64,
    /// MiB of linear memory an instance may grow to.
    pub memory_mib: u64,
}

impl Default for OperatorLimits {
    fn default() -> Self {
        OperatorLimits {
            instructions: DEFAULT_INSTRUCTIONS,
            deadline_ms: DEFAULT_DEADLINE_MS,
            wall_clock_ms: DEFAULT_WALL_CLOCK_MS,
            memory_mib: DEFAULT_MEMORY_MIB,
        }
    }
}

/// What one pick may use. The defaults suit the default policy with room to
/// spare: it needs well under 1 ms and 2 MiB.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Wasm instructions a pick may execute (wasmtime fuel) before it ends
    /// as an `instructions` error. A pick on a fresh instance counts the
    /// instance's start too.
    pub instructions: u64,
    /// Time a pick may spend waiting (its sleeps and polls, added up)
    /// before it ends as a `deadline` error.
    pub deadline: Duration,
    /// Wall-clock time a pick may take in all (less time an awaited store
    /// took) before it ends as a `wall-clock` error: the safety net.
    pub wall_clock: Duration,
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
    /// Bytes a policy's component may have. A larger one is refused before
    /// it is read whole, let alone compiled.
    pub max_policy_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits::from_operator(&OperatorLimits::default()).expect("the defaults are in range")
    }
}

impl Limits {
    /// The defaults with an operator's limits, each checked against its
    /// range ([`INSTRUCTIONS`], [`DEADLINE_MS`], [`WALL_CLOCK_MS`],
    /// [`MEMORY_MIB`]).
    pub fn from_operator(operator: &OperatorLimits) -> Result<Limits, LimitOutOfRange> {
        let check = |name, value, range: RangeInclusive<u64>| match range.contains(&value) {
            true => Ok(value),
            false => Err(LimitOutOfRange { name, value, range }),
        };
        Ok(Limits {
            instructions: check("instructions", operator.instructions, INSTRUCTIONS)?,
            deadline: Duration::from_millis(check("deadline_ms", operator.deadline_ms, DEADLINE_MS)?),
            wall_clock: Duration::from_millis(check("wall_clock_ms", operator.wall_clock_ms, WALL_CLOCK_MS)?),
            memory_bytes: (check("memory_mib", operator.memory_mib, MEMORY_MIB)? as usize) << 20,
            table_elements: 10_000,
            wasm_stack_bytes: 512 << 10,
            max_import_calls: 64,
            max_thread_rows: 100,
            max_call_bytes: 1 << 20,
            max_random_bytes_per_call: 64 << 10,
            max_random_bytes_per_pick: 1 << 20,
            max_resource_handles: 1024,
            pooled_instances: Some(1000),
            max_policy_bytes: DEFAULT_MAX_POLICY_BYTES,
        })
    }

    /// The defaults with an operator's deadline and memory limit (see
    /// [`from_operator`](Self::from_operator) for all four).
    pub fn with_operator(deadline_ms: u64, memory_mib: u64) -> Result<Limits, LimitOutOfRange> {
        Limits::from_operator(&OperatorLimits { deadline_ms, memory_mib, ..OperatorLimits::default() })
    }

    /// The wall-clock limit in epoch ticks, one more than it spans (a pick
    /// may start just before a tick) and at least two.
    pub fn wall_clock_ticks(&self) -> u64 {
        (self.wall_clock.as_micros() / EPOCH_TICK.as_micros()).max(1) as u64 + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operator_limits_are_checked_against_their_ranges() {
        let limits =
            Limits::from_operator(&OperatorLimits { instructions: 5_000, ..OperatorLimits::default() }).unwrap();
        assert_eq!((limits.instructions, limits.deadline), (5_000, Duration::from_millis(DEFAULT_DEADLINE_MS)));
        let too_few = Limits::from_operator(&OperatorLimits { instructions: 10, ..OperatorLimits::default() });
        assert_eq!(too_few.unwrap_err().to_string(), "instructions must be 1000-100000000000, not 10");
        let too_long = Limits::with_operator(60_001, 32);
        assert_eq!(too_long.unwrap_err().to_string(), "deadline_ms must be 1-60000, not 60001");
    }

    #[test]
    fn the_wall_clock_limit_in_ticks_covers_it() {
        let limits = Limits { wall_clock: Duration::from_millis(50), ..Limits::default() };
        assert_eq!(limits.wall_clock_ticks(), 26);
    }
}
