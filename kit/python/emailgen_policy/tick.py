"""One pick in progress, and the helpers every policy uses, under the Rust
kit's names. Every random choice draws from ``tick.rng`` (seeded from the
pick's seed), so a seed decides the same on every run."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Optional, Union

from .cache import HostCache
from .host import Host
from .rng import PickRng
from .threads import new_thread_id, references_for_reply, reply_subject
from .types import (Action, Decky, EmailAction, ErrorKind, NoMailDecky, Outcome, Persona, PickError, PickOptions,
                    Shortage, Skip, ThreadRow, TooFewActive, TooFewPersonas)

#: Generic topics for a new thread (the default policy's, SPEC §5).
CONTEXT_HINTS = [
    "Q3 budget review and approval", "Client presentation feedback", "Project deadline extension request",
    "Team building event planning", "IT system maintenance notification", "Quarterly performance review",
    "Vendor onboarding process", "Holiday schedule announcement", "Training session invitation",
    "Department restructuring update", "Client contract negotiation", "Security audit findings",
    "Sales strategy meeting", "Product launch timeline", "Office relocation update",
    "Travel reimbursement policy change",
]

#: The default chance of replying on an existing thread.
REPLY_PROBABILITY = 0.6

#: Thread rows asked for: only the newest is used.
THREAD_LOOKUP_LIMIT = 1


@dataclass(slots=True)
class Chosen:
    """A sender and a recipient with different addresses."""

    sender: Persona
    recipient: Persona


@dataclass(slots=True)
class TooFew:
    """Fewer than two distinct mailboxes among the candidates: how many
    candidates there were."""

    count: int


Pair = Union[Chosen, TooFew]

# Picks given no seed. A component built with WASI stubbed starts every
# instance from the same state, so the host's clock is mixed in.
_unseeded = PickRng(0x5EED)


def _unseeded_seed(host: Host) -> int:
    now = host.local_now()
    return _unseeded.next_u32() << 32 ^ (now.toordinal() * 86400 + now.hour * 3600 + now.minute * 60 + now.second)


class Tick:
    """The host, the random source, the tick's time, the caller's reply
    probability override, and the instance's cache."""

    def __init__(self, host: Host, cache: HostCache, options: PickOptions) -> None:
        p = options.reply_probability
        if p is not None and not 0.0 <= p <= 1.0:
            raise PickError(ErrorKind.INVALID_INPUT, f"reply probability must be between 0 and 1, got {p}")
        self.host = host
        self.cache = cache
        self.now: datetime = options.now if options.now is not None else host.local_now()
        seed = options.seed if options.seed is not None else _unseeded_seed(host)
        self.rng = PickRng(seed)
        self.reply_override = p

    # Draws and settings.
    def minute_of_day(self) -> int:
        return self.now.hour * 60 + self.now.minute

    def reply_probability(self, default: float) -> float:
        """The caller's reply probability if it gave one, else ``default``."""
        return default if self.reply_override is None else self.reply_override

    def coin(self, p: float) -> bool:
        """``True`` with probability ``p`` (one draw)."""
        return self.rng.random() < p

    def choose_index(self, length: int) -> int:
        """A uniform index into ``length`` items (one draw)."""
        return self.rng.randrange(length)

    # The helpers below call the cache and the draws directly rather than
    # through each other: every Python call costs thousands of Wasm
    # instructions in a component.

    def log(self, level: str, message: str) -> None:
        self.host.log(level, message)

    # Mail deckies and personas.
    def mail_deckies(self) -> list[Decky]:
        """Running deckies offering ``imap`` or ``pop3`` (kept by fingerprint)."""
        return self.cache.mail_deckies(self.host)

    def choose_mail_decky(self) -> Optional[Decky]:
        """A mail decky chosen uniformly; ``None`` when there is none."""
        deckies = self.cache.mail_deckies(self.host)
        return deckies[self.rng.randrange(len(deckies))] if deckies else None

    def personas(self, decky: Decky) -> tuple[list[Persona], str]:
        """The decky's persona source and its valid personas: a topology
        decky's own list, any other the global pool; and the source's label."""
        source = decky.source_label()
        if source == "topology":
            personas = self.cache.topology_personas(self.host, decky.topology_id) if decky.topology_id else []
        else:
            personas = self.cache.global_personas(self.host)
        return personas, source

    def is_active(self, persona: Persona) -> bool:
        """Whether the persona is in its active hours at the tick's time."""
        return persona.is_active(self.minute_of_day())

    def choose_pair(self, personas: list[Persona]) -> Pair:
        """A sender among those active now, then a recipient among the others
        with another address."""
        m = self.minute_of_day()
        # Persona.is_active, inlined: a method call per persona is a good
        # part of what this costs in an interpreter.
        return self._pair_among([p for p in personas if p.start == p.end
                                 or (p.start <= m < p.end if p.start < p.end else (m >= p.start or m < p.end))])

    def choose_pair_where(self, personas: list[Persona], keep: Callable[[Persona], bool]) -> Pair:
        """As ``choose_pair``, among those ``keep`` accepts instead."""
        return self._pair_among([p for p in personas if keep(p)])

    def _pair_among(self, candidates: list[Persona]) -> Pair:
        if len(candidates) < 2:
            return TooFew(len(candidates))
        randrange = self.rng.randrange
        sender = candidates[randrange(len(candidates))]
        email = sender.email
        others = [p for p in candidates if p.email != email]
        if not others:
            return TooFew(len(candidates))
        return Chosen(sender, others[randrange(len(others))])

    # Threads and actions.
    def newest_thread(self, decky: Decky, sender: Persona, recipient: Persona) -> Optional[ThreadRow]:
        """The pair's newest thread on the decky, if any (one store call)."""
        rows = self.host.list_email_threads(decky.uuid, sender.email, recipient.email, THREAD_LOOKUP_LIMIT)
        return rows[0] if rows else None

    def new_thread(self, decky: Decky, sender: Persona, recipient: Persona) -> EmailAction:
        """A new thread about a topic from ``CONTEXT_HINTS``."""
        thread_id = new_thread_id(self.rng)
        hint = CONTEXT_HINTS[self.rng.randrange(len(CONTEXT_HINTS))]
        return EmailAction(decky.uuid, sender, recipient, thread_id, hint)

    def new_thread_about(self, decky: Decky, sender: Persona, recipient: Persona, topic: str) -> EmailAction:
        """A new thread about ``topic``."""
        return EmailAction(decky.uuid, sender, recipient, new_thread_id(self.rng), topic)

    def reply_to(self, decky: Decky, sender: Persona, recipient: Persona, parent: ThreadRow) -> EmailAction:
        """A reply on ``parent``, its References and subject derived as the
        host derives them (so the host accepts it)."""
        subject = reply_subject(parent.subject)
        return EmailAction(decky.uuid, sender, recipient, parent.thread_id, subject, is_reply=True,
                           parent_message_id=parent.message_id,
                           references=references_for_reply(list(parent.references), parent.message_id),
                           subject_hint=subject)

    def too_few_personas(self, source: str, decky: Decky, count: int) -> Outcome:
        """The skip for a persona source with fewer than two valid personas."""
        self.log("debug", f"emailgen pick: source={source} mail_decky={decky.uuid} only {count} personas; need >=2")
        return Skip(TooFewPersonas(Shortage(source, decky.uuid, count)))

    def too_few_active(self, source: str, decky: Decky, count: int) -> Outcome:
        """The skip for fewer than two distinct mailboxes active now."""
        self.log("debug", f"emailgen pick: source={source} mail_decky={decky.uuid} only {count} personas "
                          "in-hours; need >=2")
        return Skip(TooFewActive(Shortage(source, decky.uuid, count)))

    def no_mail_decky(self) -> Outcome:
        """The skip for no running mail decky."""
        return Skip(NoMailDecky())

    def pick_on(self, decky: Decky, reply_probability: Callable[[Persona], float]) -> Outcome:
        """The default policy's steps on a chosen decky: its personas, a pair
        active now, a reply on their newest thread with the sender's chance
        (the coin first, the lookup only on heads), else a new thread."""
        personas, source = self.personas(decky)
        if len(personas) < 2:
            return self.too_few_personas(source, decky, len(personas))
        pair = self.choose_pair(personas)
        if isinstance(pair, TooFew):
            return self.too_few_active(source, decky, pair.count)
        sender, recipient = pair.sender, pair.recipient
        parent = self.newest_thread(decky, sender, recipient) if self.coin(reply_probability(sender)) else None
        if parent is not None:
            return Action(self.reply_to(decky, sender, recipient, parent))
        return Action(self.new_thread(decky, sender, recipient))
