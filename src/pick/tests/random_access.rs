//! Choosing the mail decky by position (WIT `running-decky-count` and
//! `running-decky-at`) on a cache's first choice, and by the kept list after.

use super::*;

/// Three mail deckies on one topology, with a web decky between them that
/// the services filter leaves out.
fn office() -> FakeHost {
    let mut host = company(two_people(), None);
    host.deckies.push(decky("web", &["http"], Some("topology"), Some("t1")));
    host.deckies.push(decky("mx2", &["pop3"], Some("topology"), Some("t1")));
    host.deckies.push(decky("mx3", &["imap"], Some("topology"), Some("t1")));
    host.fingerprints = true;
    host.random_access = true;
    host
}

#[test]
fn a_first_choice_asks_for_one_decky_and_later_ones_list_and_keep() {
    let mut host = office();
    let mut picker = Picker::default();
    assert!(picker.pick(&mut host, &seeded(1)).action().is_some());
    assert_eq!((host.count("running-decky-count"), host.count("running-decky-at")), (1, 1));
    assert_eq!(host.count("list-running-deckies") + host.count("running-deckies-fingerprint"), 0);
    for seed in 2..6 {
        assert!(picker.pick(&mut host, &seeded(seed)).action().is_some());
    }
    // The second pick lists and keeps; the rest only ask for the fingerprint.
    assert_eq!(host.count("list-running-deckies"), 1);
    assert_eq!(host.count("running-deckies-fingerprint"), 4);
    assert_eq!(host.count("running-decky-count"), 1);
}

#[test]
fn by_position_or_from_the_list_a_seed_chooses_the_same_decky() {
    let by_position = office();
    let mut listed = by_position.clone();
    listed.random_access = false;
    let mut chosen = std::collections::BTreeSet::new();
    for seed in 0..300 {
        // A fresh picker per seed: every choice is a first choice.
        let a = Picker::default().pick(&mut by_position.clone(), &seeded(seed));
        let b = Picker::default().pick(&mut listed.clone(), &seeded(seed));
        assert_eq!(a, b, "seed {seed}");
        chosen.insert(action(a).mail_decky_uuid);
    }
    assert_eq!(chosen.into_iter().collect::<Vec<_>>(), ["mx1", "mx2", "mx3"]);
    // And one picker across seeds: first by position, then from its list.
    let (mut warm_a, mut warm_b) = (Picker::default(), Picker::default());
    let (mut host_a, mut host_b) = (by_position, listed);
    for seed in 0..50 {
        assert_eq!(warm_a.pick(&mut host_a, &seeded(seed)), warm_b.pick(&mut host_b, &seeded(seed)), "seed {seed}");
    }
}

#[test]
fn no_mail_decky_counted_skips() {
    let mut host = office();
    host.deckies.retain(|d| d.uuid == "web");
    assert_eq!(skip(pick(&mut host, seeded(1))), SkipReason::NoMailDecky);
    assert_eq!(host.count("running-decky-at"), 0);
}

#[test]
fn failures_of_either_import_are_store_errors_naming_it() {
    for import in ["running-decky-count", "running-decky-at"] {
        let mut host = office();
        host.failing = Some(import);
        let Outcome::Error { error } = pick(&mut host, seeded(1)) else { panic!("{import} failed silently") };
        assert_eq!(error.kind, ErrorKind::Store);
        assert!(error.message.contains(import), "{}", error.message);
    }
}

/// A host whose answers by position disagree with its count or its filter.
struct Positions {
    host: FakeHost,
    counted: u32,
    given: Vec<Decky>,
}

impl MailStore for Positions {
    fn list_running_deckies(&mut self, services: &[&str]) -> Result<Vec<Decky>, StoreError> {
        self.host.list_running_deckies(services)
    }
    fn get_topology(&mut self, id: &str) -> Result<Option<Topology>, StoreError> {
        self.host.get_topology(id)
    }
    fn list_email_threads(&mut self, decky: &str, a: &str, b: &str, limit: u32) -> Result<Vec<ThreadRow>, StoreError> {
        self.host.list_email_threads(decky, a, b, limit)
    }
    fn global_personas(&mut self) -> Result<String, StoreError> {
        self.host.global_personas()
    }
}

impl PickerHost for Positions {
    type Persona = Persona;

    fn running_decky_count(&mut self, _: &[&str]) -> Option<Result<u32, StoreError>> {
        Some(Ok(self.counted))
    }
    fn running_decky_at(&mut self, _: &[&str], index: u32) -> Result<Option<Decky>, StoreError> {
        Ok(self.given.get(index as usize).cloned())
    }
    fn local_now(&mut self) -> NaiveDateTime {
        self.host.local_now()
    }
    fn log(&mut self, level: LogLevel, message: &str) {
        self.host.log(level, message)
    }
}

#[test]
fn answers_by_position_that_disagree_are_store_errors_not_wrong_choices() {
    let web = decky("web", &["http"], Some("topology"), Some("t1"));
    let cases = [(1, vec![web], "offers neither imap nor pop3"), (3, vec![], "no decky at position")];
    for (counted, given, mentions) in cases {
        let mut host = Positions { host: company(two_people(), None), counted, given };
        let Outcome::Error { error } = Picker::default().pick(&mut host, &seeded(1)) else { panic!("{mentions}") };
        assert_eq!(error.kind, ErrorKind::Store);
        assert!(error.message.starts_with("running-decky-at failed") && error.message.contains(mentions));
    }
}
