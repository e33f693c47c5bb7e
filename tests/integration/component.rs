//! SPEC §5 behaviours through the real component in wasmtime, served by the
//! host imports.

use crate::common::*;
use emailgen_host::{ErrorKind, PickOptions, PickOutcome};
use emailgen_picker::{Shortage, SkipReason, ThreadRow};
use serde_json::json;

fn shortage(source: &str, decky: &str, count: u32) -> Shortage {
    Shortage { source: source.into(), mail_decky_uuid: decky.into(), count }
}

#[test]
fn no_mail_decky() {
    let mut store = company(people(2));
    store.deckies = vec![decky("web1", &["http", "ssh", "IMAP"], Some("topology"), Some("t1"))];
    assert_eq!(skip(wasm_pick(&store, &seeded(1))), SkipReason::NoMailDecky);
}

#[test]
fn too_few_personas() {
    let store = company(json!([persona("Ana", "ana@acme.example"), {"name": "Broken", "email": "x"}]));
    assert_eq!(skip(wasm_pick(&store, &seeded(1))), SkipReason::TooFewPersonas(shortage("topology", "mx1", 1)));
}

#[test]
fn a_topology_without_a_row_has_no_personas() {
    let mut store = company(people(3));
    store.deckies[0].topology_id = Some("t-gone".into());
    let expected = SkipReason::TooFewPersonas(shortage("topology", "mx1", 0));
    assert_eq!(skip(wasm_pick(&store, &seeded(1))), expected);
}

#[test]
fn too_few_active() {
    let store = company(people(3));
    let night = PickOptions { now: Some(at(3, 0)), ..seeded(1) };
    assert_eq!(skip(wasm_pick(&store, &night)), SkipReason::TooFewActive(shortage("topology", "mx1", 0)));
}

#[test]
fn minute_precision_through_wasm() {
    let mut a = persona("Ana", "ana@acme.example");
    a["active_hours"] = json!("09:30-17:45");
    let mut b = persona("Bo", "bo@acme.example");
    b["active_hours"] = json!("22:30-06:15");
    let mut c = persona("Cy", "cy@acme.example");
    c["active_hours"] = json!("22:30-06:15");
    let store = company(json!([a, b, c]));
    let active_at = |h, m| match wasm_pick(&store, &PickOptions { now: Some(at(h, m)), ..seeded(1) }) {
        PickOutcome::Skip { reason: SkipReason::TooFewActive(s) } => s.count,
        PickOutcome::Action { .. } => 2,
        other => panic!("{}", other.to_json()),
    };
    assert_eq!(active_at(17, 44), 1);
    assert_eq!(active_at(22, 29), 0);
    assert_eq!(active_at(22, 30), 2);
    assert_eq!(active_at(6, 14), 2);
    assert_eq!(active_at(6, 15), 0);
}

#[test]
fn duplicate_emails_are_one_mailbox() {
    let store = company(json!([persona("Ana", "ana@acme.example"), persona("Bo", "ana@acme.example")]));
    for seed in 0..10 {
        assert!(matches!(skip(wasm_pick(&store, &seeded(seed))), SkipReason::TooFewActive(_)));
    }
    let store = company(json!([
        persona("Ana", "ana@acme.example"),
        persona("Bo", "ana@acme.example"),
        persona("Cy", "cy@acme.example")
    ]));
    for seed in 0..30 {
        let a = action(wasm_pick(&store, &seeded(seed)));
        assert_ne!(a.sender.email, a.recipient.email);
    }
}

#[test]
fn each_persona_source() {
    let global = json!([persona("Gil", "gil@pool.example"), persona("Hal", "hal@pool.example")]);
    for source in [Some("fleet"), Some("shard"), None, Some("weird")] {
        let mut store = company(people(2));
        store.deckies = vec![decky("host-a:mx", &["pop3"], source, Some("t1"))];
        store.global_personas = global.to_string();
        let a = action(wasm_pick(&store, &seeded(4)));
        let mut pair = [a.sender.email.clone(), a.recipient.email.clone()];
        pair.sort();
        assert_eq!(pair, ["gil@pool.example", "hal@pool.example"], "source {source:?}");
        assert_eq!(a.sender.language, "en");
    }
    let mut store = company(people(2));
    store.global_personas = global.to_string();
    let a = action(wasm_pick(&store, &seeded(4)));
    assert!(a.sender.email.ends_with("@acme.example"), "topology deckies use the topology");
}

