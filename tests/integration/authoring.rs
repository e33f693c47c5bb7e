//! Writing a policy: `host-harness new` lays one out, `host-harness build`
//! builds it, `host-harness check` passes it as generated, and fails what
//! misbehaves, naming why.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::common::fixtures::build_fixture;
use crate::common::hostile::{harness_binary, hostile_path};

fn harness(args: &[&str]) -> Output {
    Command::new(harness_binary()).args(args).output().expect("run host-harness")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `check --json` on `policy`: the exit status and the report.
fn check_json(policy: &str, picks: &str) -> (i32, Value) {
    let output = harness(&["check", policy, "--picks", picks, "--json"]);
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&output.stderr)));
    (output.status.code().unwrap(), report)
}

fn failures(report: &Value) -> Vec<String> {
    report["failures"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_owned()).collect()
}

/// Where the template's builds go: beside the other guests, kept between
/// runs so a second run compiles only the policy.
fn template_target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().join("kit-template")
}

#[test]
fn the_rust_template_tests_natively_builds_and_passes_check() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("night-shift");
    let dir_arg = dir.to_str().unwrap();
    let created = harness(&["new", dir_arg, "--lang", "rust"]);
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    assert!(stdout(&created).contains("src/lib.rs"));
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"night-shift\""), "{manifest}");
    let kit = Path::new(env!("CARGO_MANIFEST_DIR")).join("kit/rust").canonicalize().unwrap();
    assert!(manifest.contains(&format!("path = \"{}\"", kit.display())), "{manifest}");

    // The author's own tests run natively, against the scenario file.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let tested = Command::new(&cargo)
        .args(["test", "--quiet", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", template_target_dir())
        .output()
        .unwrap();
    assert!(tested.status.success(), "{}", String::from_utf8_lossy(&tested.stderr));

    let built = Command::new(harness_binary())
        .args(["build", dir_arg])
        .env("CARGO_TARGET_DIR", template_target_dir())
        .output()
        .unwrap();
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let component = stdout(&built).lines().last().unwrap().to_owned();
    assert!(component.ends_with("night_shift.wasm"), "{component}");

    let (status, report) = check_json(&component, "16");
    assert_eq!(status, 0, "{:?}", failures(&report));
    assert_eq!(report["passed"], true);
    assert_eq!(report["component"]["wit_version"], "0.2.2");
    // The template replies: some world has replies, none has errors.
    let worlds = report["worlds"].as_array().unwrap();
    assert!(worlds.iter().any(|w| w["replies"].as_u64() > Some(0)));
    assert!(worlds.iter().all(|w| w["errors"] == 0));
}

#[test]
fn new_refuses_a_directory_that_is_not_empty_and_an_unknown_language() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("keep.txt"), "mine").unwrap();
    let refused = harness(&["new", root.path().to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not empty"));
    assert_eq!(std::fs::read_to_string(root.path().join("keep.txt")).unwrap(), "mine");
    let unknown = harness(&["new", root.path().join("p").to_str().unwrap(), "--lang", "cobol"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("available: rust, python, js"));
}

#[test]
fn build_says_what_it_cannot_build() {
    let root = tempfile::tempdir().unwrap();
    let refused = harness(&["build", root.path().to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("no Cargo.toml, app.py or app.js"));
}

#[test]
fn the_built_in_policies_pass_check() {
    for policy in ["builtin:default", "builtin:realistic"] {
        let (status, report) = check_json(policy, "12");
        assert_eq!(status, 0, "{policy}: {:?}", failures(&report));
        assert_eq!(report["worlds"].as_array().unwrap().len(), 22);
        let cost = &report["cost"];
        assert!(cost["warm_instructions_p50"].as_u64().unwrap() > 0);
        assert!(cost["max_instructions"].as_u64() < cost["instruction_budget"].as_u64());
    }
}

#[test]
fn check_fails_the_hostile_policy_naming_each_misbehaviour() {
    // Seeds 0..34 reach every behaviour of the fixture (tests/fixtures/hostile-policy).
    let (status, report) = check_json(hostile_path().to_str().unwrap(), "34");
    assert_eq!(status, 1);
    assert_eq!(report["passed"], false);
    let failures = failures(&report);
    for expected in [
        "`instructions` error: policy ran out of its instruction budget",
        "`trap` error: policy trapped",
        "`deadline` error: policy waited past its deadline",
        "`policy-violation` error: policy violation: list-running-deckies called more than",
        // Forged answers, each named:
        "action names mail decky \"…\", which is not a listed mail decky",
        "sender and recipient share the address",
        "which the host never returned",
        "but the parent's ancestry is",
        "a new thread must not carry a parent_excerpt",
        "is not a UUID in canonical form",
        "the policy reported a store error, but no store call failed this pick",
    ] {
        assert!(failures.iter().any(|f| f.contains(expected)), "no failure says {expected:?}: {failures:#?}");
    }
    // The readable report names them too, one per line, and exits 1.
    let readable = harness(&["check", hostile_path().to_str().unwrap(), "--picks", "34"]);
    assert_eq!(readable.status.code(), Some(1));
    let text = stdout(&readable);
    assert!(text.contains("result        FAIL"), "{text}");
    assert!(text.contains("which is not a listed mail decky"), "{text}");
}

#[test]
fn check_fails_a_forbidden_import_from_reading_it_alone() {
    let path = build_fixture("hostile-policy", &["filesystem"], "hostile_filesystem.wasm");
    let (status, report) = check_json(path.to_str().unwrap(), "4");
    assert_eq!(status, 1);
    let failures = failures(&report);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0].starts_with("the host refuses it:") && failures[0].contains("wasi:filesystem"), "{failures:?}");
    // Refused from what reading it showed: nothing compiled, nothing picked.
    assert!(report["component"].is_null() && report["worlds"].as_array().unwrap().is_empty());
}

#[test]
fn check_cannot_run_without_a_policy_file() {
    let output = harness(&["check", "/nonexistent/policy.wasm"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read policy"));
}
