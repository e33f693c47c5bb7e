//! `host-harness bench`: what a pick costs on a workload.

use std::path::PathBuf;

use clap::Args;

use super::{Fatal, EXIT_OK};

#[derive(Args)]
pub struct BenchArgs {
    /// Workload scenario file (see bench/).
    #[arg(long, value_name = "FILE")]
    scenario: PathBuf,
    /// Policy to measure: a component file, or builtin:default / builtin:realistic.
    #[arg(long, value_name = "COMPONENT.wasm")]
    policy: Option<String>,
    /// Picks per measurement (after a warm-up of a tenth as many).
    #[arg(long, value_name = "N", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(10..=10_000_000))]
    picks: u64,
    /// Print the report as one JSON object.
    #[arg(long)]
    json: bool,
}

pub fn run(args: BenchArgs) -> Result<i32, Fatal> {
    let report =
        host_harness::bench::run(&args.scenario, args.policy.as_deref(), args.picks as usize).map_err(Fatal)?;
    if args.json {
        println!("{}", serde_json::to_string(&report).expect("reports serialise"));
        return Ok(EXIT_OK);
    }
    let native = report.native_us.map_or("n/a".to_owned(), |n| format!("{n:.2} µs"));
    println!("scenario            {}", report.scenario);
    println!("policy              {} ({} bytes)", report.policy, report.wasm_bytes);
    println!(
        "picks               {} ({} actions, {} skips, {} errors)",
        report.picks, report.actions, report.skips, report.errors
    );
    println!(
        "warm                {:.2} µs  (p10 {:.2}, p90 {:.2})",
        report.warm_us, report.warm_p10_us, report.warm_p90_us
    );
    println!(
        "fresh               {:.2} µs  (p10 {:.2}, p90 {:.2})",
        report.fresh_us, report.fresh_p10_us, report.fresh_p90_us
    );
    println!("native              {native}");
    println!(
        "instructions        warm p50 {} p99 {}, fresh p50 {} p99 {} (budget {})",
        report.warm_instructions_p50,
        report.warm_instructions_p99,
        report.fresh_instructions_p50,
        report.fresh_instructions_p99,
        emailgen_host::Limits::default().instructions
    );
    println!(
        "warm, recorded      {:.2} µs  (writing the record: {:.2} µs, off the pick's thread)",
        report.warm_recorded_us, report.record_write_us
    );
    println!("load (compile)      {:.2} ms", report.load_ms);
    println!("load (cached)       {:.3} ms", report.load_cached_ms);
    println!("guest memory        {} bytes", report.guest_memory_bytes);
    Ok(EXIT_OK)
}
