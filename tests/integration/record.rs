//! Every decision recorded, every decision replayable (issue 17): records
//! through the library and the CLI, read back, and replayed: identical
//! with the recorded policy, compared with another.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use crate::common::hostile::*;
use crate::common::*;
use emailgen_host::record::{parse_record, read_records, MemorySink};
use emailgen_host::{FileLimits, FileSink, PickOptions, PickOutcome, RecordedPick, Recorder};
use hostile_policy::seeds;
use serde_json::Value;

/// Reads a record file back (every line checked), and counts its records.
/// (The JSON Schema itself is checked against records of every kind by
/// the Python tests, `python/tests/test_records.py`.)
fn assert_reads_back(path: &Path) -> usize {
    read_records(path).unwrap_or_else(|e| panic!("{e}")).len()
}

fn harness(args: &[&str]) -> Output {
    Command::new(harness_binary()).args(args).env_remove("RUST_LOG").output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A recorded week of the example company (5-minute ticks, seeded).
fn recorded_week(dir: &Path) -> PathBuf {
    let record = dir.join("week.jsonl");
    let run = harness(&[
        "simulate",
        "--seed",
        "11",
        "--from",
        "2026-04-27T00:00:00",
        "--json",
        "--record",
        path_str(&record),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    record
}

#[test]
fn a_recorded_week_replays_identically_record_for_record() {
    let dir = tempfile::tempdir().unwrap();
    let record = recorded_week(dir.path());
    assert_eq!(assert_reads_back(&record), 7 * 24 * 12, "one record per tick");
    let replay = harness(&["replay", "--record", path_str(&record), "--json"]);
    assert_eq!(replay.status.code(), Some(0), "{}", stderr(&replay));
    let lines: Vec<Value> = stdout(&replay).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let (records, summary) = lines.split_at(lines.len() - 1);
    assert_eq!(records.len(), 2016);
    for (i, record) in records.iter().enumerate() {
        assert_eq!(record["record"], i + 1);
        assert_eq!((record["mode"].as_str(), record["agree"].as_bool()), (Some("check"), Some(true)), "{record}");
        assert_eq!(record["recorded"], record["replayed"]);
    }
    let summary = &summary[0]["summary"];
    assert_eq!((summary["checked"].as_u64(), summary["agree"].as_u64()), (Some(2016), Some(2016)));
    assert!(summary["recorded"]["actions"].as_u64().unwrap() > 100, "a week of mail: {summary}");
}

#[test]
fn a_record_whose_answer_was_edited_is_a_divergence() {
    let dir = tempfile::tempdir().unwrap();
    let record = recorded_week(dir.path());
    let text = std::fs::read_to_string(&record).unwrap();
    // The first reply: its parent's subject, as the store answered, edited.
    let (index, line) = text.lines().enumerate().find(|(_, l)| l.contains(r#""is_reply":true"#)).unwrap();
    let mut edited: Value = serde_json::from_str(line).unwrap();
    let calls = edited["calls"].as_array_mut().unwrap();
    let lookup = calls.iter_mut().find(|c| c["call"] == "list_email_threads").unwrap();
    lookup["answer"][0]["subject"] = Value::from("Something else entirely");
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[index] = edited.to_string();
    std::fs::write(&record, lines.join("\n") + "\n").unwrap();
    let replay = harness(&["replay", "--record", path_str(&record)]);
    assert_eq!(replay.status.code(), Some(1), "{}", stderr(&replay));
    let said = stderr(&replay);
    assert!(said.contains(&format!("record {} diverged", index + 1)), "{said}");
    assert!(said.contains("_hint: recorded") && said.contains("replayed \"Re: Something else entirely\""), "{said}");
}

#[test]
fn a_shadow_replay_under_the_realistic_policy_sums_up_and_says_when_data_was_not_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let record = recorded_week(dir.path());
    let report = dir.path().join("shadow.html");
    let replay = harness(&[
        "replay",
        "--record",
        path_str(&record),
        "--policy",
        "builtin:realistic",
        "--json",
        "--report",
        path_str(&report),
    ]);
    assert_eq!(replay.status.code(), Some(0), "shadowing is not a failure: {}", stderr(&replay));
    let lines: Vec<Value> = stdout(&replay).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let summary = &lines.last().unwrap()["summary"];
    let count = |key: &str| summary[key].as_u64().unwrap();
    assert_eq!(count("records"), 2016);
    assert_eq!(count("shadowed"), 2016);
    assert_eq!(count("agree") + count("differ") + count("needs_data_not_recorded"), count("records"));
    assert!(count("needs_data_not_recorded") > 0, "the realistic policy tries other deckies: {summary}");
    assert!(count("agree") > 0 && count("differ") > 0, "{summary}");
    assert_eq!(summary["recorded"]["picks"].as_u64(), Some(2016));
    assert_eq!(summary["replayed"]["picks"].as_u64(), Some(count("agree") + count("differ")));
    assert_eq!(summary["replayed"]["policy"]["name"], "realistic");
    let needs: Vec<&Value> =
        lines.iter().filter(|l| l["needs_data_not_recorded"].as_array().is_some_and(|m| !m.is_empty())).collect();
    assert_eq!(needs.len() as u64, count("needs_data_not_recorded"));
    assert!(needs
        .iter()
        .all(|l| l["agree"] == false && l["difference"].as_str().unwrap().starts_with("needs data not recorded")));
    let page = std::fs::read_to_string(report).unwrap();
    assert!(page.contains("emailgen replay") && page.contains("realistic") && page.contains("needs data not recorded"));
}

/// Picks of the hostile policy that end as errors, recorded through the
/// library.
fn hostile_records() -> Vec<RecordedPick> {
    let sink = Arc::new(MemorySink::default());
    let (mail, _) = shared(office());
    let mut instance = hostile().instance(mail, fixed_clock(at(10, 0)));
    instance.set_recorder(Some(sink.clone() as Recorder));
    let error_seeds = [
        seeds::PANIC,
        seeds::IMPORT_STORM,
        seeds::UNKNOWN_DECKY,
        seeds::WRONG_SUBJECT,
        seeds::FALSE_STORE_ERROR,
        seeds::EXIT,
    ];
    for seed in error_seeds {
        let outcome = instance.pick(&PickOptions { reply_probability: Some(1.0), ..seeded(seed) });
        assert!(outcome.is_error(), "seed {seed}: {}", outcome.to_json());
    }
    sink.records().iter().map(|r| parse_record(&r.to_json_line()).unwrap()).collect()
}

#[test]
fn a_hostile_policys_error_records_replay_to_the_same_errors() {
    let records = hostile_records();
    assert_eq!(records.len(), 6);
    for record in &records {
        let replayed = hostile().replay(record);
        assert!(replayed.missing.is_empty(), "{:?}", replayed.missing);
        assert_eq!(serde_json::to_value(&replayed.outcome).unwrap(), record.outcome);
        assert!(record.outcome["error"]["kind"].is_string());
    }
    let kinds: Vec<&str> = records.iter().map(|r| r.outcome["error"]["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["trap", "policy-violation", "policy-violation", "policy-violation", "policy-violation", "trap"]);
}

#[test]
fn every_kind_of_record_reads_back_and_replays() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mixed.jsonl");
    let sink: Recorder = Arc::new(FileSink::create(&path, FileLimits::default()).unwrap());
    // Errors of every kind the hostile policy makes.
    let (mail, _) = shared(office());
    let mut hostile_instance = hostile().instance(mail, fixed_clock(at(10, 0)));
    hostile_instance.set_recorder(Some(sink.clone()));
    for seed in [seeds::PANIC, seeds::LOOP_FOREVER, seeds::HUGE_STRING, seeds::FALSE_STORE_ERROR] {
        hostile_instance.pick(&seeded(seed));
    }
    // Actions, skips, a store failure, the host's clock and a drawn seed.
    let mut store = office();
    store.global_personas = people(3).to_string();
    store.deckies.push(decky("fleet-mx", &["pop3"], Some("fleet"), None));
    let (mail, _) = shared(store);
    let mut instance = default_policy().instance(mail, fixed_clock(at(10, 0)));
    instance.set_recorder(Some(sink.clone()));
    for seed in 0..20 {
        instance.pick(&PickOptions { reply_probability: Some(0.5), ..seeded(seed) });
    }
    instance.pick(&PickOptions::default());
    let mut failing = office();
    failing.failing = Some("get-topology");
    let (mail, _) = shared(failing);
    let mut failing_instance = default_policy().instance(mail, fixed_clock(at(10, 0)));
    failing_instance.set_recorder(Some(sink.clone()));
    failing_instance.pick(&seeded(1));
    drop((hostile_instance, instance, failing_instance));
    sink.flush();
    assert_eq!(assert_reads_back(&path), 4 + 20 + 1 + 1);
    let records = read_records(&path).unwrap();
    let drawn = &records[24];
    assert!(drawn.seed_drawn, "a pick given no seed records the seed the host drew");
    assert!(
        drawn.calls.iter().any(|c| matches!(c, emailgen_host::StoreCall::LocalNow { .. })),
        "and the clock it read"
    );
    let replayed = default_policy().replay(drawn);
    assert_eq!(serde_json::to_value(&replayed.outcome).unwrap(), drawn.outcome, "and replays the same");
    assert_eq!(records[25].outcome["error"]["kind"], "store");
    let failed_replay = default_policy().replay(&records[25]);
    assert_eq!(serde_json::to_value(&failed_replay.outcome).unwrap(), records[25].outcome);
}

#[test]
fn a_warm_instance_records_what_it_kept_so_each_record_replays_alone() {
    let sink = Arc::new(MemorySink::default());
    let mut store = office();
    store.revision = Some(3); // a store with revisions: warm picks fetch nothing
    let (mail, concrete) = shared(store);
    let mut instance = default_policy().instance(mail, fixed_clock(at(10, 0)));
    instance.set_recorder(Some(sink.clone() as Recorder));
    for seed in 0..10 {
        instance.pick(&PickOptions { reply_probability: Some(0.0), ..seeded(seed) });
    }
    assert_eq!(concrete.lock().unwrap().count("list-running-deckies"), 1, "the warm picks listed nothing");
    let records: Vec<RecordedPick> = sink.records().iter().map(|r| parse_record(&r.to_json_line()).unwrap()).collect();
    let last = records.last().unwrap();
    assert!(last.calls.iter().any(|c| matches!(c, emailgen_host::StoreCall::ListRunningDeckies { cached: true, .. })));
    for record in records.iter().rev() {
        let replayed = default_policy().replay(record);
        assert!(replayed.missing.is_empty() && serde_json::to_value(&replayed.outcome).unwrap() == record.outcome);
    }
}

#[test]
fn records_of_a_policy_slot_name_each_policy() {
    let sink = Arc::new(MemorySink::default());
    let slot = emailgen_host::PolicySlot::new(default_policy().clone(), 0);
    slot.set_recorder(Some(sink.clone() as Recorder));
    let (mail, _) = shared(office());
    let mut worker = slot.worker(mail.clone(), fixed_clock(at(10, 0)));
    worker.pick(&seeded(1));
    let canary = emailgen_host::Canary { mail, clock: fixed_clock(at(10, 0)), options: seeded(2) };
    slot.swap(emailgen_host::Policy::named_builtin(&engine(), "realistic").unwrap(), &canary).unwrap();
    worker.pick(&seeded(3));
    let names: Vec<String> = sink.records().iter().map(|r| r.policy.name.clone()).collect();
    assert_eq!(names, ["default", "realistic"]);
}

#[test]
fn a_record_file_rotates_at_its_size_cap_and_keeps_what_it_is_told() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("picks.jsonl");
    let sink: Recorder = Arc::new(FileSink::create(&path, FileLimits { max_bytes: 20_000, keep: 2 }).unwrap());
    let (mail, _) = shared(office());
    let mut instance = default_policy().instance(mail, fixed_clock(at(10, 0)));
    instance.set_recorder(Some(sink.clone()));
    for seed in 0..200 {
        instance.pick(&seeded(seed));
    }
    drop(instance);
    sink.flush();
    let rotated = |n: u32| PathBuf::from(format!("{}.{n}", path.display()));
    assert!(rotated(1).exists() && rotated(2).exists() && !rotated(3).exists(), "two rotated files kept");
    let mut total = 0;
    for file in [rotated(2), rotated(1), path.clone()] {
        assert!(std::fs::metadata(&file).unwrap().len() <= 20_000, "{} past the cap", file.display());
        total += read_records(&file).unwrap().len();
    }
    assert!(total < 200, "the oldest records were let go with the oldest file");
    let newest = read_records(&path).unwrap();
    assert_eq!(newest.last().unwrap().options.seed, 199, "the newest record is last in the live file");
}

/// A valid record line to corrupt.
fn a_record_line() -> String {
    hostile_records_line()
}

fn hostile_records_line() -> String {
    let sink = Arc::new(MemorySink::default());
    let (mail, _) = shared(office());
    let mut instance = default_policy().instance(mail, fixed_clock(at(10, 0)));
    instance.set_recorder(Some(sink.clone() as Recorder));
    let outcome = instance.pick(&seeded(4)).outcome;
    assert!(matches!(outcome, PickOutcome::Action { .. }));
    sink.records()[0].to_json_line()
}

#[test]
fn bad_records_stop_the_replay_before_anything_is_replayed() {
    let dir = tempfile::tempdir().unwrap();
    let good = a_record_line();
    let mut unknown_policy: Value = serde_json::from_str(&good).unwrap();
    unknown_policy["policy"]["sha256"] = Value::from("ab".repeat(32));
    let mut other_version: Value = serde_json::from_str(&good).unwrap();
    other_version["record"] = Value::from(3);
    let mut off_schema: Value = serde_json::from_str(&good).unwrap();
    off_schema.as_object_mut().unwrap().remove("options");
    let cases = [
        ("truncated", format!("{good}\n{}\n", &good[..good.len() / 2]), "record 2", "is not JSON"),
        ("off schema", format!("{good}\n{off_schema}\n"), "record 2", "missing field `options`"),
        ("unknown policy", format!("{unknown_policy}\n"), "record 1", "is not built in"),
        ("another version", format!("{good}\n{good}\n{other_version}\n"), "record 3", "record format version 3"),
        ("a blank line", format!("{good}\n\n{good}\n"), "record 2", "empty line"),
        ("empty", String::new(), "empty.jsonl: ", "holds no records"),
    ];
    for (name, content, names, says) in cases {
        let path = dir.path().join(format!("{}.jsonl", name.replace(' ', "-")));
        std::fs::write(&path, content).unwrap();
        let replay = harness(&["replay", "--record", path_str(&path)]);
        assert_eq!(replay.status.code(), Some(2), "{name}: {}", stderr(&replay));
        assert!(replay.stdout.is_empty(), "{name}: nothing is half-replayed");
        let said = stderr(&replay);
        assert_eq!(said.lines().count(), 1, "{name}: {said}");
        assert!(said.contains(names) && said.contains(says), "{name}: {said}");
        assert!(!said.contains("record 0"), "{name}: a problem of the whole file names no record: {said}");
    }
    let missing = harness(&["replay", "--record", path_str(&dir.path().join("missing.jsonl"))]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("missing.jsonl: cannot read: "), "{}", stderr(&missing));
}

#[test]
fn the_cli_records_picks_and_replays_them() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("picks.jsonl");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/acme.json");
    let pick = harness(&["pick", "--scenario", path_str(&example), "--repeat", "30", "--record", path_str(&record)]);
    assert_eq!(pick.status.code(), Some(0), "{}", stderr(&pick));
    assert_eq!(assert_reads_back(&record), 30);
    assert!(read_records(&record).unwrap().iter().all(|r| r.seed_drawn), "no seed given: the host drew them");
    let replay = harness(&["replay", "--record", path_str(&record)]);
    assert_eq!(replay.status.code(), Some(0), "{}", stderr(&replay));
    assert!(stdout(&replay).contains("30 records: 30 replayed with their own policy, 0 with another; 30 agree"));
}

/// What a pick cost is on record, and a pick that ran on a fresh instance
/// replays to the same count: an instruction-budget error replays to the
/// same error at the same instruction, through the CLI as through the
/// library. A warm pick's count is its own (it reuses what the instance
/// kept) and is not expected to repeat.
#[test]
fn a_recorded_budget_error_replays_identically() {
    // A budget of its own, small enough that the next seed's memory hoard
    // runs out of instructions too.
    const BUDGET: u64 = 10_000_000;
    let budgeted = hostile_under(emailgen_host::Limits { instructions: BUDGET, ..Default::default() });
    let dir = tempfile::tempdir().unwrap();
    let (record, scenario) = (dir.path().join("budget.jsonl"), dir.path().join("office.json"));
    let office = serde_json::json!({
        "now": "2026-04-27T10:00:00",
        "deckies": [{"uuid": "mx1", "services": ["imap"], "source": "topology", "topology_id": "t1"}],
        "topologies": {"t1": {"email_personas": office().topologies["t1"].email_personas}},
    });
    std::fs::write(&scenario, office.to_string()).unwrap();
    let seed = seeds::LOOP_FOREVER.to_string();
    let hostile_file = path_str(hostile_path());
    let pick = harness(&[
        "pick",
        "--scenario",
        path_str(&scenario),
        "--policy",
        hostile_file,
        "--seed",
        &seed,
        "--repeat",
        "2",
        "--instructions",
        &BUDGET.to_string(),
        "--record",
        path_str(&record),
    ]);
    assert_eq!(pick.status.code(), Some(1), "{}", stderr(&pick));
    let records = read_records(&record).unwrap();
    let costs: Vec<(Option<u64>, Option<bool>)> = records.iter().map(|r| (r.instructions, r.fresh)).collect();
    assert_eq!(costs[0], (Some(BUDGET), Some(true)), "the first pick starts the instance");
    for record in &records {
        assert_eq!(record.outcome["error"]["kind"], "instructions");
        let replayed = budgeted.replay(record);
        assert_eq!(serde_json::to_value(&replayed.outcome).unwrap(), record.outcome);
        assert_eq!(replayed.instructions, BUDGET);
    }
    let budget = BUDGET.to_string();
    let replay = harness(&[
        "replay",
        "--record",
        path_str(&record),
        "--policy",
        hostile_file,
        "--instructions",
        &budget,
        "--json",
    ]);
    assert_eq!(replay.status.code(), Some(0), "{}", stderr(&replay));
    let lines: Vec<Value> = stdout(&replay).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0]["agree"], true, "{}", lines[0]);
    assert_eq!(
        (lines[0]["recorded_instructions"].as_u64(), lines[0]["replayed_instructions"].as_u64()),
        (Some(BUDGET), Some(BUDGET))
    );
    assert!(lines[0]["not_repeatable"].is_null());
    // An outcome that depended on wall time is said to, and not called a
    // divergence.
    let mut timed_out: Value =
        serde_json::from_str(std::fs::read_to_string(&record).unwrap().lines().next().unwrap()).unwrap();
    timed_out["outcome"] = serde_json::json!({"outcome": "error", "error": {"kind": "wall-clock", "message": "slow"}});
    let edited = dir.path().join("timed-out.jsonl");
    std::fs::write(&edited, format!("{timed_out}\n")).unwrap();
    let replay = harness(&["replay", "--record", path_str(&edited), "--policy", hostile_file]);
    assert_eq!(replay.status.code(), Some(0), "{}", stderr(&replay));
    assert!(stdout(&replay).contains("not repeatable") && stdout(&replay).contains("depended on wall time"));
}
