// Pen pals: a picker policy written in JavaScript on the JavaScript kit.
//
// Everyone has a pen pal. The first time a sender writes on a mail decky,
// the recipient is drawn as the default policy draws one, and remembered:
// from then on, whenever that pen pal is in their active hours, the sender
// writes to them again, and mostly answers their open thread. Mail settles
// into long conversations between steady pairs, as it does in a real
// office. What is remembered lives as long as the policy's instance (a
// fresh instance per tick has no memory, and picks as the default does).
import { Policy, REPLY_PROBABILITY, action } from 'emailgen-policy';

/** How often a sender writing to their pen pal answers an open thread. */
export const PEN_PAL_REPLY_PROBABILITY = 0.85;
/** Pairs remembered at most (forgotten all at once past it). */
export const MAX_PEN_PALS = 10000;

export class PenPals extends Policy {
  constructor() {
    super();
    /** `decky uuid + sender email` -> the pen pal's email. */
    this.pals = new Map();
  }

  pick(tick) {
    const decky = tick.chooseMailDecky();
    if (!decky) return tick.noMailDecky();
    const [personas, source] = tick.personas(decky);
    if (personas.length < 2) return tick.tooFewPersonas(source, decky, personas.length);
    const pair = tick.choosePair(personas);
    if (pair.tooFew !== undefined) return tick.tooFewActive(source, decky, pair.tooFew);
    const key = `${decky.uuid} ${pair.sender.email}`;
    const palEmail = this.pals.get(key);
    const pal = palEmail && personas.find((p) => p.email === palEmail && p.email !== pair.sender.email && tick.isActive(p));
    const recipient = pal || pair.recipient;
    if (!palEmail) {
      if (this.pals.size >= MAX_PEN_PALS) this.pals.clear();
      this.pals.set(key, recipient.email);
    }
    const chance = tick.replyProbability(pal ? PEN_PAL_REPLY_PROBABILITY : REPLY_PROBABILITY);
    const thread = tick.coin(chance) ? tick.newestThread(decky, pair.sender, recipient) : null;
    return action(thread
      ? tick.replyTo(decky, pair.sender, recipient, thread)
      : tick.newThread(decky, pair.sender, recipient));
  }
}
