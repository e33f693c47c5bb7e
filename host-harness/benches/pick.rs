//! Criterion benches of one pick on the three workloads in `bench/`: a warm
//! instance, a fresh instance per pick (pooling allocator), and the same
//! logic natively. `cargo bench -p host-harness-benches --bench pick`.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use emailgen_host::{local_clock, shared_store, Limits, PickOptions, PickerEngine, Policy};
use host_harness::native::{NativeHost, NativePolicy};
use host_harness::Scenario;

/// The same allocator as the `host-harness` binary, so figures agree.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn workload(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench").join(format!("{name}.json"));
    Scenario::load(&path).expect("the bench workloads load")
}

fn picks(c: &mut Criterion) {
    let engine = PickerEngine::new(Limits::default()).unwrap();
    let policy = Policy::builtin(&engine).unwrap();
    for name in ["small", "medium", "large"] {
        let mut group = c.benchmark_group(name);
        let scenario = workload(name);
        let options = scenario.options.clone();
        let mail = shared_store(scenario.store);
        let mut seed = 0u64;
        let mut next = |options: &PickOptions| {
            seed += 1;
            PickOptions { seed: Some(seed), ..options.clone() }
        };
        let mut warm = policy.instance(mail.clone(), local_clock());
        group.bench_function("warm", |b| b.iter(|| warm.pick(&next(&options))));
        group.bench_function("fresh", |b| b.iter(|| policy.pick_fresh(mail.clone(), local_clock(), &next(&options))));
        let mut native = NativePolicy::named("default").unwrap();
        let mut host = NativeHost { store: workload(name).store, clock: local_clock() };
        group.bench_function("native", |b| b.iter(|| native.pick(&mut host, &next(&options))));
        group.finish();
    }
}

fn loading(c: &mut Criterion) {
    let engine = PickerEngine::new(Limits::default()).unwrap();
    let bytes = emailgen_host::policy::DEFAULT_POLICY_WASM;
    let dir = tempfile::tempdir().unwrap();
    let cache = emailgen_host::CompileCache::new(dir.path());
    cache.load(&engine, "default", bytes).unwrap();
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.bench_function("compile", |b| b.iter(|| emailgen_host::policy::compile(&engine, "default", bytes).unwrap()));
    group.bench_function("cached", |b| b.iter(|| cache.load(&engine, "default", bytes).unwrap()));
    group.finish();
}

criterion_group!(benches, picks, loading);
criterion_main!(benches);
