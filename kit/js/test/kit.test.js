// The JavaScript kit under Node: headers derived exactly as the host derives
// (and checks) them, the draws, the local runner on the sample scenarios.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { PickError, PickRng, Policy, newThreadId, referencesForReply, replySubject } from '../index.js';
import { ScenarioRun } from '../testing.js';

const SAMPLES = join(dirname(fileURLToPath(import.meta.url)), '../../../tests/scenarios/samples');

test('a reply subject is the host\'s', () => {
  const cases = [
    ['Q3 budget', 'Re: Q3 budget'], ['Re: Re: Q3 budget', 'Re: Q3 budget'], ['RE: Q3 budget', 'Re: Q3 budget'],
    ['  RE: re:Budget v2', 'Re: Budget v2'], ['rE:re:  x  ', 'Re: x'], ['', 'Re: '], ['Re:', 'Re: '],
    ['Regarding lunch', 'Re: Regarding lunch'], ['Ré: café', 'Re: Ré: café'],
    ['Quarterly\tforecast – v2', 'Re: Quarterly\tforecast – v2'], ['\x1fRe:\x1c\tQ3\x1d', 'Re: Q3'],
    ['\ufeffQ3', 'Re: \ufeffQ3'],
  ];
  for (const [subject, reply] of cases) assert.equal(replySubject(subject), reply, JSON.stringify(subject));
  assert.equal(referencesForReply(['<m1@x.io>', '<m2@x.io>'], '<m3@x.io>'), '<m1@x.io> <m2@x.io> <m3@x.io>');
});

test('thread ids are canonical UUID v4 and follow the seed', () => {
  const ids = new Set();
  for (let seed = 0; seed < 200; seed++) ids.add(newThreadId(new PickRng(seed)));
  assert.equal(ids.size, 200);
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(newThreadId(new PickRng(7)), newThreadId(new PickRng(7)));
});

class Default extends Policy {
  pick(tick) {
    const decky = tick.chooseMailDecky();
    if (!decky) return tick.noMailDecky();
    return tick.pickOn(decky, () => tick.replyProbability(0.6));
  }
}

test('the default steps decide every sample as expected', () => {
  for (const file of readdirSync(SAMPLES).filter((f) => f.endsWith('.json'))) {
    const scenario = JSON.parse(readFileSync(join(SAMPLES, file), 'utf8'));
    const expect = scenario.expect;
    const outcome = new ScenarioRun(Default, scenario).pick({ seed: scenario.seed ?? 1 });
    assert.equal(outcome.tag, expect.outcome, file);
    if (expect.outcome === 'action') {
      const a = outcome.action;
      const fields = { is_reply: a.isReply, thread_id: a.threadId, parent_message_id: a.parentMessageId,
        references: a.references, subject_hint: a.subjectHint, context_hint: a.contextHint, mail_decky_uuid: a.mailDeckyUuid };
      for (const [key, value] of Object.entries(expect.action || {})) {
        if (key in fields) assert.equal(fields[key] ?? null, value, `${file} ${key}`);
      }
    } else {
      assert.equal(outcome.reason.tag, expect.reason.kind.replaceAll('_', '-'), file);
    }
  }
});

const office = () => ({
  now: '2026-04-27T10:00:00',
  deckies: [{ uuid: 'mx', services: ['imap'], source: 'topology', topology_id: 't' }],
  topologies: { t: { email_personas: JSON.stringify(['Ana', 'Bo', 'Cy'].map((n) => ({ name: n, email: `${n.toLowerCase()}@x.io`, role: 'Staff' }))) } },
});

test('a pair never shares an address and a seed decides the same', () => {
  const run = new ScenarioRun(Default, office());
  for (let seed = 0; seed < 100; seed++) {
    const a = run.pick({ seed }).action;
    assert.notEqual(a.sender.email, a.recipient.email);
  }
  assert.deepEqual(run.pickFresh({ seed: 3 }), run.pickFresh({ seed: 3 }));
});

test('store failures and bad probabilities are pick errors', () => {
  const run = new ScenarioRun(Default, office());
  run.host.failing = 'topology-personas';
  assert.throws(() => run.pick({ seed: 1 }), (e) => e instanceof PickError && e.kind === 'store');
  assert.throws(() => new ScenarioRun(Default, office()).pick({ seed: 1, replyProbability: 1.5 }),
    (e) => e instanceof PickError && e.kind === 'invalid-input');
});