#[test]
fn topology_and_global_pool_never_mix() {
    // One valid topology persona plus a full global pool: still too few.
    let mut store = company(json!([persona("Ana", "ana@acme.example")]));
    store.global_personas = people(5).to_string();
    assert_eq!(skip(wasm_pick(&store, &seeded(1))), SkipReason::TooFewPersonas(shortage("topology", "mx1", 1)));
    // A fleet decky with an empty pool does not borrow a topology's personas.
    let mut store = company(people(5));
    store.deckies = vec![decky("fleet-mx", &["imap"], Some("fleet"), Some("t1"))];
    let (mail, concrete) = shared(store);
    let outcome = default_policy().pick_fresh(mail, fixed_clock(at(10, 0)), &seeded(1));
    assert_eq!(skip(outcome), SkipReason::TooFewPersonas(shortage("fleet", "fleet-mx", 0)));
    let calls = concrete.lock().unwrap().calls.clone();
    assert!(!calls.contains(&"get-topology"), "{calls:?}");
    assert!(calls.contains(&"global-personas"), "{calls:?}");
}

/// A fresh instance asks for each fingerprint and then, its cache empty, for
/// the data itself: the host answers the second call with the rows it just
/// fingerprinted, so the store is queried once for each.
#[test]
fn a_cold_fetch_queries_the_store_once() {
    let (mail, concrete) = shared(company(people(3)));
    action(default_policy().pick_fresh(mail, fixed_clock(at(10, 0)), &seeded(1)));
    assert_calls(&concrete, &[("list-running-deckies", 1), ("get-topology", 1)]);

    let mut fleet = company(people(0));
    fleet.deckies = vec![decky("fleet-mx", &["imap"], Some("fleet"), None)];
    fleet.global_personas = people(3).to_string();
    let (mail, concrete) = shared(fleet);
    let mut instance = default_policy().instance(mail, fixed_clock(at(10, 0)));
    action(instance.pick(&seeded(1)));
    action(instance.pick(&seeded(2)));
    // One query per pick: the warm pick only fingerprints.
    assert_calls(&concrete, &[("global-personas", 2), ("list-running-deckies", 2)]);
}

/// A store that keeps revisions is not asked again for data whose revision
/// has not changed: the host fingerprints by revision and the instance keeps
/// what it was given. Data under a new revision is fetched and used.
#[test]
fn unchanged_revisions_spare_the_store() {
    let mut store = company(people(3));
    store.revision = Some(1);
    let (mail, concrete) = shared(store);
    let mut instance = default_policy().instance(mail, fixed_clock(at(10, 0)));
    for seed in 0..3 {
        action(instance.pick(&seeded(seed)));
    }
    assert_calls(&concrete, &[("list-running-deckies", 1), ("get-topology", 1)]);
    let newcomers = json!([persona("Zed", "zed@acme.example"), persona("Yan", "yan@acme.example")]);
    {
        let mut store = concrete.lock().unwrap();
        store.add_topology("t1", newcomers.to_string(), Some("en"));
        store.revision = Some(2);
    }
    let a = action(instance.pick(&seeded(3)));
    assert!(["zed@acme.example", "yan@acme.example"].contains(&a.sender.email.as_str()), "{}", a.sender.email);
    assert_calls(&concrete, &[("list-running-deckies", 2), ("get-topology", 2)]);
}

