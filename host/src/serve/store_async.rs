//! The WIT `store` interface for instances whose store the host awaits
//! (feature `async`): the same imports as `store.rs`, awaited.

use super::store_state::StoreView;
use crate::bindings::asynchronous::store;
use crate::bindings::types;

type Answer<T> = wasmtime::Result<Result<T, String>>;

impl store::Host for StoreView<'_> {
    async fn list_running_deckies(&mut self, services: Vec<String>) -> Answer<Vec<types::Decky>> {
        StoreView::list_running_deckies(self, services).await
    }

    async fn running_deckies_fingerprint(&mut self, services: Vec<String>) -> Answer<u64> {
        StoreView::running_deckies_fingerprint(self, services).await
    }

    async fn running_decky_count(&mut self, services: Vec<String>) -> Answer<u32> {
        StoreView::running_decky_count(self, services).await
    }

    async fn running_decky_at(&mut self, services: Vec<String>, index: u32) -> Answer<Option<types::Decky>> {
        StoreView::running_decky_at(self, services, index).await
    }

    async fn topology_fingerprint(&mut self, id: String) -> Answer<u64> {
        StoreView::topology_fingerprint(self, id).await
    }

    async fn global_personas_fingerprint(&mut self) -> Answer<u64> {
        StoreView::global_personas_fingerprint(self).await
    }

    async fn get_topology(&mut self, id: String) -> Answer<Option<types::Topology>> {
        StoreView::get_topology(self, id).await
    }

    async fn topology_personas(&mut self, id: String) -> Answer<Option<Vec<types::PersonaSummary>>> {
        StoreView::topology_personas(self, id).await
    }

    async fn global_pool_personas(&mut self) -> Answer<Vec<types::PersonaSummary>> {
        StoreView::global_pool_personas(self).await
    }

    async fn list_email_threads(
        &mut self,
        mail_decky_uuid: String,
        sender_email: String,
        recipient_email: String,
        limit: u32,
    ) -> Answer<Vec<types::ThreadRow>> {
        StoreView::list_email_threads(self, mail_decky_uuid, sender_email, recipient_email, limit).await
    }

    async fn global_personas(&mut self) -> Answer<String> {
        StoreView::global_personas(self).await
    }
}
