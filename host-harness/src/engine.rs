//! The wasmtime engine every policy runs on, and the limits of a pick.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use crate::listing::SharedListings;
use crate::validate::SharedPersonaCache;

/// How often the engine's epoch advances; deadlines are measured in these
/// ticks, so a deadline is honoured to within one tick.
pub const EPOCH_TICK: Duration = Duration::from_millis(2);

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
    /// The deadline in epoch ticks (at least one).
    pub fn deadline_ticks(&self) -> u64 {
        (self.deadline.as_micros() / EPOCH_TICK.as_micros()).max(1) as u64 + 1
    }
}

/// A wasmtime engine configured for picker policies, with its epoch ticker.
#[derive(Clone)]
pub struct PickerEngine {
    engine: Engine,
    epochs: EpochClock,
    limits: Limits,
    persona_cache: SharedPersonaCache,
    listings: SharedListings,
}

impl PickerEngine {
    pub fn new(limits: Limits) -> wasmtime::Result<Self> {
        let mut config = Config::new();
        // Epochs rather than fuel: a deadline costs a load and compare per
        // loop header instead of a counter update per block.
        config.epoch_interruption(true);
        config.max_wasm_stack(limits.wasm_stack_bytes);
        // Synchronous calls only; the async machinery slows every call.
        config.concurrency_support(false);
        // `EMAILGEN_PROFILE=perfmap` makes guest code visible to `perf`.
        if std::env::var_os("EMAILGEN_PROFILE").is_some_and(|v| v == "perfmap") {
            config.profiler(wasmtime::ProfilingStrategy::PerfMap);
        }
        if let Some(instances) = limits.pooled_instances {
            let mut pool = PoolingAllocationConfig::new();
            pool.total_component_instances(instances)
                .total_core_instances(instances * 4)
                .total_memories(instances)
                .total_tables(instances * 4)
                .max_memory_size(limits.memory_bytes)
                .table_elements(limits.table_elements)
                // Reset a reused slot's first pages with memset instead of
                // returning them to the kernel: a fresh instance then starts
                // without a page fault per touched page.
                .linear_memory_keep_resident(2 << 20)
                .table_keep_resident(64 << 10);
            config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        }
        let engine = Engine::new(&config)?;
        let epochs = EpochClock::default();
        spawn_epoch_ticker(&engine, &epochs);
        let (persona_cache, listings) = (SharedPersonaCache::default(), SharedListings::default());
        Ok(PickerEngine { engine, epochs, limits, persona_cache, listings })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The engine's epoch, readable by the host (see [`EpochClock`]).
    pub fn epochs(&self) -> &EpochClock {
        &self.epochs
    }

    /// Persona lists parsed by the host to validate actions, shared by every
    /// policy and instance on this engine.
    pub fn persona_cache(&self) -> &SharedPersonaCache {
        &self.persona_cache
    }

    /// Running-decky listings by store revision, shared by every instance
    /// on this engine (see [`crate::listing`]).
    pub fn listings(&self) -> &SharedListings {
        &self.listings
    }
}

/// The engine's epoch as the host sees it: the ticker advances it together
/// with wasmtime's, so a host call can tell how much of a pick's deadline
/// is left with one atomic load (wasmtime keeps its own epoch private).
#[derive(Clone, Default)]
pub struct EpochClock {
    ticks: Arc<AtomicU64>,
}

impl EpochClock {
    /// Ticks since the engine started.
    pub fn now(&self) -> u64 {
        self.ticks.load(Ordering::Relaxed)
    }

    /// The tick at which a pick starting now reaches its deadline (what
    /// wasmtime's epoch deadline is set to).
    pub fn deadline(&self, limits: &Limits) -> u64 {
        self.now() + limits.deadline_ticks()
    }

    /// Time left until `deadline` (a tick from [`deadline`](Self::deadline));
    /// zero once it has passed.
    pub fn remaining(&self, deadline: u64) -> Duration {
        EPOCH_TICK * u32::try_from(deadline.saturating_sub(self.now())).unwrap_or(u32::MAX)
    }
}

/// Advances the engine's epoch every [`EPOCH_TICK`] until the engine is
/// dropped. The epoch follows the wall clock, not the count of sleeps: a
/// sleep that overslept (a busy machine) is made up with several ticks at
/// once, so 25 ticks are 50 ms however late the ticker wakes.
fn spawn_epoch_ticker(engine: &Engine, epochs: &EpochClock) {
    let weak = engine.weak();
    let ticks = Arc::clone(&epochs.ticks);
    thread::Builder::new()
        .name("picker-epoch".into())
        .spawn(move || {
            let started = Instant::now();
            let tick_nanos = EPOCH_TICK.as_nanos() as u64;
            let mut done: u64 = 0;
            loop {
                let next = started + Duration::from_nanos(tick_nanos * (done + 1));
                thread::sleep(next.saturating_duration_since(Instant::now()));
                let Some(engine) = weak.upgrade() else { break };
                let due = started.elapsed().as_nanos() as u64 / tick_nanos;
                while done < due {
                    ticks.fetch_add(1, Ordering::Relaxed);
                    engine.increment_epoch();
                    done += 1;
                }
            }
        })
        .expect("spawn the epoch ticker thread");
}
