"""Fixtures: a fake async repository shaped like DECNET's (and like its own
tests' fakes), scenarios as repositories, the CLI and the hostile policy."""
from __future__ import annotations

import asyncio
import json
import os
import pathlib
import shutil
import subprocess
from datetime import datetime
from typing import Any, Optional

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
# The shared sample scenarios, copied into the repository (tests/scenarios/README.md).
SAMPLES = ROOT / "tests" / "scenarios" / "samples"
SHARED_SAMPLES = ROOT.parent / "shared" / "scenarios"
BENCH = ROOT / "bench"
TARGET = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))

NOW = datetime(2026, 4, 27, 10, 0)  # a Monday, 10:00


def persona(name: str, email: str, **fields: Any) -> dict:
    return {"name": name, "email": email, "role": "Staff", "tone": "casual", **fields}


def people(n: int, domain: str = "acme.example", **fields: Any) -> list[dict]:
    return [persona(f"P{i}", f"p{i}@{domain}", **fields) for i in range(n)]


def decky(uuid: str, services: list[str], source: Optional[str] = "topology",
          topology_id: Optional[str] = None, name: Optional[str] = None) -> dict:
    return {"uuid": uuid, "name": name if name is not None else f"{uuid}-host", "ip": "10.0.0.9",
            "services": services, "topology_id": topology_id, "source": source}


class FakeRepo:
    """DECNET's repository, in memory: the three methods the picker calls,
    as coroutines that yield to the loop (``asyncio.sleep(0)``), with the
    orchestrator's row shapes. Records every call; a method named in
    ``failing`` raises."""

    def __init__(self, deckies=(), topologies=None, threads=(), failing: Optional[str] = None,
                 yield_first: bool = True) -> None:
        self.deckies = list(deckies)
        self.topologies = dict(topologies or {})
        self.threads = list(threads)
        self.failing = failing
        self.yield_first = yield_first
        self.calls: list[tuple] = []

    async def _enter(self, call: str, *args: Any) -> None:
        self.calls.append((call, *args))
        if self.yield_first:
            await asyncio.sleep(0)
        if self.failing == call:
            raise ConnectionError(f"{call}: connection refused")

    async def list_running_deckies(self) -> list[dict]:
        await self._enter("list_running_deckies")
        return [dict(d) for d in self.deckies]

    async def get_topology(self, topology_id: str) -> Optional[dict]:
        await self._enter("get_topology", topology_id)
        return self.topologies.get(topology_id)

    async def list_orchestrator_email_threads(self, mail_decky_uuid: str, sender_email: str,
                                              recipient_email: str, *, limit: int = 50) -> list[dict]:
        await self._enter("list_orchestrator_email_threads", mail_decky_uuid, sender_email, recipient_email, limit)
        pair = {sender_email, recipient_email}
        rows = [t for t in self.threads
                if t.get("mail_decky_uuid", mail_decky_uuid) == mail_decky_uuid
                and ({t.get("sender_email"), t.get("recipient_email")} == pair
                     or (t.get("sender_email") is None and t.get("recipient_email") is None))]
        return [dict(r) for r in rows[:limit]]


def topology(tid: str, personas: Any, language_default: str = "en") -> dict:
    text = personas if isinstance(personas, str) else json.dumps(personas)
    return {"id": tid, "email_personas": text, "language_default": language_default}


def company(personas: Any, **repo: Any) -> FakeRepo:
    """One topology mail decky ``mx1`` on topology ``t1``."""
    return FakeRepo(deckies=[decky("mx1", ["imap", "smtp"], "topology", "t1")],
                    topologies={"t1": topology("t1", personas)}, **repo)


class ScenarioRepo(FakeRepo):
    """A scenario file (SPEC §7) as a repository, with the scenario's
    thread filters: a row's mail decky and pair, when it has them, must
    equal the lookup's (the pair either way)."""

    def __init__(self, scenario: dict) -> None:
        topologies = {tid: {**t, "email_personas": t["email_personas"] if isinstance(t["email_personas"], str)
                            else json.dumps(t["email_personas"])}
                      for tid, t in (scenario.get("topologies") or {}).items()}
        super().__init__(deckies=scenario.get("deckies") or [], topologies=topologies,
                         threads=scenario.get("threads") or [])

    async def list_orchestrator_email_threads(self, mail_decky_uuid, sender_email, recipient_email, *, limit=50):
        await self._enter("list_orchestrator_email_threads", mail_decky_uuid, sender_email, recipient_email, limit)

        def matches(row: dict) -> bool:
            def same(key: str, value: str) -> bool:
                return row.get(key) is None or row.get(key) == value

            def pair(a: str, b: str) -> bool:
                return same("sender_email", a) and same("recipient_email", b)

            return same("mail_decky_uuid", mail_decky_uuid) and (
                pair(sender_email, recipient_email) or pair(recipient_email, sender_email))

        return [r for r in self.threads if matches(r)][:limit]


