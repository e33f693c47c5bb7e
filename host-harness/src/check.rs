//! `host-harness check`: everything an author or an operator wants to know
//! before a policy is swapped in, found by running it as the host would.
//!
//! The component is read and loaded as the host loads it (its imports, WIT
//! version, size and the memory it needs reported; a refusal is a failure).
//! It then picks in every world of [`worlds`], a warm instance per world
//! with a seed per pick: every outcome must be an action the host accepted
//! or a skip, never an error, on data that is all valid. Picks with the
//! same seed on fresh instances must decide the same. Last, what a pick
//! costs: instructions (the budget's unit) and time, warm and fresh, and
//! how long compiling and a cached load take.
//!
//! A policy that never replies, or skips more often than the default, is
//! not failed: those are a policy's choices.

pub mod worlds;

use std::time::Instant;

use chrono::{NaiveDateTime, Timelike};
use serde::Serialize;

use emailgen_domain::PickOptions;
use emailgen_host::policy::inspect::inspect;
use emailgen_host::policy::{compile, sha256_hex};
use emailgen_host::{local_clock, shared_store, CacheUse, CompileCache, Limits, PickOutcome, PickerEngine, Policy};

use crate::bench::quantile;
use worlds::World;

/// What `check` found.
#[derive(Debug, Serialize)]
pub struct CheckReport {
    pub policy: String,
    pub passed: bool,
    /// Each failure, named: what went wrong, where, and an example.
    pub failures: Vec<String>,
    pub component: Option<Component>,
    pub worlds: Vec<WorldResult>,
    pub cost: Option<Cost>,
}

/// What reading the component found.
#[derive(Debug, Serialize)]
pub struct Component {
    pub bytes: usize,
    pub wit_version: String,
    pub imports: Vec<String>,
    /// The linear memory it starts with, and the limit it must fit.
    pub memory_bytes: u64,
    pub memory_limit_bytes: u64,
    pub sha256: String,
}

/// The picks in one world.
#[derive(Debug, Serialize)]
pub struct WorldResult {
    pub name: String,
    pub picks: usize,
    pub actions: usize,
    pub replies: usize,
    pub skips: usize,
    pub errors: usize,
    /// Seeds whose two fresh picks decided differently.
    pub not_repeatable: usize,
}

/// What a pick costs.
#[derive(Debug, Serialize)]
pub struct Cost {
    /// Instructions of warm picks over every world: median, 99th percentile.
    pub warm_instructions_p50: u64,
    pub warm_instructions_p99: u64,
    /// The same for fresh instances (their start included).
    pub fresh_instructions_p50: u64,
    pub fresh_instructions_p99: u64,
    /// The most any pick used, and the budget it must stay within.
    pub max_instructions: u64,
    pub instruction_budget: u64,
    /// Median times on `bench/medium.json`, µs.
    pub warm_us: f64,
    pub fresh_us: f64,
    /// Compiling the component, and loading it compiled from a cache, ms.
    pub compile_ms: f64,
    pub cached_load_ms: f64,
}

/// How thorough a check is.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Picks (seeds 0..picks) per world.
    pub picks: usize,
    /// Seeds per world also picked twice on fresh instances.
    pub fresh_seeds: usize,
    /// Picks timed for the cost figures.
    pub timed_picks: usize,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions { picks: 48, fresh_seeds: 8, timed_picks: 300 }
    }
}

/// Checks the component `bytes` (from `shown`, named `name`) against
/// `limits`. `Err` only when the check cannot run; anything wrong with the
/// policy is a failure in the report.
pub fn run(
    shown: &str,
    name: &str,
    bytes: &[u8],
    limits: Limits,
    cache: Option<&CompileCache>,
    options: &CheckOptions,
) -> Result<CheckReport, String> {
    let mut report = CheckReport {
        policy: shown.to_owned(),
        passed: false,
        failures: Vec::new(),
        component: None,
        worlds: Vec::new(),
        cost: None,
    };
    let engine = PickerEngine::new(limits.clone()).map_err(|e| e.to_string())?;
    let loaded = inspect(name, bytes, &limits).and_then(|inspection| {
        report.component = Some(Component {
            bytes: bytes.len(),
            wit_version: inspection.wit_version,
            imports: inspection.imports,
            memory_bytes: inspection.memory_bytes,
            memory_limit_bytes: limits.memory_bytes as u64,
            sha256: sha256_hex(bytes),
        });
        load_timed(&engine, name, bytes, cache)
    });
    let (policy, load) = match loaded {
        Ok(loaded) => loaded,
        Err(refused) => {
            report.failures.push(format!("the host refuses it: {refused}"));
            return Ok(report);
        }
    };
    let mut costs = Costs::default();
    let mut errors = Incidents::default();
    for world in worlds::all() {
        let result = run_world(&policy, world, options, &mut costs, &mut errors, &mut report.failures);
        report.worlds.push(result);
    }
    report.failures.extend(errors.describe(report.worlds.len()));
    report.cost = Some(costs.finish(&engine, name, bytes, &policy, load, &limits, cache, options)?);
    report.passed = report.failures.is_empty();
    Ok(report)
}

