//! Conversions between the WIT types of the bindings and the picker's plain
//! Rust types, which the host uses as its domain model.

use chrono::{Datelike, NaiveDateTime, Timelike};
use emailgen_picker as picker;

use crate::bindings::types as wit;
use crate::outcome::{ErrorKind, PickOutcome};

pub fn decky(d: picker::Decky) -> wit::Decky {
    wit::Decky { uuid: d.uuid, name: d.name, services: d.services, topology_id: d.topology_id, source: d.source }
}

pub fn topology(t: picker::Topology) -> wit::Topology {
    wit::Topology { id: t.id, email_personas: t.email_personas, language_default: t.language_default }
}

pub fn thread_row(r: picker::ThreadRow) -> wit::ThreadRow {
    wit::ThreadRow { thread_id: r.thread_id, message_id: r.message_id, subject: r.subject, references: r.references }
}

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

pub fn pick_options(o: &picker::PickOptions) -> wit::PickOptions {
    wit::PickOptions { seed: o.seed, now: o.now.map(local_datetime), reply_probability: o.reply_probability }
}

pub fn outcome(o: wit::PickOutcome) -> PickOutcome {
    match o {
        wit::PickOutcome::Action(a) => PickOutcome::Action { action: action(a) },
        wit::PickOutcome::Skip(reason) => PickOutcome::Skip {
            reason: match reason {
                wit::SkipReason::NoMailDecky => picker::SkipReason::NoMailDecky,
                wit::SkipReason::TooFewPersonas(s) => picker::SkipReason::TooFewPersonas(shortage(s)),
                wit::SkipReason::TooFewActive(s) => picker::SkipReason::TooFewActive(shortage(s)),
            },
        },
        wit::PickOutcome::Error(e) => PickOutcome::error(
            match e.kind {
                wit::ErrorKind::Store => ErrorKind::Store,
                wit::ErrorKind::InvalidInput => ErrorKind::InvalidInput,
                wit::ErrorKind::Internal => ErrorKind::Internal,
            },
            e.message,
        ),
    }
}

fn shortage(s: wit::PersonaShortage) -> picker::Shortage {
    picker::Shortage { source: s.source, mail_decky_uuid: s.mail_decky_uuid, count: s.count }
}

fn action(a: wit::EmailAction) -> picker::EmailAction {
    picker::EmailAction {
        mail_decky_uuid: a.mail_decky_uuid,
        mail_decky_name: a.mail_decky_name,
        mail_decky_services: a.mail_decky_services,
        sender: persona(a.sender),
        recipient: persona(a.recipient),
        thread_id: a.thread_id,
        parent_message_id: a.parent_message_id,
        references: a.references,
        subject_hint: a.subject_hint,
        parent_excerpt: a.parent_excerpt,
        context_hint: a.context_hint,
        is_reply: a.is_reply,
        description: a.description,
    }
}

fn persona(p: wit::Persona) -> picker::Persona {
    picker::Persona {
        window: emailgen_picker::active_hours::Window::parse(&p.active_hours),
        name: p.name,
        email: p.email,
        role: p.role,
        tone: match p.tone {
            wit::Tone::Formal => picker::Tone::Formal,
            wit::Tone::Direct => picker::Tone::Direct,
            wit::Tone::Casual => picker::Tone::Casual,
            wit::Tone::Technical => picker::Tone::Technical,
            wit::Tone::Custom => picker::Tone::Custom,
        },
        tone_custom: p.tone_custom,
        mannerisms: p.mannerisms,
        language: p.language,
        signature: p.signature,
        active_hours: p.active_hours,
        reply_latency: match p.reply_latency {
            wit::ReplyLatency::Fast => picker::ReplyLatency::Fast,
            wit::ReplyLatency::Normal => picker::ReplyLatency::Normal,
            wit::ReplyLatency::Slow => picker::ReplyLatency::Slow,
        },
        uses_llms_heavily: p.uses_llms_heavily,
    }
}
