"""A sandboxed picker policy, awaited from asyncio."""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime
from os import PathLike
from typing import Any, Optional, Union

from . import _native
from ._driver import RepoFailure, drive
from ._errors import ERRORS_BY_KIND, PickError, StoreError
from ._logs import emit
from ._types import Action, EmailAction, PolicyInfo, Skip, email_action

Personas = Union[str, list, None]


class Recorder:
    """A record file: every pick of the pickers and slots given it, one JSON
    line each (``host-harness replay --record FILE`` re-runs them). Written
    off the event loop's thread; rotated past ``max_mib``, ``keep`` rotated
    files kept."""

    def __init__(self, path: Union[str, PathLike], *, max_mib: int = 64, keep: int = 4) -> None:
        self.path = str(path)
        self._native = _native.NativeRecorder(self.path, max_mib << 20, keep)

    def flush(self) -> None:
        """Returns once every record taken so far is written."""
        try:
            self._native.flush()
        finally:
            emit()


Record = Union[str, PathLike, Recorder, None]


def recorder(record: Record) -> Optional[Recorder]:
    """A recorder for a ``record=`` argument (a path or a Recorder)."""
    if record is None or isinstance(record, Recorder):
        return record
    return Recorder(record)


@dataclass(frozen=True)
class Limits:
    """What one pick may use (the CLI's ``--deadline-ms`` and
    ``--memory-mib``): wall-clock time of the policy's own (time waiting for
    the repository does not count) and linear memory."""

    deadline_ms: int = 50
    memory_mib: int = 32


def _now_tuple(now: Optional[datetime]) -> Optional[tuple]:
    """The wall clock ``now`` names (an offset is dropped, as the CLI does)."""
    if now is None:
        return None
    if not isinstance(now, datetime):
        raise TypeError(f"now must be a datetime, not {type(now).__name__}")
    return (now.year, now.month, now.day, now.hour, now.minute, now.second)


def _pool_text(global_personas: Personas) -> Optional[str]:
    if global_personas is None or isinstance(global_personas, str):
        return global_personas
    return json.dumps(global_personas)


def _seed(seed: Optional[int], rand: Optional[random.Random]) -> Optional[int]:
    if seed is None and rand is not None:
        return rand.getrandbits(64)
    if seed is not None and not 0 <= seed < 2**64:
        raise ValueError(f"seed must be 0 to 2**64 - 1, not {seed}")
    return seed


def policy_info(native_outcome_or_policy: Any) -> PolicyInfo:
    name, sha256, wit_version = native_outcome_or_policy
    return PolicyInfo(name, sha256, wit_version)


def typed_outcome(native: Any, failure: Optional[RepoFailure]) -> Union[Action, Skip]:
    """The outcome as Python types; an error is raised as its PickError."""
    policy = policy_info(native.policy)
    kind = native.kind
    if kind == "action":
        return Action(email_action(native.action(), policy), policy, native)
    if kind == "skip":
        skip_kind, source, decky, count = native.skip()
        return Skip(skip_kind, source, decky, count, policy, native)
    error_kind, message = native.error()
    line = native.to_json()
    if error_kind == "store":
        error = StoreError(message, call=failure.call if failure else None, policy=policy, line=line)
        raise error from (failure.error if failure else None)
    raise ERRORS_BY_KIND.get(error_kind, PickError)(message, policy=policy, line=line)


class Picker:
    """One picker policy, loaded and checked, ready to pick.

    ``await picker.pick(repo)`` is a drop-in for DECNET's
    ``email_scheduler.pick(repo, rand=rng)``: ``repo`` is any object with
    ``list_running_deckies()``, ``get_topology(topology_id)`` and
    ``list_orchestrator_email_threads(mail_decky_uuid, sender_email,
    recipient_email, limit=...)``, coroutines or plain methods. Many picks
    may run at once on one picker, each on its own instance.
    """

    def __init__(self, native: Any, record: Record = None) -> None:
        self._native = native
        self.policy = policy_info(native.id)
        self.recorder = recorder(record)

    @classmethod
    def builtin(cls, name: str = "default", *, limits: Optional[Limits] = None, record: Record = None) -> "Picker":
        """A policy built into the package: ``default`` or ``realistic``.
        With ``record`` (a path or a :class:`Recorder`), every pick is
        recorded there."""
        limits = limits or Limits()
        try:
            return cls(_native.NativePolicy.builtin(name, limits.deadline_ms, limits.memory_mib), record)
        finally:
            emit()

    @classmethod
    def from_file(
        cls,
        path: Union[str, PathLike],
        *,
        limits: Optional[Limits] = None,
        cache_dir: Union[str, PathLike, None] = None,
        record: Record = None,
    ) -> "Picker":
        """A policy from a WebAssembly component file. With ``cache_dir``,
        its compiled code is kept there and reloaded without compiling;
        with ``record``, every pick is recorded."""
        limits = limits or Limits()
        try:
            native = _native.NativePolicy.from_file(str(path), limits.deadline_ms, limits.memory_mib,
                                                    None if cache_dir is None else str(cache_dir))
        finally:
            emit()
        return cls(native, record)

    async def pick(
        self,
        repo: Any,
        *,
        now: Optional[datetime] = None,
        seed: Optional[int] = None,
        reply_probability: Optional[float] = None,
        global_personas: Personas = None,
        rand: Optional[random.Random] = None,
    ) -> Optional[EmailAction]:
        """One tick: the email to send, or None when the tick is skipped.
        Raises a :class:`PickError` subclass when the pick fails."""
        outcome = await self.pick_outcome(repo, now=now, seed=seed, reply_probability=reply_probability,
                                          global_personas=global_personas, rand=rand)
        return outcome.action if isinstance(outcome, Action) else None

    async def pick_outcome(
        self,
        repo: Any,
        *,
        now: Optional[datetime] = None,
        seed: Optional[int] = None,
        reply_probability: Optional[float] = None,
        global_personas: Personas = None,
        rand: Optional[random.Random] = None,
    ) -> Union[Action, Skip]:
        """One tick as an :class:`Action` or a :class:`Skip`; raises a
        :class:`PickError` subclass when the pick fails. ``now`` is the
        tick's local wall clock (the host's when None); the same ``seed``,
        data and ``now`` give the same outcome as ``host-harness pick``.
        ``global_personas`` (JSON text or a list) replaces the pool file."""
        native, failure = await self.run(repo, now=now, seed=_seed(seed, rand),
                                         reply_probability=reply_probability, global_personas=global_personas)
        return typed_outcome(native, failure)

    async def run(self, repo: Any, *, now: Optional[datetime], seed: Optional[int],
                  reply_probability: Optional[float], global_personas: Personas,
                  fresh: bool = False, record: Optional[Recorder] = None) -> tuple[Any, Optional[RepoFailure]]:
        """The native outcome of one pick (no exception for an error),
        recorded into ``record`` or this picker's recorder."""
        into = record or self.recorder
        emit()  # lines from elsewhere (a record writer), and this pick's level
        session = self._native.start(seed, _now_tuple(now), reply_probability, _pool_text(global_personas), fresh,
                                     into._native if into else None)
        try:
            return await drive(session, repo)
        finally:
            emit()
