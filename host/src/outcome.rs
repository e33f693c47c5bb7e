//! The outcome of a pick as the host reports it: the policy's own outcome, or
//! a host error (deadline, memory, policy violation, trap). Serialises to the
//! JSON lines of SPEC §7.

use emailgen_picker::{EmailAction, Outcome, SkipReason};
use serde::Serialize;

/// Every kind of failure a pick can end with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// A store import failed (the store is down).
    Store,
    /// The pick options were invalid.
    InvalidInput,
    /// The policy reported a bug of its own.
    Internal,
    /// The pick ran past its deadline.
    Deadline,
    /// The policy tried to grow its memory or tables past the limit.
    Memory,
    /// The policy broke the host's rules: an import budget, an oversized
    /// answer, or an action that names what the host never served.
    PolicyViolation,
    /// The policy trapped (a panic, a stack overflow, an unreachable).
    Trap,
}

/// A failed pick: what kind of failure, and what happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PickError {
    /// What kind of failure it was.
    pub kind: ErrorKind,
    /// What happened, on one line, with its whole cause.
    pub message: String,
}

impl PickError {
    /// An error of `kind` that says `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        PickError { kind, message: message.into() }
    }
}

impl std::fmt::Display for PickError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)
    }
}

/// What one pick produced. (Not boxed: made once per tick and moved.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PickOutcome {
    /// Send this email.
    Action {
        /// The checked action, with the host's own decky and personas.
        action: EmailAction,
    },
    /// Send nothing this tick, for this reason.
    Skip {
        /// Why nothing is sent.
        reason: SkipReason,
    },
    /// The pick failed.
    Error {
        /// What failed.
        error: PickError,
    },
}

impl PickOutcome {
    /// An error outcome of `kind` that says `message`.
    pub fn error(kind: ErrorKind, message: impl Into<String>) -> Self {
        PickOutcome::Error { error: PickError::new(kind, message) }
    }

    /// The action, when the pick made one.
    pub fn action(&self) -> Option<&EmailAction> {
        match self {
            PickOutcome::Action { action } => Some(action),
            _ => None,
        }
    }

    /// Whether the pick failed.
    pub fn is_error(&self) -> bool {
        matches!(self, PickOutcome::Error { .. })
    }

    /// One JSON line, as the CLI prints it (fields in contract order).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("outcomes always serialise")
    }
}

/// The native picker's outcome (used by the in-process baseline).
impl From<Outcome> for PickOutcome {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Action { action } => PickOutcome::Action { action },
            Outcome::Skip { reason } => PickOutcome::Skip { reason },
            Outcome::Error { error } => PickOutcome::Error {
                error: PickError::new(
                    match error.kind {
                        emailgen_picker::ErrorKind::Store => ErrorKind::Store,
                        emailgen_picker::ErrorKind::InvalidInput => ErrorKind::InvalidInput,
                        emailgen_picker::ErrorKind::Internal => ErrorKind::Internal,
                    },
                    error.message,
                ),
            },
        }
    }
}

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
