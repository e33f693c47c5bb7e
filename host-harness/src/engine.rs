//! The wasmtime engine every policy runs on, and the limits of a pick.

use std::thread;
use std::time::Duration;

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
        spawn_epoch_ticker(&engine);
        let (persona_cache, listings) = (SharedPersonaCache::default(), SharedListings::default());
        Ok(PickerEngine { engine, limits, persona_cache, listings })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
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

/// Advances the engine's epoch every [`EPOCH_TICK`] until the engine is
/// dropped.
fn spawn_epoch_ticker(engine: &Engine) {
    let weak = engine.weak();
    thread::Builder::new()
        .name("picker-epoch".into())
        .spawn(move || loop {
            thread::sleep(EPOCH_TICK);
            match weak.upgrade() {
                Some(engine) => engine.increment_epoch(),
                None => break,
            }
        })
        .expect("spawn the epoch ticker thread");
}
