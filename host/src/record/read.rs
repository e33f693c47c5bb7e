//! Reading records back: every line checked, the first bad one named.

use std::io::BufRead;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::{RecordedOptions, READ_VERSIONS};
use crate::outcome::PolicyId;
use crate::serve::StoreCall;

/// One record as read from a file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedPick {
    /// The record format's version.
    pub record: u32,
    /// When the pick started (RFC 3339, UTC).
    pub time: String,
    /// The policy that made it.
    pub policy: PolicyId,
    /// Its options, with the seed used.
    pub options: RecordedOptions,
    /// Whether the host drew the seed.
    pub seed_drawn: bool,
    /// The store's answers it depended on.
    pub calls: Vec<StoreCall>,
    /// The outcome, as the SPEC §7 JSON line.
    pub outcome: Value,
    /// Wasm instructions it executed (version 2 on).
    #[serde(default)]
    pub instructions: Option<u64>,
    /// Whether it ran on a fresh instance (version 2 on).
    #[serde(default)]
    pub fresh: Option<bool>,
    /// How long it took, µs.
    pub duration_us: f64,
}

/// A record that cannot be used: which one (1-based, its line in the
/// file) and why; or, at line 0, a file that cannot be used as a whole.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordError {
    /// The file read.
    pub file: String,
    /// Its line (records are one a line, so also the record's number); 0
    /// when the problem is the whole file's.
    pub line: usize,
    /// What is wrong with it.
    pub problem: String,
}

impl std::fmt::Display for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            0 => write!(f, "{}: {}", self.file, self.problem),
            line => write!(f, "record {line} of {}: {}", self.file, self.problem),
        }
    }
}

impl std::error::Error for RecordError {}

/// Every record of a file, in order; the first that cannot be used is an
/// error, so that nothing is half-replayed.
pub fn read_records(path: &Path) -> Result<Vec<RecordedPick>, RecordError> {
    let file_name = path.display().to_string();
    let error = |line: usize, problem: String| RecordError { file: file_name.clone(), line, problem };
    let file = std::fs::File::open(path).map_err(|e| error(0, format!("cannot read: {e}")))?;
    let mut records = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| error(i + 1, format!("cannot read: {e}")))?;
        records.push(parse_record(&line).map_err(|problem| error(i + 1, problem))?);
    }
    if records.is_empty() {
        return Err(error(0, "holds no records".into()));
    }
    Ok(records)
}

/// One record line, checked.
pub fn parse_record(line: &str) -> Result<RecordedPick, String> {
    if line.trim().is_empty() {
        return Err("is an empty line, not a record".into());
    }
    let value: Value = serde_json::from_str(line).map_err(|e| format!("is not JSON (cut short?): {e}"))?;
    let version = match value.get("record").and_then(Value::as_u64) {
        Some(version) if READ_VERSIONS.iter().any(|v| u64::from(*v) == version) => version,
        Some(version) => {
            return Err(format!("is of record format version {version}; this host reads versions 1 and 2"))
        }
        None => return Err("has no record format version (`record`): not a pick record".into()),
    };
    let record: RecordedPick =
        serde_json::from_value(value).map_err(|e| format!("does not fit the record schema: {e}"))?;
    let costed = record.instructions.is_some() && record.fresh.is_some();
    match (version, costed) {
        (1, true) => return Err("does not fit the record schema: version 1 has no instructions or fresh".into()),
        (2, false) => return Err("does not fit the record schema: version 2 needs instructions and fresh".into()),
        _ => {}
    }
    let kind = record.outcome.get("outcome").and_then(Value::as_str);
    if !matches!(kind, Some("action" | "skip" | "error")) {
        return Err("does not fit the record schema: outcome is not an action, a skip or an error".into());
    }
    Ok(record)
}
