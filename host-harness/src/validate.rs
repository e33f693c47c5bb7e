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

use crate::bindings::types as wit;
use crate::convert;
use crate::imports::PolicyViolation;
use crate::outcome::PickOutcome;

/// The longest text a policy may return in a field of its own making
/// (thread id, hints, error message); personas and the decky's name and
/// services are the host's own copies, never the policy's text.
pub const MAX_FIELD_CHARS: usize = 4096;
/// The longest `references` header (a deep thread's ancestry).
pub const MAX_REFERENCES_CHARS: usize = 64 << 10;

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
        self.listed.clear();
        self.given.clear();
        self.topologies.clear();
        self.global_personas = None;
        self.threads.clear();
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
        listed.chain(given).find(|d| d.uuid == uuid && is_mail_decky(d))
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
        let personas = self.known(Source::Topology, fingerprint, || topology_personas(topology, cache));
        self.topologies.push((topology.id.clone(), personas));
    }

    /// Records the global pool served through its fingerprint.
    pub fn fingerprinted_global_pool(&mut self, text: &str, fingerprint: u64, cache: &SharedPersonaCache) {
        let personas = self.known(Source::GlobalPool, fingerprint, || global_pool_personas(text, cache));
        self.global_personas = Some(personas);
    }

    /// Records the topology remembered under `fingerprint` as served; false
    /// when this instance does not know it (the row must be fetched).
    pub fn known_topology(&mut self, id: &str, fingerprint: u64) -> bool {
        let Some(personas) = self.remembered(Source::Topology, fingerprint) else {
            return false;
        };
        self.topologies.push((id.to_owned(), personas));
        true
    }

    /// Records the global pool remembered under `fingerprint` as served;
    /// false when this instance does not know it.
    pub fn known_global_pool(&mut self, fingerprint: u64) -> bool {
        self.global_personas = self.remembered(Source::GlobalPool, fingerprint);
        self.global_personas.is_some()
    }

    fn remembered(&self, source: Source, fingerprint: u64) -> Option<Arc<[Persona]>> {
        let found = self.known.iter().find(|(s, f, _)| *s == source && *f == fingerprint);
        found.map(|(_, _, personas)| Arc::clone(personas))
    }

    /// The list remembered under this fingerprint, or `parse()` remembered.
    fn known(&mut self, source: Source, fingerprint: u64, parse: impl FnOnce() -> Arc<[Persona]>) -> Arc<[Persona]> {
        if let Some(personas) = self.remembered(source, fingerprint) {
            return personas;
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
    parsed(cache, &topology.email_personas, language, || format!("topology {}", topology.id))
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

fn violation(message: impl Into<String>) -> PolicyViolation {
    PolicyViolation(message.into())
}

/// Checks a policy's answer against what was served and turns it into the
/// host's outcome; `Err` says what was forged. An action's decky and
/// personas are the host's own copies of what it served.
pub fn accept(outcome: wit::PickOutcome, served: &Served) -> Result<PickOutcome, PolicyViolation> {
    match outcome {
        wit::PickOutcome::Action(action) => Ok(PickOutcome::Action { action: resolve_action(action, served)? }),
        wit::PickOutcome::Skip(reason) => {
            let reason = convert::skip_reason(reason);
            check_skip(&reason, served)?;
            Ok(PickOutcome::Skip { reason })
        }
        wit::PickOutcome::Error(error) => {
            bounded("error message", &error.message, MAX_FIELD_CHARS)?;
            Ok(convert::pick_error(error))
        }
    }
}

fn check_skip(reason: &SkipReason, served: &Served) -> Result<(), PolicyViolation> {
    let shortage = match reason {
        SkipReason::NoMailDecky => return Ok(()),
        SkipReason::TooFewPersonas(s) | SkipReason::TooFewActive(s) => s,
    };
    bounded("skip source", &shortage.source, 128)?;
    if served.mail_decky(&shortage.mail_decky_uuid).is_none() {
        return Err(violation(format!(
            "skip names mail decky {:?}, which the host never listed",
            shortage.mail_decky_uuid
        )));
    }
    Ok(())
}

fn resolve_action(a: wit::EmailAction, served: &Served) -> Result<EmailAction, PolicyViolation> {
    let Some(decky) = served.mail_decky(&a.mail_decky_uuid) else {
        return Err(violation(format!(
            "action names mail decky {:?}, which is not a listed mail decky",
            a.mail_decky_uuid
        )));
    };
    let personas = served_personas(decky, served)?;
    let sender = persona_at(personas, a.sender, "sender", decky)?;
    let recipient = persona_at(personas, a.recipient, "recipient", decky)?;
    if sender.email == recipient.email {
        return Err(violation(format!("sender and recipient share the address {:?}", sender.email)));
    }
    check_thread(a.is_reply, &a.thread_id, a.parent_message_id.as_deref(), served)?;
    bounded("thread_id", &a.thread_id, 256)?;
    bounded("context_hint", &a.context_hint, MAX_FIELD_CHARS)?;
    bounded("subject_hint", a.subject_hint.as_deref().unwrap_or(""), MAX_FIELD_CHARS)?;
    bounded("parent_excerpt", a.parent_excerpt.as_deref().unwrap_or(""), MAX_FIELD_CHARS)?;
    bounded("references", &a.references, MAX_REFERENCES_CHARS)?;
    bounded("description", &a.description, 64)?;
    Ok(EmailAction {
        mail_decky_uuid: a.mail_decky_uuid,
        mail_decky_name: decky.name.clone(),
        mail_decky_services: decky.services.clone(),
        sender: sender.clone(),
        recipient: recipient.clone(),
        thread_id: a.thread_id,
        parent_message_id: a.parent_message_id,
        references: a.references,
        subject_hint: a.subject_hint,
        parent_excerpt: a.parent_excerpt,
        context_hint: a.context_hint,
        is_reply: a.is_reply,
        description: a.description,
    })
}

/// The valid persona at `position` of the served list (kept in position
/// order, so a binary search finds it).
fn persona_at<'p>(
    personas: &'p [Persona],
    position: u32,
    role: &str,
    decky: &Decky,
) -> Result<&'p Persona, PolicyViolation> {
    match personas.binary_search_by_key(&position, |p| p.position) {
        Ok(found) => Ok(&personas[found]),
        Err(_) => Err(violation(format!(
            "{role} is entry {position} of the persona list served for mail decky {:?}, which is not a valid persona",
            decky.uuid
        ))),
    }
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
fn check_thread(is_reply: bool, thread_id: &str, parent: Option<&str>, served: &Served) -> Result<(), PolicyViolation> {
    if !is_reply {
        if parent.is_some() {
            return Err(violation("a new thread must not name a parent message"));
        }
        return Ok(());
    }
    let known = served.threads.iter().any(|row| row.thread_id == thread_id && Some(row.message_id.as_str()) == parent);
    if !known {
        return Err(violation(format!(
            "reply on thread {thread_id:?} / parent {parent:?}, which the host never returned"
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Entry 1 is invalid (no role); entries 0, 2 and 3 are valid, and 3
    /// shares entry 0's address.
    const LIST: &str = r#"[
        {"name": "Ana", "email": "ana@acme.example", "role": "CEO"},
        {"name": "Broken", "email": "broken@acme.example"},
        {"name": "Bo", "email": "bo@acme.example", "role": "CTO", "language": "sv"},
        {"name": "Ana Again", "email": "ana@acme.example", "role": "CFO"}
    ]"#;

    fn served() -> Served {
        let cache: SharedPersonaCache = Arc::default();
        let mut served = Served::default();
        let mail_decky = Decky {
            uuid: "mx1".into(),
            name: "mail-1".into(),
            services: vec!["imap".into()],
            topology_id: Some("t1".into()),
            source: Some("topology".into()),
        };
        let web_decky = Decky { uuid: "web1".into(), services: vec!["http".into()], ..Default::default() };
        served.deckies(Arc::from([mail_decky, web_decky]));
        let topology = Topology { id: "t1".into(), email_personas: LIST.into(), language_default: Some("de".into()) };
        served.topology(&topology, &cache);
        served
    }

    fn action(sender: u32, recipient: u32) -> wit::PickOutcome {
        wit::PickOutcome::Action(wit::EmailAction {
            mail_decky_uuid: "mx1".into(),
            sender,
            recipient,
            thread_id: "t".into(),
            parent_message_id: None,
            references: String::new(),
            subject_hint: None,
            parent_excerpt: None,
            context_hint: "Budget".into(),
            is_reply: false,
            description: "email:send".into(),
        })
    }

    fn violation_of(outcome: wit::PickOutcome) -> String {
        match accept(outcome, &served()) {
            Err(PolicyViolation(message)) => message,
            Ok(outcome) => panic!("accepted: {}", outcome.to_json()),
        }
    }

    #[test]
    fn positions_resolve_to_the_hosts_own_personas() {
        let Ok(PickOutcome::Action { action }) = accept(action(2, 0), &served()) else { panic!("not an action") };
        assert_eq!((action.sender.name.as_str(), action.sender.language.as_str()), ("Bo", "sv"));
        assert_eq!((action.recipient.name.as_str(), action.recipient.language.as_str()), ("Ana", "de"));
        assert_eq!(action.mail_decky_name, "mail-1");
        assert_eq!(action.mail_decky_services, ["imap"]);
    }

    #[test]
    fn a_dropped_or_missing_entry_is_a_violation() {
        assert!(violation_of(action(1, 0)).contains("sender is entry 1"));
        assert!(violation_of(action(0, 4)).contains("recipient is entry 4"));
    }

    #[test]
    fn a_shared_address_is_a_violation() {
        assert!(violation_of(action(0, 3)).contains("share the address"));
        assert!(violation_of(action(2, 2)).contains("share the address"));
    }

    #[test]
    fn an_unlisted_decky_is_a_violation() {
        let wit::PickOutcome::Action(mut forged) = action(0, 2) else { unreachable!() };
        forged.mail_decky_uuid = "mx2".into();
        assert!(violation_of(wit::PickOutcome::Action(forged)).contains("not a listed mail decky"));
    }

    #[test]
    fn a_listed_decky_that_serves_no_mail_is_a_violation() {
        let wit::PickOutcome::Action(mut forged) = action(0, 2) else { unreachable!() };
        forged.mail_decky_uuid = "web1".into();
        assert!(violation_of(wit::PickOutcome::Action(forged)).contains("not a listed mail decky"));
    }
}
