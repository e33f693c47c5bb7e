//! The sandbox a policy runs in: a wasmtime engine configured for picker
//! policies (epoch deadlines, stack and memory limits, a pool of instance
//! slots), the limits of a pick, the WASI a policy may use, where its
//! output goes, and how the host stops it.
//!
//! Knows nothing of the store, the picker's imports or policies: the layers
//! above build on it.

mod epoch;
mod limiter;
mod limits;
pub mod stdio;
pub mod trap;
pub mod wasi;

pub use epoch::{EpochClock, WallClockLimit, EPOCH_TICK};
pub use limiter::Limiter;
pub use limits::{
    LimitOutOfRange, Limits, OperatorLimits, DEADLINE_MS, DEFAULT_DEADLINE_MS, DEFAULT_INSTRUCTIONS,
    DEFAULT_MAX_POLICY_BYTES, DEFAULT_MEMORY_MIB, DEFAULT_WALL_CLOCK_MS, INSTRUCTIONS, MEMORY_MIB, WALL_CLOCK_MS,
};

use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// A wasmtime engine configured for picker policies, its epoch ticker, and
/// the limits every pick on it runs under. Cheap to clone.
#[derive(Clone)]
pub struct Sandbox {
    engine: Engine,
    epochs: EpochClock,
    limits: Limits,
}

impl Sandbox {
    /// An engine for `limits`, with its epoch ticker running until the
    /// engine is dropped.
    pub fn new(limits: Limits) -> wasmtime::Result<Self> {
        let engine = Engine::new(&config(&limits))?;
        let epochs = EpochClock::default();
        epoch::spawn_epoch_ticker(&engine, &epochs);
        Ok(Sandbox { engine, epochs, limits })
    }

    /// The wasmtime engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The limits of every pick on this engine.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The engine's epoch, readable by the host.
    pub fn epochs(&self) -> &EpochClock {
        &self.epochs
    }
}

fn config(limits: &Limits) -> Config {
    let mut config = Config::new();
    // Fuel is the policy's compute budget (deterministic: instructions, not
    // time); epochs bound its time, waiting included, and give an async
    // pick's executor its turns.
    config.consume_fuel(true);
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
    config
}
