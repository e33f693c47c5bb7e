//! One instance's state in its wasmtime `Store`: the embedder's store and
//! clock, the sandbox's WASI and limits, this pick's budgets and the record
//! of what was served.

use std::sync::Arc;

use emailgen_domain::{StoreError, Subject, ThreadRow, Topology};
use wasmtime_wasi::{WasiCtxView, WasiView};

use super::budget::ImportBudget;
use super::fetched::Fetched;
use super::listing::{DeckyListings, Listed};
use super::mail::{AsyncMailStore, Clock, Mail, SharedMailStore};
use super::served::{Served, SharedPersonaCache};
use super::transcript::{Answered, StoreCall, Transcript};
use super::{fingerprint, SharedCaches};
use crate::sandbox::stdio::GuestOutput;
use crate::sandbox::wasi::{HasWasi, WasiState};
use crate::sandbox::{EpochClock, Limiter, Limits, PickDeadline, Sandbox};

/// Everything one instance's `Store` holds. The import modules beside this
/// one serve the WIT interfaces from it.
pub struct HostState {
    mail: Mail,
    epochs: EpochClock,
    deadline: PickDeadline,
    pub(super) clock: Clock,
    wasi: WasiState,
    limiter: Limiter,
    pub(super) budget: ImportBudget,
    /// The store's answers this pick depended on, when it is recorded.
    pub(super) transcript: Transcript,
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
        HostState::with_mail(Mail::Shared(mail), clock, sandbox, caches)
    }

    /// The state of a new instance whose store is attached for each pick
    /// ([`attach`](Self::attach)) and waited for.
    pub fn detached(clock: Clock, sandbox: &Sandbox, caches: &SharedCaches) -> Self {
        HostState::with_mail(Mail::Detached, clock, sandbox, caches)
    }

    /// Attaches the store the next pick waits for.
    pub fn attach(&mut self, store: Box<dyn AsyncMailStore>) {
        self.mail = Mail::Waited(store);
    }

    /// Lets go of the store attached for a pick.
    pub fn detach(&mut self) {
        self.mail = Mail::Detached;
    }

    fn with_mail(mail: Mail, clock: Clock, sandbox: &Sandbox, caches: &SharedCaches) -> Self {
        let limits = sandbox.limits();
        let (stdout, stderr) = (GuestOutput::new("stdout"), GuestOutput::new("stderr"));
        let deadline = PickDeadline::default();
        HostState {
            deckies: DeckyListings::new(caches.listings.clone()),
            mail,
            epochs: sandbox.epochs().clone(),
            clock,
            wasi: WasiState::new(limits, sandbox.epochs().clone(), deadline.clone(), &stdout, &stderr),
            limiter: Limiter::new(limits),
            budget: ImportBudget::new(limits, sandbox.epochs().clone(), deadline.clone()),
            transcript: Transcript::default(),
            deadline,
            served: Served::default(),
            fetched: Fetched::default(),
            persona_cache: caches.personas.clone(),
            limits: limits.clone(),
            stdout,
            stderr,
        }
    }

    /// Resets the per-pick budgets and the record of what was served, for
    /// a pick that must end by epoch tick `deadline`; with `recording`, the
    /// pick's transcript is kept ([`take_transcript`](Self::take_transcript)).
    pub fn begin_pick(&mut self, deadline: u64, recording: bool) {
        self.deadline.set(deadline);
        self.transcript.begin(recording);
        self.budget.begin_pick();
        self.wasi.begin_pick();
        self.served.clear();
        self.fetched.clear();
        self.deckies.begin_pick();
        self.stdout.begin_pick();
        self.stderr.begin_pick();
    }

    /// Fetches a topology row for a fingerprint import: its fingerprint (the
    /// revision's, or a hash of the row) and the row recorded as served.
    pub(super) async fn fetch_topology(
        &mut self,
        id: String,
        by_revision: Option<u64>,
    ) -> wasmtime::Result<Result<u64, String>> {
        let since = self.wait_starts();
        let fetched = self.mail.get_topology(&id).await;
        self.wait_ends(since);
        self.note_topology(&id, &fetched);
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
    pub(super) async fn serve_topology(&mut self, id: &str) -> Result<Option<Topology>, StoreError> {
        let since = self.wait_starts();
        let row = self.mail.get_topology(id).await;
        self.wait_ends(since);
        self.note_topology(id, &row);
        let row = row?;
        if let Some(row) = &row {
            self.served.topology(row, &self.persona_cache);
        }
        Ok(row)
    }

    /// This pick's listing of the running deckies (see
    /// [`DeckyListings::get`]).
    pub(super) async fn list_deckies(&mut self, services: Vec<String>) -> Result<Listed, StoreError> {
        let since = self.wait_starts();
        let noted = self.transcript.on().then(|| services.clone());
        let listed = self.deckies.get(&mut self.mail, services).await;
        self.wait_ends(since);
        if let Some(services) = noted {
            let cached = !self.deckies.fetched_last();
            let answered = Answered::of(&listed.as_ref().map(|(_, rows)| Arc::clone(rows)).map_err(Clone::clone));
            self.transcript.note(|| StoreCall::ListRunningDeckies { services, answered, cached });
        }
        listed
    }

    /// The listing for the imports other than `list-running-deckies`: a
    /// failure names the listing behind them.
    pub(super) async fn listing(&mut self, services: Vec<String>) -> Result<Listed, StoreError> {
        self.list_deckies(services).await.map_err(behind("list-running-deckies"))
    }

    /// Fetches the global pool and records it as served.
    pub(super) async fn serve_global_pool(&mut self) -> Result<String, StoreError> {
        let since = self.wait_starts();
        let text = self.mail.global_personas().await;
        self.wait_ends(since);
        self.note_pool(&text);
        let text = text?;
        self.served.global_pool(&text, &self.persona_cache);
        Ok(text)
    }

    /// Fetches the global pool for a fingerprint import, as above.
    pub(super) async fn fetch_global_pool(
        &mut self,
        by_revision: Option<u64>,
    ) -> wasmtime::Result<Result<u64, String>> {
        let since = self.wait_starts();
        let fetched = self.mail.global_personas().await;
        self.wait_ends(since);
        self.note_pool(&fetched);
        let text = match fetched {
            Ok(text) => text,
            Err(error) => return self.answer(Err(behind("global-personas")(error))),
        };
        let fingerprint = by_revision.unwrap_or_else(|| fingerprint::text(&text));
        self.served.fingerprinted_global_pool(&text, fingerprint, &self.persona_cache);
        self.fetched.keep_global_personas(text);
        Ok(Ok(fingerprint))
    }

    /// Looks up a pair's threads on a mail decky.
    pub(super) async fn thread_rows(
        &mut self,
        decky: &str,
        sender: &str,
        recipient: &str,
        limit: u32,
    ) -> Result<Vec<ThreadRow>, StoreError> {
        let since = self.wait_starts();
        let rows = self.mail.list_email_threads(decky, sender, recipient, limit).await;
        self.wait_ends(since);
        self.transcript.note(|| StoreCall::ListEmailThreads {
            mail_decky_uuid: decky.to_owned(),
            sender_email: sender.to_owned(),
            recipient_email: recipient.to_owned(),
            limit,
            answered: Answered::of(&rows),
        });
        rows
    }

    /// Notes a topology row (or its absence, or the store's failure) the
    /// pick depends on.
    pub(super) fn note_topology(&mut self, id: &str, row: &Result<Option<Topology>, StoreError>) {
        if self.transcript.on() {
            let answered = Answered::of(&row.as_ref().map(|row| row.clone().map(Arc::new)).map_err(Clone::clone));
            self.transcript.note(|| StoreCall::GetTopology { id: id.to_owned(), answered, cached: false });
        }
    }

    /// Notes a topology row the host answered from what it kept.
    pub(super) fn note_kept_topology(&mut self, id: &str, row: Arc<Topology>) {
        let answered = Answered::Answer { answer: Some(row) };
        self.transcript.note(|| StoreCall::GetTopology { id: id.to_owned(), answered, cached: true });
    }

    /// Notes the global pool's text the pick depends on.
    pub(super) fn note_pool(&mut self, text: &Result<String, StoreError>) {
        if self.transcript.on() {
            let answered =
                Answered::of(&text.as_ref().map(|text| Arc::<str>::from(text.as_str())).map_err(Clone::clone));
            self.transcript.note(|| StoreCall::GlobalPersonas { answered, cached: false });
        }
    }

    /// Notes the global pool's text the host answered from what it kept.
    pub(super) fn note_kept_pool(&mut self, text: Arc<str>) {
        let answered = Answered::Answer { answer: text };
        self.transcript.note(|| StoreCall::GlobalPersonas { answered, cached: true });
    }

    /// This pick's transcript (empty unless it was recorded).
    pub fn take_transcript(&mut self) -> Vec<StoreCall> {
        self.transcript.take()
    }

    /// The store's revision of `subject`, as a fingerprint of the answer
    /// about it (`None`: the store keeps none).
    pub(super) fn revision_fingerprint(&mut self, subject: Subject<'_>) -> Option<u64> {
        let revision = self.mail.revision(subject)?;
        Some(fingerprint::revision(subject, &[], revision))
    }

    /// When a store call that may wait begins: the epoch tick, for a store
    /// the host waits for.
    fn wait_starts(&self) -> Option<u64> {
        self.mail.waits().then(|| self.epochs.now())
    }

    /// A waited store call ended: the ticks it took are added to the
    /// pick's deadline, which bounds the policy's time, not the store's.
    fn wait_ends(&mut self, since: Option<u64>) {
        if let Some(since) = since {
            self.deadline.extend(self.epochs.now().saturating_sub(since));
        }
    }

    /// This pick's deadline (later than it began with by the ticks an
    /// awaited pick spent waiting on the store or its executor).
    pub fn deadline(&self) -> &PickDeadline {
        &self.deadline
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
