// The policy's tests under Node (no Wasm): `npm test` in this directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

import { ScenarioRun } from 'emailgen-policy/testing';

import { Conversational } from '../policy.js';

const OFFICE = fileURLToPath(new URL('../scenarios/office.json', import.meta.url));

test('every pick in the office is an action', () => {
  const run = new ScenarioRun(Conversational, OFFICE);
  for (let seed = 0; seed < 50; seed++) assert.equal(run.pick({ seed }).tag, 'action');
});

test('a pair with a thread mostly replies', () => {
  const run = new ScenarioRun(Conversational, OFFICE);
  let replies = 0;
  for (let seed = 0; seed < 200; seed++) replies += run.pick({ seed }).action.isReply ? 1 : 0;
  // Both people of the office share one thread: about 160 of 200.
  assert.ok(replies >= 130 && replies <= 190, `${replies} replies`);
});

test('the same seed decides the same', () => {
  const run = new ScenarioRun(Conversational, OFFICE);
  assert.deepEqual(run.pickFresh({ seed: 7 }), run.pickFresh({ seed: 7 }));
});
