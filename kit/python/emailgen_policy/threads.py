"""A reply's headers exactly as the host derives them (and checks them),
and new thread ids."""
from __future__ import annotations

from .rng import PickRng


def reply_subject(subject: str) -> str:
    """``Re: `` and the subject with its leading ``Re:`` prefixes folded
    (ASCII case-insensitive), stripped as Python's ``str.strip`` strips."""
    rest = subject.strip()
    while len(rest) >= 3 and rest[0] in "rR" and rest[1] in "eE" and rest[2] == ":":
        rest = rest[3:].lstrip()
    return "Re: " + rest


def references_for_reply(parent_references: list[str], parent_message_id: str) -> str:
    """The parent's ``References`` followed by its own Message-ID."""
    return " ".join([*parent_references, parent_message_id])


def new_thread_id(rng: PickRng) -> str:
    """A random UUID (version 4) in canonical form, drawn from ``rng``."""
    b = bytearray(rng.randbytes(16))
    b[6] = (b[6] & 0x0F) | 0x40  # version 4
    b[8] = (b[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
