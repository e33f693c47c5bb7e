//! A persona list as read from JSON, before validation: each known field's
//! value, borrowed from the text where it can be, everything else skipped.
//!
//! Reading straight into this shape (rather than into `serde_json::Value`)
//! saves a map and a key string per field per entry. Repeated keys keep the
//! last value, as SPEC §3 asks.
//!
//! Strings are read the way Python's `json.loads` reads them, so that one
//! entry DECNET would drop never hides the others: an escaped UTF-16
//! surrogate without its pair (`"Ana \ud83d"`, what JavaScript's
//! `JSON.stringify` writes for a string cut mid-emoji) is valid JSON.
//! serde_json refuses the whole text when it decodes such a string as text,
//! but skips it happily; so every entry and every value is first taken as
//! raw JSON (a skip), and strings are decoded here ([`Field::Unpaired`]
//! when one holds a lone surrogate). Keys are read as bytes, which serde_json
//! decodes without refusing: a key with a lone surrogate is simply unknown.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserializer as _, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Deserializer, Error};

/// One JSON value, as far as validation needs to know it.
#[derive(Debug, Clone, PartialEq)]
pub enum Field<'a> {
    Null,
    Bool(bool),
    /// An integer (`None` when it does not fit an `i64`).
    Int(Option<i64>),
    Float(f64),
    Str(Cow<'a, str>),
    /// A string holding an escaped UTF-16 surrogate without its pair.
    /// Python keeps such a string; a Rust string cannot, so the text here
    /// has U+FFFD in each one's place.
    Unpaired(String),
    /// A list's items (a list inside a list is read as an empty one: no
    /// field looks deeper).
    List(Vec<Field<'a>>),
    Object,
}

impl Field<'_> {
    pub fn kind(&self) -> &'static str {
        match self {
            Field::Null => "null",
            Field::Bool(_) => "a boolean",
            Field::Int(_) | Field::Float(_) => "a number",
            Field::Str(_) | Field::Unpaired(_) => "a string",
            Field::List(_) => "a list",
            Field::Object => "an object",
        }
    }
}

impl<'a> Field<'a> {
    /// Reads one raw JSON value (valid JSON by construction: serde_json
    /// produced it by skipping the value).
    fn from_raw(raw: &'a RawValue, in_list: bool) -> Result<Field<'a>, Error> {
        let text = raw.get();
        Ok(match text.as_bytes().first() {
            Some(b'"') => string(text)?,
            Some(b'[') if in_list => Field::List(Vec::new()),
            Some(b'[') => {
                let items: Vec<&'a RawValue> = serde_json::from_str(text)?;
                Field::List(items.into_iter().map(|item| Field::from_raw(item, true)).collect::<Result<_, _>>()?)
            }
            Some(b'{') => Field::Object,
            Some(b't') => Field::Bool(true),
            Some(b'f') => Field::Bool(false),
            Some(b'n') => Field::Null,
            _ => number(text),
        })
    }
}

/// A JSON number: an integer when it has no fraction or exponent (as
/// Python's `json` reads it), else a float.
fn number(text: &str) -> Field<'static> {
    if text.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        Field::Float(text.parse().unwrap_or(f64::NAN))
    } else {
        Field::Int(text.parse().ok())
    }
}

/// A JSON string literal (with its quotes), decoded. Without escapes it is
/// borrowed from the text as it stands.
fn string(literal: &str) -> Result<Field<'_>, Error> {
    let body = literal.get(1..literal.len().saturating_sub(1)).unwrap_or_default();
    if !body.contains('\\') {
        return Ok(Field::Str(Cow::Borrowed(body)));
    }
    let (text, unpaired) = unescape(body).ok_or_else(|| serde::de::Error::custom("invalid escape in a string"))?;
    Ok(if unpaired { Field::Unpaired(text) } else { Field::Str(Cow::Owned(text)) })
}

