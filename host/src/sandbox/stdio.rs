//! Where a policy's stdout and stderr go: to the host's log, one log line per
//! output line, at most [`OUTPUT_BUDGET`] bytes per pick. Writes never fail
//! and never wait (the stream is always ready), so a chatty policy is muted,
//! not crashed, and cannot block the host. Control characters in a line are
//! escaped, so output cannot forge log lines or drive a terminal.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi_io::bytes::Bytes;
use wasmtime_wasi_io::poll::Pollable;
use wasmtime_wasi_io::streams::{OutputStream, StreamError};

/// Bytes of output per stream and pick that reach the log.
pub const OUTPUT_BUDGET: usize = 16 << 10;
/// The longest line logged; longer lines are cut.
const MAX_LINE: usize = 1024;

/// One of the policy's output streams, shared by every handle the guest
/// opens on it.
#[derive(Clone)]
pub struct GuestOutput {
    state: Arc<Mutex<OutputState>>,
}

struct OutputState {
    stream: &'static str,
    line: Vec<u8>,
    remaining: usize,
    muted: bool,
}

impl GuestOutput {
    /// The policy's `stream` (`stdout` or `stderr`), empty.
    pub fn new(stream: &'static str) -> Self {
        let state = OutputState { stream, line: Vec::new(), remaining: OUTPUT_BUDGET, muted: false };
        GuestOutput { state: Arc::new(Mutex::new(state)) }
    }

    /// Starts a new pick's budget, logging any unfinished line first.
    pub fn begin_pick(&self) {
        let mut state = self.lock();
        state.emit_line();
        state.remaining = OUTPUT_BUDGET;
        state.muted = false;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, OutputState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn accept(&self, bytes: &[u8]) {
        let mut state = self.lock();
        let take = bytes.len().min(state.remaining);
        state.remaining -= take;
        for &byte in &bytes[..take] {
            if byte == b'\n' {
                state.emit_line();
            } else if state.line.len() < MAX_LINE {
                state.line.push(byte);
            }
        }
        if take < bytes.len() && !state.muted {
            state.muted = true;
            tracing::warn!(target: "policy", "policy {} exceeded {OUTPUT_BUDGET} bytes this pick; the rest is dropped", state.stream);
        }
    }
}

impl OutputState {
    fn emit_line(&mut self) {
        if !self.line.is_empty() {
            let text = String::from_utf8_lossy(&self.line);
            let text = crate::text::escape_unsafe(&text);
            tracing::info!(target: "policy", "[{}] {text}", self.stream);
            self.line.clear();
        }
    }
}

impl IsTerminal for GuestOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for GuestOutput {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

#[wasmtime_wasi_io::async_trait]
impl OutputStream for GuestOutput {
    fn write(&mut self, bytes: Bytes) -> Result<(), StreamError> {
        self.accept(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> Result<(), StreamError> {
        Ok(())
    }

    fn check_write(&mut self) -> Result<usize, StreamError> {
        Ok(4096)
    }
}

#[wasmtime_wasi_io::async_trait]
impl Pollable for GuestOutput {
    async fn ready(&mut self) {}
}

impl tokio::io::AsyncWrite for GuestOutput {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        self.accept(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
