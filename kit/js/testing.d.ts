import type { Host, HostCache, Outcome, Persona, Policy } from './index.js';

export declare function parsePersonas(scenario: string | object): { topologies: Record<string, Persona[]>; global: Persona[] };

export declare class ScenarioHost implements Host {
  constructor(scenario: object, path?: string);
  now: Date;
  calls: Record<string, number>;
  logs: [string, string][];
  failing: string | null;
  listRunningDeckies(services: string[]): import('./index.js').Decky[];
  runningDeckiesFingerprint(services: string[]): number;
  topologyPersonas(id: string): Persona[] | undefined;
  topologyFingerprint(id: string): number;
  globalPoolPersonas(): Persona[];
  globalPersonasFingerprint(): number;
  listEmailThreads(mailDeckyUuid: string, sender: string, recipient: string, limit: number): import('./index.js').ThreadRow[];
  localNow(): Date;
  log(level: string, message: string): void;
}

export declare class ScenarioRun {
  constructor(PolicyClass: new () => Policy, scenario: string | object);
  host: ScenarioHost;
  cache: HostCache;
  pick(overrides?: { seed?: number; now?: Date; replyProbability?: number }): Outcome;
  pickFresh(overrides?: { seed?: number; now?: Date; replyProbability?: number }): Outcome;
}
