//! What a picker policy may ask of its host, as plain Rust: the trait the
//! picking logic is written against. The Wasm adapter (`component`)
//! implements it over the component's imports; native tests and the host's
//! in-process baseline implement it over in-memory data (`memory`).

use chrono::NaiveDateTime;
use emailgen_domain::persona::{Persona, PersonaView};
use emailgen_domain::{Decky, LogLevel, MailStore, StoreError};

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
    /// The fingerprint of topology `id` (its persona list), as above.
    fn topology_fingerprint(&mut self, _id: &str) -> Result<Option<u64>, StoreError> {
        Ok(None)
    }
    /// The fingerprint of the global persona pool, as above.
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
    /// Whether the host always answers [`topology_personas`](Self::topology_personas)
    /// and [`global_pool_personas`](Self::global_pool_personas) (the Wasm
    /// host does: the imports exist since WIT 0.2.1). A policy built for
    /// such a host leaves its own JSON persona parser out of the component,
    /// which is then half the size. `false` (the default): the policy
    /// parses when the host does not.
    const PARSES_PERSONAS: bool = false;

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
    /// Logs a line through the host (which escapes and bounds it).
    fn log(&mut self, level: LogLevel, message: &str);
}
