//! `host-harness check POLICY`: the one command to run before a swap.

use clap::Args;

use host_harness::bench::policy_bytes;
use host_harness::check::{self, CheckOptions, CheckReport};

use super::{CacheArgs, Fatal, LimitArgs, EXIT_OK, EXIT_PICK_ERROR};

#[derive(Args)]
#[command(long_about = "Check a picker policy before swapping it in. It is loaded as the host loads it \
(imports, WIT version, size and the memory it needs are reported; a refusal fails the check), then picks \
in every sample scenario and in generated worlds that reach every skip condition, both persona sources, \
replies, bad persona entries and shared addresses: every outcome must be an action the host accepts or a \
skip, never an error. Two fresh instances given the same seed must decide the same. Last, what a pick costs: \
instructions (p50/p99, against the budget), µs warm and fresh, compile and cached-load time.\n\n\
A policy that never replies, or skips more often than the default, passes: those are its choices.\n\n\
Exit status: 0 when the policy passes, 1 when it fails (each failure named), 2 when the check cannot run.")]
pub struct CheckArgs {
    /// The policy: a component file, or builtin:default / builtin:realistic.
    #[arg(value_name = "POLICY.wasm")]
    policy: String,
    /// Picks per world (seeds 0..N).
    #[arg(long, value_name = "N", default_value_t = 48, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    picks: u64,
    /// Print the report as one JSON object.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    limits: LimitArgs,
    #[command(flatten)]
    cache: CacheArgs,
}

pub fn run(args: CheckArgs) -> Result<i32, Fatal> {
    let (name, bytes) = policy_bytes(Some(&args.policy)).map_err(Fatal)?;
    let name = std::path::Path::new(&name).file_stem().map_or(name.clone(), |s| s.to_string_lossy().into_owned());
    let options = CheckOptions { picks: args.picks as usize, ..CheckOptions::default() };
    let cache = args.cache.cache();
    let report =
        check::run(&args.policy, &name, &bytes, args.limits.limits()?, cache.as_ref(), &options).map_err(Fatal)?;
    if args.json {
        println!("{}", serde_json::to_string(&report).expect("reports serialise"));
    } else {
        print_report(&report);
    }
    Ok(if report.passed { EXIT_OK } else { EXIT_PICK_ERROR })
}

fn print_report(report: &CheckReport) {
    println!("policy        {}", report.policy);
    if let Some(c) = &report.component {
        println!("size          {} bytes (sha256 {})", c.bytes, &c.sha256[..16]);
        println!("WIT           decnet:emailgen@{}", c.wit_version);
        println!("imports       {}", c.imports.join(", "));
        println!("memory        starts at {} (limit {})", mib(c.memory_bytes), mib(c.memory_limit_bytes));
    }
    if !report.worlds.is_empty() {
        let picks: usize = report.worlds.iter().map(|w| w.picks).sum();
        println!("worlds        {} worlds, {picks} picks", report.worlds.len());
        for w in &report.worlds {
            let mark = if w.errors == 0 && w.not_repeatable == 0 { "ok  " } else { "FAIL" };
            println!(
                "  {mark} {:<38} {:>3} actions ({} replies), {:>3} skips, {} errors",
                w.name, w.actions, w.replies, w.skips, w.errors
            );
        }
    }
    if let Some(c) = &report.cost {
        let share = 100.0 * c.max_instructions as f64 / c.instruction_budget as f64;
        println!(
            "instructions  warm p50 {} p99 {}, fresh p50 {} p99 {}; most {} = {share:.2}% of the budget ({})",
            c.warm_instructions_p50,
            c.warm_instructions_p99,
            c.fresh_instructions_p50,
            c.fresh_instructions_p99,
            c.max_instructions,
            c.instruction_budget
        );
        println!("time          warm {:.2} µs, fresh {:.2} µs (bench/medium.json)", c.warm_us, c.fresh_us);
        println!("load          compile {:.2} ms, cached load {:.3} ms", c.compile_ms, c.cached_load_ms);
    }
    if report.passed {
        println!("result        PASS");
    } else {
        println!("result        FAIL ({} failures)", report.failures.len());
        for failure in &report.failures {
            println!("  - {failure}");
        }
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.2} MiB", bytes as f64 / (1 << 20) as f64)
}
