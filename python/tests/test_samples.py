"""The sample scenarios through the package: each gives the outcome its
``expect`` names, and the repository's copy is the shared one."""
from __future__ import annotations

import json

import pytest

import emailgen_picker as ep
from conftest import SAMPLES, SHARED_SAMPLES, ScenarioRepo, scenario_options

PICKS = 10


def unmet(want, got, at: str = "") -> str | None:
    """Why ``got`` does not hold every field of ``want``, if it does not."""
    if not isinstance(want, dict):
        return None if want == got else f"{at}: expected {want!r}, got {got!r}"
    if not isinstance(got, dict):
        return f"{at}: expected an object, got {got!r}"
    for key, value in want.items():
        why = f"{at}.{key}: missing" if key not in got else unmet(value, got[key], f"{at}.{key}")
        if why:
            return why
    return None


def unmet_expectation(expect: dict, line: dict) -> str | None:
    if line["outcome"] != expect["outcome"]:
        return f"outcome: expected {expect['outcome']}, got {line}"
    for key in ("reason", "action"):
        if key in expect and (why := unmet(expect[key], line.get(key), key)):
            return why
    people = [line["action"]["sender"], line["action"]["recipient"]] if "action" in line else []
    if "persona_emails" in expect and sorted(p["email"] for p in people) != sorted(expect["persona_emails"]):
        return f"sender and recipient: expected {expect['persona_emails']}, got {line}"
    if "language" in expect and any(p["language"] != expect["language"] for p in people):
        return f"language: expected {expect['language']!r}, got {line}"
    return None


@pytest.mark.asyncio
@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.json")), ids=lambda p: p.stem)
async def test_every_sample_gives_its_expected_outcome(path):
    picker = ep.Picker.builtin()
    scenario = json.loads(path.read_text())
    for _ in range(PICKS):
        outcome = await picker.pick_outcome(ScenarioRepo(scenario), **scenario_options(scenario))
        assert unmet_expectation(scenario["expect"], outcome.to_json()) is None


def test_the_expectation_check_sees_a_difference():
    expect = {"outcome": "action", "action": {"is_reply": True}, "persona_emails": ["a@x.y", "b@x.y"]}

    def line(reply: bool, to: str) -> dict:
        return {"outcome": "action", "action": {"is_reply": reply, "sender": {"email": "a@x.y"},
                                                "recipient": {"email": to}}}

    assert unmet_expectation(expect, line(True, "b@x.y")) is None
    assert "is_reply" in unmet_expectation(expect, line(False, "b@x.y"))
    assert "sender and recipient" in unmet_expectation(expect, line(True, "c@x.y"))
    assert "outcome" in unmet_expectation(expect, {"outcome": "skip"})


def test_the_samples_are_there():
    assert len(list(SAMPLES.glob("*.json"))) >= 9, f"the sample scenarios belong in {SAMPLES}"


@pytest.mark.skipif(not SHARED_SAMPLES.is_dir(), reason=f"{SHARED_SAMPLES} is not beside this repository")
def test_the_copy_is_the_shared_samples():
    shared = {p.name: p.read_bytes() for p in SHARED_SAMPLES.glob("*.json")}
    copy = {p.name: p.read_bytes() for p in SAMPLES.glob("*.json")}
    assert copy == shared, "refresh tests/scenarios/samples from ../shared/scenarios (tests/scenarios/README.md)"
