use chrono::{NaiveDate, NaiveDateTime};
use emailgen_policy::{Decky, EmailAction, MemoryHost, PickOptions, ThreadRow};
use serde_json::{json, Value};

use super::*;

/// 2026-04-27 is a Monday; 2026-05-02 a Saturday.
fn on(day: u32, hour: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 4, 27).unwrap().and_hms_opt(hour, 0, 0).unwrap() + chrono::Days::new(day as u64)
}

fn decky(uuid: &str, topology: &str) -> Decky {
    Decky {
        uuid: uuid.into(),
        name: uuid.into(),
        services: vec!["imap".into()],
        topology_id: Some(topology.into()),
        source: Some("topology".into()),
    }
}

fn persona(name: &str, latency: &str) -> Value {
    json!({"name": name, "email": format!("{}@acme.example", name.to_lowercase()), "role": "Staff", "reply_latency": latency})
}

fn office(latency: &str) -> MemoryHost {
    let mut host = MemoryHost { now: on(0, 10), ..Default::default() };
    host.deckies.push(decky("mx-good", "good"));
    host.add_topology("good", json!([persona("Ana", latency), persona("Bo", latency)]).to_string(), None);
    host.threads.push(ThreadRow { thread_id: "t".into(), message_id: "<m@acme.example>".into(), ..Default::default() });
    host
}

fn options(seed: u64, now: NaiveDateTime) -> PickOptions {
    PickOptions { seed: Some(seed), now: Some(now), reply_probability: None }
}

fn action(outcome: Outcome) -> EmailAction {
    match outcome {
        Outcome::Action { action } => action,
        other => panic!("expected an action, got {other:?}"),
    }
}

#[test]
fn a_broken_topology_does_not_skip_the_tick() {
    let mut host = office("normal");
    host.deckies.insert(0, decky("mx-broken", "broken"));
    host.add_topology("broken", "[{\"name\": \"only one\"}]", None);
    host.deckies.insert(0, decky("mx-missing", "nowhere"));
    for seed in 0..50 {
        assert_eq!(action(Realistic::default().pick(&mut host, &options(seed, on(0, 10)))).mail_decky_uuid, "mx-good");
    }
}

#[test]
fn when_every_decky_skips_the_first_skip_is_returned() {
    let mut host = office("normal");
    let night = options(1, on(0, 3));
    match Realistic::default().pick(&mut host, &night) {
        Outcome::Skip { reason: SkipReason::TooFewActive(s) } => {
            assert_eq!((s.mail_decky_uuid.as_str(), s.count), ("mx-good", 0))
        }
        other => panic!("{other:?}"),
    }
    host.deckies.clear();
    assert_eq!(Realistic::default().pick(&mut host, &night), Outcome::Skip { reason: SkipReason::NoMailDecky });
}

#[test]
fn no_mail_on_weekends() {
    let mut host = office("normal");
    for (day, workday) in [(0, true), (4, true), (5, false), (6, false), (7, true)] {
        let outcome = Realistic::default().pick(&mut host, &options(3, on(day, 10)));
        assert_eq!(matches!(outcome, Outcome::Action { .. }), workday, "day {day}: {outcome:?}");
        if !workday {
            let Outcome::Skip { reason: SkipReason::TooFewActive(s) } = outcome else { panic!() };
            assert_eq!(s.count, 0);
        }
    }
    // A weekend tick does not even read personas.
    let mut host = office("normal");
    Realistic::default().pick(&mut host, &options(3, on(5, 10)));
    assert_eq!(host.count("get-topology"), 0);
}

fn reply_ratio(latency: &str, override_p: Option<f64>) -> f64 {
    let mut host = office(latency);
    let mut policy = Realistic::default();
    let picks = 4000;
    let replies = (0..picks)
        .filter(|seed| {
            let opts = PickOptions { reply_probability: override_p, ..options(*seed, on(0, 10)) };
            action(policy.pick(&mut host, &opts)).is_reply
        })
        .count();
    replies as f64 / picks as f64
}

#[test]
fn reply_probability_follows_the_senders_latency() {
    for (latency, expected) in [("fast", 0.8), ("normal", 0.6), ("slow", 0.35)] {
        let ratio = reply_ratio(latency, None);
        assert!((ratio - expected).abs() < 0.03, "{latency}: {ratio} vs {expected}");
    }
}

#[test]
fn a_callers_override_wins() {
    assert!((reply_ratio("fast", Some(0.1)) - 0.1).abs() < 0.03);
    assert_eq!(reply_ratio("slow", Some(1.0)), 1.0);
}

#[test]
fn decky_order_is_random_and_uniform() {
    let mut host = office("normal");
    for i in 0..3 {
        host.deckies.push(decky(&format!("mx-{i}"), "good"));
    }
    let mut counts = std::collections::HashMap::new();
    for seed in 0..4000 {
        *counts
            .entry(action(Realistic::default().pick(&mut host, &options(seed, on(0, 10)))).mail_decky_uuid)
            .or_insert(0) += 1;
    }
    assert_eq!(counts.len(), 4);
    assert!(counts.values().all(|c| (*c as f64 - 1000.0).abs() < 150.0), "{counts:?}");
}

#[test]
fn store_failures_are_errors() {
    let mut host = office("normal");
    host.failing = Some("get-topology");
    let outcome = Realistic::default().pick(&mut host, &options(1, on(0, 10)));
    assert!(matches!(outcome, Outcome::Error { error } if error.message.contains("get-topology")));
}
