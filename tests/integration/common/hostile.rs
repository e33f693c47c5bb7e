//! The hostile policy fixture and how the containment tests run it.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use emailgen_host::{ErrorKind, Limits, PickOutcome, PickerEngine, Policy};
use emailgen_picker::ThreadRow;
use hostile_policy::seeds;

use super::fixtures::build_fixture;
use super::*;

/// The hostile policy's component, built once per test binary.
pub fn hostile_path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| build_fixture("hostile-policy", &[], "hostile.wasm"))
}

pub fn hostile() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| Policy::from_file(&engine(), hostile_path()).expect("the hostile fixture loads"))
}

/// The hostile policy on an engine whose limits of time and instructions
/// are far away, for a limit other than those: filling 32 MiB or building a
/// million-entry list takes more than a small instruction budget,
/// and the pick would then end there before it reached the limit tested.
pub fn unhurried_hostile() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| hostile_under(Limits { instructions: UNHURRIED_INSTRUCTIONS, ..Limits::default() }))
}

/// The instruction budget of [`unhurried_hostile`]; the CLI's
/// `--instructions` for the same.
pub const UNHURRIED_INSTRUCTIONS: u64 = 2_000_000_000;

/// The hostile policy on an engine of its own, with these limits.
pub fn hostile_under(limits: Limits) -> Policy {
    let engine = PickerEngine::new(limits).unwrap();
    Policy::from_file(&engine, hostile_path()).expect("the hostile fixture loads")
}

/// Three personas on `mx1`, and one thread between any pair.
pub fn office() -> TestStore {
    let mut store = company(people(3));
    store.threads = vec![ThreadRow {
        thread_id: "th-1".into(),
        message_id: "<m1@acme.example>".into(),
        subject: "Plans".into(),
        references: vec!["<m0@acme.example>".into()],
    }];
    store
}

/// Runs one hostile pick on a warm instance, then checks that the same
/// instance and the default policy both pick normally afterwards.
pub fn hostile_pick(seed: u64) -> (PickOutcome, Duration) {
    hostile_pick_on(hostile(), seed)
}

pub fn hostile_pick_on(hostile: &Policy, seed: u64) -> (PickOutcome, Duration) {
    let (mail, _) = shared(office());
    let mut instance = hostile.instance(mail.clone(), fixed_clock(at(10, 0)));
    assert!(instance.pick(&seeded(seeds::NORMAL)).action().is_some(), "warm-up pick");
    let started = Instant::now();
    let outcome = instance.pick(&seeded(seed)).outcome;
    let elapsed = started.elapsed();
    let after = instance.pick(&seeded(seeds::NORMAL));
    assert!(after.action().is_some(), "the next pick after seed {seed} must succeed: {}", after.to_json());
    let default = default_policy().pick_fresh(mail, fixed_clock(at(10, 0)), &seeded(1));
    assert!(default.action().is_some(), "the default policy must be unharmed");
    (outcome, elapsed)
}

pub fn assert_error(outcome: &PickOutcome, kind: ErrorKind, mentions: &str) {
    match outcome {
        PickOutcome::Error { error } => {
            assert_eq!(error.kind, kind, "{}", error.message);
            assert!(error.message.contains(mentions), "message {:?} should mention {mentions:?}", error.message);
            assert!(!error.message.contains("backtrace"), "the cause, not the backtrace: {:?}", error.message);
        }
        other => panic!("expected a {kind:?} error, got {}", other.to_json()),
    }
}

/// Generous: the deadline is 50 ms; this only proves the pick was stopped,
/// not how fast (the `escape_times` bench of `host-harness-benches` measures that).
pub const STOPPED_WITHIN: Duration = Duration::from_secs(2);

/// The `host-harness` binary next to this test's executable. Another
/// package's binary: `cargo test --workspace` builds it, `cargo test -p
/// emailgen-picker` alone does not (then build it first).
pub fn harness_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let binary = exe.parent().unwrap().parent().unwrap().join("host-harness");
    assert!(binary.exists(), "{} is not built: run `cargo build -p host-harness` first", binary.display());
    binary
}
