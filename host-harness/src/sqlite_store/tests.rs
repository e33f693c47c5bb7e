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
    assert_eq!(store.global_personas().unwrap(), r#"[{"name": "G"}]"#);
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

fn revisions(store: &mut SqliteStore) -> [Option<u64>; 3] {
    [Subject::RunningDeckies, Subject::Topology("t1"), Subject::GlobalPersonas].map(|s| store.revision(s))
}

#[test]
fn a_change_to_a_table_changes_its_revision_only() {
    let mut store = SqliteStore::in_memory().unwrap();
    let [deckies, topologies, pool] = revisions(&mut store);
    assert!(deckies.is_some() && topologies.is_some());
    assert_eq!(pool, None, "no pool in the database: the pool file can change under the store");
    let conn = store.connection();
    conn.execute("INSERT INTO running_deckies (uuid, services) VALUES ('mx1', '[\"imap\"]')", []).unwrap();
    let after_insert = revisions(&mut store);
    assert_ne!(after_insert[0], deckies);
    assert_eq!(after_insert[1], topologies);
    store.connection().execute("UPDATE running_deckies SET name = 'mail'", []).unwrap();
    assert_ne!(revisions(&mut store)[0], after_insert[0]);
    let before_delete = revisions(&mut store);
    store.connection().execute("DELETE FROM running_deckies", []).unwrap();
    assert_ne!(revisions(&mut store)[0], before_delete[0]);

    store.connection().execute("INSERT INTO topologies (id, email_personas) VALUES ('t1', '[]')", []).unwrap();
    assert_ne!(revisions(&mut store)[1], topologies);
    store.connection().execute("INSERT INTO global_personas (id, email_personas) VALUES (1, '[]')", []).unwrap();
    let pool = revisions(&mut store)[2];
    assert!(pool.is_some());
    store.connection().execute("UPDATE global_personas SET email_personas = '[{}]'", []).unwrap();
    assert_ne!(revisions(&mut store)[2], pool);
}

#[test]
fn sending_mail_changes_no_revision() {
    let mut store = SqliteStore::in_memory().unwrap();
    let before = revisions(&mut store);
    store.record_email(&email(1, "a@x.io", "b@x.io", None)).unwrap();
    assert_eq!(revisions(&mut store), before);
}

#[test]
fn another_connections_writes_change_the_revision() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orchestrator.db");
    let mut store = SqliteStore::open(&path).unwrap();
    let before = revisions(&mut store)[0];
    let other = Connection::open(&path).unwrap();
    other.execute("INSERT INTO running_deckies (uuid) VALUES ('mx9')", []).unwrap();
    assert_ne!(revisions(&mut store)[0], before);
}

#[test]
fn databases_and_their_copies_do_not_share_revisions() {
    let mut first = SqliteStore::in_memory().unwrap();
    let mut second = SqliteStore::in_memory().unwrap();
    let mut copy = first.copy_in_memory().unwrap();
    let revision = first.revision(Subject::RunningDeckies);
    assert_ne!(second.revision(Subject::RunningDeckies), revision);
    assert_ne!(copy.revision(Subject::RunningDeckies), revision);
}
