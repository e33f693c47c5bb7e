//! Runs many picks for a profiler: on one warm instance, or with `fresh` on a
//! fresh instance each.
//!
//! ```sh
//! cargo bench -p host-harness-benches --bench profile_picks --no-run   # prints the binary's path, target/release/deps/profile_picks-HASH
//! EMAILGEN_PROFILE=perfmap perf record -g target/release/deps/profile_picks-HASH bench/medium.json 100000 [policy.wasm|builtin] [fresh]
//! perf report --no-children --sort symbol
//! ```
//!
//! A bench target (built in release by `cargo bench`, not by every `cargo
//! test`); `cargo bench --bench profile_picks` alone runs 100,000 warm
//! picks on `bench/medium.json`. A tool such as valgrind runs as cargo's
//! runner: `CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER=valgrind cargo bench ...`.
//!
//! Instructions per pick, repeatable on a noisy machine (the pooling
//! allocator off, as valgrind cannot reserve its address space): run with
//! `NO_POOL=1 valgrind --tool=callgrind` at N and at 0 picks, and divide the
//! difference by N (BENCHMARKS.md, "Instruction counts").
//!
//! `EMAILGEN_PROFILE=perfmap` tells the engine to write a perf map so guest
//! functions show by name (build the guest unstripped to see them:
//! `--config 'profile.guest.strip=false'`). For call graphs through the host
//! (who called what, not only where time was spent), build this example with
//! frame pointers in a target directory of its own, e.g.
//! `RUSTFLAGS="-C force-frame-pointers=yes" cargo bench --no-run -p host-harness-benches
//! --bench profile_picks --target-dir /tmp/fp-target`, and use
//! `perf report --children`.

use emailgen_host::{local_clock, shared_store, Limits, PickOptions, PickerEngine, Policy};
use host_harness::Scenario;

/// The same allocator as the `host-harness` binary, so figures agree.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: profile_picks [SCENARIO [PICKS [POLICY.wasm|builtin] [fresh|warm] [record]]]";

/// The workload `cargo bench` runs when given nothing.
const MEDIUM: &str = "bench/medium.json";

#[path = "paths.rs"]
mod paths;

fn main() {
    // `cargo bench` passes `--bench`; without it `args[1]` is the scenario,
    // as in the usage line.
    let args: Vec<String> = std::env::args().filter(|a| a != "--bench").collect();
    // Relative paths are also looked for from the repository's root
    // (cargo runs the program in its package's folder).
    let scenario = paths::given(args.get(1).map_or(MEDIUM, String::as_str));
    let picks = match args.get(2).map(|n| n.parse::<u64>()) {
        None => 100_000,
        Some(Ok(n)) => n,
        Some(Err(_)) => fail(USAGE),
    };
    let scenario = Scenario::load(&scenario).unwrap_or_else(|e| fail(&e.to_string()));
    // valgrind cannot reserve the pooling allocator's address space.
    let pooled = std::env::var_os("NO_POOL").is_none();
    let limits = Limits { pooled_instances: pooled.then_some(1000), ..Limits::default() };
    let engine = PickerEngine::new(limits).expect("an engine");
    let policy = match args.get(3).map(String::as_str) {
        Some("builtin") | None => Policy::builtin(&engine),
        Some(path) => Policy::from_file(&engine, &paths::given(path)),
    }
    .unwrap_or_else(|e| fail(&e.to_string()));
    let options = scenario.options.clone();
    let fresh = args.get(4).is_some_and(|a| a == "fresh");
    let mail = shared_store(scenario.store);
    let mut instance = policy.instance(mail.clone(), local_clock());
    // `record`: every pick recorded into memory (the pick's own cost of
    // recording; a file sink writes on a thread of its own).
    let sink = std::sync::Arc::new(emailgen_host::record::MemorySink::default());
    if args.get(5).is_some_and(|a| a == "record") {
        instance.set_recorder(Some(sink.clone() as emailgen_host::Recorder));
    }
    let started = std::time::Instant::now();
    for seed in 0..picks {
        let options = PickOptions { seed: Some(seed), ..options.clone() };
        if fresh {
            std::hint::black_box(policy.pick_fresh(mail.clone(), local_clock(), &options));
        } else {
            std::hint::black_box(instance.pick(&options));
        }
    }
    eprintln!("{:.2} µs per pick", started.elapsed().as_secs_f64() * 1e6 / picks as f64);
}

/// One line on stderr, exit 2: the program cannot run.
fn fail(why: &str) -> ! {
    eprintln!("profile_picks: {why}");
    std::process::exit(2)
}
