//! Load: several threads picking at once on one engine and one policy.

use std::thread;

use crate::common::*;
use emailgen_picker::ThreadRow;

const THREADS: usize = 4;
const PICKS: u64 = 2500;

fn busy_office() -> TestStore {
    let mut store = company(people(12));
    store.deckies.push(decky("fleet-mx", &["imap"], Some("fleet"), None));
    store.deckies.push(decky("night-mx", &["pop3"], Some("topology"), Some("t1")));
    store.global_personas = people(4).to_string();
    store.threads = vec![ThreadRow {
        thread_id: "th".into(),
        message_id: "<m@acme.example>".into(),
        subject: "Status".into(),
        references: vec!["<root@acme.example>".into()],
    }];
    store
}

/// Runs `work(worker, policy, mail)` on THREADS threads sharing one policy
/// and one store; returns what each returned.
fn on_threads<T: Send + 'static>(
    work: impl Fn(u64, emailgen_host::Policy, emailgen_host::SharedMailStore) -> T + Send + Sync + Copy + 'static,
) -> Vec<T> {
    let policy = default_policy().clone();
    let (mail, _) = shared(busy_office());
    let workers: Vec<_> = (0..THREADS as u64)
        .map(|worker| {
            let (policy, mail) = (policy.clone(), mail.clone());
            thread::spawn(move || work(worker, policy, mail))
        })
        .collect();
    workers.into_iter().map(|w| w.join().expect("no worker panics")).collect()
}

#[test]
fn four_threads_share_one_engine_and_policy() {
    let results = on_threads(|worker, policy, mail| {
        let mut instance = policy.instance(mail, fixed_clock(at(10, 0)));
        let mut memory_after_warmup = 0;
        let mut actions = 0;
        for i in 0..PICKS {
            // Half the picks at night so skips are exercised too.
            let hour = if i % 2 == 0 { 10 } else { 3 };
            let options = emailgen_picker::PickOptions { now: Some(at(hour, 0)), ..seeded(worker * PICKS + i) };
            let outcome = instance.pick(&options);
            assert!(!outcome.is_error(), "worker {worker} pick {i}: {}", outcome.to_json());
            actions += u64::from(outcome.action().is_some());
            if i == 200 {
                memory_after_warmup = instance.guest_memory_bytes();
            }
        }
        (actions, memory_after_warmup, instance.guest_memory_bytes())
    });
    for (actions, warm, end) in results {
        assert_eq!(actions, PICKS / 2, "every day-time pick is an action");
        assert!(warm > 0);
        assert_eq!(end, warm, "guest memory must not keep growing across picks");
    }
}

#[test]
fn fresh_instances_under_load() {
    on_threads(|worker, policy, mail| {
        for i in 0..200 {
            let outcome = policy.pick_fresh(mail.clone(), fixed_clock(at(10, 0)), &seeded(worker * 1000 + i));
            assert!(outcome.action().is_some(), "{}", outcome.to_json());
        }
    });
}
