// Write a picker policy for the emailgen host in JavaScript.
//
// A policy is a class with a `pick(tick)` method that returns
// `action(...)` or `skip(...)` (or throws a `PickError`). `tick` holds the
// host, the random source seeded from the pick's seed, the tick's time,
// and the helpers every policy uses: the Rust kit's, in JavaScript's case
// (`choose_mail_decky` is `chooseMailDecky`). Records are plain objects
// named as the WIT's (camelCase fields, as jco gives them).

export const WIT_VERSION = '0.2.2';
export const MAIL_SERVICES = ['imap', 'pop3'];
export const REPLY_PROBABILITY = 0.6;
export const THREAD_LOOKUP_LIMIT = 1;
export const CONTEXT_HINTS = [
  'Q3 budget review and approval', 'Client presentation feedback', 'Project deadline extension request',
  'Team building event planning', 'IT system maintenance notification', 'Quarterly performance review',
  'Vendor onboarding process', 'Holiday schedule announcement', 'Training session invitation',
  'Department restructuring update', 'Client contract negotiation', 'Security audit findings',
  'Sales strategy meeting', 'Product launch timeline', 'Office relocation update',
  'Travel reimbursement policy change',
];

/** Ends a pick as an error: kind 'store', 'invalid-input' or 'internal'. */
export class PickError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind;
  }
}

/** The base class of a policy (its fields live as long as its instance). */
export class Policy {
  pick(_tick) {
    throw new PickError('internal', 'the policy does not implement pick(tick)');
  }
}

/** The outcome that sends mail. */
export const action = (emailAction) => ({ tag: 'action', action: emailAction });
/** The outcome that sends nothing this tick: `reason` is a skip reason. */
export const skip = (reason) => ({ tag: 'skip', reason });

// Python's str.isspace(): what the host strips from a subject (JavaScript's
// trim() leaves U+001C-U+001F and U+0085, and strips U+FEFF).
const SPACE = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680,
  0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029,
  0x202f, 0x205f, 0x3000]);

function lstrip(text) {
  let i = 0;
  while (i < text.length && SPACE.has(text.charCodeAt(i))) i++;
  return text.slice(i);
}

function strip(text) {
  let end = text.length;
  while (end > 0 && SPACE.has(text.charCodeAt(end - 1))) end--;
  return lstrip(text.slice(0, end));
}

/** `Re: ` and the subject with its leading `Re:` prefixes folded, as the host derives it. */
export function replySubject(subject) {
  let rest = strip(subject);
  while (rest.length >= 3 && (rest[0] === 'r' || rest[0] === 'R') && (rest[1] === 'e' || rest[1] === 'E') && rest[2] === ':') {
    rest = lstrip(rest.slice(3));
  }
  return 'Re: ' + rest;
}

/** The parent's References followed by its own Message-ID. */
export function referencesForReply(parentReferences, parentMessageId) {
  return [...parentReferences, parentMessageId].join(' ');
}

