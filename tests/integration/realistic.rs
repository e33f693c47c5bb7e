//! The realistic policy through the real component: its rules hold in Wasm
//! and match its native build.

use std::sync::OnceLock;

use crate::common::*;
use chrono::NaiveDate;
use emailgen_host::{PickOptions, PickOutcome, Policy};
use emailgen_picker::{SkipReason, ThreadRow};
use serde_json::json;

fn realistic() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| Policy::named_builtin(&engine(), "realistic").unwrap())
}

fn wasm(store: &TestStore, options: &PickOptions) -> PickOutcome {
    let (mail, _) = shared(store.clone());
    realistic().pick_fresh(mail, fixed_clock(at(10, 0)), options).outcome
}

fn native(store: &TestStore, options: &PickOptions) -> PickOutcome {
    realistic_policy::Realistic::default().pick(&mut store.clone(), options)
}

fn saturday() -> PickOptions {
    let now = NaiveDate::from_ymd_opt(2026, 5, 2).unwrap().and_hms_opt(11, 0, 0).unwrap();
    PickOptions { now: Some(now), ..seeded(1) }
}

fn mixed_office() -> TestStore {
    let mut store = company(json!([
        {"name": "Fay", "email": "fay@acme.example", "role": "Ops", "reply_latency": "fast"},
        {"name": "Sol", "email": "sol@acme.example", "role": "Legal", "reply_latency": "slow"},
        {"name": "Nor", "email": "nor@acme.example", "role": "Sales"},
    ]));
    store.deckies.insert(0, decky("broken-mx", &["imap"], Some("topology"), Some("missing")));
    store.threads =
        vec![ThreadRow { thread_id: "t".into(), message_id: "<m@acme.example>".into(), ..Default::default() }];
    store
}

#[test]
fn the_realistic_component_loads_and_names_itself() {
    assert_eq!(realistic().id().name, "realistic");
    assert_eq!(realistic().id().wit_version, "0.2.2");
    assert_ne!(realistic().id().sha256, default_policy().id().sha256);
}

#[test]
fn weekends_are_quiet_through_wasm() {
    let outcome = wasm(&mixed_office(), &saturday());
    assert!(
        matches!(outcome, PickOutcome::Skip { reason: SkipReason::TooFewActive(ref s) } if s.count == 0),
        "{}",
        outcome.to_json()
    );
}

#[test]
fn a_broken_topology_is_passed_over_through_wasm() {
    for seed in 0..30 {
        let a = action(wasm(&mixed_office(), &seeded(seed)));
        assert_eq!(a.mail_decky_uuid, "mx1");
    }
}

#[test]
fn wasm_and_native_builds_agree() {
    let store = mixed_office();
    for seed in 0..40 {
        assert_eq!(wasm(&store, &seeded(seed)), native(&store, &seeded(seed)), "seed {seed}");
    }
    assert_eq!(wasm(&store, &saturday()), native(&store, &saturday()));
}
