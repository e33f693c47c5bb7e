//! An in-memory host: the orchestrator's data held in plain collections.
//! Used by tests (native and through Wasm) and handy for embedders' own
//! tests. It can be told to fail one import, and records every call.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use emailgen_domain::{Decky, LogLevel, MailStore, StoreError, Subject, ThreadRow, Topology};

use crate::host::PickerHost;

/// A host over plain collections, for tests built in code (scenario files
/// go through [`testing`](crate::testing) instead).
#[derive(Debug, Clone, Default)]
pub struct MemoryHost {
    /// Every decky, running or not; listings filter by service.
    pub deckies: Vec<Decky>,
    /// Topologies by id.
    pub topologies: BTreeMap<String, Topology>,
    /// Returned for every thread lookup, newest first, up to the limit.
    pub threads: Vec<ThreadRow>,
    /// The global persona pool's JSON text.
    pub global_personas: String,
    /// The import (WIT name, e.g. `get-topology`) that fails, if any.
    pub failing: Option<&'static str>,
    /// What `local_now` answers.
    pub now: NaiveDateTime,
    /// Every import answered, by WIT name, in order.
    pub calls: Vec<&'static str>,
    /// Every line logged, in order.
    pub logs: Vec<(LogLevel, String)>,
    /// Offer fingerprints (a hash of each answer), as the Wasm host does.
    pub fingerprints: bool,
    /// The revision reported for every subject (`None`: keeps none). A test
    /// that changes the data under a policy bumps it.
    pub revision: Option<u64>,
    /// Offer random access to the decky listing (`running-decky-count`,
    /// `running-decky-at`), as the Wasm host does.
    pub random_access: bool,
}

fn hash_of(value: &impl std::fmt::Debug) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    format!("{value:?}").hash(&mut hasher);
    hasher.finish()
}

impl MemoryHost {
    fn answer(&mut self, import: &'static str) -> Result<(), StoreError> {
        self.calls.push(import);
        if self.failing == Some(import) {
            return Err(StoreError("connection refused".into()));
        }
        Ok(())
    }

    /// A small office: one mail decky (`mx-1`, `imap`/`smtp`) on topology
    /// `acme` with two people, Ana and Bo (`ana@acme.example`,
    /// `bo@acme.example`, default hours), one thread between them (`Q3
    /// budget`), and the clock at 10:00 on Monday 2026-04-27. For examples
    /// and tests.
    pub fn office() -> Self {
        let mut host = MemoryHost {
            deckies: vec![Decky {
                uuid: "mx-1".into(),
                name: "mail-1".into(),
                services: vec!["imap".into(), "smtp".into()],
                topology_id: Some("acme".into()),
                source: Some("topology".into()),
            }],
            threads: vec![ThreadRow {
                thread_id: "3f2b8a9e-1c4d-4e5f-8a6b-7c8d9e0f1a2b".into(),
                message_id: "<q3@acme.example>".into(),
                subject: "Q3 budget".into(),
                references: Vec::new(),
            }],
            now: chrono::NaiveDate::from_ymd_opt(2026, 4, 27).and_then(|d| d.and_hms_opt(10, 0, 0)).unwrap_or_default(),
            ..Default::default()
        };
        let personas = r#"[{"name": "Ana Ruiz", "email": "ana@acme.example", "role": "CFO"},
                           {"name": "Bo Chen", "email": "bo@acme.example", "role": "IT lead"}]"#;
        host.add_topology("acme", personas, Some("en"));
        host
    }

    /// Adds (or replaces) topology `id` with a persona list's JSON text.
    pub fn add_topology(&mut self, id: &str, email_personas: impl Into<String>, language_default: Option<&str>) {
        let topology = Topology {
            id: id.into(),
            email_personas: email_personas.into(),
            language_default: language_default.map(Into::into),
        };
        self.topologies.insert(id.into(), topology);
    }

    /// The deckies `list-running-deckies(services)` answers, in order.
    fn listed<'a>(&'a self, services: &'a [&str]) -> impl Iterator<Item = &'a Decky> + 'a {
        self.deckies.iter().filter(move |d| d.offers_any(services))
    }

    /// How many times `import` was called.
    pub fn count(&self, import: &str) -> usize {
        self.calls.iter().filter(|c| **c == import).count()
    }
}

impl MailStore for MemoryHost {
    fn list_running_deckies(&mut self, services: &[&str]) -> Result<Vec<Decky>, StoreError> {
        self.answer("list-running-deckies")?;
        Ok(self.listed(services).cloned().collect())
    }

    fn get_topology(&mut self, id: &str) -> Result<Option<Topology>, StoreError> {
        self.answer("get-topology")?;
        Ok(self.topologies.get(id).cloned())
    }

    fn list_email_threads(&mut self, _: &str, _: &str, _: &str, limit: u32) -> Result<Vec<ThreadRow>, StoreError> {
        self.answer("list-email-threads")?;
        Ok(self.threads.iter().take(limit as usize).cloned().collect())
    }

    fn global_personas(&mut self) -> Result<String, StoreError> {
        self.answer("global-personas")?;
        Ok(self.global_personas.clone())
    }

    fn revision(&mut self, _: Subject<'_>) -> Option<u64> {
        self.revision
    }
}

impl PickerHost for MemoryHost {
    type Persona = emailgen_domain::Persona;

    fn running_deckies_fingerprint(&mut self, services: &[&str]) -> Result<Option<u64>, StoreError> {
        if !self.fingerprints {
            return Ok(None);
        }
        self.answer("running-deckies-fingerprint")?;
        let listed: Vec<&Decky> = self.listed(services).collect();
        Ok(Some(hash_of(&listed)))
    }

    fn topology_fingerprint(&mut self, id: &str) -> Result<Option<u64>, StoreError> {
        if !self.fingerprints {
            return Ok(None);
        }
        self.answer("topology-fingerprint")?;
        Ok(Some(hash_of(&self.topologies.get(id))))
    }

    fn global_personas_fingerprint(&mut self) -> Result<Option<u64>, StoreError> {
        if !self.fingerprints {
            return Ok(None);
        }
        self.answer("global-personas-fingerprint")?;
        Ok(Some(hash_of(&self.global_personas)))
    }

    fn running_decky_count(&mut self, services: &[&str]) -> Option<Result<u32, StoreError>> {
        if !self.random_access {
            return None;
        }
        let count = self.answer("running-decky-count").map(|()| self.listed(services).count() as u32);
        Some(count)
    }

    fn running_decky_at(&mut self, services: &[&str], index: u32) -> Result<Option<Decky>, StoreError> {
        self.answer("running-decky-at")?;
        Ok(self.listed(services).nth(index as usize).cloned())
    }

    fn local_now(&mut self) -> NaiveDateTime {
        self.now
    }

    fn log(&mut self, level: LogLevel, message: &str) {
        self.logs.push((level, message.to_owned()));
    }
}
