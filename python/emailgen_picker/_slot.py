"""Hot-swapping picker policies under a running orchestrator."""
from __future__ import annotations

import random
from datetime import datetime
from typing import Any, Optional, Union

from . import _native
from ._logs import emit
from ._native import PolicyInfo
from ._picker import Personas, Picker, Record, recorder, run, seed_for, typed_outcome
from ._types import Action, EmailAction, Skip


class PolicySlot:
    """The active picker policy, swapped atomically.

    ``swap`` runs a canary pick of the candidate on the given repository
    (on a fresh instance) and promotes it only if that pick is an action or
    a skip; otherwise it raises :class:`SwapRefused` and the active policy
    stays. Picks in flight finish on the policy they started with. After
    ``rollback_after`` policy failures in a row (not store failures; 0:
    never) the slot rolls back to the policy before. With ``record`` (a
    path or a :class:`Recorder`), every pick through the slot is recorded,
    whichever policy made it.
    """

    def __init__(self, picker: Picker, rollback_after: int = 3, *, record: Record = None) -> None:
        self.recorder = recorder(record)
        self._native = _native.NativeSlot(picker._native, rollback_after=rollback_after,
                                          recorder=self.recorder._native if self.recorder else None)

    @property
    def active(self) -> Picker:
        """The picker that picks now."""
        return Picker(self._native.active())

    async def swap(self, candidate: Picker, *, canary_repo: Any, now: Optional[datetime] = None,
                   seed: Optional[int] = None, reply_probability: Optional[float] = None,
                   global_personas: Personas = None) -> PolicyInfo:
        """Promotes ``candidate`` if its canary pick on ``canary_repo``
        succeeds; raises :class:`SwapRefused` (and keeps the active policy)
        if not."""
        session = candidate.start(fresh=True, now=now, seed=seed, reply_probability=reply_probability,
                                  global_personas=global_personas)
        canary, _failure = await run(session, canary_repo)
        try:
            return self._native.promote(candidate._native, canary)
        finally:
            emit()

    def rollback(self) -> PolicyInfo:
        """Reinstates the policy before; raises :class:`SwapRefused` if none."""
        try:
            return self._native.rollback()
        finally:
            emit()

    async def pick(self, repo: Any, *, now: Optional[datetime] = None, seed: Optional[int] = None,
                   reply_probability: Optional[float] = None, global_personas: Personas = None,
                   rand: Optional[random.Random] = None) -> Optional[EmailAction]:
        """:meth:`Picker.pick` on the active policy."""
        outcome = await self.pick_outcome(repo, now=now, seed=seed, reply_probability=reply_probability,
                                          global_personas=global_personas, rand=rand)
        return outcome.action if isinstance(outcome, Action) else None

    async def pick_outcome(self, repo: Any, *, now: Optional[datetime] = None, seed: Optional[int] = None,
                           reply_probability: Optional[float] = None, global_personas: Personas = None,
                           rand: Optional[random.Random] = None) -> Union[Action, Skip]:
        """:meth:`Picker.pick_outcome` on the active policy, counted toward
        the automatic rollback (which logs what it did)."""
        emit()
        session = self._native.start(now=now, seed=seed_for(seed, rand), reply_probability=reply_probability,
                                     global_personas=global_personas)
        native, failure = await run(session, repo)
        return typed_outcome(native, failure)
