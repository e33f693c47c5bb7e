"""The night shift: a picker policy written in Python on the Python kit.

By day (08:00-18:00 at the tick's time) mail flows as the default policy
lets it. At night only the night shift writes: personas whose active
hours span midnight (``22:00-06:00``), to each other, and they mostly
answer what is already open ("handover" threads), as a team on call does.
A company without a night shift is quiet at night: the tick skips with
``too_few_active``."""
from emailgen_policy import REPLY_PROBABILITY, Action, Chosen, Outcome, Persona, Policy, Tick

#: When the day shift works, in minutes after midnight.
DAY = range(8 * 60, 18 * 60)

#: How often the night shift answers an open thread rather than starting one.
NIGHT_REPLY_PROBABILITY = 0.9

#: What a night-shift thread is about.
HANDOVER = "Night shift handover"


def on_night_shift(persona: Persona) -> bool:
    """Works across midnight: a window whose start is after its end."""
    return persona.start > persona.end


class NightShift(Policy):
    def pick(self, tick: Tick) -> Outcome:
        decky = tick.choose_mail_decky()
        if decky is None:
            return tick.no_mail_decky()
        if tick.minute_of_day() in DAY:
            chance = tick.reply_probability(REPLY_PROBABILITY)
            return tick.pick_on(decky, lambda _sender: chance)
        personas, source = tick.personas(decky)
        if len(personas) < 2:
            return tick.too_few_personas(source, decky, len(personas))
        pair = tick.choose_pair_where(personas, lambda p: on_night_shift(p) and tick.is_active(p))
        if not isinstance(pair, Chosen):
            return tick.too_few_active(source, decky, pair.count)
        thread = tick.newest_thread(decky, pair.sender, pair.recipient)
        if thread is not None and tick.coin(tick.reply_probability(NIGHT_REPLY_PROBABILITY)):
            return Action(tick.reply_to(decky, pair.sender, pair.recipient, thread))
        return Action(tick.new_thread_about(decky, pair.sender, pair.recipient, HANDOVER))
