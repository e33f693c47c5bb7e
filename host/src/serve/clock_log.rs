//! The WIT `clock` and `log` interfaces.

use super::convert;
use super::state::HostState;
use super::transcript::StoreCall;
use crate::bindings::{clock, log, types};
use crate::text::escape_unsafe;

/// The longest log line kept; longer ones are cut.
const MAX_LOG_CHARS: usize = 2048;

impl clock::Host for HostState {
    fn local_now(&mut self) -> wasmtime::Result<types::LocalDatetime> {
        let now = (self.clock)();
        self.transcript.note(|| StoreCall::LocalNow { now: now.format("%Y-%m-%dT%H:%M:%S").to_string() });
        Ok(convert::local_datetime(now))
    }
}

impl log::Host for HostState {
    fn log(&mut self, level: log::Level, mut message: String) -> wasmtime::Result<()> {
        if !self.budget.log_line() {
            return Ok(());
        }
        if message.len() > MAX_LOG_CHARS {
            let cut = (0..=MAX_LOG_CHARS).rev().find(|i| message.is_char_boundary(*i)).unwrap_or(0);
            message.truncate(cut);
            message.push('…');
        }
        // One policy line is one log line: a newline or an escape sequence
        // in it cannot forge a host line.
        let message = escape_unsafe(&message);
        match level {
            log::Level::Debug => tracing::debug!(target: "policy", "{message}"),
            log::Level::Info => tracing::info!(target: "policy", "{message}"),
            log::Level::Warn => tracing::warn!(target: "policy", "{message}"),
            log::Level::Error => tracing::error!(target: "policy", "{message}"),
        }
        Ok(())
    }
}

impl types::Host for HostState {}
