//! Listing the running deckies for a policy: once per pick, and not at all
//! while the store's revision of them stands.
//!
//! A store that keeps revisions (see [`MailStore::revision`]) promises that
//! an unchanged revision means an unchanged listing. The listing is then
//! kept engine-wide, by store and revision fingerprint, so that every
//! instance on the engine shares it: a fresh instance per pick does not make
//! the store list (and clone) its deckies again. The store is recognised by
//! a weak reference to it, which also keeps its address from being reused
//! by another store while the entry exists.

use std::sync::{Arc, Mutex, Weak};

use emailgen_domain::{Decky, MailStore, StoreError, Subject};

use super::fingerprint;
use super::mail::{Mail, SharedMailStore};

/// How many listings an engine keeps (distinct stores and filters).
const MAX_LISTINGS: usize = 16;

type StoreRef = Weak<Mutex<dyn MailStore + Send>>;
/// A store, the revision fingerprint of a listing, and the listing.
type Entry = (StoreRef, u64, Arc<[Decky]>);

/// Listings by store and revision fingerprint, shared by every instance on
/// an engine.
#[derive(Clone, Default)]
pub struct SharedListings {
    entries: Arc<Mutex<Vec<Entry>>>,
}

impl SharedListings {
    fn find(&self, store: &SharedMailStore, fingerprint: u64) -> Option<Arc<[Decky]>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let store = Arc::as_ptr(store);
        let same_store = |s: &StoreRef| std::ptr::addr_eq(s.as_ptr(), store);
        entries.iter().find(|(s, fp, _)| *fp == fingerprint && same_store(s)).map(|(_, _, rows)| Arc::clone(rows))
    }

    fn keep(&self, store: &SharedMailStore, fingerprint: u64, rows: Arc<[Decky]>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        // Listings of stores that are gone are of no more use; past that,
        // the oldest go first (older revisions, once a store changes).
        let store = Arc::downgrade(store);
        entries.retain(|(s, _, _)| s.strong_count() > 0);
        if entries.len() >= MAX_LISTINGS {
            entries.remove(0);
        }
        entries.push((store, fingerprint, rows));
    }
}

/// A listing and its fingerprint.
pub type Listed = (u64, Arc<[Decky]>);

/// How one instance's imports get the running deckies. Within a pick the
/// deckies are listed once per services filter, and `list-running-deckies`,
/// `running-decky-count`, `running-decky-at` and the fingerprint all answer
/// from that listing.
pub struct DeckyListings {
    shared: SharedListings,
    /// The revision listing this instance used last: a warm instance finds
    /// it without locking the engine's listings.
    last: Option<Listed>,
    /// This pick's listing, with its filter.
    taken: Option<(Vec<String>, Listed)>,
    /// Whether the last listing given asked the store (not a kept one).
    fetched_last: bool,
}

impl DeckyListings {
    /// An instance's listings, sharing `shared` with the engine.
    pub fn new(shared: SharedListings) -> Self {
        DeckyListings { shared, last: None, taken: None, fetched_last: false }
    }

    /// Forgets this pick's listing: the next pick lists again (or finds
    /// its revision's listing).
    pub fn begin_pick(&mut self) {
        self.taken = None;
    }

    /// Whether the last listing this pick took asked the store (rather
    /// than reusing one kept by revision).
    pub fn fetched_last(&self) -> bool {
        self.fetched_last
    }

    /// This pick's listing for `services`: the one taken earlier this pick,
    /// else by the store's revision (this instance's last listing, or the
    /// engine's for this store), else listed and hashed.
    pub(crate) async fn get(&mut self, mail: &mut Mail, services: Vec<String>) -> Result<Listed, StoreError> {
        self.fetched_last = false;
        if let Some((kept, (fingerprint, rows))) = &self.taken {
            if *kept == services {
                return Ok((*fingerprint, Arc::clone(rows)));
            }
        }
        let filter: Vec<&str> = services.iter().map(String::as_str).collect();
        let listed = self.list(mail, &filter).await?;
        self.taken = Some((services, (listed.0, Arc::clone(&listed.1))));
        Ok(listed)
    }

    /// The running deckies offering one of `filter`, with their
    /// fingerprint (see [`get`](Self::get)).
    async fn list(&mut self, mail: &mut Mail, filter: &[&str]) -> Result<Listed, StoreError> {
        let Some(revision) = mail.revision(Subject::RunningDeckies) else {
            self.fetched_last = true;
            let rows: Arc<[Decky]> = mail.list_running_deckies(filter).await?.into();
            return Ok((fingerprint::deckies(&rows), rows));
        };
        let fingerprint = fingerprint::revision(Subject::RunningDeckies, filter, revision);
        if let Some((known, rows)) = self.last.as_ref().filter(|(known, _)| *known == fingerprint) {
            return Ok((*known, Arc::clone(rows)));
        }
        let found = mail.shared().and_then(|store| self.shared.find(store, fingerprint));
        let rows = match found {
            Some(rows) => rows,
            None => {
                self.fetched_last = true;
                let rows: Arc<[Decky]> = mail.list_running_deckies(filter).await?.into();
                if let Some(store) = mail.shared() {
                    self.shared.keep(store, fingerprint, Arc::clone(&rows));
                }
                rows
            }
        };
        self.last = Some((fingerprint, Arc::clone(&rows)));
        Ok((fingerprint, rows))
    }
}

