//! The orchestrator's store in SQLite: running deckies, topologies and sent
//! emails, served through [`MailStore`] exactly as the scenario store is.
//!
//! The thread lookup follows SPEC §2: rows sent between the pair in either
//! direction on the mail decky, successful sends only, newest first; each
//! row's `references` (its own ancestry, oldest first) is derived by walking
//! `in_reply_to`.

use std::path::Path;

use chrono::NaiveDateTime;
use emailgen_domain::{Decky, MailStore, StoreError, Subject, ThreadRow, Topology};
use rusqlite::{params, Connection, OptionalExtension};

use crate::scenario::{GlobalPersonas, ScenarioStore};
use emailgen_host::PersonaPoolFile;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS running_deckies (
    uuid        TEXT PRIMARY KEY,
    name        TEXT NOT NULL DEFAULT '',
    services    TEXT NOT NULL DEFAULT '[]',  -- JSON list of strings
    topology_id TEXT,
    source      TEXT
);
CREATE TABLE IF NOT EXISTS topologies (
    id               TEXT PRIMARY KEY,
    email_personas   TEXT NOT NULL DEFAULT '',  -- JSON list of persona objects
    language_default TEXT
);
CREATE TABLE IF NOT EXISTS global_personas (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    email_personas TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sent_emails (
    uuid            TEXT PRIMARY KEY,
    ts              TEXT NOT NULL,  -- ISO 8601 local time, sorts as text
    mail_decky_uuid TEXT NOT NULL,
    thread_id       TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    in_reply_to     TEXT,
    sender_email    TEXT NOT NULL,
    recipient_email TEXT NOT NULL,
    subject         TEXT NOT NULL,
    success         INTEGER NOT NULL DEFAULT 1
);
-- The thread lookup: one mail decky, one pair (either way), newest first.
CREATE INDEX IF NOT EXISTS sent_emails_pair
    ON sent_emails (mail_decky_uuid, sender_email, recipient_email, ts);
CREATE INDEX IF NOT EXISTS sent_emails_message_id ON sent_emails (message_id);
-- Revisions (`MailStore::revision`): a counter per subject, bumped by the
-- triggers below on every change, whichever connection or process makes it.
-- Counters start at a random point, so a replaced database does not repeat
-- a revision a running host has seen. Sent emails have none: the thread
-- lookup is asked every pick anyway.
CREATE TABLE IF NOT EXISTS revisions (
    subject  TEXT PRIMARY KEY,
    revision INTEGER NOT NULL
);
INSERT OR IGNORE INTO revisions (subject, revision) VALUES
    ('running_deckies', random() & 0x3fffffffffffffff),
    ('topologies', random() & 0x3fffffffffffffff),
    ('global_personas', random() & 0x3fffffffffffffff);
";

/// The tables whose changes bump a revision, each its own subject.
const REVISED_TABLES: [&str; 3] = ["running_deckies", "topologies", "global_personas"];

/// The triggers that bump `table`'s revision on every insert, update and
/// delete.
fn revision_triggers(table: &str) -> String {
    ["insert", "update", "delete"]
        .iter()
        .map(|event| {
            format!(
                "CREATE TRIGGER IF NOT EXISTS {table}_revision_{event} AFTER {event} ON {table} BEGIN \
                 UPDATE revisions SET revision = revision + 1 WHERE subject = '{table}'; END;"
            )
        })
        .collect()
}

/// The longest ancestry walked for one row (a guard against reply cycles).
const MAX_ANCESTRY: usize = 500;

/// One email as the orchestrator's worker records it.
#[derive(Debug, Clone, PartialEq)]
pub struct SentEmail {
    pub uuid: String,
    pub ts: NaiveDateTime,
    pub mail_decky_uuid: String,
    pub thread_id: String,
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub sender_email: String,
    pub recipient_email: String,
    pub subject: String,
    pub success: bool,
}

pub struct SqliteStore {
    conn: Connection,
    /// Used when the database holds no global pool.
    pool_file: PersonaPoolFile,
}

fn store_error(err: rusqlite::Error) -> StoreError {
    StoreError(format!("sqlite: {err}"))
}

impl SqliteStore {
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
        SqliteStore::with(Connection::open(path)?)
    }

    pub fn in_memory() -> rusqlite::Result<Self> {
        SqliteStore::with(Connection::open_in_memory()?)
    }

    fn with(conn: Connection) -> rusqlite::Result<Self> {
        conn.execute_batch(SCHEMA)?;
        for table in REVISED_TABLES {
            conn.execute_batch(&revision_triggers(table))?;
        }
        Ok(SqliteStore { conn, pool_file: PersonaPoolFile::from_environment() })
    }

    /// The revision of `table`'s data.
    fn revision_of(&self, table: &str) -> rusqlite::Result<u64> {
        let mut stmt = self.conn.prepare_cached("SELECT revision FROM revisions WHERE subject = ?1")?;
        stmt.query_row(params![table], |r| r.get::<_, i64>(0)).map(|n| n as u64)
    }

    /// An in-memory copy of this database (the start state of a run).
    pub fn copy_in_memory(&self) -> rusqlite::Result<Self> {
        let mut copy = Connection::open_in_memory()?;
        rusqlite::backup::Backup::new(&self.conn, &mut copy)?.run_to_completion(
            256,
            std::time::Duration::ZERO,
            None,
        )?;
        // The copy will change apart from the original: its own revisions.
        copy.execute_batch("UPDATE revisions SET revision = random() & 0x3fffffffffffffff")?;
        SqliteStore::with(copy)
    }

    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Fills the tables from a scenario's data. Scenario threads become sent
    /// emails one minute apart before `start` (newest first, as given).
    pub fn fill_from(&mut self, scenario: &ScenarioStore, start: NaiveDateTime) -> rusqlite::Result<()> {
        let tx = self.conn.transaction()?;
        for d in scenario.deckies() {
            let services = serde_json::to_string(&d.services).expect("strings serialise");
            tx.execute(
                "INSERT OR REPLACE INTO running_deckies (uuid, name, services, topology_id, source) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![d.uuid, d.name, services, d.topology_id, d.source],
            )?;
        }
        for t in scenario.topologies().values() {
            tx.execute(
                "INSERT OR REPLACE INTO topologies (id, email_personas, language_default) VALUES (?1, ?2, ?3)",
                params![t.id, t.email_personas, t.language_default],
            )?;
        }
        if let GlobalPersonas::Given(text) = scenario.pool() {
            tx.execute("INSERT OR REPLACE INTO global_personas (id, email_personas) VALUES (1, ?1)", params![text])?;
        }
        for (i, t) in scenario.threads().iter().enumerate() {
            let (Some(decky), Some(sender), Some(recipient)) =
                (&t.mail_decky_uuid, &t.sender_email, &t.recipient_email)
            else {
                continue; // A row that names no pair answers no SQL lookup.
            };
            let ts = start - chrono::Duration::minutes(i as i64 + 1);
            let email = SentEmail {
                uuid: format!("seed-{i}"),
                ts,
                mail_decky_uuid: decky.clone(),
                thread_id: t.row.thread_id.clone(),
                message_id: t.row.message_id.clone(),
                in_reply_to: t.row.references.last().cloned(),
                sender_email: sender.clone(),
                recipient_email: recipient.clone(),
                subject: t.row.subject.clone(),
                success: true,
            };
            insert_email(&tx, &email)?;
        }
        tx.commit()
    }

    pub fn record_email(&mut self, email: &SentEmail) -> rusqlite::Result<()> {
        insert_email(&self.conn, email)
    }

    /// Every sent email, oldest first.
    pub fn sent_emails(&self) -> rusqlite::Result<Vec<SentEmail>> {
        let mut stmt = self.conn.prepare(
            "SELECT uuid, ts, mail_decky_uuid, thread_id, message_id, in_reply_to, sender_email, recipient_email,
                    subject, success FROM sent_emails ORDER BY ts, rowid",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SentEmail {
                uuid: r.get(0)?,
                ts: r.get(1)?,
                mail_decky_uuid: r.get(2)?,
                thread_id: r.get(3)?,
                message_id: r.get(4)?,
                in_reply_to: r.get(5)?,
                sender_email: r.get(6)?,
                recipient_email: r.get(7)?,
                subject: r.get(8)?,
                success: r.get(9)?,
            })
        })?;
        rows.collect()
    }

    /// The ancestry of a message whose parent is `in_reply_to`, oldest first.
    fn ancestry(&self, mut in_reply_to: Option<String>) -> rusqlite::Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT in_reply_to FROM sent_emails WHERE message_id = ?1 LIMIT 1")?;
        let mut chain = Vec::new();
        while let Some(parent) = in_reply_to.take() {
            if chain.len() >= MAX_ANCESTRY || chain.contains(&parent) {
                break;
            }
            in_reply_to = stmt.query_row(params![parent], |r| r.get::<_, Option<String>>(0)).optional()?.flatten();
            chain.push(parent);
        }
        chain.reverse();
        Ok(chain)
    }
}

