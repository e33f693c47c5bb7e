//! One instance's state in its wasmtime `Store`: the embedder's store and
//! clock, the sandbox's WASI and limits, this pick's budgets and the record
//! of what was served.

use std::sync::MutexGuard;

use emailgen_picker::{MailStore, StoreError, Topology};
use wasmtime_wasi::{WasiCtxView, WasiView};

use super::budget::ImportBudget;
use super::fetched::Fetched;
use super::listing::{DeckyListings, Listed};
use super::mail::{lock_store, Clock, SharedMailStore};
use super::served::{Served, SharedPersonaCache};
use super::{fingerprint, SharedCaches};
use crate::sandbox::stdio::GuestOutput;
use crate::sandbox::wasi::{HasWasi, WasiState};
use crate::sandbox::{Limiter, Limits, Sandbox};

/// Everything one instance's `Store` holds. The import modules beside this
/// one serve the WIT interfaces from it.
pub struct HostState {
    mail: SharedMailStore,
    pub(super) clock: Clock,
    wasi: WasiState,
    limiter: Limiter,
    pub(super) budget: ImportBudget,
    pub(super) served: Served,
    pub(super) fetched: Fetched,
    /// The running deckies, listed once per pick.
    pub(super) deckies: DeckyListings,
    pub(super) persona_cache: SharedPersonaCache,
    limits: Limits,
    stdout: GuestOutput,
    stderr: GuestOutput,
}

impl HostState {
    /// The state of a new instance of a policy on `sandbox` that picks
    /// against `mail`, sharing `caches` with the engine's other instances.
    pub fn new(mail: SharedMailStore, clock: Clock, sandbox: &Sandbox, caches: &SharedCaches) -> Self {
        let limits = sandbox.limits();
        let (stdout, stderr) = (GuestOutput::new("stdout"), GuestOutput::new("stderr"));
        HostState {
            deckies: DeckyListings::new(mail.clone(), caches.listings.clone()),
            mail,
            clock,
            wasi: WasiState::new(limits, sandbox.epochs().clone(), &stdout, &stderr),
            limiter: Limiter::new(limits),
            budget: ImportBudget::new(limits, sandbox.epochs().clone()),
            served: Served::default(),
            fetched: Fetched::default(),
            persona_cache: caches.personas.clone(),
            limits: limits.clone(),
            stdout,
            stderr,
        }
    }

    /// Resets the per-pick budgets and the record of what was served, for
    /// a pick that must end by epoch tick `deadline`.
    pub fn begin_pick(&mut self, deadline: u64) {
        self.budget.begin_pick(deadline);
        self.wasi.begin_pick(deadline);
        self.served.clear();
        self.fetched.clear();
        self.deckies.begin_pick();
        self.stdout.begin_pick();
        self.stderr.begin_pick();
    }

    /// Fetches a topology row for a fingerprint import: its fingerprint (the
    /// revision's, or a hash of the row) and the row recorded as served.
    pub(super) fn fetch_topology(
        &mut self,
        id: String,
        by_revision: Option<u64>,
    ) -> wasmtime::Result<Result<u64, String>> {
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
    pub(super) fn serve_topology(&mut self, id: &str) -> Result<Option<Topology>, StoreError> {
        let row = self.mail().get_topology(id)?;
        if let Some(row) = &row {
            self.served.topology(row, &self.persona_cache);
        }
        Ok(row)
    }

    /// This pick's listing of the running deckies, for the imports other
    /// than `list-running-deckies`: a failure names the listing behind them.
    pub(super) fn listing(&mut self, services: Vec<String>) -> Result<Listed, StoreError> {
        self.deckies.get(services).map_err(behind("list-running-deckies"))
    }

    /// Fetches the global pool and records it as served.
    pub(super) fn serve_global_pool(&mut self) -> Result<String, StoreError> {
        let text = self.mail().global_personas()?;
        self.served.global_pool(&text, &self.persona_cache);
        Ok(text)
    }

    /// Fetches the global pool for a fingerprint import, as above.
    pub(super) fn fetch_global_pool(&mut self, by_revision: Option<u64>) -> wasmtime::Result<Result<u64, String>> {
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

    /// The instance's memory limiter.
    pub fn limiter(&mut self) -> &mut Limiter {
        &mut self.limiter
    }

    pub(super) fn mail(&self) -> MutexGuard<'_, dyn MailStore + Send + 'static> {
        lock_store(&self.mail)
    }

    /// A store answer as the import returns it; a failure is remembered,
    /// so that only then may the policy report a `store` error.
    pub(super) fn answer<T>(&mut self, result: Result<T, StoreError>) -> wasmtime::Result<Result<T, String>> {
        self.served.store_failed |= result.is_err();
        Ok(result.map_err(|StoreError(message)| message))
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
pub(super) fn behind(function: &'static str) -> impl Fn(StoreError) -> StoreError {
    move |StoreError(message)| StoreError(format!("{function}: {message}"))
}
