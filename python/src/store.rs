//! The store a pick waits for: each question is posted to the session's
//! slot, and the pick waits until Python has asked the orchestrator's
//! repository and put the answer there. The global persona pool is not the
//! repository's: it is the text given for the pick, or the pool file.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use emailgen_host::{AsyncMailStore, Decky, PersonaPoolFile, StoreError, StoreFuture, ThreadRow, Topology};

/// A question for the repository.
#[derive(Debug, Clone)]
pub enum StoreRequest {
    /// `list_running_deckies()`, of which the host keeps those offering one
    /// of `services`.
    Deckies { services: Vec<String> },
    /// `get_topology(id)`.
    Topology { id: String },
    /// `list_orchestrator_email_threads(decky, sender, recipient, limit=…)`.
    Threads { decky: String, sender: String, recipient: String, limit: u32 },
}

/// The repository's answer, converted.
pub enum StoreAnswer {
    Deckies(Vec<Decky>),
    Topology(Option<Topology>),
    Threads(Vec<ThreadRow>),
}

/// Where a question waits for its answer.
#[derive(Default)]
pub struct Slot {
    /// Asked, not yet handed to Python.
    pub asked: Option<StoreRequest>,
    /// Handed to Python, not yet answered.
    pub waiting: Option<StoreRequest>,
    pub answer: Option<Result<StoreAnswer, StoreError>>,
}

pub type SharedSlot = Arc<Mutex<Slot>>;

pub fn lock(slot: &SharedSlot) -> std::sync::MutexGuard<'_, Slot> {
    slot.lock().unwrap_or_else(|p| p.into_inner())
}

/// The global persona pool of a pick.
#[derive(Clone)]
pub enum GlobalPool {
    /// Given with the pick (`global_personas=`).
    Given(String),
    /// The pool file (SPEC §2), shared by a picker's picks.
    File(Arc<Mutex<PersonaPoolFile>>),
}

/// The [`AsyncMailStore`] of one pick.
pub struct SlotStore {
    pub slot: SharedSlot,
    pub global: GlobalPool,
}

/// Posts a question, then waits for its answer.
struct Ask {
    slot: SharedSlot,
    request: Option<StoreRequest>,
}

impl Future for Ask {
    type Output = Result<StoreAnswer, StoreError>;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let mut slot = lock(&this.slot);
        if let Some(request) = this.request.take() {
            slot.asked = Some(request);
            slot.answer = None;
            return Poll::Pending;
        }
        match slot.answer.take() {
            Some(answer) => Poll::Ready(answer),
            None => Poll::Pending,
        }
    }
}

impl SlotStore {
    fn ask<T: Send + 'static>(
        &self,
        request: StoreRequest,
        take: fn(StoreAnswer) -> Option<T>,
    ) -> StoreFuture<'static, T> {
        let ask = Ask { slot: self.slot.clone(), request: Some(request) };
        Box::pin(async move {
            let answer = ask.await?;
            take(answer).ok_or_else(|| StoreError("the answer does not fit the question".into()))
        })
    }
}

impl AsyncMailStore for SlotStore {
    fn list_running_deckies(&mut self, services: Vec<String>) -> StoreFuture<'_, Vec<Decky>> {
        self.ask(StoreRequest::Deckies { services }, |a| match a {
            StoreAnswer::Deckies(rows) => Some(rows),
            _ => None,
        })
    }

    fn get_topology(&mut self, id: String) -> StoreFuture<'_, Option<Topology>> {
        self.ask(StoreRequest::Topology { id }, |a| match a {
            StoreAnswer::Topology(row) => Some(row),
            _ => None,
        })
    }

    fn list_email_threads(
        &mut self,
        decky: String,
        sender: String,
        recipient: String,
        limit: u32,
    ) -> StoreFuture<'_, Vec<ThreadRow>> {
        self.ask(StoreRequest::Threads { decky, sender, recipient, limit }, |a| match a {
            StoreAnswer::Threads(rows) => Some(rows),
            _ => None,
        })
    }

    fn global_personas(&mut self) -> StoreFuture<'_, String> {
        let text = match &self.global {
            GlobalPool::Given(text) => text.clone(),
            GlobalPool::File(file) => file.lock().unwrap_or_else(|p| p.into_inner()).text(),
        };
        Box::pin(std::future::ready(Ok(text)))
    }
}
