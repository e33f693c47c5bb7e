//! Every decision recorded, every decision replayable.
//!
//! An instance (or a [`PolicySlot`](crate::PolicySlot)) given a
//! [`Recorder`] writes one [`PickRecord`] per pick: when, which policy,
//! the options with the seed actually used (the host draws one when the
//! caller gave none, so every pick can be re-run), the transcript of the
//! store's answers the pick depended on, the outcome and how long it took.
//! Records are JSON Lines (`schema/pick-record.v2.schema.json`; version 1,
//! without what a pick cost, is still read); a
//! [`FileSink`] writes them off the pick's thread, with a size cap and
//! rotation. A record is re-run against a store that answers from its
//! transcript alone ([`TranscriptStore`]; `Policy::replay` in the policy
//! layer runs it).

mod file;
mod read;
mod replay;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, NaiveDateTime, Utc};
use emailgen_domain::PickOptions;
use serde::{Deserialize, Serialize};

pub use file::{FileLimits, FileSink};
pub use read::{parse_record, read_records, RecordError, RecordedPick};
pub use replay::TranscriptStore;

use crate::outcome::{PickOutcome, PolicyId};
use crate::serve::StoreCall;

/// The version of the record format this host writes (version 2 added
/// `instructions` and `fresh`). It reads version 1 too.
pub const RECORD_VERSION: u32 = 2;
/// The record format versions this host reads.
pub const READ_VERSIONS: [u32; 2] = [1, 2];

/// Where records go. Implementations must not block a pick for long: a
/// sink that does I/O hands the record to a thread of its own.
pub trait RecordSink: Send + Sync {
    /// Takes one pick's record.
    fn record(&self, record: PickRecord);
    /// Returns once every record taken so far is written.
    fn flush(&self) {}
}

/// A sink, shared by the instances that record into it.
pub type Recorder = Arc<dyn RecordSink>;

/// One pick, as recorded.
#[derive(Debug, Clone)]
pub struct PickRecord {
    /// When the pick started.
    pub time: SystemTime,
    /// The policy that made it.
    pub policy: PolicyId,
    /// Its options, with the seed used.
    pub options: RecordedOptions,
    /// Whether the host drew the seed (the caller gave none).
    pub seed_drawn: bool,
    /// The store's answers it depended on, in order.
    pub calls: Vec<StoreCall>,
    /// What it produced.
    pub outcome: PickOutcome,
    /// Wasm instructions it executed.
    pub instructions: u64,
    /// Whether it ran on a fresh instance (then a replay counts the same
    /// instructions).
    pub fresh: bool,
    /// How long it took, in the host.
    pub duration: Duration,
}

/// A pick's options as recorded: the seed is always there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedOptions {
    /// The seed the policy picked with.
    pub seed: u64,
    /// The tick's local wall-clock time (`YYYY-MM-DDTHH:MM:SS`), when given.
    #[serde(with = "local_time")]
    pub now: Option<NaiveDateTime>,
    /// The reply probability, when given.
    pub reply_probability: Option<f64>,
}

/// The format of `now` in records, written when the record is (on the
/// sink's thread), not when the pick is.
mod local_time {
    use chrono::NaiveDateTime;
    use serde::{Deserialize, Deserializer, Serializer};

    const FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

    pub fn serialize<S: Serializer>(now: &Option<NaiveDateTime>, out: S) -> Result<S::Ok, S::Error> {
        match now {
            Some(now) => out.collect_str(&now.format(FORMAT)),
            None => out.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(input: D) -> Result<Option<NaiveDateTime>, D::Error> {
        let text: Option<String> = Option::deserialize(input)?;
        text.map(|text| {
            NaiveDateTime::parse_from_str(&text, FORMAT)
                .map_err(|e| serde::de::Error::custom(format!("now {text:?} is not YYYY-MM-DDTHH:MM:SS: {e}")))
        })
        .transpose()
    }
}

impl RecordedOptions {
    /// The options of a pick, with its seed.
    pub fn of(options: &PickOptions, seed: u64) -> Self {
        RecordedOptions { seed, now: options.now, reply_probability: options.reply_probability }
    }

    /// The options to replay with.
    pub fn pick_options(&self) -> PickOptions {
        PickOptions { seed: Some(self.seed), now: self.now, reply_probability: self.reply_probability }
    }
}

/// How a record is written: one JSON object a line.
#[derive(Serialize)]
struct Line<'a> {
    record: u32,
    time: String,
    policy: &'a PolicyId,
    options: &'a RecordedOptions,
    seed_drawn: bool,
    calls: &'a [StoreCall],
    outcome: &'a PickOutcome,
    instructions: u64,
    fresh: bool,
    duration_us: f64,
}

impl PickRecord {
    /// The record as one JSON line (no newline).
    pub fn to_json_line(&self) -> String {
        let time = DateTime::<Utc>::from(self.time).to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let line = Line {
            record: RECORD_VERSION,
            time,
            policy: &self.policy,
            options: &self.options,
            seed_drawn: self.seed_drawn,
            calls: &self.calls,
            outcome: &self.outcome,
            instructions: self.instructions,
            fresh: self.fresh,
            duration_us: (self.duration.as_secs_f64() * 1e6 * 1000.0).round() / 1000.0,
        };
        serde_json::to_string(&line).expect("records always serialise")
    }
}

/// A sink that keeps records in memory, for tests and for embedders that
/// ship records elsewhere.
#[derive(Default)]
pub struct MemorySink {
    records: std::sync::Mutex<Vec<PickRecord>>,
}

impl MemorySink {
    /// The records taken so far, in order.
    pub fn records(&self) -> Vec<PickRecord> {
        self.records.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl RecordSink for MemorySink {
    fn record(&self, record: PickRecord) {
        self.records.lock().unwrap_or_else(|p| p.into_inner()).push(record);
    }
}
