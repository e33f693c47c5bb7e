//! What the host logs, for Python's `logging`.
//!
//! The library logs with `tracing` wherever it runs: on a pick's thread
//! with the GIL released, on a record writer's thread, in a timer. Calling
//! Python there would take the GIL in the middle of the host's work, so a
//! `tracing` layer queues the lines instead, and the package hands them to
//! `logging` on the caller's thread when a pick, a swap, a rollback, a load
//! or a flush ends (`emailgen_picker/_logs.py`).
//!
//! Only lines at or above the level Python would log are queued: the
//! package passes the loggers' effective level each time it takes the
//! lines, so a line below it costs one atomic load.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Mutex;

use pyo3::prelude::*;
use tracing::field::{Field, Visit};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// Lines kept between two takes; past it the oldest wait and new ones are
/// counted as dropped.
const MAX_QUEUED: usize = 10_000;

/// A queued line: Python's level number, the tracing target, the text.
type Line = (u8, &'static str, String);

struct Queue {
    lines: VecDeque<Line>,
    dropped: u64,
}

static QUEUE: Mutex<Queue> = Mutex::new(Queue { lines: VecDeque::new(), dropped: 0 });

/// The least Python level a line needs to be queued (WARNING until the
/// package says otherwise: Python's default).
static THRESHOLD: AtomicU8 = AtomicU8::new(30);

/// Python's number for a tracing level.
fn python_level(level: &Level) -> u8 {
    match *level {
        Level::ERROR => 40,
        Level::WARN => 30,
        Level::INFO => 20,
        Level::DEBUG => 10,
        Level::TRACE => 5,
    }
}

/// The Python logger of the host's tracing targets: `policy` (what a
/// policy logs or prints) and the library's own modules; `None` for
/// everything else (wasmtime's own events are not passed on).
fn logger(target: &str) -> Option<String> {
    match target {
        "policy" => Some("emailgen_picker.policy".into()),
        "host" => Some("emailgen_picker.host".into()),
        _ => {
            let module = target.strip_prefix("emailgen_host")?;
            Some(format!("emailgen_picker.host{}", module.replace("::", ".")))
        }
    }
}

/// The event's message, then any other fields as ` name=value`.
#[derive(Default)]
struct Text(String);

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.push_str(value);
        } else {
            let _ = write!(self.0, " {}={value}", field.name());
        }
    }
}

/// The layer that queues the host's lines for Python.
struct ToPython;

impl<S: Subscriber> Layer<S> for ToPython {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        // Asked again on every event: the threshold moves.
        if logger(metadata.target()).is_some() {
            Interest::sometimes()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, metadata: &Metadata<'_>, _: Context<'_, S>) -> bool {
        python_level(metadata.level()) >= THRESHOLD.load(Ordering::Relaxed)
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut text = Text::default();
        event.record(&mut text);
        let line = (python_level(event.metadata().level()), event.metadata().target(), text.0);
        let mut queue = QUEUE.lock().unwrap_or_else(|p| p.into_inner());
        if queue.lines.len() < MAX_QUEUED {
            queue.lines.push_back(line);
        } else {
            queue.dropped += 1;
        }
    }
}

/// Makes the queue the process's `tracing` subscriber. If another
/// extension set one first, the host's lines go there instead.
pub fn install() {
    let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry().with(ToPython));
}

/// The lines queued since the last take, as `(level, logger, message)`,
/// and how many were dropped; from now on queues only lines at or above
/// `threshold` (a Python level number).
#[pyfunction]
pub fn take_logs(threshold: u8) -> (Vec<(u8, String, String)>, u64) {
    THRESHOLD.store(threshold, Ordering::Relaxed);
    let (lines, dropped) = {
        let mut queue = QUEUE.lock().unwrap_or_else(|p| p.into_inner());
        (std::mem::take(&mut queue.lines), std::mem::take(&mut queue.dropped))
    };
    let named = lines.into_iter().filter_map(|(level, target, text)| Some((level, logger(target)?, text)));
    (named.collect(), dropped)
}
