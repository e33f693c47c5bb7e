//! The sandbox's former escapes (issue 14): host calls that outlast the
//! deadline, amplified arguments, causes lost from error messages, and
//! text that would reach an email header or the host's log unchecked.
//! Each hostile pick ends as the right error, quickly, and the next pick
//! of the same instance and of the default policy is normal.

use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::hostile::*;
use crate::common::*;
use emailgen_host::{ErrorKind, Limits, PickOptions, PickerEngine, Policy, SharedMailStore};
use emailgen_picker::{Decky, MailStore, StoreError, ThreadRow, Topology};
use hostile_policy::seeds;

#[test]
fn a_sleep_ends_at_the_deadline_not_when_the_policy_wakes() {
    let (outcome, elapsed) = hostile_pick(seeds::SLEEP);
    assert_error(&outcome, ErrorKind::Deadline, "deadline of 50 ms");
    assert_error(&outcome, ErrorKind::Deadline, "wasi:io/poll");
    assert!(elapsed < STOPPED_WITHIN, "asked for 10 s, took {elapsed:?}");
}

#[test]
fn polling_a_clock_an_hour_away_ends_at_the_deadline() {
    let (outcome, elapsed) = hostile_pick(seeds::POLL_FOREVER);
    assert_error(&outcome, ErrorKind::Deadline, "wasi:io/poll.poll");
    assert!(elapsed < STOPPED_WITHIN, "took {elapsed:?}");
}

#[test]
fn a_short_wait_inside_the_deadline_is_allowed() {
    let (outcome, _) = hostile_pick(seeds::SHORT_NAP);
    assert!(outcome.action().is_some(), "{}", outcome.to_json());
}

#[test]
fn stdin_is_closed_so_reading_it_never_waits() {
    let (outcome, elapsed) = hostile_pick(seeds::READ_STDIN);
    assert!(outcome.action().is_some(), "{}", outcome.to_json());
    assert!(elapsed < STOPPED_WITHIN, "took {elapsed:?}");
}

#[test]
fn random_bytes_are_bounded_per_call_and_per_pick() {
    let (flood, elapsed) = hostile_pick(seeds::RANDOM_FLOOD);
    assert_error(
        &flood,
        ErrorKind::PolicyViolation,
        "asked for 67108864 random bytes; one call may ask for at most 65536",
    );
    assert!(elapsed < STOPPED_WITHIN, "took {elapsed:?}");
    let (drip, _) = hostile_pick(seeds::RANDOM_DRIP);
    assert_error(&drip, ErrorKind::PolicyViolation, "a pick may ask for at most 1048576");
}

#[test]
fn an_amplified_argument_is_refused_before_the_host_copies_it() {
    let (outcome, elapsed) = hostile_pick_on(unhurried_hostile(), seeds::AMPLIFIED_ARGUMENTS);
    assert_error(&outcome, ErrorKind::PolicyViolation, "more than 1048576 bytes");
    assert!(elapsed < STOPPED_WITHIN, "took {elapsed:?}");
}

/// The same attack through the CLI, measuring the process's peak memory:
/// copying the list would take the host past 450 MiB.
#[test]
fn an_amplified_argument_leaves_the_hosts_memory_bounded() {
    let scenario = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(scenario.path(), office_scenario().to_string()).unwrap();
    let (status, stdout, peak_kib) = run_measured(
        Command::new(harness_binary())
            .args(["pick", "--scenario", scenario.path().to_str().unwrap()])
            .args(["--policy", hostile_path().to_str().unwrap()])
            .args(["--seed", &seeds::AMPLIFIED_ARGUMENTS.to_string()])
            .args(["--instructions", &UNHURRIED_INSTRUCTIONS.to_string()]),
    );
    assert_eq!(status, 1, "{stdout}");
    let line: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(line["error"]["kind"], "policy-violation", "{line}");
    assert!(peak_kib < 200 * 1024, "the host peaked at {} MiB", peak_kib / 1024);
}

#[test]
fn calling_exit_is_a_trap_that_says_so() {
    let (outcome, _) = hostile_pick(seeds::EXIT);
    assert_error(&outcome, ErrorKind::Trap, "it called exit with status");
}

#[test]
fn a_flood_of_handles_is_stopped_and_the_message_keeps_its_cause() {
    let (outcome, elapsed) = hostile_pick(seeds::HANDLE_FLOOD);
    assert_error(
        &outcome,
        ErrorKind::PolicyViolation,
        "held more than 1024 resource handles at once: resource table has no free keys",
    );
    assert!(elapsed < STOPPED_WITHIN, "took {elapsed:?}");
}

#[test]
fn forged_replies_and_unsafe_text_are_policy_violations() {
    for (seed, mentions) in [
        (seeds::HEADER_INJECTION, "context_hint holds the control character '\\r'"),
        (seeds::FOREIGN_PAIR_THREAD, "returned for another mail decky or pair"),
        (seeds::INVENTED_REFERENCES, "but the parent's ancestry is \"<m0@acme.example> <m1@acme.example>\""),
        (seeds::WRONG_SUBJECT, "but the parent's reply subject is \"Re: Plans\""),
        (seeds::REUSED_THREAD_ID, "new thread id \"th-1\" is a thread the host served"),
        (seeds::ODD_DESCRIPTION, "it must be \"email:send\""),
        (seeds::EXCERPT_ON_NEW_THREAD, "a new thread must not carry a parent_excerpt"),
        (seeds::ODD_THREAD_ID, "is not a UUID in canonical form"),
        (seeds::FALSE_STORE_ERROR, "no store call failed"),
    ] {
        let (outcome, _) = hostile_pick(seed);
        assert_error(&outcome, ErrorKind::PolicyViolation, mentions);
    }
}

