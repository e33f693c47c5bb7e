"""Why a pick failed: one exception class per error kind of the host
(README, "Security model"), all subclasses of :class:`PickError`."""
from __future__ import annotations

import json
from typing import Any, Optional


class PickError(Exception):
    """A pick that ended as an error. ``kind`` is the error kind of the
    SPEC §7 JSON line (``store``, ``deadline``, ...), ``message`` what
    happened, ``policy`` the policy that made the pick."""

    kind = "internal"

    def __init__(self, message: str, *, policy: Any = None, line: Optional[str] = None,
                 instructions: Optional[int] = None) -> None:
        super().__init__(message)
        self.message = message
        self.policy = policy
        self.instructions = instructions
        """Wasm instructions the policy executed before the pick failed."""
        self._line = line

    def to_json(self) -> dict:
        """The SPEC §7 JSON line ``host-harness pick`` prints for this pick."""
        if self._line is not None:
            return json.loads(self._line)
        return {"outcome": "error", "error": {"kind": self.kind, "message": self.message}}


class StoreError(PickError):
    """A repository call failed. ``call`` names the repository method; the
    repository's own exception, when it raised one, is ``__cause__``."""

    kind = "store"

    def __init__(self, message: str, *, call: Optional[str] = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.call = call


class InvalidInput(PickError):
    """The pick's options were invalid (a reply probability outside 0-1, ...)."""

    kind = "invalid-input"


class InstructionBudgetExceeded(PickError):
    """The policy computed past its instruction budget (``Limits.instructions``):
    the same pick runs out at the same instruction on every machine."""

    kind = "instructions"


class DeadlineExceeded(PickError):
    """The policy waited (slept, polled) past its deadline
    (``Limits.deadline_ms``)."""

    kind = "deadline"


class WallClockExceeded(DeadlineExceeded):
    """The pick ran past the host's wall-clock limit (``Limits.wall_clock_ms``)
    within its instruction budget: the machine or the host was too slow.
    Not counted against the policy by a :class:`PolicySlot`."""

    kind = "wall-clock"


class MemoryExceeded(PickError):
    """The policy tried to grow its memory past its limit."""

    kind = "memory"


class PolicyViolation(PickError):
    """The policy broke the host's rules: a forged or unsafe answer, an
    import budget, an oversized call."""

    kind = "policy-violation"


class PolicyTrap(PickError):
    """The policy trapped (a panic, a stack overflow, ``exit``)."""

    kind = "trap"


class InternalError(PickError):
    """The policy reported a bug of its own."""

    kind = "internal"


ERRORS_BY_KIND = {cls.kind: cls for cls in (
    StoreError, InvalidInput, InstructionBudgetExceeded, DeadlineExceeded, WallClockExceeded, MemoryExceeded,
    PolicyViolation, PolicyTrap, InternalError)}
