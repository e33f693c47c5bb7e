//! The WASI a picker policy gets: randomness, clocks, and empty stdio,
//! environment and arguments. No filesystem, no sockets.
//!
//! `wasmtime_wasi::p2::add_to_linker_sync` would link the filesystem and
//! sockets too, so the interfaces are linked one by one here. Two of them
//! are wrapped so that a policy cannot use them against the host:
//!
//! - `wasi:io/poll` (`poll`, `pollable.block`) is the only way a policy can
//!   make the host wait (a sleep is a clock pollable and a block). A pick's
//!   waits, added up, are bounded by its deadline ([`Limits::deadline`]),
//!   and each by the pick's wall-clock limit; a wait that would outlast
//!   either ends the pick (a `deadline` or a `wall-clock` error) when the
//!   limit comes, not when the policy asked. (The streams a policy can
//!   reach never block: stdin is closed, stdout and stderr are always
//!   ready; see [`super::stdio`].)
//! - `wasi:random` answers at most [`Limits::max_random_bytes_per_call`]
//!   bytes per call and [`Limits::max_random_bytes_per_pick`] per pick.

use std::time::{Duration, Instant};

use wasmtime::component::{HasData, Linker, Resource, ResourceTable};
use wasmtime_wasi::cli::{WasiCli, WasiCliView};
use wasmtime_wasi::clocks::{WasiClocks, WasiClocksView};
use wasmtime_wasi::p2::bindings::random::{insecure, insecure_seed, random};
use wasmtime_wasi::p2::bindings::sync;
use wasmtime_wasi::random::WasiRandomCtx;
use wasmtime_wasi::runtime::in_tokio;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_io::bindings::wasi::io::poll as async_poll;
use wasmtime_wasi_io::poll::DynPollable;

use super::stdio::GuestOutput;
use super::trap::{DeadlineReached, PolicyViolation, TimeLimit};
use super::{EpochClock, Limits, WallClockLimit};

/// The WASI interfaces a policy may import. Anything else is refused when
/// the policy is loaded.
pub const ALLOWED_WASI: &[&str] = &[
    "wasi:io/error",
    "wasi:io/poll",
    "wasi:io/streams",
    "wasi:clocks/wall-clock",
    "wasi:clocks/monotonic-clock",
    "wasi:random/random",
    "wasi:random/insecure",
    "wasi:random/insecure-seed",
    "wasi:cli/environment",
    "wasi:cli/exit",
    "wasi:cli/stdin",
    "wasi:cli/stdout",
    "wasi:cli/stderr",
    "wasi:cli/terminal-input",
    "wasi:cli/terminal-output",
    "wasi:cli/terminal-stdin",
    "wasi:cli/terminal-stdout",
    "wasi:cli/terminal-stderr",
];

/// One instance's WASI: an empty context (no arguments, no environment, no
/// preopened directories, stdin closed; stdout and stderr to the host's
/// log), its resource table, and this pick's time limits and random budget.
pub struct WasiState {
    ctx: WasiCtx,
    table: ResourceTable,
    epochs: EpochClock,
    /// The current pick's wall-clock limit.
    wall_clock: WallClockLimit,
    /// How long a pick may wait in all, and how long this one still may.
    deadline: Duration,
    wait_left: Duration,
    random: RandomBudget,
}

/// Bytes of randomness a policy may still ask for.
struct RandomBudget {
    per_call: u64,
    per_pick: u64,
    used: u64,
}

impl WasiState {
    /// A new instance's WASI under `limits`, its output to these streams.
    pub fn new(
        limits: &Limits,
        epochs: EpochClock,
        wall_clock: WallClockLimit,
        stdout: &GuestOutput,
        stderr: &GuestOutput,
    ) -> Self {
        let ctx = WasiCtx::builder().stdout(stdout.clone()).stderr(stderr.clone()).build();
        let mut table = ResourceTable::new();
        table.set_max_capacity(limits.max_resource_handles);
        let random = RandomBudget {
            per_call: limits.max_random_bytes_per_call,
            per_pick: limits.max_random_bytes_per_pick,
            used: 0,
        };
        WasiState { ctx, table, epochs, wall_clock, deadline: limits.deadline, wait_left: limits.deadline, random }
    }

