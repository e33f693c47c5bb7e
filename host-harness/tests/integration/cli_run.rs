//! `host-harness run` end to end: picks on a timer, reload on file change,
//! rejected reloads keep the old policy, Ctrl-C exits 0.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use emailgen_host::policy::{DEFAULT_POLICY_WASM, REALISTIC_POLICY_WASM};
use serde_json::Value;

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/acme.json")
}

fn start(policy: &Path, cache: &Path, extra: &[&str]) -> (Child, Receiver<Value>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_host-harness"))
        .args(["run", "--policy", policy.to_str().unwrap(), "--scenario", example().to_str().unwrap()])
        .args(["--cache-dir", cache.to_str().unwrap()])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (send, lines) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            let value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            if send.send(value).is_err() {
                break;
            }
        }
    });
    (child, lines)
}

fn next(lines: &Receiver<Value>) -> Value {
    lines.recv_timeout(Duration::from_secs(20)).expect("a line within 20 s")
}

/// Reads lines until one satisfies `wanted`; returns it and the lines before.
fn until(lines: &Receiver<Value>, wanted: impl Fn(&Value) -> bool) -> (Value, Vec<Value>) {
    let mut before = Vec::new();
    loop {
        let line = next(lines);
        if wanted(&line) {
            return (line, before);
        }
        before.push(line);
    }
}

fn replace_atomically(path: &Path, bytes: &[u8]) {
    let temp = path.with_extension("tmp");
    std::fs::write(&temp, bytes).unwrap();
    std::fs::rename(&temp, path).unwrap();
}

#[test]
fn run_reloads_the_policy_when_its_file_changes() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.wasm");
    std::fs::write(&policy, DEFAULT_POLICY_WASM).unwrap();
    let (mut child, lines) = start(&policy, &dir.path().join("cache"), &["--every-ms", "50", "--ticks", "400"]);

    let first = next(&lines);
    assert_eq!(first["outcome"], "action", "{first}");
    let default_sha = first["policy"]["sha256"].as_str().unwrap().to_owned();
    assert_eq!(first["policy"]["name"], "policy");
    assert_eq!(first["policy"]["wit_version"], "0.2.2");

    replace_atomically(&policy, REALISTIC_POLICY_WASM);
    let (swap, before) = until(&lines, |l| l.get("event").is_some());
    assert_eq!(swap["event"], "swap", "{swap}");
    assert_eq!(swap["previous"]["sha256"], default_sha.as_str());
    assert!(before.iter().all(|l| l["policy"]["sha256"] == default_sha.as_str()));
    let realistic_sha = swap["policy"]["sha256"].as_str().unwrap().to_owned();
    assert_ne!(realistic_sha, default_sha);
    let after = next(&lines);
    assert_eq!(after["policy"]["sha256"], realistic_sha.as_str(), "picks after the swap run on the new policy");

    // Rewriting the file in place with junk is refused; the policy stays.
    std::fs::write(&policy, b"definitely not a component").unwrap();
    let (rejected, _) = until(&lines, |l| l.get("event").is_some());
    assert_eq!(rejected["event"], "swap_rejected", "{rejected}");
    assert!(rejected["reason"].as_str().unwrap().contains("not a valid WebAssembly component"));
    assert_eq!(next(&lines)["policy"]["sha256"], realistic_sha.as_str());

    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn run_stops_after_the_given_ticks_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.wasm");
    std::fs::write(&policy, DEFAULT_POLICY_WASM).unwrap();
    let (mut child, lines) = start(&policy, &dir.path().join("cache"), &["--every-ms", "1", "--ticks", "5"]);
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let printed: Vec<Value> = lines.iter().collect();
    assert_eq!(printed.len(), 5);
    assert!(printed.iter().all(|l| l["outcome"] == "action" || l["outcome"] == "skip"));
}

#[test]
fn ctrl_c_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.wasm");
    std::fs::write(&policy, DEFAULT_POLICY_WASM).unwrap();
    let (mut child, lines) = start(&policy, &dir.path().join("cache"), &["--every-ms", "20"]);
    next(&lines);
    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn run_refuses_an_unusable_initial_policy() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("bad.wasm");
    std::fs::write(&policy, b"nope").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_host-harness"))
        .args(["run", "--policy", policy.to_str().unwrap(), "--scenario", example().to_str().unwrap(), "--ticks", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad"));
}

#[test]
fn run_records_every_pick_and_the_records_replay_with_the_policy_file() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.wasm");
    std::fs::write(&policy, DEFAULT_POLICY_WASM).unwrap();
    let record = dir.path().join("picks.jsonl");
    let (mut child, lines) = start(
        &policy,
        &dir.path().join("cache"),
        &["--every-ms", "1", "--ticks", "5", "--record", record.to_str().unwrap()],
    );
    let picked: Vec<Value> = (0..5).map(|_| next(&lines)).collect();
    assert!(child.wait().unwrap().success());
    let records: Vec<Value> =
        std::fs::read_to_string(&record).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(records.len(), 5, "one record per pick, written before the command ends");
    for (line, record) in picked.iter().zip(&records) {
        assert_eq!(record["policy"], line["policy"]);
        assert_eq!(record["outcome"]["outcome"], line["outcome"]);
    }
    let replay = Command::new(env!("CARGO_BIN_EXE_host-harness"))
        .args(["replay", "--record", record.to_str().unwrap(), "--policy", policy.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(replay.status.code(), Some(0), "{}", String::from_utf8_lossy(&replay.stderr));
    assert!(String::from_utf8_lossy(&replay.stdout).contains("5 records: 5 replayed with their own policy"));
}
