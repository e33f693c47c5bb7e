use chrono::NaiveDate;

use super::*;

fn t(minute: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 4, 27).unwrap().and_hms_opt(10, minute, 0).unwrap()
}

fn email(n: u32, from: &str, to: &str, parent: Option<u32>) -> SentEmail {
    SentEmail {
        uuid: format!("u{n}"),
        ts: t(n),
        mail_decky_uuid: "mx1".into(),
        thread_id: "th".into(),
        message_id: format!("<m{n}@x.io>"),
        in_reply_to: parent.map(|p| format!("<m{p}@x.io>")),
        sender_email: from.into(),
        recipient_email: to.into(),
        subject: format!("s{n}"),
        success: true,
    }
}

fn ids(rows: &[ThreadRow]) -> Vec<&str> {
    rows.iter().map(|r| r.message_id.as_str()).collect()
}

#[test]
fn lookup_is_both_directions_newest_first_successful_only() {
    let mut store = SqliteStore::in_memory().unwrap();
    store.record_email(&email(1, "a@x.io", "b@x.io", None)).unwrap();
    store.record_email(&email(2, "b@x.io", "a@x.io", Some(1))).unwrap();
    store.record_email(&SentEmail { success: false, ..email(3, "a@x.io", "b@x.io", Some(2)) }).unwrap();
    store.record_email(&email(4, "a@x.io", "c@x.io", None)).unwrap();
    store.record_email(&SentEmail { mail_decky_uuid: "mx2".into(), ..email(5, "a@x.io", "b@x.io", None) }).unwrap();
    let rows = store.list_email_threads("mx1", "a@x.io", "b@x.io", 20).unwrap();
    assert_eq!(ids(&rows), ["<m2@x.io>", "<m1@x.io>"]);
    assert_eq!(ids(&store.list_email_threads("mx1", "b@x.io", "a@x.io", 20).unwrap()), ["<m2@x.io>", "<m1@x.io>"]);
    assert_eq!(ids(&store.list_email_threads("mx1", "a@x.io", "b@x.io", 1).unwrap()), ["<m2@x.io>"]);
    assert!(store.list_email_threads("mx9", "a@x.io", "b@x.io", 20).unwrap().is_empty());
}

#[test]
fn references_are_the_rows_own_ancestry_oldest_first() {
    let mut store = SqliteStore::in_memory().unwrap();
    store.record_email(&email(1, "a@x.io", "b@x.io", None)).unwrap();
    store.record_email(&email(2, "b@x.io", "a@x.io", Some(1))).unwrap();
    store.record_email(&email(3, "a@x.io", "b@x.io", Some(2))).unwrap();
    let rows = store.list_email_threads("mx1", "a@x.io", "b@x.io", 20).unwrap();
    assert_eq!(rows[0].references, ["<m1@x.io>", "<m2@x.io>"]);
    assert_eq!(rows[1].references, ["<m1@x.io>"]);
    assert!(rows[2].references.is_empty());
    assert_eq!(rows[0].subject, "s3");
}

#[test]
fn a_reply_cycle_does_not_hang_the_lookup() {
    let mut store = SqliteStore::in_memory().unwrap();
    store.record_email(&email(1, "a@x.io", "b@x.io", Some(2))).unwrap();
    store.record_email(&email(2, "b@x.io", "a@x.io", Some(1))).unwrap();
    let rows = store.list_email_threads("mx1", "a@x.io", "b@x.io", 20).unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows[0].references.len() <= 2);
}

#[test]
fn deckies_topologies_and_pool_round_trip() {
    let scenario = crate::Scenario::parse(
        r#"{"deckies": [{"uuid": "d1", "name": "n", "services": ["imap"], "topology_id": "t1", "source": "topology"},
                        {"uuid": "d2"}],
            "topologies": {"t1": {"email_personas": "[]", "language_default": "de"}},
            "threads": [{"thread_id": "th", "message_id": "<m@x.io>", "subject": "Hi", "references": ["<r@x.io>"],
                         "mail_decky_uuid": "d1", "sender_email": "a@x.io", "recipient_email": "b@x.io"},
                        {"thread_id": "x", "message_id": "<n@x.io>", "subject": "no pair"}],
            "global_personas": [{"name": "G"}]}"#,
    )
    .unwrap();
    let mut store = SqliteStore::in_memory().unwrap();
    store.fill_from(&scenario.store, t(30)).unwrap();
    let deckies = store.list_running_deckies(&[]).unwrap();
    assert_eq!(store.list_running_deckies(&["imap", "pop3"]).unwrap().len(), 1);
    assert_eq!(deckies.len(), 2);
    assert_eq!(deckies[0].services, ["imap"]);
    assert!(deckies[1].services.is_empty());
    assert_eq!(deckies[1].source, None);
    let topology = store.get_topology("t1").unwrap().unwrap();
    assert_eq!(topology.language_default.as_deref(), Some("de"));
    assert_eq!(store.get_topology("nope").unwrap(), None);
    assert_eq!(store.global_personas().unwrap(), r#"[{"name":"G"}]"#);
    let rows = store.list_email_threads("d1", "b@x.io", "a@x.io", 20).unwrap();
    assert_eq!(ids(&rows), ["<m@x.io>"]);
    assert_eq!(store.sent_emails().unwrap().len(), 1);
}

#[test]
fn a_broken_database_is_a_store_error() {
    let mut store = SqliteStore::in_memory().unwrap();
    store.connection().execute_batch("DROP TABLE sent_emails").unwrap();
    let err = store.list_email_threads("mx1", "a@x.io", "b@x.io", 20).unwrap_err();
    assert!(err.0.contains("sqlite"), "{}", err.0);
}
