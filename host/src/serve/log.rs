//! The WIT `log` interface: a policy's log lines, escaped and bounded, to
//! the host's log (target `policy`).

use wasmtime::component::HasData;

use super::budget::ImportBudget;
use crate::bindings::{log, types};
use crate::text::escape_unsafe;

/// The longest log line kept; longer ones are cut.
const MAX_LOG_CHARS: usize = 2048;

/// The `log` interface's view of an instance: the budget its lines count
/// against.
pub struct LogView<'a> {
    pub(super) budget: &'a mut ImportBudget,
}

/// The `log` interface (and the `types` one, which has no functions),
/// linked on its own.
pub struct LogImports;

impl HasData for LogImports {
    type Data<'a> = LogView<'a>;
}

impl log::Host for LogView<'_> {
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

impl types::Host for LogView<'_> {}
