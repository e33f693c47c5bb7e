"""Driving a native pick from the caller's event loop.

The pick runs inside Rust, a step at a time: each ``session.poll()`` runs
the policy until it needs something. When it asks the repository, the
repository's method is called here and awaited on the caller's loop (a
coroutine or a plain method); its answer goes back to the pick. While the
policy computes, it gives the loop a turn every 2 ms; when it waits on a
timer, the loop is woken when the timer fires. No thread hop per call.
"""
from __future__ import annotations

import asyncio
import inspect
from functools import partial
from typing import Any, Optional

from ._native import PickSession, PollStatus


class RepoFailure:
    """The last repository call that raised: its name and exception."""

    __slots__ = ("call", "error")

    def __init__(self, call: str, error: BaseException) -> None:
        self.call = call
        self.error = error


def _call_repo(repo: Any, call: str, args: tuple) -> Any:
    if call == "list_orchestrator_email_threads":
        decky, sender, recipient, limit = args
        return repo.list_orchestrator_email_threads(decky, sender, recipient, limit=limit)
    return getattr(repo, call)(*args)


def _wake(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_result(None)


async def drive(session: PickSession, repo: Any) -> tuple[Any, Optional[RepoFailure]]:
    """Runs a pick to its end: the native outcome, and the repository
    failure (if any) behind a store error."""
    failure: Optional[RepoFailure] = None
    while True:
        status = session.poll()
        if status == PollStatus.DONE:
            return session.outcome(), failure
        if status == PollStatus.STORE:
            call, *args = session.request()
            try:
                result = _call_repo(repo, call, tuple(args))
                if inspect.isawaitable(result):
                    result = await result
            except Exception as exc:  # noqa: BLE001 - the repository's failure is the pick's store error
                failure = RepoFailure(call, exc)
                session.fail(f"{call} raised {type(exc).__name__}: {exc}")
            else:
                session.answer(result)
        elif status == PollStatus.YIELD:
            await asyncio.sleep(0)
        else:
            loop = asyncio.get_running_loop()
            waiter = loop.create_future()
            session.wake_on(loop, partial(_wake, waiter))
            await waiter
