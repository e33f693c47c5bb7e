//! Personas: the fictional employees that send and receive mail, parsed and
//! validated from the JSON lists the orchestrator stores (SPEC §3).
//!
//! Validation follows the reference model field by field. One bad entry is
//! dropped with a warning naming its index and why; it never hides the
//! others, because a single typo in a topology must not stop its mail.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use self::raw::{each_entry, Entry, Field};

use crate::active_hours::Window;
use crate::python_text;

mod raw;
mod summary;

pub use self::raw::{list_text, text_from_wtf8};
pub use self::summary::{PersonaSummary, PersonaView};

/// The default window when a persona sets none: office hours.
pub const DEFAULT_ACTIVE_HOURS: &str = "09:00-18:00";
/// The language of the global pool's personas that set none.
pub const GLOBAL_LANGUAGE_DEFAULT: &str = "en";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tone {
    Formal,
    Direct,
    Casual,
    Technical,
    Custom,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReplyLatency {
    Fast,
    Normal,
    Slow,
}

impl Tone {
    /// The name a persona object gives it (`formal`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Tone::Formal => "formal",
            Tone::Direct => "direct",
            Tone::Casual => "casual",
            Tone::Technical => "technical",
            Tone::Custom => "custom",
        }
    }
}

impl ReplyLatency {
    /// The name a persona object gives it (`fast`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyLatency::Fast => "fast",
            ReplyLatency::Normal => "normal",
            ReplyLatency::Slow => "slow",
        }
    }
}

/// A valid persona with defaults filled in and its language resolved.
/// Serialises to the JSON of SPEC §7 (`PERSONA`).
///
/// Shared, not copied: a clone is a reference count, so an action holds the
/// very persona its list holds. Picks clone the chosen pair on every tick,
/// and a deep copy is a dozen allocations (in the guest, with a slow
/// allocator). Writing through `DerefMut` copies first, so a `Persona` still
/// behaves as a value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Persona(Arc<PersonaFields>);

/// What a persona is made of; reached through [`Persona`]'s `Deref`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonaFields {
    pub name: String,
    pub email: String,
    pub role: String,
    pub tone: Tone,
    pub tone_custom: Option<String>,
    pub mannerisms: Vec<String>,
    pub language: String,
    pub signature: Option<String>,
    pub active_hours: String,
    pub reply_latency: ReplyLatency,
    pub uses_llms_heavily: bool,
    /// `active_hours`, parsed once here rather than on every check.
    #[serde(skip)]
    pub window: Window,
    /// The 0-based index of the persona's entry in the JSON list it was
    /// parsed from: how a policy names it to the host (WIT
    /// `persona-position`).
    #[serde(skip)]
    pub position: u32,
}

impl From<PersonaFields> for Persona {
    fn from(fields: PersonaFields) -> Self {
        Persona(Arc::new(fields))
    }
}

/// A persona read as itself (what a policy's `PickerHost::Persona`
/// converts parsed lists into); a reference count, not a copy.
impl From<&Persona> for Persona {
    fn from(persona: &Persona) -> Self {
        persona.clone()
    }
}

impl Deref for Persona {
    type Target = PersonaFields;

    fn deref(&self) -> &PersonaFields {
        &self.0
    }
}

impl DerefMut for Persona {
    fn deref_mut(&mut self) -> &mut PersonaFields {
        Arc::make_mut(&mut self.0)
    }
}

/// The result of parsing one persona list: the valid personas in their
/// original order, and one warning per problem found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedPersonas {
    pub personas: Vec<Persona>,
    pub warnings: Vec<String>,
}

/// Parses a persona list from JSON text. Empty text is an empty list; text
/// that is not a JSON list gives no personas and a warning.
pub fn parse_personas(text: &str, language_default: &str) -> ParsedPersonas {
    if text.is_empty() {
        return ParsedPersonas::default();
    }
    let mut parsed = ParsedPersonas::default();
    match each_entry(text, |entry| parsed.add(entry, language_default)) {
        Ok(Ok(())) => parsed,
        Ok(Err(kind)) => warning_only(format!("persona list is not a JSON list but {kind}")),
        // What was validated before the error is dropped: a list that is
        // not JSON has no personas.
        Err(err) => warning_only(format!("persona list is not valid JSON: {err}")),
    }
}

