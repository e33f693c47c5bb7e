//! A store that answers from a record's transcript, and nothing else: a
//! question the transcript does not answer is noted as "needs data not
//! recorded", never guessed.

use std::sync::{Arc, Mutex};

use chrono::NaiveDateTime;
use emailgen_domain::{Decky, MailStore, StoreError, ThreadRow, Topology};

use crate::serve::{Clock, StoreCall};

/// The store of a replayed pick.
pub struct TranscriptStore {
    calls: Vec<StoreCall>,
    missing: Arc<Mutex<Vec<String>>>,
}

impl TranscriptStore {
    /// A store answering from `calls`.
    pub fn new(calls: Vec<StoreCall>) -> Self {
        TranscriptStore { calls, missing: Arc::default() }
    }

    /// Where the questions it could not answer are noted (shared with the
    /// clock of [`clock`](Self::clock)).
    pub fn missing(&self) -> Arc<Mutex<Vec<String>>> {
        Arc::clone(&self.missing)
    }

    /// The host clock of the replayed pick: the time the transcript says
    /// the clock answered (noted as missing, and the epoch, if it has none).
    pub fn clock(&self) -> Clock {
        let recorded = self.calls.iter().find_map(|call| match call {
            StoreCall::LocalNow { now } => NaiveDateTime::parse_from_str(now, "%Y-%m-%dT%H:%M:%S").ok(),
            _ => None,
        });
        let missing = self.missing();
        Arc::new(move || {
            recorded.unwrap_or_else(|| {
                note(&missing, "the host clock (local-now)".into());
                NaiveDateTime::default()
            })
        })
    }

    fn not_recorded(&self, question: String) -> StoreError {
        note(&self.missing, question.clone());
        StoreError(format!("needs data not recorded: {question}"))
    }
}

fn note(missing: &Mutex<Vec<String>>, question: String) {
    missing.lock().unwrap_or_else(|p| p.into_inner()).push(question);
}

impl MailStore for TranscriptStore {
    fn list_running_deckies(&mut self, services: &[&str]) -> Result<Vec<Decky>, StoreError> {
        let found = self.calls.iter().find_map(|call| match call {
            StoreCall::ListRunningDeckies { services: asked, answered, .. } if asked == services => Some(answered),
            _ => None,
        });
        match found {
            Some(answered) => answered.result().map(|rows| rows.to_vec()),
            None => Err(self.not_recorded(format!("list_running_deckies({services:?})"))),
        }
    }

    fn get_topology(&mut self, id: &str) -> Result<Option<Topology>, StoreError> {
        let found = self.calls.iter().find_map(|call| match call {
            StoreCall::GetTopology { id: asked, answered, .. } if asked == id => Some(answered),
            _ => None,
        });
        match found {
            Some(answered) => answered.result().map(|row| row.map(|row| Topology::clone(&row))),
            None => Err(self.not_recorded(format!("get_topology({id:?})"))),
        }
    }

    fn list_email_threads(
        &mut self,
        decky: &str,
        sender: &str,
        recipient: &str,
        limit: u32,
    ) -> Result<Vec<ThreadRow>, StoreError> {
        let pair = |s: &str, r: &str| (s, r) == (sender, recipient) || (s, r) == (recipient, sender);
        let found = self.calls.iter().find_map(|call| match call {
            StoreCall::ListEmailThreads { mail_decky_uuid, sender_email, recipient_email, limit: asked, answered }
                if mail_decky_uuid == decky && pair(sender_email, recipient_email) =>
            {
                Some((*asked, answered))
            }
            _ => None,
        });
        let question = || format!("list_email_threads({decky:?}, {sender:?}, {recipient:?}, limit {limit})");
        match found {
            // Rows beyond what was asked for then were never seen.
            Some((asked, answered)) => match answered.result() {
                Ok(rows) if limit > asked && rows.len() as u32 == asked => Err(self.not_recorded(question())),
                Ok(rows) => Ok(rows.into_iter().take(limit as usize).collect()),
                Err(error) => Err(error),
            },
            None => Err(self.not_recorded(question())),
        }
    }

    fn global_personas(&mut self) -> Result<String, StoreError> {
        let found = self.calls.iter().find_map(|call| match call {
            StoreCall::GlobalPersonas { answered, .. } => Some(answered),
            _ => None,
        });
        match found {
            Some(answered) => answered.result().map(|text| text.to_string()),
            None => Err(self.not_recorded("global_personas()".into())),
        }
    }
}
