use std::collections::HashMap;

use chrono::NaiveDate;
use serde_json::json;

use emailgen_domain::persona::PersonaSummary;
use emailgen_domain::{MailStore, StoreError, Topology};

use super::*;
use chrono::NaiveDateTime;
use emailgen_domain::{Decky, EmailAction, ErrorKind, PickOptions, Shortage, ThreadRow};
use emailgen_policy::{MemoryHost as FakeHost, CONTEXT_HINTS};

fn at(hour: u32, minute: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 4, 27).unwrap().and_hms_opt(hour, minute, 0).unwrap()
}

fn persona(name: &str, email: &str) -> serde_json::Value {
    json!({"name": name, "email": email, "role": "staff"})
}

fn decky(uuid: &str, services: &[&str], source: Option<&str>, topology: Option<&str>) -> Decky {
    Decky {
        uuid: uuid.into(),
        name: format!("{uuid}-name"),
        services: services.iter().map(|s| s.to_string()).collect(),
        topology_id: topology.map(Into::into),
        source: source.map(Into::into),
    }
}

fn company(personas: serde_json::Value, language: Option<&str>) -> FakeHost {
    let mut host = FakeHost {
        deckies: vec![decky("mx1", &["imap", "smtp"], Some("topology"), Some("t1"))],
        now: at(10, 0),
        ..Default::default()
    };
    host.add_topology("t1", personas.to_string(), language);
    host
}

fn two_people() -> serde_json::Value {
    json!([persona("Ana", "ana@acme.example"), persona("Bo", "bo@acme.example")])
}

fn pick(host: &mut FakeHost, options: PickOptions) -> Outcome {
    Picker::default().pick(host, &options)
}

fn seeded(seed: u64) -> PickOptions {
    PickOptions { seed: Some(seed), now: Some(at(10, 0)), reply_probability: None }
}

fn skip(outcome: Outcome) -> SkipReason {
    match outcome {
        Outcome::Skip { reason } => reason,
        other => panic!("expected a skip, got {other:?}"),
    }
}

fn action(outcome: Outcome) -> EmailAction {
    match outcome {
        Outcome::Action { action } => action,
        other => panic!("expected an action, got {other:?}"),
    }
}

#[test]
fn no_mail_decky_skips() {
    let mut host = company(two_people(), None);
    host.deckies = vec![decky("web", &["http", "IMAP"], Some("topology"), Some("t1"))];
    assert_eq!(skip(pick(&mut host, seeded(1))), SkipReason::NoMailDecky);
    host.deckies.clear();
    assert_eq!(skip(pick(&mut host, seeded(1))), SkipReason::NoMailDecky);
}

#[test]
fn pop3_alone_makes_a_mail_decky() {
    let mut host = company(two_people(), None);
    host.deckies[0].services = vec!["pop3".into()];
    assert_eq!(action(pick(&mut host, seeded(1))).mail_decky_uuid, "mx1");
}

#[test]
fn too_few_personas_reports_source_decky_and_count() {
    let mut host = company(json!([persona("Ana", "ana@acme.example"), {"name": "Broken"}]), None);
    let expected = Shortage { source: "topology".into(), mail_decky_uuid: "mx1".into(), count: 1 };
    assert_eq!(skip(pick(&mut host, seeded(1))), SkipReason::TooFewPersonas(expected));
    assert!(host.logs.iter().any(|(l, m)| *l == LogLevel::Warn && m.contains("persona #1 dropped")));
}

#[test]
fn topology_without_id_or_row_has_no_personas() {
    for topology_id in [None, Some(""), Some("missing")] {
        let mut host = company(two_people(), None);
        host.deckies[0].topology_id = topology_id.map(Into::into);
        let reason = skip(pick(&mut host, seeded(1)));
        assert!(matches!(reason, SkipReason::TooFewPersonas(ref s) if s.count == 0), "{topology_id:?}: {reason:?}");
    }
}

