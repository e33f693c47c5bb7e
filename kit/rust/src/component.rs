//! The thin adapter between the WIT world and plain-Rust picker logic: the
//! imports become a [`PickerHost`], the outcome becomes the WIT variant.
//!
//! A policy implements [`Policy`] and is exported with
//! [`export_policy!`](crate::export_policy); the bindings are public for
//! policies that call an import the helpers do not cover.

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::OnceLock;

use chrono::NaiveDateTime;
use emailgen_domain::active_hours::Window;
use emailgen_domain::options::{describe_parts, local_datetime};
use emailgen_domain::outcome::{EmailAction, ErrorKind, Outcome, PickError, Shortage, SkipReason};
use emailgen_domain::persona::{PersonaSummary, PersonaView, ReplyLatency, Tone};
use emailgen_domain::store::{self as host, LogLevel, MailStore, StoreError, MAIL_SERVICES};
use emailgen_domain::PickOptions;

use crate::host::PickerHost;
use crate::{Instance, Policy};

#[doc(hidden)]
#[macro_use]
#[allow(clippy::too_many_arguments, missing_docs)] // generated glue
pub mod bindings {
    wit_bindgen::generate!({
        world: "picker",
        path: "../../wit",
        pub_export_macro: true,
        export_macro_name: "export_picker_world",
        default_bindings_module: "emailgen_policy::component::bindings",
    });
}

pub use bindings::decnet::emailgen::{clock, log, store, types as wit};

/// What a component exports as `pick`, at the level of the raw imports:
/// every [`Instance`] of a [`Policy`] is one. A policy that must call the
/// WIT imports itself (a test fixture that misbehaves on purpose, say)
/// implements it and is exported with
/// [`export_policy_logic!`](crate::export_policy_logic).
pub trait PolicyLogic: Default + 'static {
    /// One pick against the component's imports.
    fn pick(&mut self, host: &mut WitHost, options: &PickOptions) -> Outcome<PersonaSummary>;
}

impl<T: Policy> PolicyLogic for Instance<T, PersonaSummary> {
    fn pick(&mut self, host: &mut WitHost, options: &PickOptions) -> Outcome<PersonaSummary> {
        Instance::pick(self, host, options)
    }
}

/// Runs one pick of the policy instance in `state` for the exported `pick`
/// function (the export macros call it).
pub fn run_pick<L: PolicyLogic>(
    state: &'static std::thread::LocalKey<RefCell<L>>,
    options: wit::PickOptions,
) -> wit::PickOutcome {
    let outcome = match pick_options(&options) {
        Ok(options) => state.with_borrow_mut(|logic| logic.pick(&mut WitHost, &options)),
        Err(error) => Outcome::Error { error },
    };
    to_wit_outcome(outcome)
}

/// The component's imports, as the picker's host.
pub struct WitHost;

impl MailStore for WitHost {
    fn list_running_deckies(&mut self, services: &[&str]) -> Result<Vec<host::Decky>, StoreError> {
        let rows = store::list_running_deckies(&wit_filter(services)).map_err(StoreError)?;
        Ok(rows.into_iter().map(from_wit_decky).collect())
    }

    fn get_topology(&mut self, id: &str) -> Result<Option<host::Topology>, StoreError> {
        let topology = store::get_topology(id).map_err(StoreError)?;
        Ok(topology.map(|t| host::Topology {
            id: t.id,
            email_personas: t.email_personas,
            language_default: t.language_default,
        }))
    }

    fn list_email_threads(
        &mut self,
        mail_decky_uuid: &str,
        sender_email: &str,
        recipient_email: &str,
        limit: u32,
    ) -> Result<Vec<host::ThreadRow>, StoreError> {
        let rows =
            store::list_email_threads(mail_decky_uuid, sender_email, recipient_email, limit).map_err(StoreError)?;
        Ok(rows
            .into_iter()
            .map(|r| host::ThreadRow {
                thread_id: r.thread_id,
                message_id: r.message_id,
                subject: r.subject,
                references: r.references,
            })
            .collect())
    }

    fn global_personas(&mut self) -> Result<String, StoreError> {
        store::global_personas().map_err(StoreError)
    }
}

impl PickerHost for WitHost {
    /// The host hands over its parse as summaries (WIT `persona-summary`).
    type Persona = PersonaSummary;
    const PARSES_PERSONAS: bool = true;

    fn running_deckies_fingerprint(&mut self, services: &[&str]) -> Result<Option<u64>, StoreError> {
        store::running_deckies_fingerprint(&wit_filter(services)).map(Some).map_err(StoreError)
    }

    fn running_decky_count(&mut self, services: &[&str]) -> Option<Result<u32, StoreError>> {
        Some(store::running_decky_count(&wit_filter(services)).map_err(StoreError))
    }

    fn running_decky_at(&mut self, services: &[&str], index: u32) -> Result<Option<host::Decky>, StoreError> {
        let decky = store::running_decky_at(&wit_filter(services), index).map_err(StoreError)?;
        Ok(decky.map(from_wit_decky))
    }

    fn topology_fingerprint(&mut self, id: &str) -> Result<Option<u64>, StoreError> {
        store::topology_fingerprint(id).map(Some).map_err(StoreError)
    }

    fn global_personas_fingerprint(&mut self) -> Result<Option<u64>, StoreError> {
        store::global_personas_fingerprint().map(Some).map_err(StoreError)
    }

    fn topology_personas(&mut self, id: &str) -> Option<Result<Option<Vec<PersonaSummary>>, StoreError>> {
        let answer = store::topology_personas(id).map_err(StoreError);
        Some(answer.map(|list| list.map(from_wit_personas)))
    }

