//! The store answers a fingerprint import fetched, kept until the end of the
//! pick.
//!
//! A fingerprint is taken over the store's answer, so the host has that
//! answer in hand. A policy whose cache misses asks for the same answer next
//! (`topology-fingerprint` then `topology-personas` or `get-topology`, with
//! the same id); it gets this very row rather than a second store query.
//! That saves the query, and the fingerprint the policy keeps is the one of
//! the row it was given even if the store changes between the two calls.
//! (The running deckies are listed once per pick for every import about
//! them; see [`super::listing`].)
//!
//! Each answer is handed out once: a second call in the same pick asks the
//! store again.

use emailgen_domain::Topology;

#[derive(Default)]
pub struct Fetched {
    topology: Option<(String, Option<Topology>)>,
    global_personas: Option<String>,
}

impl Fetched {
    pub fn clear(&mut self) {
        *self = Fetched::default();
    }

    pub fn keep_topology(&mut self, id: String, row: Option<Topology>) {
        self.topology = Some((id, row));
    }

    /// The row fetched for this topology id (`Some(None)`: there is no such
    /// topology), if not taken yet.
    pub fn take_topology(&mut self, id: &str) -> Option<Option<Topology>> {
        match self.topology.take() {
            Some((kept, row)) if kept == id => Some(row),
            other => {
                self.topology = other;
                None
            }
        }
    }

    pub fn keep_global_personas(&mut self, text: String) {
        self.global_personas = Some(text);
    }

    pub fn take_global_personas(&mut self) -> Option<String> {
        self.global_personas.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_topology_is_handed_out_only_for_its_own_id() {
        let mut fetched = Fetched::default();
        fetched.keep_topology("t1".into(), None);
        assert_eq!(fetched.take_topology("t2"), None);
        assert_eq!(fetched.take_topology("t1"), Some(None));
        assert_eq!(fetched.take_topology("t1"), None);
    }

    #[test]
    fn clear_forgets_everything() {
        let mut fetched = Fetched::default();
        fetched.keep_topology("t".into(), None);
        fetched.keep_global_personas("[]".into());
        fetched.clear();
        assert_eq!(fetched.take_topology("t"), None);
        assert_eq!(fetched.take_global_personas(), None);
    }
}
