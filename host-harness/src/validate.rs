//! Checking a policy's answer against what the host served in that pick.
//!
//! A policy is third-party code: its action is passed on only when every
//! part of it comes from the data the host gave it. A forged action becomes a
//! `policy-violation` error, never an action.

use std::sync::{Arc, Mutex};

use emailgen_picker::persona::{Persona, GLOBAL_LANGUAGE_DEFAULT};
use emailgen_picker::persona_cache::PersonaCache;
use emailgen_picker::pick::is_mail_decky;
use emailgen_picker::{Decky, EmailAction, SkipReason, ThreadRow, Topology};

use crate::imports::PolicyViolation;
use crate::outcome::PickOutcome;

/// The longest text a policy may return in a field of its own making
/// (thread id, hints, error message); persona fields are checked against the
/// served personas instead.
pub const MAX_FIELD_CHARS: usize = 4096;
/// The longest `references` header (a deep thread's ancestry).
pub const MAX_REFERENCES_CHARS: usize = 64 << 10;

/// What the host served during one pick. Persona lists are kept as the
/// host's own parse of the text served (shared from the cache, not copied).
#[derive(Default)]
pub struct Served {
    /// The mail deckies among the listed ones (the only valid targets).
    pub mail_deckies: Vec<Decky>,
    /// (topology id, its personas).
    pub topologies: Vec<(String, Arc<[Persona]>)>,
    pub global_personas: Option<Arc<[Persona]>>,
    pub threads: Vec<ThreadRow>,
    /// Persona lists this instance was served before, by fingerprint (kept
    /// across picks): an unchanged list is found without comparing its text.
    known: Vec<(Source, u64, Arc<[Persona]>)>,
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
    pub fn clear(&mut self) {
        self.mail_deckies.clear();
        self.topologies.clear();
        self.global_personas = None;
        self.threads.clear();
    }

    /// Records a topology served, with the personas the policy will see.
    pub fn topology(&mut self, topology: &Topology, cache: &SharedPersonaCache) {
        self.topologies.push((topology.id.clone(), topology_personas(topology, cache)));
    }

    /// Records the global pool served.
    pub fn global_pool(&mut self, text: &str, cache: &SharedPersonaCache) {
        self.global_personas = Some(parsed(cache, text, GLOBAL_LANGUAGE_DEFAULT));
    }

    /// Records a topology served through its fingerprint.
    pub fn fingerprinted_topology(&mut self, topology: &Topology, fingerprint: u64, cache: &SharedPersonaCache) {
        let personas = self.known(Source::Topology, fingerprint, || topology_personas(topology, cache));
        self.topologies.push((topology.id.clone(), personas));
    }

    /// Records the global pool served through its fingerprint.
    pub fn fingerprinted_global_pool(&mut self, text: &str, fingerprint: u64, cache: &SharedPersonaCache) {
        let personas = self.known(Source::GlobalPool, fingerprint, || parsed(cache, text, GLOBAL_LANGUAGE_DEFAULT));
        self.global_personas = Some(personas);
    }

    /// The list remembered under this fingerprint, or `parse()` remembered.
    fn known(&mut self, source: Source, fingerprint: u64, parse: impl FnOnce() -> Arc<[Persona]>) -> Arc<[Persona]> {
        if let Some((_, _, personas)) = self.known.iter().find(|(s, f, _)| *s == source && *f == fingerprint) {
            return Arc::clone(personas);
        }
        let personas = parse();
        if self.known.len() >= MAX_KNOWN {
            self.known.clear();
        }
        self.known.push((source, fingerprint, Arc::clone(&personas)));
        personas
    }
}

fn topology_personas(topology: &Topology, cache: &SharedPersonaCache) -> Arc<[Persona]> {
    let language = topology.language_default.as_deref().filter(|l| !l.is_empty()).unwrap_or(GLOBAL_LANGUAGE_DEFAULT);
    parsed(cache, &topology.email_personas, language)
}

fn parsed(cache: &SharedPersonaCache, text: &str, language: &str) -> Arc<[Persona]> {
    cache.lock().unwrap_or_else(|p| p.into_inner()).get(text, language).0
}

/// Parsed persona lists for validation, shared by every instance of an
/// engine so fresh instances do not parse again.
pub type SharedPersonaCache = Arc<Mutex<PersonaCache>>;

fn violation(message: impl Into<String>) -> PolicyViolation {
    PolicyViolation(message.into())
}

