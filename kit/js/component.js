// The adapter between the WIT world and a plain-JavaScript policy, used only
// inside a component (`host-harness build` bundles it with jco): the
// imports become the kit's host, the policy's outcome the WIT variant. The
// policy's entry module says `export const pick = exportPolicy(MyPolicy);`.
import * as store from 'decnet:emailgen/store@0.2.2';
import { localNow } from 'decnet:emailgen/clock@0.2.2';
import { log } from 'decnet:emailgen/log@0.2.2';

import { HostCache, PickError, runPick } from './index.js';

/** A store import; its `err` becomes the pick's store error naming it. */
function call(name, fn, ...args) {
  try {
    return fn(...args);
  } catch (e) {
    const why = e && e.payload !== undefined ? e.payload : e && e.message ? e.message : String(e);
    throw new PickError('store', `${name} failed: ${why}`);
  }
}

const persona = (p) => ({
  position: p.position, email: p.email, start: p.activeWindow.start, end: p.activeWindow.end,
  tone: p.tone, replyLatency: p.replyLatency, usesLlmsHeavily: p.usesLlmsHeavily,
});

const dateOf = (t) => new Date(Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second));

/** The component's imports as the kit's host. */
const witHost = {
  listRunningDeckies: (services) => call('list-running-deckies', store.listRunningDeckies, services),
  runningDeckiesFingerprint: (services) => call('running-deckies-fingerprint', store.runningDeckiesFingerprint, services),
  topologyPersonas: (id) => {
    const listed = call('topology-personas', store.topologyPersonas, id);
    return listed == null ? undefined : listed.map(persona);
  },
  topologyFingerprint: (id) => call('topology-fingerprint', store.topologyFingerprint, id),
  globalPoolPersonas: () => call('global-pool-personas', store.globalPoolPersonas).map(persona),
  globalPersonasFingerprint: () => call('global-personas-fingerprint', store.globalPersonasFingerprint),
  listEmailThreads: (decky, sender, recipient, limit) =>
    call('list-email-threads', store.listEmailThreads, decky, sender, recipient, limit),
  localNow: () => dateOf(localNow()),
  log: (level, message) => log(level, message),
};

function options(o) {
  let now;
  if (o.now) {
    now = dateOf(o.now);
    const t = o.now;
    if (now.getUTCDate() !== t.day || now.getUTCMonth() !== t.month - 1 || now.getUTCHours() !== t.hour) {
      throw new PickError('invalid-input', `now is not a valid date and time: ${JSON.stringify(t)}`);
    }
  }
  return { seed: o.seed, now, replyProbability: o.replyProbability };
}

function toWit(outcome) {
  if (outcome && outcome.tag === 'action') {
    const a = outcome.action;
    return {
      tag: 'action',
      val: {
        mailDeckyUuid: a.mailDeckyUuid, sender: a.sender.position, recipient: a.recipient.position,
        threadId: a.threadId, parentMessageId: a.parentMessageId, references: a.references,
        subjectHint: a.subjectHint, parentExcerpt: a.parentExcerpt, contextHint: a.contextHint,
        isReply: a.isReply, description: a.description,
      },
    };
  }
  if (outcome && outcome.tag === 'skip') {
    const r = outcome.reason;
    return { tag: 'skip', val: r.tag === 'no-mail-decky' ? { tag: r.tag } : { tag: r.tag, val: r.shortage } };
  }
  return { tag: 'error', val: { kind: 'internal', message: 'the policy returned neither action(...) nor skip(...)' } };
}

/** The component's `pick` for `PolicyClass`: one instance and one cache for the Wasm instance's life. */
export function exportPolicy(PolicyClass) {
  let state = null;
  return function pick(witOptions) {
    state ??= { policy: new PolicyClass(), cache: new HostCache() };
    try {
      return toWit(runPick(state.policy, state.cache, witHost, options(witOptions)));
    } catch (e) {
      if (e instanceof PickError) return { tag: 'error', val: { kind: e.kind, message: e.message } };
      return { tag: 'error', val: { kind: 'internal', message: `${e && e.name}: ${e && e.message}` } };
    }
  };
}
