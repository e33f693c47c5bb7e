"""The night shift's rules, in plain Python against a scenario (no Wasm)."""
import pathlib
import sys
from datetime import datetime

from emailgen_policy import Action, Skip, TooFewActive
from emailgen_policy.testing import ScenarioRun

sys.path.insert(0, str(pathlib.Path(__file__).parent.parent))
from policy import HANDOVER, NightShift  # noqa: E402

WARD = pathlib.Path(__file__).parent.parent / "scenarios" / "ward.json"
NIGHT_SHIFT = {"cy@ward.example", "di@ward.example"}


def test_at_night_only_the_night_shift_writes_and_mostly_answers():
    run = ScenarioRun(NightShift, WARD)
    actions = [run.pick(seed=seed).action for seed in range(200)]
    assert all({a.sender.email, a.recipient.email} == NIGHT_SHIFT for a in actions)
    replies = sum(a.is_reply for a in actions)
    assert 160 <= replies <= 195, replies
    assert all(a.context_hint == HANDOVER for a in actions if not a.is_reply)


def test_by_day_the_day_shift_writes_as_the_default_policy_lets_it():
    run = ScenarioRun(NightShift, WARD)
    outcomes = [run.pick(seed=seed, now=datetime(2026, 4, 27, 10, 0)) for seed in range(50)]
    assert all(isinstance(o, Action) for o in outcomes)
    assert {o.action.sender.email for o in outcomes} == {"ana@ward.example", "bo@ward.example"}


def test_a_company_without_a_night_shift_is_quiet_at_night():
    scenario = __import__("json").loads(WARD.read_text())
    scenario["topologies"]["ward"]["email_personas"] = scenario["topologies"]["ward"]["email_personas"][:2]
    outcome = ScenarioRun(NightShift, scenario).pick(seed=1)
    assert isinstance(outcome, Skip) and isinstance(outcome.reason, TooFewActive)
    assert outcome.reason.shortage.count == 0
