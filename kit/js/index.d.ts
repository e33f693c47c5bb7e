// Types of the JavaScript policy kit: the WIT's records as jco names them.

export declare const WIT_VERSION: '0.2.2';
export declare const MAIL_SERVICES: string[];
export declare const REPLY_PROBABILITY: number;
export declare const THREAD_LOOKUP_LIMIT: number;
export declare const CONTEXT_HINTS: string[];

export type Tone = 'formal' | 'direct' | 'casual' | 'technical' | 'custom';
export type ReplyLatency = 'fast' | 'normal' | 'slow';
export type ErrorKind = 'store' | 'invalid-input' | 'internal';

/** A running decky. */
export interface Decky { uuid: string; name: string; services: string[]; topologyId?: string; source?: string }
/** A valid persona as the host parsed it; `start`/`end` are minutes of the day (equal: always active). */
export interface Persona {
  position: number; email: string; start: number; end: number;
  tone: Tone; replyLatency: ReplyLatency; usesLlmsHeavily: boolean;
}
/** A message already sent on a thread. */
export interface ThreadRow { threadId: string; messageId: string; subject: string; references: string[] }
/** What a pick decides. */
export interface EmailAction {
  mailDeckyUuid: string; sender: Persona; recipient: Persona; threadId: string; contextHint: string;
  isReply: boolean; parentMessageId?: string; references: string; subjectHint?: string;
  parentExcerpt?: string; description: string;
}
export interface Shortage { source: string; mailDeckyUuid: string; count: number }
export type SkipReason =
  | { tag: 'no-mail-decky' }
  | { tag: 'too-few-personas'; shortage: Shortage }
  | { tag: 'too-few-active'; shortage: Shortage };
export type Outcome = { tag: 'action'; action: EmailAction } | { tag: 'skip'; reason: SkipReason };
export interface PickOptions { seed?: number; now?: Date; replyProbability?: number }
export type Pair = { sender: Persona; recipient: Persona; tooFew?: undefined } | { tooFew: number };

/** What a policy may ask of its host (the WIT imports). */
export interface Host {
  listRunningDeckies(services: string[]): Decky[];
  runningDeckiesFingerprint(services: string[]): number | undefined;
  topologyPersonas(id: string): Persona[] | undefined;
  topologyFingerprint(id: string): number | undefined;
  globalPoolPersonas(): Persona[];
  globalPersonasFingerprint(): number | undefined;
  listEmailThreads(mailDeckyUuid: string, sender: string, recipient: string, limit: number): ThreadRow[];
  localNow(): Date;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}

export declare class PickError extends Error {
  constructor(kind: ErrorKind, message: string);
  kind: ErrorKind;
}

export declare class Policy {
  pick(tick: Tick): Outcome;
}

export declare function action(emailAction: EmailAction): Outcome;
export declare function skip(reason: SkipReason): Outcome;
export declare function replySubject(subject: string): string;
export declare function referencesForReply(parentReferences: string[], parentMessageId: string): string;
export declare function newThreadId(rng: PickRng): string;
export declare function isActiveAt(persona: Persona, minute: number): boolean;
export declare function runPick(policy: Policy, cache: HostCache, host: Host, options: PickOptions): Outcome;

export declare class PickRng {
  constructor(seed: number);
  next(): number;
  random(): number;
  randrange(n: number): number;
  choice<T>(items: T[]): T;
}

export declare class HostCache {
  constructor();
}

export declare class Tick {
  constructor(host: Host, cache: HostCache, options: PickOptions);
  host: Host;
  rng: PickRng;
  now: Date;
  replyOverride?: number;
  minuteOfDay(): number;
  replyProbability(fallback: number): number;
  coin(p: number): boolean;
  chooseIndex(length: number): number;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  mailDeckies(): Decky[];
  chooseMailDecky(): Decky | null;
  personas(decky: Decky): [Persona[], string];
  isActive(persona: Persona): boolean;
  choosePair(personas: Persona[]): Pair;
  choosePairWhere(personas: Persona[], keep: (p: Persona) => boolean): Pair;
  newestThread(decky: Decky, sender: Persona, recipient: Persona): ThreadRow | null;
  newThread(decky: Decky, sender: Persona, recipient: Persona): EmailAction;
  newThreadAbout(decky: Decky, sender: Persona, recipient: Persona, topic: string): EmailAction;
  replyTo(decky: Decky, sender: Persona, recipient: Persona, parent: ThreadRow): EmailAction;
  noMailDecky(): Outcome;
  tooFewPersonas(source: string, decky: Decky, count: number): Outcome;
  tooFewActive(source: string, decky: Decky, count: number): Outcome;
  pickOn(decky: Decky, replyProbability: (sender: Persona) => number): Outcome;
}