/// Decodes a string literal's escapes; a surrogate escape without its pair
/// becomes U+FFFD and sets the flag. `None` on an escape JSON does not have.
fn unescape(body: &str) -> Option<(String, bool)> {
    let mut text = String::with_capacity(body.len());
    let mut unpaired = false;
    let mut rest = body;
    while let Some(at) = rest.find('\\') {
        text.push_str(&rest[..at]);
        let escape = rest.as_bytes().get(at + 1)?;
        rest = &rest[at + 2..];
        let simple = match escape {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let (c, after) = unicode_escape(rest)?;
                rest = after;
                unpaired |= c.is_none();
                text.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
                continue;
            }
            _ => return None,
        };
        text.push(simple);
    }
    text.push_str(rest);
    Some((text, unpaired))
}

/// The character of a `\uXXXX` escape whose `\u` has been read, joining a
/// surrogate pair written as two escapes; `Some(None, _)` for a surrogate
/// without its pair (only the one escape is consumed then, as Python does:
/// `"\ud83d\ud83d\ude00"` is a lone surrogate followed by an emoji).
fn unicode_escape(rest: &str) -> Option<(Option<char>, &str)> {
    let unit = hex4(rest)?;
    let after = &rest[4..];
    if !(0xD800..0xDC00).contains(&unit) {
        return Some((char::from_u32(unit), after));
    }
    let low = after.strip_prefix("\\u").and_then(hex4).filter(|low| (0xDC00..0xE000).contains(low));
    match low {
        Some(low) => Some((char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)), &after[6..])),
        None => Some((None, after)),
    }
}

fn hex4(text: &str) -> Option<u32> {
    let digits = text.get(..4)?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(digits, 16).ok()
}

/// The fields of one persona object that validation reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields<'a> {
    pub name: Option<Field<'a>>,
    pub email: Option<Field<'a>>,
    pub role: Option<Field<'a>>,
    pub tone: Option<Field<'a>>,
    pub tone_custom: Option<Field<'a>>,
    pub mannerisms: Option<Field<'a>>,
    pub language: Option<Field<'a>>,
    pub signature: Option<Field<'a>>,
    pub active_hours: Option<Field<'a>>,
    pub reply_latency: Option<Field<'a>>,
    pub uses_llms_heavily: Option<Field<'a>>,
}

impl<'a> Fields<'a> {
    /// Where the value of `key` goes; `None` for a key validation ignores.
    fn slot(&mut self, key: &[u8]) -> Option<&mut Option<Field<'a>>> {
        Some(match key {
            b"name" => &mut self.name,
            b"email" => &mut self.email,
            b"role" => &mut self.role,
            b"tone" => &mut self.tone,
            b"tone_custom" => &mut self.tone_custom,
            b"mannerisms" => &mut self.mannerisms,
            b"language" => &mut self.language,
            b"signature" => &mut self.signature,
            b"active_hours" => &mut self.active_hours,
            b"reply_latency" => &mut self.reply_latency,
            b"uses_llms_heavily" => &mut self.uses_llms_heavily,
            _ => return None,
        })
    }
}

/// One entry of a persona list: an object's fields, or the kind of
/// whatever else it was. (Not boxed: entries are read once and dropped.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Entry<'a> {
    Object(Fields<'a>),
    Other(&'static str),
}

impl<'a> Entry<'a> {
    /// Reads one raw entry of a list.
    pub fn from_raw(raw: &'a RawValue) -> Result<Entry<'a>, Error> {
        let text = raw.get();
        Ok(match text.as_bytes().first() {
            Some(b'{') => Deserializer::from_str(text).deserialize_map(EntryVisitor)?,
            Some(b'[') => Entry::Other("a list"),
            Some(b'"') => Entry::Other("a string"),
            Some(b't' | b'f') => Entry::Other("a boolean"),
            Some(b'n') => Entry::Other("null"),
            _ => Entry::Other("a number"),
        })
    }
}

/// A map key as serde_json's byte reading gives it: escapes decoded, a lone
/// surrogate as WTF-8 (so never equal to a known key) rather than an error.
struct Key<'a>(Cow<'a, [u8]>);

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_borrowed_bytes<E>(self, v: &'de [u8]) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(v)))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v.to_owned())))
    }
}

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_bytes(KeyVisitor)
    }
}

