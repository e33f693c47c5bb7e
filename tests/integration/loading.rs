//! Loading never hurts the host: a component the host refuses is refused
//! from what reading it shows, before the compiler sees it; every refusal
//! says what is wrong in the operator's units; the compile cache keeps
//! compiled policies safely.

use std::path::Path;

use emailgen_host::policy::inspect::inspect;
use emailgen_host::policy::DEFAULT_POLICY_WASM;
use emailgen_host::{CacheUse, CompileCache, Limits, LoadError, PickerEngine, Policy};
use wasmparser::{Parser, Payload};

use crate::common::engine;
use crate::common::fixtures::build_fixture;

/// The component with every function body overwritten by bytes that are no
/// Wasm at all: its sections still read, but no compiler accepts it.
fn with_garbage_code(component: &[u8]) -> Vec<u8> {
    let mut bytes = component.to_vec();
    let bodies: Vec<_> = Parser::new(0)
        .parse_all(component)
        .filter_map(|payload| match payload {
            Ok(Payload::CodeSectionEntry(body)) => Some(body.range()),
            _ => None,
        })
        .collect();
    assert!(!bodies.is_empty(), "the component has code");
    for range in bodies {
        bytes[range].fill(0xff);
    }
    bytes
}

#[test]
fn a_forbidden_import_is_refused_before_the_compiler_sees_the_code() {
    let path = build_fixture("hostile-policy", &["filesystem"], "hostile_filesystem.wasm");
    let garbage = with_garbage_code(&std::fs::read(&path).unwrap());
    // Had it been compiled first, the garbage would be the reason given.
    match Policy::from_bytes(&engine(), "hostile_filesystem", &garbage) {
        Err(LoadError::ForbiddenImport { import, .. }) => assert!(import.starts_with("wasi:filesystem"), "{import}"),
        Err(other) => panic!("refused for another reason: {other}"),
        Ok(_) => panic!("accepted"),
    }
    // And the garbage does stop a component whose imports are fine, at the
    // compiler.
    let default_garbage = with_garbage_code(DEFAULT_POLICY_WASM);
    let refused = Policy::from_bytes(&engine(), "default", &default_garbage).err().expect("garbage is refused");
    assert!(matches!(refused, LoadError::NotAComponent { .. }), "{refused}");
}

#[test]
fn reading_shows_the_imports_the_version_and_the_memory() {
    let found = inspect("default", DEFAULT_POLICY_WASM, &Limits::default()).unwrap();
    assert_eq!(found.wit_version, "0.2.2");
    assert!(found.imports.iter().any(|i| i == "decnet:emailgen/store@0.2.2"), "{:?}", found.imports);
    assert!(found.memory_bytes > 0 && found.memory_bytes < 1 << 20, "{}", found.memory_bytes);
}

#[test]
fn a_core_module_or_no_pick_export_is_not_a_policy() {
    let core_module = b"\0asm\x01\0\0\0";
    let refused = Policy::from_bytes(&engine(), "core", core_module).err().unwrap().to_string();
    assert!(refused.contains("core WebAssembly module; a policy is a component"), "{refused}");
    let other_world = build_fixture("other-world", &[], "other_world.wasm");
    let refused = Policy::from_file(&engine(), &other_world).err().unwrap().to_string();
    assert!(refused.contains("does not fit the picker world"), "{refused}");
}

#[test]
fn a_policy_that_needs_more_memory_than_the_limit_is_told_so_in_mib() {
    let small = Limits { memory_bytes: 64 << 10, ..Limits::default() };
    let refused = inspect("default", DEFAULT_POLICY_WASM, &small).err().unwrap().to_string();
    assert!(refused.starts_with("policy default needs at least 0."), "{refused}");
    assert!(refused.contains("MiB of memory to start; the limit is 0.06 MiB (--memory-mib"), "{refused}");
}

#[test]
fn a_policy_file_past_the_size_limit_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.wasm");
    std::fs::write(&path, vec![0u8; 4096]).unwrap();
    let engine = PickerEngine::new(Limits { max_policy_bytes: 1024, ..Limits::default() }).unwrap();
    let refused = Policy::from_file(&engine, &path).err().unwrap().to_string();
    assert!(refused.contains("big.wasm is 0.00 MiB; the largest policy this host loads is 0.00 MiB"), "{refused}");
}

#[test]
fn the_cache_compiles_once_verifies_entries_and_evicts_past_its_cap() {
    let dir = tempfile::tempdir().unwrap();
    let cache = CompileCache::new(dir.path().join("cache"));
    let (_, first) = cache.load(&engine(), "default", DEFAULT_POLICY_WASM).unwrap();
    let (_, second) = cache.load(&engine(), "default", DEFAULT_POLICY_WASM).unwrap();
    assert_eq!((first, second), (CacheUse::Miss, CacheUse::Hit));
    let entry = only_entry(cache.dir());
    // A flipped byte is caught by the entry's checksum: compiled again.
    let mut bytes = std::fs::read(&entry).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&entry, bytes).unwrap();
    let (_, after_corruption) = cache.load(&engine(), "default", DEFAULT_POLICY_WASM).unwrap();
    assert_eq!(after_corruption, CacheUse::Miss);
    // Past the cap, the entry used least recently goes.
    let tiny = CompileCache::new(dir.path().join("cache")).with_max_bytes(1);
    let realistic = emailgen_host::policy::REALISTIC_POLICY_WASM;
    tiny.load(&engine(), "realistic", realistic).unwrap();
    let left =
        std::fs::read_dir(tiny.dir()).unwrap().filter(|e| e.as_ref().unwrap().path().extension().is_some()).count();
    assert!(left <= 1, "{left} entries kept past a one-byte cap");
}

fn only_entry(dir: &Path) -> std::path::PathBuf {
    let entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    entries.into_iter().next().unwrap()
}
