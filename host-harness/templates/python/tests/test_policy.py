"""The policy's tests, in plain Python (no Wasm): `pytest` in this directory."""
import pathlib
import sys

from emailgen_policy import Action
from emailgen_policy.testing import ScenarioRun

sys.path.insert(0, str(pathlib.Path(__file__).parent.parent))
from policy import Conversational  # noqa: E402

OFFICE = pathlib.Path(__file__).parent.parent / "scenarios" / "office.json"


def test_every_pick_in_the_office_is_an_action():
    run = ScenarioRun(Conversational, OFFICE)
    assert all(isinstance(run.pick(seed=seed), Action) for seed in range(50))


def test_a_pair_with_a_thread_mostly_replies():
    run = ScenarioRun(Conversational, OFFICE)
    replies = sum(1 for seed in range(200) if run.pick(seed=seed).action.is_reply)
    # Both people of the office share one thread: about 160 of 200.
    assert 130 <= replies <= 190, replies


def test_the_same_seed_decides_the_same():
    run = ScenarioRun(Conversational, OFFICE)
    assert run.pick_fresh(seed=7) == run.pick_fresh(seed=7)
