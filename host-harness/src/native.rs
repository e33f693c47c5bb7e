//! The picking logic compiled natively and called in-process: the baseline
//! the sandbox is measured against, and a cross-check of the Wasm build.

use chrono::NaiveDateTime;
use emailgen_picker::{LogLevel, MailStore, Outcome, PickOptions, Picker, PickerHost, StoreError, Subject};
use realistic_policy::Realistic;

use emailgen_host::serve::fingerprint;
use emailgen_host::Clock;

/// A built-in policy's logic, natively.
pub enum NativePolicy {
    Default(Picker),
    Realistic(Realistic),
}

impl NativePolicy {
    /// The native build of a built-in policy by name.
    pub fn named(name: &str) -> Option<Self> {
        match name {
            "default" => Some(NativePolicy::Default(Picker::default())),
            "realistic" => Some(NativePolicy::Realistic(Realistic::default())),
            _ => None,
        }
    }

    pub fn pick<S: MailStore>(&mut self, host: &mut NativeHost<S>, options: &PickOptions) -> Outcome {
        match self {
            NativePolicy::Default(picker) => picker.pick(host, options),
            NativePolicy::Realistic(realistic) => realistic.pick(host, options),
        }
    }
}

/// A [`MailStore`] with the host's clock and a silent log: everything a
/// native policy needs.
pub struct NativeHost<S> {
    pub store: S,
    pub clock: Clock,
}

impl<S: MailStore> MailStore for NativeHost<S> {
    fn list_running_deckies(
        &mut self,
        services: &[&str],
    ) -> Result<Vec<emailgen_domain::Decky>, emailgen_domain::StoreError> {
        self.store.list_running_deckies(services)
    }

    fn get_topology(&mut self, id: &str) -> Result<Option<emailgen_domain::Topology>, emailgen_domain::StoreError> {
        self.store.get_topology(id)
    }

    fn list_email_threads(
        &mut self,
        mail_decky_uuid: &str,
        sender_email: &str,
        recipient_email: &str,
        limit: u32,
    ) -> Result<Vec<emailgen_domain::ThreadRow>, emailgen_domain::StoreError> {
        self.store.list_email_threads(mail_decky_uuid, sender_email, recipient_email, limit)
    }

    fn global_personas(&mut self) -> Result<String, emailgen_domain::StoreError> {
        self.store.global_personas()
    }

    fn revision(&mut self, subject: Subject<'_>) -> Option<u64> {
        self.store.revision(subject)
    }
}

/// Fingerprints come from the store's revisions, as the Wasm host's do;
/// a store that keeps none offers none, and the policy fetches every time.
impl<S: MailStore> PickerHost for NativeHost<S> {
    type Persona = emailgen_domain::Persona;

    fn running_deckies_fingerprint(&mut self, services: &[&str]) -> Result<Option<u64>, StoreError> {
        Ok(fingerprint::by_revision(&mut self.store, Subject::RunningDeckies, services))
    }

    fn topology_fingerprint(&mut self, id: &str) -> Result<Option<u64>, StoreError> {
        Ok(fingerprint::by_revision(&mut self.store, Subject::Topology(id), &[]))
    }

    fn global_personas_fingerprint(&mut self) -> Result<Option<u64>, StoreError> {
        Ok(fingerprint::by_revision(&mut self.store, Subject::GlobalPersonas, &[]))
    }

    fn local_now(&mut self) -> NaiveDateTime {
        (self.clock)()
    }

    fn log(&mut self, _: LogLevel, _: &str) {}
}
