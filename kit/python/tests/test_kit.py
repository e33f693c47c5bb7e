"""The Python kit in plain Python: headers derived exactly as the host
derives (and checks) them, the helpers' draws, the local runner."""
from __future__ import annotations

import json
import pathlib

import re
from datetime import datetime

import pytest

from emailgen_policy import (Action, Chosen, ErrorKind, PickError, PickRng, Policy, Skip, Tick, TooFew, TooFewActive,
                             TooFewPersonas, new_thread_id, references_for_reply, reply_subject)
from emailgen_policy.testing import ScenarioRun, parse_personas

SAMPLES = pathlib.Path(__file__).resolve().parents[3] / "tests" / "scenarios" / "samples"


@pytest.mark.parametrize("subject, reply", [
    ("Q3 budget", "Re: Q3 budget"),
    ("Re: Re: Q3 budget", "Re: Q3 budget"),
    ("RE: Q3 budget", "Re: Q3 budget"),
    ("  RE: re:Budget v2", "Re: Budget v2"),
    ("rE:re:  x  ", "Re: x"),
    ("", "Re: "),
    ("Re:", "Re: "),
    ("Regarding lunch", "Re: Regarding lunch"),
    ("Ré: café", "Re: Ré: café"),
    ("Quarterly\tforecast – v2", "Re: Quarterly\tforecast – v2"),
    ("\x1fRe:\x1c\tQ3\x1d", "Re: Q3"),
])
def test_a_reply_subject_is_the_hosts(subject, reply):
    assert reply_subject(subject) == reply


def test_references_append_the_parent():
    assert references_for_reply([], "<m1@x.io>") == "<m1@x.io>"
    assert references_for_reply(["<m1@x.io>", "<m2@x.io>"], "<m3@x.io>") == "<m1@x.io> <m2@x.io> <m3@x.io>"


def test_thread_ids_are_canonical_uuid_v4_and_follow_the_seed():
    ids = {new_thread_id(PickRng(seed)) for seed in range(100)}
    assert len(ids) == 100
    assert all(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", i) for i in ids)
    assert new_thread_id(PickRng(7)) == new_thread_id(PickRng(7))


def test_personas_are_parsed_as_the_host_parses_them():
    text = json.dumps([{"name": "Ana", "email": "ana@x.io", "role": "CFO", "active_hours": "22:00-06:00",
                        "reply_latency": "fast"},
                       {"name": "No mail"},
                       {"name": "Bo", "email": "bo@x.io", "role": "IT", "tone": "technical"}])
    ana, bo = parse_personas(text)
    assert (ana.position, ana.start, ana.end, ana.reply_latency.value) == (0, 22 * 60, 6 * 60, "fast")
    assert (bo.position, bo.tone.value) == (2, "technical"), "positions count the dropped entry"
    assert ana.is_active(23 * 60) and ana.is_active(60) and not ana.is_active(12 * 60)


class Default(Policy):
    def pick(self, tick: Tick):
        decky = tick.choose_mail_decky()
        if decky is None:
            return tick.no_mail_decky()
        return tick.pick_on(decky, lambda _: tick.reply_probability(0.6))


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_the_default_steps_decide_each_sample_as_expected(sample):
    scenario = json.loads(sample.read_text())
    expect = scenario["expect"]
    outcome = ScenarioRun(Default, scenario).pick(seed=scenario.get("seed") or 1)
    if expect["outcome"] == "action":
        assert isinstance(outcome, Action), outcome
        for key, value in expect.get("action", {}).items():
            if key in ("mail_decky_name", "mail_decky_services"):
                continue
            assert getattr(outcome.action, key) == value, key
        emails = {outcome.action.sender.email, outcome.action.recipient.email}
        assert emails <= set(expect.get("persona_emails", emails))
    else:
        assert isinstance(outcome, Skip), outcome
        kind = {"no_mail_decky": "NoMailDecky", "too_few_personas": "TooFewPersonas",
                "too_few_active": "TooFewActive"}[expect["reason"]["kind"]]
        assert type(outcome.reason).__name__ == kind


def office(**extra):
    people = [{"name": n, "email": f"{n.lower()}@x.io", "role": "Staff"} for n in ("Ana", "Bo", "Cy")]
    return {"now": "2026-04-27T10:00:00",
            "deckies": [{"uuid": "mx", "services": ["imap"], "source": "topology", "topology_id": "t"}],
            "topologies": {"t": {"email_personas": json.dumps(people)}}, **extra}


def test_a_pair_never_shares_an_address_and_follows_the_seed():
    run = ScenarioRun(Default, office())
    for seed in range(100):
        action = run.pick(seed=seed).action
        assert action.sender.email != action.recipient.email
    assert run.pick_fresh(seed=3) == run.pick_fresh(seed=3)


def test_skips_name_the_source_and_the_count():
    lonely = office()
    lonely["topologies"]["t"]["email_personas"] = json.dumps([{"name": "A", "email": "a@x.io", "role": "R"}])
    skip = ScenarioRun(Default, lonely).pick(seed=1)
    assert isinstance(skip.reason, TooFewPersonas) and skip.reason.shortage.count == 1
    night = ScenarioRun(Default, office()).pick(seed=1, now=datetime(2026, 4, 27, 3, 0))
    assert isinstance(night.reason, TooFewActive) and night.reason.shortage.source == "topology"


def test_a_store_failure_and_a_bad_probability_are_pick_errors():
    run = ScenarioRun(Default, office())
    run.host.failing = "topology-personas"
    with pytest.raises(PickError) as failed:
        run.pick(seed=1)
    assert failed.value.kind is ErrorKind.STORE and "topology-personas failed" in failed.value.message
    with pytest.raises(PickError) as invalid:
        ScenarioRun(Default, office()).pick(seed=1, reply_probability=1.5)
    assert invalid.value.kind is ErrorKind.INVALID_INPUT


def test_choose_pair_where_counts_the_candidates():
    run = ScenarioRun(Default, office())
    personas = parse_personas(office()["topologies"]["t"]["email_personas"])
    tick = Tick(run.host, run.cache, run.options)
    assert isinstance(tick.choose_pair_where(personas, lambda p: p.email != "ana@x.io"), Chosen)
    assert tick.choose_pair_where(personas, lambda p: p.email == "ana@x.io") == TooFew(1)
