//! The smallest embedding: an orchestrator's data behind `MailStore`, the
//! built-in policy, one pick. (`cargo run -p emailgen-host --example
//! embedding`; the crate's doc test runs it, and the book shows it.)

use std::collections::HashMap;

use emailgen_host::{local_clock, shared_store, Limits, PickOutcome, PickerEngine, Policy};
use emailgen_host::{Decky, MailStore, PickOptions, StoreError, ThreadRow, Topology};

// ANCHOR: store
/// The orchestrator's data (a database in real life).
struct Orchestrator {
    deckies: Vec<Decky>,
    topologies: HashMap<String, Topology>,
    pool: String,
}

impl MailStore for Orchestrator {
    fn list_running_deckies(&mut self, services: &[&str]) -> Result<Vec<Decky>, StoreError> {
        Ok(self.deckies.iter().filter(|d| d.offers_any(services)).cloned().collect())
    }
    fn get_topology(&mut self, id: &str) -> Result<Option<Topology>, StoreError> {
        Ok(self.topologies.get(id).cloned())
    }
    fn list_email_threads(&mut self, _: &str, _: &str, _: &str, _: u32) -> Result<Vec<ThreadRow>, StoreError> {
        Ok(Vec::new()) // no mail sent yet
    }
    fn global_personas(&mut self) -> Result<String, StoreError> {
        Ok(self.pool.clone())
    }
}
// ANCHOR_END: store

fn main() {
    let fleet_mail = Decky {
        uuid: "fleet-01:mx".into(),
        services: vec!["imap".into()],
        source: Some("fleet".into()),
        ..Decky::default()
    };
    let pool = r#"[{"name": "Ana", "email": "ana@corp.example", "role": "CFO", "active_hours": "00:00-00:00"},
                   {"name": "Bo", "email": "bo@corp.example", "role": "IT", "active_hours": "00:00-00:00"}]"#;
    let store = Orchestrator { deckies: vec![fleet_mail], topologies: HashMap::new(), pool: pool.into() };

    // ANCHOR: pick
    let engine = PickerEngine::new(Limits::default()).unwrap();
    let policy = Policy::builtin(&engine).unwrap(); // or Policy::from_file(&engine, path)
    let mut picker = policy.instance(shared_store(store), local_clock());
    let picked = picker.pick(&PickOptions::default());
    match picked.outcome {
        PickOutcome::Action { action } => println!("{} writes to {}", action.sender.name, action.recipient.name),
        other => panic!("{}", other.to_json()),
    }
    println!("the policy executed {} Wasm instructions", picked.instructions);
    // ANCHOR_END: pick
}
