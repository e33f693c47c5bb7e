use host_harness::*;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let scenario = Scenario::load(args[1].as_ref()).unwrap();
    let engine = PickerEngine::new(Limits::default()).unwrap();
    let policy = match args.get(3) { Some(p) => Policy::from_file(&engine, p.as_ref()).unwrap(), None => Policy::builtin(&engine).unwrap() };
    let mut inst = policy.instance(shared_store(scenario.store), local_clock());
    let n: u64 = args[2].parse().unwrap();
    let t = std::time::Instant::now();
    for i in 0..n { let o = inst.pick(&PickOptions { seed: Some(i), ..scenario.options.clone() }); std::hint::black_box(o); }
    eprintln!("{:.2} us/pick", t.elapsed().as_secs_f64()*1e6/n as f64);
}
