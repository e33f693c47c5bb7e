//! Containment: hostile policies, limits, capabilities and output checks.
//! Each hostile pick must end as an error of the right kind, quickly, and
//! leave the host able to pick normally.

use std::collections::BTreeSet;

use crate::common::fixtures::build_fixture;
use crate::common::hostile::*;
use crate::common::*;
use emailgen_host::sandbox::DEFAULT_INSTRUCTIONS;
use emailgen_host::{ErrorKind, LoadError, PickOptions, Policy};
use emailgen_picker::ThreadRow;

use hostile_policy::seeds;

#[test]
fn an_endless_loop_runs_out_of_its_instruction_budget() {
    let (outcome, elapsed) = hostile_pick(seeds::LOOP_FOREVER);
    let says = format!("instruction budget: it executed {DEFAULT_INSTRUCTIONS} instructions");
    assert_error(&outcome, ErrorKind::Instructions, &says);
    assert!(elapsed < STOPPED_WITHIN, "took {elapsed:?}");
}

/// What a pick computes decides its fate, not how busy the machine is: the
/// same pick on a fresh instance executes the same instructions every time,
/// and runs out of its budget at the same one.
#[test]
fn the_same_pick_costs_the_same_instructions_every_time() {
    let (mail, _) = shared(office());
    let fresh = |seed| hostile().pick_fresh(mail.clone(), fixed_clock(at(10, 0)), &seeded(seed));
    let looping: Vec<_> = (0..3).map(|_| fresh(seeds::LOOP_FOREVER)).collect();
    assert!(looping.iter().all(|p| p.fresh && p.instructions == DEFAULT_INSTRUCTIONS), "{looping:?}");
    assert!(looping.windows(2).all(|pair| pair[0] == pair[1]));
    let normal: Vec<_> = (0..3).map(|_| fresh(seeds::NORMAL)).collect();
    assert!(normal[0].action().is_some() && normal[0].instructions > 0);
    assert!(normal.windows(2).all(|pair| pair[0] == pair[1]), "{normal:?}");
    // A warm instance's pick costs less: it starts no instance and reuses
    // what it kept.
    let mut warm = hostile().instance(mail, fixed_clock(at(10, 0)));
    warm.pick(&seeded(seeds::NORMAL));
    let again = warm.pick(&seeded(seeds::NORMAL));
    assert!(!again.fresh && again.instructions < normal[0].instructions, "{again:?}");
}

#[test]
fn exhausting_memory_is_a_memory_error() {
    let (outcome, elapsed) = hostile_pick_on(unhurried_hostile(), seeds::EXHAUST_MEMORY);
    assert_error(&outcome, ErrorKind::Memory, "memory limit of 33554432 bytes");
    assert!(elapsed < STOPPED_WITHIN, "took {elapsed:?}");
}

#[test]
fn a_stack_overflow_is_a_trap() {
    // Rust guests keep their frames on a shadow stack at the bottom of linear
    // memory, so overflowing it shows as an out-of-bounds access; deep native
    // recursion hits `max_wasm_stack`. Either way the pick is a trap.
    let (outcome, _) = hostile_pick(seeds::OVERFLOW_STACK);
    assert_error(&outcome, ErrorKind::Trap, "trapped");
}

#[test]
fn a_panic_is_a_trap() {
    let (outcome, _) = hostile_pick(seeds::PANIC);
    assert_error(&outcome, ErrorKind::Trap, "trapped");
}

#[test]
fn an_import_storm_is_a_policy_violation() {
    let (outcome, elapsed) = hostile_pick(seeds::IMPORT_STORM);
    assert_error(&outcome, ErrorKind::PolicyViolation, "list-running-deckies called more than");
    assert!(elapsed < STOPPED_WITHIN, "took {elapsed:?}");
}

#[test]
fn forged_actions_are_policy_violations() {
    for (seed, mentions) in [
        (seeds::UNKNOWN_DECKY, "not a listed mail decky"),
        (seeds::FOREIGN_SENDER, "entry 1000000 of the persona list"),
        (seeds::SELF_ADDRESSED, "sender"),
        (seeds::INVENTED_THREAD, "never returned"),
        (seeds::HUGE_STRING, "more than 1048576 bytes"),
    ] {
        let (outcome, _) = hostile_pick(seed);
        assert_error(&outcome, ErrorKind::PolicyViolation, mentions);
    }
}

/// A fresh instance is given one mail decky by position; naming another
/// one, which exists but was neither listed nor given this pick, is forged.
#[test]
fn a_decky_that_was_not_given_is_refused_even_if_it_exists() {
    let mut store = office();
    store.deckies.push(decky("mx2", &["imap"], Some("topology"), Some("t1")));
    let (mail, concrete) = shared(store);
    let outcome = hostile().pick_fresh(mail, fixed_clock(at(10, 0)), &seeded(seeds::UNGIVEN_DECKY));
    assert_error(&outcome, ErrorKind::PolicyViolation, "not a listed mail decky");
    assert_calls(&concrete, &[("list-running-deckies", 1)]);
}

#[test]
fn chatty_output_and_log_storms_are_bounded_not_fatal() {
    // Two thousand writes take a while in a debug build on a busy machine:
    // this is about output, not time, so the deadline is a second away.
    for seed in [seeds::CHATTY, seeds::LOG_STORM] {
        let (outcome, _) = hostile_pick_on(unhurried_hostile(), seed);
        assert!(outcome.action().is_some(), "seed {seed}: {}", outcome.to_json());
    }
}

