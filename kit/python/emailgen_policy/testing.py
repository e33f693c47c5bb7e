"""Running a policy in plain Python against scenario files (SPEC §7), so
``pytest`` on a policy needs no Wasm::

    from emailgen_policy.testing import ScenarioRun

    run = ScenarioRun(MyPolicy, "scenarios/office.json")
    outcome = run.pick(seed=7)

Persona lists are parsed by the host's own parser (through the
``emailgen_picker`` package of this repository), so a policy sees exactly
the personas the Wasm host serves it, at the same positions. A scenario
without ``global_personas`` has an empty global pool here (the CLI would
read the host's pool file)."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, Optional, Union

from . import Policy, run_pick
from .cache import HostCache
from .types import Decky, ErrorKind, Outcome, Persona, PickError, PickOptions, ReplyLatency, ThreadRow, Tone

try:
    from emailgen_picker._native import parse_personas as _parse
except ImportError as missing:  # pragma: no cover - said when used
    _parse = None
    _missing = missing


def parse_personas(text: str, language_default: str = "en") -> list[Persona]:
    """A persona list's valid personas, parsed as the host parses them."""
    if _parse is None:
        raise RuntimeError("emailgen_policy.testing needs the emailgen_picker package "
                           f"(pip install ./python from the emailgen repository): {_missing}")
    summaries, _warnings = _parse(text, language_default)
    return [Persona(s["position"], s["email"], s["start"], s["end"], Tone(s["tone"]),
                    ReplyLatency(s["reply_latency"]), s["uses_llms_heavily"]) for s in summaries]


def _list_text(value: Any) -> str:
    """A persona list given as JSON text or as JSON (a list), as text."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


class ScenarioHost:
    """A scenario's data as a policy's host. ``calls`` counts the store
    calls made; ``logs`` keeps what the policy logged."""

    def __init__(self, scenario: dict[str, Any], now: Optional[datetime] = None) -> None:
        self.deckies = [_decky(row) for row in scenario.get("deckies") or []]
        self.topologies: dict[str, tuple[str, str]] = {}
        for key, row in (scenario.get("topologies") or {}).items():
            self.topologies[row.get("id") or key] = (_list_text(row.get("email_personas")),
                                                     row.get("language_default") or "en")
        self.threads = scenario.get("threads") or []
        self.global_text = _list_text(scenario.get("global_personas"))
        self.now = now or datetime.now()
        self.calls: dict[str, int] = {}
        self.logs: list[tuple[str, str]] = []
        self.failing: Optional[str] = None

    def _answer(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1
        if self.failing == name:
            raise PickError(ErrorKind.STORE, f"{name} failed: connection refused")

    def list_running_deckies(self, services: list[str]) -> list[Decky]:
        self._answer("list-running-deckies")
        return [d for d in self.deckies if not services or any(s in d.services for s in services)]

    # A scenario's data never changes under a run: one fingerprint for all
    # of it lets the kit's cache keep what it fetched, as on a warm instance.
    def running_deckies_fingerprint(self, services: list[str]) -> Optional[int]:
        return 0

    def topology_personas(self, topology_id: str) -> Optional[list[Persona]]:
        self._answer("topology-personas")
        if topology_id not in self.topologies:
            return None
        text, language = self.topologies[topology_id]
        return parse_personas(text, language)

    def topology_fingerprint(self, topology_id: str) -> Optional[int]:
        return 0

    def global_pool_personas(self) -> list[Persona]:
        self._answer("global-pool-personas")
        return parse_personas(self.global_text, "en")

    def global_personas_fingerprint(self) -> Optional[int]:
        return 0

    def list_email_threads(self, mail_decky_uuid: str, sender_email: str, recipient_email: str,
                           limit: int) -> list[ThreadRow]:
        self._answer("list-email-threads")
        rows = [t for t in self.threads if _matches(t, mail_decky_uuid, sender_email, recipient_email)]
        return [ThreadRow(t["thread_id"], t["message_id"], t["subject"], list(t.get("references") or []))
                for t in rows[:limit]]

    def local_now(self) -> datetime:
        return self.now

    def log(self, level: str, message: str) -> None:
        self.logs.append((level, message))


def _decky(row: dict[str, Any]) -> Decky:
    services = row.get("services")
    services = [s for s in services if isinstance(s, str)] if isinstance(services, list) else []
    return Decky(row["uuid"], row.get("name") or row["uuid"], services, row.get("topology_id"), row.get("source"))


def _matches(row: dict[str, Any], decky: str, sender: str, recipient: str) -> bool:
    def same(key: str, value: str) -> bool:
        return row.get(key) is None or row[key] == value

    def pair(a: str, b: str) -> bool:
        return same("sender_email", a) and same("recipient_email", b)

    return same("mail_decky_uuid", decky) and (pair(sender, recipient) or pair(recipient, sender))


class ScenarioRun:
    """A policy instance and a scenario: picks as a host would run them,
    the instance kept between picks like a warm one."""

    def __init__(self, policy_class: type[Policy], scenario: Union[str, Path, dict[str, Any]]) -> None:
        if not isinstance(scenario, dict):
            scenario = json.loads(Path(scenario).read_text())
        self.policy_class = policy_class
        now = scenario.get("now")
        self.options = PickOptions(seed=scenario.get("seed"),
                                   now=datetime.fromisoformat(now) if now else None,
                                   reply_probability=scenario.get("reply_probability"))
        self.host = ScenarioHost(scenario)
        self.policy = policy_class()
        self.cache = HostCache()

    def pick(self, seed: Optional[int] = None, now: Optional[datetime] = None,
             reply_probability: Optional[float] = None) -> Outcome:
        """One pick with the scenario's settings, each overridden when given.
        A ``PickError`` the policy raises propagates."""
        options = PickOptions(seed=self.options.seed if seed is None else seed,
                              now=self.options.now if now is None else now,
                              reply_probability=self.options.reply_probability if reply_probability is None
                              else reply_probability)
        return run_pick(self.policy, self.cache, self.host, options)

    def pick_fresh(self, seed: Optional[int] = None, now: Optional[datetime] = None) -> Outcome:
        """One pick on a new instance (nothing kept), as a host that starts
        an instance per tick runs it."""
        self.policy, self.cache = self.policy_class(), HostCache()
        return self.pick(seed=seed, now=now)
