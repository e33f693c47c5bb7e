//! Hot-swapping policies: atomic promotion under load, rejection of bad
//! candidates, rollback, the version check and the precompiled cache.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread;

use crate::common::fixtures::build_fixture;
use crate::common::*;
use emailgen_host::policy::{DEFAULT_POLICY_WASM, REALISTIC_POLICY_WASM};
use emailgen_host::{CacheUse, Canary, CompileCache, LoadError, PickOutcome, Policy, PolicySlot, SwapError};
use emailgen_picker::SkipReason;
use hostile_policy::seeds;

fn realistic() -> Policy {
    Policy::named_builtin(&engine(), "realistic").unwrap()
}

fn canary(store: &TestStore, seed: u64) -> Canary {
    let (mail, _) = shared(store.clone());
    Canary { mail, clock: fixed_clock(at(10, 0)), options: seeded(seed) }
}

fn hostile() -> Policy {
    static PATH: OnceLock<std::path::PathBuf> = OnceLock::new();
    let path = PATH.get_or_init(|| build_fixture("hostile-policy", &[], "hostile.wasm"));
    Policy::from_file(&engine(), path).unwrap()
}

#[test]
fn swapping_under_load_loses_nothing_and_attributes_everything() {
    let slot = Arc::new(PolicySlot::new(default_policy().clone(), 3));
    let store = company(people(6));
    let (mail, _) = shared(store.clone());
    let known = [default_policy().id().sha256.clone(), realistic().id().sha256.clone()];
    // The generation of the last completed swap: a pick that starts after a
    // swap returned must run on that generation or a later one.
    let completed = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let (slot, mail, completed, stop, known) =
                (slot.clone(), mail.clone(), completed.clone(), stop.clone(), known.clone());
            thread::spawn(move || {
                let mut worker = slot.worker(mail, fixed_clock(at(10, 0)));
                let mut picks = 0u64;
                while !stop.load(Ordering::SeqCst) {
                    let at_least = completed.load(Ordering::SeqCst);
                    let picked = worker.pick(&seeded(w * 1_000_000 + picks));
                    assert!(picked.outcome.action().is_some(), "{}", picked.outcome.to_json());
                    assert!(known.contains(&picked.policy.sha256), "unknown policy {:?}", picked.policy);
                    assert!(picked.generation >= at_least, "a pick ran on a replaced policy");
                    picks += 1;
                }
                picks
            })
        })
        .collect();
    let mut candidates = [realistic(), default_policy().clone()].into_iter().cycle();
    for _ in 0..40 {
        let generation = slot.swap(candidates.next().unwrap(), &canary(&store, 1)).map(|_| slot.active().1).unwrap();
        completed.store(generation, Ordering::SeqCst);
        thread::sleep(std::time::Duration::from_millis(2));
    }
    stop.store(true, Ordering::SeqCst);
    let picks: u64 = workers.into_iter().map(|w| w.join().expect("no worker panics")).sum();
    assert!(picks > 100, "only {picks} picks ran");
    assert_eq!(slot.active().1, 40);
}

fn assert_refused(slot: &PolicySlot, result: Result<emailgen_host::PolicyId, SwapError>, mentions: &str) {
    let before = default_policy().id().clone();
    let err = result.expect_err("the candidate must be refused");
    assert!(err.to_string().contains(mentions), "reason {err} should mention {mentions:?}");
    assert_eq!(slot.active().0.id(), &before, "the old policy stays active");
    assert_eq!(slot.active().1, 0);
}

fn load_then_swap(slot: &PolicySlot, bytes: &[u8]) -> Result<emailgen_host::PolicyId, SwapError> {
    let candidate = Policy::from_bytes(&engine(), "candidate", bytes)?;
    slot.swap(candidate, &canary(&company(people(2)), 1))
}

#[test]
fn bad_candidates_are_refused_and_the_old_policy_kept() {
    let slot = PolicySlot::new(default_policy().clone(), 3);
    let corrupt = &DEFAULT_POLICY_WASM[..DEFAULT_POLICY_WASM.len() / 2];
    assert_refused(&slot, load_then_swap(&slot, corrupt), "not a valid WebAssembly component");
    let core_module = b"\0asm\x01\0\0\0";
    assert_refused(&slot, load_then_swap(&slot, core_module), "not a valid WebAssembly component");
    let other_world = std::fs::read(build_fixture("other-world", &[], "other_world.wasm")).unwrap();
    assert_refused(&slot, load_then_swap(&slot, &other_world), "does not fit the picker world");
    let newer = with_wit_version(DEFAULT_POLICY_WASM, b"0.2.2", b"0.3.0");
    assert_refused(&slot, load_then_swap(&slot, &newer), "decnet:emailgen@0.3.0");
    // A hostile policy whose canary pick panics.
    let (mail, _) = shared(company(people(2)));
    let panicking = Canary { mail, clock: fixed_clock(at(10, 0)), options: seeded(seeds::PANIC) };
    assert_refused(&slot, slot.swap(hostile(), &panicking), "canary pick of hostile failed");
}

/// The default component with its `decnet:emailgen` interfaces renamed to
/// another version (same length, so the binary stays well-formed).
fn with_wit_version(component: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut bytes = component.to_vec();
    for interface in ["types", "store", "clock", "log"] {
        let old = [format!("decnet:emailgen/{interface}@").as_bytes(), from].concat();
        let new = [format!("decnet:emailgen/{interface}@").as_bytes(), to].concat();
        let mut i = 0;
        while let Some(at) = bytes[i..].windows(old.len()).position(|w| w == old.as_slice()) {
            bytes[i + at..i + at + old.len()].copy_from_slice(&new);
            i += at + old.len();
        }
    }
    bytes
}

