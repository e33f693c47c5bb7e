//! Parsed persona lists, kept across picks.
//!
//! The orchestrator hands over the same persona JSON on almost every tick;
//! validating it again each time was the original picker's main cost. A
//! policy instance keeps the parsed lists keyed by their exact text and
//! language default, so an unchanged list is parsed once. Warnings are logged
//! once, when a list is first parsed.

use std::sync::Arc;

use crate::persona::{parse_personas, ParsedPersonas, Persona};

/// How many distinct lists are kept before the cache starts over. A fleet
/// has a handful of topologies; an unbounded cache would let a host that
/// serves ever-changing lists grow the instance's memory without limit.
const MAX_LISTS: usize = 256;

/// `P` is the persona type the lists are kept as (whole [`Persona`]s, or
/// the [`PersonaSummary`](crate::persona::PersonaSummary)s a host hands a
/// policy): converted once, when a list is parsed.
pub struct PersonaCache<P = Persona> {
    /// (text, language default, parsed personas). A short list searched
    /// linearly: lengths are compared before any text.
    lists: Vec<(String, String, Arc<[P]>)>,
}

impl<P> Default for PersonaCache<P> {
    fn default() -> Self {
        PersonaCache { lists: Vec::new() }
    }
}

impl<P: for<'a> From<&'a Persona>> PersonaCache<P> {
    /// The valid personas of `text`, and the warnings of its parse when it
    /// was parsed now (empty when it came from the cache).
    pub fn get(&mut self, text: &str, language_default: &str) -> (Arc<[P]>, Vec<String>) {
        if let Some((_, _, personas)) =
            self.lists.iter().find(|(t, l, _)| t.len() == text.len() && l == language_default && same_bytes(t, text))
        {
            return (Arc::clone(personas), Vec::new());
        }
        let ParsedPersonas { personas, warnings } = parse_personas(text, language_default);
        let personas: Arc<[P]> = personas.iter().map(P::from).collect();
        if self.lists.len() >= MAX_LISTS {
            self.lists.clear();
        }
        self.lists.push((text.to_owned(), language_default.to_owned(), Arc::clone(&personas)));
        (personas, warnings)
    }

    /// How many lists are cached.
    pub fn len(&self) -> usize {
        self.lists.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }
}

/// Byte equality eight bytes at a time. In Wasm, `==` on slices calls
/// wasi-libc's byte-by-byte `memcmp`, and this comparison runs on every pick
/// for a text of several kilobytes (and for every active persona's address).
/// The words come first: texts that differ mostly differ early.
pub fn same_bytes(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let (mut a_words, mut b_words) = (a.chunks_exact(8), b.chunks_exact(8));
    let word = |w: &[u8]| u64::from_ne_bytes(w.try_into().expect("chunks of eight"));
    let words_equal = a_words.by_ref().zip(b_words.by_ref()).all(|(x, y)| word(x) == word(y));
    words_equal && a_words.remainder().iter().zip(b_words.remainder()).all(|(x, y)| x == y)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = r#"[{"name": "A", "email": "a@x.io", "role": "r"}, {"name": "B"}]"#;

    #[test]
    fn a_list_is_parsed_once_per_language() {
        let mut cache = PersonaCache::<Persona>::default();
        let (first, warnings) = cache.get(LIST, "en");
        assert_eq!(first.len(), 1);
        assert_eq!(warnings.len(), 1);
        let (again, warnings) = cache.get(LIST, "en");
        assert!(Arc::ptr_eq(&first, &again));
        assert!(warnings.is_empty());
        let (german, _) = cache.get(LIST, "de");
        assert_eq!(german[0].language, "de");
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn word_wise_equality() {
        assert!(same_bytes("", ""));
        assert!(same_bytes("abcdefghij", "abcdefghij"));
        assert!(!same_bytes("abcdefghij", "abcdefghik"));
        assert!(!same_bytes("abcdefghij", "xbcdefghij"));
        assert!(!same_bytes("abc", "abcd"));
    }

    #[test]
    fn the_cache_is_bounded() {
        let mut cache = PersonaCache::<Persona>::default();
        for i in 0..(MAX_LISTS * 2 + 1) {
            cache.get(&format!("[{i}]"), "en");
            assert!(cache.len() <= MAX_LISTS);
        }
    }
}
