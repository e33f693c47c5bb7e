//! Statistical behaviour through the real component, with fixed seeds and
//! tolerances: the reply ratio and uniform choices.

use std::collections::HashMap;

use crate::common::*;
use emailgen_picker::ThreadRow;

const PICKS: u64 = 3000;

fn assert_uniform(what: &str, counts: &HashMap<String, u64>, buckets: usize) {
    assert_eq!(counts.len(), buckets, "{what}: {counts:?}");
    let total: u64 = counts.values().sum();
    let expected = total as f64 / buckets as f64;
    for (key, count) in counts {
        let deviation = (*count as f64 - expected).abs() / expected;
        // 3000 picks over at most 16 buckets: a fair choice stays well
        // inside 25% of the mean for these seeds.
        assert!(deviation < 0.25, "{what} {key}: {count} picks, expected about {expected}");
    }
}

#[test]
fn reply_ratio_is_about_sixty_percent_when_threads_exist() {
    let mut store = company(people(2));
    store.threads = vec![ThreadRow { thread_id: "t".into(), message_id: "<m@x.io>".into(), ..Default::default() }];
    let (mail, _) = shared(store);
    let mut instance = default_policy().instance(mail, fixed_clock(at(10, 0)));
    let replies = (0..PICKS).filter(|seed| action(instance.pick(&seeded(*seed))).is_reply).count();
    let ratio = replies as f64 / PICKS as f64;
    assert!((ratio - 0.6).abs() < 0.03, "reply ratio {ratio}");
}

#[test]
fn sender_recipient_decky_and_topic_choices_are_uniform() {
    let mut store = company(people(5));
    store.deckies = (0..4).map(|i| decky(&format!("mx{i}"), &["imap"], Some("topology"), Some("t1"))).collect();
    let (mail, _) = shared(store);
    let mut instance = default_policy().instance(mail, fixed_clock(at(10, 0)));
    let mut counts: [HashMap<String, u64>; 4] = Default::default();
    for seed in 0..PICKS {
        let a = action(instance.pick(&seeded(seed)));
        for (i, key) in [a.sender.email.clone(), a.recipient.email.clone(), a.mail_decky_uuid, a.context_hint]
            .into_iter()
            .enumerate()
        {
            *counts[i].entry(key).or_default() += 1;
        }
    }
    assert_uniform("sender", &counts[0], 5);
    assert_uniform("recipient", &counts[1], 5);
    assert_uniform("mail decky", &counts[2], 4);
    assert_uniform("topic", &counts[3], 16);
}
