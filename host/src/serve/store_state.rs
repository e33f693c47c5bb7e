//! The `store` interface's state: the embedder's store, the running
//! deckies listed this pick, what a fingerprint import fetched, and the
//! record of what was served. A [`StoreView`] is that state with the pick
//! it serves; the imports (`store.rs`) are written on it, over the helpers
//! here that fetch from the embedder's store and record what they served.

use std::sync::Arc;

use emailgen_domain::{StoreError, Subject, ThreadRow, Topology};

use super::fetched::Fetched;
use super::fingerprint;
use super::listing::{DeckyListings, Listed, SharedListings};
use super::mail::Mail;
use super::served::{Served, SharedPersonaCache};
use super::this_pick::ThisPick;
use super::transcript::{Answered, StoreCall};

/// What the `store` interface keeps for one instance.
pub struct StoreState {
    pub(super) mail: Mail,
    pub(super) served: Served,
    pub(super) fetched: Fetched,
    /// The running deckies, listed once per pick.
    pub(super) deckies: DeckyListings,
    pub(super) persona_cache: SharedPersonaCache,
}

impl StoreState {
    pub(super) fn new(mail: Mail, listings: SharedListings, persona_cache: SharedPersonaCache) -> Self {
        StoreState {
            mail,
            served: Served::default(),
            fetched: Fetched::default(),
            deckies: DeckyListings::new(listings),
            persona_cache,
        }
    }

    /// Forgets what the last pick served (not what the instance keeps).
    pub(super) fn begin_pick(&mut self) {
        self.served.clear();
        self.fetched.clear();
        self.deckies.begin_pick();
    }
}

/// The `store` interface's state and the pick it serves: what its imports
/// are written on.
pub struct StoreView<'a> {
    pub(super) state: &'a mut StoreState,
    pub(super) pick: &'a mut ThisPick,
}

