//! Simulated time against a real database: the orchestrator's emailgen
//! worker, tick by tick, so a policy's effect on a fake company's mailboxes
//! can be seen before it is deployed.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use chrono::{Datelike, Duration, NaiveDateTime, Timelike};
use emailgen_domain::{EmailAction, PickOptions};
use rand::{rngs::StdRng, Rng, SeedableRng};
use serde::Serialize;

use crate::sqlite_store::{SentEmail, SqliteStore};
use emailgen_host::{PickOutcome, Policy, PolicyId, Recorder};

/// The bundled example company (`examples/acme.json`).
pub const EXAMPLE_COMPANY: &str = include_str!("../../examples/acme.json");

/// When and how often to tick.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub from: NaiveDateTime,
    pub to: NaiveDateTime,
    pub tick: Duration,
    /// Pick i uses seed + i; the host's ids are drawn from the seed too, so
    /// a seeded run is reproducible.
    pub seed: Option<u64>,
}

impl SimConfig {
    pub fn ticks(&self) -> u64 {
        if self.to <= self.from {
            return 0;
        }
        ((self.to - self.from).num_seconds() / self.tick.num_seconds().max(1)) as u64
    }
}

/// What a run did.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    pub policy: PolicyId,
    pub from: NaiveDateTime,
    pub to: NaiveDateTime,
    pub tick_seconds: i64,
    pub picks: u64,
    pub actions: u64,
    pub replies: u64,
    pub new_threads: u64,
    pub reply_ratio: f64,
    pub skips: BTreeMap<String, u64>,
    pub errors: BTreeMap<String, u64>,
    /// Threads that received mail during the run.
    pub threads: u64,
    /// Messages per thread (over those threads, counting earlier messages
    /// too) → how many threads are that deep.
    pub thread_depths: BTreeMap<u64, u64>,
    /// Mail sent per sender address.
    pub mail_per_persona: BTreeMap<String, u64>,
    /// Mail sent per hour of day, 0–23.
    pub mail_per_hour: Vec<u64>,
    /// Mail sent per weekday, Monday first.
    pub mail_per_weekday: Vec<u64>,
    /// Mail per weekday (rows, Monday first) and hour (columns).
    pub heat_map: Vec<Vec<u64>>,
}

/// Runs `policy` over the configured span against `store`, writing the
/// email rows the orchestrator would write, each pick recorded into
/// `recorder` when given. `progress(done, total)` is called after each
/// tick.
pub fn run(
    policy: &Policy,
    store: SqliteStore,
    config: &SimConfig,
    recorder: Option<Recorder>,
    mut progress: impl FnMut(u64, u64),
) -> Result<(Summary, SqliteStore), String> {
    let store = Arc::new(Mutex::new(store));
    // Every pick is given its "now"; the clock import is never asked.
    let mut instance = policy.instance(store.clone(), emailgen_host::local_clock());
    instance.set_recorder(recorder);
    let mut ids = match config.seed {
        Some(seed) => StdRng::seed_from_u64(seed ^ 0x05ee_d1d5),
        None => StdRng::from_os_rng(),
    };
    let mut tally = Tally::default();
    let total = config.ticks();
    for i in 0..total {
        let now = config.from + config.tick * i as i32;
        let options =
            PickOptions { seed: config.seed.map(|s| s.wrapping_add(i)), now: Some(now), reply_probability: None };
        match instance.pick(&options).outcome {
            PickOutcome::Action { action } => {
                let email = email_for(&action, now, &mut ids);
                let mut db = store.lock().unwrap_or_else(|p| p.into_inner());
                db.record_email(&email).map_err(|e| format!("cannot record an email: {e}"))?;
                tally.sent(&action, now);
            }
            PickOutcome::Skip { reason } => *tally.skips.entry(reason.kind().into()).or_default() += 1,
            PickOutcome::Error { error } => {
                let kind = serde_json::to_value(error.kind).expect("kinds serialise");
                *tally.errors.entry(kind.as_str().unwrap_or("unknown").to_owned()).or_default() += 1;
            }
        }
        progress(i + 1, total);
    }
    drop(instance);
    let store = Arc::try_unwrap(store)
        .map_err(|_| "the store is still shared")?
        .into_inner()
        .unwrap_or_else(|p| p.into_inner());
    let summary = tally.finish(policy.id().clone(), config, total, &store)?;
    Ok((summary, store))
}