/// Instructions counted across every world.
#[derive(Default)]
struct Costs {
    warm: Vec<u64>,
    fresh: Vec<u64>,
}

fn run_world(
    policy: &Policy,
    world: World,
    options: &CheckOptions,
    costs: &mut Costs,
    errors: &mut Incidents,
    failures: &mut Vec<String>,
) -> WorldResult {
    let settings = Settings { base: world.options, sweep_day: world.sweep_day };
    let store = shared_store(world.store);
    let mut instance = policy.instance(store.clone(), local_clock());
    let mut result = WorldResult {
        name: world.name,
        picks: options.picks,
        actions: 0,
        replies: 0,
        skips: 0,
        errors: 0,
        not_repeatable: 0,
    };
    for seed in 0..options.picks as u64 {
        let picked = instance.pick(&settings.for_seed(seed));
        costs.warm.push(picked.instructions);
        match &picked.outcome {
            PickOutcome::Action { action } => {
                result.actions += 1;
                result.replies += usize::from(action.is_reply);
            }
            PickOutcome::Skip { .. } => result.skips += 1,
            PickOutcome::Error { error } => {
                result.errors += 1;
                let message = one_line(&error.message);
                let group = format!("`{}` error: {}", error.kind.as_str(), shape(&message));
                errors.note(group, &result.name, format!("{} seed {seed}: {message}", result.name));
            }
        }
    }
    for seed in 0..options.fresh_seeds.min(options.picks) as u64 {
        let pick_options = settings.for_seed(seed);
        let first = policy.pick_fresh(store.clone(), local_clock(), &pick_options);
        let second = policy.pick_fresh(store.clone(), local_clock(), &pick_options);
        costs.fresh.push(first.instructions);
        if first.outcome != second.outcome {
            result.not_repeatable += 1;
            failures.push(format!(
                "{}: seed {seed} decided differently on two fresh instances (same seed, same data, same now): {} / {}",
                result.name,
                summary(&first.outcome),
                summary(&second.outcome)
            ));
        }
    }
    result
}

/// Errors grouped by kind and the shape of their message (what went
/// wrong, without the names and numbers): how many picks, in how many
/// worlds, and the first example.
#[derive(Default)]
struct Incidents {
    groups: Vec<(String, usize, std::collections::BTreeSet<String>, String)>,
}

impl Incidents {
    fn note(&mut self, group: String, world: &str, example: String) {
        match self.groups.iter_mut().find(|(g, ..)| *g == group) {
            Some((_, count, worlds, _)) => {
                *count += 1;
                worlds.insert(world.to_owned());
            }
            None => self.groups.push((group, 1, [world.to_owned()].into(), example)),
        }
    }

    /// One failure per group, in the order first seen.
    fn describe(self, of_worlds: usize) -> Vec<String> {
        self.groups
            .into_iter()
            .map(|(group, count, worlds, example)| {
                let picks = if count == 1 { "pick" } else { "picks" };
                format!("{group} ({count} {picks} in {} of {of_worlds} worlds; first: {example})", worlds.len())
            })
            .collect()
    }
}

/// A message with its quoted texts and numbers blanked, so the same
/// mistake on different data reads the same.
fn shape(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    for c in message.chars() {
        match c {
            '"' => {
                if !quoted {
                    out.push_str("\"…\"");
                }
                quoted = !quoted;
            }
            _ if quoted => {}
            '0'..='9' if out.ends_with('N') => {}
            '0'..='9' => out.push('N'),
            _ => out.push(c),
        }
    }
    out
}

/// A world's pick settings.
struct Settings {
    base: PickOptions,
    /// Pick `seed` at hour `seed % 24` of the scenario's day (or of
    /// 2026-04-27, a Monday, when it gives none).
    sweep_day: bool,
}

impl Settings {
    fn for_seed(&self, seed: u64) -> PickOptions {
        let now = match (self.sweep_day, self.base.now) {
            (false, now) => now,
            (true, now) => now
                .or_else(|| NaiveDateTime::parse_from_str("2026-04-27T00:00:00", "%Y-%m-%dT%H:%M:%S").ok())
                .and_then(|t| t.with_hour((seed % 24) as u32)),
        };
        PickOptions { seed: Some(seed), now, ..self.base.clone() }
    }
}

fn summary(outcome: &PickOutcome) -> String {
    match outcome {
        PickOutcome::Action { action } => format!("action on thread {}", action.thread_id),
        PickOutcome::Skip { reason } => format!("skip ({})", reason.kind()),
        PickOutcome::Error { error } => format!("{} error", error.kind.as_str()),
    }
}

/// A policy's message on one line (it is the policy's text: shown, not
/// trusted).
fn one_line(message: &str) -> String {
    let flat: String = message.chars().map(|c| if c.is_control() { ' ' } else { c }).take(200).collect();
    flat
}

