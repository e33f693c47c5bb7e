//! The host side of the WIT imports: a pick's state in its wasmtime `Store`,
//! and the `store`, `clock` and `log` interfaces served from the embedder's
//! [`MailStore`].

use std::sync::{Arc, Mutex, MutexGuard};

use chrono::NaiveDateTime;
use emailgen_picker::{MailStore, StoreError, Subject, Topology};
use wasmtime::{ResourceLimiter, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::{WasiCtxView, WasiView};

use crate::bindings::{clock, log, store, types};
use crate::engine::{EpochClock, Limits, PickerEngine};
use crate::fetched::Fetched;
use crate::listing::{DeckyListings, Listed};
use crate::stdio::GuestOutput;
use crate::text::escape_unsafe;
use crate::trap::{DeadlineReached, PolicyViolation};
use crate::validate::{Served, SharedPersonaCache, ThreadLookup};
use crate::wasi::{HasWasi, WasiState};
use crate::{convert, fingerprint};

/// Log lines a policy may write in one pick; the rest are dropped.
const MAX_LOG_LINES: u32 = 256;
/// The longest log line kept; longer ones are cut.
const MAX_LOG_CHARS: usize = 2048;

/// The orchestrator's store, shared by every instance that picks against
/// it. Implement [`MailStore`] over your database and wrap it with
/// [`shared_store`].
pub type SharedMailStore = Arc<Mutex<dyn MailStore + Send>>;

pub fn shared_store(store: impl MailStore + Send + 'static) -> SharedMailStore {
    Arc::new(Mutex::new(store))
}

/// The host's local wall clock, or a fixed one in tests.
pub type Clock = Arc<dyn Fn() -> NaiveDateTime + Send + Sync>;

pub fn local_clock() -> Clock {
    Arc::new(|| chrono::Local::now().naive_local())
}

/// Everything one instance's `Store` holds.
pub struct HostState {
    mail: SharedMailStore,
    clock: Clock,
    wasi: WasiState,
    limiter: Limiter,
    budget: ImportBudget,
    served: Served,
    fetched: Fetched,
    /// The running deckies, listed once per pick.
    deckies: DeckyListings,
    persona_cache: SharedPersonaCache,
    limits: Limits,
    stdout: GuestOutput,
    stderr: GuestOutput,
}

/// The store imports, each with its own call budget.
#[derive(Clone, Copy)]
enum StoreImport {
    ListRunningDeckies,
    GetTopology,
    ListEmailThreads,
    GlobalPersonas,
    RunningDeckiesFingerprint,
    TopologyFingerprint,
    GlobalPersonasFingerprint,
    TopologyPersonas,
    GlobalPoolPersonas,
    RunningDeckyCount,
    RunningDeckyAt,
}

impl StoreImport {
    const COUNT: usize = 11;

    fn wit_name(self) -> &'static str {
        match self {
            StoreImport::ListRunningDeckies => "list-running-deckies",
            StoreImport::GetTopology => "get-topology",
            StoreImport::ListEmailThreads => "list-email-threads",
            StoreImport::GlobalPersonas => "global-personas",
            StoreImport::RunningDeckiesFingerprint => "running-deckies-fingerprint",
            StoreImport::TopologyFingerprint => "topology-fingerprint",
            StoreImport::GlobalPersonasFingerprint => "global-personas-fingerprint",
            StoreImport::TopologyPersonas => "topology-personas",
            StoreImport::GlobalPoolPersonas => "global-pool-personas",
            StoreImport::RunningDeckyCount => "running-decky-count",
            StoreImport::RunningDeckyAt => "running-decky-at",
        }
    }
}

/// How many times each store import may be called in one pick, and until
/// when: a store call asked for after the deadline is not made.
struct ImportBudget {
    max_calls: u32,
    max_thread_rows: u32,
    calls: [u32; StoreImport::COUNT],
    log_lines: u32,
    epochs: EpochClock,
    /// The epoch tick of this pick's deadline.
    deadline: u64,
}

