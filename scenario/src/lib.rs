//! Scenario files (SPEC §7): a JSON snapshot of the orchestrator's data plus
//! optional pick settings, and the [`MailStore`] that serves it.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use emailgen_domain::persona::list_text;
use emailgen_domain::{Decky, MailStore, PickOptions, StoreError, Subject, ThreadRow, Topology};
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use emailgen_domain::persona_pool::PersonaPoolFile;

/// A scenario that cannot be used, with where and why.
#[derive(Debug, thiserror::Error)]
#[error("scenario {path}: {message}")]
pub struct ScenarioError {
    pub path: String,
    pub message: String,
}

/// A loaded scenario: pick settings and the data to pick against.
#[derive(Debug)]
pub struct Scenario {
    pub options: PickOptions,
    pub store: ScenarioStore,
}

/// The orchestrator's data as a scenario file gives it. Read-only once
/// loaded, so one number (the store's generation, never shared with another
/// store in this process) is the revision of all its data.
#[derive(Debug)]
pub struct ScenarioStore {
    deckies: Vec<Decky>,
    topologies: HashMap<String, Topology>,
    threads: Vec<ScenarioThread>,
    global_personas: GlobalPersonas,
    generation: u64,
}

/// The generation of the next store loaded.
static NEXT_GENERATION: AtomicU64 = AtomicU64::new(1);

/// Where the global persona pool comes from.
#[derive(Debug)]
pub enum GlobalPersonas {
    /// The scenario gives the pool (null gives an empty one).
    Given(String),
    /// The scenario says nothing: the host's pool file (SPEC §2).
    File(PersonaPoolFile),
}

/// A thread row with the filters that decide which lookups it answers.
#[derive(Debug, Clone)]
pub struct ScenarioThread {
    pub row: ThreadRow,
    pub mail_decky_uuid: Option<String>,
    pub sender_email: Option<String>,
    pub recipient_email: Option<String>,
}

impl ScenarioThread {
    /// A row matches when each filter it has equals the lookup's, the pair in
    /// either order; a row without filters matches every lookup.
    pub fn matches(&self, mail_decky_uuid: &str, sender: &str, recipient: &str) -> bool {
        let same = |filter: &Option<String>, value: &str| filter.as_deref().is_none_or(|f| f == value);
        let pair = |a: &str, b: &str| same(&self.sender_email, a) && same(&self.recipient_email, b);
        same(&self.mail_decky_uuid, mail_decky_uuid) && (pair(sender, recipient) || pair(recipient, sender))
    }
}

impl Scenario {
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let error = |message: String| ScenarioError { path: path.display().to_string(), message };
        let text = std::fs::read_to_string(path).map_err(|e| error(format!("cannot read: {e}")))?;
        Scenario::parse(&text).map_err(error)
    }

    /// Parses scenario JSON; the error says where the problem is.
    ///
    /// Read from the text rather than through `serde_json::Value`, which
    /// cannot hold a string with a lone surrogate escape: a persona list
    /// is kept as raw JSON, so such a string costs only its own entry.
    pub fn parse(text: &str) -> Result<Scenario, String> {
        serde_json::from_str::<IgnoredAny>(text).map_err(|e| format!("not valid JSON: {e}"))?;
        if !text.trim_start().starts_with('{') {
            return Err("expected a JSON object at the top level".into());
        }
        let mut reader = serde_json::Deserializer::from_str(text);
        let file: ScenarioFile = serde_path_to_error::deserialize(&mut reader).map_err(|e| {
            let at = e.path().to_string();
            let inner = e.into_inner();
            if at == "." {
                inner.to_string()
            } else {
                format!("{at}: {inner}")
            }
        })?;
        file.into_scenario()
    }
}

impl ScenarioStore {
    /// Loads only the data of a scenario file (its settings are ignored).
    pub fn load(path: &Path) -> Result<ScenarioStore, ScenarioError> {
        Scenario::load(path).map(|s| s.store)
    }

    fn new(
        deckies: Vec<Decky>,
        topologies: HashMap<String, Topology>,
        threads: Vec<ScenarioThread>,
        global_personas: GlobalPersonas,
    ) -> Self {
        let generation = NEXT_GENERATION.fetch_add(1, Ordering::Relaxed);
        ScenarioStore { deckies, topologies, threads, global_personas, generation }
    }

    /// Every decky, running or not as the file lists them.
    pub fn deckies(&self) -> &[Decky] {
        &self.deckies
    }

    pub fn topologies(&self) -> &HashMap<String, Topology> {
        &self.topologies
    }

    pub fn threads(&self) -> &[ScenarioThread] {
        &self.threads
    }

    /// Where the global persona pool comes from.
    pub fn pool(&self) -> &GlobalPersonas {
        &self.global_personas
    }
}

impl MailStore for ScenarioStore {
    fn list_running_deckies(&mut self, services: &[&str]) -> Result<Vec<Decky>, StoreError> {
        Ok(self.deckies.iter().filter(|d| d.offers_any(services)).cloned().collect())
    }

    fn get_topology(&mut self, id: &str) -> Result<Option<Topology>, StoreError> {
        Ok(self.topologies.get(id).cloned())
    }

    fn list_email_threads(
        &mut self,
        mail_decky_uuid: &str,
        sender_email: &str,
        recipient_email: &str,
        limit: u32,
    ) -> Result<Vec<ThreadRow>, StoreError> {
        Ok(self
            .threads
            .iter()
            .filter(|t| t.matches(mail_decky_uuid, sender_email, recipient_email))
            .take(limit as usize)
            .map(|t| t.row.clone())
            .collect())
    }

