//! Shared fixtures for the harness-driven tests: a store with failure
//! injection, a fixed clock, and the default policy on a test engine.

#![allow(dead_code)]

pub mod fixtures;
pub mod hostile;

use std::sync::{Arc, Mutex, OnceLock};

use chrono::{NaiveDate, NaiveDateTime};
use emailgen_host::{Clock, Limits, PickOptions, PickOutcome, PickerEngine, Policy, SharedMailStore};
use emailgen_picker::{Decky, MemoryHost};
use serde_json::{json, Value};

/// The in-memory store the tests serve; it can fail one import and records
/// every call.
pub type TestStore = MemoryHost;

/// One topology mail decky `mx1` on topology `t1` with these personas, at
/// 10:00 on a Monday.
pub fn company(personas: Value) -> TestStore {
    let mut store = MemoryHost { now: at(10, 0), ..Default::default() };
    store.deckies.push(decky("mx1", &["imap", "smtp"], Some("topology"), Some("t1")));
    store.add_topology("t1", personas.to_string(), Some("en"));
    store
}

pub fn decky(uuid: &str, services: &[&str], source: Option<&str>, topology: Option<&str>) -> Decky {
    Decky {
        uuid: uuid.into(),
        name: format!("{uuid}-host"),
        services: services.iter().map(|s| s.to_string()).collect(),
        topology_id: topology.map(Into::into),
        source: source.map(Into::into),
    }
}

pub fn persona(name: &str, email: &str) -> Value {
    json!({"name": name, "email": email, "role": "Staff", "tone": "casual"})
}

pub fn people(n: usize) -> Value {
    json!((0..n).map(|i| persona(&format!("P{i}"), &format!("p{i}@acme.example"))).collect::<Vec<_>>())
}

pub fn at(hour: u32, minute: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 4, 27).unwrap().and_hms_opt(hour, minute, 0).unwrap()
}

pub fn fixed_clock(now: NaiveDateTime) -> Clock {
    Arc::new(move || now)
}

pub fn seeded(seed: u64) -> PickOptions {
    PickOptions { seed: Some(seed), now: Some(at(10, 0)), reply_probability: None }
}

/// One engine and the default policy, compiled once per test binary.
pub fn default_policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| Policy::builtin(&engine()).expect("the built-in policy loads"))
}

pub fn engine() -> PickerEngine {
    static ENGINE: OnceLock<PickerEngine> = OnceLock::new();
    ENGINE.get_or_init(|| PickerEngine::new(Limits::default()).unwrap()).clone()
}

pub fn shared(store: TestStore) -> (SharedMailStore, Arc<Mutex<TestStore>>) {
    let concrete = Arc::new(Mutex::new(store));
    (concrete.clone(), concrete)
}

/// Asserts how many times the store answered each import.
pub fn assert_calls(store: &Mutex<TestStore>, expected: &[(&str, usize)]) {
    let store = store.lock().unwrap();
    for (import, times) in expected {
        assert_eq!(store.count(import), *times, "{import}: {:?}", store.calls);
    }
}

/// One pick through the Wasm policy on a fresh instance.
pub fn wasm_pick(store: &TestStore, options: &PickOptions) -> PickOutcome {
    let (mail, _) = shared(store.clone());
    default_policy().pick_fresh(mail, fixed_clock(at(10, 0)), options).outcome
}

/// The same pick through the native build of the same logic.
pub fn native_pick(store: &TestStore, options: &PickOptions) -> PickOutcome {
    emailgen_picker::Picker::default().pick(&mut store.clone(), options)
}

pub fn action(outcome: impl Into<PickOutcome>) -> emailgen_picker::EmailAction {
    match outcome.into() {
        PickOutcome::Action { action } => action,
        other => panic!("expected an action, got {}", other.to_json()),
    }
}

pub fn skip(outcome: impl Into<PickOutcome>) -> emailgen_picker::SkipReason {
    match outcome.into() {
        PickOutcome::Skip { reason } => reason,
        other => panic!("expected a skip, got {}", other.to_json()),
    }
}
