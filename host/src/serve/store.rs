//! The WIT `store` interface, served from the embedder's store.
//!
//! Each import is written once, as an `async fn` on [`StoreView`]: over a
//! [`MailStore`](emailgen_domain::MailStore) it never waits, and the
//! synchronous bindings run it at once ([`poll_once`]); over an
//! [`AsyncMailStore`](super::AsyncMailStore) the async bindings await it
//! (feature `async`, `store_async.rs`).

use std::sync::Arc;

use emailgen_domain::Subject;
use wasmtime::component::HasData;

use super::budget::StoreImport;
use super::convert;
use super::poll_once;
use super::served::ThreadLookup;
use super::store_state::StoreView;
use crate::bindings::{store, types};

/// The `store` interface, linked on its own: its imports reach the
/// [`StoreView`] of an instance's state, nothing else.
pub struct StoreImports;

impl HasData for StoreImports {
    type Data<'a> = StoreView<'a>;
}

/// What an import returns: a trap, or the WIT `result`.
type Answer<T> = wasmtime::Result<Result<T, String>>;

impl StoreView<'_> {
    pub(super) async fn list_running_deckies(&mut self, services: Vec<String>) -> Answer<Vec<types::Decky>> {
        self.pick.budget.charge(StoreImport::ListRunningDeckies)?;
        let listing = self.list_deckies(services).await;
        let deckies = listing.map(|(_, rows)| {
            self.state.served.deckies(Arc::clone(&rows));
            rows.iter().map(convert::decky).collect()
        });
        self.answer(deckies)
    }

    pub(super) async fn running_deckies_fingerprint(&mut self, services: Vec<String>) -> Answer<u64> {
        self.pick.budget.charge(StoreImport::RunningDeckiesFingerprint)?;
        let listing = self.listing(services).await;
        let fingerprint = listing.map(|(fingerprint, rows)| {
            self.state.served.deckies(rows);
            fingerprint
        });
        self.answer(fingerprint)
    }

    pub(super) async fn running_decky_count(&mut self, services: Vec<String>) -> Answer<u32> {
        self.pick.budget.charge(StoreImport::RunningDeckyCount)?;
        let listing = self.listing(services).await;
        self.answer(listing.map(|(_, rows)| u32::try_from(rows.len()).unwrap_or(u32::MAX)))
    }

    pub(super) async fn running_decky_at(&mut self, services: Vec<String>, index: u32) -> Answer<Option<types::Decky>> {
        self.pick.budget.charge(StoreImport::RunningDeckyAt)?;
        let (_, rows) = match self.listing(services).await {
            Ok(listing) => listing,
            Err(error) => return self.answer(Err(error)),
        };
        let index = index as usize;
        let decky = rows.get(index).map(convert::decky);
        if decky.is_some() {
            self.state.served.decky_at(rows, index);
        }
        Ok(Ok(decky))
    }

    pub(super) async fn topology_fingerprint(&mut self, id: String) -> Answer<u64> {
        self.pick.budget.charge(StoreImport::TopologyFingerprint)?;
        let Some(fingerprint) = self.revision_fingerprint(Subject::Topology(&id)) else {
            return self.fetch_topology(id, None).await;
        };
        if let Some(row) = self.state.served.known_topology(&id, fingerprint) {
            self.note_kept_topology(&id, row);
            return Ok(Ok(fingerprint));
        }
        self.fetch_topology(id, Some(fingerprint)).await
    }

    pub(super) async fn global_personas_fingerprint(&mut self) -> Answer<u64> {
        self.pick.budget.charge(StoreImport::GlobalPersonasFingerprint)?;
        let Some(fingerprint) = self.revision_fingerprint(Subject::GlobalPersonas) else {
            return self.fetch_global_pool(None).await;
        };
        if let Some(text) = self.state.served.known_global_pool(fingerprint) {
            self.note_kept_pool(text);
            return Ok(Ok(fingerprint));
        }
        self.fetch_global_pool(Some(fingerprint)).await
    }

    pub(super) async fn get_topology(&mut self, id: String) -> Answer<Option<types::Topology>> {
        self.pick.budget.charge(StoreImport::GetTopology)?;
        if let Some(row) = self.state.fetched.take_topology(&id) {
            return Ok(Ok(row.map(convert::topology)));
        }
        let row = self.serve_topology(&id).await;
        self.answer(row.map(|row| row.map(convert::topology)))
    }

    pub(super) async fn topology_personas(&mut self, id: String) -> Answer<Option<Vec<types::PersonaSummary>>> {
        self.pick.budget.charge(StoreImport::TopologyPersonas)?;
        // The row a fingerprint was just taken over was recorded as served
        // then, with its personas; otherwise it is fetched and recorded now.
        let row = match self.state.fetched.take_topology(&id) {
            Some(row) => row,
            None => match self.serve_topology(&id).await {
                Ok(row) => row,
                Err(error) => return self.answer(Err(error)),
            },
        };
        let personas = row.and(self.state.served.topology_personas(&id));
        Ok(Ok(personas.map(|list| list.iter().map(convert::persona_summary).collect())))
    }

    pub(super) async fn global_pool_personas(&mut self) -> Answer<Vec<types::PersonaSummary>> {
        self.pick.budget.charge(StoreImport::GlobalPoolPersonas)?;
        if self.state.fetched.take_global_personas().is_none() {
            if let Err(error) = self.serve_global_pool().await {
                return self.answer(Err(error));
            }
        }
        let personas = self.state.served.global_personas.as_deref().unwrap_or_default();
        Ok(Ok(personas.iter().map(convert::persona_summary).collect()))
    }

    pub(super) async fn list_email_threads(
        &mut self,
        mail_decky_uuid: String,
        sender_email: String,
        recipient_email: String,
        limit: u32,
    ) -> Answer<Vec<types::ThreadRow>> {
        self.pick.budget.charge(StoreImport::ListEmailThreads)?;
        // A policy may ask for fewer rows than the cap, never more.
        let limit = limit.min(self.pick.budget.max_thread_rows());
        let rows = self.thread_rows(&mail_decky_uuid, &sender_email, &recipient_email, limit).await;
        if let Ok(rows) = &rows {
            let lookup = ThreadLookup { mail_decky_uuid, sender_email, recipient_email, rows: rows.clone() };
            self.state.served.thread_lookups.push(lookup);
        }
        self.answer(rows.map(|rows| rows.into_iter().map(convert::thread_row).collect()))
    }

    pub(super) async fn global_personas(&mut self) -> Answer<String> {
        self.pick.budget.charge(StoreImport::GlobalPersonas)?;
        if let Some(text) = self.state.fetched.take_global_personas() {
            return Ok(Ok(text));
        }
        let text = self.serve_global_pool().await;
        self.answer(text)
    }
}

