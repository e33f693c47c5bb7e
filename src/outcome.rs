//! What a pick decides: an email action, a skip with its reason, or an error.
//! These types serialise to the JSON of SPEC §7.

use serde::Serialize;

use crate::persona::Persona;

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

/// The kinds of failure a policy itself reports. (The host adds its own:
/// deadline, memory, policy violation, trap.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// A store import failed.
    Store,
    /// The pick options were invalid.
    InvalidInput,
    /// A bug in the policy.
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PickError {
    pub kind: ErrorKind,
    pub message: String,
}

impl PickError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        PickError { kind, message: message.into() }
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
    pub fn action(&self) -> Option<&EmailAction<P>> {
        match self {
            Outcome::Action { action } => Some(action),
            _ => None,
        }
    }
}