struct EntryVisitor;

impl<'de> Visitor<'de> for EntryVisitor {
    type Value = Entry<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a persona object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entry<'de>, A::Error> {
        let mut fields = Fields::default();
        while let Some(Key(key)) = map.next_key()? {
            match fields.slot(&key) {
                Some(slot) => {
                    let raw: &'de RawValue = map.next_value()?;
                    *slot = Some(Field::from_raw(raw, false).map_err(serde::de::Error::custom)?);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Entry::Object(fields))
    }
}

/// Reads a whole persona list, handing each entry to `each` as soon as it
/// is read (nothing is collected: a topology's entries are validated one by
/// one while the parser walks the text). `Ok(Err(kind))`: the text was JSON
/// but not a list; `kind` says what it was.
pub fn each_entry<'de>(text: &'de str, each: impl FnMut(Entry<'de>)) -> Result<Result<(), &'static str>, Error> {
    let start = text.trim_start_matches([' ', '\t', '\n', '\r']);
    if !start.starts_with('[') {
        // Not a list: only whether it is JSON at all, and what, is left.
        let raw: &RawValue = serde_json::from_str(text)?;
        let Entry::Other(kind) = Entry::from_raw(raw)? else {
            return Ok(Err("an object"));
        };
        return Ok(Err(kind));
    }
    let mut reader = Deserializer::from_str(text);
    reader.deserialize_seq(ListVisitor(each))?;
    reader.end()?;
    Ok(Ok(()))
}

struct ListVisitor<F>(F);

impl<'de, F: FnMut(Entry<'de>)> Visitor<'de> for ListVisitor<F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of personas")
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<&'de RawValue>()? {
            (self.0)(Entry::from_raw(raw).map_err(serde::de::Error::custom)?);
        }
        Ok(())
    }
}

/// The persona list a JSON value gives, as the text a store holds: a
/// string is the list's text (decoded; a lone surrogate escape in it is
/// written back as the escape it was, so the entry holding it, and only
/// that one, is dropped when the text is parsed, as Python reads the two
/// levels of JSON); null is no list; anything else is the list itself.
pub fn list_text(value: &RawValue) -> String {
    let text = value.get();
    match text.as_bytes().first() {
        Some(b'n') => String::new(),
        Some(b'"') => match Deserializer::from_str(text).deserialize_bytes(WtfBytes) {
            Ok(bytes) => text_from_wtf8(&bytes),
            Err(_) => String::new(),
        },
        _ => text.to_owned(),
    }
}

/// A JSON string's bytes as serde_json decodes them without refusing a lone
/// surrogate: WTF-8, UTF-8 that may hold encoded surrogates.
struct WtfBytes;

impl Visitor<'_> for WtfBytes {
    type Value = Vec<u8>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Vec<u8>, E> {
        Ok(v.to_owned())
    }
}