#[test]
fn everyone_off_hours_skips_with_count() {
    let mut host = company(two_people(), None);
    let options = PickOptions { now: Some(at(3, 0)), ..seeded(1) };
    let expected = Shortage { source: "topology".into(), mail_decky_uuid: "mx1".into(), count: 0 };
    assert_eq!(skip(pick(&mut host, options)), SkipReason::TooFewActive(expected));
}

#[test]
fn only_one_active_skips() {
    let mut night_owl = persona("Owl", "owl@acme.example");
    night_owl["active_hours"] = json!("22:00-06:00");
    let mut host = company(json!([persona("Ana", "ana@acme.example"), night_owl]), None);
    let reason = skip(pick(&mut host, seeded(1)));
    assert!(matches!(reason, SkipReason::TooFewActive(ref s) if s.count == 1), "{reason:?}");
}

#[test]
fn minute_precision_at_the_window_edges() {
    let mut a = persona("Ana", "ana@acme.example");
    a["active_hours"] = json!("09:30-17:45");
    let mut b = persona("Bo", "bo@acme.example");
    b["active_hours"] = json!("09:30-17:45");
    let mut host = company(json!([a, b]), None);
    for (hour, minute, active) in [(9, 29, false), (9, 30, true), (17, 44, true), (17, 45, false)] {
        let outcome = pick(&mut host, PickOptions { now: Some(at(hour, minute)), ..seeded(1) });
        assert_eq!(outcome.action().is_some(), active, "{hour}:{minute}");
    }
}

#[test]
fn duplicate_emails_count_as_one_mailbox() {
    let mut host = company(json!([persona("Ana", "ana@acme.example"), persona("Bo", "ana@acme.example")]), None);
    for seed in 0..20 {
        let reason = skip(pick(&mut host, seeded(seed)));
        assert!(matches!(reason, SkipReason::TooFewActive(ref s) if s.count == 2), "{reason:?}");
    }
}

#[test]
fn duplicate_emails_never_pair_with_themselves() {
    let people = json!([
        persona("Ana", "ana@acme.example"),
        persona("Bo", "ana@acme.example"),
        persona("Cy", "cy@acme.example")
    ]);
    let mut host = company(people, None);
    for seed in 0..50 {
        let a = action(pick(&mut host, seeded(seed)));
        assert_ne!(a.sender.email, a.recipient.email);
    }
}

#[test]
fn new_thread_action_fields() {
    let mut host = company(two_people(), Some("es"));
    let a = action(pick(&mut host, PickOptions { reply_probability: Some(0.0), ..seeded(3) }));
    assert_eq!(a.mail_decky_uuid, "mx1");
    assert_eq!(a.mail_decky_name, "mx1-name");
    assert_eq!(a.mail_decky_services, ["imap", "smtp"]);
    assert!(!a.is_reply);
    assert_eq!(a.parent_message_id, None);
    assert_eq!(a.references, "");
    assert_eq!(a.subject_hint, None);
    assert_eq!(a.parent_excerpt, None);
    assert_eq!(a.description, "email:send");
    assert!(CONTEXT_HINTS.contains(&a.context_hint.as_str()));
    assert_eq!(uuid::Uuid::parse_str(&a.thread_id).unwrap().get_version_num(), 4);
    assert_eq!((a.sender.language.as_str(), a.recipient.language.as_str()), ("es", "es"));
    assert_ne!(a.sender.email, a.recipient.email);
    assert_eq!(host.count("list-email-threads"), 0, "p=0 never looks threads up");
}

#[test]
fn empty_language_default_means_english() {
    let mut host = company(two_people(), Some(""));
    assert_eq!(action(pick(&mut host, seeded(3))).sender.language, "en");
}

#[test]
fn reply_chains_on_the_newest_row() {
    let mut host = company(two_people(), None);
    host.threads = vec![
        ThreadRow {
            thread_id: "th-9".into(),
            message_id: "<m2@acme.example>".into(),
            subject: "  RE: re:Budget v2".into(),
            references: vec!["<m1@acme.example>".into()],
        },
        ThreadRow {
            thread_id: "older".into(),
            message_id: "<m0@x.io>".into(),
            subject: "x".into(),
            references: vec![],
        },
    ];
    let a = action(pick(&mut host, PickOptions { reply_probability: Some(1.0), ..seeded(5) }));
    assert!(a.is_reply);
    assert_eq!(a.thread_id, "th-9");
    assert_eq!(a.parent_message_id.as_deref(), Some("<m2@acme.example>"));
    assert_eq!(a.references, "<m1@acme.example> <m2@acme.example>");
    assert_eq!(a.subject_hint.as_deref(), Some("Re: Budget v2"));
    assert_eq!(a.context_hint, "Re: Budget v2");
}

