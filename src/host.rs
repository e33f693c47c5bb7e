//! The host data a picker reads, as plain Rust: the trait the picking logic
//! is written against. The Wasm adapter implements it over the component's
//! imports; native tests and the host's in-process baseline implement it over
//! in-memory data.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::persona::{Persona, PersonaView};

/// A running decky (SPEC §2).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Decky {
    pub uuid: String,
    pub name: String,
    pub services: Vec<String>,
    pub topology_id: Option<String>,
    pub source: Option<String>,
}

impl Decky {
    /// Whether the decky offers at least one of `services` (every decky
    /// matches an empty filter): the filter of `list_running_deckies`.
    pub fn offers_any(&self, services: &[&str]) -> bool {
        services.is_empty() || self.services.iter().any(|s| services.contains(&s.as_str()))
    }

    /// The decky's source as skips and logs name it: absent or empty is
    /// `unknown`.
    pub fn source_label(&self) -> String {
        self.source.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| "unknown".to_owned())
    }
}

/// A topology row with its persona list as stored (JSON text).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Topology {
    pub id: String,
    pub email_personas: String,
    pub language_default: Option<String>,
}

/// One message between a pair on a mail decky (newest first when listed).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ThreadRow {
    pub thread_id: String,
    pub message_id: String,
    pub subject: String,
    /// The message's own ancestry, oldest first.
    pub references: Vec<String>,
}

/// The store could not answer. The message says why; the pick names the
/// import that failed.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreError(pub String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Debug,
    Info,
    Warn,
    Error,
}

/// What a store revision is kept for: one kind of answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject<'a> {
    /// The running deckies (whatever the services filter).
    RunningDeckies,
    /// One topology row, by id.
    Topology(&'a str),
    /// The global persona pool.
    GlobalPersonas,
}

/// The orchestrator's data (the WIT `store` interface). This is what an
/// embedder implements over its database; the scenario file and SQLite stores
/// of the harness implement it too.
pub trait MailStore {
    /// The running deckies offering at least one of `services`; all of them
    /// when `services` is empty.
    fn list_running_deckies(&mut self, services: &[&str]) -> Result<Vec<Decky>, StoreError>;
    fn get_topology(&mut self, id: &str) -> Result<Option<Topology>, StoreError>;
    fn list_email_threads(
        &mut self,
        mail_decky_uuid: &str,
        sender_email: &str,
        recipient_email: &str,
        limit: u32,
    ) -> Result<Vec<ThreadRow>, StoreError>;
    /// The global persona pool as JSON text; empty text is an empty pool.
    fn global_personas(&mut self) -> Result<String, StoreError>;
    /// A revision of `subject`, for stores that keep one: a number that
    /// changes whenever an answer about `subject` would, and is never reused
    /// for other data by this store (a row version, a counter bumped on every
    /// write, a generation). With it the host fingerprints an answer without
    /// fetching and hashing it, on every pick. `None` (the default): not
    /// kept; the host fetches and hashes.
    fn revision(&mut self, _subject: Subject<'_>) -> Option<u64> {
        None
    }
}

/// Everything a picker policy may ask of its host: the store plus the WIT
/// `clock` and `log` imports.
pub trait PickerHost: MailStore {
    /// The persona type picks against this host work on: [`Persona`] for a
    /// host whose policy parses the JSON lists itself,
    /// [`PersonaSummary`](crate::persona::PersonaSummary) for one that
    /// hands over its own parse. Lists parsed from JSON are converted.
    type Persona: PersonaView + for<'a> From<&'a Persona>;

    /// Fingerprints of the store's answers, for hosts that offer them: equal
    /// fingerprints promise equal answers, so a policy can keep what it
    /// fetched before. `None` (the default): not offered; fetch every time.
    fn running_deckies_fingerprint(&mut self, _services: &[&str]) -> Result<Option<u64>, StoreError> {
        Ok(None)
    }
    fn topology_fingerprint(&mut self, _id: &str) -> Result<Option<u64>, StoreError> {
        Ok(None)
    }
    fn global_personas_fingerprint(&mut self) -> Result<Option<u64>, StoreError> {
        Ok(None)
    }
    /// How many running deckies offer at least one of `services` (WIT
    /// `running-decky-count`), for hosts that offer random access to that
    /// listing. `None` (the default): not offered; the policy lists them.
    fn running_decky_count(&mut self, _services: &[&str]) -> Option<Result<u32, StoreError>> {
        None
    }
    /// The decky at `index` of that listing (WIT `running-decky-at`), from
    /// the same listing as the count in this pick. Only asked of hosts that
    /// answered [`running_decky_count`](Self::running_decky_count).
    fn running_decky_at(&mut self, _services: &[&str], _index: u32) -> Result<Option<Decky>, StoreError> {
        Ok(None)
    }
    /// The valid personas of topology `id` as the host parsed them
    /// (WIT `topology-personas`; the inner `None`: no such topology), for
    /// hosts that offer it. `None` (the default): not offered; the policy
    /// fetches the topology and parses its list itself.
    fn topology_personas(&mut self, _id: &str) -> Option<Result<Option<Vec<Self::Persona>>, StoreError>> {
        None
    }
    /// The valid personas of the global pool as the host parsed them (WIT
    /// `global-pool-personas`), for hosts that offer it; as above.
    fn global_pool_personas(&mut self) -> Option<Result<Vec<Self::Persona>, StoreError>> {
        None
    }
    /// Whether the host answers with its own copy of the chosen decky's
    /// name and services, so an action need only name the decky by uuid
    /// (the Wasm host does: a WIT `email-action` carries the uuid alone).
    /// A pick then leaves the action's name and services empty instead of
    /// copying them for nothing. `false` (the default): the action is whole.
    fn fills_in_decky(&self) -> bool {
        false
    }
    /// The host's local wall-clock time, used when a pick is given no "now".
    fn local_now(&mut self) -> NaiveDateTime;
    fn log(&mut self, level: LogLevel, message: &str);
}
