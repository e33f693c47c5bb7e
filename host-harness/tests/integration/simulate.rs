//! The simulator against SQLite: chaining, skips, determinism, the report,
//! and the `db init` / `simulate` commands.

use std::process::Command;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use emailgen_host::{Limits, MailStore, PickerEngine, Policy};
use host_harness::simulate::{self, SimConfig, Summary};
use host_harness::sqlite_store::SqliteStore;
use host_harness::Scenario;
use serde_json::{json, Value};

fn monday(hour: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 4, 27).unwrap().and_hms_opt(hour, 0, 0).unwrap()
}

fn pair_company(active_hours: &str) -> SqliteStore {
    let scenario = Scenario::parse(
        &json!({
            "deckies": [{"uuid": "mx", "name": "mx", "services": ["imap"], "topology_id": "t", "source": "topology"}],
            "topologies": {"t": {"email_personas": [
                {"name": "Ana", "email": "ana@acme.example", "role": "CFO", "active_hours": active_hours},
                {"name": "Bo", "email": "bo@acme.example", "role": "IT", "active_hours": active_hours}
            ]}}
        })
        .to_string(),
    )
    .unwrap();
    let mut store = SqliteStore::in_memory().unwrap();
    store.fill_from(&scenario.store, monday(0)).unwrap();
    store
}

fn policy(name: &str) -> Policy {
    let engine = PickerEngine::new(Limits::default()).unwrap();
    Policy::named_builtin(&engine, name).unwrap()
}

fn config(from: NaiveDateTime, hours: i64, seed: Option<u64>) -> SimConfig {
    SimConfig { from, to: from + Duration::hours(hours), tick: Duration::minutes(10), seed }
}

#[test]
fn replies_chain_and_references_grow_by_one_per_step() {
    let (summary, mut store) =
        simulate::run(&policy("default"), pair_company("09:00-18:00"), &config(monday(9), 8, Some(7)), None, |_, _| {})
            .unwrap();
    assert_eq!(summary.picks, 48);
    assert_eq!(summary.actions, 48);
    assert!(summary.replies > 10, "{summary:?}");
    let rows = store.list_email_threads("mx", "ana@acme.example", "bo@acme.example", 100).unwrap();
    assert_eq!(rows.len(), 48);
    // Within each thread, oldest first, the k-th message's ancestry is the k
    // messages before it.
    let mut by_thread: std::collections::BTreeMap<String, Vec<_>> = Default::default();
    for row in rows.iter().rev() {
        by_thread.entry(row.thread_id.clone()).or_default().push(row);
    }
    let mut deepest = 0;
    for messages in by_thread.values() {
        for (k, message) in messages.iter().enumerate() {
            assert_eq!(message.references.len(), k, "thread {}", message.thread_id);
            let before: Vec<&String> = messages[..k].iter().map(|m| &m.message_id).collect();
            assert_eq!(message.references.iter().collect::<Vec<_>>(), before);
        }
        deepest = deepest.max(messages.len());
    }
    assert!(deepest >= 3, "some thread should chain several replies");
    assert_eq!(summary.thread_depths.iter().map(|(d, n)| d * n).sum::<u64>(), 48);
}

#[test]
fn everyone_off_hours_means_every_tick_skips() {
    let (summary, _) = simulate::run(
        &policy("default"),
        pair_company("09:00-10:00"),
        &config(monday(12), 6, Some(1)),
        None,
        |_, _| {},
    )
    .unwrap();
    assert_eq!(summary.actions, 0);
    assert_eq!(summary.skips.get("too_few_active"), Some(&36));
    assert_eq!(summary.picks, 36);
}

#[test]
fn a_seeded_run_is_reproducible() {
    let run = || {
        let (summary, store) = simulate::run(
            &policy("default"),
            pair_company("00:00-00:00"),
            &config(monday(0), 24, Some(99)),
            None,
            |_, _| {},
        )
        .unwrap();
        (summary, store.sent_emails().unwrap())
    };
    let (a, emails_a) = run();
    let (b, emails_b) = run();
    assert_eq!(a, b);
    assert_eq!(emails_a, emails_b);
    assert_eq!(emails_a.len(), 144);
}

#[test]
fn progress_is_reported_per_tick() {
    let mut seen = Vec::new();
    simulate::run(&policy("default"), pair_company("09:00-18:00"), &config(monday(9), 1, None), None, |done, total| {
        seen.push((done, total))
    })
    .unwrap();
    assert_eq!(seen, (1..=6).map(|i| (i, 6)).collect::<Vec<_>>());
}

