//! The store a pick awaits: each question is posted to the pick's mailbox,
//! and the pick waits until Python has asked the orchestrator's repository
//! and put the answer there. The global persona pool is not the
//! repository's: it is the text given for the pick, or the pool file.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use emailgen_host::{AsyncMailStore, Decky, PersonaPoolFile, StoreError, StoreFuture, ThreadRow, Topology};

/// A question for the repository.
#[derive(Debug, Clone)]
pub enum Question {
    /// `list_running_deckies()`, of which the host keeps those offering one
    /// of `services`.
    Deckies { services: Vec<String> },
    /// `get_topology(id)`.
    Topology { id: String },
    /// `list_orchestrator_email_threads(decky, sender, recipient, limit=…)`.
    Threads { decky: String, sender: String, recipient: String, limit: u32 },
}

/// The repository's answer, converted.
pub enum Answer {
    Deckies(Vec<Decky>),
    Topology(Option<Topology>),
    Threads(Vec<ThreadRow>),
}

/// Where a pick's question waits for its answer.
#[derive(Default)]
pub struct Mailbox {
    /// Asked, not yet handed to Python.
    pub asked: Option<Question>,
    /// Handed to Python, not yet answered.
    pub waiting: Option<Question>,
    pub answer: Option<Result<Answer, StoreError>>,
}

pub type SharedMailbox = Arc<Mutex<Mailbox>>;

pub fn open(mailbox: &SharedMailbox) -> MutexGuard<'_, Mailbox> {
    mailbox.lock().unwrap_or_else(|p| p.into_inner())
}

/// The global persona pool of a pick.
#[derive(Clone)]
pub enum GlobalPool {
    /// Given with the pick (`global_personas=`).
    Given(String),
    /// The pool file (SPEC §2), shared by every pick of the process.
    File,
}

/// The pool file, re-read when it changes; one for the process, as
/// DECNET's worker keeps one.
static POOL_FILE: Mutex<Option<PersonaPoolFile>> = Mutex::new(None);

impl GlobalPool {
    fn text(&self) -> String {
        match self {
            GlobalPool::Given(text) => text.clone(),
            GlobalPool::File => {
                let mut file = POOL_FILE.lock().unwrap_or_else(|p| p.into_inner());
                file.get_or_insert_with(PersonaPoolFile::from_environment).text()
            }
        }
    }
}

/// The [`AsyncMailStore`] of one pick.
pub struct MailboxStore {
    pub mailbox: SharedMailbox,
    pub global: GlobalPool,
}

/// Posts a question, then waits for its answer.
struct Ask {
    mailbox: SharedMailbox,
    question: Option<Question>,
}

impl Future for Ask {
    type Output = Result<Answer, StoreError>;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let mut mailbox = open(&this.mailbox);
        if let Some(question) = this.question.take() {
            mailbox.asked = Some(question);
            mailbox.answer = None;
            return Poll::Pending;
        }
        match mailbox.answer.take() {
            Some(answer) => Poll::Ready(answer),
            None => Poll::Pending,
        }
    }
}

impl MailboxStore {
    fn ask<T: Send + 'static>(&self, question: Question, take: fn(Answer) -> Option<T>) -> StoreFuture<'static, T> {
        let ask = Ask { mailbox: self.mailbox.clone(), question: Some(question) };
        Box::pin(async move {
            let answer = ask.await?;
            take(answer).ok_or_else(|| StoreError("the answer does not fit the question".into()))
        })
    }
}

impl AsyncMailStore for MailboxStore {
    fn list_running_deckies(&mut self, services: Vec<String>) -> StoreFuture<'_, Vec<Decky>> {
        self.ask(Question::Deckies { services }, |a| match a {
            Answer::Deckies(rows) => Some(rows),
            _ => None,
        })
    }

    fn get_topology(&mut self, id: String) -> StoreFuture<'_, Option<Topology>> {
        self.ask(Question::Topology { id }, |a| match a {
            Answer::Topology(row) => Some(row),
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
        self.ask(Question::Threads { decky, sender, recipient, limit }, |a| match a {
            Answer::Threads(rows) => Some(rows),
            _ => None,
        })
    }

    fn global_personas(&mut self) -> StoreFuture<'_, String> {
        Box::pin(std::future::ready(Ok(self.global.text())))
    }
}
