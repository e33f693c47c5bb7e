//! The crate's shape, checked: its layers use only what is below them, and
//! its normal dependencies are an embedder's, not the harness's.

use std::path::{Path, PathBuf};

/// Each top-level module's layer (the crate docs' table).
fn layer(module: &str) -> Option<u8> {
    Some(match module {
        "outcome" | "text" => 0,
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

// ---- no import circles between files -------------------------------------

/// The module path of a source file under `src` (`serve/state.rs` →
/// `serve::state`; `serve/mod.rs` → `serve`; `lib.rs` → the root).
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let mut path: Vec<String> =
        file.strip_prefix(src).unwrap().iter().map(|part| part.to_string_lossy().into_owned()).collect();
    let last = path.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if !matches!(stem, "mod" | "lib" | "main") {
        path.push(stem.to_owned());
    }
    path
}

/// The modules a file's code names, as absolute module paths: `super::x`,
/// `self::x`, `crate::x::y`, with `{a, b::c}` groups opened. A file's own
/// tests (from its first `mod tests {`) are left out: there `super` is the
/// file itself.
fn named_modules(text: &str, own: &[String]) -> Vec<Vec<String>> {
    let code: String = text
        .lines()
        .take_while(|line| !line.trim_start().starts_with("mod tests {"))
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut named = Vec::new();
    for start in ["crate::", "super::", "self::"] {
        for (at, _) in code.match_indices(start) {
            // A longer path that merely ends in the prefix (`a::super::`) is
            // not one.
            if code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let mut base: Vec<String> = match start {
                "crate::" => Vec::new(),
                "super::" => own[..own.len().saturating_sub(1)].to_vec(),
                _ => own.to_vec(),
            };
            let mut rest = &code[at + start.len()..];
            while let Some(after) = rest.strip_prefix("super::") {
                base.pop();
                rest = after;
            }
            for path in open_groups(rest) {
                named.push(base.iter().cloned().chain(path).collect());
            }
        }
    }
    named
}

/// The paths a `use` tail names: `a::b::C;` → [[a, b, C]]; `{a, b::c}` →
/// [[a], [b, c]]; `a::{b, c}` → [[a, b], [a, c]].
fn open_groups(tail: &str) -> Vec<Vec<String>> {
    let word = |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
    let mut prefix = Vec::new();
    let mut rest = tail;
    loop {
        if let Some(group) = rest.strip_prefix('{') {
            let inside = &group[..group.find('}').unwrap_or(group.len())];
            return inside
                .split(',')
                .map(str::trim)
                .filter(|part| !part.is_empty())
                .map(|part| {
                    prefix.iter().cloned().chain(open_groups(part).into_iter().next().unwrap_or_default()).collect()
                })
                .collect();
        }
        let name = word(rest);
        if name.is_empty() {
            return vec![prefix];
        }
        rest = &rest[name.len()..];
        prefix.push(name);
        match rest.strip_prefix("::") {
            Some(more) => rest = more,
            None => return vec![prefix],
        }
    }
}

/// Every circle of imports between sibling files of a crate (the files of
/// one directory, a subdirectory counted with its module's file), as
/// `dir: a -> b -> a`.
fn import_circles(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    sources(src, &mut files);
    // (directory's module path) -> sibling -> siblings it names.
    let mut edges: std::collections::BTreeMap<
        Vec<String>,
        std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
    > = Default::default();
    for file in &files {
        let own = module_path(src, file);
        for named in named_modules(&std::fs::read_to_string(file).unwrap(), &own) {
            let shared = own.iter().zip(&named).take_while(|(a, b)| a == b).count();
            let (Some(from), Some(to)) = (own.get(shared), named.get(shared)) else { continue };
            // Only module names: an item of the directory's module (a
            // type, a function) is not a sibling file.
            let dir = src.join(own[..shared].join("/"));
            let is_module = |name: &str| dir.join(format!("{name}.rs")).exists() || dir.join(name).is_dir();
            if is_module(from) && is_module(to) {
                edges.entry(own[..shared].to_vec()).or_default().entry(from.clone()).or_default().insert(to.clone());
            }
        }
    }
    let mut circles = Vec::new();
    for (dir, graph) in &edges {
        for start in graph.keys() {
            if let Some(path) = path_back(graph, start) {
                circles.push(format!("{}: {}", if dir.is_empty() { "crate".into() } else { dir.join("::") }, path));
            }
        }
    }
    circles
}

/// A path of imports from `start` back to itself, if there is one.
fn path_back(
    graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
    start: &str,
) -> Option<String> {
    let mut stack = vec![(start.to_owned(), vec![start.to_owned()])];
    let mut seen = std::collections::BTreeSet::new();
    while let Some((at, path)) = stack.pop() {
        for next in graph.get(&at).into_iter().flatten() {
            if next == start {
                return Some(format!("{} -> {start}", path.join(" -> ")));
            }
            if seen.insert(next.clone()) {
                stack.push((next.clone(), path.iter().cloned().chain([next.clone()]).collect()));
            }
        }
    }
    None
}

#[test]
fn no_file_imports_a_file_that_imports_it() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut circles = Vec::new();
    for src in ["host/src", "domain/src", "src", "python/src", "host-harness/src", "policies/realistic/src"] {
        circles.extend(import_circles(&workspace.join(src)).into_iter().map(|c| format!("{src}: {c}")));
    }
    assert!(circles.is_empty(), "import circles between files:\n{}", circles.join("\n"));
}

#[test]
fn the_circle_check_sees_a_circle() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::write(src.join("lib.rs"), "mod a;\nmod b;\nmod c;\n").unwrap();
    std::fs::write(src.join("a.rs"), "use super::b::B;\n").unwrap();
    std::fs::write(src.join("b.rs"), "use crate::{c::C, a};\n").unwrap();
    std::fs::write(src.join("c.rs"), "pub struct C;\n#[cfg(test)]\nmod tests {\n    use super::super::a;\n}\n")
        .unwrap();
    let circles = import_circles(src);
    assert_eq!(circles.len(), 2, "{circles:?}"); // found from a and from b
    assert!(circles[0].contains("a -> b -> a"), "{circles:?}");
    std::fs::write(src.join("b.rs"), "use crate::c::C;\n").unwrap();
    assert!(import_circles(src).is_empty());
}
