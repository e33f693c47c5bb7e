"""DECNET's orchestrator worker with the package: the one-line change in
its pick, a typed outcome, errors, a hot swap. The book (docs/python.md)
shows the parts between the ANCHOR lines; python/tests/test_examples.py
runs every function here against a repository shaped like DECNET's."""
from __future__ import annotations

import random
from datetime import datetime
from typing import Any, Optional

# ANCHOR: start
import emailgen_picker as ep

picker = ep.Picker.builtin()  # once, at start-up; or ep.Picker.from_file("policy.wasm")
# ANCHOR_END: start


async def tick(repo: Any, rng: random.Random) -> Optional[ep.EmailAction]:
    """One tick of DECNET's worker (`decnet/orchestrator/worker.py`)."""
    # ANCHOR: pick
    action = await picker.pick(repo, rand=rng)  # was: await email_scheduler.pick(repo, rand=rng)
    # ANCHOR_END: pick
    return action


async def explain(repo: Any, now: datetime) -> str:
    """What a pick decided, and why, as a line for an operator."""
    # ANCHOR: outcome
    try:
        outcome = await picker.pick_outcome(repo, now=now, seed=7)
    except ep.StoreError as error:  # the repository failed: error.call names it, __cause__ is its exception
        return f"store error in {error.call}: {error.message}"
    except ep.PickError as error:  # the policy failed: deadline, memory, trap, policy violation, ...
        return f"{error.kind}: {error.message} (policy {error.policy.name})"
    if isinstance(outcome, ep.Skip):
        return f"skip {outcome.kind} on {outcome.mail_decky_uuid} ({outcome.source}, {outcome.count} personas)"
    return f"{outcome.action.sender.email} writes to {outcome.action.recipient.email}"  # outcome.to_json(): the CLI's line
    # ANCHOR_END: outcome


async def swap_in(repo: Any, path: str, rng: random.Random) -> ep.PolicyInfo:
    """Hot-swaps to the policy in `path` while the worker keeps picking."""
    # ANCHOR: swap
    slot = ep.PolicySlot(picker, rollback_after=3)
    await slot.swap(ep.Picker.from_file(path), canary_repo=repo)  # canary pick; raises ep.SwapRefused, keeps the old
    action = await slot.pick(repo, rand=rng)  # on the active policy
    slot.rollback()  # back to the one before
    # ANCHOR_END: swap
    assert action is None or isinstance(action, ep.EmailAction)
    return slot.active.policy
