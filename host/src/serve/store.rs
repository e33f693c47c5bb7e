//! The WIT `store` interface, served from the embedder's [`MailStore`]
//! (`emailgen_picker::MailStore`).

use std::sync::Arc;

use emailgen_picker::Subject;

use super::budget::StoreImport;
use super::served::ThreadLookup;
use super::state::HostState;
use super::{convert, fingerprint};
use crate::bindings::{store, types};

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
        let limit = limit.min(self.budget.max_thread_rows());
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
