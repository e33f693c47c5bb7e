//! A loaded machine does not fail a healthy pick (issue 24): with every
//! core kept busy by processes this test starts, 1,000 picks of the
//! default policy on `bench/medium.json`, half of them the first pick of a
//! fresh instance, all end as actions or skips. Outcomes are asserted, not
//! times: the instruction budget bounds what a pick computes, and the
//! wall-clock deadline only what it waits for.
//!
//! A test binary of its own, so that no other test runs beside it while
//! the machine is loaded.

use std::process::{Child, Command};
use std::time::Duration;

use emailgen_host::{local_clock, shared_store, Limits, PickOptions, PickerEngine, Policy};
use host_harness::Scenario;

/// Busy processes, killed when dropped; each also ends by itself after two
/// minutes, should this test die without dropping them.
struct Load(Vec<Child>);

impl Load {
    fn start(processes: usize) -> Load {
        let spin = "end=$(( $(date +%s) + 120 )); while [ $(date +%s) -lt $end ]; do :; done";
        Load((0..processes).map(|_| Command::new("sh").args(["-c", spin]).spawn().expect("start sh")).collect())
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[test]
fn a_thousand_picks_on_a_saturated_machine_end_without_an_error() {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let load = Load::start(3 * cores);
    std::thread::sleep(Duration::from_millis(200)); // the load is running
    let workload = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/medium.json");
    let scenario = Scenario::load(workload.as_ref()).expect("the workload loads");
    let engine = PickerEngine::new(Limits::default()).unwrap();
    let policy = Policy::builtin(&engine).unwrap();
    let mail = shared_store(scenario.store);
    let options = |seed| PickOptions { seed: Some(seed), ..scenario.options.clone() };
    let mut warm = policy.instance(mail.clone(), local_clock());
    let mut errors = Vec::new();
    for seed in 0..500 {
        for picked in [policy.pick_fresh(mail.clone(), local_clock(), &options(seed)), warm.pick(&options(seed))] {
            if picked.is_error() {
                errors.push(picked.to_json());
            }
        }
    }
    drop(load);
    assert!(
        errors.is_empty(),
        "{} of 1000 picks failed on a loaded machine: {:?}",
        errors.len(),
        &errors[..errors.len().min(3)]
    );
}