/// Checks that every element opened is closed, in order (void elements
/// aside): enough to call the page well-formed.
fn assert_well_formed(html: &str) {
    const VOID: [&str; 2] = ["meta", "br"];
    let mut open: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').expect("every tag closes") + start;
        let tag = &rest[start + 1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') || tag.ends_with('/') {
            continue;
        }
        let name: String = tag.trim_start_matches('/').chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        if VOID.contains(&name.as_str()) {
            continue;
        }
        if tag.starts_with('/') {
            assert_eq!(open.pop().as_deref(), Some(name.as_str()), "misnested </{name}>");
        } else {
            open.push(name);
        }
    }
    assert!(open.is_empty(), "unclosed: {open:?}");
}

fn summaries_for_report() -> Vec<Summary> {
    let config = config(monday(8), 48, Some(3));
    ["default", "realistic"]
        .iter()
        .map(|name| simulate::run(&policy(name), pair_company("09:00-18:00"), &config, None, |_, _| {}).unwrap().0)
        .collect()
}

#[test]
fn the_report_is_a_well_formed_self_contained_page() {
    let html = host_harness::report::html(&summaries_for_report());
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_well_formed(&html);
    assert_eq!(html.matches("<section>").count(), 2);
    assert_eq!(html.matches("<svg").count(), 6, "heat map, personas and depths per run");
    // Self-contained: no scripts, stylesheets or images from elsewhere.
    assert!(!html.contains("<script") && !html.contains("<link") && !html.contains(" src="));
    assert!(html.contains("ana@acme.example"));
}

#[test]
fn report_text_is_escaped() {
    assert_eq!(host_harness::report::escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
}

fn harness(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_host-harness")).args(args).output().unwrap()
}

#[test]
fn db_init_then_simulate_with_compare_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.sqlite");
    let db = db.to_str().unwrap();
    let init = harness(&["db", "init", "--db", db]);
    assert_eq!(init.status.code(), Some(0), "{}", String::from_utf8_lossy(&init.stderr));
    let again = harness(&["db", "init", "--db", db]);
    assert_eq!(again.status.code(), Some(2), "refuses to overwrite");
    let report = dir.path().join("report.html");
    let out = harness(&[
        "simulate",
        "--db",
        db,
        "--compare",
        "builtin:realistic",
        "--from",
        "2026-04-27T00:00:00",
        "--to",
        "2026-04-29T00:00:00",
        "--tick",
        "15m",
        "--seed",
        "5",
        "--json",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    let runs = summary["compare"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["policy"]["name"], "default");
    assert_eq!(runs[1]["policy"]["name"], "realistic");
    assert_eq!(runs[0]["picks"], 192);
    assert_well_formed(&std::fs::read_to_string(&report).unwrap());
    // Compare runs on copies: the database itself is untouched.
    let store = SqliteStore::open(std::path::Path::new(db)).unwrap();
    assert_eq!(store.sent_emails().unwrap().len(), 4, "only the seeded threads");
}

#[test]
fn a_single_run_writes_into_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("acme.sqlite");
    let db = db.to_str().unwrap();
    assert_eq!(harness(&["db", "init", "--db", db]).status.code(), Some(0));
    let out = harness(&[
        "simulate",
        "--db",
        db,
        "--from",
        "2026-04-27T08:00:00",
        "--to",
        "2026-04-27T12:00:00",
        "--seed",
        "1",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    let store = SqliteStore::open(std::path::Path::new(db)).unwrap();
    assert_eq!(store.sent_emails().unwrap().len() as u64, 4 + summary["actions"].as_u64().unwrap());
}

#[test]
fn simulate_defaults_to_a_week_of_the_example_company() {
    let out = harness(&["simulate", "--seed", "2", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["picks"], 7 * 24 * 12);
    assert_eq!(summary["policy"]["name"], "default");
    assert!(summary["actions"].as_u64().unwrap() > 100);
}

#[test]
fn bad_simulate_input_exits_two() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.sqlite");
    for args in [
        vec!["simulate", "--db", missing.to_str().unwrap()],
        vec!["simulate", "--from", "2026-04-28T00:00:00", "--to", "2026-04-27T00:00:00"],
        vec!["simulate", "--tick", "0m"],
        vec!["simulate", "--policy", "builtin:nope"],
        vec!["db", "init"],
    ] {
        let out = harness(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}
