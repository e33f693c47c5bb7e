// A picker policy that keeps conversations going: when the chosen pair
// already has a thread, the sender replies on it four times in five;
// otherwise a new thread starts.
import { Policy, action } from 'emailgen-policy';

/** The chance of replying when the pair has a thread (a caller's reply probability, when given, wins). */
export const REPLY_WHEN_THREADED = 0.8;

export class Conversational extends Policy {
  pick(tick) {
    // A mail decky, uniformly among those running imap or pop3.
    const decky = tick.chooseMailDecky();
    if (!decky) return tick.noMailDecky();
    // Its persona source: its topology's list, or the global pool.
    const [personas, source] = tick.personas(decky);
    if (personas.length < 2) return tick.tooFewPersonas(source, decky, personas.length);
    // A sender and a recipient among those in their active hours.
    const pair = tick.choosePair(personas);
    if (pair.tooFew !== undefined) return tick.tooFewActive(source, decky, pair.tooFew);
    // Look the thread up first, then decide: the store is asked on every
    // pick, which is what makes this policy favour replies.
    const thread = tick.newestThread(decky, pair.sender, pair.recipient);
    if (thread && tick.coin(tick.replyProbability(REPLY_WHEN_THREADED))) {
      return action(tick.replyTo(decky, pair.sender, pair.recipient, thread));
    }
    return action(tick.newThread(decky, pair.sender, pair.recipient));
  }
}
