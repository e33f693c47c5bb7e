//! Replaying recorded picks: each record re-run on a fresh instance
//! against a store that answers from its transcript. With the recorded
//! policy the outcome must be identical (a *check*); with another policy
//! the two are compared (a *shadow* evaluation), and summed up per policy.
//!
//! What a check can promise depends on what the recorded outcome depended
//! on. A pick that ran on a fresh instance is replayed exactly: the same
//! outcome and the same count of instructions, an instruction-budget error
//! included. A pick on a warm instance cost what it cost because of what
//! the instance kept from earlier picks; the replay (fresh) decides the
//! same but counts its own instructions, so a budget error recorded there
//! may not repeat. An outcome that depended on wall time (a `deadline` or
//! `wall-clock` error) is not expected to repeat: it is reported, not
//! counted as a divergence.

use std::collections::BTreeMap;

use emailgen_host::{Policy, PolicyId, RecordedPick};
use serde::Serialize;
use serde_json::Value;

/// How a record was replayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// With the policy that made it: the outcome must be identical.
    Check,
    /// With another policy: what it would have decided.
    Shadow,
}

/// One record, replayed.
#[derive(Debug, Clone, Serialize)]
pub struct ReplayedRecord {
    /// The record's number (its line in the file).
    pub record: usize,
    pub mode: Mode,
    /// The outcome recorded, and the policy that made it.
    pub recorded_policy: PolicyId,
    pub recorded: Value,
    /// The outcome of the replay, and the policy that made it.
    pub replayed_policy: PolicyId,
    pub replayed: Value,
    /// The questions the transcript could not answer: when any, the
    /// replayed outcome is not compared ("needs data not recorded").
    pub needs_data_not_recorded: Vec<String>,
    /// Whether the two outcomes are the same (false when data was missing).
    pub agree: bool,
    /// How they differ, when they do.
    pub difference: Option<String>,
    /// The instructions recorded (version 2 records), and the replay's.
    pub recorded_instructions: Option<u64>,
    pub replayed_instructions: u64,
    /// Why the recorded outcome need not repeat, when it need not: it
    /// depended on wall time, or on what a warm instance kept.
    pub not_repeatable: Option<String>,
}

impl ReplayedRecord {
    /// Whether this is a check that failed: the recorded policy decided
    /// otherwise, or asked for data the record does not hold. An outcome
    /// that was not repeatable is not a divergence.
    pub fn diverged(&self) -> bool {
        self.mode == Mode::Check && !self.agree && self.not_repeatable.is_none()
    }
}

/// Why a recorded outcome need not repeat on a fresh instance, if so.
fn not_repeatable(record: &RecordedPick) -> Option<String> {
    let kind = record.outcome.get("error").and_then(|e| e.get("kind")).and_then(Value::as_str);
    match kind {
        Some("deadline" | "wall-clock") => Some(format!("its outcome ({}) depended on wall time", kind?)),
        Some("instructions") if record.fresh != Some(true) => {
            Some("it ran out of instructions on a warm instance, whose cost depended on earlier picks".into())
        }
        _ => None,
    }
}

/// Replays `record` (number `index`) with `policy`.
pub fn replay_record(index: usize, record: &RecordedPick, policy: &Policy) -> ReplayedRecord {
    let replayed = policy.replay(record);
    let replayed_json = serde_json::to_value(&replayed.outcome).expect("outcomes serialise");
    let mode = if policy.id().sha256 == record.policy.sha256 { Mode::Check } else { Mode::Shadow };
    let mut difference = match replayed.missing.first() {
        Some(missing) => Some(format!("needs data not recorded: {missing}")),
        None => difference(&record.outcome, &replayed_json, ""),
    };
    // A pick recorded on a fresh instance costs the same when replayed.
    if let (None, Some(true), Mode::Check, Some(recorded)) = (&difference, record.fresh, mode, record.instructions) {
        if recorded != replayed.instructions {
            difference = Some(format!("instructions: recorded {recorded}, replayed {}", replayed.instructions));
        }
    }
    ReplayedRecord {
        record: index,
        mode,
        recorded_policy: record.policy.clone(),
        recorded: record.outcome.clone(),
        replayed_policy: policy.id().clone(),
        replayed: replayed_json,
        agree: difference.is_none(),
        difference,
        needs_data_not_recorded: replayed.missing,
        recorded_instructions: record.instructions,
        replayed_instructions: replayed.instructions,
        not_repeatable: not_repeatable(record),
    }
}

