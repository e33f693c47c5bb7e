//! Fingerprints of store answers (see the WIT `store` interface): xxh3 over
//! every field, each with its length, so different answers get different
//! fingerprints (up to 64-bit hash collisions).
//!
//! The fields are laid end to end in a reused buffer and hashed in one call:
//! xxh3's streaming interface costs more per call than a decky's few short
//! fields are worth, and this runs on every pick.

use std::cell::RefCell;

use emailgen_domain::{Decky, MailStore, Subject, Topology};
use xxhash_rust::xxh3::xxh3_64;

thread_local! {
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Hashes what `write` lays out.
fn hash_of(write: impl FnOnce(&mut Vec<u8>)) -> u64 {
    BUFFER.with_borrow_mut(|buffer| {
        buffer.clear();
        write(buffer);
        xxh3_64(buffer)
    })
}

fn field(buffer: &mut Vec<u8>, text: &str) {
    buffer.extend_from_slice(&(text.len() as u64).to_le_bytes());
    buffer.extend_from_slice(text.as_bytes());
}

fn optional(buffer: &mut Vec<u8>, text: Option<&str>) {
    match text {
        None => buffer.push(0),
        Some(text) => {
            buffer.push(1);
            field(buffer, text);
        }
    }
}

/// The fingerprint of a decky listing.
pub fn deckies(deckies: &[Decky]) -> u64 {
    hash_of(|buffer| {
        buffer.extend_from_slice(&(deckies.len() as u64).to_le_bytes());
        for d in deckies {
            field(buffer, &d.uuid);
            field(buffer, &d.name);
            buffer.extend_from_slice(&(d.services.len() as u64).to_le_bytes());
            for service in &d.services {
                field(buffer, service);
            }
            optional(buffer, d.topology_id.as_deref());
            optional(buffer, d.source.as_deref());
        }
    })
}

/// The fingerprint of a topology row (or of its absence).
pub fn topology(topology: Option<&Topology>) -> u64 {
    hash_of(|buffer| {
        if let Some(t) = topology {
            buffer.push(1);
            field(buffer, &t.id);
            optional(buffer, t.language_default.as_deref());
            field(buffer, &t.email_personas);
        }
    })
}

/// The fingerprint of a text (the global pool).
pub fn text(text: &str) -> u64 {
    hash_of(|buffer| field(buffer, text))
}

/// The fingerprint of an answer whose store keeps a revision of it: the
/// subject, what else the answer depends on (the services filter), and the
/// revision. Nothing is fetched or hashed but these few bytes.
pub fn revision(subject: Subject<'_>, services: &[&str], revision: u64) -> u64 {
    hash_of(|buffer| {
        buffer.extend_from_slice(b"revision");
        match subject {
            Subject::RunningDeckies => {
                buffer.push(1);
                buffer.extend_from_slice(&(services.len() as u64).to_le_bytes());
                services.iter().for_each(|service| field(buffer, service));
            }
            Subject::Topology(id) => {
                buffer.push(2);
                field(buffer, id);
            }
            Subject::GlobalPersonas => buffer.push(3),
        }
        buffer.extend_from_slice(&revision.to_le_bytes());
    })
}

/// The fingerprint of `subject` from `store`'s revision of it (see
/// [`revision`]); `None` when the store keeps no revision, and the answer
/// must be fetched and hashed.
pub fn by_revision(store: &mut (impl MailStore + ?Sized), subject: Subject<'_>, services: &[&str]) -> Option<u64> {
    let kept = store.revision(subject)?;
    Some(revision(subject, services, kept))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revision_fingerprints_tell_subjects_keys_and_revisions_apart() {
        let all = [
            revision(Subject::RunningDeckies, &["imap"], 1),
            revision(Subject::RunningDeckies, &["imap"], 2),
            revision(Subject::RunningDeckies, &["imap", "pop3"], 1),
            revision(Subject::Topology("t1"), &[], 1),
            revision(Subject::Topology("t2"), &[], 1),
            revision(Subject::GlobalPersonas, &[], 1),
        ];
        for (i, a) in all.iter().enumerate() {
            assert!(all[i + 1..].iter().all(|b| a != b), "{all:?}");
        }
        assert_eq!(revision(Subject::Topology("t1"), &[], 7), revision(Subject::Topology("t1"), &[], 7));
    }

    #[test]
    fn fields_do_not_run_together() {
        let a = Decky { uuid: "ab".into(), name: "c".into(), ..Default::default() };
        let b = Decky { uuid: "a".into(), name: "bc".into(), ..Default::default() };
        assert_ne!(deckies(std::slice::from_ref(&a)), deckies(&[b]));
        assert_eq!(deckies(std::slice::from_ref(&a)), deckies(std::slice::from_ref(&a)));
        let none = Decky { source: None, ..a.clone() };
        let empty = Decky { source: Some(String::new()), ..a };
        assert_ne!(deckies(&[none]), deckies(&[empty]));
        assert_ne!(topology(None), topology(Some(&Topology::default())));
        assert_ne!(text("[]"), text("[ ]"));
    }
}
