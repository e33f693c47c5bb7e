//! Conversions between the WIT types of the bindings and the picker's plain
//! Rust types, which the host uses as its domain model.

use chrono::{Datelike, NaiveDateTime, Timelike};
use emailgen_domain as picker;

use crate::bindings::types as wit;
use crate::outcome::{ErrorKind, PickOutcome};

/// A decky as the WIT gives it.
pub fn decky(d: &picker::Decky) -> wit::Decky {
    let d = d.clone();
    wit::Decky { uuid: d.uuid, name: d.name, services: d.services, topology_id: d.topology_id, source: d.source }
}

/// A topology row as the WIT gives it.
pub fn topology(t: picker::Topology) -> wit::Topology {
    wit::Topology { id: t.id, email_personas: t.email_personas, language_default: t.language_default }
}

/// The host's parse of a persona, summarised for a policy (WIT
/// `persona-summary`): one string crosses, not half a dozen.
pub fn persona_summary(p: &picker::Persona) -> wit::PersonaSummary {
    let (start, end) = p.window.bounds();
    wit::PersonaSummary {
        position: p.position,
        email: p.email.clone(),
        active_window: wit::ActiveWindow { start, end },
        tone: match p.tone {
            picker::Tone::Formal => wit::Tone::Formal,
            picker::Tone::Direct => wit::Tone::Direct,
            picker::Tone::Casual => wit::Tone::Casual,
            picker::Tone::Technical => wit::Tone::Technical,
            picker::Tone::Custom => wit::Tone::Custom,
        },
        reply_latency: match p.reply_latency {
            picker::ReplyLatency::Fast => wit::ReplyLatency::Fast,
            picker::ReplyLatency::Normal => wit::ReplyLatency::Normal,
            picker::ReplyLatency::Slow => wit::ReplyLatency::Slow,
        },
        uses_llms_heavily: p.uses_llms_heavily,
    }
}

/// A thread row as the WIT gives it.
pub fn thread_row(r: picker::ThreadRow) -> wit::ThreadRow {
    wit::ThreadRow { thread_id: r.thread_id, message_id: r.message_id, subject: r.subject, references: r.references }
}

/// A local date and time as the WIT gives it.
pub fn local_datetime(t: NaiveDateTime) -> wit::LocalDatetime {
    wit::LocalDatetime {
        year: t.year(),
        month: t.month() as u8,
        day: t.day() as u8,
        hour: t.hour() as u8,
        minute: t.minute() as u8,
        second: t.second() as u8,
    }
}

/// Pick options as the WIT gives them.
pub fn pick_options(o: &picker::PickOptions) -> wit::PickOptions {
    wit::PickOptions { seed: o.seed, now: o.now.map(local_datetime), reply_probability: o.reply_probability }
}

/// A policy's skip reason as the host reports it.
pub fn skip_reason(reason: wit::SkipReason) -> picker::SkipReason {
    match reason {
        wit::SkipReason::NoMailDecky => picker::SkipReason::NoMailDecky,
        wit::SkipReason::TooFewPersonas(s) => picker::SkipReason::TooFewPersonas(shortage(s)),
        wit::SkipReason::TooFewActive(s) => picker::SkipReason::TooFewActive(shortage(s)),
    }
}

/// A policy's own error as the host reports it.
pub fn pick_error(e: wit::PickError) -> PickOutcome {
    let kind = match e.kind {
        wit::ErrorKind::Store => ErrorKind::Store,
        wit::ErrorKind::InvalidInput => ErrorKind::InvalidInput,
        wit::ErrorKind::Internal => ErrorKind::Internal,
    };
    PickOutcome::error(kind, e.message)
}

fn shortage(s: wit::PersonaShortage) -> picker::Shortage {
    picker::Shortage { source: s.source, mail_decky_uuid: s.mail_decky_uuid, count: s.count }
}
