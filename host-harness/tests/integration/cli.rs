//! The `host-harness pick` output contract and exit codes (SPEC §7).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

fn harness(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_host-harness")).args(args).env_remove("RUST_LOG").output().unwrap()
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/acme.json")
}

fn scenario_file(dir: &tempfile::TempDir, name: &str, content: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    path.to_string_lossy().into_owned()
}

fn two_person_scenario() -> Value {
    json!({
        "now": "2026-04-27T10:00:00",
        "deckies": [{"uuid": "mx1", "name": "mx1", "services": ["imap"], "source": "topology", "topology_id": "t1"}],
        "topologies": {"t1": {"id": "t1", "email_personas": [
            {"name": "Ana", "email": "ana@acme.example", "role": "CFO"},
            {"name": "Bo", "email": "bo@acme.example", "role": "IT", "tone": "technical"}
        ], "language_default": "en"}}
    })
}

fn lines(output: &Output) -> Vec<Value> {
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).expect("every stdout line is JSON"))
        .collect()
}

fn assert_fails_cleanly(output: &Output, mentions: &str) {
    assert_eq!(output.status.code(), Some(2), "stderr: {}", String::from_utf8_lossy(&output.stderr));
    assert!(output.stdout.is_empty(), "stdout must be empty");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "one stderr line: {stderr}");
    assert!(stderr.contains(mentions), "stderr should mention {mentions:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn an_action_line_carries_every_field() {
    let out = harness(&["pick", "--scenario", example().to_str().unwrap(), "--seed", "3"]);
    assert_eq!(out.status.code(), Some(0));
    let lines = lines(&out);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["outcome"], "action");
    let action = &lines[0]["action"];
    for key in [
        "mail_decky_uuid",
        "mail_decky_name",
        "mail_decky_services",
        "sender",
        "recipient",
        "thread_id",
        "parent_message_id",
        "references",
        "subject_hint",
        "parent_excerpt",
        "context_hint",
        "is_reply",
        "description",
    ] {
        assert!(action.get(key).is_some(), "missing {key}");
    }
    for key in [
        "name",
        "email",
        "role",
        "tone",
        "tone_custom",
        "mannerisms",
        "language",
        "signature",
        "active_hours",
        "reply_latency",
        "uses_llms_heavily",
    ] {
        assert!(action["sender"].get(key).is_some(), "sender misses {key}");
    }
}

#[test]
fn repeat_prints_one_line_per_pick_and_seeds_step() {
    let path = example();
    let path = path.to_str().unwrap();
    let five = harness(&["pick", "--scenario", path, "--seed", "10", "--repeat", "5"]);
    assert_eq!(five.status.code(), Some(0));
    let five = lines(&five);
    assert_eq!(five.len(), 5);
    // Pick i of a seeded run is the single pick with seed + i.
    let third = lines(&harness(&["pick", "--scenario", path, "--seed", "12"]));
    assert_eq!(five[2], third[0]);
    assert_ne!(five[0], five[1]);
}

#[test]
fn flags_override_the_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario_file(&dir, "s.json", &two_person_scenario().to_string());
    let night = harness(&["pick", "--scenario", &file, "--now", "2026-04-27T03:00:00"]);
    assert_eq!(
        lines(&night)[0],
        json!({"outcome": "skip", "reason": {"kind": "too_few_active", "source": "topology", "mail_decky_uuid": "mx1", "count": 0}})
    );
    let mut with_thread = two_person_scenario();
    with_thread["threads"] = json!([{"thread_id": "t", "message_id": "<m@x.io>", "subject": "Hi"}]);
    with_thread["reply_probability"] = json!(0.0);
    let file = scenario_file(&dir, "t.json", &with_thread.to_string());
    let reply = harness(&["pick", "--scenario", &file, "--reply-probability", "1"]);
    assert_eq!(lines(&reply)[0]["action"]["subject_hint"], "Re: Hi");
}

