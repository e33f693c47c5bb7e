"""A sandboxed picker policy, awaited from asyncio."""
from __future__ import annotations

import asyncio
import functools
import random
from datetime import datetime
from os import PathLike
from typing import Any, Optional, Union

from . import _native
from ._driver import RepoFailure, drive
from ._errors import ERRORS_BY_KIND, PickError, StoreError
from ._logs import emit
from ._native import Limits, NativeOutcome, PickSession, PolicyInfo
from ._types import Action, EmailAction, Skip, email_action

Personas = Union[str, list, None]


class Recorder:
    """A record file: every pick of the pickers and slots given it, one JSON
    line each (``host-harness replay --record FILE`` re-runs them). Written
    off the event loop's thread; rotated past ``max_mib``, ``keep`` rotated
    files kept."""

    def __init__(self, path: Union[str, PathLike], *, max_mib: int = 64, keep: int = 4) -> None:
        self.path = str(path)
        self._native = _native.NativeRecorder(self.path, max_bytes=max_mib << 20, keep=keep)

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


def seed_for(seed: Optional[int], rand: Optional[random.Random]) -> Optional[int]:
    """The seed of a pick: the one given, else one drawn from ``rand`` (the
    worker's generator), else None (the host draws one). The host checks
    its range."""
    if seed is None and rand is not None:
        return rand.getrandbits(64)
    return seed


def typed_outcome(native: NativeOutcome, failure: Optional[RepoFailure]) -> Union[Action, Skip]:
    """The outcome as Python types; an error is raised as its PickError."""
    policy = native.policy
    kind = native.kind
    if kind == "action":
        return Action(email_action(native.action(), policy), policy, native.instructions, native)
    if kind == "skip":
        skip_kind, source, decky, count = native.skip()
        return Skip(skip_kind, source, decky, count, policy, native.instructions, native)
    error_kind, message = native.error()
    line, instructions = native.to_json(), native.instructions
    if error_kind == "store":
        error = StoreError(message, call=failure.call if failure else None, policy=policy, line=line,
                           instructions=instructions)
        raise error from (failure.error if failure else None)
    raise ERRORS_BY_KIND.get(error_kind, PickError)(message, policy=policy, line=line, instructions=instructions)


class Picker:
    """One picker policy, loaded and checked, ready to pick.

    ``await picker.pick(repo)`` is a drop-in for DECNET's
    ``email_scheduler.pick(repo, rand=rng)``: ``repo`` is any object with
    ``list_running_deckies()``, ``get_topology(topology_id)`` and
    ``list_orchestrator_email_threads(mail_decky_uuid, sender_email,
    recipient_email, limit=...)``, coroutines or plain methods. Many picks
    may run at once on one picker, each on its own instance.
    """

    def __init__(self, native: _native.NativePolicy, record: Record = None) -> None:
        self._native = native
        self.policy: PolicyInfo = native.id
        self.recorder = recorder(record)

    @classmethod
    def builtin(cls, name: str = "default", *, limits: Optional[Limits] = None, record: Record = None) -> "Picker":
        """A policy built into the package: ``default`` or ``realistic``.
        With ``record`` (a path or a :class:`Recorder`), every pick is
        recorded there."""
        try:
            return cls(_native.NativePolicy.builtin(name, limits=limits), record)
        finally:
            emit()

    @classmethod
    def from_file(
        cls,
        path: Union[str, PathLike],
        *,
        limits: Optional[Limits] = None,
        cache_dir: Union[str, PathLike, None] = None,
        cache: bool = True,
        record: Record = None,
    ) -> "Picker":
        """A policy from a WebAssembly component file. It is checked before
        it is compiled (its size, imports, WIT version, world and memory),
        and its compiled code is kept in a cache (``cache_dir``, or the
        per-user default; owner-only) and reloaded without compiling, unless
        ``cache`` is false; with ``record``, every pick is recorded.

        This blocks its thread while it compiles (seconds, for a large
        policy): in a running orchestrator use ``await Picker.load(...)``."""
        try:
            native = _native.NativePolicy.from_file(str(path), limits=limits, cache=cache,
                                                    cache_dir=None if cache_dir is None else str(cache_dir))
        finally:
            emit()
        return cls(native, record)

    @classmethod
    async def load(
        cls,
        path: Union[str, PathLike],
        *,
        limits: Optional[Limits] = None,
        cache_dir: Union[str, PathLike, None] = None,
        cache: bool = True,
        record: Record = None,
    ) -> "Picker":
        """:meth:`from_file`, off the event loop: the component is read,
        checked and compiled on a worker thread (the GIL released), so the
        loop, and the picks on it, go on meanwhile."""
        loop = asyncio.get_running_loop()
        load = functools.partial(cls.from_file, path, limits=limits, cache_dir=cache_dir, cache=cache, record=record)
        return await loop.run_in_executor(None, load)

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
        session = self.start(now=now, seed=seed_for(seed, rand), reply_probability=reply_probability,
                             global_personas=global_personas)
        native, failure = await run(session, repo)
        return typed_outcome(native, failure)

    def start(self, *, fresh: bool = False, **options: Any) -> PickSession:
        """A native pick (its options checked now), recorded into this
        picker's recorder."""
        emit()  # lines from elsewhere (a record writer), and this pick's level
        into = self.recorder._native if self.recorder else None
        return self._native.start(fresh=fresh, recorder=into, **options)


async def run(session: PickSession, repo: Any) -> tuple[NativeOutcome, Optional[RepoFailure]]:
    """Drives a native pick against ``repo`` to its outcome (no exception
    for an error)."""
    try:
        return await drive(session, repo)
    finally:
        emit()
