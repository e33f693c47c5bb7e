//! Thread chaining: how a reply names its parent (the headers the host
//! derives and checks), and how a new thread starts.

use rand::Rng;

use crate::python_text;

/// The subject of a reply: surrounding white space trimmed, every leading
/// `re:` (any case, with the white space after it) folded away, then one
/// `Re: ` prefix. Mail clients stack prefixes; real people do not. White
/// space is Python's (`str.strip()`, as DECNET's `reply_subject` trims), so
/// the two agree on subjects that start or end with U+001C–U+001F.
pub fn reply_subject(subject: &str) -> String {
    let mut rest = python_text::strip(subject);
    while rest.len() >= 3 && rest.as_bytes()[..3].eq_ignore_ascii_case(b"re:") {
        rest = python_text::lstrip(&rest[3..]);
    }
    // Built by hand: `format!` brings the formatting machinery into every
    // pick that replies (some hundreds of Wasm instructions for two pieces).
    let mut subject = String::with_capacity(4 + rest.len());
    subject.push_str("Re: ");
    subject.push_str(rest);
    subject
}

/// The `References` header of a reply: the parent's own ancestry, oldest
/// first, followed by the parent's Message-ID, joined by single spaces.
pub fn references_for_reply(parent_references: &[String], parent_message_id: &str) -> String {
    let length = parent_references.iter().map(|id| id.len() + 1).sum::<usize>() + parent_message_id.len();
    let mut header = String::with_capacity(length);
    for id in parent_references {
        header.push_str(id);
        header.push(' ');
    }
    header.push_str(parent_message_id);
    header
}

/// A fresh thread id: a random UUID v4 in canonical text form.
pub fn new_thread_id(rng: &mut impl Rng) -> String {
    let bytes: [u8; 16] = rng.random();
    uuid::Builder::from_random_bytes(bytes).into_uuid().hyphenated().to_string()
}

#[cfg(test)]
mod tests {
    use rand::{rngs::StdRng, SeedableRng};

    use super::*;

    #[test]
    fn reply_subject_folds_prefixes() {
        assert_eq!(reply_subject("Q3 budget"), "Re: Q3 budget");
        assert_eq!(reply_subject("Re: Re: Q3 budget"), "Re: Q3 budget");
        assert_eq!(reply_subject("RE: Q3 budget"), "Re: Q3 budget");
        assert_eq!(reply_subject("  RE: re:Budget v2"), "Re: Budget v2");
        assert_eq!(reply_subject("rE:re:  x  "), "Re: x");
        assert_eq!(reply_subject(""), "Re: ");
        assert_eq!(reply_subject("Re:"), "Re: ");
        assert_eq!(reply_subject("Regarding lunch"), "Re: Regarding lunch");
        assert_eq!(reply_subject("Ré: café"), "Re: Ré: café");
        // A TAB inside stays (DECNET's driver keeps it); Python's white space
        // around the subject and after a prefix goes.
        assert_eq!(reply_subject("Quarterly\tforecast – v2"), "Re: Quarterly\tforecast – v2");
        assert_eq!(reply_subject("\u{1f}Re:\u{1c}\tQ3\u{1d}"), "Re: Q3");
    }

    #[test]
    fn references_append_the_parent() {
        assert_eq!(references_for_reply(&[], "<m1@x.io>"), "<m1@x.io>");
        let ancestry = vec!["<m1@x.io>".to_owned(), "<m2@x.io>".to_owned()];
        assert_eq!(references_for_reply(&ancestry, "<m3@x.io>"), "<m1@x.io> <m2@x.io> <m3@x.io>");
    }

    #[test]
    fn thread_ids_are_canonical_uuid_v4() {
        let mut rng = StdRng::seed_from_u64(1);
        let id = new_thread_id(&mut rng);
        assert_eq!(id.len(), 36);
        assert_eq!(id.matches('-').count(), 4);
        let parsed = uuid::Uuid::parse_str(&id).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122);
        assert_ne!(id, new_thread_id(&mut rng));
    }
}