#[test]
fn no_rows_means_a_new_thread_even_when_the_coin_says_reply() {
    let mut host = company(two_people(), None);
    let a = action(pick(&mut host, PickOptions { reply_probability: Some(1.0), ..seeded(5) }));
    assert!(!a.is_reply);
    assert_eq!(host.count("list-email-threads"), 1);
}

#[test]
fn fleet_and_other_sources_use_the_global_pool_only() {
    for source in [Some("fleet"), Some("shard"), None, Some("something-else")] {
        let mut host = company(two_people(), None);
        host.deckies = vec![decky("host-a:mx", &["imap"], source, Some("t1"))];
        host.global_personas = json!([persona("Cy", "cy@acme.example"), persona("Di", "di@acme.example")]).to_string();
        for seed in 0..10 {
            let a = action(pick(&mut host, seeded(seed)));
            let mut pair = [a.sender.email.clone(), a.recipient.email.clone()];
            pair.sort();
            assert_eq!(pair, ["cy@acme.example", "di@acme.example"], "{source:?}");
            assert_eq!(a.sender.language, "en");
        }
    }
}

#[test]
fn unknown_source_label_in_skips() {
    let mut host = company(two_people(), None);
    host.deckies = vec![decky("mx", &["imap"], None, None)];
    let reason = skip(pick(&mut host, seeded(1)));
    assert_eq!(
        reason,
        SkipReason::TooFewPersonas(Shortage { source: "unknown".into(), mail_decky_uuid: "mx".into(), count: 0 })
    );
}

#[test]
fn topology_deckies_never_see_the_global_pool() {
    let mut host = company(json!([persona("Ana", "ana@acme.example")]), None);
    host.global_personas = json!([persona("Cy", "cy@acme.example"), persona("Di", "di@acme.example")]).to_string();
    assert!(matches!(skip(pick(&mut host, seeded(1))), SkipReason::TooFewPersonas(_)));
}

#[test]
fn store_failures_are_errors_naming_the_import() {
    for import in ["list-running-deckies", "get-topology", "list-email-threads"] {
        let mut host = company(two_people(), None);
        host.threads = vec![ThreadRow::default()];
        host.failing = Some(import);
        let outcome = pick(&mut host, PickOptions { reply_probability: Some(1.0), ..seeded(1) });
        let Outcome::Error { error } = outcome else { panic!("{import}: {outcome:?}") };
        assert_eq!(error.kind, ErrorKind::Store);
        assert!(error.message.contains(import), "{}", error.message);
    }
    let mut host = company(two_people(), None);
    host.deckies[0].source = Some("fleet".into());
    host.failing = Some("global-personas");
    assert!(
        matches!(pick(&mut host, seeded(1)), Outcome::Error { error } if error.message.contains("global-personas"))
    );
}

#[test]
fn reply_probability_outside_zero_to_one_is_invalid() {
    for p in [-0.1, 1.5, f64::NAN] {
        let mut host = company(two_people(), None);
        let outcome = pick(&mut host, PickOptions { reply_probability: Some(p), ..seeded(1) });
        assert!(matches!(outcome, Outcome::Error { ref error } if error.kind == ErrorKind::InvalidInput), "{p}");
    }
}

#[test]
fn missing_now_uses_the_hosts_clock() {
    let mut host = company(two_people(), None);
    // FakeHost's clock says 10:00, inside office hours.
    assert!(pick(&mut host, PickOptions { now: None, ..seeded(1) }).action().is_some());
}