#[test]
fn a_real_store_failure_may_still_be_reported_as_one() {
    let mut store = office();
    store.failing = Some("list-email-threads");
    let (mail, _) = shared(store);
    let options = PickOptions { reply_probability: Some(1.0), ..seeded(seeds::NORMAL) };
    let outcome = hostile().pick_fresh(mail, fixed_clock(at(10, 0)), &options);
    assert_error(&outcome, ErrorKind::Store, "list-email-threads");
}

/// A reply's headers are the host's derivation from the store's row; a
/// control character there is the store's, reported as a store error.
#[test]
fn a_thread_row_that_would_inject_a_header_is_not_passed_on() {
    let mut store = office();
    store.threads[0].subject = "Plans\r\nBcc: everyone@acme.example".into();
    let options = PickOptions { reply_probability: Some(1.0), ..seeded(1) };
    let outcome = wasm_pick(&store, &options);
    assert_error(&outcome, ErrorKind::Store, "holds a control character");
}

/// A policy's log and output lines cannot pass for host lines: the CLI's
/// log (stderr) shows them escaped on the policy's own line.
#[test]
fn policy_log_lines_cannot_forge_host_lines() {
    let scenario = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(scenario.path(), office_scenario().to_string()).unwrap();
    let run = Command::new(harness_binary())
        .args(["pick", "--scenario", scenario.path().to_str().unwrap()])
        .args(["--policy", hostile_path().to_str().unwrap()])
        .args(["--seed", &seeds::FORGED_LOG_LINES.to_string()])
        .env("RUST_LOG", "policy=info")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    let log = String::from_utf8(run.stderr).unwrap();
    assert!(!log.contains('\u{1b}') && !log.contains('\r'), "raw control characters in the log: {log:?}");
    let forged: Vec<&str> = log.lines().filter(|line| line.contains(seeds::FORGED_LINE)).collect();
    assert_eq!(forged.len(), 2, "{log}");
    for line in forged {
        let before = &line[..line.find(seeds::FORGED_LINE).unwrap()];
        assert!(before.contains("policy:") && (before.ends_with("\\n") || before.ends_with("\\r")), "{line}");
    }
}

/// A store that takes 30 ms to answer anything.
struct SlowStore {
    inner: TestStore,
    calls: Arc<Mutex<u32>>,
}

impl SlowStore {
    fn wait(&self) {
        *self.calls.lock().unwrap() += 1;
        std::thread::sleep(Duration::from_millis(30));
    }
}

impl MailStore for SlowStore {
    fn list_running_deckies(&mut self, services: &[&str]) -> Result<Vec<Decky>, StoreError> {
        self.wait();
        self.inner.list_running_deckies(services)
    }
    fn get_topology(&mut self, id: &str) -> Result<Option<Topology>, StoreError> {
        self.wait();
        self.inner.get_topology(id)
    }
    fn list_email_threads(&mut self, d: &str, s: &str, r: &str, limit: u32) -> Result<Vec<ThreadRow>, StoreError> {
        self.wait();
        self.inner.list_email_threads(d, s, r, limit)
    }
    fn global_personas(&mut self) -> Result<String, StoreError> {
        self.wait();
        self.inner.global_personas()
    }
}

/// The second call ends past the 50 ms deadline; the pick ends there: no
/// third call, the deadline overrun is at most the one call in flight.
#[test]
fn a_store_call_is_not_made_once_the_wall_clock_limit_has_passed() {
    let calls = Arc::new(Mutex::new(0));
    let slow = SlowStore { inner: office(), calls: calls.clone() };
    let mail: SharedMailStore = Arc::new(Mutex::new(slow));
    let started = Instant::now();
    let options = PickOptions { reply_probability: Some(1.0), ..seeded(1) };
    let limits = Limits { wall_clock: Duration::from_millis(50), ..Limits::default() };
    let policy = Policy::builtin(&PickerEngine::new(limits).unwrap()).unwrap();
    let outcome = policy.pick_fresh(mail, fixed_clock(at(10, 0)), &options).outcome;
    let elapsed = started.elapsed();
    assert_error(&outcome, ErrorKind::WallClock, "wall-clock limit of 50 ms");
    assert_eq!(*calls.lock().unwrap(), 2, "store calls");
    assert!(elapsed < STOPPED_WITHIN, "took {elapsed:?}");
}

fn office_scenario() -> serde_json::Value {
    let store = office();
    serde_json::json!({
        "now": "2026-04-27T10:00:00",
        "deckies": [{"uuid": "mx1", "name": "mx1-host", "services": ["imap"], "source": "topology", "topology_id": "t1"}],
        "topologies": {"t1": {"id": "t1", "email_personas": store.topologies["t1"].email_personas, "language_default": "en"}},
    })
}

/// Runs `command` to its end: exit status, stdout, and the peak resident
/// memory of that one process (KiB), from `wait4` (which also reaps it).
#[allow(clippy::zombie_processes)]
fn run_measured(command: &mut Command) -> (i32, String, i64) {
    let mut child = command.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::null()).spawn().unwrap();
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut stdout).unwrap();
    let (mut status, mut usage) = (0, unsafe { std::mem::zeroed::<libc::rusage>() });
    // SAFETY: waits for our own child, once; `usage` is a valid rusage.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32);
    (libc::WEXITSTATUS(status), stdout, usage.ru_maxrss)
}
