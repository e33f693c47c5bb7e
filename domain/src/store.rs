//! The orchestrator's data as a policy reads it (the WIT `store`
//! interface), as plain Rust: deckies, topologies, thread rows, and the
//! [`MailStore`] an embedder implements over its database.

use serde::{Deserialize, Serialize};

use crate::persona::GLOBAL_LANGUAGE_DEFAULT;

/// Services that make a decky a mail decky (SPEC §5, step 1).
pub const MAIL_SERVICES: [&str; 2] = ["imap", "pop3"];

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

    /// Whether it is a mail decky: it offers `imap` or `pop3` (exact,
    /// case-sensitive).
    pub fn is_mail_decky(&self) -> bool {
        self.services.iter().any(|s| MAIL_SERVICES.contains(&s.as_str()))
    }
}

/// A topology row with its persona list as stored (JSON text).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Topology {
    pub id: String,
    pub email_personas: String,
    pub language_default: Option<String>,
}

impl Topology {
    /// The language its personas that set none speak: its
    /// `language_default`, or `en` when that is absent or empty.
    pub fn language(&self) -> &str {
        self.language_default.as_deref().filter(|l| !l.is_empty()).unwrap_or(GLOBAL_LANGUAGE_DEFAULT)
    }
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

/// How much a policy's log line matters (the WIT `log` interface).
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