#[cfg(test)]
mod tests {
    use emailgen_domain::{ThreadRow, Topology};

    use super::*;
    use crate::serve::poll_once;

    /// Deckies and a revision; counts its listings.
    #[derive(Default)]
    struct Listing {
        deckies: Vec<Decky>,
        revision: Option<u64>,
        listed: usize,
    }

    impl Listing {
        fn count(&self, _: &str) -> usize {
            self.listed
        }
    }

    impl MailStore for Listing {
        fn list_running_deckies(&mut self, services: &[&str]) -> Result<Vec<Decky>, StoreError> {
            self.listed += 1;
            Ok(self.deckies.iter().filter(|d| d.offers_any(services)).cloned().collect())
        }
        fn get_topology(&mut self, _: &str) -> Result<Option<Topology>, StoreError> {
            Ok(None)
        }
        fn list_email_threads(&mut self, _: &str, _: &str, _: &str, _: u32) -> Result<Vec<ThreadRow>, StoreError> {
            Ok(Vec::new())
        }
        fn global_personas(&mut self) -> Result<String, StoreError> {
            Ok(String::new())
        }
        fn revision(&mut self, _: Subject<'_>) -> Option<u64> {
            self.revision
        }
    }

    fn store_with(uuid: &str, revision: Option<u64>) -> (SharedMailStore, Arc<Mutex<Listing>>) {
        let deckies = vec![Decky { uuid: uuid.into(), services: vec!["imap".into()], ..Default::default() }];
        let concrete = Arc::new(Mutex::new(Listing { deckies, revision, ..Default::default() }));
        (concrete.clone(), concrete)
    }

    fn listed(mail: &SharedMailStore, listings: &SharedListings) -> (u64, String) {
        let (fingerprint, rows) = get(&mut DeckyListings::new(listings.clone()), mail, imap());
        (fingerprint, rows[0].uuid.clone())
    }

    /// A listing from a shared store (answered at once).
    fn get(instance: &mut DeckyListings, mail: &SharedMailStore, services: Vec<String>) -> Listed {
        let mut mail = Mail::Shared(mail.clone());
        poll_once(instance.get(&mut mail, services)).expect("a shared store answers at once").unwrap()
    }

    fn imap() -> Vec<String> {
        vec!["imap".to_owned()]
    }

    #[test]
    fn stores_with_the_same_revision_do_not_share_a_listing() {
        let listings = SharedListings::default();
        let (a, a_calls) = store_with("a", Some(7));
        let (b, b_calls) = store_with("b", Some(7));
        let (fp_a, uuid_a) = listed(&a, &listings);
        let (fp_b, uuid_b) = listed(&b, &listings);
        assert_eq!((fp_a == fp_b, uuid_a.as_str(), uuid_b.as_str()), (true, "a", "b"));
        assert_eq!(listed(&a, &listings).1, "a");
        assert_eq!(a_calls.lock().unwrap().count("list-running-deckies"), 1);
        assert_eq!(b_calls.lock().unwrap().count("list-running-deckies"), 1);
    }

    #[test]
    fn without_revisions_every_listing_asks_the_store_and_hashes_the_rows() {
        let listings = SharedListings::default();
        let (mail, calls) = store_with("a", None);
        let first = listed(&mail, &listings);
        calls.lock().unwrap().deckies[0].name = "renamed".into();
        let second = listed(&mail, &listings);
        assert_ne!(first.0, second.0, "the fingerprint follows the rows");
        assert_eq!(calls.lock().unwrap().count("list-running-deckies"), 2);
    }

    #[test]
    fn listings_of_dropped_stores_are_let_go() {
        let listings = SharedListings::default();
        for i in 0..3 * MAX_LISTINGS {
            let (mail, _) = store_with(&format!("d{i}"), Some(1));
            listed(&mail, &listings);
        }
        let kept = listings.entries.lock().unwrap();
        assert!(kept.len() <= 1, "{} listings kept for stores that are gone", kept.len());
    }

    #[test]
    fn a_pick_lists_once_per_filter_and_a_warm_instance_keeps_its_listing() {
        let (mail, calls) = store_with("a", Some(1));
        let mut instance = DeckyListings::new(SharedListings::default());
        let pop3 = vec!["pop3".to_owned()];
        instance.begin_pick();
        let (first, _) = get(&mut instance, &mail, imap());
        calls.lock().unwrap().revision = Some(2); // a change within the pick is not seen
        assert_eq!(get(&mut instance, &mail, imap()).0, first, "same filter, same listing");
        assert_eq!(get(&mut instance, &mail, pop3.clone()).1.len(), 0, "listed with the filter asked for");
        instance.begin_pick();
        assert_ne!(get(&mut instance, &mail, imap()).0, first, "the next pick sees the new revision");
        assert_eq!(calls.lock().unwrap().count("list-running-deckies"), 3);
        instance.begin_pick();
        get(&mut instance, &mail, imap());
        assert_eq!(calls.lock().unwrap().count("list-running-deckies"), 3, "unchanged revision, no listing");
    }
}