/// JSON text from WTF-8 (UTF-8 that may hold encoded surrogates, as
/// serde_json decodes a string with a lone surrogate escape, or Python's
/// `str.encode("utf-8", "surrogatepass")` writes one), each encoded
/// surrogate (`ED A0..BF 80..BF`) written as a `\uXXXX` escape. Inside a
/// string literal of the text the escape means what the surrogate did;
/// anywhere else the text was not JSON either way. (Two surrogates that
/// form a pair come out as a pair of escapes, which JSON joins.)
pub fn text_from_wtf8(mut bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len());
    loop {
        match std::str::from_utf8(bytes) {
            Ok(rest) => {
                text.push_str(rest);
                return text;
            }
            Err(err) => {
                let (valid, rest) = bytes.split_at(err.valid_up_to());
                text.push_str(std::str::from_utf8(valid).unwrap_or_default());
                match rest {
                    [0xED, b1 @ 0xA0..=0xBF, b2 @ 0x80..=0xBF, ..] => {
                        let unit = 0xD000 | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F);
                        text.push_str(&format!("\\u{unit:04x}"));
                        bytes = &rest[3..];
                    }
                    // Not WTF-8 (serde_json never produces it): dropped.
                    _ => bytes = &rest[err.error_len().unwrap_or(rest.len())..],
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(json: &str) -> Field<'_> {
        Field::from_raw(serde_json::from_str(json).unwrap(), false).unwrap()
    }

    #[test]
    fn strings_decode_like_pythons_json() {
        assert_eq!(field(r#""plain""#), Field::Str(Cow::Borrowed("plain")));
        assert_eq!(field(r#""tab\tquote\"\u00e9\/""#), Field::Str("tab\tquote\"é/".into()));
        assert_eq!(field(r#""\ud83d\ude00""#), Field::Str("😀".into()));
        assert_eq!(field(r#""Ana \ud83d""#), Field::Unpaired("Ana \u{fffd}".into()));
        assert_eq!(field(r#""\udc00x""#), Field::Unpaired("\u{fffd}x".into()));
        // A high surrogate followed by a whole pair: lone, then the emoji.
        assert_eq!(field(r#""\ud83d\ud83d\ude00""#), Field::Unpaired("\u{fffd}😀".into()));
        assert_eq!(field(r#""\ud83dx\ude00""#), Field::Unpaired("\u{fffd}x\u{fffd}".into()));
    }

    #[test]
    fn other_values_keep_their_kind() {
        assert_eq!(field("null"), Field::Null);
        assert_eq!(field("true"), Field::Bool(true));
        assert_eq!(field("-0"), Field::Int(Some(0)));
        assert_eq!(field("99999999999999999999"), Field::Int(None));
        assert_eq!(field("1e0"), Field::Float(1.0));
        assert_eq!(field(r#"{"\udc00": 1}"#), Field::Object);
        assert_eq!(
            field(r#"["a", ["b"], "\ud800"]"#),
            Field::List(vec![Field::Str("a".into()), Field::List(Vec::new()), Field::Unpaired("\u{fffd}".into())])
        );
    }

    #[test]
    fn a_lone_surrogate_affects_only_its_own_entry() {
        let text = r#"[{"name": "Ana \ud83d"}, "\udc00", {"n\ud800": "\udc00", "name": "Bo"}]"#;
        let mut entries = Vec::new();
        assert_eq!(each_entry(text, |e| entries.push(e)).unwrap(), Ok(()));
        assert_eq!(entries.len(), 3);
        let Entry::Object(ana) = &entries[0] else { panic!() };
        assert_eq!(ana.name, Some(Field::Unpaired("Ana \u{fffd}".into())));
        assert_eq!(entries[1], Entry::Other("a string"));
        let Entry::Object(bo) = &entries[2] else { panic!() };
        assert_eq!(bo.name, Some(Field::Str("Bo".into())));
    }

    #[test]
    fn a_list_given_as_a_string_keeps_its_lone_surrogates_as_escapes() {
        let text = |json: &str| list_text(serde_json::from_str(json).unwrap());
        assert_eq!(text(r#""[{\"name\": \"Ana \ud83d\"}]""#), r#"[{"name": "Ana \ud83d"}]"#);
        assert_eq!(text(r#""[\"\udfff\ud83d\ude00\"]""#), r#"["\udfff😀"]"#);
        assert_eq!(text(r#""[\"\\ud800\"]""#), r#"["\ud800"]"#);
        assert_eq!(text(r#" [{"name": "\ud800"}]"#.trim()), r#"[{"name": "\ud800"}]"#);
        assert_eq!(text("null"), "");
    }

    #[test]
    fn not_a_list_says_what_it_is() {
        assert_eq!(each_entry(r#" {"a": 1}"#, |_| ()).unwrap(), Err("an object"));
        assert_eq!(each_entry(r#""\ud800""#, |_| ()).unwrap(), Err("a string"));
        assert_eq!(each_entry("7", |_| ()).unwrap(), Err("a number"));
        assert!(each_entry("[1,", |_| ()).is_err());
        assert!(each_entry("[] x", |_| ()).is_err());
        assert!(each_entry(r#""\x""#, |_| ()).is_err());
    }
}
