//! The bench's native baseline runs the policy's own logic on the same data:
//! over a scenario store (which keeps revisions, so both sides fingerprint
//! by revision), warm native picks equal warm Wasm picks, pick for pick.

use std::path::PathBuf;

use emailgen_host::{shared_store, PickOptions, PickOutcome};
use host_harness::native::{NativeHost, NativePolicy};
use host_harness::Scenario;

use crate::common::*;

#[test]
fn the_native_baseline_picks_what_the_sandbox_picks() {
    for workload in ["small", "medium", "large"] {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bench").join(format!("{workload}.json"));
        let scenario = Scenario::load(&path).unwrap();
        let options = |seed: u64| PickOptions { seed: Some(seed), ..scenario.options.clone() };
        let clock = fixed_clock(at(10, 0));
        let mail = shared_store(Scenario::load(&path).unwrap().store);
        let mut instance = default_policy().instance(mail, clock.clone());
        let mut native = NativePolicy::named("default").unwrap();
        let mut host = NativeHost { store: scenario.store, clock };
        for seed in 0..40 {
            let wasm = instance.pick(&options(seed)).outcome;
            assert!(matches!(wasm, PickOutcome::Action { .. }), "{workload} seed {seed}: {}", wasm.to_json());
            let baseline: PickOutcome = native.pick(&mut host, &options(seed));
            assert_eq!(wasm, baseline, "{workload} seed {seed}");
        }
    }
}
