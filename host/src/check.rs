//! Checking a policy's answer against what the host served in that pick.
//!
//! A policy is third-party code: its action is passed on only when every
//! part of it comes from the data the host gave it, and every text in it
//! is safe to put into an email header. A forged action becomes a
//! `policy-violation` error, never an action. The rules, in the README's
//! "Security model":
//!
//! - the mail decky is one the host listed or gave this pick, and serves
//!   mail; sender and recipient are valid entries of the persona list served
//!   for its source, with different addresses (the action carries the
//!   host's own copies of the decky and the personas);
//! - a reply names a thread row that a `list-email-threads` lookup for this
//!   very mail decky and pair returned; its `references` are that row's
//!   ancestry followed by its Message-ID, its `subject_hint` the row's reply
//!   subject, as the host derives them;
//! - a new thread has a canonical UUID for an id, not one the host served
//!   this pick, and no parent, references, subject or excerpt;
//! - `description` is `email:send`; no text of the action holds a control
//!   character, but for a TAB in its prose (`subject_hint`, `context_hint`,
//!   `parent_excerpt`; see [`TextKind`]); its free texts are bounded;
//! - a skip names a mail decky the host listed, with that decky's source;
//! - a `store` error follows a store call that failed this pick.

use emailgen_domain::persona::Persona;
use emailgen_domain::threads::{references_for_reply, reply_subject};
use emailgen_domain::{Decky, EmailAction, SkipReason, ThreadRow};

use crate::bindings::types as wit;
use crate::outcome::{ErrorKind, PickOutcome};
use crate::sandbox::trap::PolicyViolation;
use crate::serve::{convert, Served};
use crate::text::{escape_unsafe, TextKind};

/// The longest text a policy may return in a field of its own making
/// (`context_hint`, `parent_excerpt`, an error message); personas, the
/// decky's name and services and a reply's headers are the host's own
/// copies or derivations, never the policy's text.
pub const MAX_FIELD_CHARS: usize = 4096;
/// The one `description` an action may carry.
pub const DESCRIPTION: &str = "email:send";

fn violation(message: impl Into<String>) -> PolicyViolation {
    PolicyViolation(message.into())
}

/// Checks a policy's answer against what was served and turns it into the
/// host's outcome; `Err` says what was forged. An action's decky and
/// personas are the host's own copies of what it served.
pub fn accept(outcome: wit::PickOutcome, served: &Served) -> Result<PickOutcome, PolicyViolation> {
    match outcome {
        wit::PickOutcome::Action(action) => resolve_action(action, served),
        wit::PickOutcome::Skip(reason) => {
            let reason = convert::skip_reason(reason);
            check_skip(&reason, served)?;
            Ok(PickOutcome::Skip { reason })
        }
        wit::PickOutcome::Error(error) => accept_error(error, served),
    }
}

/// A policy's own error, with its message on one line; `store` only when a
/// store call did fail.
fn accept_error(error: wit::PickError, served: &Served) -> Result<PickOutcome, PolicyViolation> {
    bounded("error message", &error.message, MAX_FIELD_CHARS)?;
    if error.kind == wit::ErrorKind::Store && !served.store_failed {
        return Err(violation("the policy reported a store error, but no store call failed this pick"));
    }
    let message = escape_unsafe(&error.message).into_owned();
    Ok(convert::pick_error(wit::PickError { message, ..error }))
}

fn check_skip(reason: &SkipReason, served: &Served) -> Result<(), PolicyViolation> {
    let shortage = match reason {
        SkipReason::NoMailDecky => return Ok(()),
        SkipReason::TooFewPersonas(s) | SkipReason::TooFewActive(s) => s,
    };
    let Some(decky) = served.mail_decky(&shortage.mail_decky_uuid) else {
        return Err(violation(format!(
            "skip names mail decky {:?}, which the host never listed",
            escape_unsafe(&shortage.mail_decky_uuid)
        )));
    };
    if shortage.source != decky.source_label() {
        return Err(violation(format!(
            "skip names source {:?} for mail decky {:?}, whose source is {:?}",
            escape_unsafe(&shortage.source),
            decky.uuid,
            decky.source_label()
        )));
    }
    Ok(())
}

fn resolve_action(a: wit::EmailAction, served: &Served) -> Result<PickOutcome, PolicyViolation> {
    let Some(decky) = served.mail_decky(&a.mail_decky_uuid) else {
        return Err(violation(format!(
            "action names mail decky {:?}, which is not a listed mail decky",
            escape_unsafe(&a.mail_decky_uuid)
        )));
    };
    let personas = served_personas(decky, served)?;
    let sender = persona_at(personas, a.sender, "sender", decky)?;
    let recipient = persona_at(personas, a.recipient, "recipient", decky)?;
    if sender.email == recipient.email {
        return Err(violation(format!("sender and recipient share the address {:?}", sender.email)));
    }
    let headers = match a.is_reply {
        true => check_reply(&a, decky, [&sender.email, &recipient.email], served)?,
        false => check_new_thread(&a, served)?,
    };
    if let Some(unsafe_header) = headers {
        return Ok(PickOutcome::error(ErrorKind::Store, unsafe_header));
    }
    check_policy_text(&a)?;
    Ok(PickOutcome::Action {
        action: EmailAction {
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
        },
    })
}

