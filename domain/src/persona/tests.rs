use serde_json::json;

use super::*;

fn one(entry: serde_json::Value) -> Result<Persona, String> {
    parse_persona(&entry, "en")
}

fn minimal() -> serde_json::Value {
    json!({"name": "Ana Ruiz", "email": "ana@acme.example", "role": "CFO"})
}

fn with(key: &str, value: serde_json::Value) -> serde_json::Value {
    let mut entry = minimal();
    entry[key] = value;
    entry
}

#[test]
fn minimal_persona_gets_every_default() {
    let p = one(minimal()).unwrap();
    assert_eq!(p.tone, Tone::Formal);
    assert_eq!(p.tone_custom, None);
    assert!(p.mannerisms.is_empty());
    assert_eq!(p.language, "en");
    assert_eq!(p.signature, None);
    assert_eq!(p.active_hours, "09:00-18:00");
    assert_eq!(p.reply_latency, ReplyLatency::Normal);
    assert!(!p.uses_llms_heavily);
}

#[test]
fn serialises_every_field_with_resolved_values() {
    let p = parse_persona(&minimal(), "es").unwrap();
    let out = serde_json::to_value(&p).unwrap();
    assert_eq!(
        out,
        json!({"name": "Ana Ruiz", "email": "ana@acme.example", "role": "CFO",
               "tone": "formal", "tone_custom": null, "mannerisms": [], "language": "es",
               "signature": null, "active_hours": "09:00-18:00", "reply_latency": "normal",
               "uses_llms_heavily": false})
    );
}

#[test]
fn required_fields_must_be_present_and_non_null() {
    for key in ["name", "email", "role"] {
        let mut entry = minimal();
        entry.as_object_mut().unwrap().remove(key);
        assert!(one(entry).is_err(), "missing {key}");
        assert!(one(with(key, json!(null))).is_err(), "null {key}");
    }
}

#[test]
fn lengths_count_code_points() {
    assert!(one(with("name", json!("é".repeat(128)))).is_ok());
    assert!(one(with("name", json!("é".repeat(129)))).is_err());
    assert!(one(with("name", json!(""))).is_err());
    assert!(one(with("role", json!("r".repeat(128)))).is_ok());
    assert!(one(with("role", json!("r".repeat(129)))).is_err());
    assert!(one(with("language", json!("ñ".repeat(8)))).is_ok());
    assert!(one(with("language", json!("ñ".repeat(9)))).is_err());
    assert!(one(with("signature", json!("s".repeat(512)))).is_ok());
    assert!(one(with("signature", json!("s".repeat(513)))).is_err());
    assert!(one(with("active_hours", json!("a".repeat(32)))).is_ok());
    assert!(one(with("active_hours", json!("a".repeat(33)))).is_err());
}

#[test]
fn email_rules() {
    for good in ["a@b.c", "first.last@mail.acme.example", "we@ird@acme.example"] {
        assert!(one(with("email", json!(good))).is_ok(), "{good}");
    }
    let long_local = format!("{}@acme.example", "x".repeat(242));
    assert_eq!(long_local.chars().count(), 255);
    assert!(one(with("email", json!(long_local))).is_ok());
    let too_long = format!("{}@acme.example", "x".repeat(243));
    assert!(one(with("email", json!(too_long))).is_err());
    for bad in ["no-at-sign", "@acme.example", "ana@", "ana@localhost", "a@", "ab", "x@y@z"] {
        assert!(one(with("email", json!(bad))).is_err(), "{bad}");
    }
}

#[test]
fn email_splits_at_the_last_at() {
    // "a@b.c@host" → domain "host" has no dot.
    assert!(one(with("email", json!("a@b.c@host"))).is_err());
    // "a.b@c@d.e" → local "a.b@c", domain "d.e".
    assert!(one(with("email", json!("a.b@c@d.e"))).is_ok());
}

#[test]
fn enumerations_match_exactly() {
    assert!(one(with("tone", json!("Formal"))).is_err());
    assert!(one(with("tone", json!("casual"))).is_ok());
    assert!(one(with("tone", json!(null))).is_err());
    assert!(one(with("reply_latency", json!("FAST"))).is_err());
    assert_eq!(one(with("reply_latency", json!("slow"))).unwrap().reply_latency, ReplyLatency::Slow);
    assert!(one(with("reply_latency", json!(null))).is_err());
}

#[test]
fn custom_tone_needs_non_blank_text() {
    assert!(one(with("tone", json!("custom"))).is_err());
    let mut entry = with("tone", json!("custom"));
    entry["tone_custom"] = json!("   ");
    assert!(one(entry.clone()).is_err());
    entry["tone_custom"] = json!("pirate");
    assert_eq!(one(entry).unwrap().tone_custom.as_deref(), Some("pirate"));
    assert!(one(with("tone_custom", json!("x".repeat(129)))).is_err());
    // Another tone may still carry a custom text.
    assert!(one(with("tone_custom", json!("dry"))).is_ok());
}

#[test]
fn mannerisms_are_at_most_twelve_strings() {
    let twelve: Vec<String> = (0..12).map(|i| format!("m{i}")).collect();
    assert_eq!(one(with("mannerisms", json!(twelve))).unwrap().mannerisms.len(), 12);
    let thirteen: Vec<String> = (0..13).map(|i| format!("m{i}")).collect();
    assert!(one(with("mannerisms", json!(thirteen))).is_err());
    assert!(one(with("mannerisms", json!(["ok", 3]))).is_err());
    assert!(one(with("mannerisms", json!(null))).is_err());
    assert!(one(with("mannerisms", json!("just one"))).is_err());
}