impl StoreView<'_> {
    /// Asks the embedder's store through `ask`, with the deadline standing
    /// still while a store the host waits for answers.
    async fn ask<T>(&mut self, ask: impl AsyncFnOnce(&mut Mail) -> T) -> T {
        let since = self.pick.wait_starts(self.state.mail.waits());
        let answer = ask(&mut self.state.mail).await;
        self.pick.wait_ends(since);
        answer
    }

    /// Fetches a topology row for a fingerprint import: its fingerprint (the
    /// revision's, or a hash of the row) and the row recorded as served.
    pub(super) async fn fetch_topology(
        &mut self,
        id: String,
        by_revision: Option<u64>,
    ) -> wasmtime::Result<Result<u64, String>> {
        let fetched = self.ask(async |mail| mail.get_topology(&id).await).await;
        self.note_topology(&id, &fetched);
        let row = match fetched {
            Ok(row) => row,
            Err(error) => return self.answer(Err(behind("get-topology")(error))),
        };
        let fingerprint = by_revision.unwrap_or_else(|| fingerprint::topology(row.as_ref()));
        if let Some(row) = &row {
            self.state.served.fingerprinted_topology(row, fingerprint, &self.state.persona_cache);
        }
        self.state.fetched.keep_topology(id, row);
        Ok(Ok(fingerprint))
    }

    /// Fetches a topology row and records it as served.
    pub(super) async fn serve_topology(&mut self, id: &str) -> Result<Option<Topology>, StoreError> {
        let row = self.ask(async |mail| mail.get_topology(id).await).await;
        self.note_topology(id, &row);
        let row = row?;
        if let Some(row) = &row {
            self.state.served.topology(row, &self.state.persona_cache);
        }
        Ok(row)
    }

    /// This pick's listing of the running deckies (see
    /// [`DeckyListings::get`]).
    pub(super) async fn list_deckies(&mut self, services: Vec<String>) -> Result<Listed, StoreError> {
        let noted = self.pick.transcript.on().then(|| services.clone());
        let since = self.pick.wait_starts(self.state.mail.waits());
        let listed = self.state.deckies.get(&mut self.state.mail, services).await;
        self.pick.wait_ends(since);
        if let Some(services) = noted {
            let cached = !self.state.deckies.fetched_last();
            let answered = Answered::of(&listed.as_ref().map(|(_, rows)| Arc::clone(rows)).map_err(Clone::clone));
            self.pick.transcript.note(|| StoreCall::ListRunningDeckies { services, answered, cached });
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
        let text = self.ask(async |mail| mail.global_personas().await).await;
        self.note_pool(&text);
        let text = text?;
        self.state.served.global_pool(&text, &self.state.persona_cache);
        Ok(text)
    }

    /// Fetches the global pool for a fingerprint import, as above.
    pub(super) async fn fetch_global_pool(
        &mut self,
        by_revision: Option<u64>,
    ) -> wasmtime::Result<Result<u64, String>> {
        let fetched = self.ask(async |mail| mail.global_personas().await).await;
        self.note_pool(&fetched);
        let text = match fetched {
            Ok(text) => text,
            Err(error) => return self.answer(Err(behind("global-personas")(error))),
        };
        let fingerprint = by_revision.unwrap_or_else(|| fingerprint::text(&text));
        self.state.served.fingerprinted_global_pool(&text, fingerprint, &self.state.persona_cache);
        self.state.fetched.keep_global_personas(text);
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
        let rows = self.ask(async |mail| mail.list_email_threads(decky, sender, recipient, limit).await).await;
        self.pick.transcript.note(|| StoreCall::ListEmailThreads {
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
    fn note_topology(&mut self, id: &str, row: &Result<Option<Topology>, StoreError>) {
        if self.pick.transcript.on() {
            let answered = Answered::of(&row.as_ref().map(|row| row.clone().map(Arc::new)).map_err(Clone::clone));
            self.pick.transcript.note(|| StoreCall::GetTopology { id: id.to_owned(), answered, cached: false });
        }
    }

    /// Notes a topology row the host answered from what it kept.
    pub(super) fn note_kept_topology(&mut self, id: &str, row: Arc<Topology>) {
        let answered = Answered::Answer { answer: Some(row) };
        self.pick.transcript.note(|| StoreCall::GetTopology { id: id.to_owned(), answered, cached: true });
    }

    /// Notes the global pool's text the pick depends on.
    fn note_pool(&mut self, text: &Result<String, StoreError>) {
        if self.pick.transcript.on() {
            let answered =
                Answered::of(&text.as_ref().map(|text| Arc::<str>::from(text.as_str())).map_err(Clone::clone));
            self.pick.transcript.note(|| StoreCall::GlobalPersonas { answered, cached: false });
        }
    }

    /// Notes the global pool's text the host answered from what it kept.
    pub(super) fn note_kept_pool(&mut self, text: Arc<str>) {
        let answered = Answered::Answer { answer: text };
        self.pick.transcript.note(|| StoreCall::GlobalPersonas { answered, cached: true });
    }

    /// The store's revision of `subject`, as a fingerprint of the answer
    /// about it (`None`: the store keeps none).
    pub(super) fn revision_fingerprint(&mut self, subject: Subject<'_>) -> Option<u64> {
        let revision = self.state.mail.revision(subject)?;
        Some(fingerprint::revision(subject, &[], revision))
    }

    /// A store answer as the import returns it; a failure is remembered,
    /// so that only then may the policy report a `store` error.
    pub(super) fn answer<T>(&mut self, result: Result<T, StoreError>) -> wasmtime::Result<Result<T, String>> {
        self.state.served.store_failed |= result.is_err();
        Ok(result.map_err(|StoreError(message)| message))
    }
}

/// A fingerprint is taken over the store's answer; when the store fails,
/// the message says which answer it was.
pub(super) fn behind(function: &'static str) -> impl Fn(StoreError) -> StoreError {
    move |StoreError(message)| StoreError(format!("{function}: {message}"))
}
