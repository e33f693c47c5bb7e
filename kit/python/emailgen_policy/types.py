"""The records a policy works with, as the WIT (`wit/picker.wit`, package
``decnet:emailgen``) defines them: same names, same fields, snake_case."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Generic, Optional, TypeVar, Union


@dataclass(slots=True)
class Decky:
    """A running decky: ``services`` it offers, its persona ``source``
    (``topology`` uses its topology's list; anything else the global pool)."""

    uuid: str
    name: str
    services: list[str]
    topology_id: Optional[str] = None
    source: Optional[str] = None

    def source_label(self) -> str:
        """The persona source a skip names: ``topology``, or the source
        given (``unknown`` when none)."""
        return self.source or "unknown"

    def is_mail_decky(self) -> bool:
        """Offers ``imap`` or ``pop3``."""
        return "imap" in self.services or "pop3" in self.services


@dataclass(slots=True)
class ThreadRow:
    """A message already sent on a thread: what a reply chains to."""

    thread_id: str
    message_id: str
    subject: str
    references: list[str] = field(default_factory=list)


class Tone(Enum):
    FORMAL = "formal"
    DIRECT = "direct"
    CASUAL = "casual"
    TECHNICAL = "technical"
    CUSTOM = "custom"


class ReplyLatency(Enum):
    FAST = "fast"
    NORMAL = "normal"
    SLOW = "slow"


@dataclass(slots=True)
class Persona:
    """A valid persona as the host parsed it (WIT ``persona-summary``):
    ``position`` in its list (what an action names), its address, its active
    window in minutes of the day (``start == end``: always active)."""

    position: int
    email: str
    start: int
    end: int
    tone: Tone = Tone.DIRECT
    reply_latency: ReplyLatency = ReplyLatency.NORMAL
    uses_llms_heavily: bool = False

    def is_active(self, minute: int) -> bool:
        """Whether ``minute`` (of the day) is within the window (SPEC §4; a
        window may span midnight)."""
        if self.start == self.end:
            return True
        if self.start < self.end:
            return self.start <= minute < self.end
        return minute >= self.start or minute < self.end


@dataclass(slots=True)
class EmailAction:
    """What a pick decides (WIT ``email-action``). The host answers with its
    own copies of the decky and the two personas."""

    mail_decky_uuid: str
    sender: Persona
    recipient: Persona
    thread_id: str
    context_hint: str
    is_reply: bool = False
    parent_message_id: Optional[str] = None
    references: str = ""
    subject_hint: Optional[str] = None
    parent_excerpt: Optional[str] = None
    description: str = "email:send"


@dataclass(slots=True)
class Shortage:
    """Which persona source came up short, on which decky, with how many."""

    source: str
    mail_decky_uuid: str
    count: int


@dataclass(slots=True)
class NoMailDecky:
    """No running decky offers ``imap`` or ``pop3``."""


@dataclass(slots=True)
class TooFewPersonas:
    """The decky's persona source has fewer than two valid personas."""

    shortage: Shortage


@dataclass(slots=True)
class TooFewActive:
    """Fewer than two distinct mailboxes are in their active hours."""

    shortage: Shortage


SkipReason = Union[NoMailDecky, TooFewPersonas, TooFewActive]


class ErrorKind(Enum):
    """The kinds a policy may report itself (the host adds others when it
    stops a policy)."""

    STORE = "store"
    INVALID_INPUT = "invalid-input"
    INTERNAL = "internal"


class PickError(Exception):
    """Ends a pick as an error (a store failure, bad options, a bug)."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(slots=True)
class Action:
    """The outcome that sends mail."""

    action: EmailAction


@dataclass(slots=True)
class Skip:
    """The outcome that sends nothing this tick (a normal outcome)."""

    reason: SkipReason


Outcome = Union[Action, Skip]


@dataclass(slots=True)
class PickOptions:
    """What a pick is asked: a seed for every random choice, the tick's
    local time, a reply probability override (0–1)."""

    seed: Optional[int] = None
    now: Optional[datetime] = None
    reply_probability: Optional[float] = None
