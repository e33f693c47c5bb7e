// Running a policy under Node against scenario files (SPEC §7), so a
// policy's tests need no Wasm: `new ScenarioRun(MyPolicy, 'scenarios/office.json').pick({ seed: 7 })`.
//
// Persona lists are parsed by the host itself (`host-harness personas
// --scenario FILE`, once per scenario), so a policy sees exactly the
// personas the Wasm host serves it, at the same positions. The binary is
// found through EMAILGEN_HOST_HARNESS, else `host-harness` on the PATH.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { HostCache, PickError, runPick } from './index.js';

const harness = () => process.env.EMAILGEN_HOST_HARNESS || 'host-harness';

/**
 * The personas a scenario serves, parsed by the host: `{topologies: {id: [...]}, global: [...]}`.
 * `scenario` is a file's path (read by the host as it is, lone surrogates and all) or a scenario object.
 */
export function parsePersonas(scenario) {
  if (typeof scenario === 'string') return personasOf(scenario);
  const dir = mkdtempSync(join(tmpdir(), 'emailgen-scenario-'));
  try {
    const file = join(dir, 'scenario.json');
    writeFileSync(file, JSON.stringify(scenario));
    return personasOf(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function personasOf(file) {
  const parsed = JSON.parse(execFileSync(harness(), ['personas', '--scenario', file], { encoding: 'utf8' }));
  const convert = (p) => ({ position: p.position, email: p.email, start: p.start, end: p.end, tone: p.tone,
    replyLatency: p.reply_latency, usesLlmsHeavily: p.uses_llms_heavily });
  const topologies = Object.fromEntries(Object.entries(parsed.topologies).map(([id, l]) => [id, l.map(convert)]));
  return { topologies, global: parsed.global.map(convert) };
}

const dateOf = (text) => new Date(`${text}Z`);

function matches(row, decky, sender, recipient) {
  const same = (key, value) => row[key] == null || row[key] === value;
  const pair = (a, b) => same('sender_email', a) && same('recipient_email', b);
  return same('mail_decky_uuid', decky) && (pair(sender, recipient) || pair(recipient, sender));
}

/** A scenario's data as a policy's host; `calls` counts store calls, `logs` keeps what was logged. */
export class ScenarioHost {
  /** `scenario` is the scenario object; `path`, when given, the file it was read from. */
  constructor(scenario, path) {
    const parsed = parsePersonas(path ?? scenario);
    this.deckies = (scenario.deckies || []).map((d) => ({ uuid: d.uuid, name: d.name || d.uuid,
      services: Array.isArray(d.services) ? d.services.filter((s) => typeof s === 'string') : [],
      topologyId: d.topology_id ?? undefined, source: d.source ?? undefined }));
    this.personasByTopology = parsed.topologies;
    this.global = parsed.global;
    this.threads = scenario.threads || [];
    this.now = new Date(Date.UTC(2026, 3, 27, 10, 0));
    this.calls = {};
    this.logs = [];
    this.failing = null;
  }

  answer(name) {
    this.calls[name] = (this.calls[name] || 0) + 1;
    if (this.failing === name) throw new PickError('store', `${name} failed: connection refused`);
  }

  listRunningDeckies(services) {
    this.answer('list-running-deckies');
    return this.deckies.filter((d) => !services.length || services.some((s) => d.services.includes(s)));
  }

  // The data never changes under a run: one fingerprint keeps the cache warm.
  runningDeckiesFingerprint() { return 0; }
  topologyFingerprint() { return 0; }
  globalPersonasFingerprint() { return 0; }

  topologyPersonas(id) {
    this.answer('topology-personas');
    return this.personasByTopology[id];
  }

  globalPoolPersonas() {
    this.answer('global-pool-personas');
    return this.global;
  }

  listEmailThreads(decky, sender, recipient, limit) {
    this.answer('list-email-threads');
    return this.threads.filter((t) => matches(t, decky, sender, recipient)).slice(0, limit)
      .map((t) => ({ threadId: t.thread_id, messageId: t.message_id, subject: t.subject, references: t.references || [] }));
  }

  localNow() { return this.now; }
  log(level, message) { this.logs.push([level, message]); }
}

/** A policy instance and a scenario: picks as a host runs them, the instance kept between picks. */
export class ScenarioRun {
  constructor(PolicyClass, scenario) {
    const path = typeof scenario === 'string' ? scenario : undefined;
    this.scenario = path ? JSON.parse(readFileSync(path, 'utf8')) : scenario;
    this.PolicyClass = PolicyClass;
    this.host = new ScenarioHost(this.scenario, path);
    this.policy = new PolicyClass();
    this.cache = new HostCache();
  }

  /** One pick with the scenario's settings, each overridden when given (`seed`, `now` as a Date, `replyProbability`). */
  pick(overrides = {}) {
    const s = this.scenario;
    const options = {
      seed: overrides.seed ?? s.seed,
      now: overrides.now ?? (s.now ? dateOf(s.now) : undefined),
      replyProbability: overrides.replyProbability ?? s.reply_probability,
    };
    return runPick(this.policy, this.cache, this.host, options);
  }

  /** One pick on a new instance, as a host that starts one per tick. */
  pickFresh(overrides = {}) {
    this.policy = new this.PolicyClass();
    this.cache = new HostCache();
    return this.pick(overrides);
  }
}