    /// Starts a pick's random budget and the time it may wait.
    pub fn begin_pick(&mut self) {
        self.random.used = 0;
        self.wait_left = self.deadline;
    }

    /// The context and table, for [`WasiView::ctx`].
    pub fn view(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.ctx, table: &mut self.table }
    }
}

/// A store's data that holds a [`WasiState`] (its [`WasiView`] is
/// [`WasiState::view`]).
pub trait HasWasi: WasiView {
    /// The instance's WASI state.
    fn wasi(&mut self) -> &mut WasiState;
}

/// Links exactly the interfaces of [`ALLOWED_WASI`].
pub fn add_to_linker<T: HasWasi + 'static>(l: &mut Linker<T>) -> wasmtime::Result<()> {
    sync::io::poll::add_to_linker::<T, BoundedWaits>(l, |t| t.wasi().bounded_wait())?;
    add_all_but_poll(l)
}

/// Links the same interfaces for instances called with `call_async`: a
/// wait in `wasi:io/poll` suspends the pick (the executor runs other work)
/// until its pollable is ready or the deadline comes.
#[cfg(feature = "async")]
pub fn add_to_linker_async<T: HasWasi + 'static>(l: &mut Linker<T>) -> wasmtime::Result<()> {
    async_poll::add_to_linker::<T, BoundedWaits>(l, |t| t.wasi().bounded_wait())?;
    add_all_but_poll(l)
}

/// Every allowed interface but `wasi:io/poll`. The streams' blocking calls
/// never wait on the streams a policy can reach.
fn add_all_but_poll<T: HasWasi + 'static>(l: &mut Linker<T>) -> wasmtime::Result<()> {
    wasmtime_wasi_io::bindings::wasi::io::error::add_to_linker::<T, HasTable>(l, |t| &mut t.wasi().table)?;
    sync::io::streams::add_to_linker::<T, HasTable>(l, |t| &mut t.wasi().table)?;
    sync::clocks::wall_clock::add_to_linker::<T, WasiClocks>(l, T::clocks)?;
    sync::clocks::monotonic_clock::add_to_linker::<T, WasiClocks>(l, T::clocks)?;
    random::add_to_linker::<T, BudgetedRandomness>(l, |t| t.wasi().budgeted_random())?;
    insecure::add_to_linker::<T, BudgetedRandomness>(l, |t| t.wasi().budgeted_random())?;
    insecure_seed::add_to_linker::<T, BudgetedRandomness>(l, |t| t.wasi().budgeted_random())?;
    sync::cli::exit::add_to_linker::<T, WasiCli>(l, T::cli)?;
    sync::cli::environment::add_to_linker::<T, WasiCli>(l, T::cli)?;
    sync::cli::stdin::add_to_linker::<T, WasiCli>(l, T::cli)?;
    sync::cli::stdout::add_to_linker::<T, WasiCli>(l, T::cli)?;
    sync::cli::stderr::add_to_linker::<T, WasiCli>(l, T::cli)?;
    sync::cli::terminal_input::add_to_linker::<T, WasiCli>(l, T::cli)?;
    sync::cli::terminal_output::add_to_linker::<T, WasiCli>(l, T::cli)?;
    sync::cli::terminal_stdin::add_to_linker::<T, WasiCli>(l, T::cli)?;
    sync::cli::terminal_stdout::add_to_linker::<T, WasiCli>(l, T::cli)?;
    sync::cli::terminal_stderr::add_to_linker::<T, WasiCli>(l, T::cli)?;
    Ok(())
}

struct HasTable;

impl HasData for HasTable {
    type Data<'a> = &'a mut ResourceTable;
}