/// The row the orchestrator's worker writes for an action.
fn email_for(action: &EmailAction, now: NaiveDateTime, ids: &mut StdRng) -> SentEmail {
    let uuid = uuid::Builder::from_random_bytes(ids.random()).into_uuid().to_string();
    let domain = action.sender.email.rsplit_once('@').map_or("localhost", |(_, d)| d);
    SentEmail {
        message_id: format!("<{uuid}@{domain}>"),
        uuid,
        ts: now,
        mail_decky_uuid: action.mail_decky_uuid.clone(),
        thread_id: action.thread_id.clone(),
        in_reply_to: action.parent_message_id.clone(),
        sender_email: action.sender.email.clone(),
        recipient_email: action.recipient.email.clone(),
        subject: action.subject_hint.clone().unwrap_or_else(|| action.context_hint.clone()),
        success: true,
    }
}

#[derive(Default)]
struct Tally {
    actions: u64,
    replies: u64,
    skips: BTreeMap<String, u64>,
    errors: BTreeMap<String, u64>,
    threads: std::collections::BTreeSet<String>,
    per_persona: BTreeMap<String, u64>,
    heat: [[u64; 24]; 7],
}

impl Tally {
    fn sent(&mut self, action: &EmailAction, now: NaiveDateTime) {
        self.actions += 1;
        self.replies += u64::from(action.is_reply);
        self.threads.insert(action.thread_id.clone());
        *self.per_persona.entry(action.sender.email.clone()).or_default() += 1;
        self.heat[now.weekday().num_days_from_monday() as usize][now.hour() as usize] += 1;
    }

    fn finish(self, policy: PolicyId, config: &SimConfig, picks: u64, store: &SqliteStore) -> Result<Summary, String> {
        let mut per_thread: BTreeMap<String, u64> = BTreeMap::new();
        for email in store.sent_emails().map_err(|e| format!("cannot read the emails back: {e}"))? {
            if self.threads.contains(&email.thread_id) {
                *per_thread.entry(email.thread_id).or_default() += 1;
            }
        }
        let mut thread_depths = BTreeMap::new();
        for depth in per_thread.values() {
            *thread_depths.entry(*depth).or_default() += 1;
        }
        Ok(Summary {
            policy,
            from: config.from,
            to: config.to,
            tick_seconds: config.tick.num_seconds(),
            picks,
            actions: self.actions,
            replies: self.replies,
            new_threads: self.actions - self.replies,
            reply_ratio: if self.actions == 0 { 0.0 } else { self.replies as f64 / self.actions as f64 },
            skips: self.skips,
            errors: self.errors,
            threads: self.threads.len() as u64,
            thread_depths,
            mail_per_persona: self.per_persona,
            mail_per_hour: (0..24).map(|h| self.heat.iter().map(|day| day[h]).sum()).collect(),
            mail_per_weekday: self.heat.iter().map(|day| day.iter().sum()).collect(),
            heat_map: self.heat.iter().map(|day| day.to_vec()).collect(),
        })
    }
}

/// Parses a tick length: a number and a unit `s`, `m`, `h` or `d` (`5m`).
pub fn parse_tick(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().map_err(|_| format!("{text:?} is not a duration like 30s, 5m, 1h or 1d"))?;
    let duration = match unit {
        "s" => Duration::seconds(n),
        "m" | "" => Duration::minutes(n),
        "h" => Duration::hours(n),
        "d" => Duration::days(n),
        _ => return Err(format!("{text:?}: the unit must be s, m, h or d")),
    };
    if n <= 0 {
        return Err(format!("{text:?}: a tick must be longer than zero"));
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_lengths() {
        assert_eq!(parse_tick("5m").unwrap(), Duration::minutes(5));
        assert_eq!(parse_tick("30s").unwrap(), Duration::seconds(30));
        assert_eq!(parse_tick("2h").unwrap(), Duration::hours(2));
        assert_eq!(parse_tick("1d").unwrap(), Duration::days(1));
        assert_eq!(parse_tick("15").unwrap(), Duration::minutes(15));
        for bad in ["", "m", "0m", "5x", "-5m", "five"] {
            assert!(parse_tick(bad).is_err(), "{bad}");
        }
    }
}
