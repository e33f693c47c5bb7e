//! Running a policy natively against scenario files (SPEC §7): a policy's
//! unit tests need no Wasm and no host.
//!
//! ```no_run
//! use emailgen_policy::testing::ScenarioRun;
//! use emailgen_policy::{Outcome, SkipReason};
//! # #[derive(Default)] struct MyPolicy;
//! # impl emailgen_policy::Policy for MyPolicy {
//! #     fn pick<H: emailgen_policy::PickerHost>(&mut self, _: &mut emailgen_policy::Tick<'_, H>)
//! #         -> Result<Outcome<H::Persona>, emailgen_policy::PickError> {
//! #         Ok(Outcome::Skip { reason: SkipReason::NoMailDecky })
//! #     }
//! # }
//!
//! let mut run = ScenarioRun::<MyPolicy>::load("scenarios/office.json").unwrap();
//! let outcome = run.pick_seeded(7);
//! assert!(matches!(outcome, Outcome::Action { .. }));
//! ```
//!
//! The outcomes are the ones the Wasm build gives on the same scenario and
//! seed, with one difference a test may see: natively an action carries the
//! decky's name and services and the whole personas, where the Wasm host
//! fills them in from its own copies.

use std::path::Path;

use chrono::NaiveDateTime;
use emailgen_domain::{
    Decky, LogLevel, MailStore, Outcome, Persona, PickOptions, StoreError, Subject, ThreadRow, Topology,
};
use emailgen_scenario::{Scenario, ScenarioStore};

use crate::host::PickerHost;
use crate::{Instance, Policy};

/// A policy instance and a scenario's data: picks as a host would run them.
pub struct ScenarioRun<T> {
    /// The policy and its cache; kept between picks like a warm instance.
    pub instance: Instance<T, Persona>,
    /// The scenario's data, its clock and what the policy logged.
    pub host: ScenarioHost,
    /// The scenario's settings (`now`, `seed`, `reply_probability`).
    pub options: PickOptions,
}

impl<T: Policy> ScenarioRun<T> {
    /// Reads a scenario file; the error names the file and what is wrong.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, String> {
        let scenario = Scenario::load(path.as_ref()).map_err(|e| format!("{}: {}", e.path, e.message))?;
        Ok(Self::from_scenario(scenario))
    }

    /// Parses scenario JSON given as text.
    pub fn parse(text: &str) -> Result<Self, String> {
        Scenario::parse(text).map(Self::from_scenario)
    }

    fn from_scenario(scenario: Scenario) -> Self {
        let host = ScenarioHost { store: scenario.store, now: utc_now(), logs: Vec::new() };
        ScenarioRun { instance: Instance::default(), host, options: scenario.options }
    }

    /// One pick with the scenario's own settings.
    pub fn pick(&mut self) -> Outcome<Persona> {
        let options = self.options.clone();
        self.pick_with(&options)
    }

    /// One pick with the scenario's settings and this seed.
    pub fn pick_seeded(&mut self, seed: u64) -> Outcome<Persona> {
        let options = PickOptions { seed: Some(seed), ..self.options.clone() };
        self.pick_with(&options)
    }

    /// One pick with these options (the scenario's are not used).
    pub fn pick_with(&mut self, options: &PickOptions) -> Outcome<Persona> {
        self.instance.pick(&mut self.host, options)
    }

    /// One pick on a new instance (nothing cached, the policy's fields at
    /// their defaults), as a host that starts an instance per tick runs it.
    pub fn pick_fresh(&mut self, seed: u64) -> Outcome<Persona> {
        self.instance = Instance::default();
        self.pick_seeded(seed)
    }
}

/// A scenario's data as a policy's host: the store, a clock, a log.
pub struct ScenarioHost {
    /// The scenario's deckies, topologies, threads and global pool.
    pub store: ScenarioStore,
    /// What the host's clock says when a pick is given no `now` (the time
    /// the scenario was loaded, UTC, unless a test sets it).
    pub now: NaiveDateTime,
    /// Every line the policy logged, in order.
    pub logs: Vec<(LogLevel, String)>,
}

impl MailStore for ScenarioHost {
    fn list_running_deckies(&mut self, services: &[&str]) -> Result<Vec<Decky>, StoreError> {
        self.store.list_running_deckies(services)
    }

    fn get_topology(&mut self, id: &str) -> Result<Option<Topology>, StoreError> {
        self.store.get_topology(id)
    }

    fn list_email_threads(
        &mut self,
        mail_decky_uuid: &str,
        sender_email: &str,
        recipient_email: &str,
        limit: u32,
    ) -> Result<Vec<ThreadRow>, StoreError> {
        self.store.list_email_threads(mail_decky_uuid, sender_email, recipient_email, limit)
    }

    fn global_personas(&mut self) -> Result<String, StoreError> {
        self.store.global_personas()
    }

    fn revision(&mut self, subject: Subject<'_>) -> Option<u64> {
        self.store.revision(subject)
    }
}

impl PickerHost for ScenarioHost {
    type Persona = Persona;

    fn local_now(&mut self) -> NaiveDateTime {
        self.now
    }

    fn log(&mut self, level: LogLevel, message: &str) {
        self.logs.push((level, message.to_owned()));
    }
}

fn utc_now() -> NaiveDateTime {
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    chrono::DateTime::from_timestamp(since_epoch.as_secs() as i64, 0).unwrap_or_default().naive_utc()
}
