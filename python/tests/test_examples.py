"""The code the documentation shows runs: python/examples/worker.py (the
book includes it) and the example in python/README.md (the package's front
page), against a repository shaped like DECNET's."""
from __future__ import annotations

import asyncio
import importlib.util
import random
import re

import pytest

from conftest import NOW, ROOT, FakeRepo, company, people

pytestmark = pytest.mark.asyncio


def worker():
    spec = importlib.util.spec_from_file_location("worker_example", ROOT / "python/examples/worker.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_the_workers_pick_is_decnets_one_line_change():
    example = worker()
    always = company(people(3, active_hours="00:00-00:00"))  # the tick reads the host's clock
    action = await example.tick(always, random.Random(1))
    assert action is not None and action.sender.email != action.recipient.email


async def test_an_outcome_is_explained_for_each_kind():
    example = worker()
    assert "writes to" in await example.explain(company(people(3)), NOW)
    assert await example.explain(company(people(1)), NOW) == "skip too_few_personas on mx1 (topology, 1 personas)"
    failing = company(people(3), failing="list_running_deckies")
    assert (await example.explain(failing, NOW)).startswith("store error in list_running_deckies")


async def test_a_swap_is_made_and_rolled_back(realistic_wasm):
    example = worker()
    info = await example.swap_in(company(people(3)), str(realistic_wasm), random.Random(2))
    assert info.name == "default", "rolled back to the picker the slot started with"


async def test_the_readme_example_runs():
    text = (ROOT / "python" / "README.md").read_text()
    [code] = re.findall(r"```python\n(.*?)```", text, re.S)
    namespace = {"repo": FakeRepo, "asyncio": asyncio}
    exec(compile(code, "python/README.md", "exec"), namespace)  # noqa: S102 - our own README
    assert await namespace["main"](company(people(3))) is not None
