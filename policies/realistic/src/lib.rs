//! The "realistic" picker policy: the default policy's steps, rearranged to
//! make traffic more lifelike.
//!
//! - **Resilient decky choice**: the mail deckies are considered in random
//!   order and the first one that can produce an action is used, so one
//!   topology with broken personas does not skip the tick. When none can,
//!   the skip of the first decky considered is returned.
//! - **No weekend mail**: on Saturdays and Sundays (of the tick's "now") the
//!   office is closed: the tick skips with `too_few_active` (count 0) for a
//!   random mail decky, without reading any personas.
//! - **Latency-aware replies**: the chance that the sender replies on an
//!   existing thread follows their `reply_latency`: fast 0.8, normal 0.6,
//!   slow 0.35. A caller's reply probability override still wins.
//!
//! Everything else (persona sources, validation, active hours, pair choice,
//! thread chaining, topic hints) is the policy kit's (`emailgen-policy`).

use chrono::{Datelike, Weekday};
use emailgen_policy::draw::shuffle;
use emailgen_policy::{
    Instance, LogLevel, Outcome, Persona, PersonaView, PickError, PickerHost, Policy, ReplyLatency, Shortage,
    SkipReason, Tick,
};

/// Reply probability by the sender's `reply_latency`.
pub fn reply_probability(sender: &impl PersonaView) -> f64 {
    match sender.reply_latency() {
        ReplyLatency::Fast => 0.8,
        ReplyLatency::Normal => 0.6,
        ReplyLatency::Slow => 0.35,
    }
}

/// Whether mail flows on this day.
pub fn is_workday(day: Weekday) -> bool {
    !matches!(day, Weekday::Sat | Weekday::Sun)
}

/// The realistic policy (it keeps nothing of its own between picks).
#[derive(Debug, Default)]
pub struct RealisticPolicy;

/// The realistic policy's instance, for native use; `P` is the persona type
/// of its host's picks (see `PickerHost::Persona`).
pub type Realistic<P = Persona> = Instance<RealisticPolicy, P>;

impl Policy for RealisticPolicy {
    fn pick<H: PickerHost>(&mut self, tick: &mut Tick<'_, H>) -> Result<Outcome<H::Persona>, PickError> {
        let deckies = tick.mail_deckies()?;
        if deckies.is_empty() {
            return Ok(Outcome::Skip { reason: SkipReason::NoMailDecky });
        }
        if !is_workday(tick.now.weekday()) {
            let decky = &deckies[tick.choose_index(deckies.len())];
            tick.log(LogLevel::Debug, &format!("emailgen pick: {} is a day off", tick.now.weekday()));
            let shortage = Shortage { source: decky.source_label(), mail_decky_uuid: decky.uuid.clone(), count: 0 };
            return Ok(Outcome::Skip { reason: SkipReason::TooFewActive(shortage) });
        }
        // Shuffle positions, not the deckies: the list is shared with the
        // cache and copying it would cost every pick.
        let mut order: Vec<usize> = (0..deckies.len()).collect();
        shuffle(&mut tick.rng, &mut order);
        let override_p = tick.reply_override;
        let chance = move |sender: &H::Persona| override_p.unwrap_or_else(|| reply_probability(sender));
        let mut first_skip = None;
        for decky in order.iter().map(|&i| &deckies[i]) {
            match tick.pick_on(decky, &chance)? {
                Outcome::Skip { reason } => {
                    first_skip.get_or_insert(reason);
                }
                decided => return Ok(decided),
            }
        }
        Ok(Outcome::Skip { reason: first_skip.expect("at least one mail decky was tried") })
    }
}

#[cfg(target_arch = "wasm32")]
emailgen_policy::export_policy!(RealisticPolicy);

#[cfg(test)]
mod tests;