    fn global_personas(&mut self) -> Result<String, StoreError> {
        Ok(match &mut self.global_personas {
            GlobalPersonas::Given(text) => text.clone(),
            GlobalPersonas::File(file) => file.text(),
        })
    }

    /// The generation, for all the file's data; none for a pool file, which
    /// can change under the store.
    fn revision(&mut self, subject: Subject<'_>) -> Option<u64> {
        match (subject, &self.global_personas) {
            (Subject::GlobalPersonas, GlobalPersonas::File(_)) => None,
            _ => Some(self.generation),
        }
    }
}

/// Parses a local date-time the way SPEC §7 reads `now`: ISO 8601 with or
/// without a UTC offset (the wall clock it names is kept, the offset
/// dropped), with `T` or a space, seconds and fractions optional; a bare
/// date is midnight.
pub fn parse_local_datetime(text: &str) -> Result<NaiveDateTime, String> {
    let text = text.trim();
    if let Ok(with_offset) = DateTime::parse_from_rfc3339(text) {
        return Ok(with_offset.naive_local());
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%:z", "%Y-%m-%d %H:%M:%S%.f%:z", "%Y-%m-%dT%H:%M%:z"] {
        if let Ok(with_offset) = DateTime::parse_from_str(text, format) {
            return Ok(with_offset.naive_local());
        }
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(naive);
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(date.and_hms_opt(0, 0, 0).expect("midnight exists"));
    }
    Err(format!("{text:?} is not an ISO 8601 date-time (e.g. 2026-04-26T12:00:00)"))
}

/// Checks a reply probability from a scenario or a flag.
pub fn check_reply_probability(p: f64) -> Result<f64, String> {
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(format!("reply_probability must be between 0 and 1, got {p}"))
    }
}

// ---- the file format -------------------------------------------------------

#[derive(Deserialize)]
struct ScenarioFile {
    #[serde(default)]
    now: Option<String>,
    #[serde(default)]
    seed: Option<u64>,
    #[serde(default)]
    reply_probability: Option<f64>,
    #[serde(default)]
    deckies: Option<Vec<DeckyRow>>,
    #[serde(default)]
    topologies: Option<HashMap<String, TopologyRow>>,
    #[serde(default)]
    threads: Option<Vec<ThreadFileRow>>,
    /// Absent → the pool file; null → an empty pool; text or list → that.
    #[serde(default, deserialize_with = "present")]
    global_personas: Option<Box<RawValue>>,
}

#[derive(Deserialize)]
struct DeckyRow {
    uuid: String,
    #[serde(default)]
    name: Option<String>,
    /// Absent, null or not a list → the decky offers nothing.
    #[serde(default)]
    services: Value,
    #[serde(default)]
    topology_id: Option<String>,
    #[serde(default)]
    source: Option<String>,
}

#[derive(Deserialize)]
struct TopologyRow {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    email_personas: Option<Box<RawValue>>,
    #[serde(default)]
    language_default: Option<String>,
}

#[derive(Deserialize)]
struct ThreadFileRow {
    thread_id: String,
    message_id: String,
    subject: String,
    #[serde(default)]
    references: Option<Vec<String>>,
    #[serde(default)]
    mail_decky_uuid: Option<String>,
    #[serde(default)]
    sender_email: Option<String>,
    #[serde(default)]
    recipient_email: Option<String>,
}

/// Distinguishes a key that is present with null (`Some(null)`) from an
/// absent one (`None`, via `default`).
fn present<'de, D: serde::Deserializer<'de>>(de: D) -> Result<Option<Box<RawValue>>, D::Error> {
    Box::<RawValue>::deserialize(de).map(Some)
}

impl ScenarioFile {
    fn into_scenario(self) -> Result<Scenario, String> {
        let now = self.now.as_deref().map(parse_local_datetime).transpose().map_err(|e| format!("now: {e}"))?;
        let reply_probability = self.reply_probability.map(check_reply_probability).transpose()?;
        let topologies = self
            .topologies
            .unwrap_or_default()
            .into_iter()
            .map(|(key, row)| {
                let topology = Topology {
                    id: row.id.unwrap_or_else(|| key.clone()),
                    email_personas: row.email_personas.as_deref().map(list_text).unwrap_or_default(),
                    language_default: row.language_default,
                };
                (key, topology)
            })
            .collect();
        let global_personas = match self.global_personas {
            None => GlobalPersonas::File(PersonaPoolFile::from_environment()),
            Some(value) => GlobalPersonas::Given(list_text(&value)),
        };
        let store = ScenarioStore::new(
            self.deckies.unwrap_or_default().into_iter().map(DeckyRow::into_decky).collect(),
            topologies,
            self.threads.unwrap_or_default().into_iter().map(ThreadFileRow::into_thread).collect(),
            global_personas,
        );
        Ok(Scenario { options: PickOptions { seed: self.seed, now, reply_probability }, store })
    }
}

impl DeckyRow {
    fn into_decky(self) -> Decky {
        let services = match self.services {
            Value::Array(items) => items.into_iter().filter_map(|s| s.as_str().map(str::to_owned)).collect(),
            _ => Vec::new(),
        };
        Decky {
            uuid: self.uuid,
            name: self.name.unwrap_or_default(),
            services,
            topology_id: self.topology_id,
            source: self.source,
        }
    }
}

impl ThreadFileRow {
    fn into_thread(self) -> ScenarioThread {
        ScenarioThread {
            row: ThreadRow {
                thread_id: self.thread_id,
                message_id: self.message_id,
                subject: self.subject,
                references: self.references.unwrap_or_default(),
            },
            mail_decky_uuid: self.mail_decky_uuid,
            sender_email: self.sender_email,
            recipient_email: self.recipient_email,
        }
    }
}

#[cfg(test)]
mod tests;