/// `wasi:io/poll` with every wait bounded by the time the pick may still
/// wait and by its wall-clock limit.
pub struct BoundedWait<'a> {
    table: &'a mut ResourceTable,
    /// The pick's time left to wait, less what this wait takes.
    wait_left: &'a mut Duration,
    /// Time left to the wall-clock limit.
    wall_left: Duration,
}

struct BoundedWaits;

impl HasData for BoundedWaits {
    type Data<'a> = BoundedWait<'a>;
}

impl WasiState {
    fn bounded_wait(&mut self) -> BoundedWait<'_> {
        let wall_left = self.epochs.remaining(self.wall_clock.tick());
        BoundedWait { table: &mut self.table, wait_left: &mut self.wait_left, wall_left }
    }
}

impl BoundedWait<'_> {
    /// How long this wait may take, and which limit ends it if it takes
    /// longer.
    fn bound(&self) -> (Duration, TimeLimit) {
        match *self.wait_left <= self.wall_left {
            true => (*self.wait_left, TimeLimit::Deadline),
            false => (self.wall_left, TimeLimit::WallClock),
        }
    }

    /// Charges the time a wait took since `started` to the pick's deadline.
    fn charge(&mut self, started: Instant) {
        *self.wait_left = self.wait_left.saturating_sub(started.elapsed());
    }

    /// Runs a wait for at most the time its limits leave. A wait that is
    /// over at once (a ready pollable) succeeds even at the deadline.
    fn bounded<R>(
        &mut self,
        during: &'static str,
        wait: impl AsyncFnOnce(&mut ResourceTable) -> wasmtime::Result<R>,
    ) -> wasmtime::Result<R> {
        let ((bound, limit), started) = (self.bound(), Instant::now());
        let table = &mut *self.table;
        let waited = in_tokio(async { tokio::time::timeout(bound, wait(table)).await });
        self.charge(started);
        waited.unwrap_or_else(|_elapsed| Err(wasmtime::Error::new(DeadlineReached { during, limit })))
    }
}

impl sync::io::poll::Host for BoundedWait<'_> {
    fn poll(&mut self, pollables: Vec<Resource<DynPollable>>) -> wasmtime::Result<Vec<u32>> {
        self.bounded("wasi:io/poll.poll", async |table| async_poll::Host::poll(table, pollables).await)
    }
}

impl sync::io::poll::HostPollable for BoundedWait<'_> {
    fn ready(&mut self, pollable: Resource<DynPollable>) -> wasmtime::Result<bool> {
        // Never waits: it asks whether the pollable is ready now.
        in_tokio(async { async_poll::HostPollable::ready(self.table, pollable).await })
    }

    fn block(&mut self, pollable: Resource<DynPollable>) -> wasmtime::Result<()> {
        self.bounded("wasi:io/poll.pollable.block", async |table| {
            async_poll::HostPollable::block(table, pollable).await
        })
    }

    fn drop(&mut self, pollable: Resource<DynPollable>) -> wasmtime::Result<()> {
        async_poll::HostPollable::drop(self.table, pollable)
    }
}

/// The async forms: the wait is a future the pick's executor polls, in
/// wasmtime-wasi's tokio runtime (whose timers the clock pollables use),
/// ended by the deadline.
#[cfg(feature = "async")]
mod asynchronous {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use super::*;

    /// Polls a future inside wasmtime-wasi's tokio runtime, whatever
    /// executor drives it.
    struct InRuntime<F>(F);