#[test]
fn same_seed_same_action() {
    let mut host = company(json!([persona("A", "a@x.io"), persona("B", "b@x.io"), persona("C", "c@x.io")]), None);
    for seed in 0..20 {
        assert_eq!(pick(&mut host, seeded(seed)), pick(&mut host, seeded(seed)));
    }
    let distinct: std::collections::HashSet<String> =
        (0..20).map(|s| action(pick(&mut host, seeded(s))).thread_id).collect();
    assert_eq!(distinct.len(), 20);
}

#[test]
fn unseeded_picks_differ() {
    let mut host = company(two_people(), None);
    let a = action(pick(&mut host, PickOptions { seed: None, ..seeded(0) }));
    let b = action(pick(&mut host, PickOptions { seed: None, ..seeded(0) }));
    assert_ne!(a.thread_id, b.thread_id);
}

/// Statistical checks with fixed seeds: uniform choices and the reply ratio.
mod statistics {
    use super::*;

    const PICKS: u64 = 6000;

    fn assert_uniform(counts: &HashMap<String, u64>, buckets: usize, total: u64) {
        assert_eq!(counts.len(), buckets, "{counts:?}");
        let expected = total as f64 / buckets as f64;
        for (key, count) in counts {
            let deviation = (*count as f64 - expected).abs() / expected;
            assert!(deviation < 0.15, "{key}: {count} vs expected {expected}");
        }
    }

    #[test]
    fn reply_ratio_is_about_sixty_percent_with_threads() {
        let mut host = company(two_people(), None);
        host.threads = vec![ThreadRow { thread_id: "t".into(), message_id: "<m@x.io>".into(), ..Default::default() }];
        let replies = (0..PICKS).filter(|s| action(pick(&mut host, seeded(*s))).is_reply).count();
        let ratio = replies as f64 / PICKS as f64;
        assert!((ratio - 0.6).abs() < 0.03, "reply ratio {ratio}");
    }

    #[test]
    fn senders_recipients_deckies_and_topics_are_uniform() {
        let people: Vec<_> = (0..4).map(|i| persona(&format!("P{i}"), &format!("p{i}@x.io"))).collect();
        let mut host = company(json!(people), None);
        host.deckies = (0..3).map(|i| decky(&format!("mx{i}"), &["imap"], Some("topology"), Some("t1"))).collect();
        let (mut senders, mut recipients, mut deckies, mut topics) =
            (HashMap::new(), HashMap::new(), HashMap::new(), HashMap::new());
        let mut picker = Picker::default();
        for seed in 0..PICKS {
            let a = action(picker.pick(&mut host, &seeded(seed)));
            *senders.entry(a.sender.email.clone()).or_insert(0) += 1;
            *recipients.entry(a.recipient.email.clone()).or_insert(0) += 1;
            *deckies.entry(a.mail_decky_uuid).or_insert(0) += 1;
            *topics.entry(a.context_hint).or_insert(0) += 1;
        }
        assert_uniform(&senders, 4, PICKS);
        assert_uniform(&recipients, 4, PICKS);
        assert_uniform(&deckies, 3, PICKS);
        assert_uniform(&topics, 16, PICKS);
    }
}

/// With fingerprints, unchanged data is not fetched again; changed data is.
mod fingerprints {
    use super::*;

    #[test]
    fn unchanged_data_is_not_fetched_again() {
        let mut host = company(two_people(), None);
        host.fingerprints = true;
        let mut picker = Picker::default();
        for seed in 0..5 {
            assert!(picker.pick(&mut host, &seeded(seed)).action().is_some());
        }
        assert_eq!(host.count("list-running-deckies"), 1);
        assert_eq!(host.count("get-topology"), 1);
        assert_eq!(host.count("running-deckies-fingerprint"), 5);
        assert_eq!(host.count("topology-fingerprint"), 5);
    }

