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
