//! Tests of the `host-harness` binary and of scenario loading.
//!
//! One test binary with a module per concern: every test binary links
//! wasmtime, so one per file would cost extra links and disk for nothing.

mod cli;
mod cli_run;
mod samples;
mod scenario_properties;
mod simulate;
