//! `host-harness run`: pick on a timer and hot-swap the policy when its file
//! changes. The new policy is compiled on a thread of its own, so picks go
//! on at their pace on the old one meanwhile; it is swapped in (after its
//! canary pick) at the first tick after it is ready.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use clap::Args;
use emailgen_host::{local_clock, shared_store, Canary, LoadError, PickOptions, PickerEngine, Policy, PolicySlot};
use host_harness::Scenario;
use serde_json::json;

use super::{CacheArgs, Fatal, LimitArgs, RecordArgs, EXIT_OK, EXIT_PICK_ERROR};

#[derive(Args)]
pub struct RunArgs {
    /// Picker policy component to run; reloaded whenever the file changes
    /// (rewritten in place or replaced by an atomic rename).
    #[arg(long, value_name = "COMPONENT.wasm")]
    policy: PathBuf,
    /// Scenario file the picks run against.
    #[arg(long, value_name = "FILE")]
    scenario: PathBuf,
    /// Time between picks.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    every_ms: u64,
    /// Stop after this many picks; without it, run until interrupted (Ctrl-C exits 0).
    #[arg(long, value_name = "N")]
    ticks: Option<u64>,
    /// Roll back to the previous policy after this many failed picks in a row (0: never).
    #[arg(long, value_name = "N", default_value_t = 3)]
    rollback_after: u32,
    #[command(flatten)]
    cache: CacheArgs,
    #[command(flatten)]
    limits: LimitArgs,
    #[command(flatten)]
    record: RecordArgs,
}

/// What identifies a version of the policy file on disk.
#[derive(PartialEq, Eq, Clone, Copy)]
struct FileStamp(SystemTime, u64);

fn stamp(path: &Path) -> Option<FileStamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some(FileStamp(meta.modified().ok()?, meta.len()))
}

pub fn run(args: RunArgs) -> Result<i32, Fatal> {
    let scenario = Scenario::load(&args.scenario)?;
    let engine = args.limits.engine()?;
    let mut seen = stamp(&args.policy);
    let initial = args.cache.load(&engine, &args.policy.to_string_lossy())?;
    let slot = PolicySlot::new(initial, args.rollback_after);
    let sink = args.record.sink()?;
    slot.set_recorder(sink.clone().map(|s| s as emailgen_host::Recorder));
    let mail = shared_store(scenario.store);
    let clock = local_clock();
    let mut worker = slot.worker(mail.clone(), clock.clone());
    let interrupted = interrupt_flag()?;
    let mut out = std::io::stdout().lock();
    let mut status = EXIT_OK;
    let mut tick: u64 = 0;
    let mut loading: Option<JoinHandle<Result<Policy, LoadError>>> = None;
    while args.ticks.is_none_or(|n| tick < n) && !interrupted.load(Ordering::SeqCst) {
        let options =
            PickOptions { seed: scenario.options.seed.map(|s| s.wrapping_add(tick)), ..scenario.options.clone() };
        let now = stamp(&args.policy);
        if now.is_some() && now != seen && loading.is_none() {
            seen = now;
            loading = Some(load_in_background(&args.cache, &engine, &args.policy));
        }
        if loading.as_ref().is_some_and(JoinHandle::is_finished) {
            let loaded = loading.take().expect("checked").join().unwrap_or_else(|_| Err(panicked(&args.policy)));
            let canary = Canary { mail: mail.clone(), clock: clock.clone(), options: options.clone() };
            print(&mut out, &swap(&slot, loaded, &canary).to_string())?;
        }
        let picked = worker.pick(&options);
        if picked.outcome.is_error() {
            status = EXIT_PICK_ERROR;
        }
        print(&mut out, &serde_json::to_string(&picked).expect("outcomes serialise"))?;
        if let Some(policy) = &picked.rolled_back_to {
            let reason = format!("{} failed picks in a row", args.rollback_after);
            print(&mut out, &json!({"event": "rollback", "policy": policy, "reason": reason}).to_string())?;
        }
        tick += 1;
        if args.ticks.is_none_or(|n| tick < n) {
            sleep_unless_interrupted(Duration::from_millis(args.every_ms), &interrupted);
        }
    }
    drop(worker);
    slot.set_recorder(None);
    drop(sink); // the records are written before the command ends
    Ok(if interrupted.load(Ordering::SeqCst) { EXIT_OK } else { status })
}

/// Loads (compiles, or reads from the cache) the policy file on a thread
/// of its own.
fn load_in_background(cache: &CacheArgs, engine: &PickerEngine, path: &Path) -> JoinHandle<Result<Policy, LoadError>> {
    let (cache, engine, spec) = (cache.clone(), engine.clone(), path.to_string_lossy().into_owned());
    std::thread::spawn(move || match cache.cache() {
        Some(cache) => cache.load_file(&engine, Path::new(&spec)).map(|(policy, _)| policy),
        None => Policy::from_file(&engine, Path::new(&spec)),
    })
}

/// A loader thread that panicked: a load error naming the file.
fn panicked(path: &Path) -> LoadError {
    LoadError::NotAComponent { name: path.display().to_string(), message: "loading it failed unexpectedly".into() }
}

/// One swap attempt with a loaded (or refused) policy: the event line to
/// print.
fn swap(slot: &PolicySlot, loaded: Result<Policy, LoadError>, canary: &Canary) -> serde_json::Value {
    let previous = slot.active().0.id().clone();
    let swapped = loaded.map_err(Into::into).and_then(|policy| slot.swap(policy, canary));
    match swapped {
        Ok(policy) => json!({"event": "swap", "policy": policy, "previous": previous}),
        Err(err) => json!({"event": "swap_rejected", "reason": err.to_string(), "policy": previous}),
    }
}

fn print(out: &mut impl Write, line: &str) -> Result<(), Fatal> {
    writeln!(out, "{line}").and_then(|_| out.flush()).map_err(|e| Fatal(format!("cannot write to stdout: {e}")))
}

fn interrupt_flag() -> Result<Arc<AtomicBool>, Fatal> {
    let flag = Arc::new(AtomicBool::new(false));
    let handler_flag = flag.clone();
    ctrlc::set_handler(move || handler_flag.store(true, Ordering::SeqCst))
        .map_err(|e| Fatal(format!("cannot install the Ctrl-C handler: {e}")))?;
    Ok(flag)
}

fn sleep_unless_interrupted(total: Duration, interrupted: &AtomicBool) {
    let step = Duration::from_millis(20);
    let mut slept = Duration::ZERO;
    while slept < total && !interrupted.load(Ordering::SeqCst) {
        let nap = step.min(total - slept);
        std::thread::sleep(nap);
        slept += nap;
    }
}
