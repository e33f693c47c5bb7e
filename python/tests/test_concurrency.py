"""Many picks at once on one picker, interleaved on one loop."""
from __future__ import annotations

import asyncio
import json

import pytest

import emailgen_picker as ep
from conftest import BENCH, FakeRepo, ScenarioRepo, scenario_options

pytestmark = pytest.mark.asyncio


async def test_200_concurrent_picks_are_each_an_action_or_a_skip_none_lost_or_mixed_up():
    scenario = json.loads((BENCH / "medium.json").read_text())
    options = scenario_options(scenario)
    picker = ep.Picker.builtin()
    # What each seed gives, one at a time.
    expected = {seed: (await picker.pick_outcome(ScenarioRepo(scenario), **{**options, "seed": seed})).to_json()
                for seed in range(200)}
    # Every repository method awaits asyncio.sleep(0): the picks interleave.
    repos = [ScenarioRepo(scenario) for _ in range(200)]
    results = await asyncio.gather(*(picker.pick_outcome(repo, **{**options, "seed": seed})
                                     for seed, repo in enumerate(repos)))
    assert len(results) == 200
    for seed, outcome in enumerate(results):
        assert isinstance(outcome, (ep.Action, ep.Skip))
        assert outcome.to_json() == expected[seed], f"pick {seed} was mixed up"
    interleaved = sum(len(r.calls) for r in repos)
    assert interleaved >= 400, "every pick asked its own repository"


async def test_a_pick_cancelled_while_it_waits_for_the_repository_leaves_the_picker_usable():
    picker = ep.Picker.builtin()

    class Stuck(FakeRepo):
        async def list_running_deckies(self):
            await asyncio.sleep(3600)

    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(picker.pick(Stuck()), timeout=0.05)
    scenario = json.loads((BENCH / "small.json").read_text())
    assert isinstance(await picker.pick_outcome(ScenarioRepo(scenario), **scenario_options(scenario)), ep.Action)
