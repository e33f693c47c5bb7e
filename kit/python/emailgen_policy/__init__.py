"""Write a picker policy for the emailgen host in Python.

A policy is a class with a ``pick(self, tick)`` method returning an
``Action`` or a ``Skip`` (or raising ``PickError``); ``tick`` holds the
host, the random source seeded from the pick's seed, the tick's time, and
the helpers every policy uses, under the Rust kit's names::

    from emailgen_policy import Action, Chosen, Policy, Tick

    class NeverReplies(Policy):
        def pick(self, tick: Tick):
            decky = tick.choose_mail_decky()
            if decky is None:
                return tick.no_mail_decky()
            personas, source = tick.personas(decky)
            if len(personas) < 2:
                return tick.too_few_personas(source, decky, len(personas))
            pair = tick.choose_pair(personas)
            if not isinstance(pair, Chosen):
                return tick.too_few_active(source, decky, pair.count)
            return Action(tick.new_thread(decky, pair.sender, pair.recipient))

The policy's module is made a component by ``host-harness build`` (a
pinned componentize-py); ``emailgen_policy.testing`` runs it in plain
Python against scenario files, so its tests need no Wasm.
"""
from __future__ import annotations

from .cache import HostCache
from .host import MAIL_SERVICES, Host
from .rng import PickRng
from .threads import new_thread_id, references_for_reply, reply_subject
from .tick import CONTEXT_HINTS, REPLY_PROBABILITY, Chosen, Pair, Tick, TooFew
from .types import (Action, Decky, EmailAction, ErrorKind, NoMailDecky, Outcome, Persona, PickError, PickOptions,
                    ReplyLatency, Shortage, Skip, SkipReason, ThreadRow, Tone, TooFewActive, TooFewPersonas)

#: The WIT package this kit builds against.
WIT_VERSION = "0.2.2"


class Policy:
    """A picker policy. An instance lives as long as its Wasm instance (a
    warm instance keeps its fields between picks)."""

    def pick(self, tick: Tick) -> Outcome:
        raise NotImplementedError


def run_pick(policy: Policy, cache: HostCache, host: Host, options: PickOptions) -> Outcome:
    """One pick: the tick started (options checked), the policy asked.
    A ``PickError`` propagates to the caller (the adapter or the runner)."""
    return policy.pick(Tick(host, cache, options))


__all__ = [
    "Action", "CONTEXT_HINTS", "Chosen", "Decky", "EmailAction", "ErrorKind", "Host", "HostCache",
    "MAIL_SERVICES", "NoMailDecky", "Outcome", "Pair", "Persona", "PickError", "PickOptions", "PickRng", "Policy",
    "REPLY_PROBABILITY", "ReplyLatency", "Shortage", "Skip", "SkipReason", "ThreadRow", "Tick", "Tone",
    "TooFew", "TooFewActive", "TooFewPersonas", "WIT_VERSION", "new_thread_id", "references_for_reply",
    "reply_subject", "run_pick",
]
