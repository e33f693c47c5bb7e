"""µs per ``await picker.pick(repo)`` beside DECNET's own
``scheduler.pick(repo)``, on the same in-memory async repository loaded
with a bench workload, in one run (BENCHMARKS.md, "From Python").

    python python/bench/bench_picks.py [--picks N] [--policy FILE.wasm] bench/medium.json bench/large.json

Needs ``decnet==1.0.0`` and this package (release build: ``maturin develop
--release``) in the same environment. Each pick is timed on its own
(``perf_counter_ns``); the two pickers alternate in blocks of 100 picks so
that drift hits both alike; medians and 10th-90th percentiles are printed.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import time
from datetime import datetime

os.environ.setdefault("DECNET_TESTING", "1")

from decnet.orchestrator.emailgen import scheduler  # noqa: E402

import emailgen_picker as ep  # noqa: E402


class MemoryRepo:
    """The workload in memory, as DECNET's repository shapes it (dict rows),
    behind coroutines. The same objects every call, for both pickers."""

    def __init__(self, scenario: dict) -> None:
        self.deckies = scenario.get("deckies") or []
        self.topologies = {tid: {**t, "email_personas": t["email_personas"] if isinstance(t["email_personas"], str)
                                 else json.dumps(t["email_personas"])}
                           for tid, t in (scenario.get("topologies") or {}).items()}
        self.threads = scenario.get("threads") or []

    async def list_running_deckies(self):
        return self.deckies

    async def get_topology(self, topology_id):
        return self.topologies.get(topology_id)

    async def list_orchestrator_email_threads(self, mail_decky_uuid, sender_email, recipient_email, *, limit=50):
        pair = (sender_email, recipient_email)
        rows = [r for r in self.threads
                if r.get("mail_decky_uuid", mail_decky_uuid) == mail_decky_uuid
                and (r.get("sender_email") is None or (r.get("sender_email"), r.get("recipient_email")) in (pair, pair[::-1]))]
        return rows[:limit]


async def timed(pick, seeds) -> list[float]:
    out = []
    for seed in seeds:
        started = time.perf_counter_ns()
        await pick(seed)
        out.append((time.perf_counter_ns() - started) / 1000)
    return out


def summary(times: list[float]) -> dict:
    times = sorted(times)
    return {"median_us": round(statistics.median(times), 1), "p10_us": round(times[len(times) // 10], 1),
            "p90_us": round(times[len(times) * 9 // 10], 1)}


async def bench(path: str, picks: int, policy: str | None = None) -> dict:
    scenario = json.load(open(path))
    now = datetime.fromisoformat(scenario["now"]) if scenario.get("now") else datetime(2026, 4, 27, 10, 0)
    repo = MemoryRepo(scenario)
    picker = ep.Picker.builtin() if policy is None else ep.Picker.from_file(policy)

    async def ours(seed):
        return await picker.pick(repo, seed=seed, now=now)

    async def theirs(seed):
        return await scheduler.pick(repo, rand=random.Random(seed), now=now)

    for pick in (ours, theirs):  # warm-up: caches, the instance, imports
        await timed(pick, range(200))
    results = {"ours": [], "theirs": []}
    for block in range(0, picks, 100):
        seeds = range(block, min(block + 100, picks))
        results["ours"] += await timed(ours, seeds)
        results["theirs"] += await timed(theirs, seeds)
    report = {name: summary(times) for name, times in results.items()}
    report["ours_over_theirs"] = round(report["ours"]["median_us"] / report["theirs"]["median_us"], 3)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workloads", nargs="+")
    parser.add_argument("--picks", type=int, default=3000)
    parser.add_argument("--policy", help="a policy component (default: the built-in default policy)")
    args = parser.parse_args()
    for path in args.workloads:
        report = asyncio.run(bench(path, args.picks, args.policy))
        print(json.dumps({"workload": path, "policy": args.policy or "builtin:default", **report}))


if __name__ == "__main__":
    main()
