//! The transcript of a pick: every answer of the orchestrator's store (and
//! clock) the pick depended on, in the order the pick first needed it,
//! whether the host asked the store or answered from what it kept
//! (`cached`). Replaying a pick answers from it (see the `record` module).

use std::sync::Arc;

use emailgen_domain::{Decky, StoreError, ThreadRow, Topology};
use serde::{Deserialize, Serialize};

/// An answer of the store, or its failure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answered<T> {
    /// The store failed with this message. (First: an answer that may be
    /// null must not swallow an error.)
    Error {
        /// What the store said.
        error: String,
    },
    /// The store answered.
    Answer {
        /// Its answer.
        answer: T,
    },
}

impl<T> Answered<T> {
    /// A store result as recorded.
    pub fn of(result: &Result<T, StoreError>) -> Self
    where
        T: Clone,
    {
        match result {
            Ok(answer) => Answered::Answer { answer: answer.clone() },
            Err(StoreError(message)) => Answered::Error { error: message.clone() },
        }
    }

    /// The result it records.
    pub fn result(&self) -> Result<T, StoreError>
    where
        T: Clone,
    {
        match self {
            Answered::Answer { answer } => Ok(answer.clone()),
            Answered::Error { error } => Err(StoreError(error.clone())),
        }
    }
}

fn is_false(value: &bool) -> bool {
    !value
}

/// One answer of the store or the clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum StoreCall {
    /// `list_running_deckies(services)`.
    ListRunningDeckies {
        /// The services filter.
        services: Vec<String>,
        /// The deckies.
        #[serde(flatten)]
        answered: Answered<Arc<[Decky]>>,
        /// Answered from the host's listing for the store's revision.
        #[serde(default, skip_serializing_if = "is_false")]
        cached: bool,
    },
    /// `get_topology(id)`.
    GetTopology {
        /// The topology's id.
        id: String,
        /// The row, or null for no such topology.
        #[serde(flatten)]
        answered: Answered<Option<Arc<Topology>>>,
        /// Answered from what this instance kept for the store's revision.
        #[serde(default, skip_serializing_if = "is_false")]
        cached: bool,
    },
    /// `list_email_threads(mail_decky_uuid, sender_email, recipient_email,
    /// limit)`.
    ListEmailThreads {
        /// The mail decky.
        mail_decky_uuid: String,
        /// The sender asked about.
        sender_email: String,
        /// The recipient asked about.
        recipient_email: String,
        /// How many rows were asked for (after the host's cap).
        limit: u32,
        /// The rows, newest first.
        #[serde(flatten)]
        answered: Answered<Vec<ThreadRow>>,
    },
    /// `global_personas()`.
    GlobalPersonas {
        /// The pool's JSON text.
        #[serde(flatten)]
        answered: Answered<Arc<str>>,
        /// Answered from what this instance kept for the store's revision.
        #[serde(default, skip_serializing_if = "is_false")]
        cached: bool,
    },
    /// The host's clock (`clock.local-now`), when the pick was given no
    /// "now".
    LocalNow {
        /// The local wall-clock time it answered (`YYYY-MM-DDTHH:MM:SS`).
        now: String,
    },
}

/// A pick's transcript as it is taken. Off unless an instance records:
/// then each answer is noted once (the first time the pick depends on it).
#[derive(Default)]
pub struct Transcript {
    calls: Option<Vec<StoreCall>>,
}

impl Transcript {
    /// Starts a pick's transcript (when recording) or none.
    pub fn begin(&mut self, recording: bool) {
        self.calls = recording.then(Vec::new);
    }

    /// Whether this pick is being recorded.
    pub fn on(&self) -> bool {
        self.calls.is_some()
    }

    /// Notes an answer, unless the pick already depended on it.
    pub fn note(&mut self, call: impl FnOnce() -> StoreCall) {
        let Some(calls) = &mut self.calls else { return };
        let call = call();
        if !calls.iter().any(|known| same_question(known, &call)) {
            calls.push(call);
        }
    }

    /// The pick's transcript, taken.
    pub fn take(&mut self) -> Vec<StoreCall> {
        self.calls.take().unwrap_or_default()
    }
}

/// Whether two calls asked the same question (so the second adds nothing).
fn same_question(a: &StoreCall, b: &StoreCall) -> bool {
    use StoreCall::*;
    match (a, b) {
        (ListRunningDeckies { services: x, .. }, ListRunningDeckies { services: y, .. }) => x == y,
        (GetTopology { id: x, .. }, GetTopology { id: y, .. }) => x == y,
        (GlobalPersonas { .. }, GlobalPersonas { .. }) => true,
        (LocalNow { .. }, LocalNow { .. }) => true,
        // Every lookup is its own: a policy may ask twice and see a change.
        _ => false,
    }
}
