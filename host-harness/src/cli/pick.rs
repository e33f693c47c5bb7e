//! `host-harness pick`: picks against a scenario, one JSON line each.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use emailgen_host::{local_clock, shared_store, PickOptions};
use host_harness::scenario::{check_reply_probability, parse_local_datetime};
use host_harness::Scenario;

use super::{CacheArgs, Fatal, LimitArgs, RecordArgs, EXIT_OK, EXIT_PICK_ERROR};

#[derive(Args)]
pub struct PickArgs {
    /// Scenario file (JSON): deckies, topologies, threads, global personas,
    /// and optional now / seed / reply_probability.
    #[arg(long, value_name = "FILE")]
    scenario: PathBuf,
    /// Picker policy: a component file, or builtin:default / builtin:realistic.
    /// The built-in default policy when absent.
    #[arg(long, value_name = "COMPONENT.wasm")]
    policy: Option<String>,
    /// Seed for the policy's random choices (overrides the scenario's).
    /// With --repeat, pick i uses seed + i.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Local wall-clock time of the tick, ISO 8601 (overrides the scenario's).
    #[arg(long, value_name = "DATETIME", value_parser = parse_local_datetime)]
    now: Option<chrono::NaiveDateTime>,
    /// Probability 0-1 of replying on an existing thread (overrides the scenario's).
    #[arg(long, value_name = "P", value_parser = parse_probability)]
    reply_probability: Option<f64>,
    /// Number of picks against the same data.
    #[arg(long, value_name = "N", default_value_t = 1)]
    repeat: u64,
    #[command(flatten)]
    limits: LimitArgs,
    #[command(flatten)]
    cache: CacheArgs,
    #[command(flatten)]
    record: RecordArgs,
}

fn parse_probability(text: &str) -> Result<f64, String> {
    let p: f64 = text.parse().map_err(|_| format!("{text:?} is not a number"))?;
    check_reply_probability(p)
}

pub fn run(args: PickArgs) -> Result<i32, Fatal> {
    let scenario = Scenario::load(&args.scenario)?;
    let engine = args.limits.engine()?;
    let policy = args.cache.load(&engine, args.policy.as_deref().unwrap_or("builtin:default"))?;
    let options = PickOptions {
        seed: args.seed.or(scenario.options.seed),
        now: args.now.or(scenario.options.now),
        reply_probability: args.reply_probability.or(scenario.options.reply_probability),
    };
    let sink = args.record.sink()?;
    let mut instance = policy.instance(shared_store(scenario.store), local_clock());
    instance.set_recorder(sink.clone().map(|s| s as emailgen_host::Recorder));
    let mut stdout = std::io::stdout().lock();
    let mut status = EXIT_OK;
    for i in 0..args.repeat {
        let seed = options.seed.map(|seed| seed.wrapping_add(i));
        let outcome = instance.pick(&PickOptions { seed, ..options.clone() });
        if outcome.is_error() {
            status = EXIT_PICK_ERROR;
        }
        writeln!(stdout, "{}", outcome.to_json()).map_err(|e| Fatal(format!("cannot write to stdout: {e}")))?;
    }
    // The records are written before the command ends.
    drop(instance);
    drop(sink);
    Ok(status)
}