/// An import over a store that answers at once; a store that would wait
/// is a bug of the host's (an async store on a synchronous instance).
fn at_once<T>(answer: impl std::future::Future<Output = Answer<T>>) -> Answer<T> {
    poll_once(answer).unwrap_or_else(|| Err(wasmtime::Error::msg("a synchronous instance's store asked it to wait")))
}

impl store::Host for StoreView<'_> {
    fn list_running_deckies(&mut self, services: Vec<String>) -> Answer<Vec<types::Decky>> {
        at_once(StoreView::list_running_deckies(self, services))
    }

    fn running_deckies_fingerprint(&mut self, services: Vec<String>) -> Answer<u64> {
        at_once(StoreView::running_deckies_fingerprint(self, services))
    }

    fn running_decky_count(&mut self, services: Vec<String>) -> Answer<u32> {
        at_once(StoreView::running_decky_count(self, services))
    }

    fn running_decky_at(&mut self, services: Vec<String>, index: u32) -> Answer<Option<types::Decky>> {
        at_once(StoreView::running_decky_at(self, services, index))
    }

    fn topology_fingerprint(&mut self, id: String) -> Answer<u64> {
        at_once(StoreView::topology_fingerprint(self, id))
    }

    fn global_personas_fingerprint(&mut self) -> Answer<u64> {
        at_once(StoreView::global_personas_fingerprint(self))
    }

    fn get_topology(&mut self, id: String) -> Answer<Option<types::Topology>> {
        at_once(StoreView::get_topology(self, id))
    }

    fn topology_personas(&mut self, id: String) -> Answer<Option<Vec<types::PersonaSummary>>> {
        at_once(StoreView::topology_personas(self, id))
    }

    fn global_pool_personas(&mut self) -> Answer<Vec<types::PersonaSummary>> {
        at_once(StoreView::global_pool_personas(self))
    }

    fn list_email_threads(
        &mut self,
        mail_decky_uuid: String,
        sender_email: String,
        recipient_email: String,
        limit: u32,
    ) -> Answer<Vec<types::ThreadRow>> {
        at_once(StoreView::list_email_threads(self, mail_decky_uuid, sender_email, recipient_email, limit))
    }

    fn global_personas(&mut self) -> Answer<String> {
        at_once(StoreView::global_personas(self))
    }
}
