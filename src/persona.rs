//! Personas: the fictional employees that send and receive mail, parsed and
//! validated from the JSON lists the orchestrator stores (SPEC §3).
//!
//! Validation follows the reference model field by field. One bad entry is
//! dropped with a warning naming its index and why; it never hides the
//! others, because a single typo in a topology must not stop its mail.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::active_hours::{MinuteOfDay, Window};

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

/// A valid persona with defaults filled in and its language resolved.
/// Serialises to the JSON of SPEC §7 (`PERSONA`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Persona {
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
}

impl Persona {
    /// Whether the persona is inside its active hours at `now`.
    pub fn is_active(&self, now: MinuteOfDay) -> bool {
        self.window.contains(now)
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
    match serde_json::from_str::<Value>(text) {
        Ok(value) => parse_persona_values(&value, language_default),
        Err(err) => warning_only(format!("persona list is not valid JSON: {err}")),
    }
}

/// Parses a persona list that is already JSON (for hosts that hold the list
/// itself rather than its text).
pub fn parse_persona_values(value: &Value, language_default: &str) -> ParsedPersonas {
    let Value::Array(entries) = value else {
        return warning_only(format!("persona list is not a JSON list but {}", kind_of(value)));
    };
    let mut parsed = ParsedPersonas::default();
    for (index, entry) in entries.iter().enumerate() {
        match parse_persona(entry, language_default) {
            Ok(persona) => parsed.personas.push(persona),
            Err(why) => parsed.warnings.push(format!("persona #{index} dropped: {why}")),
        }
    }
    parsed
}

fn warning_only(warning: String) -> ParsedPersonas {
    ParsedPersonas { personas: Vec::new(), warnings: vec![warning] }
}

/// Validates one entry of a persona list.
pub fn parse_persona(entry: &Value, language_default: &str) -> Result<Persona, String> {
    let Value::Object(obj) = entry else {
        return Err(format!("expected an object, got {}", kind_of(entry)));
    };
    let tone = enum_field(obj, "tone", Tone::Formal, tone_from_str)?;
    let tone_custom = optional_str(obj, "tone_custom", 128)?;
    if tone == Tone::Custom && tone_custom.as_deref().is_none_or(|t| t.trim().is_empty()) {
        return Err("tone_custom must be non-blank when tone is \"custom\"".into());
    }
    let active_hours = match obj.get("active_hours") {
        None => DEFAULT_ACTIVE_HOURS.to_owned(),
        Some(value) => bounded_str(value, "active_hours", 0, 32)?,
    };
    Ok(Persona {
        name: required_str(obj, "name", 1, 128)?,
        email: email_field(obj)?,
        role: required_str(obj, "role", 1, 128)?,
        tone,
        tone_custom,
        mannerisms: mannerisms_field(obj)?,
        language: optional_str(obj, "language", 8)?.unwrap_or_else(|| language_default.to_owned()),
        signature: optional_str(obj, "signature", 512)?,
        window: Window::parse(&active_hours),
        active_hours,
        reply_latency: enum_field(obj, "reply_latency", ReplyLatency::Normal, latency_from_str)?,
        uses_llms_heavily: llms_field(obj)?,
    })
}

fn required_str(obj: &Map<String, Value>, key: &str, min: usize, max: usize) -> Result<String, String> {
    match obj.get(key) {
        None => Err(format!("{key} is required")),
        Some(value) => bounded_str(value, key, min, max),
    }
}

/// A string field whose absent or null value means "not set".
fn optional_str(obj: &Map<String, Value>, key: &str, max: usize) -> Result<Option<String>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => bounded_str(value, key, 0, max).map(Some),
    }
}

fn bounded_str(value: &Value, key: &str, min: usize, max: usize) -> Result<String, String> {
    let Value::String(text) = value else {
        return Err(format!("{key} must be a string, got {}", kind_of(value)));
    };
    let len = text.chars().count();
    if len < min || len > max {
        return Err(format!("{key} must be {min}-{max} characters, got {len}"));
    }
    Ok(text.clone())
}

fn email_field(obj: &Map<String, Value>) -> Result<String, String> {
    let email = required_str(obj, "email", 3, 255)?;
    let Some((local, domain)) = email.rsplit_once('@') else {
        return Err(format!("email {email:?} has no '@'"));
    };
    if local.is_empty() || domain.is_empty() || !domain.contains('.') {
        return Err(format!("email {email:?} needs a local part and a dotted domain"));
    }
    Ok(email)
}

fn enum_field<T>(
    obj: &Map<String, Value>,
    key: &str,
    default: T,
    from_str: fn(&str) -> Option<T>,
) -> Result<T, String> {
    let Some(value) = obj.get(key) else {
        return Ok(default);
    };
    let Value::String(text) = value else {
        return Err(format!("{key} must be a string, got {}", kind_of(value)));
    };
    from_str(text).ok_or_else(|| format!("{key} {text:?} is not one of the allowed values"))
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

fn mannerisms_field(obj: &Map<String, Value>) -> Result<Vec<String>, String> {
    let items = match obj.get("mannerisms") {
        None => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(other) => return Err(format!("mannerisms must be a list, got {}", kind_of(other))),
    };
    if items.len() > 12 {
        return Err(format!("mannerisms may hold at most 12 items, got {}", items.len()));
    }
    items
        .iter()
        .map(|item| match item {
            Value::String(text) => Ok(text.clone()),
            other => Err(format!("mannerisms items must be strings, got {}", kind_of(other))),
        })
        .collect()
}

/// `uses_llms_heavily` is lenient the way the reference model is: booleans,
/// the integers 0 and 1, and the usual yes/no words in any letter case.
fn llms_field(obj: &Map<String, Value>) -> Result<bool, String> {
    let value = match obj.get("uses_llms_heavily") {
        None => return Ok(false),
        Some(value) => value,
    };
    let parsed = match value {
        Value::Bool(flag) => Some(*flag),
        Value::Number(n) => match n.as_i64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        Value::String(text) => match text.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "t" | "y" | "1" => Some(true),
            "false" | "no" | "off" | "f" | "n" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    };
    parsed.ok_or_else(|| format!("uses_llms_heavily must be a boolean, got {}", kind_of(value)))
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests;