/// The texts a policy chooses freely: bounded, on one line, and a
/// description of the one kind there is.
fn check_policy_text(a: &wit::EmailAction) -> Result<(), PolicyViolation> {
    if a.description != DESCRIPTION {
        return Err(violation(format!(
            "description is {:?}; it must be {DESCRIPTION:?}",
            escape_unsafe(bounded_excerpt(&a.description))
        )));
    }
    bounded("context_hint", &a.context_hint, MAX_FIELD_CHARS)?;
    prose("context_hint", &a.context_hint)?;
    if let Some(excerpt) = &a.parent_excerpt {
        bounded("parent_excerpt", excerpt, MAX_FIELD_CHARS)?;
        prose("parent_excerpt", excerpt)?;
    }
    Ok(())
}

/// A reply names a row a lookup for this decky and pair returned, and
/// carries the headers the host derives from it. `Ok(Some(why))` when the
/// row itself (the store's data) holds text that cannot go into a header.
fn check_reply(
    a: &wit::EmailAction,
    decky: &Decky,
    [sender, recipient]: [&str; 2],
    served: &Served,
) -> Result<Option<String>, PolicyViolation> {
    let Some(parent) = a.parent_message_id.as_deref() else {
        return Err(violation("a reply must name its parent message"));
    };
    let is_parent = |row: &&ThreadRow| row.thread_id == a.thread_id && row.message_id == parent;
    let mut lookups = served.thread_lookups.iter();
    let Some(row) = lookups
        .clone()
        .filter(|l| l.is_for(&decky.uuid, sender, recipient))
        .find_map(|l| l.rows.iter().find(is_parent))
    else {
        let elsewhere = lookups.any(|l| l.rows.iter().any(|row| is_parent(&row)));
        return Err(violation(match elsewhere {
            true => format!(
                "reply on thread {:?}, which the host returned for another mail decky or pair than {:?}, {sender:?} and {recipient:?}",
                escape_unsafe(&a.thread_id),
                decky.uuid
            ),
            false => format!(
                "reply on thread {:?} / parent {:?}, which the host never returned",
                escape_unsafe(bounded_excerpt(&a.thread_id)),
                escape_unsafe(bounded_excerpt(parent))
            ),
        }));
    };
    let references = references_for_reply(&row.references, &row.message_id);
    if a.references != references {
        return Err(violation(format!(
            "reply references {:?}, but the parent's ancestry is {:?}",
            escape_unsafe(bounded_excerpt(&a.references)),
            escape_unsafe(bounded_excerpt(&references))
        )));
    }
    let subject = reply_subject(&row.subject);
    if a.subject_hint.as_deref() != Some(subject.as_str()) {
        return Err(violation(format!(
            "reply subject_hint {:?}, but the parent's reply subject is {:?}",
            a.subject_hint.as_deref().map(|s| escape_unsafe(bounded_excerpt(s))),
            escape_unsafe(&subject)
        )));
    }
    // Equal to the host's derivation: a control character here is the
    // store's, not the policy's.
    let headers = [
        ("thread id", &a.thread_id, TextKind::Identifier),
        ("Message-ID", &row.message_id, TextKind::Identifier),
        ("references", &references, TextKind::Identifier),
        ("subject", &subject, TextKind::Prose),
    ];
    Ok(headers.iter().find_map(|(what, text, kind)| {
        let refused = kind.first_refused(text)?;
        Some(format!(
            "list-email-threads returned a thread row whose {what} {:?} holds a control character ({refused:?}); it cannot go into an email header",
            escape_unsafe(bounded_excerpt(text))
        ))
    }))
}

/// A new thread: a fresh canonical UUID, and nothing of a reply's.
fn check_new_thread(a: &wit::EmailAction, served: &Served) -> Result<Option<String>, PolicyViolation> {
    let reply_fields = [
        ("parent_message_id", a.parent_message_id.is_some()),
        ("references", !a.references.is_empty()),
        ("subject_hint", a.subject_hint.is_some()),
        ("parent_excerpt", a.parent_excerpt.is_some()),
    ];
    if let Some((field, _)) = reply_fields.iter().find(|(_, set)| *set) {
        return Err(violation(format!("a new thread must not carry a {field}")));
    }
    let reused = served.thread_lookups.iter().flat_map(|l| &l.rows).any(|row| row.thread_id == a.thread_id);
    if reused {
        return Err(violation(format!(
            "new thread id {:?} is a thread the host served",
            escape_unsafe(bounded_excerpt(&a.thread_id))
        )));
    }
    if !is_canonical_uuid(&a.thread_id) {
        return Err(violation(format!(
            "new thread id {:?} is not a UUID in canonical form",
            escape_unsafe(bounded_excerpt(&a.thread_id))
        )));
    }
    Ok(None)
}

