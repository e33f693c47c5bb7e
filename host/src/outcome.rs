//! The outcome of a pick as the host reports it, and who produced it.
//!
//! The outcome is the domain's [`Outcome`] over whole personas: the
//! policy's own answer, checked, or an error the host ended the pick with
//! (deadline, memory, policy violation, trap). It serialises to the JSON
//! lines of SPEC §7.

use emailgen_domain::Outcome;
use serde::Serialize;

pub use emailgen_domain::{ErrorKind, PickError};

/// What one pick produced: an action (with the host's own copies of the
/// decky and the personas), a skip, or an error.
pub type PickOutcome = Outcome;

/// Who produced an outcome: the policy's name, content hash and WIT version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PolicyId {
    /// The built-in name, or the file's stem.
    pub name: String,
    /// The component's sha256, in hex.
    pub sha256: String,
    /// The version of `decnet:emailgen` it was built against.
    pub wit_version: String,
}

/// A pick as the host returns it: its outcome, and what it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Picked {
    /// What the pick produced.
    pub outcome: PickOutcome,
    /// Wasm instructions the policy executed (wasmtime's fuel; see
    /// `Limits::instructions`), its instance's start included when the pick
    /// ran on a fresh instance.
    pub instructions: u64,
    /// Whether the pick ran on a fresh instance. Its count is then the same
    /// on every run of the same pick (a replay counts the same); a warm
    /// instance's depends on what it kept from the picks before.
    pub fresh: bool,
}

impl Picked {
    /// The outcome, without what it cost.
    pub fn into_outcome(self) -> PickOutcome {
        self.outcome
    }
}

/// A pick reads as its outcome (`picked.action()`, `picked.to_json()`).
impl std::ops::Deref for Picked {
    type Target = PickOutcome;

    fn deref(&self) -> &PickOutcome {
        &self.outcome
    }
}

impl From<Picked> for PickOutcome {
    fn from(picked: Picked) -> Self {
        picked.outcome
    }
}

impl PartialEq<PickOutcome> for Picked {
    fn eq(&self, other: &PickOutcome) -> bool {
        self.outcome == *other
    }
}