/// Parses a persona list that is already JSON (for hosts that hold the list
/// itself rather than its text), as its text.
pub fn parse_persona_values(value: &Value, language_default: &str) -> ParsedPersonas {
    parse_personas(&value.to_string(), language_default)
}

impl ParsedPersonas {
    /// Validates the next entry of the list: kept, or dropped with a
    /// warning naming its index.
    fn add(&mut self, entry: Entry, language_default: &str) {
        // While a list is read, each dropped entry has left one warning.
        let index = self.personas.len() + self.warnings.len();
        match validate(entry, language_default, index as u32) {
            Ok(persona) => self.personas.push(persona),
            Err(why) => self.warnings.push(format!("persona #{index} dropped: {why}")),
        }
    }
}

fn warning_only(warning: String) -> ParsedPersonas {
    ParsedPersonas { personas: Vec::new(), warnings: vec![warning] }
}

/// Validates one entry of a persona list.
pub fn parse_persona(entry: &Value, language_default: &str) -> Result<Persona, String> {
    let text = entry.to_string();
    let raw = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    validate(Entry::from_raw(raw).map_err(|e| e.to_string())?, language_default, 0)
}

/// Validates the entry at `position` of its list.
fn validate(entry: Entry, language_default: &str, position: u32) -> Result<Persona, String> {
    let f = match entry {
        Entry::Object(fields) => fields,
        Entry::Other(kind) => return Err(format!("expected an object, got {kind}")),
    };
    let tone = enum_field(f.tone.as_ref(), "tone", Tone::Formal, tone_from_str)?;
    let tone_custom = optional_str(f.tone_custom.as_ref(), "tone_custom", 128)?;
    if tone == Tone::Custom && tone_custom.as_deref().is_none_or(|t| python_text::strip(t).is_empty()) {
        return Err("tone_custom must be non-blank when tone is \"custom\"".into());
    }
    let active_hours = match f.active_hours.as_ref() {
        None => DEFAULT_ACTIVE_HOURS.to_owned(),
        Some(value) => bounded_str(value, "active_hours", 0, 32)?,
    };
    let fields = PersonaFields {
        name: required_str(f.name.as_ref(), "name", 1, 128)?,
        email: email_field(f.email.as_ref())?,
        role: required_str(f.role.as_ref(), "role", 1, 128)?,
        tone,
        tone_custom,
        mannerisms: mannerisms_field(f.mannerisms.as_ref())?,
        language: optional_str(f.language.as_ref(), "language", 8)?.unwrap_or_else(|| language_default.to_owned()),
        signature: optional_str(f.signature.as_ref(), "signature", 512)?,
        window: Window::parse(&active_hours),
        active_hours,
        reply_latency: enum_field(f.reply_latency.as_ref(), "reply_latency", ReplyLatency::Normal, latency_from_str)?,
        uses_llms_heavily: llms_field(f.uses_llms_heavily.as_ref())?,
        position,
    };
    Ok(fields.into())
}

fn required_str(field: Option<&Field>, key: &str, min: usize, max: usize) -> Result<String, String> {
    match field {
        None => Err(format!("{key} is required")),
        Some(value) => bounded_str(value, key, min, max),
    }
}

/// A string field whose absent or null value means "not set".
fn optional_str(field: Option<&Field>, key: &str, max: usize) -> Result<Option<String>, String> {
    match field {
        None | Some(Field::Null) => Ok(None),
        Some(value) => bounded_str(value, key, 0, max).map(Some),
    }
}

