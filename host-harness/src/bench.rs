//! Measuring pick cost: warm instance, fresh instance, native baseline, load
//! times and sizes (`host-harness bench`, and the criterion benches).

use std::path::Path;
use std::time::Instant;

use emailgen_domain::PickOptions;
use serde::Serialize;

use emailgen_host::policy::{compile, sha256_hex, BUILTIN_POLICIES};
use emailgen_host::{local_clock, shared_store, CompileCache, Limits, PickOutcome, PickerEngine, Policy};

use crate::native::{NativeHost, NativePolicy};
use crate::scenario::Scenario;

/// Medians over the run, with the 10th and 90th percentiles as the spread.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub scenario: String,
    pub policy: String,
    pub picks: usize,
    pub warm_us: f64,
    pub warm_p10_us: f64,
    pub warm_p90_us: f64,
    pub fresh_us: f64,
    pub fresh_p10_us: f64,
    pub fresh_p90_us: f64,
    /// Wasm instructions a warm pick executed: median and 99th percentile.
    pub warm_instructions_p50: u64,
    pub warm_instructions_p99: u64,
    /// The same for a fresh instance per pick (its start included).
    pub fresh_instructions_p50: u64,
    pub fresh_instructions_p99: u64,
    /// `None` for a policy file with no native build.
    pub native_us: Option<f64>,
    /// A warm pick recorded (transcript and record built and handed to a
    /// sink), µs.
    pub warm_recorded_us: f64,
    /// Writing one of those records (to JSON and to a file), µs: done on
    /// the record writer's own thread, not the pick's.
    pub record_write_us: f64,
    pub load_ms: f64,
    pub load_cached_ms: f64,
    pub wasm_bytes: usize,
    pub guest_memory_bytes: usize,
    /// Outcomes of the warm run: actions, skips, errors.
    pub actions: usize,
    pub skips: usize,
    pub errors: usize,
}

/// The component bytes and display name for a `--policy` value.
pub fn policy_bytes(spec: Option<&str>) -> Result<(String, Vec<u8>), String> {
    let spec = spec.unwrap_or("builtin:default");
    if let Some(name) = spec.strip_prefix("builtin:") {
        let (_, bytes) =
            BUILTIN_POLICIES.iter().find(|(n, _)| *n == name).ok_or(format!("no built-in policy {name:?}"))?;
        return Ok((name.to_owned(), bytes.to_vec()));
    }
    let bytes = std::fs::read(spec).map_err(|e| format!("cannot read policy {spec}: {e}"))?;
    Ok((spec.to_owned(), bytes))
}

pub fn run(scenario_path: &Path, policy_spec: Option<&str>, picks: usize) -> Result<BenchReport, String> {
    let scenario = Scenario::load(scenario_path).map_err(|e| e.to_string())?;
    let (name, bytes) = policy_bytes(policy_spec)?;
    let engine = PickerEngine::new(Limits::default()).map_err(|e| e.to_string())?;
    let (load_ms, load_cached_ms) = load_times(&engine, &name, &bytes)?;
    let policy = Policy::from_bytes(&engine, &name, &bytes).map_err(|e| e.to_string())?;
    let options = |i: usize| PickOptions { seed: Some(i as u64), ..scenario.options.clone() };
    let mail = shared_store(scenario.store);

    let mut instance = policy.instance(mail.clone(), local_clock());
    let (mut actions, mut skips, mut errors) = (0, 0, 0);
    let mut warm_instructions = Vec::with_capacity(picks);
    let warm = time_each(picks, |i, measured| {
        let picked = instance.pick(&options(i));
        if measured {
            warm_instructions.push(picked.instructions);
            match picked.outcome {
                PickOutcome::Action { .. } => actions += 1,
                PickOutcome::Skip { .. } => skips += 1,
                PickOutcome::Error { .. } => errors += 1,
            }
        }
    });
    let sink = std::sync::Arc::new(emailgen_host::record::MemorySink::default());
    let mut recorded = policy.instance(mail.clone(), local_clock());
    recorded.set_recorder(Some(sink.clone() as emailgen_host::Recorder));
    let warm_recorded = time_each(picks, |i, _| {
        recorded.pick(&options(i));
    });
    let record_write_us = write_cost(&sink.records())?;
    let mut fresh_instructions = Vec::with_capacity(picks);
    let fresh = time_each(picks, |i, measured| {
        let picked = policy.pick_fresh(mail.clone(), local_clock(), &options(i));
        if measured {
            fresh_instructions.push(picked.instructions);
        }
    });
    let native = policy_spec.unwrap_or("builtin:default").strip_prefix("builtin:").and_then(NativePolicy::named).map(
        |mut native| {
            let store = Scenario::load(scenario_path).expect("loaded above").store;
            let mut host = NativeHost { store, clock: local_clock() };
            time_each(picks, |i, _| {
                native.pick(&mut host, &options(i));
            })
        },
    );
    Ok(BenchReport {
        scenario: scenario_path.display().to_string(),
        policy: name,
        picks,
        warm_us: warm.median,
        warm_p10_us: warm.p10,
        warm_p90_us: warm.p90,
        fresh_us: fresh.median,
        fresh_p10_us: fresh.p10,
        fresh_p90_us: fresh.p90,
        warm_instructions_p50: quantile(&mut warm_instructions, 0.5),
        warm_instructions_p99: quantile(&mut warm_instructions, 0.99),
        fresh_instructions_p50: quantile(&mut fresh_instructions, 0.5),
        fresh_instructions_p99: quantile(&mut fresh_instructions, 0.99),
        native_us: native.map(|n| n.median),
        warm_recorded_us: warm_recorded.median,
        record_write_us,
        load_ms,
        load_cached_ms,
        wasm_bytes: bytes.len(),
        guest_memory_bytes: instance.guest_memory_bytes(),
        actions,
        skips,
        errors,
    })
}

