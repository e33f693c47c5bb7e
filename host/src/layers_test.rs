//! The crate's shape, checked: its layers use only what is below them, and
//! its normal dependencies are an embedder's, not the harness's.

use std::path::{Path, PathBuf};

/// Each top-level module's layer (the crate docs' table).
fn layer(module: &str) -> Option<u8> {
    Some(match module {
        "outcome" | "text" | "persona_pool" => 0,
        "sandbox" | "bindings" => 1,
        "serve" => 2,
        "check" | "record" => 3,
        "policy" => 4,
        _ => return None,
    })
}

fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The top-level modules a file names as `crate::MODULE`, outside comments.
fn crate_paths(text: &str) -> Vec<String> {
    let code = text.lines().filter(|line| !line.trim_start().starts_with("//"));
    code.flat_map(|line| {
        line.match_indices("crate::").map(move |(at, _)| {
            line[at + 7..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>()
        })
    })
    .collect()
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let top = relative.iter().next().unwrap().to_string_lossy().trim_end_matches(".rs").to_owned();
        let Some(own) = layer(&top) else { continue }; // lib.rs and this test
        for used in crate_paths(&std::fs::read_to_string(file).unwrap()) {
            let Some(theirs) = layer(&used) else { continue };
            if used != top && theirs >= own {
                wrong.push(format!("{} (layer {own}) uses crate::{used} (layer {theirs})", relative.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}

#[test]
fn the_layer_check_sees_a_use_upward() {
    assert_eq!(
        crate_paths("use crate::policy::Policy;\n// crate::check\nlet x = crate::serve::x;"),
        ["policy", "serve"]
    );
}

/// Crates of the harness application an embedder must not compile.
const HARNESS_ONLY: &[&str] =
    &["clap", "rusqlite", "indicatif", "ctrlc", "tracing-subscriber", "mimalloc", "criterion"];

#[test]
fn normal_dependencies_are_an_embedders() {
    let output = std::process::Command::new(env!("CARGO"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["tree", "--offline", "-e", "normal", "-p", "emailgen-host", "--prefix", "none", "--format", "{p}"])
        .output()
        .expect("run cargo tree");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let tree = String::from_utf8(output.stdout).unwrap();
    let names: Vec<&str> = tree.lines().filter_map(|line| line.split_whitespace().next()).collect();
    assert!(names.contains(&"wasmtime"), "the tree lists the crate's dependencies: {tree}");
    let unwanted: Vec<&&str> = HARNESS_ONLY.iter().filter(|name| names.contains(name)).collect();
    assert!(unwanted.is_empty(), "emailgen-host depends on {unwanted:?}");
}
