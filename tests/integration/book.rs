//! The book (`docs/`, an mdBook) and the READMEs stay whole: every chapter
//! is in `SUMMARY.md`, every relative link resolves, every `{{#include}}`
//! names a file and anchor that exist, and the code a chapter shows is
//! included from files that tests compile or run, never pasted. (mdBook
//! itself need not be installed to check this.)

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn chapters() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    found.sort();
    found
}

/// Every Markdown file a reader meets: the READMEs, the book, BENCHMARKS.
fn markdown_files() -> Vec<PathBuf> {
    let mut files = chapters();
    for readme in [
        "README.md",
        "BENCHMARKS.md",
        "domain/README.md",
        "host/README.md",
        "host-harness/README.md",
        "python/README.md",
        "kit/rust/README.md",
        "kit/python/README.md",
        "kit/js/README.md",
    ] {
        files.push(root().join(readme));
    }
    files.push(root().join("policies/realistic/README.md"));
    files
}

/// The lines outside fenced code blocks.
fn prose(text: &str) -> Vec<&str> {
    let mut inside = false;
    text.lines()
        .filter(|line| {
            if line.trim_start().starts_with("```") {
                inside = !inside;
                return false;
            }
            !inside
        })
        .collect()
}

/// Relative link targets `[text](target)` of a Markdown text's prose.
fn links(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in prose(text) {
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            found.push(after[..end].to_owned());
            rest = &after[end..];
        }
    }
    found.into_iter().filter(|t| !t.contains("://") && !t.starts_with("mailto:")).collect()
}

/// A heading's anchor as mdBook and GitHub make it.
fn slug(heading: &str) -> String {
    let text = heading.trim_start_matches('#').trim().to_lowercase();
    text.chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(markdown: &str) -> BTreeSet<String> {
    prose(markdown).into_iter().filter(|line| line.starts_with('#')).map(slug).collect()
}

#[test]
fn every_chapter_is_in_the_summary_and_every_entry_is_a_chapter() {
    let summary = read(&root().join("docs/SUMMARY.md"));
    let listed: BTreeSet<String> = links(&summary).into_iter().collect();
    for chapter in chapters() {
        let name = chapter.file_name().unwrap().to_string_lossy().into_owned();
        if name != "SUMMARY.md" {
            assert!(listed.contains(&name), "docs/{name} is not in docs/SUMMARY.md");
        }
    }
    for entry in &listed {
        assert!(root().join("docs").join(entry).exists(), "docs/SUMMARY.md lists {entry}, which does not exist");
    }
}

#[test]
fn every_link_resolves() {
    let mut broken = Vec::new();
    for file in markdown_files() {
        let text = read(&file);
        for link in links(&text) {
            let (path, anchor) = link.split_once('#').unwrap_or((&link, ""));
            let target = if path.is_empty() { file.clone() } else { file.parent().unwrap().join(path) };
            if !target.exists() {
                broken.push(format!("{}: {link} (no such file)", file.display()));
            } else if !anchor.is_empty()
                && target.extension().is_some_and(|e| e == "md")
                && !anchors(&read(&target)).contains(anchor)
            {
                broken.push(format!("{}: {link} (no such heading)", file.display()));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// `{{#include PATH}}` and `{{#include PATH:ANCHOR}}` of a chapter.
fn includes(text: &str) -> Vec<(String, Option<String>)> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices("{{#include ") {
        let rest = &text[at + "{{#include ".len()..];
        let Some(end) = rest.find("}}") else { continue };
        let spec = rest[..end].trim();
        match spec.split_once(':') {
            Some((path, anchor)) => found.push((path.to_owned(), Some(anchor.to_owned()))),
            None => found.push((spec.to_owned(), None)),
        }
    }
    found
}

/// Where shown code may come from: files that tests compile or run.
const TESTED_SOURCES: &[(&str, &str)] = &[
    ("host/examples/", "built by cargo test; embedding.rs is the host's doc test"),
    ("python/examples/", "run by python/tests/test_examples.py"),
    ("wit/", "compiled by every bindgen! of the host and the guests"),
    (
        "host-harness/templates/",
        "laid out, tested, built and checked by tests/integration/authoring.rs and python/tests/test_policy_kits.py",
    ),
];

#[test]
fn every_include_resolves_to_tested_code() {
    let mut wrong = Vec::new();
    for chapter in chapters() {
        for (path, anchor) in includes(&read(&chapter)) {
            let target = chapter.parent().unwrap().join(&path);
            let Ok(text) = std::fs::read_to_string(&target) else {
                wrong.push(format!("{}: includes {path}, which does not exist", chapter.display()));
                continue;
            };
            let relative = path.trim_start_matches("../");
            if !TESTED_SOURCES.iter().any(|(dir, _)| relative.starts_with(dir)) {
                wrong.push(format!("{}: includes {path}, which no test compiles or runs", chapter.display()));
            }
            if let Some(anchor) = anchor {
                let (start, end) = (format!("ANCHOR: {anchor}"), format!("ANCHOR_END: {anchor}"));
                if !text.lines().any(|l| l.trim_end().ends_with(&start))
                    || !text.lines().any(|l| l.trim_end().ends_with(&end))
                {
                    wrong.push(format!("{}: includes {path}:{anchor}, an anchor it does not have", chapter.display()));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Languages whose blocks are code a reader might copy: shown only from
/// tested files.
const CODE: &[&str] = &["rust", "python", "py", "js", "javascript", "ts", "typescript", "wit"];

#[test]
fn code_in_the_book_is_included_never_pasted() {
    let mut pasted = Vec::new();
    for chapter in chapters() {
        let text = read(&chapter);
        let mut block: Option<(String, usize)> = None;
        for (number, line) in text.lines().enumerate() {
            if let Some(fence) = line.trim_start().strip_prefix("```") {
                block = match block {
                    None => {
                        if fence.trim().is_empty() {
                            pasted.push(format!(
                                "{}:{}: a code block without a language",
                                chapter.display(),
                                number + 1
                            ));
                        }
                        Some((fence.trim().to_owned(), number + 1))
                    }
                    Some(_) => None,
                };
                continue;
            }
            if let Some((language, opened)) = &block {
                if CODE.contains(&language.as_str())
                    && !line.trim().is_empty()
                    && !line.trim().starts_with("{{#include ")
                {
                    pasted.push(format!("{}:{opened}: {language} code pasted: {line}", chapter.display()));
                }
            }
        }
    }
    assert!(pasted.is_empty(), "{}", pasted.join("\n"));
}

#[test]
fn the_readme_is_a_front_door() {
    let lines = read(&root().join("README.md")).lines().count();
    assert!(lines <= 200, "README.md has {lines} lines; depth belongs in the book (docs/)");
}

#[test]
fn the_checks_see_what_they_look_for() {
    assert_eq!(links("see [a](docs/a.md#x) and [b](https://x.io)\n```\n[c](no.md)\n```"), ["docs/a.md#x"]);
    assert_eq!(slug("## The CLI and `pick`"), "the-cli-and-pick");
    assert_eq!(
        includes("```rust\n{{#include ../host/examples/a.rs:swap}}\n```"),
        [("../host/examples/a.rs".to_owned(), Some("swap".to_owned()))]
    );
}
