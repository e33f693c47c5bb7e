//! What a pick needs of a persona, and the summary a host hands over.
//!
//! The picking logic reads a persona's address, window, position and reply
//! latency, nothing else. Natively it works on whole [`Persona`]s. In the
//! sandbox the host parses the lists and hands over [`PersonaSummary`]s
//! (WIT `persona-summary`): one string each instead of half a dozen, which
//! is what a fresh instance's first pick spends its time on.

use super::{Persona, ReplyLatency, Tone};
use crate::active_hours::{MinuteOfDay, Window};

/// A persona as the picking logic reads it.
pub trait PersonaView: Clone {
    fn email(&self) -> &str;
    fn window(&self) -> Window;
    /// The 0-based index of its entry in the JSON list it came from.
    fn position(&self) -> u32;
    fn reply_latency(&self) -> ReplyLatency;

    /// Whether the persona is inside its active hours at `now`.
    fn is_active(&self, now: MinuteOfDay) -> bool {
        self.window().contains(now)
    }
}

/// Whole personas and summaries name these fields alike.
macro_rules! read_as_persona_view {
    ($($persona:ty),*) => {$(
        impl PersonaView for $persona {
            fn email(&self) -> &str {
                &self.email
            }
            fn window(&self) -> Window {
                self.window
            }
            fn position(&self) -> u32 {
                self.position
            }
            fn reply_latency(&self) -> ReplyLatency {
                self.reply_latency
            }
        }
    )*};
}

read_as_persona_view!(Persona, PersonaSummary);

/// A valid persona reduced to what a pick decides on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonaSummary {
    pub position: u32,
    /// A `String`, taken as the bindings lift it: an `Arc<str>` would make
    /// an action's two clones cheaper but cost a copy of every persona's
    /// address when a list is fetched (fresh large +1.8 µs, warm −0.05 µs).
    pub email: String,
    pub window: Window,
    pub tone: Tone,
    pub reply_latency: ReplyLatency,
    pub uses_llms_heavily: bool,
}

impl From<&Persona> for PersonaSummary {
    fn from(p: &Persona) -> Self {
        PersonaSummary {
            position: p.position,
            email: p.email.clone(),
            window: p.window,
            tone: p.tone,
            reply_latency: p.reply_latency,
            uses_llms_heavily: p.uses_llms_heavily,
        }
    }
}
