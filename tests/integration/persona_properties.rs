//! Property tests of persona parsing: no panic on anything, and whatever is
//! kept obeys SPEC §3.

use emailgen_picker::persona::{parse_persona_values, parse_personas, Persona, Tone};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// Arbitrary JSON, biased toward persona-shaped objects.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-2i64..3).prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        ".{0,10}".prop_map(Value::String),
        prop_oneof![
            Just("formal"),
            Just("custom"),
            Just("Formal"),
            Just("fast"),
            Just("slow"),
            Just("yes"),
            Just("OFF"),
            Just("a@b.c"),
            Just("ana@acme.example"),
            Just("no-at"),
            Just("@x.y"),
            Just("09:00-17:00"),
            Just("22:30-06:15"),
            Just("  "),
            Just(""),
        ]
        .prop_map(|s| Value::String(s.to_owned())),
        (1usize..300).prop_map(|n| Value::String("é".repeat(n))),
    ];
    leaf.prop_recursive(3, 48, 12, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..14).prop_map(Value::Array),
            prop::collection::vec((field_name(), inner), 0..12)
                .prop_map(|fields| Value::Object(fields.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("name"),
        Just("email"),
        Just("role"),
        Just("tone"),
        Just("tone_custom"),
        Just("mannerisms"),
        Just("language"),
        Just("signature"),
        Just("active_hours"),
        Just("reply_latency"),
        Just("uses_llms_heavily"),
        Just("other"),
    ]
    .prop_map(String::from)
}

fn obeys_spec(p: &Persona) -> Result<(), String> {
    let len = |s: &str| s.chars().count();
    let checks = [
        (1..=128).contains(&len(&p.name)),
        (1..=128).contains(&len(&p.role)),
        (3..=255).contains(&len(&p.email)),
        p.email.rsplit_once('@').is_some_and(|(l, d)| !l.is_empty() && !d.is_empty() && d.contains('.')),
        p.tone_custom.as_deref().is_none_or(|t| len(t) <= 128),
        p.tone != Tone::Custom || p.tone_custom.as_deref().is_some_and(|t| !t.trim().is_empty()),
        p.mannerisms.len() <= 12,
        len(&p.language) <= 8 || p.language == "xx-default-language",
        p.signature.as_deref().is_none_or(|s| len(s) <= 512),
        len(&p.active_hours) <= 32,
    ];
    match checks.iter().position(|ok| !ok) {
        Some(i) => Err(format!("check {i} fails for {p:?}")),
        None => Ok(()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}") {
        let parsed = parse_personas(&text, "en");
        for p in &parsed.personas {
            prop_assert!(obeys_spec(p).is_ok());
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse_personas(&text, "en");
    }

    #[test]
    fn kept_personas_obey_the_rules_and_nothing_is_lost(entries in prop::collection::vec(json_value(), 0..12)) {
        let parsed = parse_persona_values(&Value::Array(entries.clone()), "xx-default-language");
        for p in &parsed.personas {
            prop_assert!(obeys_spec(p).is_ok(), "{}", obeys_spec(p).unwrap_err());
        }
        // Every entry is either kept or dropped with a warning naming it.
        prop_assert_eq!(parsed.personas.len() + parsed.warnings.len(), entries.len());
        // Parsing the text form gives the same result as the value form.
        let from_text = parse_personas(&Value::Array(entries).to_string(), "xx-default-language");
        prop_assert_eq!(from_text.personas, parsed.personas);
    }

    #[test]
    fn valid_entries_survive_bad_neighbours(bad in json_value(), index in 0usize..3) {
        let mut entries = vec![
            json!({"name": "A", "email": "a@x.io", "role": "r"}),
            json!({"name": "B", "email": "b@x.io", "role": "r"}),
        ];
        entries.insert(index, bad);
        let parsed = parse_persona_values(&Value::Array(entries), "en");
        let emails: Vec<_> = parsed.personas.iter().map(|p| p.email.as_str()).filter(|e| *e == "a@x.io" || *e == "b@x.io").collect();
        prop_assert_eq!(emails, vec!["a@x.io", "b@x.io"]);
    }
}