#[test]
fn skips_exit_zero() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario_file(&dir, "empty.json", "{}");
    let out = harness(&["pick", "--scenario", &file, "--repeat", "2"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(lines(&out), vec![json!({"outcome": "skip", "reason": {"kind": "no_mail_decky"}}); 2]);
}

#[test]
fn unusable_scenarios_exit_two_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.json");
    assert_fails_cleanly(&harness(&["pick", "--scenario", missing.to_str().unwrap()]), "missing.json");
    for (name, content, mentions) in [
        ("bad.json", "{not json", "not valid JSON"),
        ("list.json", "[]", "object"),
        ("now.json", r#"{"now": "yesterday"}"#, "now"),
        ("p.json", r#"{"reply_probability": 1.01}"#, "reply_probability"),
        ("seed.json", r#"{"seed": "seven"}"#, "seed"),
        ("decky.json", r#"{"deckies": [{"name": "no uuid"}]}"#, "deckies[0]"),
        ("binary.json", "\u{0}\u{1}\u{2}", "binary.json"),
    ] {
        let file = scenario_file(&dir, name, content);
        assert_fails_cleanly(&harness(&["pick", "--scenario", &file]), mentions);
    }
}

/// The default policy takes its personas from the host's parse, so the host
/// is where a dropped entry is reported: with its index and why.
#[test]
fn the_host_logs_why_it_dropped_a_persona() {
    let dir = tempfile::tempdir().unwrap();
    let personas = json!([
        {"name": "A", "email": "a@acme.example", "role": "r"},
        {"name": "B", "email": "no-at-sign", "role": "r"},
        {"name": "C", "email": "c@acme.example", "role": "r"},
    ]);
    let scenario = json!({
        "now": "2026-04-27T10:00:00", "seed": 1,
        "deckies": [{"uuid": "d1", "services": ["imap"], "topology_id": "t1", "source": "topology"}],
        "topologies": {"t1": {"id": "t1", "email_personas": personas}},
    });
    let file = scenario_file(&dir, "s.json", &scenario.to_string());
    let out = Command::new(env!("CARGO_BIN_EXE_host-harness"))
        .args(["pick", "--scenario", &file])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("topology t1: persona #1 dropped: email"), "{stderr}");
    assert!(!stderr.contains('\x1b'), "no colour codes when stderr is not a terminal: {stderr:?}");
}

#[test]
fn unusable_policies_exit_two_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_file(&dir, "s.json", "{}");
    let missing = dir.path().join("nope.wasm");
    assert_fails_cleanly(
        &harness(&["pick", "--scenario", &scenario, "--policy", missing.to_str().unwrap()]),
        "nope.wasm",
    );
    // The message names the file, not only the policy's name.
    let junk = scenario_file(&dir, "junk.wasm", "this is not wasm");
    assert_fails_cleanly(
        &harness(&["pick", "--scenario", &scenario, "--policy", &junk]),
        &format!("{junk} is not a valid WebAssembly component"),
    );
}

#[test]
fn bad_flags_are_usage_errors() {
    let path = example();
    let path = path.to_str().unwrap();
    for args in [
        vec!["pick"],
        vec!["pick", "--scenario", path, "--seed", "-1"],
        vec!["pick", "--scenario", path, "--reply-probability", "2"],
        vec!["pick", "--scenario", path, "--now", "soon"],
        vec!["pick", "--scenario", path, "--repeat", "many"],
        vec!["pick", "--scenario", path, "--frobnicate"],
        vec!["explode"],
    ] {
        let out = harness(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
}

#[test]
fn help_explains_the_commands() {
    let out = harness(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("pick") && help.contains("Exit status"), "{help}");
    let out = harness(&["pick", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in ["--scenario", "--policy", "--seed", "--now", "--reply-probability", "--repeat"] {
        assert!(help.contains(flag), "pick --help misses {flag}");
    }
}

/// A lone surrogate escape in one persona entry of a scenario (what
/// JavaScript's `JSON.stringify` writes for a string cut mid-emoji) drops
/// that entry, not the file nor the list, whether the list is given as a
/// list or as JSON text.
#[test]
fn a_lone_surrogate_in_one_persona_entry_drops_that_entry_only() {
    let entries = r#"{"name": "Ana", "email": "ana@acme.example", "role": "CFO"},
        {"name": "Cy \ud83d", "email": "cy@acme.example", "role": "Ops"},
        {"name": "Bo", "email": "bo@acme.example", "role": "IT"}"#;
    let as_text = serde_json::to_string(&format!("[{entries}]")).unwrap();
    for list in [format!("[{entries}]"), as_text] {
        let scenario = format!(
            r#"{{"now": "2026-04-27T10:00:00",
                "deckies": [{{"uuid": "mx1", "services": ["imap"], "source": "topology", "topology_id": "t1"}}],
                "topologies": {{"t1": {{"email_personas": {list}}}}}}}"#
        );
        let dir = tempfile::tempdir().unwrap();
        let path = scenario_file(&dir, "surrogate.json", &scenario);
        let out = harness(&["pick", "--scenario", &path, "--seed", "1", "--repeat", "40"]);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        for line in lines(&out) {
            assert_eq!(line["outcome"], "action", "{line}");
            let names = [&line["action"]["sender"]["name"], &line["action"]["recipient"]["name"]];
            assert!(names.iter().all(|n| *n == "Ana" || *n == "Bo"), "{line}");
        }
    }
}
