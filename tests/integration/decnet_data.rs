//! Data DECNET's own orchestrator writes or accepts, through the real host:
//! a TAB in a stored subject, a lone surrogate escape in one persona entry,
//! active hours written in non-ASCII digits. Each must give what DECNET's
//! own picker gives (python/tests/test_decnet.py compares with DECNET
//! itself); header injection stays refused.

use std::collections::BTreeSet;

use emailgen_host::{ErrorKind, PickOptions, PickOutcome};
use emailgen_picker::ThreadRow;
use serde_json::json;

use crate::common::hostile::assert_error;
use crate::common::*;

/// Ana and Bo, who always write to each other, and whatever else.
fn pair_and(extra: &str) -> String {
    format!(
        r#"[{{"name": "Ana", "email": "ana@acme.example", "role": "CFO", "active_hours": "00:00-00:00"}},
            {{"name": "Bo", "email": "bo@acme.example", "role": "IT", "active_hours": "00:00-00:00"}}{extra}]"#
    )
}

fn replying(seed: u64) -> PickOptions {
    PickOptions { reply_probability: Some(1.0), ..seeded(seed) }
}

/// A store whose one thread between Ana and Bo has this subject and
/// Message-ID.
fn thread_store(subject: &str, message_id: &str) -> TestStore {
    let mut store = company(json!([]));
    store.add_topology("t1", pair_and(""), Some("en"));
    store.threads.push(ThreadRow {
        thread_id: "thr-7".into(),
        message_id: message_id.into(),
        subject: subject.into(),
        references: vec!["<root@acme.example>".into()],
    });
    store
}

#[test]
fn a_tab_in_a_stored_subject_gets_replied_to_as_decnet_replies() {
    let store = thread_store("Quarterly\tforecast – v2", "<m1@acme.example>");
    for seed in 0..20 {
        let outcome = wasm_pick(&store, &replying(seed));
        assert_eq!(outcome, native_pick(&store, &replying(seed)));
        let reply = action(outcome);
        assert!(reply.is_reply);
        assert_eq!(reply.subject_hint.as_deref(), Some("Re: Quarterly\tforecast – v2"));
        assert_eq!(reply.context_hint, "Re: Quarterly\tforecast – v2");
        assert_eq!(reply.references, "<root@acme.example> <m1@acme.example>");
    }
}

#[test]
fn python_white_space_around_a_subject_is_trimmed_as_decnet_trims_it() {
    let store = thread_store("\u{1f}RE:\u{1c} Quarterly forecast\u{1d}", "<m1@acme.example>");
    let reply = action(wasm_pick(&store, &replying(3)));
    assert_eq!(reply.subject_hint.as_deref(), Some("Re: Quarterly forecast"));
}

#[test]
fn line_breaks_and_tabs_in_identifiers_never_reach_an_action() {
    for (subject, message_id, field) in [
        ("Plans\r\nBcc: everyone@acme.example", "<m1@acme.example>", "subject"),
        ("Plans\u{2028}Bcc: everyone@acme.example", "<m1@acme.example>", "subject"),
        ("Plans\u{0}", "<m1@acme.example>", "subject"),
        ("Plans", "<m1@acme.example>\tx", "Message-ID"),
        ("Plans", "<m1@acme.example>\r\nBcc: x", "Message-ID"),
    ] {
        let outcome = wasm_pick(&thread_store(subject, message_id), &replying(1));
        assert_error(&outcome, ErrorKind::Store, &format!("whose {field}"));
    }
}

/// Which personas of the list ever take part in a pick, over many seeds.
fn who_takes_part(store: &TestStore, options: impl Fn(u64) -> PickOptions) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    for seed in 0..200 {
        let outcome = wasm_pick(store, &options(seed));
        assert_eq!(outcome, native_pick(store, &options(seed)), "seed {seed}");
        if let PickOutcome::Action { action } = outcome {
            seen.insert(action.sender.name.clone());
            seen.insert(action.recipient.name.clone());
        }
    }
    seen
}

#[test]
fn a_lone_surrogate_costs_its_own_entry_only() {
    let cut_mid_emoji = r#", {"name": "Cy \ud83d", "email": "cy@acme.example", "role": "Ops", "active_hours": "00:00-00:00"},
        {"name": "Di", "email": "di@acme.example", "role": "HR", "active_hours": "00:00-00:00", "mannerisms": ["brief \udc00"]}"#;
    let mut store = company(json!([]));
    store.add_topology("t1", pair_and(cut_mid_emoji), Some("en"));
    let names = who_takes_part(&store, seeded);
    // Cy's name is not Unicode text, so the entry is invalid (DECNET's
    // model refuses it); Di's mannerism is an unchecked list item, which
    // DECNET keeps, and so do we.
    assert_eq!(names, BTreeSet::from(["Ana".into(), "Bo".into(), "Di".into()]));
    let di = (0..200)
        .filter_map(|seed| wasm_pick(&store, &seeded(seed)).action().cloned())
        .flat_map(|a| [a.sender, a.recipient])
        .find(|p| p.name == "Di")
        .unwrap();
    assert_eq!(di.mannerisms, ["brief \u{fffd}"]);

    // The same through the global pool (a fleet decky).
    let mut fleet = TestStore { now: at(10, 0), ..Default::default() };
    fleet.deckies.push(decky("fleet-mx", &["pop3"], Some("fleet"), None));
    fleet.global_personas = pair_and(cut_mid_emoji);
    assert_eq!(who_takes_part(&fleet, seeded), names);
}

#[test]
fn information_separators_around_a_window_make_it_malformed_as_int_reads_them() {
    let mut store = company(json!([]));
    let odd = r#", {"name": "Odd", "email": "odd@acme.example", "role": "Ops", "active_hours": "\u001f08:00-09:00"}"#;
    store.add_topology("t1", pair_and(odd), Some("en"));
    // Malformed, so always active: at 10:30 too.
    assert!(who_takes_part(&store, seeded).contains("Odd"));
}

#[test]
fn windows_in_non_ascii_digits_are_windows() {
    for window in ["０８:００-０９:００", "٠٨:٠٠-٠٩:٠٠", r"\u300008:00-09:00\u00a0"] {
        let mut store = company(json!([]));
        let early = format!(
            r#", {{"name": "Early", "email": "early@acme.example", "role": "Ops", "active_hours": "{window}"}}"#
        );
        store.add_topology("t1", pair_and(&early), Some("en"));
        let at_time = |hour| move |seed| PickOptions { now: Some(at(hour, 30)), ..seeded(seed) };
        let at_ten = who_takes_part(&store, at_time(10));
        assert!(!at_ten.contains("Early"), "{window:?}: active at 10:30, outside its window");
        let at_eight = who_takes_part(&store, at_time(8));
        assert!(at_eight.contains("Early"), "{window:?}: inactive at 08:30, inside its window");
    }
}