/// The median time to write one record as a JSON line to a file, µs.
fn write_cost(records: &[emailgen_host::PickRecord]) -> Result<f64, String> {
    use std::io::Write;
    let path = std::env::temp_dir().join(format!("emailgen-bench-records-{}.jsonl", std::process::id()));
    let file = std::fs::File::create(&path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    let mut times: Vec<f64> = records
        .iter()
        .map(|record| {
            let start = Instant::now();
            let _ = writeln!(out, "{}", record.to_json_line());
            start.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    drop(out);
    let _ = std::fs::remove_file(&path);
    times.sort_by(f64::total_cmp);
    Ok(times.get(times.len() / 2).map_or(0.0, |t| round(*t, 100.0)))
}

/// Compile time from bytes, and load time from the precompiled cache
/// (medians of a few runs, in milliseconds).
fn load_times(engine: &PickerEngine, name: &str, bytes: &[u8]) -> Result<(f64, f64), String> {
    let compile_ms = median_ms(3, || compile(engine, name, bytes).map(drop).map_err(|e| e.to_string()))?;
    let dir = std::env::temp_dir().join(format!("emailgen-bench-{}-{}", std::process::id(), &sha256_hex(bytes)[..8]));
    let cache = CompileCache::new(&dir);
    cache.load(engine, name, bytes).map_err(|e| e.to_string())?;
    let cached_ms = median_ms(9, || cache.load(engine, name, bytes).map(drop).map_err(|e| e.to_string()));
    let _ = std::fs::remove_dir_all(&dir);
    Ok((round(compile_ms, 100.0), round(cached_ms?, 1000.0)))
}

fn median_ms(runs: usize, mut f: impl FnMut() -> Result<(), String>) -> Result<f64, String> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        f()?;
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[runs / 2])
}

/// The `q` quantile of counts (0 for none).
pub(crate) fn quantile(counts: &mut [u64], q: f64) -> u64 {
    counts.sort_unstable();
    counts.get(((counts.len().saturating_sub(1)) as f64 * q).round() as usize).copied().unwrap_or(0)
}

/// Rounds to 1/`per` (timings are not more precise than that).
fn round(value: f64, per: f64) -> f64 {
    (value * per).round() / per
}

struct Spread {
    median: f64,
    p10: f64,
    p90: f64,
}

/// Times each of `n` calls (after a warm-up of n/10) in microseconds; `f`
/// is told whether the call is measured.
fn time_each(n: usize, mut f: impl FnMut(usize, bool)) -> Spread {
    for i in 0..n / 10 {
        f(i, false);
    }
    let mut times: Vec<f64> = (0..n)
        .map(|i| {
            let start = Instant::now();
            f(i, true);
            start.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    Spread { median: round(at(0.5), 100.0), p10: round(at(0.1), 100.0), p90: round(at(0.9), 100.0) }
}