impl ImportBudget {
    fn charge(&mut self, import: StoreImport) -> wasmtime::Result<()> {
        if self.epochs.now() >= self.deadline {
            return Err(wasmtime::Error::new(DeadlineReached { during: import.wit_name() }));
        }
        let calls = &mut self.calls[import as usize];
        *calls += 1;
        if *calls > self.max_calls {
            let message = format!("{} called more than {} times in one pick", import.wit_name(), self.max_calls);
            return Err(wasmtime::Error::new(PolicyViolation(message)));
        }
        Ok(())
    }
}

impl HostState {
    pub fn new(mail: SharedMailStore, clock: Clock, engine: &PickerEngine) -> Self {
        let limits = engine.limits();
        let budget = ImportBudget {
            max_calls: limits.max_import_calls,
            max_thread_rows: limits.max_thread_rows,
            calls: [0; StoreImport::COUNT],
            log_lines: 0,
            epochs: engine.epochs().clone(),
            deadline: 0,
        };
        let (stdout, stderr) = (GuestOutput::new("stdout"), GuestOutput::new("stderr"));
        HostState {
            deckies: DeckyListings::new(mail.clone(), engine.listings().clone()),
            mail,
            clock,
            wasi: WasiState::new(limits, engine.epochs().clone(), &stdout, &stderr),
            limiter: Limiter::new(limits),
            budget,
            served: Served::default(),
            fetched: Fetched::default(),
            persona_cache: engine.persona_cache().clone(),
            limits: limits.clone(),
            stdout,
            stderr,
        }
    }

    /// Resets the per-pick budgets and the record of what was served, for
    /// a pick that must end by epoch tick `deadline`.
    pub fn begin_pick(&mut self, deadline: u64) {
        self.budget.deadline = deadline;
        self.wasi.begin_pick(deadline);
        self.budget.calls = [0; StoreImport::COUNT];
        self.budget.log_lines = 0;
        self.served.clear();
        self.fetched.clear();
        self.deckies.begin_pick();
        self.stdout.begin_pick();
        self.stderr.begin_pick();
    }

    /// Fetches a topology row for a fingerprint import: its fingerprint (the
    /// revision's, or a hash of the row) and the row recorded as served.
    fn fetch_topology(&mut self, id: String, by_revision: Option<u64>) -> wasmtime::Result<Result<u64, String>> {
        let fetched = self.mail().get_topology(&id);
        let row = match fetched {
            Ok(row) => row,
            Err(error) => return self.answer(Err(behind("get-topology")(error))),
        };
        let fingerprint = by_revision.unwrap_or_else(|| fingerprint::topology(row.as_ref()));
        if let Some(row) = &row {
            self.served.fingerprinted_topology(row, fingerprint, &self.persona_cache);
        }
        self.fetched.keep_topology(id, row);
        Ok(Ok(fingerprint))
    }

    /// Fetches a topology row and records it as served.
    fn serve_topology(&mut self, id: &str) -> Result<Option<Topology>, StoreError> {
        let row = self.mail().get_topology(id)?;
        if let Some(row) = &row {
            self.served.topology(row, &self.persona_cache);
        }
        Ok(row)
    }

    /// This pick's listing of the running deckies, for the imports other
    /// than `list-running-deckies`: a failure names the listing behind them.
    fn listing(&mut self, services: Vec<String>) -> Result<Listed, StoreError> {
        self.deckies.get(services).map_err(behind("list-running-deckies"))
    }

    /// Fetches the global pool and records it as served.
    fn serve_global_pool(&mut self) -> Result<String, StoreError> {
        let text = self.mail().global_personas()?;
        self.served.global_pool(&text, &self.persona_cache);
        Ok(text)
    }

    /// Fetches the global pool for a fingerprint import, as above.
    fn fetch_global_pool(&mut self, by_revision: Option<u64>) -> wasmtime::Result<Result<u64, String>> {
        let fetched = self.mail().global_personas();
        let text = match fetched {
            Ok(text) => text,
            Err(error) => return self.answer(Err(behind("global-personas")(error))),
        };
        let fingerprint = by_revision.unwrap_or_else(|| fingerprint::text(&text));
        self.served.fingerprinted_global_pool(&text, fingerprint, &self.persona_cache);
        self.fetched.keep_global_personas(text);
        Ok(Ok(fingerprint))
    }

    /// The limits this instance runs under.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// What the host served since the pick began.
    pub fn served(&self) -> &Served {
        &self.served
    }

    pub fn limiter(&mut self) -> &mut Limiter {
        &mut self.limiter
    }