/// The first place two outcomes differ, as `path: recorded X, replayed Y`.
pub fn difference(recorded: &Value, replayed: &Value, path: &str) -> Option<String> {
    let here = |what: String| Some(format!("{}: {what}", if path.is_empty() { "outcome" } else { path }));
    match (recorded, replayed) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            keys.into_iter().find_map(|key| {
                let child = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => difference(x, y, &child),
                    (x, y) => Some(format!("{child}: recorded {}, replayed {}", show(x), show(y))),
                }
            })
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            a.iter().zip(b).enumerate().find_map(|(i, (x, y))| difference(x, y, &format!("{path}[{i}]")))
        }
        (a, b) if a == b => None,
        (a, b) => here(format!("recorded {}, replayed {}", short(a), short(b))),
    }
}

fn show(value: Option<&Value>) -> String {
    value.map_or_else(|| "nothing".into(), short)
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(120) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// What one policy decided over the replayed records.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct PolicyTally {
    pub policy: Option<PolicyId>,
    pub picks: u64,
    pub actions: u64,
    pub replies: u64,
    pub reply_ratio: f64,
    pub skips: BTreeMap<String, u64>,
    pub errors: BTreeMap<String, u64>,
    /// Mail per sender address.
    pub mail_per_persona: BTreeMap<String, u64>,
}

impl PolicyTally {
    fn count(&mut self, policy: &PolicyId, outcome: &Value) {
        self.policy.get_or_insert_with(|| policy.clone());
        self.picks += 1;
        match outcome.get("outcome").and_then(Value::as_str) {
            Some("action") => {
                let action = &outcome["action"];
                self.actions += 1;
                self.replies += u64::from(action["is_reply"].as_bool().unwrap_or(false));
                let sender = action["sender"]["email"].as_str().unwrap_or_default().to_owned();
                *self.mail_per_persona.entry(sender).or_default() += 1;
            }
            Some("skip") => {
                let kind = outcome["reason"]["kind"].as_str().unwrap_or("unknown").to_owned();
                *self.skips.entry(kind).or_default() += 1;
            }
            _ => {
                let kind = outcome["error"]["kind"].as_str().unwrap_or("unknown").to_owned();
                *self.errors.entry(kind).or_default() += 1;
            }
        }
        self.reply_ratio = if self.actions == 0 { 0.0 } else { self.replies as f64 / self.actions as f64 };
    }
}

/// The whole replay, summed up.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ReplaySummary {
    pub records: u64,
    /// Records replayed with the policy that made them.
    pub checked: u64,
    /// Records replayed with another policy.
    pub shadowed: u64,
    /// Replays whose outcome equals the recorded one.
    pub agree: u64,
    /// Replays whose outcome differs.
    pub differ: u64,
    /// Replays that asked for data the record does not hold (neither agree
    /// nor differ: not compared).
    pub needs_data_not_recorded: u64,
    /// The records' policies, as recorded.
    pub recorded: PolicyTally,
    /// The replaying policy (only picks whose data was all recorded).
    pub replayed: PolicyTally,
}

impl ReplaySummary {
    /// Counts one replayed record.
    pub fn add(&mut self, record: &ReplayedRecord) {
        self.records += 1;
        match record.mode {
            Mode::Check => self.checked += 1,
            Mode::Shadow => self.shadowed += 1,
        }
        self.recorded.count(&record.recorded_policy, &record.recorded);
        if !record.needs_data_not_recorded.is_empty() {
            self.needs_data_not_recorded += 1;
            return;
        }
        self.replayed.count(&record.replayed_policy, &record.replayed);
        match record.agree {
            true => self.agree += 1,
            false => self.differ += 1,
        }
    }
}

/// An outcome in a few words, for the side-by-side listing.
pub fn brief(outcome: &Value) -> String {
    match outcome.get("outcome").and_then(Value::as_str) {
        Some("action") => {
            let a = &outcome["action"];
            let kind = if a["is_reply"].as_bool().unwrap_or(false) { "reply" } else { "new thread" };
            format!(
                "{kind} {} → {} on {}",
                a["sender"]["email"].as_str().unwrap_or("?"),
                a["recipient"]["email"].as_str().unwrap_or("?"),
                a["mail_decky_uuid"].as_str().unwrap_or("?")
            )
        }
        Some("skip") => format!("skip {}", outcome["reason"]["kind"].as_str().unwrap_or("?")),
        _ => format!("error {}", outcome["error"]["kind"].as_str().unwrap_or("?")),
    }
}
