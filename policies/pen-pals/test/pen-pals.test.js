// The pen pals' rules under Node, against a scenario (no Wasm).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

import { ScenarioRun } from 'emailgen-policy/testing';

import { PenPals } from '../policy.js';

const TEAM = fileURLToPath(new URL('../scenarios/team.json', import.meta.url));

test('on a warm instance each sender keeps writing to one pen pal', () => {
  const run = new ScenarioRun(PenPals, TEAM);
  const pals = new Map();
  for (let seed = 0; seed < 300; seed++) {
    const { sender, recipient } = run.pick({ seed }).action;
    if (!pals.has(sender.email)) pals.set(sender.email, new Set());
    pals.get(sender.email).add(recipient.email);
  }
  assert.equal(pals.size, 5);
  for (const [sender, recipients] of pals) assert.equal(recipients.size, 1, sender);
});

test('a fresh instance remembers nothing: recipients vary', () => {
  const run = new ScenarioRun(PenPals, TEAM);
  const recipients = new Set();
  for (let seed = 0; seed < 200; seed++) {
    const { sender, recipient } = run.pickFresh({ seed }).action;
    if (sender.email === 'ana@team.example') recipients.add(recipient.email);
  }
  assert.ok(recipients.size > 1);
});

test('the same seed on fresh instances decides the same', () => {
  const run = new ScenarioRun(PenPals, TEAM);
  assert.deepEqual(run.pickFresh({ seed: 11 }), run.pickFresh({ seed: 11 }));
});