fn insert_email(conn: &Connection, e: &SentEmail) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO sent_emails (uuid, ts, mail_decky_uuid, thread_id, message_id, in_reply_to, sender_email,
                                  recipient_email, subject, success)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            e.uuid,
            e.ts,
            e.mail_decky_uuid,
            e.thread_id,
            e.message_id,
            e.in_reply_to,
            e.sender_email,
            e.recipient_email,
            e.subject,
            e.success
        ],
    )?;
    Ok(())
}

impl MailStore for SqliteStore {
    fn list_running_deckies(&mut self, services: &[&str]) -> Result<Vec<Decky>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT uuid, name, services, topology_id, source FROM running_deckies ORDER BY rowid")
            .map_err(store_error)?;
        let rows = stmt
            .query_map([], |r| {
                let services: String = r.get(2)?;
                Ok(Decky {
                    uuid: r.get(0)?,
                    name: r.get(1)?,
                    // Anything but a JSON list of strings offers nothing.
                    services: serde_json::from_str(&services).unwrap_or_default(),
                    topology_id: r.get(3)?,
                    source: r.get(4)?,
                })
            })
            .map_err(store_error)?;
        let deckies: Vec<Decky> = rows.collect::<Result<_, _>>().map_err(store_error)?;
        Ok(deckies.into_iter().filter(|d| d.offers_any(services)).collect())
    }

    fn get_topology(&mut self, id: &str) -> Result<Option<Topology>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, email_personas, language_default FROM topologies WHERE id = ?1")
            .map_err(store_error)?;
        stmt.query_row(params![id], |r| {
            Ok(Topology { id: r.get(0)?, email_personas: r.get(1)?, language_default: r.get(2)? })
        })
        .optional()
        .map_err(store_error)
    }

    fn list_email_threads(
        &mut self,
        mail_decky_uuid: &str,
        sender_email: &str,
        recipient_email: &str,
        limit: u32,
    ) -> Result<Vec<ThreadRow>, StoreError> {
        let found: Vec<(String, String, String, Option<String>)> = {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT thread_id, message_id, subject, in_reply_to FROM sent_emails
                     WHERE mail_decky_uuid = ?1 AND success = 1
                       AND ((sender_email = ?2 AND recipient_email = ?3) OR (sender_email = ?3 AND recipient_email = ?2))
                     ORDER BY ts DESC, rowid DESC LIMIT ?4",
                )
                .map_err(store_error)?;
            let rows = stmt
                .query_map(params![mail_decky_uuid, sender_email, recipient_email, limit], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .map_err(store_error)?;
            rows.collect::<Result<_, _>>().map_err(store_error)?
        };
        found
            .into_iter()
            .map(|(thread_id, message_id, subject, in_reply_to)| {
                let references = self.ancestry(in_reply_to).map_err(store_error)?;
                Ok(ThreadRow { thread_id, message_id, subject, references })
            })
            .collect()
    }

    fn global_personas(&mut self) -> Result<String, StoreError> {
        let stored: Option<String> = self
            .conn
            .query_row("SELECT email_personas FROM global_personas WHERE id = 1", [], |r| r.get(0))
            .optional()
            .map_err(store_error)?;
        Ok(stored.unwrap_or_else(|| self.pool_file.text()))
    }

    /// From the `revisions` table; none for the global pool while the
    /// database holds none (the pool file can change under the store), and
    /// none when the database cannot say (the host then hashes).
    fn revision(&mut self, subject: Subject<'_>) -> Option<u64> {
        let table = match subject {
            Subject::RunningDeckies => "running_deckies",
            Subject::Topology(_) => "topologies",
            Subject::GlobalPersonas => {
                let stored = self.conn.query_row("SELECT 1 FROM global_personas WHERE id = 1", [], |_| Ok(()));
                stored.optional().ok()??;
                "global_personas"
            }
        };
        self.revision_of(table).ok()
    }
}

#[cfg(test)]
mod tests;
