//! The default picker policy (SPEC §5): a mail decky chosen uniformly, then
//! the kit's default steps on it (a pair active now, a reply on their newest
//! thread with probability 0.6, else a new thread).

use emailgen_domain::outcome::{Outcome, PickError, SkipReason};
use emailgen_domain::persona::Persona;
use emailgen_domain::LogLevel;
use emailgen_policy::{Instance, PickerHost, Policy, Tick, REPLY_PROBABILITY};

/// The default policy. It keeps nothing of its own between picks: what it
/// reads of the host is cached by the kit's helpers.
#[derive(Debug, Default)]
pub struct DefaultPolicy;

/// The default policy's instance, for native use (the harness's baseline,
/// tests). `P` is the persona type of its host's picks.
pub type Picker<P = Persona> = Instance<DefaultPolicy, P>;

impl Policy for DefaultPolicy {
    fn pick<H: PickerHost>(&mut self, tick: &mut Tick<'_, H>) -> Result<Outcome<H::Persona>, PickError> {
        let Some(decky) = tick.choose_mail_decky()? else {
            tick.log(LogLevel::Debug, "emailgen pick: no running mail decky");
            return Ok(Outcome::Skip { reason: SkipReason::NoMailDecky });
        };
        let p = tick.reply_probability(REPLY_PROBABILITY);
        tick.pick_on(&decky, &|_| p)
    }
}

#[cfg(test)]
mod tests;