#[test]
fn version_check_names_both_versions() {
    // Built against the 0.1 contract (actions carried whole personas) or a
    // future 0.3: both refused, naming both versions.
    for other in [b"0.1.0", b"0.3.0"] {
        let renamed = with_wit_version(DEFAULT_POLICY_WASM, b"0.2.2", other);
        match Policy::from_bytes(&engine(), "other", &renamed) {
            Err(err @ LoadError::IncompatibleVersion { .. }) => {
                let message = err.to_string();
                let other = std::str::from_utf8(other).unwrap();
                assert!(message.contains(other) && message.contains("0.2.2"), "{message}");
            }
            Err(wrong) => panic!("refused for the wrong reason: {wrong}"),
            Ok(_) => panic!("an incompatible policy was accepted"),
        }
    }
    // A newer patch release of the same minor is compatible.
    let patch = with_wit_version(DEFAULT_POLICY_WASM, b"0.2.2", b"0.2.9");
    let policy = Policy::from_bytes(&engine(), "patch", &patch).expect("0.2.9 is compatible with 0.2.2");
    assert_eq!(policy.id().wit_version, "0.2.9");
}

/// A policy built against 0.2.0 imports none of what 0.2.1 and 0.2.2 added; it loads
/// and its imports are answered as before.
#[test]
fn a_policy_built_against_0_2_0_still_loads_and_picks() {
    let path = build_fixture("policy-v0-2-0", &[], "policy_v0_2_0.wasm");
    let policy = Policy::from_file(&engine(), &path).expect("a 0.2.0 policy loads in a 0.2.2 host");
    assert_eq!(policy.id().wit_version, "0.2.0");
    let store = company(people(3));
    let text = store.topologies["t1"].email_personas.len() as u32;
    let (mail, _) = shared(store);
    match policy.pick_fresh(mail, fixed_clock(at(10, 0)), &seeded(1)).outcome {
        // The fixture reports the length of the topology text it was given.
        PickOutcome::Skip { reason: SkipReason::TooFewPersonas(s) } => {
            assert_eq!((s.count, s.mail_decky_uuid.as_str()), (text, "mx1"))
        }
        other => panic!("unexpected outcome {}", other.to_json()),
    }
}

#[test]
fn rollback_on_demand_and_after_repeated_failures() {
    let slot = PolicySlot::new(default_policy().clone(), 3);
    assert!(matches!(slot.rollback(), Err(SwapError::NoPrevious)));
    let store = company(people(3));
    slot.swap(hostile(), &canary(&store, seeds::NORMAL)).unwrap();
    assert_eq!(slot.active().0.id().name, "hostile");
    let (mail, _) = shared(store);
    let mut worker = slot.worker(mail, fixed_clock(at(10, 0)));
    let failing = seeded(seeds::PANIC);
    assert!(worker.pick(&failing).rolled_back_to.is_none());
    assert!(worker.pick(&seeded(seeds::NORMAL)).outcome.action().is_some(), "a success resets the streak");
    assert!(worker.pick(&failing).rolled_back_to.is_none());
    assert!(worker.pick(&failing).rolled_back_to.is_none());
    let third = worker.pick(&failing);
    assert_eq!(third.policy.name, "hostile");
    assert_eq!(third.rolled_back_to.as_ref().map(|p| p.name.as_str()), Some("default"));
    let next = worker.pick(&seeded(1));
    assert_eq!(next.policy.name, "default");
    assert!(next.outcome.action().is_some());
    // And on demand, back to the hostile one.
    assert_eq!(slot.rollback().unwrap().name, "hostile");
}

#[test]
fn store_outages_do_not_trigger_a_rollback() {
    let slot = PolicySlot::new(default_policy().clone(), 2);
    let mut store = company(people(3));
    slot.swap(realistic(), &canary(&store, 1)).unwrap();
    store.failing = Some("list-running-deckies");
    let (mail, _) = shared(store);
    let mut worker = slot.worker(mail, fixed_clock(at(10, 0)));
    for seed in 0..5 {
        assert!(worker.pick(&seeded(seed)).rolled_back_to.is_none());
    }
    assert_eq!(slot.active().0.id().name, "realistic");
}

#[test]
fn the_precompiled_cache_skips_compilation_for_known_policies() {
    let dir = tempfile::tempdir().unwrap();
    let cache = CompileCache::new(dir.path());
    let (first, used) = cache.load(&engine(), "realistic", REALISTIC_POLICY_WASM).unwrap();
    assert_eq!(used, CacheUse::Miss);
    let (second, used) = cache.load(&engine(), "realistic", REALISTIC_POLICY_WASM).unwrap();
    assert_eq!(used, CacheUse::Hit);
    assert_eq!(first.id(), second.id());
    let store = company(people(3));
    let (mail, _) = shared(store.clone());
    assert_eq!(
        second.pick_fresh(mail, fixed_clock(at(10, 0)), &seeded(5)),
        first.pick_fresh(shared(store).0, fixed_clock(at(10, 0)), &seeded(5))
    );
    // A corrupt entry is ignored and replaced.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        std::fs::write(entry.unwrap().path(), b"garbage").unwrap();
    }
    let (_, used) = cache.load(&engine(), "realistic", REALISTIC_POLICY_WASM).unwrap();
    assert_eq!(used, CacheUse::Miss);
    // Bad components are never cached.
    assert!(cache.load(&engine(), "junk", b"junk").is_err());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}