/// Fresh instances on one engine share the host's listing of the running
/// deckies while the store's revision stands, so a fresh instance per tick
/// does not make the store list its deckies every time. A new revision is
/// listed again; a store that keeps no revisions is listed for every pick.
#[test]
fn fresh_instances_share_the_listing_while_the_revision_stands() {
    let mut store = company(people(3));
    store.deckies.push(decky("mx2", &["pop3"], Some("topology"), Some("t1")));
    store.revision = Some(1);
    let (mail, concrete) = shared(store);
    let fresh = |seed| action(default_policy().pick_fresh(mail.clone(), fixed_clock(at(10, 0)), &seeded(seed)));
    let uuids: std::collections::BTreeSet<String> = (0..12).map(|seed| fresh(seed).mail_decky_uuid).collect();
    assert_eq!(uuids.len(), 2, "both mail deckies are chosen by position: {uuids:?}");
    assert_calls(&concrete, &[("list-running-deckies", 1)]);
    concrete.lock().unwrap().deckies.retain(|d| d.uuid == "mx2");
    concrete.lock().unwrap().revision = Some(2);
    assert_eq!(fresh(12).mail_decky_uuid, "mx2");
    assert_calls(&concrete, &[("list-running-deckies", 2)]);

    let (mail, concrete) = shared(company(people(3)));
    for seed in 0..3 {
        action(default_policy().pick_fresh(mail.clone(), fixed_clock(at(10, 0)), &seeded(seed)));
    }
    assert_calls(&concrete, &[("list-running-deckies", 3)]);
}

#[test]
fn each_topology_has_its_own_personas_and_language() {
    let mut store = company(people(2));
    store.deckies.push(decky("mx2", &["imap"], Some("topology"), Some("t2")));
    store.add_topology(
        "t2",
        json!([persona("Zed", "zed@other.example"), persona("Yan", "yan@other.example")]).to_string(),
        Some("de"),
    );
    for seed in 0..20 {
        let a = action(wasm_pick(&store, &seeded(seed)));
        let (domain, language) =
            if a.mail_decky_uuid == "mx2" { ("@other.example", "de") } else { ("@acme.example", "en") };
        assert!(a.sender.email.ends_with(domain) && a.recipient.email.ends_with(domain));
        assert_eq!(a.recipient.language, language);
    }
}

#[test]
fn reply_chains_references() {
    let mut store = company(people(2));
    store.threads = vec![
        ThreadRow {
            thread_id: "th-9".into(),
            message_id: "<m3@acme.example>".into(),
            subject: "RE: Re: Budget".into(),
            references: vec!["<m1@acme.example>".into(), "<m2@acme.example>".into()],
        },
        ThreadRow { thread_id: "th-1".into(), message_id: "<old@acme.example>".into(), ..Default::default() },
    ];
    let a = action(wasm_pick(&store, &PickOptions { reply_probability: Some(1.0), ..seeded(2) }));
    assert!(a.is_reply);
    assert_eq!(a.thread_id, "th-9");
    assert_eq!(a.parent_message_id.as_deref(), Some("<m3@acme.example>"));
    assert_eq!(a.references, "<m1@acme.example> <m2@acme.example> <m3@acme.example>");
    assert_eq!(a.subject_hint.as_deref(), Some("Re: Budget"));
    assert_eq!(a.context_hint, "Re: Budget");
}

#[test]
fn new_thread_fields() {
    let mut store = company(people(2));
    store.threads = vec![ThreadRow { thread_id: "th".into(), message_id: "<m@x.io>".into(), ..Default::default() }];
    let a = action(wasm_pick(&store, &PickOptions { reply_probability: Some(0.0), ..seeded(2) }));
    assert!(!a.is_reply);
    assert_eq!(a.references, "");
    assert_eq!(a.parent_message_id, None);
    assert_eq!(a.subject_hint, None);
    assert_eq!(a.thread_id.len(), 36);
    assert_eq!(&a.thread_id[14..15], "4", "UUID version 4");
    assert_eq!(a.mail_decky_services, ["imap", "smtp"]);
    assert_eq!(a.description, "email:send");
}