#[test]
fn wrong_types_make_the_entry_invalid() {
    assert!(one(with("name", json!(42))).is_err());
    assert!(one(with("email", json!(["ana@acme.example"]))).is_err());
    assert!(one(with("signature", json!(7))).is_err());
    assert!(one(with("language", json!(true))).is_err());
    assert!(one(with("active_hours", json!(null))).is_err());
    assert!(one(with("active_hours", json!(9))).is_err());
    assert!(one(json!("ana@acme.example")).is_err());
    assert!(one(json!(null)).is_err());
}

#[test]
fn language_null_takes_the_default_but_empty_stays() {
    assert_eq!(parse_persona(&with("language", json!(null)), "de").unwrap().language, "de");
    assert_eq!(parse_persona(&with("language", json!("")), "de").unwrap().language, "");
    assert_eq!(parse_persona(&with("language", json!("fr")), "de").unwrap().language, "fr");
}

#[test]
fn uses_llms_heavily_is_lenient_like_the_reference() {
    for (value, expected) in [
        (json!(true), true),
        (json!(false), false),
        (json!(1), true),
        (json!(0), false),
        (json!("YES"), true),
        (json!("no"), false),
        (json!("On"), true),
        (json!("off"), false),
        (json!("t"), true),
        (json!("F"), false),
        (json!("y"), true),
        (json!("N"), false),
        (json!("1"), true),
        (json!("0"), false),
        (json!("True"), true),
        (json!("FALSE"), false),
    ] {
        assert_eq!(one(with("uses_llms_heavily", value.clone())).unwrap().uses_llms_heavily, expected, "{value}");
    }
    for bad in [json!(2), json!(-1), json!(0.5), json!("maybe"), json!(null), json!([])] {
        assert!(one(with("uses_llms_heavily", bad.clone())).is_err(), "{bad}");
    }
}

#[test]
fn unknown_fields_are_ignored_and_repeated_keys_keep_the_last() {
    assert!(one(with("favourite_colour", json!("blue"))).is_ok());
    let text = r#"[{"name": "A", "email": "a@x.io", "role": "r", "tone": "bogus", "tone": "casual"}]"#;
    let parsed = parse_personas(text, "en");
    assert_eq!(parsed.personas.len(), 1);
    assert_eq!(parsed.personas[0].tone, Tone::Casual);
}

#[test]
fn list_parsing_keeps_valid_entries_in_order() {
    let text = json!([
        {"name": "A", "email": "a@x.io", "role": "r"},
        {"name": "Broken", "email": "no-at-sign", "role": "x"},
        17,
        {"name": "B", "email": "b@x.io", "role": "r"},
    ])
    .to_string();
    let parsed = parse_personas(&text, "en");
    let names: Vec<_> = parsed.personas.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["A", "B"]);
    assert_eq!(parsed.warnings.len(), 2);
    assert!(parsed.warnings[0].starts_with("persona #1 dropped"), "{}", parsed.warnings[0]);
    assert!(parsed.warnings[1].starts_with("persona #2 dropped"), "{}", parsed.warnings[1]);
}

#[test]
fn unusable_lists_give_no_personas() {
    assert_eq!(parse_personas("", "en"), ParsedPersonas::default());
    let not_json = parse_personas("[{oops", "en");
    assert!(not_json.personas.is_empty());
    assert_eq!(not_json.warnings.len(), 1);
    let not_list = parse_personas(r#"{"name": "A"}"#, "en");
    assert!(not_list.personas.is_empty());
    assert_eq!(not_list.warnings.len(), 1);
    assert!(parse_personas("[]", "en").warnings.is_empty());
}

#[test]
fn entries_read_before_a_json_error_are_not_kept() {
    let valid = minimal().to_string();
    for text in [format!("[{valid}, {{\"name\": "), format!("[{valid}, 17] trailing"), format!("[{valid}, [1,]]")] {
        let parsed = parse_personas(&text, "en");
        assert!(parsed.personas.is_empty(), "{text}");
        assert_eq!(parsed.warnings.len(), 1, "{text}: {:?}", parsed.warnings);
        assert!(parsed.warnings[0].starts_with("persona list is not valid JSON"), "{}", parsed.warnings[0]);
    }
}

#[test]
fn window_is_parsed_once_with_the_persona() {
    let p = one(with("active_hours", json!("22:30-06:15"))).unwrap();
    assert!(p.is_active(crate::active_hours::minute_of_day(23, 0)));
    assert!(!p.is_active(crate::active_hours::minute_of_day(12, 0)));
}

#[test]
fn a_clone_shares_and_a_write_copies() {
    let original = one(minimal()).unwrap();
    let mut copy = original.clone();
    assert!(std::ptr::eq(&*original, &*copy), "a clone is the same persona, not a deep copy");
    copy.email = "someone.else@acme.example".into();
    assert_ne!(copy.email, original.email, "writing through one clone leaves the other alone");
    assert_eq!(original, one(minimal()).unwrap());
}

#[test]
fn positions_count_dropped_entries() {
    let text = json!([minimal(), {"name": "no role"}, with("name", json!("Third"))]).to_string();
    let parsed = parse_personas(&text, "en");
    let positions: Vec<u32> = parsed.personas.iter().map(|p| p.position).collect();
    assert_eq!(positions, [0, 2]);
}
