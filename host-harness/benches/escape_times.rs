//! How long a hostile pick takes against its deadline: each of the hostile
//! fixture's attempts to make the host wait or work, run many times on a
//! warm instance, with the median and worst time and the worst overrun
//! past the deadline (README, "Security model": the margin the host
//! promises).
//!
//! ```sh
//! cargo test --test integration escapes   # builds target/wasm-guests/hostile.wasm
//! cargo bench -p host-harness-benches --bench escape_times -- [HOSTILE.wasm] [RUNS]
//! ```
//!
//! A bench target (built in release by `cargo bench`, not by every
//! `cargo test`). Without a path it uses the fixture the tests built, and
//! says so and does nothing when there is none yet. A relative path is
//! taken from the repository's root when it is not found where cargo runs
//! the program (the package's folder).

use std::time::{Duration, Instant};

use emailgen_host::{local_clock, shared_store, Limits, PickOptions, PickerEngine, Policy};
use host_harness::Scenario;
use hostile_policy::seeds;

#[path = "paths.rs"]
mod paths;

/// Three personas, always active, and one thread between any pair.
const OFFICE: &str = r#"{
  "now": "2026-04-27T10:00:00",
  "deckies": [{"uuid": "mx1", "name": "mx1", "services": ["imap"], "source": "topology", "topology_id": "t1"}],
  "topologies": {"t1": {"id": "t1", "email_personas": [
    {"name": "A", "email": "a@acme.example", "role": "r", "active_hours": "00:00-00:00"},
    {"name": "B", "email": "b@acme.example", "role": "r", "active_hours": "00:00-00:00"},
    {"name": "C", "email": "c@acme.example", "role": "r", "active_hours": "00:00-00:00"}]}},
  "threads": [{"thread_id": "th-1", "message_id": "<m1@acme.example>", "subject": "Plans"}]
}"#;

const ATTEMPTS: &[(&str, u64)] = &[
    ("endless loop", seeds::LOOP_FOREVER),
    ("sleep 10 s", seeds::SLEEP),
    ("poll a clock an hour away", seeds::POLL_FOREVER),
    ("64 MiB of random bytes", seeds::RANDOM_FLOOD),
    ("random bytes 60 KiB at a time", seeds::RANDOM_DRIP),
    ("a million-entry services list", seeds::AMPLIFIED_ARGUMENTS),
    ("100k resource handles", seeds::HANDLE_FLOOD),
    ("import storm", seeds::IMPORT_STORM),
];

/// Where `cargo test --test integration escapes` leaves the hostile fixture.
const BUILT_FIXTURE: &str = "target/wasm-guests/hostile.wasm";

fn main() {
    // `cargo bench` passes `--bench`; the rest are ours.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let path = match args.first() {
        Some(path) => paths::given(path),
        None if paths::given(BUILT_FIXTURE).exists() => paths::given(BUILT_FIXTURE),
        None => {
            eprintln!(
                "escape_times: no hostile fixture yet (run `cargo test --test integration escapes`, or pass its path)"
            );
            return;
        }
    };
    let runs: usize = match args.get(1).map(|n| n.parse()) {
        None => 50,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => fail(&format!("RUNS must be a positive number, not {:?}", args[1])),
    };
    let limits = Limits::default();
    let engine = PickerEngine::new(limits.clone()).expect("an engine");
    let policy = Policy::from_file(&engine, &path).unwrap_or_else(|e| fail(&e.to_string()));
    let scenario = Scenario::parse(OFFICE).expect("the office scenario");
    let mut instance = policy.instance(shared_store(scenario.store), local_clock());
    let deadline = limits.deadline;
    println!("deadline {} ms, {runs} runs each (warm instance)", deadline.as_millis());
    println!("{:<32} {:<18} {:>10} {:>10} {:>14}", "attempt", "ended as", "median ms", "max ms", "max overrun ms");
    for (name, seed) in ATTEMPTS {
        let mut times = Vec::with_capacity(runs);
        let mut kind = String::new();
        for _ in 0..runs {
            let options = PickOptions { seed: Some(*seed), ..scenario.options.clone() };
            let started = Instant::now();
            let outcome = instance.pick(&options);
            times.push(started.elapsed());
            kind = serde_json::to_value(&outcome.outcome).unwrap()["error"]["kind"]
                .as_str()
                .unwrap_or("not an error")
                .into();
        }
        times.sort();
        let (median, max) = (times[runs / 2], times[runs - 1]);
        let overrun = max.saturating_sub(deadline);
        println!("{name:<32} {kind:<18} {:>10.2} {:>10.2} {:>14.2}", ms(median), ms(max), ms(overrun));
    }
}

/// One line on stderr, exit 2: the program cannot run.
fn fail(why: &str) -> ! {
    eprintln!("escape_times: {why}");
    std::process::exit(2)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