    fn mail(&self) -> MutexGuard<'_, dyn MailStore + Send + 'static> {
        lock_store(&self.mail)
    }

    /// A store answer as the import returns it; a failure is remembered,
    /// so that only then may the policy report a `store` error.
    fn answer<T>(&mut self, result: Result<T, StoreError>) -> wasmtime::Result<Result<T, String>> {
        self.served.store_failed |= result.is_err();
        Ok(result.map_err(|StoreError(message)| message))
    }
}

/// The embedder's store, locked. A store that panicked mid-call is still
/// the embedder's store; its data is as consistent as the embedder made it.
pub(crate) fn lock_store(mail: &SharedMailStore) -> MutexGuard<'_, dyn MailStore + Send + 'static> {
    mail.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Memory and table limits that remember when they said no, so a failed
/// growth is reported as a `memory` error rather than a bare trap.
pub struct Limiter {
    inner: StoreLimits,
    denied: bool,
    memory_bytes: usize,
}

impl Limiter {
    fn new(limits: &Limits) -> Self {
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

/// A fingerprint is taken over the store's answer; when the store fails,
/// the message says which answer it was.
fn behind(function: &'static str) -> impl Fn(StoreError) -> StoreError {
    move |StoreError(message)| StoreError(format!("{function}: {message}"))
}

impl store::Host for HostState {
    fn list_running_deckies(&mut self, services: Vec<String>) -> wasmtime::Result<Result<Vec<types::Decky>, String>> {
        self.budget.charge(StoreImport::ListRunningDeckies)?;
        let listing = self.deckies.get(services);
        let deckies = listing.map(|(_, rows)| {
            self.served.deckies(Arc::clone(&rows));
            rows.iter().map(convert::decky).collect()
        });
        self.answer(deckies)
    }

    fn running_deckies_fingerprint(&mut self, services: Vec<String>) -> wasmtime::Result<Result<u64, String>> {
        self.budget.charge(StoreImport::RunningDeckiesFingerprint)?;
        let listing = self.listing(services);
        let fingerprint = listing.map(|(fingerprint, rows)| {
            self.served.deckies(rows);
            fingerprint
        });
        self.answer(fingerprint)
    }

    fn running_decky_count(&mut self, services: Vec<String>) -> wasmtime::Result<Result<u32, String>> {
        self.budget.charge(StoreImport::RunningDeckyCount)?;
        let listing = self.listing(services);
        self.answer(listing.map(|(_, rows)| u32::try_from(rows.len()).unwrap_or(u32::MAX)))
    }

    fn running_decky_at(
        &mut self,
        services: Vec<String>,
        index: u32,
    ) -> wasmtime::Result<Result<Option<types::Decky>, String>> {
        self.budget.charge(StoreImport::RunningDeckyAt)?;
        let (_, rows) = match self.listing(services) {
            Ok(listing) => listing,
            Err(error) => return self.answer(Err(error)),
        };
        let index = index as usize;
        let decky = rows.get(index).map(convert::decky);
        if decky.is_some() {
            self.served.decky_at(rows, index);
        }
        Ok(Ok(decky))
    }

    fn topology_fingerprint(&mut self, id: String) -> wasmtime::Result<Result<u64, String>> {
        self.budget.charge(StoreImport::TopologyFingerprint)?;
        let by_revision = fingerprint::by_revision(&mut *self.mail(), Subject::Topology(&id), &[]);
        let Some(fingerprint) = by_revision else {
            return self.fetch_topology(id, None);
        };
        if self.served.known_topology(&id, fingerprint) {
            return Ok(Ok(fingerprint));
        }
        self.fetch_topology(id, Some(fingerprint))
    }

    fn global_personas_fingerprint(&mut self) -> wasmtime::Result<Result<u64, String>> {
        self.budget.charge(StoreImport::GlobalPersonasFingerprint)?;
        let by_revision = fingerprint::by_revision(&mut *self.mail(), Subject::GlobalPersonas, &[]);
        let Some(fingerprint) = by_revision else {
            return self.fetch_global_pool(None);
        };
        if self.served.known_global_pool(fingerprint) {
            return Ok(Ok(fingerprint));
        }
        self.fetch_global_pool(Some(fingerprint))
    }

    fn get_topology(&mut self, id: String) -> wasmtime::Result<Result<Option<types::Topology>, String>> {
        self.budget.charge(StoreImport::GetTopology)?;
        if let Some(row) = self.fetched.take_topology(&id) {
            return Ok(Ok(row.map(convert::topology)));
        }
        let row = self.serve_topology(&id);
        self.answer(row.map(|row| row.map(convert::topology)))
    }

    fn topology_personas(
        &mut self,
        id: String,
    ) -> wasmtime::Result<Result<Option<Vec<types::PersonaSummary>>, String>> {
        self.budget.charge(StoreImport::TopologyPersonas)?;
        // The row a fingerprint was just taken over was recorded as served
        // then, with its personas; otherwise it is fetched and recorded now.
        let row = match self.fetched.take_topology(&id) {
            Some(row) => row,
            None => match self.serve_topology(&id) {
                Ok(row) => row,
                Err(error) => return self.answer(Err(error)),
            },
        };
        let personas = row.and(self.served.topology_personas(&id));
        Ok(Ok(personas.map(|list| list.iter().map(convert::persona_summary).collect())))
    }

    fn global_pool_personas(&mut self) -> wasmtime::Result<Result<Vec<types::PersonaSummary>, String>> {
        self.budget.charge(StoreImport::GlobalPoolPersonas)?;
        if self.fetched.take_global_personas().is_none() {
            if let Err(error) = self.serve_global_pool() {
                return self.answer(Err(error));
            }
        }
        let personas = self.served.global_personas.as_deref().unwrap_or_default();
        Ok(Ok(personas.iter().map(convert::persona_summary).collect()))
    }

    fn list_email_threads(
        &mut self,
        mail_decky_uuid: String,
        sender_email: String,
        recipient_email: String,
        limit: u32,
    ) -> wasmtime::Result<Result<Vec<types::ThreadRow>, String>> {
        self.budget.charge(StoreImport::ListEmailThreads)?;
        // A policy may ask for fewer rows than the cap, never more.
        let limit = limit.min(self.budget.max_thread_rows);
        let rows = self.mail().list_email_threads(&mail_decky_uuid, &sender_email, &recipient_email, limit);
        if let Ok(rows) = &rows {
            let lookup = ThreadLookup { mail_decky_uuid, sender_email, recipient_email, rows: rows.clone() };
            self.served.thread_lookups.push(lookup);
        }
        self.answer(rows.map(|rows| rows.into_iter().map(convert::thread_row).collect()))
    }

    fn global_personas(&mut self) -> wasmtime::Result<Result<String, String>> {
        self.budget.charge(StoreImport::GlobalPersonas)?;
        if let Some(text) = self.fetched.take_global_personas() {
            return Ok(Ok(text));
        }
        let text = self.serve_global_pool();
        self.answer(text)
    }
}

impl clock::Host for HostState {
    fn local_now(&mut self) -> wasmtime::Result<types::LocalDatetime> {
        Ok(convert::local_datetime((self.clock)()))
    }
}

impl log::Host for HostState {
    fn log(&mut self, level: log::Level, mut message: String) -> wasmtime::Result<()> {
        self.budget.log_lines += 1;
        if self.budget.log_lines > MAX_LOG_LINES {
            if self.budget.log_lines == MAX_LOG_LINES + 1 {
                tracing::warn!(target: "policy", "policy logged more than {MAX_LOG_LINES} lines this pick; the rest are dropped");
            }
            return Ok(());
        }
        if message.len() > MAX_LOG_CHARS {
            let cut = (0..=MAX_LOG_CHARS).rev().find(|i| message.is_char_boundary(*i)).unwrap_or(0);
            message.truncate(cut);
            message.push('…');
        }
        // One policy line is one log line: a newline or an escape sequence
        // in it cannot forge a host line.
        let message = escape_unsafe(&message);
        match level {
            log::Level::Debug => tracing::debug!(target: "policy", "{message}"),
            log::Level::Info => tracing::info!(target: "policy", "{message}"),
            log::Level::Warn => tracing::warn!(target: "policy", "{message}"),
            log::Level::Error => tracing::error!(target: "policy", "{message}"),
        }
        Ok(())
    }
}

impl types::Host for HostState {}