    #[test]
    fn changed_data_is_fetched_and_used() {
        let mut host = company(two_people(), None);
        host.fingerprints = true;
        let mut picker = Picker::default();
        picker.pick(&mut host, &seeded(1));
        host.add_topology(
            "t1",
            json!([persona("Cy", "cy@acme.example"), persona("Di", "di@acme.example")]).to_string(),
            None,
        );
        let a = action(picker.pick(&mut host, &seeded(1)));
        assert!(a.sender.email == "cy@acme.example" || a.sender.email == "di@acme.example");
        host.deckies[0].name = "renamed".into();
        assert_eq!(action(picker.pick(&mut host, &seeded(1))).mail_decky_name, "renamed");
        host.deckies.clear();
        assert_eq!(skip(picker.pick(&mut host, &seeded(1))), SkipReason::NoMailDecky);
    }

    #[test]
    fn the_global_pool_is_cached_by_fingerprint_too() {
        let mut host = company(two_people(), None);
        host.fingerprints = true;
        host.deckies[0].source = Some("fleet".into());
        host.global_personas = json!([persona("Cy", "cy@acme.example"), persona("Di", "di@acme.example")]).to_string();
        let mut picker = Picker::default();
        for seed in 0..3 {
            assert!(picker.pick(&mut host, &seeded(seed)).action().is_some());
        }
        assert_eq!(host.count("global-personas"), 1);
        host.global_personas = "[]".into();
        assert!(matches!(skip(picker.pick(&mut host, &seeded(9))), SkipReason::TooFewPersonas(_)));
    }

    #[test]
    fn with_or_without_fingerprints_the_answers_are_the_same() {
        let mut plain = company(json!([persona("A", "a@x.io"), persona("B", "b@x.io"), persona("C", "c@x.io")]), None);
        let mut fingerprinted = plain.clone();
        fingerprinted.fingerprints = true;
        let (mut p1, mut p2) = (Picker::default(), Picker::default());
        for seed in 0..20 {
            assert_eq!(p1.pick(&mut plain, &seeded(seed)), p2.pick(&mut fingerprinted, &seeded(seed)));
        }
    }
}

#[test]
fn probabilities_are_described_without_float_formatting() {
    let mut host = company(two_people(), None);
    let outcome = pick(&mut host, PickOptions { reply_probability: Some(1.25), ..seeded(1) });
    assert!(matches!(outcome, Outcome::Error { error } if error.message.ends_with("got 1.250")));
}

/// A host that hands over its own parse of the persona lists, summarised, and
/// fills in the chosen decky's name and services itself, as the Wasm host
/// does: the same store underneath, parsed with the same rules.
struct SummaryHost(FakeHost);

impl SummaryHost {
    fn summaries(&self, text: &str, language: &str) -> Vec<PersonaSummary> {
        crate::persona::parse_personas(text, language).personas.iter().map(PersonaSummary::from).collect()
    }
}

impl MailStore for SummaryHost {
    fn list_running_deckies(&mut self, services: &[&str]) -> Result<Vec<Decky>, StoreError> {
        self.0.list_running_deckies(services)
    }
    fn get_topology(&mut self, id: &str) -> Result<Option<Topology>, StoreError> {
        self.0.get_topology(id)
    }
    fn list_email_threads(&mut self, decky: &str, a: &str, b: &str, limit: u32) -> Result<Vec<ThreadRow>, StoreError> {
        self.0.list_email_threads(decky, a, b, limit)
    }
    fn global_personas(&mut self) -> Result<String, StoreError> {
        self.0.global_personas()
    }
}

impl PickerHost for SummaryHost {
    type Persona = PersonaSummary;

    fn topology_personas(&mut self, id: &str) -> Option<Result<Option<Vec<PersonaSummary>>, StoreError>> {
        let topology = self.0.topologies.get(id).cloned();
        Some(Ok(topology.map(|t| self.summaries(&t.email_personas, t.language_default.as_deref().unwrap_or("en")))))
    }
    fn global_pool_personas(&mut self) -> Option<Result<Vec<PersonaSummary>, StoreError>> {
        Some(Ok(self.summaries(&self.0.global_personas, "en")))
    }
    fn fills_in_decky(&self) -> bool {
        true
    }
    fn local_now(&mut self) -> NaiveDateTime {
        self.0.local_now()
    }
    fn log(&mut self, level: LogLevel, message: &str) {
        self.0.log(level, message)
    }
}

