//! `host-harness personas --scenario FILE`: the personas the host serves a
//! policy from a scenario file, parsed and validated as the host parses
//! them. What an author checks a scenario with, and what the JavaScript
//! kit's local runner reads, so that every kit sees the host's own parse.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;
use emailgen_domain::persona::{parse_personas, PersonaSummary, GLOBAL_LANGUAGE_DEFAULT};
use emailgen_domain::MailStore;
use serde_json::{json, Value};

use host_harness::Scenario;

use super::{Fatal, EXIT_OK};

#[derive(Args)]
pub struct PersonasArgs {
    /// Scenario file (JSON), as `pick` takes it.
    #[arg(long, value_name = "FILE")]
    scenario: PathBuf,
}

pub fn run(args: PersonasArgs) -> Result<i32, Fatal> {
    let mut scenario = Scenario::load(&args.scenario)?;
    let mut warnings = Vec::new();
    let mut topologies = BTreeMap::new();
    for (key, topology) in scenario.store.topologies() {
        let parsed = parse_personas(&topology.email_personas, topology.language());
        warnings.extend(parsed.warnings.iter().map(|w| format!("topology {key}: {w}")));
        topologies.insert(topology.id.clone(), summaries(&parsed.personas));
    }
    let pool = scenario.store.global_personas().map_err(|e| Fatal(format!("global personas: {}", e.0)))?;
    let parsed = parse_personas(&pool, GLOBAL_LANGUAGE_DEFAULT);
    warnings.extend(parsed.warnings.iter().map(|w| format!("global pool: {w}")));
    let report = json!({"topologies": topologies, "global": summaries(&parsed.personas), "warnings": warnings});
    println!("{report}");
    Ok(EXIT_OK)
}

fn summaries(personas: &[emailgen_domain::Persona]) -> Vec<Value> {
    personas
        .iter()
        .map(|p| {
            let s = PersonaSummary::from(p);
            let (start, end) = s.window.bounds();
            json!({"position": s.position, "email": s.email, "start": start, "end": end,
                   "tone": s.tone.as_str(), "reply_latency": s.reply_latency.as_str(),
                   "uses_llms_heavily": s.uses_llms_heavily})
        })
        .collect()
}
