//! One instance's state in its wasmtime `Store`, a part per interface:
//! the `store` interface's ([`StoreState`]), the `clock`'s (the embedder's
//! clock), the `log`'s (its budget, in the pick's part), the sandbox's
//! (WASI, memory limiter, output), and what they share about the pick
//! under way ([`ThisPick`]). Each interface is linked on its own and
//! reaches only its part ([`add_to_linker`]).

use wasmtime::component::Linker;
use wasmtime_wasi::{WasiCtxView, WasiView};

use super::clock::{ClockImports, ClockView};
use super::log::{LogImports, LogView};
use super::mail::{AsyncMailStore, Clock, Mail, SharedMailStore};
use super::served::Served;
use super::store::StoreImports;
use super::store_state::{StoreState, StoreView};
use super::this_pick::ThisPick;
use super::transcript::StoreCall;
use super::SharedCaches;
use crate::bindings::{clock, log, store, types};
use crate::sandbox::stdio::GuestOutput;
use crate::sandbox::wasi::{HasWasi, WasiState};
use crate::sandbox::{Limiter, Limits, Sandbox, WallClockLimit};

/// Everything one instance's `Store` holds.
pub struct HostState {
    pick: ThisPick,
    store: StoreState,
    clock: Clock,
    wasi: WasiState,
    limiter: Limiter,
    limits: Limits,
    stdout: GuestOutput,
    stderr: GuestOutput,
}

impl HostState {
    /// The state of a new instance of a policy on `sandbox`, sharing
    /// `caches` with the engine's other instances. Its store is attached for
    /// each pick ([`attach_shared`](Self::attach_shared),
    /// [`attach_async`](Self::attach_async)).
    pub fn new(clock: Clock, sandbox: &Sandbox, caches: &SharedCaches) -> Self {
        let limits = sandbox.limits();
        let (stdout, stderr) = (GuestOutput::new("stdout"), GuestOutput::new("stderr"));
        let wall_clock = WallClockLimit::default();
        HostState {
            pick: ThisPick::new(limits, sandbox.epochs().clone(), wall_clock.clone()),
            store: StoreState::new(Mail::Detached, caches.listings.clone(), caches.personas.clone()),
            clock,
            wasi: WasiState::new(limits, sandbox.epochs().clone(), wall_clock, &stdout, &stderr),
            limiter: Limiter::new(limits),
            limits: limits.clone(),
            stdout,
            stderr,
        }
    }

    /// Attaches the store the next pick asks, and the clock it reads (an
    /// instance from the pool serves whoever takes it).
    pub fn attach_shared(&mut self, store: SharedMailStore, clock: Clock) {
        self.store.mail = Mail::Shared(store);
        self.clock = clock;
    }

    /// Attaches the store the next pick awaits, and its clock.
    pub fn attach_async(&mut self, store: Box<dyn AsyncMailStore>, clock: Clock) {
        self.store.mail = Mail::Async(store);
        self.clock = clock;
    }

    /// Lets go of the store attached for a pick.
    pub fn detach(&mut self) {
        self.store.mail = Mail::Detached;
    }

    /// Resets the per-pick budgets and the record of what was served, for
    /// a pick that must end by epoch tick `wall_clock`; with `recording`, the
    /// pick's transcript is kept ([`take_transcript`](Self::take_transcript)).
    pub fn begin_pick(&mut self, wall_clock: u64, recording: bool) {
        self.pick.begin(wall_clock, recording);
        self.store.begin_pick();
        self.wasi.begin_pick();
        self.stdout.begin_pick();
        self.stderr.begin_pick();
    }

    /// This pick's transcript (empty unless it was recorded).
    pub fn take_transcript(&mut self) -> Vec<StoreCall> {
        self.pick.take_transcript()
    }

    /// This pick's wall-clock limit (later than it began with by the ticks
    /// an awaited pick spent waiting on the store or its executor).
    pub fn wall_clock(&self) -> &WallClockLimit {
        &self.pick.wall_clock
    }

    /// The limits this instance runs under.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// What the host served since the pick began.
    pub fn served(&self) -> &Served {
        &self.store.served
    }

    /// The instance's memory limiter.
    pub fn limiter(&mut self) -> &mut Limiter {
        &mut self.limiter
    }

    fn store_view(&mut self) -> StoreView<'_> {
        StoreView { state: &mut self.store, pick: &mut self.pick }
    }

    fn clock_view(&mut self) -> ClockView<'_> {
        ClockView { clock: &self.clock, pick: &mut self.pick }
    }

    fn log_view(&mut self) -> LogView<'_> {
        LogView { budget: &mut self.pick.budget }
    }
}

/// Links the picker's imports, each interface on its own part of the
/// instance's state.
pub fn add_to_linker(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    store::add_to_linker::<_, StoreImports>(linker, HostState::store_view)?;
    add_clock_log_types(linker)
}

/// The same, with the `store` imports awaited (feature `async`).
#[cfg(feature = "async")]
pub fn add_to_linker_async(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    crate::bindings::asynchronous::store::add_to_linker::<_, StoreImports>(linker, HostState::store_view)?;
    add_clock_log_types(linker)
}

fn add_clock_log_types(linker: &mut Linker<HostState>) -> wasmtime::Result<()> {
    types::add_to_linker::<_, LogImports>(linker, HostState::log_view)?;
    clock::add_to_linker::<_, ClockImports>(linker, HostState::clock_view)?;
    log::add_to_linker::<_, LogImports>(linker, HostState::log_view)
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        self.wasi.view()
    }
}

impl HasWasi for HostState {
    fn wasi(&mut self) -> &mut WasiState {
        &mut self.wasi
    }
}
