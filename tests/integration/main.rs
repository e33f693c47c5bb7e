//! Harness-driven tests: the real policy components loaded in wasmtime through
//! `host-harness`, plus property tests of the guest's persona parser.
//!
//! One test binary with a module per concern rather than one binary per file:
//! every binary links wasmtime, so seven of them cost six extra links and a
//! few hundred megabytes of disk for nothing.

mod common;

mod async_picks;
mod authoring;
mod baseline;
mod book;
mod component;
mod decnet_data;
mod escapes;
mod load;
mod loading;
mod persona_properties;
mod pool;
mod realistic;
mod record;
mod sandbox;
mod statistics;
mod swap;