/// Checks an outcome; `Err` says what was forged.
pub fn check(outcome: &PickOutcome, served: &Served) -> Result<(), PolicyViolation> {
    match outcome {
        PickOutcome::Action { action } => check_action(action, served),
        PickOutcome::Skip { reason } => check_skip(reason, served),
        PickOutcome::Error { error } => bounded("error message", &error.message, MAX_FIELD_CHARS),
    }
}

fn check_skip(reason: &SkipReason, served: &Served) -> Result<(), PolicyViolation> {
    let shortage = match reason {
        SkipReason::NoMailDecky => return Ok(()),
        SkipReason::TooFewPersonas(s) | SkipReason::TooFewActive(s) => s,
    };
    bounded("skip source", &shortage.source, 128)?;
    if !served.mail_deckies.iter().any(|d| d.uuid == shortage.mail_decky_uuid) {
        return Err(violation(format!(
            "skip names mail decky {:?}, which the host never listed",
            shortage.mail_decky_uuid
        )));
    }
    Ok(())
}

fn check_action(action: &EmailAction, served: &Served) -> Result<(), PolicyViolation> {
    let Some(decky) = served.mail_deckies.iter().find(|d| d.uuid == action.mail_decky_uuid) else {
        return Err(violation(format!(
            "action names mail decky {:?}, which is not a listed mail decky",
            action.mail_decky_uuid
        )));
    };
    debug_assert!(is_mail_decky(decky));
    if action.mail_decky_name != decky.name || action.mail_decky_services != decky.services {
        return Err(violation(format!("action misstates the name or services of mail decky {:?}", decky.uuid)));
    }
    let personas = served_personas(decky, served)?;
    for (role, persona) in [("sender", &action.sender), ("recipient", &action.recipient)] {
        if !personas.iter().any(|p| p == persona) {
            return Err(violation(format!(
                "{role} {:?} is not a persona served for mail decky {:?}",
                persona.email, decky.uuid
            )));
        }
    }
    if action.sender.email == action.recipient.email {
        return Err(violation(format!("sender and recipient share the address {:?}", action.sender.email)));
    }
    check_thread(action, served)?;
    bounded("thread_id", &action.thread_id, 256)?;
    bounded("context_hint", &action.context_hint, MAX_FIELD_CHARS)?;
    bounded("subject_hint", action.subject_hint.as_deref().unwrap_or(""), MAX_FIELD_CHARS)?;
    bounded("parent_excerpt", action.parent_excerpt.as_deref().unwrap_or(""), MAX_FIELD_CHARS)?;
    bounded("references", &action.references, MAX_REFERENCES_CHARS)?;
    bounded("description", &action.description, 64)
}

/// The personas the host served for this decky's source in this pick.
fn served_personas<'s>(decky: &Decky, served: &'s Served) -> Result<&'s [Persona], PolicyViolation> {
    if decky.source.as_deref() == Some("topology") {
        let id = decky.topology_id.as_deref().unwrap_or_default();
        match served.topologies.iter().find(|(served_id, _)| served_id == id) {
            Some((_, personas)) => Ok(personas),
            None => Err(violation(format!("action on mail decky {:?} whose topology was never served", decky.uuid))),
        }
    } else {
        match &served.global_personas {
            Some(personas) => Ok(personas),
            None => Err(violation(format!("action on mail decky {:?} whose global pool was never served", decky.uuid))),
        }
    }
}

/// A reply names a served thread row; a new thread names no parent.
fn check_thread(action: &EmailAction, served: &Served) -> Result<(), PolicyViolation> {
    if !action.is_reply {
        if action.parent_message_id.is_some() {
            return Err(violation("a new thread must not name a parent message"));
        }
        return Ok(());
    }
    let parent = action.parent_message_id.as_deref();
    let known =
        served.threads.iter().any(|row| row.thread_id == action.thread_id && Some(row.message_id.as_str()) == parent);
    if !known {
        return Err(violation(format!(
            "reply on thread {:?} / parent {parent:?}, which the host never returned",
            action.thread_id
        )));
    }
    Ok(())
}

fn bounded(field: &str, text: &str, max_chars: usize) -> Result<(), PolicyViolation> {
    // Byte length bounds the character count from above: count only when
    // the cheap test fails.
    if text.len() > max_chars && text.chars().count() > max_chars {
        return Err(violation(format!("{field} is longer than {max_chars} characters")));
    }
    Ok(())
}
