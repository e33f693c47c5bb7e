"""Hot-swapping picker policies under a running orchestrator."""
from __future__ import annotations

from typing import Any, Optional, Union

from . import _native
from ._logs import emit
from ._picker import Picker, Record, policy_info, recorder, typed_outcome
from ._types import Action, EmailAction, PolicyInfo, Skip


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
        self._native = _native.NativeSlot(picker._native, rollback_after)
        self.recorder = recorder(record)

    @property
    def active(self) -> Picker:
        """The picker that picks now."""
        native, _generation = self._native.active()
        return Picker(native)

    async def swap(self, candidate: Picker, *, canary_repo: Any, now=None, seed: Optional[int] = None,
                   reply_probability: Optional[float] = None, global_personas=None) -> PolicyInfo:
        """Promotes ``candidate`` if its canary pick on ``canary_repo``
        succeeds; raises :class:`SwapRefused` (and keeps the active policy)
        if not."""
        canary, _failure = await candidate.run(canary_repo, now=now, seed=seed, reply_probability=reply_probability,
                                               global_personas=global_personas, fresh=True)
        try:
            return policy_info(self._native.promote(candidate._native, canary))
        finally:
            emit()

    def rollback(self) -> PolicyInfo:
        """Reinstates the policy before; raises :class:`SwapRefused` if none."""
        try:
            return policy_info(self._native.rollback())
        finally:
            emit()

    async def pick(self, repo: Any, **options: Any) -> Optional[EmailAction]:
        """:meth:`Picker.pick` on the active policy."""
        outcome = await self.pick_outcome(repo, **options)
        return outcome.action if isinstance(outcome, Action) else None

    async def pick_outcome(self, repo: Any, *, now=None, seed: Optional[int] = None,
                           reply_probability: Optional[float] = None, global_personas=None,
                           rand=None) -> Union[Action, Skip]:
        """:meth:`Picker.pick_outcome` on the active policy, counted toward
        the automatic rollback."""
        native_picker, generation = self._native.active()
        picker = Picker(native_picker)
        if seed is None and rand is not None:
            seed = rand.getrandbits(64)
        native, failure = await picker.run(repo, now=now, seed=seed, reply_probability=reply_probability,
                                           global_personas=global_personas, record=self.recorder)
        self._native.record(native, generation)  # logs a rollback it made
        emit()
        return typed_outcome(native, failure)
