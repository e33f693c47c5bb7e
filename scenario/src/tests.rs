use super::*;

fn parse(text: &str) -> Result<Scenario, String> {
    Scenario::parse(text)
}

#[test]
fn every_key_is_optional() {
    let scenario = parse("{}").unwrap();
    assert!(scenario.store.deckies().is_empty());
    assert_eq!(scenario.options, PickOptions::default());
    assert!(matches!(scenario.store.pool(), GlobalPersonas::File(_)));
}

#[test]
fn settings_are_read() {
    let s =
        parse(r#"{"now": "2026-04-26T12:00:00", "seed": 7, "reply_probability": 0.25, "notes": "ignored"}"#).unwrap();
    assert_eq!(s.options.seed, Some(7));
    assert_eq!(s.options.reply_probability, Some(0.25));
    assert_eq!(s.options.now.unwrap().to_string(), "2026-04-26 12:00:00");
}

#[test]
fn now_keeps_the_wall_clock_of_an_offset() {
    for (text, expected) in [
        ("2026-04-26T12:00:00+05:00", "2026-04-26 12:00:00"),
        ("2026-04-26T23:30:00Z", "2026-04-26 23:30:00"),
        ("2026-04-26 08:15", "2026-04-26 08:15:00"),
        ("2026-04-26T08:15:30.250", "2026-04-26 08:15:30.250"),
        ("2026-04-26", "2026-04-26 00:00:00"),
    ] {
        assert_eq!(parse_local_datetime(text).unwrap().to_string(), expected, "{text}");
    }
    for bad in ["tomorrow", "2026-13-01T00:00:00", "2026-04-26T25:00:00", ""] {
        assert!(parse_local_datetime(bad).is_err(), "{bad}");
    }
}

#[test]
fn bad_settings_say_where() {
    let err = parse(r#"{"now": "noon"}"#).unwrap_err();
    assert!(err.starts_with("now:"), "{err}");
    let err = parse(r#"{"reply_probability": 1.5}"#).unwrap_err();
    assert!(err.contains("reply_probability"), "{err}");
    let err = parse(r#"{"seed": -1}"#).unwrap_err();
    assert!(err.starts_with("seed"), "{err}");
    let err = parse(r#"{"deckies": [{"uuid": "a"}, {"name": "no uuid"}]}"#).unwrap_err();
    assert!(err.starts_with("deckies[1]"), "{err}");
    assert!(parse("[]").is_err());
    assert!(parse("{").is_err());
}

#[test]
fn decky_rows_are_lenient_like_the_reference() {
    let s = parse(
        r#"{"deckies": [
            {"uuid": "a", "services": "imap"},
            {"uuid": "b", "services": null, "ip": "10.0.0.1"},
            {"uuid": "c", "services": ["imap", 3, "smtp"], "name": null, "source": null}
        ]}"#,
    )
    .unwrap();
    let d = s.store.deckies();
    assert!(d[0].services.is_empty());
    assert!(d[1].services.is_empty());
    assert_eq!(d[2].services, ["imap", "smtp"]);
    assert_eq!(d[2].name, "");
    assert_eq!(d[2].source, None);
}

#[test]
fn persona_lists_may_be_text_or_lists() {
    let s = parse(
        r#"{"topologies": {"t1": {"email_personas": [{"name": "A"}]}, "t2": {"id": "t2", "email_personas": "[]"}},
            "global_personas": null}"#,
    )
    .unwrap();
    assert_eq!(s.store.topologies()["t1"].id, "t1");
    // A list is kept as the file writes it: the text a store would hold.
    assert_eq!(s.store.topologies()["t1"].email_personas, r#"[{"name": "A"}]"#);
    assert_eq!(s.store.topologies()["t2"].email_personas, "[]");
    assert!(matches!(s.store.pool(), GlobalPersonas::Given(t) if t.is_empty()));
}

#[test]
fn a_lone_surrogate_in_a_persona_entry_costs_that_entry_not_the_file() {
    let entries = r#"{"name": "Ana \ud83d", "email": "ana@x.io", "role": "r"},
                     {"name": "Bo", "email": "bo@x.io", "role": "r"}, {"name": "Cy", "email": "cy@x.io", "role": "r"}"#;
    // The list itself, and the list as JSON text (its escape escaped once
    // more, or not: a lone surrogate in the outer string is the same).
    let as_text = format!("{:?}", format!("[{entries}]"));
    let as_text_single = as_text.replace(r"\\ud83d", r"\ud83d");
    for list in [format!("[{entries}]"), as_text, as_text_single] {
        let mut s =
            parse(&format!(r#"{{"topologies": {{"t1": {{"email_personas": {list}}}}}, "global_personas": {list}}}"#))
                .unwrap_or_else(|e| panic!("{list}: {e}"));
        for text in [s.store.topologies()["t1"].email_personas.clone(), s.store.global_personas().unwrap()] {
            let parsed = emailgen_domain::parse_personas(&text, "en");
            let names: Vec<&str> = parsed.personas.iter().map(|p| p.name.as_str()).collect();
            assert_eq!(names, ["Bo", "Cy"], "{list}");
            assert!(parsed.warnings[0].contains("persona #0 dropped"), "{:?}", parsed.warnings);
        }
    }
}

#[test]
fn thread_filters_match_the_pair_in_either_order() {
    let mut s = parse(
        r#"{"threads": [
            {"thread_id": "1", "message_id": "<1@x>", "subject": "s", "mail_decky_uuid": "d1",
             "sender_email": "a@x.io", "recipient_email": "b@x.io"},
            {"thread_id": "2", "message_id": "<2@x>", "subject": "s", "mail_decky_uuid": "d2"},
            {"thread_id": "3", "message_id": "<3@x>", "subject": "s", "sender_email": "c@x.io"},
            {"thread_id": "4", "message_id": "<4@x>", "subject": "s", "references": null}
        ]}"#,
    )
    .unwrap()
    .store;
    let ids = |store: &mut ScenarioStore, d: &str, a: &str, b: &str, limit: u32| -> Vec<String> {
        store.list_email_threads(d, a, b, limit).unwrap().into_iter().map(|r| r.thread_id).collect()
    };
    assert_eq!(ids(&mut s, "d1", "a@x.io", "b@x.io", 20), ["1", "4"]);
    assert_eq!(ids(&mut s, "d1", "b@x.io", "a@x.io", 20), ["1", "4"]);
    assert_eq!(ids(&mut s, "d2", "a@x.io", "b@x.io", 20), ["2", "4"]);
    assert_eq!(ids(&mut s, "d1", "a@x.io", "c@x.io", 20), ["3", "4"]);
    assert_eq!(ids(&mut s, "d1", "a@x.io", "b@x.io", 1), ["1"]);
}

#[test]
fn each_loaded_store_is_its_own_revision() {
    let mut first = parse(r#"{"global_personas": []}"#).unwrap().store;
    let mut second = parse(r#"{"global_personas": []}"#).unwrap().store;
    let revision = first.revision(Subject::RunningDeckies);
    assert!(revision.is_some());
    assert_eq!(first.revision(Subject::Topology("t1")), revision);
    assert_eq!(first.revision(Subject::GlobalPersonas), revision);
    assert_ne!(second.revision(Subject::RunningDeckies), revision, "two stores never share a revision");
}

#[test]
fn a_pool_file_has_no_revision() {
    // The file can change under the store; its text is hashed instead.
    let mut store = parse("{}").unwrap().store;
    assert_eq!(store.revision(Subject::GlobalPersonas), None);
    assert!(store.revision(Subject::RunningDeckies).is_some());
}
