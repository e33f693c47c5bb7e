//! A persona entry as read from JSON, before validation: each known field's
//! value, borrowed from the text where it can be, everything else skipped.
//!
//! Reading straight into this shape (rather than into `serde_json::Value`)
//! saves a map and a key string per field per entry; it matters because a
//! fresh policy instance parses a topology's whole list on its first pick.
//! Repeated keys keep the last value, as SPEC §3 asks.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// One JSON value, as far as validation needs to know it.
#[derive(Debug, Clone, PartialEq)]
pub enum Field<'a> {
    Null,
    Bool(bool),
    /// An integer (`None` when it does not fit an `i64`).
    Int(Option<i64>),
    Float,
    Str(Cow<'a, str>),
    List(Vec<Field<'a>>),
    Object,
}

impl Field<'_> {
    pub fn kind(&self) -> &'static str {
        match self {
            Field::Null => "null",
            Field::Bool(_) => "a boolean",
            Field::Int(_) | Field::Float => "a number",
            Field::Str(_) => "a string",
            Field::List(_) => "a list",
            Field::Object => "an object",
        }
    }
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

/// One entry of a persona list: an object's fields, or the kind of
/// whatever else it was. (Not boxed: entries are read once and dropped.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Entry<'a> {
    Object(Fields<'a>),
    Other(&'static str),
}

struct FieldVisitor;

impl<'de> Visitor<'de> for FieldVisitor {
    type Value = Field<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Field<'de>, E> {
        Ok(Field::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Field<'de>, E> {
        Ok(Field::Int(Some(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Field<'de>, E> {
        Ok(Field::Int(i64::try_from(v).ok()))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Field<'de>, E> {
        Ok(Field::Float)
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Field<'de>, E> {
        Ok(Field::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Field<'de>, E> {
        Ok(Field::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Field<'de>, E> {
        Ok(Field::Str(Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> Result<Field<'de>, E> {
        Ok(Field::Null)
    }
    fn visit_none<E>(self) -> Result<Field<'de>, E> {
        Ok(Field::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Field<'de>, D::Error> {
        Field::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Field<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Field::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Field<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Field::Object)
    }
}

impl<'de> Deserialize<'de> for Field<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FieldVisitor)
    }
}

/// A map key, read through `deserialize_any` like every value here: no
/// path of this parser asks serde for a specific type, so none can fail with
/// an "invalid type" error, whose message formats floats (that machinery
/// would be a fifth of the component).
struct Key<'a>(Cow<'a, str>);

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(v)))
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(KeyVisitor)
    }
}

/// Reads a whole persona list, handing each entry to `each` as soon as it
/// is read (nothing is collected: a topology's entries are validated one by
/// one while the parser walks the text). `Ok(Err(kind))`: the JSON was not a
/// list but `kind`.
pub fn each_entry<'de, D: Deserializer<'de>>(
    d: D,
    each: impl FnMut(Entry<'de>),
) -> Result<Result<(), &'static str>, D::Error> {
    d.deserialize_any(ListVisitor(each))
}

struct ListVisitor<F>(F);

impl<'de, F: FnMut(Entry<'de>)> Visitor<'de> for ListVisitor<F> {
    type Value = Result<(), &'static str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of personas")
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Self::Value, A::Error> {
        while let Some(entry) = seq.next_element()? {
            (self.0)(entry);
        }
        Ok(Ok(()))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Err("an object"))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Err("a boolean"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Err("a number"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Err("a number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Err("a number"))
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Err("a string"))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Err("null"))
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Err("null"))
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
            let slot = match key.as_ref() {
                "name" => &mut fields.name,
                "email" => &mut fields.email,
                "role" => &mut fields.role,
                "tone" => &mut fields.tone,
                "tone_custom" => &mut fields.tone_custom,
                "mannerisms" => &mut fields.mannerisms,
                "language" => &mut fields.language,
                "signature" => &mut fields.signature,
                "active_hours" => &mut fields.active_hours,
                "reply_latency" => &mut fields.reply_latency,
                "uses_llms_heavily" => &mut fields.uses_llms_heavily,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            *slot = Some(map.next_value()?);
        }
        Ok(Entry::Object(fields))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Entry<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Entry::Other("a list"))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Entry<'de>, E> {
        Ok(Entry::Other("a boolean"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Entry<'de>, E> {
        Ok(Entry::Other("a number"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Entry<'de>, E> {
        Ok(Entry::Other("a number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Entry<'de>, E> {
        Ok(Entry::Other("a number"))
    }
    fn visit_str<E>(self, _: &str) -> Result<Entry<'de>, E> {
        Ok(Entry::Other("a string"))
    }
    fn visit_unit<E>(self) -> Result<Entry<'de>, E> {
        Ok(Entry::Other("null"))
    }
    fn visit_none<E>(self) -> Result<Entry<'de>, E> {
        Ok(Entry::Other("null"))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Entry<'de>, D::Error> {
        Entry::deserialize(d)
    }
}

impl<'de> Deserialize<'de> for Entry<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(EntryVisitor)
    }
}