#[test]
fn store_failure_is_an_error_naming_the_import() {
    for import in ["list-running-deckies", "get-topology", "list-email-threads", "global-personas"] {
        let mut store = company(people(2));
        if import == "global-personas" {
            store.deckies[0].source = Some("fleet".into());
        }
        store.threads = vec![ThreadRow::default()];
        store.failing = Some(import);
        match wasm_pick(&store, &PickOptions { reply_probability: Some(1.0), ..seeded(1) }) {
            PickOutcome::Error { error } => {
                assert_eq!(error.kind, ErrorKind::Store, "{import}");
                assert!(
                    error.message.contains(import) && error.message.contains("connection refused"),
                    "{}",
                    error.message
                );
            }
            other => panic!("{import}: expected an error, got {}", other.to_json()),
        }
    }
}

#[test]
fn invalid_reply_probability_is_an_input_error() {
    let store = company(people(2));
    let outcome = wasm_pick(&store, &PickOptions { reply_probability: Some(1.5), ..seeded(1) });
    assert!(matches!(outcome, PickOutcome::Error { error } if error.kind == ErrorKind::InvalidInput));
}

#[test]
fn missing_now_asks_the_hosts_clock() {
    let store = company(people(2));
    let (mail, _) = shared(store);
    let policy = default_policy();
    let options = PickOptions { now: None, ..seeded(1) };
    assert!(policy.pick_fresh(mail.clone(), fixed_clock(at(11, 0)), &options).action().is_some());
    let outcome = policy.pick_fresh(mail, fixed_clock(at(23, 0)), &options);
    assert!(matches!(skip(outcome), SkipReason::TooFewActive(_)));
}

#[test]
fn seeded_picks_are_deterministic_and_match_the_native_build() {
    let mut store = company(people(6));
    store.deckies.push(decky("fleet-mx", &["imap"], Some("fleet"), None));
    store.global_personas = people(3).to_string();
    store.threads = vec![ThreadRow {
        thread_id: "th".into(),
        message_id: "<m@acme.example>".into(),
        subject: "Hello".into(),
        references: vec![],
    }];
    for seed in 0..40 {
        let options = seeded(seed);
        let wasm = wasm_pick(&store, &options);
        assert_eq!(wasm, wasm_pick(&store, &options), "seed {seed} is not deterministic");
        assert_eq!(wasm, native_pick(&store, &options), "seed {seed}: Wasm and native differ");
    }
}

#[test]
fn a_warm_instance_gives_the_same_answers_as_fresh_ones() {
    let store = company(people(4));
    let (mail, _) = shared(store.clone());
    let mut warm = default_policy().instance(mail, fixed_clock(at(10, 0)));
    for seed in 0..20 {
        assert_eq!(warm.pick(&seeded(seed)), wasm_pick(&store, &seeded(seed)));
    }
}

#[test]
fn the_thread_lookup_runs_only_on_a_reply_coin_and_uses_the_newest_row() {
    let mut store = company(people(2));
    store.threads = (0..30).map(|i| ThreadRow { thread_id: format!("t{i}"), ..Default::default() }).collect();
    let (mail, concrete) = shared(store);
    let policy = default_policy();
    let never = PickOptions { reply_probability: Some(0.0), ..seeded(1) };
    policy.pick_fresh(mail.clone(), fixed_clock(at(10, 0)), &never);
    assert!(concrete.lock().unwrap().count("list-email-threads") == 0);
    let always = PickOptions { reply_probability: Some(1.0), ..seeded(1) };
    let a = action(policy.pick_fresh(mail, fixed_clock(at(10, 0)), &always));
    assert_eq!(a.thread_id, "t0");
}

#[test]
fn a_component_that_is_not_one_is_refused() {
    let err = emailgen_host::Policy::from_bytes(&engine(), "junk", b"not wasm at all").err().unwrap();
    assert!(err.to_string().contains("not a valid WebAssembly component"), "{err}");
}

/// The build script drops custom sections (debug names, toolchain record)
/// from the components it embeds: they cost bytes and nothing runs them.
#[test]
fn embedded_components_carry_no_custom_sections() {
    for (name, bytes) in emailgen_host::policy::BUILTIN_POLICIES {
        for section in [&b"component-name"[..], b"producers"] {
            let found = bytes.windows(section.len()).any(|window| window == section);
            assert!(!found, "{name} still carries a {} section", String::from_utf8_lossy(section));
        }
    }
}