/** The random source of a pick: sfc32 seeded from the pick's seed, the same on every platform. */
export class PickRng {
  constructor(seed) {
    const s = Math.abs(Number(seed)) || 0;
    this.a = s >>> 0;
    this.b = Math.floor(s / 4294967296) >>> 0;
    this.c = 0x9e3779b9;
    this.d = 0x7f4a7c15;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** The next 32 random bits, as an unsigned integer. */
  next() {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A number uniformly in [0, 1). */
  random() {
    return this.next() / 4294967296;
  }

  /** An integer uniformly in [0, n). */
  randrange(n) {
    if (!(n > 0)) throw new RangeError('empty range');
    return Math.floor(this.random() * n);
  }

  /** One of `items`, uniformly. */
  choice(items) {
    return items[this.randrange(items.length)];
  }
}

/** A random UUID (version 4) in canonical form, drawn from `rng`. */
export function newThreadId(rng) {
  const hex = (n) => n.toString(16).padStart(8, '0');
  // Version 4 in the third group's first digit, the RFC 4122 variant in the fourth's.
  const w = [rng.next(), (rng.next() & 0xffff0fff) | 0x4000, (rng.next() & 0x3fffffff) | 0x80000000, rng.next()];
  const h = w.map((x) => hex(x >>> 0)).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Whether `minute` (of the day) is within a persona's active window. */
export function isActiveAt(p, minute) {
  if (p.start === p.end) return true;
  return p.start < p.end ? p.start <= minute && minute < p.end : minute >= p.start || minute < p.end;
}

/** Deckies and persona lists kept by the host's fingerprints between picks. */
export class HostCache {
  constructor() {
    this.deckies = null;
    this.topologies = new Map();
    this.global = null;
  }

  mailDeckies(host) {
    const fp = host.runningDeckiesFingerprint(MAIL_SERVICES);
    if (fp !== undefined && fp !== null && this.deckies && this.deckies[0] === fp) return this.deckies[1];
    const deckies = host.listRunningDeckies(MAIL_SERVICES)
      .filter((d) => d.services.includes('imap') || d.services.includes('pop3'));
    this.deckies = fp === undefined || fp === null ? null : [fp, deckies];
    return deckies;
  }

  topologyPersonas(host, id) {
    const fp = host.topologyFingerprint(id);
    const kept = this.topologies.get(id);
    if (fp !== undefined && fp !== null && kept && kept[0] === fp) return kept[1];
    const personas = host.topologyPersonas(id) ?? [];
    if (fp !== undefined && fp !== null) {
      if (this.topologies.size >= 64) this.topologies.clear();
      this.topologies.set(id, [fp, personas]);
    }
    return personas;
  }

  globalPersonas(host) {
    const fp = host.globalPersonasFingerprint();
    if (fp !== undefined && fp !== null && this.global && this.global[0] === fp) return this.global[1];
    const personas = host.globalPoolPersonas();
    this.global = fp === undefined || fp === null ? null : [fp, personas];
    return personas;
  }
}

const shortage = (source, decky, count) => ({ source, mailDeckyUuid: decky.uuid, count });
let unseeded = new PickRng(0x5eed);

/** One pick in progress, and the helpers. */
export class Tick {
  constructor(host, cache, options) {
    const p = options.replyProbability;
    if (p !== undefined && p !== null && !(p >= 0 && p <= 1)) {
      throw new PickError('invalid-input', `reply probability must be between 0 and 1, got ${p}`);
    }
    this.host = host;
    this.cache = cache;
    this.now = options.now ?? host.localNow();
    const seed = options.seed ?? (unseeded.next() * 4294967296 + this.now.getTime() / 1000);
    this.rng = new PickRng(seed);
    this.replyOverride = p ?? undefined;
  }

  minuteOfDay() { return this.now.getUTCHours() * 60 + this.now.getUTCMinutes(); }
  replyProbability(fallback) { return this.replyOverride ?? fallback; }
  coin(p) { return this.rng.random() < p; }
  chooseIndex(length) { return this.rng.randrange(length); }
  log(level, message) { this.host.log(level, message); }

  mailDeckies() { return this.cache.mailDeckies(this.host); }

  chooseMailDecky() {
    const deckies = this.mailDeckies();
    return deckies.length ? deckies[this.chooseIndex(deckies.length)] : null;
  }

  /** The decky's persona source and its valid personas: `[personas, source]`. */
  personas(decky) {
    const source = decky.source || 'unknown';
    if (source === 'topology') {
      return [decky.topologyId ? this.cache.topologyPersonas(this.host, decky.topologyId) : [], source];
    }
    return [this.cache.globalPersonas(this.host), source];
  }

  isActive(persona) { return isActiveAt(persona, this.minuteOfDay()); }

  /** `{sender, recipient}`, or `{tooFew: count}`. */
  choosePair(personas) {
    const m = this.minuteOfDay();
    return this.pairAmong(personas.filter((p) => isActiveAt(p, m)));
  }

  choosePairWhere(personas, keep) { return this.pairAmong(personas.filter(keep)); }

  pairAmong(candidates) {
    if (candidates.length < 2) return { tooFew: candidates.length };
    const sender = candidates[this.chooseIndex(candidates.length)];
    const others = candidates.filter((p) => p.email !== sender.email);
    if (!others.length) return { tooFew: candidates.length };
    return { sender, recipient: others[this.chooseIndex(others.length)] };
  }

  newestThread(decky, sender, recipient) {
    const rows = this.host.listEmailThreads(decky.uuid, sender.email, recipient.email, THREAD_LOOKUP_LIMIT);
    return rows.length ? rows[0] : null;
  }

  newThread(decky, sender, recipient) {
    const threadId = newThreadId(this.rng);
    return blank(decky, sender, recipient, threadId, CONTEXT_HINTS[this.chooseIndex(CONTEXT_HINTS.length)]);
  }

  newThreadAbout(decky, sender, recipient, topic) {
    return blank(decky, sender, recipient, newThreadId(this.rng), topic);
  }

  replyTo(decky, sender, recipient, parent) {
    const subject = replySubject(parent.subject);
    return {
      ...blank(decky, sender, recipient, parent.threadId, subject),
      isReply: true,
      parentMessageId: parent.messageId,
      references: referencesForReply(parent.references, parent.messageId),
      subjectHint: subject,
    };
  }

  noMailDecky() { return skip({ tag: 'no-mail-decky' }); }

  tooFewPersonas(source, decky, count) {
    this.log('debug', `emailgen pick: source=${source} mail_decky=${decky.uuid} only ${count} personas; need >=2`);
    return skip({ tag: 'too-few-personas', shortage: shortage(source, decky, count) });
  }

  tooFewActive(source, decky, count) {
    this.log('debug', `emailgen pick: source=${source} mail_decky=${decky.uuid} only ${count} personas in-hours; need >=2`);
    return skip({ tag: 'too-few-active', shortage: shortage(source, decky, count) });
  }

  /** The default policy's steps on a chosen decky. */
  pickOn(decky, replyProbability) {
    const [personas, source] = this.personas(decky);
    if (personas.length < 2) return this.tooFewPersonas(source, decky, personas.length);
    const pair = this.choosePair(personas);
    if (pair.tooFew !== undefined) return this.tooFewActive(source, decky, pair.tooFew);
    const parent = this.coin(replyProbability(pair.sender)) ? this.newestThread(decky, pair.sender, pair.recipient) : null;
    return action(parent
      ? this.replyTo(decky, pair.sender, pair.recipient, parent)
      : this.newThread(decky, pair.sender, pair.recipient));
  }
}

function blank(decky, sender, recipient, threadId, contextHint) {
  return {
    mailDeckyUuid: decky.uuid, sender, recipient, threadId, contextHint, isReply: false,
    parentMessageId: undefined, references: '', subjectHint: undefined, parentExcerpt: undefined,
    description: 'email:send',
  };
}

/** One pick: the tick started (options checked), the policy asked. */
export function runPick(policy, cache, host, options) {
  return policy.pick(new Tick(host, cache, options));
}