fn bounded_str(value: &Field, key: &str, min: usize, max: usize) -> Result<String, String> {
    let text = match value {
        Field::Str(text) => text,
        Field::Unpaired(_) => return Err(unpaired(key)),
        other => return Err(format!("{key} must be a string, got {}", other.kind())),
    };
    // A text has between bytes/4 and bytes characters: count them only when
    // that range crosses a bound (this runs for every field of every persona
    // a fresh instance parses).
    let bytes = text.len();
    if bytes > max || bytes.div_ceil(4) < min {
        let len = text.chars().count();
        if len < min || len > max {
            return Err(format!("{key} must be {min}-{max} characters, got {len}"));
        }
    }
    Ok(text.clone().into_owned())
}

/// A string DECNET's model refuses: pydantic checks a constrained string's
/// length on its UTF-8 text, which a lone surrogate does not have.
fn unpaired(key: &str) -> String {
    format!("{key} holds an escaped UTF-16 surrogate without its pair, which is not Unicode text")
}

fn email_field(field: Option<&Field>) -> Result<String, String> {
    let email = required_str(field, "email", 3, 255)?;
    let Some((local, domain)) = email.rsplit_once('@') else {
        return Err(format!("email \"{email}\" has no '@'"));
    };
    if local.is_empty() || domain.is_empty() || !domain.contains('.') {
        return Err(format!("email \"{email}\" needs a local part and a dotted domain"));
    }
    Ok(email)
}

fn enum_field<T>(field: Option<&Field>, key: &str, default: T, from_str: fn(&str) -> Option<T>) -> Result<T, String> {
    let Some(value) = field else {
        return Ok(default);
    };
    let text = match value {
        Field::Str(text) => text,
        Field::Unpaired(_) => return Err(unpaired(key)),
        other => return Err(format!("{key} must be a string, got {}", other.kind())),
    };
    from_str(text).ok_or_else(|| format!("{key} \"{text}\" is not one of the allowed values"))
}

fn tone_from_str(text: &str) -> Option<Tone> {
    Some(match text {
        "formal" => Tone::Formal,
        "direct" => Tone::Direct,
        "casual" => Tone::Casual,
        "technical" => Tone::Technical,
        "custom" => Tone::Custom,
        _ => return None,
    })
}

fn latency_from_str(text: &str) -> Option<ReplyLatency> {
    Some(match text {
        "fast" => ReplyLatency::Fast,
        "normal" => ReplyLatency::Normal,
        "slow" => ReplyLatency::Slow,
        _ => return None,
    })
}

fn mannerisms_field(field: Option<&Field>) -> Result<Vec<String>, String> {
    let items = match field {
        None => return Ok(Vec::new()),
        Some(Field::List(items)) => items,
        Some(other) => return Err(format!("mannerisms must be a list, got {}", other.kind())),
    };
    if items.len() > 12 {
        return Err(format!("mannerisms may hold at most 12 items, got {}", items.len()));
    }
    items
        .iter()
        .map(|item| match item {
            Field::Str(text) => Ok(text.clone().into_owned()),
            // DECNET keeps these (an unconstrained `list[str]` item is not
            // checked for Unicode); the text carries U+FFFD in its place.
            Field::Unpaired(text) => Ok(text.clone()),
            other => Err(format!("mannerisms items must be strings, got {}", other.kind())),
        })
        .collect()
}

/// `uses_llms_heavily` is lenient the way the reference model is: booleans,
/// the numbers 0 and 1 (`1.0` and `1e0` too: pydantic reads a float that is
/// exactly 0 or 1 as a boolean), and the usual yes/no words in any letter
/// case.
fn llms_field(field: Option<&Field>) -> Result<bool, String> {
    let value = match field {
        None => return Ok(false),
        Some(value) => value,
    };
    let parsed = match value {
        Field::Bool(flag) => Some(*flag),
        Field::Int(Some(0)) => Some(false),
        Field::Int(Some(1)) => Some(true),
        Field::Float(n) if *n == 0.0 => Some(false),
        Field::Float(n) if *n == 1.0 => Some(true),
        Field::Str(text) => match text.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "t" | "y" | "1" => Some(true),
            "false" | "no" | "off" | "f" | "n" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    };
    parsed.ok_or_else(|| format!("uses_llms_heavily must be a boolean, got {}", value.kind()))
}

#[cfg(test)]
mod tests;