/// Picking on the host's summaries decides exactly what picking on whole
/// personas parsed by the policy decides: same decky, same positions, same
/// thread, for every seed; and the JSON is never fetched.
#[test]
fn summaries_from_the_host_pick_what_whole_personas_pick() {
    let people = json!([
        persona("A", "a@x.io"),
        {"name": "Night", "email": "n@x.io", "role": "ops", "active_hours": "22:30-06:15", "reply_latency": "slow"},
        persona("Dup", "a@x.io"),
        {"name": "Bad", "email": "no-at", "role": "r"},
        {"name": "Early", "email": "e@x.io", "role": "r", "active_hours": "05:00-11:00", "reply_latency": "fast"},
        persona("C", "c@x.io"),
    ]);
    let mut whole = company(people.clone(), None);
    whole.deckies.push(decky("fleet-mx", &["pop3"], Some("fleet"), None));
    whole.global_personas = people.to_string();
    whole.threads = vec![ThreadRow {
        thread_id: "t-1".into(),
        message_id: "<m1@x.io>".into(),
        subject: "Re: plans".into(),
        references: vec!["<m0@x.io>".into()],
    }];
    let mut summarised = SummaryHost(whole.clone());
    let (mut on_whole, mut on_summaries) = (Picker::<Persona>::default(), Picker::<PersonaSummary>::default());
    let (mut replies, mut skips) = (0, 0);
    for seed in 0..200 {
        for hour in [3, 10, 23] {
            let options = PickOptions { now: Some(at(hour, 0)), ..seeded(seed) };
            let expected = on_whole.pick(&mut whole, &options);
            let got = on_summaries.pick(&mut summarised, &options);
            match (expected, got) {
                (Outcome::Action { action: e }, Outcome::Action { action: g }) => {
                    replies += usize::from(e.is_reply);
                    // The host fills these in; the pick does not copy them.
                    assert!(!e.mail_decky_name.is_empty() && g.mail_decky_name.is_empty());
                    assert!(!e.mail_decky_services.is_empty() && g.mail_decky_services.is_empty());
                    assert_eq!(
                        (e.mail_decky_uuid, e.sender.position, e.recipient.position, e.thread_id, e.context_hint),
                        (g.mail_decky_uuid, g.sender.position, g.recipient.position, g.thread_id, g.context_hint),
                        "seed {seed} at {hour}:00"
                    );
                }
                (Outcome::Skip { reason: e }, Outcome::Skip { reason: g }) => {
                    skips += 1;
                    assert_eq!(e, g, "seed {seed}");
                }
                (e, g) => panic!("seed {seed} at {hour}:00: {e:?} vs {g:?}"),
            }
        }
    }
    assert!(replies > 50 && skips > 50, "both kinds decided: {replies} replies, {skips} skips");
    assert_eq!(summarised.0.count("get-topology") + summarised.0.count("global-personas"), 0);
}

mod random_access;

#[test]
fn there_are_sixteen_distinct_hints() {
    let mut hints = CONTEXT_HINTS.to_vec();
    hints.sort();
    hints.dedup();
    assert_eq!(hints.len(), 16);
}

/// The kit's native runner, on the sample scenarios: the default policy
/// decides what each sample expects, without Wasm.
mod samples {
    use emailgen_policy::testing::ScenarioRun;
    use serde_json::Value;

    use super::DefaultPolicy;

    #[test]
    fn every_sample_decides_as_expected_natively() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scenarios/samples");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let expect: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let expect = &expect["expect"];
            let mut run = ScenarioRun::<DefaultPolicy>::load(&path).unwrap();
            let outcome = serde_json::to_value(run.pick()).unwrap();
            assert_eq!(outcome["outcome"], expect["outcome"], "{}", path.display());
            for (field, value) in expect["action"].as_object().into_iter().flatten() {
                assert_eq!(&outcome["action"][field], value, "{} {field}", path.display());
            }
            if let Some(kind) = expect["reason"].get("kind") {
                assert_eq!(&outcome["reason"]["kind"], kind, "{}", path.display());
            }
            seen += 1;
        }
        assert!(seen >= 9);
    }
}