#[test]
fn a_forged_action_on_a_mail_decky_of_another_source_is_refused() {
    // A fleet decky is served the global pool: the topology's personas are
    // not valid for it even though they exist.
    let mut store = office();
    store.deckies.push(decky("fleet-mx", &["imap"], Some("fleet"), None));
    store.global_personas = people(2).to_string();
    let (mail, _) = shared(store);
    let mut instance = hostile().instance(mail, fixed_clock(at(10, 0)));
    for seed in 100..140 {
        let outcome = instance.pick(&seeded(seed));
        assert!(!outcome.is_error(), "{}", outcome.to_json());
    }
}

#[test]
fn the_default_component_imports_only_what_it_needs() {
    let engine = engine();
    let component =
        wasmtime::component::Component::new(engine.engine(), emailgen_host::policy::DEFAULT_POLICY_WASM).unwrap();
    let imports: BTreeSet<String> = component
        .component_type()
        .imports(engine.engine())
        .map(|(name, _)| name.split('@').next().unwrap().to_owned())
        .collect();
    let expected: BTreeSet<String> = [
        "decnet:emailgen/types",
        "decnet:emailgen/store",
        "decnet:emailgen/clock",
        "decnet:emailgen/log",
        "wasi:io/poll",
        "wasi:io/error",
        "wasi:io/streams",
        "wasi:random/random",
        "wasi:cli/stdout",
        "wasi:cli/stderr",
        "wasi:cli/stdin",
        "wasi:cli/environment",
        "wasi:cli/exit",
        "wasi:cli/terminal-input",
        "wasi:cli/terminal-output",
        "wasi:cli/terminal-stdin",
        "wasi:cli/terminal-stdout",
        "wasi:cli/terminal-stderr",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(imports, expected);
    assert!(imports.iter().all(|i| !i.starts_with("wasi:filesystem") && !i.starts_with("wasi:sockets")));
}

#[test]
fn a_component_that_imports_the_filesystem_is_refused_at_load() {
    let path = build_fixture("hostile-policy", &["filesystem"], "hostile_filesystem.wasm");
    match Policy::from_file(&engine(), &path) {
        Err(err @ LoadError::ForbiddenImport { .. }) => {
            assert!(err.to_string().contains("wasi:filesystem"), "{err}");
        }
        Err(other) => panic!("refused for the wrong reason: {other}"),
        Ok(_) => panic!("a policy importing the filesystem was accepted"),
    }
}

#[test]
fn store_failure_is_an_error_through_a_hostile_build_too() {
    let mut store = office();
    store.failing = Some("list-running-deckies");
    let (mail, _) = shared(store);
    let outcome = hostile().pick_fresh(mail, fixed_clock(at(10, 0)), &seeded(seeds::NORMAL));
    assert_error(&outcome, ErrorKind::Store, "list-running-deckies");
}

#[test]
fn thread_lookups_are_capped_by_the_host() {
    let mut store = office();
    store.threads = (0..500).map(|i| ThreadRow { thread_id: format!("t{i}"), ..Default::default() }).collect();
    let (mail, concrete) = shared(store);
    let options = PickOptions { reply_probability: Some(1.0), ..seeded(3) };
    let outcome = default_policy().pick_fresh(mail, fixed_clock(at(10, 0)), &options);
    assert_eq!(outcome.action().unwrap().thread_id, "t0");
    assert_eq!(concrete.lock().unwrap().count("list-email-threads"), 1);
}

#[test]
fn the_cli_exits_one_when_a_pick_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("office.json");
    let store = office();
    let topology = &store.topologies["t1"];
    let content = serde_json::json!({
        "now": "2026-04-27T10:00:00",
        "deckies": [{"uuid": "mx1", "name": "mx1-host", "services": ["imap", "smtp"], "source": "topology", "topology_id": "t1"}],
        "topologies": {"t1": {"id": "t1", "email_personas": topology.email_personas, "language_default": "en"}},
    });
    std::fs::write(&scenario, content.to_string()).unwrap();
    let run = |seed: u64| {
        std::process::Command::new(harness_binary())
            .args(["pick", "--scenario", scenario.to_str().unwrap(), "--policy", hostile_path().to_str().unwrap()])
            .args(["--seed", &seed.to_string(), "--repeat", "2"])
            .output()
            .unwrap()
    };
    // Seeds 4 and 5: a panic, then an import storm.
    let failing = run(seeds::PANIC);
    assert_eq!(failing.status.code(), Some(1));
    let lines: Vec<serde_json::Value> =
        String::from_utf8_lossy(&failing.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2, "every pick still prints its line");
    assert_eq!(lines[0]["error"]["kind"], "trap");
    assert_eq!(lines[1]["error"]["kind"], "policy-violation");
    let fine = run(seeds::NORMAL);
    assert_eq!(fine.status.code(), Some(0), "{}", String::from_utf8_lossy(&fine.stderr));
}

#[test]
fn deeply_nested_persona_json_is_handled_on_the_guests_small_stack() {
    for depth in [100, 127, 128, 5000] {
        let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let mut store = office();
        let text = format!(
            r#"[{{"name": "A", "email": "a@x.io", "role": "r", "mannerisms": {nested}}}, {{"name": "B", "email": "b@x.io", "role": "r"}}, {{"name": "C", "email": "c@x.io", "role": "r"}}]"#
        );
        store.add_topology("t1", text, Some("en"));
        let outcome = wasm_pick(&store, &seeded(1));
        // Values are skipped without recursion and each entry is read on
        // its own, so at any depth only the nested entry is invalid (Python
        // reads up to its recursion limit, about 1000 levels, and drops the
        // entry too). Never a trap, never a whole list lost.
        assert_eq!(outcome, native_pick(&store, &seeded(1)), "depth {depth}");
        let a = outcome.action().unwrap_or_else(|| panic!("depth {depth}: {}", outcome.to_json()));
        assert!(a.sender.email != "a@x.io" && a.recipient.email != "a@x.io", "the nested entry is invalid");
    }
}
