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
//! thread chaining, topic hints) is the default policy's, reused from
//! `emailgen_picker::pick`.

use chrono::{Datelike, Weekday};
use emailgen_picker::draw::{choose_index, shuffle};
use emailgen_picker::host_cache::HostCache;
use emailgen_picker::persona::PersonaView;
use emailgen_picker::pick::Tick;
use emailgen_picker::{
    LogLevel, Outcome, Persona, PickError, PickOptions, PickerHost, ReplyLatency, Shortage, SkipReason,
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

/// The realistic policy's state; `P` is the persona type of its host's
/// picks (see `PickerHost::Persona`).
pub struct Realistic<P = Persona> {
    cache: HostCache<P>,
}

impl<P> Default for Realistic<P> {
    fn default() -> Self {
        Realistic { cache: HostCache::default() }
    }
}

impl<P: PersonaView> Realistic<P> {
    pub fn pick<H: PickerHost<Persona = P>>(&mut self, host: &mut H, options: &PickOptions) -> Outcome<P> {
        self.try_pick(host, options).unwrap_or_else(|error| Outcome::Error { error })
    }

    fn try_pick<H: PickerHost<Persona = P>>(
        &mut self,
        host: &mut H,
        options: &PickOptions,
    ) -> Result<Outcome<P>, PickError> {
        let mut tick = Tick::start(host, options)?;
        let deckies = self.cache.mail_deckies(tick.host)?;
        if deckies.is_empty() {
            return Ok(Outcome::Skip { reason: SkipReason::NoMailDecky });
        }
        if !is_workday(tick.now.weekday()) {
            let decky = &deckies[choose_index(&mut tick.rng, deckies.len())];
            tick.host.log(LogLevel::Debug, &format!("emailgen pick: {} is a day off", tick.now.weekday()));
            let shortage = Shortage { source: decky.source_label(), mail_decky_uuid: decky.uuid.clone(), count: 0 };
            return Ok(Outcome::Skip { reason: SkipReason::TooFewActive(shortage) });
        }
        // Shuffle positions, not the deckies: the list is shared with the
        // cache and copying it would cost every pick.
        let mut order: Vec<usize> = (0..deckies.len()).collect();
        shuffle(&mut tick.rng, &mut order);
        let override_p = tick.reply_override;
        let chance = move |sender: &P| override_p.unwrap_or_else(|| reply_probability(sender));
        let mut first_skip = None;
        for decky in order.iter().map(|&i| &deckies[i]) {
            match tick.pick_on(&mut self.cache, decky, &chance)? {
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
mod component {
    use emailgen_picker::component::{PolicyLogic, WitHost};
    use emailgen_picker::persona::PersonaSummary;
    use emailgen_picker::{Outcome, PickOptions};

    impl PolicyLogic for super::Realistic<PersonaSummary> {
        fn pick(&mut self, host: &mut WitHost, options: &PickOptions) -> Outcome<PersonaSummary> {
            super::Realistic::pick(self, host, options)
        }
    }
}

#[cfg(target_arch = "wasm32")]
emailgen_picker::export_policy!(Realistic<emailgen_picker::persona::PersonaSummary>);

#[cfg(test)]
mod tests;
