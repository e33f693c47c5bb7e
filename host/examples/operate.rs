//! Running policies as an orchestrator does: a slot whose policy is swapped
//! at runtime after a canary pick, compiled components kept in a cache, and
//! every pick recorded for replay. (`cargo run -p emailgen-host --example
//! operate`; built by `cargo test`, shown in the book.)

use std::sync::Arc;

use emailgen_host::{local_clock, shared_store, Canary, FileLimits, FileSink, Limits, PickerEngine, Policy};
use emailgen_host::{CompileCache, Decky, MailStore, PickOptions, PolicySlot, Recorder, StoreError, ThreadRow};
use emailgen_host::{SharedMailStore, Topology};

/// One fleet mail decky and a pool of two personas, always at work.
struct Fleet;

impl MailStore for Fleet {
    fn list_running_deckies(&mut self, _: &[&str]) -> Result<Vec<Decky>, StoreError> {
        let mx = Decky { uuid: "fleet-01:mx".into(), services: vec!["imap".into()], ..Decky::default() };
        Ok(vec![Decky { source: Some("fleet".into()), ..mx }])
    }
    fn get_topology(&mut self, _: &str) -> Result<Option<Topology>, StoreError> {
        Ok(None)
    }
    fn list_email_threads(&mut self, _: &str, _: &str, _: &str, _: u32) -> Result<Vec<ThreadRow>, StoreError> {
        Ok(Vec::new())
    }
    fn global_personas(&mut self) -> Result<String, StoreError> {
        Ok(r#"[{"name": "Ana", "email": "ana@corp.example", "role": "CFO", "active_hours": "00:00-00:00"},
               {"name": "Bo", "email": "bo@corp.example", "role": "IT", "active_hours": "00:00-00:00"}]"#
            .into())
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let work = std::env::temp_dir().join(format!("emailgen-operate-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let (v1, v2) = (work.join("v1.wasm"), work.join("v2.wasm"));
    std::fs::write(&v1, emailgen_host::policy::DEFAULT_POLICY_WASM)?;
    std::fs::write(&v2, emailgen_host::policy::REALISTIC_POLICY_WASM)?;
    let engine = PickerEngine::new(Limits::default())?;
    let mail: SharedMailStore = shared_store(Fleet);
    let options = PickOptions::default();

    // ANCHOR: swap
    let cache = CompileCache::new(work.join("cache")); // or CompileCache::default_dir()
    let (policy, _) = cache.load_file(&engine, &v1)?;
    let slot = PolicySlot::new(policy, 3); // roll back after 3 failed picks in a row
    let picked = slot.pick(mail.clone(), local_clock(), &options); // outcome + which policy made it

    let (candidate, _) = cache.load_file(&engine, &v2)?;
    let canary = Canary { mail: mail.clone(), clock: local_clock(), options: options.clone() };
    slot.swap(candidate, &canary)?; // or Err(why): v1 stays active
    slot.rollback()?; // back to v1 on demand
                      // ANCHOR_END: swap
    println!("{} picked: {}", picked.policy.name, picked.outcome.to_json());

    // ANCHOR: record
    let sink: Recorder = Arc::new(FileSink::create(work.join("picks.jsonl"), FileLimits::default())?);
    slot.set_recorder(Some(sink.clone())); // or on one instance: instance.set_recorder(...)
    slot.pick(mail.clone(), local_clock(), &options);
    sink.flush();
    // ANCHOR_END: record

    // One policy, picked on directly: warm instances from its pool.
    let policy = Policy::builtin(&engine)?;
    let outcome = policy.instance(mail, local_clock()).pick(&options);
    println!("default picked: {}", outcome.to_json());
    std::fs::remove_dir_all(&work)?;
    Ok(())
}
