//! A picker policy that keeps conversations going: when the chosen pair
//! already has a thread, the sender replies on it four times in five;
//! otherwise a new thread starts.

use emailgen_policy::{Outcome, Pair, PickError, PickerHost, Policy, SkipReason, Tick};

/// The chance of replying when the pair has a thread (a caller's reply
/// probability, when it gives one, wins).
pub const REPLY_WHEN_THREADED: f64 = 0.8;

/// The policy's state: nothing of its own (the kit caches the host's data).
#[derive(Default)]
pub struct Conversational;

impl Policy for Conversational {
    fn pick<H: PickerHost>(&mut self, tick: &mut Tick<'_, H>) -> Result<Outcome<H::Persona>, PickError> {
        // A mail decky, uniformly among those running imap or pop3.
        let Some(decky) = tick.choose_mail_decky()? else {
            return Ok(Outcome::Skip { reason: SkipReason::NoMailDecky });
        };
        // Its persona source: its topology's list, or the global pool.
        let (personas, source) = tick.personas(&decky)?;
        if personas.len() < 2 {
            return Ok(tick.too_few_personas(&source, &decky, personas.len()));
        }
        // A sender and a recipient among those in their active hours.
        let (sender, recipient) = match tick.choose_pair(&personas) {
            Pair::Chosen(sender, recipient) => (sender, recipient),
            Pair::TooFewActive(count) => return Ok(tick.too_few_active(&source, &decky, count)),
        };
        // Look the thread up first, then decide: the store is asked on
        // every pick, which is what makes this policy favour replies.
        let thread = tick.newest_thread(&decky, sender, recipient)?;
        let p = tick.reply_probability(REPLY_WHEN_THREADED);
        let action = match thread {
            Some(parent) if tick.coin(p) => tick.reply_to(&decky, sender, recipient, parent),
            _ => tick.new_thread(&decky, sender, recipient),
        };
        Ok(Outcome::Action { action })
    }
}

#[cfg(target_arch = "wasm32")]
emailgen_policy::export_policy!(Conversational);

#[cfg(test)]
mod tests {
    use emailgen_policy::testing::ScenarioRun;
    use emailgen_policy::Outcome;

    use super::Conversational;

    const OFFICE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/office.json");

    #[test]
    fn every_pick_in_the_office_is_an_action() {
        let mut run = ScenarioRun::<Conversational>::load(OFFICE).unwrap();
        for seed in 0..50 {
            assert!(matches!(run.pick_seeded(seed), Outcome::Action { .. }), "seed {seed}");
        }
    }

    #[test]
    fn a_pair_with_a_thread_mostly_replies() {
        let mut run = ScenarioRun::<Conversational>::load(OFFICE).unwrap();
        let replies = (0..200).filter(|&seed| run.pick_seeded(seed).action().is_some_and(|a| a.is_reply)).count();
        // Both people of the office share one thread: about 160 of 200.
        assert!((130..=190).contains(&replies), "{replies} replies of 200");
    }

    #[test]
    fn the_same_seed_decides_the_same() {
        let mut run = ScenarioRun::<Conversational>::load(OFFICE).unwrap();
        assert_eq!(run.pick_fresh(7), run.pick_fresh(7));
    }
}