/// `8-4-4-4-12` hexadecimal digits, the form the WIT asks for.
fn is_canonical_uuid(text: &str) -> bool {
    text.len() == 36 && uuid::Uuid::try_parse(text).is_ok()
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

fn bounded(field: &str, text: &str, max_chars: usize) -> Result<(), PolicyViolation> {
    // Byte length bounds the character count from above: count only when
    // the cheap test fails.
    if text.len() > max_chars && text.chars().count() > max_chars {
        return Err(violation(format!("{field} is longer than {max_chars} characters")));
    }
    Ok(())
}

/// A text of the policy's own that may go into a subject or a body: a TAB
/// is fine, no other control character is.
fn prose(field: &str, text: &str) -> Result<(), PolicyViolation> {
    match TextKind::Prose.first_refused(text) {
        None => Ok(()),
        Some(c) => Err(violation(format!("{field} holds the control character {:?}", c))),
    }
}

/// At most the first 200 characters of `text`, for a message quoting it.
fn bounded_excerpt(text: &str) -> &str {
    match text.char_indices().nth(200) {
        Some((cut, _)) => &text[..cut],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use emailgen_domain::Topology;

    use super::*;
    use crate::serve::SharedPersonaCache;

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
            thread_id: "0b6d3a4e-8d0c-4a5e-9b7e-2f1c3d4e5f60".into(),
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

    /// A reply on the row `row`, returned by a lookup for mx1 and Ana/Bo.
    fn reply_on(row: ThreadRow) -> (wit::PickOutcome, Served) {
        let mut served = served();
        served.thread_lookups.push(crate::serve::ThreadLookup {
            mail_decky_uuid: "mx1".into(),
            sender_email: "ana@acme.example".into(),
            recipient_email: "bo@acme.example".into(),
            rows: vec![row.clone()],
        });
        let subject = reply_subject(&row.subject);
        let wit::PickOutcome::Action(mut reply) = action(0, 2) else { unreachable!() };
        reply.thread_id = row.thread_id.clone();
        reply.parent_message_id = Some(row.message_id.clone());
        reply.references = references_for_reply(&row.references, &row.message_id);
        reply.subject_hint = Some(subject.clone());
        reply.context_hint = subject;
        reply.is_reply = true;
        (wit::PickOutcome::Action(reply), served)
    }

    fn row(subject: &str, message_id: &str) -> ThreadRow {
        ThreadRow {
            thread_id: "thr-1".into(),
            message_id: message_id.into(),
            subject: subject.into(),
            references: vec!["<root@acme.example>".into()],
        }
    }

    #[test]
    fn a_tab_in_a_stored_subject_reaches_the_reply() {
        let (reply, served) = reply_on(row("Quarterly\tforecast – v2", "<m1@acme.example>"));
        let Ok(PickOutcome::Action { action }) = accept(reply, &served) else { panic!("not an action") };
        assert_eq!(action.subject_hint.as_deref(), Some("Re: Quarterly\tforecast – v2"));
        assert_eq!(action.context_hint, "Re: Quarterly\tforecast – v2");
    }

    #[test]
    fn line_breaks_in_a_stored_row_never_reach_an_action() {
        for (subject, message_id, field) in [
            ("Q3\r\nBcc: all@acme.example", "<m1@acme.example>", "subject"),
            ("Q3\u{b}budget", "<m1@acme.example>", "subject"),
            ("Q3", "<m1@acme.example>\t", "Message-ID"),
            ("Q3", "<m1@acme.example>\nBcc: x", "Message-ID"),
        ] {
            let (reply, served) = reply_on(row(subject, message_id));
            let outcome = accept(reply, &served).expect("the store's text is not a violation");
            let PickOutcome::Error { error } = outcome else { panic!("{subject:?}: {}", outcome.to_json()) };
            assert_eq!(error.kind, ErrorKind::Store);
            assert!(error.message.contains(&format!("whose {field}")), "{}", error.message);
        }
    }

    #[test]
    fn a_policys_prose_may_hold_a_tab_but_no_line_break() {
        let wit::PickOutcome::Action(mut a) = action(0, 2) else { unreachable!() };
        a.context_hint = "Budget\tQ3".into();
        assert!(accept(wit::PickOutcome::Action(a.clone()), &served()).is_ok());
        a.context_hint = "Budget\r\nBcc: x".into();
        assert!(violation_of(wit::PickOutcome::Action(a)).contains("context_hint holds the control character '\\r'"));
    }
}
