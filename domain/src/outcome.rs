//! What a pick decides: an email action, a skip with its reason, or an error.
//! These types serialise to the JSON of SPEC §7.

use serde::Serialize;

use crate::persona::Persona;
use crate::store::StoreError;

/// One tick's decision: send one email (SPEC §5, steps 8–10).
///
/// `P` is the persona type the pick worked on: whole personas natively, the
/// host's summaries in the sandbox (where only their positions are
/// returned).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmailAction<P = Persona> {
    pub mail_decky_uuid: String,
    pub mail_decky_name: String,
    pub mail_decky_services: Vec<String>,
    pub sender: P,
    pub recipient: P,
    pub thread_id: String,
    pub parent_message_id: Option<String>,
    pub references: String,
    pub subject_hint: Option<String>,
    pub parent_excerpt: Option<String>,
    pub context_hint: String,
    pub is_reply: bool,
    pub description: String,
}

/// The details of a persona shortage: which source came up short, on which
/// mail decky, with how many personas.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shortage {
    pub source: String,
    pub mail_decky_uuid: String,
    pub count: u32,
}

/// Why a tick sends nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SkipReason {
    NoMailDecky,
    TooFewPersonas(Shortage),
    TooFewActive(Shortage),
}

/// Every kind of failure a pick can end with. A policy reports the first
/// three itself (the WIT `error-kind`); the host adds the others when it
/// stops a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// A store import failed (the store is down), or the store served a row
    /// that cannot go into a header.
    Store,
    /// The pick options were invalid.
    InvalidInput,
    /// The policy reported a bug of its own.
    Internal,
    /// The policy ran out of its instruction budget: it computed more than
    /// the host allows one pick. Deterministic: the same pick on a fresh
    /// instance runs out at the same instruction on every machine.
    Instructions,
    /// The policy waited (slept, polled) past its deadline.
    Deadline,
    /// The pick ran past the host's wall-clock limit while the policy was
    /// within its budgets: the machine or the host was too slow. Not the
    /// policy's doing.
    WallClock,
    /// The policy tried to grow its memory or tables past the limit.
    Memory,
    /// The policy broke the host's rules: an import budget, an oversized
    /// answer, or an action that names what the host never served.
    PolicyViolation,
    /// The policy trapped (a panic, a stack overflow, an unreachable).
    Trap,
}

impl SkipReason {
    /// The reason's name as a JSON line gives it (`no_mail_decky`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            SkipReason::NoMailDecky => "no_mail_decky",
            SkipReason::TooFewPersonas(_) => "too_few_personas",
            SkipReason::TooFewActive(_) => "too_few_active",
        }
    }
}

impl ErrorKind {
    /// The kind's name as a JSON line gives it (`policy-violation`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Store => "store",
            ErrorKind::InvalidInput => "invalid-input",
            ErrorKind::Internal => "internal",
            ErrorKind::Instructions => "instructions",
            ErrorKind::Deadline => "deadline",
            ErrorKind::WallClock => "wall-clock",
            ErrorKind::Memory => "memory",
            ErrorKind::PolicyViolation => "policy-violation",
            ErrorKind::Trap => "trap",
        }
    }
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

/// A store import that failed, as the pick error that names it (SPEC §5: a
/// failing import is an error naming the import, never a silent skip):
/// `.map_err(store_failure("get-topology"))`.
pub fn store_failure(import: &'static str) -> impl Fn(StoreError) -> PickError {
    move |StoreError(message)| PickError::new(ErrorKind::Store, format!("{import} failed: {message}"))
}

impl std::fmt::Display for PickError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)
    }
}

/// The result of one pick. (An action is large, but an outcome is made once
/// per tick and moved, never stored in bulk, so it is not boxed.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome<P = Persona> {
    Action { action: EmailAction<P> },
    Skip { reason: SkipReason },
    Error { error: PickError },
}

impl<P> Outcome<P> {
    /// An error outcome of `kind` that says `message`.
    pub fn error(kind: ErrorKind, message: impl Into<String>) -> Self {
        Outcome::Error { error: PickError::new(kind, message) }
    }

    /// The action, when the pick made one.
    pub fn action(&self) -> Option<&EmailAction<P>> {
        match self {
            Outcome::Action { action } => Some(action),
            _ => None,
        }
    }

    /// Whether the pick failed.
    pub fn is_error(&self) -> bool {
        matches!(self, Outcome::Error { .. })
    }
}

impl<P: Serialize> Outcome<P> {
    /// One JSON line, as the CLI prints it (SPEC §7; fields in contract
    /// order).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("outcomes always serialise")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_json_lines_names() {
        use ErrorKind::*;
        for kind in [Store, InvalidInput, Internal, Instructions, Deadline, WallClock, Memory, PolicyViolation, Trap] {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        let shortage = Shortage { source: "topology".into(), mail_decky_uuid: "mx".into(), count: 1 };
        for reason in
            [SkipReason::NoMailDecky, SkipReason::TooFewPersonas(shortage.clone()), SkipReason::TooFewActive(shortage)]
        {
            assert_eq!(serde_json::to_value(&reason).unwrap()["kind"], reason.kind());
        }
    }
}
