"""A picker policy that keeps conversations going: when the chosen pair
already has a thread, the sender replies on it four times in five;
otherwise a new thread starts."""
from emailgen_policy import Action, Chosen, Outcome, Policy, Tick

#: The chance of replying when the pair has a thread (a caller's reply
#: probability, when it gives one, wins).
REPLY_WHEN_THREADED = 0.8


class Conversational(Policy):
    def pick(self, tick: Tick) -> Outcome:
        # A mail decky, uniformly among those running imap or pop3.
        decky = tick.choose_mail_decky()
        if decky is None:
            return tick.no_mail_decky()
        # Its persona source: its topology's list, or the global pool.
        personas, source = tick.personas(decky)
        if len(personas) < 2:
            return tick.too_few_personas(source, decky, len(personas))
        # A sender and a recipient among those in their active hours.
        pair = tick.choose_pair(personas)
        if not isinstance(pair, Chosen):
            return tick.too_few_active(source, decky, pair.count)
        # Look the thread up first, then decide: the store is asked on
        # every pick, which is what makes this policy favour replies.
        thread = tick.newest_thread(decky, pair.sender, pair.recipient)
        if thread is not None and tick.coin(tick.reply_probability(REPLY_WHEN_THREADED)):
            return Action(tick.reply_to(decky, pair.sender, pair.recipient, thread))
        return Action(tick.new_thread(decky, pair.sender, pair.recipient))
