//! What the host served during one pick: the record an answer is checked
//! against (by the layer above), with persona lists as the host's own
//! parse.

use std::sync::{Arc, Mutex};

use emailgen_domain::persona::{Persona, GLOBAL_LANGUAGE_DEFAULT};
use emailgen_domain::persona_cache::PersonaCache;
use emailgen_domain::{Decky, ThreadRow, Topology};

/// What the host served during one pick. Persona lists are kept as the
/// host's own parse of the text served (shared from the cache, not copied).
#[derive(Default)]
pub struct Served {
    /// The decky lists served (shared with the fetch that produced them);
    /// only the mail deckies among them are valid targets.
    listed: Vec<Arc<[Decky]>>,
    /// Deckies given by position (`running-decky-at`): a listing and the
    /// position given.
    given: Vec<(Arc<[Decky]>, usize)>,
    /// (topology id, its personas).
    pub topologies: Vec<(String, Arc<[Persona]>)>,
    /// The global pool's personas, when served.
    pub global_personas: Option<Arc<[Persona]>>,
    /// The thread lookups answered, with what they were asked.
    pub thread_lookups: Vec<ThreadLookup>,
    /// Whether a store call failed (an import answered `err`).
    pub store_failed: bool,
    /// Persona lists this instance was served before, by fingerprint (kept
    /// across picks): an unchanged list is found without comparing its text.
    known: Vec<Known>,
}

/// A persona list served before, with the row or text it came from.
struct Known {
    source: Source,
    fingerprint: u64,
    personas: Arc<[Persona]>,
    raw: Raw,
}

/// What a remembered persona list was parsed from.
#[derive(Clone)]
enum Raw {
    Topology(Arc<Topology>),
    Pool(Arc<str>),
}

/// One `list-email-threads` call: its mail decky and pair, and the rows
/// the host returned.
pub struct ThreadLookup {
    /// The mail decky asked about.
    pub mail_decky_uuid: String,
    /// The sender asked about.
    pub sender_email: String,
    /// The recipient asked about.
    pub recipient_email: String,
    /// The rows returned, newest first.
    pub rows: Vec<ThreadRow>,
}

impl ThreadLookup {
    /// Whether this lookup was for `decky` and the pair `a`, `b` (either
    /// order, as the lookup itself matches).
    pub fn is_for(&self, decky: &str, a: &str, b: &str) -> bool {
        let (s, r) = (self.sender_email.as_str(), self.recipient_email.as_str());
        self.mail_decky_uuid == decky && ((s, r) == (a, b) || (s, r) == (b, a))
    }
}

/// Which kind of persona source a fingerprint was taken of.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Topology,
    GlobalPool,
}

/// How many fingerprinted lists an instance remembers.
const MAX_KNOWN: usize = 256;

impl Served {
    /// Forgets what was served in the last pick (not the fingerprinted
    /// lists an instance remembers).
    pub fn clear(&mut self) {
        self.listed.clear();
        self.given.clear();
        self.topologies.clear();
        self.global_personas = None;
        self.thread_lookups.clear();
        self.store_failed = false;
    }
    /// Records a list of running deckies served.
    pub fn deckies(&mut self, rows: Arc<[Decky]>) {
        self.listed.push(rows);
    }

    /// Records one decky of a listing given by position.
    pub fn decky_at(&mut self, rows: Arc<[Decky]>, index: usize) {
        self.given.push((rows, index));
    }

    /// The served mail decky with this uuid.
    pub fn mail_decky(&self, uuid: &str) -> Option<&Decky> {
        let listed = self.listed.iter().flat_map(|rows| rows.iter());
        let given = self.given.iter().filter_map(|(rows, index)| rows.get(*index));
        listed.chain(given).find(|d| d.uuid == uuid && d.is_mail_decky())
    }

    /// Records a topology served, with the personas the policy will see.
    pub fn topology(&mut self, topology: &Topology, cache: &SharedPersonaCache) {
        self.topologies.push((topology.id.clone(), topology_personas(topology, cache)));
    }

    /// Records the global pool served.
    pub fn global_pool(&mut self, text: &str, cache: &SharedPersonaCache) {
        self.global_personas = Some(global_pool_personas(text, cache));
    }