impl Costs {
    #[allow(clippy::too_many_arguments)]
    fn finish(
        mut self,
        engine: &PickerEngine,
        name: &str,
        bytes: &[u8],
        policy: &Policy,
        load: LoadTime,
        limits: &Limits,
        cache: Option<&CompileCache>,
        options: &CheckOptions,
    ) -> Result<Cost, String> {
        let (warm_us, fresh_us) = medium_times(policy, options.timed_picks);
        let (compile_ms, cached_load_ms) = load_times(engine, name, bytes, load, cache)?;
        let max_instructions = self.warm.iter().chain(&self.fresh).copied().max().unwrap_or(0);
        Ok(Cost {
            warm_instructions_p50: quantile(&mut self.warm, 0.5),
            warm_instructions_p99: quantile(&mut self.warm, 0.99),
            fresh_instructions_p50: quantile(&mut self.fresh, 0.5),
            fresh_instructions_p99: quantile(&mut self.fresh, 0.99),
            max_instructions,
            instruction_budget: limits.instructions,
            warm_us,
            fresh_us,
            compile_ms,
            cached_load_ms,
        })
    }
}

/// Median µs of a warm and of a fresh pick on the medium workload.
fn medium_times(policy: &Policy, picks: usize) -> (f64, f64) {
    let world = worlds::medium();
    let settings = Settings { base: world.options, sweep_day: world.sweep_day };
    let store = shared_store(world.store);
    let mut instance = policy.instance(store.clone(), local_clock());
    let warm = median_us(picks, |seed| drop(instance.pick(&settings.for_seed(seed))));
    let fresh = median_us(picks / 3 + 1, |seed| {
        drop(policy.pick_fresh(store.clone(), local_clock(), &settings.for_seed(seed)));
    });
    (warm, fresh)
}

fn median_us(n: usize, mut f: impl FnMut(u64)) -> f64 {
    let mut times: Vec<f64> = (0..n as u64)
        .map(|seed| {
            let start = Instant::now();
            f(seed);
            start.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2] * 100.0).round() / 100.0
}

/// How the policy was loaded for the check, and how long it took (ms).
#[derive(Clone, Copy)]
enum LoadTime {
    Compiled(f64),
    FromCache(f64),
}

/// The policy, loaded as the host loads it: through the compile cache when
/// there is one (so a policy checked before loads at once), timed.
fn load_timed(
    engine: &PickerEngine,
    name: &str,
    bytes: &[u8],
    cache: Option<&CompileCache>,
) -> Result<(Policy, LoadTime), emailgen_host::LoadError> {
    let start = Instant::now();
    let ms = |start: Instant| start.elapsed().as_secs_f64() * 1e3;
    match cache {
        None => Policy::from_bytes(engine, name, bytes).map(|p| (p, LoadTime::Compiled(ms(start)))),
        Some(cache) => cache.load(engine, name, bytes).map(|(policy, used)| match used {
            CacheUse::Hit => (policy, LoadTime::FromCache(ms(start))),
            CacheUse::Miss => (policy, LoadTime::Compiled(ms(start))),
        }),
    }
}

/// Compile time and cached-load time, ms: one is how the policy was just
/// loaded, the other is measured once more (a compile, or a load from the
/// cache the compile filled; without a cache, from a temporary one).
fn load_times(
    engine: &PickerEngine,
    name: &str,
    bytes: &[u8],
    load: LoadTime,
    cache: Option<&CompileCache>,
) -> Result<(f64, f64), String> {
    let round = |ms: f64, per: f64| (ms * per).round() / per;
    let (compile_ms, cached_ms) = match (load, cache) {
        (LoadTime::FromCache(cached), _) => {
            let start = Instant::now();
            compile(engine, name, bytes).map_err(|e| e.to_string())?;
            (start.elapsed().as_secs_f64() * 1e3, cached)
        }
        (LoadTime::Compiled(compiled), Some(cache)) => (compiled, timed_cached_load(engine, name, bytes, cache)?),
        (LoadTime::Compiled(compiled), None) => {
            let dir = tempdir_for(bytes);
            let temporary = CompileCache::new(&dir);
            let cached = temporary
                .load(engine, name, bytes)
                .map_err(|e| e.to_string())
                .and_then(|_| timed_cached_load(engine, name, bytes, &temporary));
            let _ = std::fs::remove_dir_all(&dir);
            (compiled, cached?)
        }
    };
    Ok((round(compile_ms, 100.0), round(cached_ms, 1000.0)))
}

fn timed_cached_load(engine: &PickerEngine, name: &str, bytes: &[u8], cache: &CompileCache) -> Result<f64, String> {
    let start = Instant::now();
    cache.load(engine, name, bytes).map_err(|e| e.to_string())?;
    Ok(start.elapsed().as_secs_f64() * 1e3)
}

fn tempdir_for(bytes: &[u8]) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("emailgen-check-{}-{}", std::process::id(), &sha256_hex(bytes)[..8]))
}