    impl<F: Future> Future for InRuntime<F> {
        type Output = F::Output;

        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
            // SAFETY: the inner future is never moved out of its pin.
            let inner = unsafe { self.map_unchecked_mut(|s| &mut s.0) };
            wasmtime_wasi::runtime::with_ambient_tokio_runtime(|| inner.poll(cx))
        }
    }

    impl BoundedWait<'_> {
        async fn bounded_async<R>(
            &mut self,
            during: &'static str,
            wait: impl AsyncFnOnce(&mut ResourceTable) -> wasmtime::Result<R>,
        ) -> wasmtime::Result<R> {
            let ((bound, limit), started) = (self.bound(), Instant::now());
            let table = &mut *self.table;
            let waited = InRuntime(Box::pin(async move { tokio::time::timeout(bound, wait(table)).await })).await;
            self.charge(started);
            waited.unwrap_or_else(|_elapsed| Err(wasmtime::Error::new(DeadlineReached { during, limit })))
        }
    }

    impl async_poll::Host for BoundedWait<'_> {
        async fn poll(&mut self, pollables: Vec<Resource<DynPollable>>) -> wasmtime::Result<Vec<u32>> {
            self.bounded_async("wasi:io/poll.poll", async |table| async_poll::Host::poll(table, pollables).await).await
        }
    }

    impl async_poll::HostPollable for BoundedWait<'_> {
        async fn ready(&mut self, pollable: Resource<DynPollable>) -> wasmtime::Result<bool> {
            InRuntime(Box::pin(async_poll::HostPollable::ready(self.table, pollable))).await
        }

        async fn block(&mut self, pollable: Resource<DynPollable>) -> wasmtime::Result<()> {
            self.bounded_async("wasi:io/poll.pollable.block", async |table| {
                async_poll::HostPollable::block(table, pollable).await
            })
            .await
        }

        fn drop(&mut self, pollable: Resource<DynPollable>) -> wasmtime::Result<()> {
            async_poll::HostPollable::drop(self.table, pollable)
        }
    }
}

/// `wasi:random` within the pick's random budget.
pub struct BudgetedRandom<'a> {
    ctx: &'a mut WasiRandomCtx,
    budget: &'a mut RandomBudget,
}

struct BudgetedRandomness;

impl HasData for BudgetedRandomness {
    type Data<'a> = BudgetedRandom<'a>;
}

impl WasiState {
    fn budgeted_random(&mut self) -> BudgetedRandom<'_> {
        BudgetedRandom { ctx: self.ctx.random(), budget: &mut self.random }
    }
}

impl BudgetedRandom<'_> {
    /// Charges `len` bytes to the budget, or says which limit it breaks.
    fn charge(&mut self, function: &str, len: u64) -> wasmtime::Result<()> {
        let budget = &mut *self.budget;
        if len > budget.per_call {
            return Err(violation(format!(
                "{function} asked for {len} random bytes; one call may ask for at most {}",
                budget.per_call
            )));
        }
        if budget.used.saturating_add(len) > budget.per_pick {
            return Err(violation(format!(
                "{function} asked for {len} random bytes after {} this pick; a pick may ask for at most {}",
                budget.used, budget.per_pick
            )));
        }
        budget.used += len;
        Ok(())
    }
}

fn violation(message: String) -> wasmtime::Error {
    wasmtime::Error::new(PolicyViolation(message))
}

impl random::Host for BudgetedRandom<'_> {
    fn get_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        self.charge("wasi:random/random.get-random-bytes", len)?;
        random::Host::get_random_bytes(self.ctx, len)
    }

    fn get_random_u64(&mut self) -> wasmtime::Result<u64> {
        random::Host::get_random_u64(self.ctx)
    }
}

impl insecure::Host for BudgetedRandom<'_> {
    fn get_insecure_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        self.charge("wasi:random/insecure.get-insecure-random-bytes", len)?;
        insecure::Host::get_insecure_random_bytes(self.ctx, len)
    }

    fn get_insecure_random_u64(&mut self) -> wasmtime::Result<u64> {
        insecure::Host::get_insecure_random_u64(self.ctx)
    }
}

impl insecure_seed::Host for BudgetedRandom<'_> {
    fn insecure_seed(&mut self) -> wasmtime::Result<(u64, u64)> {
        insecure_seed::Host::insecure_seed(self.ctx)
    }
}