    /// The personas of the topology with this id served last in this pick.
    pub fn topology_personas(&self, id: &str) -> Option<Arc<[Persona]>> {
        self.topologies.iter().rev().find(|(served, _)| served == id).map(|(_, personas)| Arc::clone(personas))
    }

    /// Records a topology served through its fingerprint.
    pub fn fingerprinted_topology(&mut self, topology: &Topology, fingerprint: u64, cache: &SharedPersonaCache) {
        let raw = || Raw::Topology(Arc::new(topology.clone()));
        let personas = self.known(Source::Topology, fingerprint, || topology_personas(topology, cache), raw);
        self.topologies.push((topology.id.clone(), personas));
    }

    /// Records the global pool served through its fingerprint.
    pub fn fingerprinted_global_pool(&mut self, text: &str, fingerprint: u64, cache: &SharedPersonaCache) {
        let raw = || Raw::Pool(Arc::from(text));
        let personas = self.known(Source::GlobalPool, fingerprint, || global_pool_personas(text, cache), raw);
        self.global_personas = Some(personas);
    }

    /// Records the topology remembered under `fingerprint` as served, and
    /// gives its row; `None` when this instance does not know it (the row
    /// must be fetched).
    pub fn known_topology(&mut self, id: &str, fingerprint: u64) -> Option<Arc<Topology>> {
        let known = self.remembered(Source::Topology, fingerprint)?;
        let Raw::Topology(row) = known.raw.clone() else { return None };
        self.topologies.push((id.to_owned(), Arc::clone(&known.personas)));
        Some(row)
    }

    /// Records the global pool remembered under `fingerprint` as served,
    /// and gives its text; `None` when this instance does not know it.
    pub fn known_global_pool(&mut self, fingerprint: u64) -> Option<Arc<str>> {
        let known = self.remembered(Source::GlobalPool, fingerprint)?;
        let Raw::Pool(text) = known.raw.clone() else { return None };
        self.global_personas = Some(Arc::clone(&known.personas));
        Some(text)
    }

    fn remembered(&self, source: Source, fingerprint: u64) -> Option<&Known> {
        self.known.iter().find(|k| k.source == source && k.fingerprint == fingerprint)
    }

    /// The list remembered under this fingerprint, or `parse()` remembered
    /// with what `raw()` gives.
    fn known(
        &mut self,
        source: Source,
        fingerprint: u64,
        parse: impl FnOnce() -> Arc<[Persona]>,
        raw: impl FnOnce() -> Raw,
    ) -> Arc<[Persona]> {
        if let Some(known) = self.remembered(source, fingerprint) {
            return Arc::clone(&known.personas);
        }
        let personas = parse();
        if self.known.len() >= MAX_KNOWN {
            self.known.clear();
        }
        self.known.push(Known { source, fingerprint, personas: Arc::clone(&personas), raw: raw() });
        personas
    }
}

fn topology_personas(topology: &Topology, cache: &SharedPersonaCache) -> Arc<[Persona]> {
    parsed(cache, &topology.email_personas, topology.language(), || format!("topology {}", topology.id))
}

fn global_pool_personas(text: &str, cache: &SharedPersonaCache) -> Arc<[Persona]> {
    parsed(cache, text, GLOBAL_LANGUAGE_DEFAULT, || "the global pool".to_owned())
}

/// The host's parse of a list, from the engine's cache. It is what policies
/// that take parsed personas see, so the host says why it dropped entries:
/// once per list and engine, since the cache gives warnings only when it
/// parses.
fn parsed(cache: &SharedPersonaCache, text: &str, language: &str, source: impl FnOnce() -> String) -> Arc<[Persona]> {
    let (personas, warnings) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(text, language);
    if !warnings.is_empty() {
        let source = source();
        for warning in warnings {
            tracing::warn!(target: "host", "personas of {source}: {warning}");
        }
    }
    personas
}

/// Parsed persona lists for validation, shared by every instance of an
/// engine so fresh instances do not parse again.
pub type SharedPersonaCache = Arc<Mutex<PersonaCache>>;
