//! The repository README's embedding example is this crate's doc test, word
//! for word: the doc test runs it, this test keeps the README from drifting.

/// The lines of the first fenced code block after `after` in a Markdown text.
fn first_block_after<'a>(markdown: &'a str, after: &str) -> Vec<&'a str> {
    let section = &markdown[markdown.find(after).unwrap_or_else(|| panic!("README has no {after:?}"))..];
    section.lines().skip_while(|line| !line.starts_with("```")).skip(1).take_while(|line| *line != "```").collect()
}

/// The lines of the first code block in a crate's `//!` docs.
fn first_doc_block(source: &str) -> Vec<&str> {
    let docs = source.lines().filter_map(|line| line.strip_prefix("//!"));
    let text = docs.map(|line| line.strip_prefix(' ').unwrap_or(line));
    text.skip_while(|line| *line != "```").skip(1).take_while(|line| *line != "```").collect()
}

#[test]
fn the_readmes_embedding_example_is_the_crate_doc_test() {
    let readme = include_str!("../../README.md");
    let in_readme = first_block_after(readme, "## Embedding the picker in a wasmtime host");
    let in_docs = first_doc_block(include_str!("lib.rs"));
    assert!(in_docs.len() > 20, "the crate docs' example was not found: {in_docs:?}");
    assert_eq!(in_readme, in_docs, "README's embedding example differs from host/src/lib.rs's doc test");
}

#[test]
fn a_changed_line_is_seen() {
    let readme = "## Embedding\n\n```rust\nlet a = 1;\nlet b = 2;\n```\n";
    let docs = "//! Text.\n//!\n//! ```\n//! let a = 1;\n//! let b = 3;\n//! ```\n";
    assert_ne!(first_block_after(readme, "## Embedding"), first_doc_block(docs));
    assert_eq!(first_block_after(readme, "## Embedding"), ["let a = 1;", "let b = 2;"]);
}