    fn global_pool_personas(&mut self) -> Option<Result<Vec<PersonaSummary>, StoreError>> {
        Some(store::global_pool_personas().map(from_wit_personas).map_err(StoreError))
    }

    /// The host resolves the decky's uuid to its own copy.
    fn fills_in_decky(&self) -> bool {
        true
    }

    fn local_now(&mut self) -> NaiveDateTime {
        // A host that sends an impossible date gets the epoch rather than a
        // trap: the pick still runs, on a clock that is plainly wrong in logs.
        from_wit_datetime(&clock::local_now()).unwrap_or_default()
    }

    fn log(&mut self, level: LogLevel, message: &str) {
        let level = match level {
            LogLevel::Debug => log::Level::Debug,
            LogLevel::Info => log::Level::Info,
            LogLevel::Warn => log::Level::Warn,
            LogLevel::Error => log::Level::Error,
        };
        log::log(level, message);
    }
}

/// A services filter as the bindings take it. The picker's own filter is
/// built once: a warm pick asks for its fingerprint every time.
fn wit_filter(services: &[&str]) -> Cow<'static, [String]> {
    static MAIL_FILTER: OnceLock<Vec<String>> = OnceLock::new();
    let owned = |services: &[&str]| services.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    match services == MAIL_SERVICES {
        true => Cow::Borrowed(MAIL_FILTER.get_or_init(|| owned(&MAIL_SERVICES))),
        false => Cow::Owned(owned(services)),
    }
}

fn from_wit_decky(d: wit::Decky) -> host::Decky {
    host::Decky { uuid: d.uuid, name: d.name, services: d.services, topology_id: d.topology_id, source: d.source }
}

/// The host's parse, as the picking logic's personas.
fn from_wit_personas(list: Vec<wit::PersonaSummary>) -> Vec<PersonaSummary> {
    list.into_iter().map(from_wit_persona).collect()
}

fn from_wit_persona(p: wit::PersonaSummary) -> PersonaSummary {
    PersonaSummary {
        position: p.position,
        email: p.email,
        window: Window::from_bounds(p.active_window.start, p.active_window.end),
        tone: match p.tone {
            wit::Tone::Formal => Tone::Formal,
            wit::Tone::Direct => Tone::Direct,
            wit::Tone::Casual => Tone::Casual,
            wit::Tone::Technical => Tone::Technical,
            wit::Tone::Custom => Tone::Custom,
        },
        reply_latency: match p.reply_latency {
            wit::ReplyLatency::Fast => ReplyLatency::Fast,
            wit::ReplyLatency::Normal => ReplyLatency::Normal,
            wit::ReplyLatency::Slow => ReplyLatency::Slow,
        },
        uses_llms_heavily: p.uses_llms_heavily,
    }
}

fn pick_options(options: &wit::PickOptions) -> Result<PickOptions, PickError> {
    let now = match &options.now {
        None => None,
        Some(now) => Some(from_wit_datetime(now).ok_or_else(|| {
            let wit::LocalDatetime { year, month, day, hour, minute, second } = *now;
            let text = describe_parts(year, month.into(), day.into(), hour.into(), minute.into(), second.into());
            PickError::new(ErrorKind::InvalidInput, format!("now is not a valid date and time: {text}"))
        })?),
    };
    Ok(PickOptions { seed: options.seed, now, reply_probability: options.reply_probability })
}

fn from_wit_datetime(t: &wit::LocalDatetime) -> Option<NaiveDateTime> {
    local_datetime(t.year, t.month.into(), t.day.into(), t.hour.into(), t.minute.into(), t.second.into())
}

fn to_wit_outcome(outcome: Outcome<PersonaSummary>) -> wit::PickOutcome {
    match outcome {
        Outcome::Action { action } => wit::PickOutcome::Action(to_wit_action(action)),
        Outcome::Skip { reason } => wit::PickOutcome::Skip(match reason {
            SkipReason::NoMailDecky => wit::SkipReason::NoMailDecky,
            SkipReason::TooFewPersonas(s) => wit::SkipReason::TooFewPersonas(to_wit_shortage(s)),
            SkipReason::TooFewActive(s) => wit::SkipReason::TooFewActive(to_wit_shortage(s)),
        }),
        Outcome::Error { error } => wit::PickOutcome::Error(wit::PickError {
            kind: match error.kind {
                ErrorKind::Store => wit::ErrorKind::Store,
                ErrorKind::InvalidInput => wit::ErrorKind::InvalidInput,
                // The kinds the host gives when it stops a policy are no
                // policy's to report: a policy that names one reports a bug.
                ErrorKind::Internal
                | ErrorKind::Instructions
                | ErrorKind::Deadline
                | ErrorKind::WallClock
                | ErrorKind::Memory
                | ErrorKind::PolicyViolation
                | ErrorKind::Trap => wit::ErrorKind::Internal,
            },
            message: error.message,
        }),
    }
}

fn to_wit_shortage(s: Shortage) -> wit::PersonaShortage {
    wit::PersonaShortage { source: s.source, mail_decky_uuid: s.mail_decky_uuid, count: s.count }
}

/// Only the decky's uuid and the personas' positions cross back: the host
/// answers with its own copies of what it served.
fn to_wit_action(a: EmailAction<PersonaSummary>) -> wit::EmailAction {
    wit::EmailAction {
        mail_decky_uuid: a.mail_decky_uuid,
        sender: a.sender.position(),
        recipient: a.recipient.position(),
        thread_id: a.thread_id,
        parent_message_id: a.parent_message_id,
        references: a.references,
        subject_hint: a.subject_hint,
        parent_excerpt: a.parent_excerpt,
        context_hint: a.context_hint,
        is_reply: a.is_reply,
        description: a.description,
    }
}