def scenario_options(scenario: dict) -> dict:
    """The pick options a scenario gives, as keyword arguments."""
    options: dict = {}
    if scenario.get("now"):
        options["now"] = datetime.fromisoformat(scenario["now"])
    if scenario.get("seed") is not None:
        options["seed"] = scenario["seed"]
    if scenario.get("reply_probability") is not None:
        options["reply_probability"] = scenario["reply_probability"]
    if "global_personas" in scenario:
        pool = scenario["global_personas"]
        options["global_personas"] = "" if pool is None else pool
    return options


def cargo(*args: str) -> None:
    subprocess.run(["cargo", *args], cwd=ROOT, check=True)


@pytest.fixture(scope="session")
def harness() -> pathlib.Path:
    """The `host-harness` binary (built when missing). `cargo test
    --workspace` builds it first in tools/test-all.sh; a plain `cargo build
    -p host-harness` would build it again, with other features."""
    binary = TARGET / "debug" / "host-harness"
    if not binary.exists():
        cargo("build", "-q", "-p", "host-harness")
    return binary


def guest(package: str, tmp_path_factory) -> pathlib.Path:
    """A guest package's component, built where the Rust tests build it
    (host/build/guests.rs) and copied away at once: another build there may
    rewrite it."""
    out = TARGET / "wasm-guests"
    cargo("build", "-q", "--lib", "-p", package, "--target", "wasm32-wasip2", "--profile", "guest",
          "--target-dir", str(out))
    name = package.replace("-", "_") + ".wasm"
    copy = tmp_path_factory.mktemp("fixtures") / name
    shutil.copyfile(out / "wasm32-wasip2" / "guest" / name, copy)
    return copy


@pytest.fixture(scope="session")
def hostile_wasm(tmp_path_factory) -> pathlib.Path:
    """The hostile policy fixture (tests/fixtures/hostile-policy)."""
    return guest("hostile-policy", tmp_path_factory)


@pytest.fixture(scope="session")
def realistic_wasm(tmp_path_factory) -> pathlib.Path:
    """The realistic policy (policies/realistic) as a component file."""
    return guest("realistic-policy", tmp_path_factory)


@pytest.fixture(scope="session")
def seeds() -> dict:
    """The hostile fixture's seeds, read from its source (one place)."""
    source = (ROOT / "tests/fixtures/hostile-policy/src/lib.rs").read_text()
    found = {}
    for line in source.splitlines():
        line = line.strip()
        if line.startswith("pub const ") and ": u64 = " in line:
            name, value = line[len("pub const "):].rstrip(";").split(": u64 = ")
            found[name] = int(value)
    return found


class LoopWatch:
    """On the running loop, while the ``async with`` body runs: a ticker
    that notes the gaps between its ticks (``gaps``, seconds), and an
    orchestrator that picks through ``slot`` one pick after another
    (``picks``: the name of the policy that made each; any error raises)."""

    def __init__(self, slot: Any, repo: Any, tick: float = 0.005, pause: float = 0.002) -> None:
        self.slot, self.repo, self.tick, self.pause = slot, repo, tick, pause
        self.gaps: list[float] = []
        self.picks: list[str] = []
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    async def _ticker(self) -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while not self._stop.is_set():
            await asyncio.sleep(self.tick)
            now = loop.time()
            self.gaps.append(now - last)
            last = now

    async def _orchestrator(self) -> None:
        seed = 0
        while not self._stop.is_set():
            seed += 1
            action = await self.slot.pick(self.repo, now=NOW, seed=seed)
            self.picks.append(action.policy.name)
            await asyncio.sleep(self.pause)

    async def __aenter__(self) -> "LoopWatch":
        self._tasks = [asyncio.create_task(self._ticker()), asyncio.create_task(self._orchestrator())]
        return self

    async def __aexit__(self, *_exc: Any) -> None:
        self._stop.set()
        await asyncio.gather(*self._tasks)
