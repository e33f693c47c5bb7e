"""The picker through the package, against a fake of DECNET's repository:
every skip reason, both persona sources and their isolation, reply
chaining, seeded determinism, and the CLI's JSON for every sample."""
from __future__ import annotations

import json
import subprocess

import pytest

import emailgen_picker as ep
from conftest import (BENCH, NOW, SAMPLES, FakeRepo, ScenarioRepo, company, decky, people, persona,
                      scenario_options, topology)

pytestmark = pytest.mark.asyncio


@pytest.fixture(scope="module")
def picker() -> ep.Picker:
    return ep.Picker.builtin()


async def test_an_action_has_decnets_fields_and_the_resolved_personas(picker):
    repo = company(people(2) + [persona("Ana", "ana@acme.example", language="sv", mannerisms=["says hej"])])
    action = await picker.pick(repo, now=NOW, seed=3, reply_probability=0.0)
    assert isinstance(action, ep.EmailAction)
    assert (action.mail_decky_uuid, action.mail_decky_name, action.mail_decky_services) == ("mx1", "mx1-host", ("imap", "smtp"))
    assert action.sender.email != action.recipient.email
    for p in (action.sender, action.recipient):
        assert isinstance(p, ep.Persona) and p.tone == "casual" and p.active_hours == "09:00-18:00"
        assert p.language == ("sv" if p.email == "ana@acme.example" else "en")
    assert action.is_reply is False and action.parent_message_id is None and action.references == ""
    assert action.subject_hint is None and action.parent_excerpt is None and len(action.thread_id) == 36
    assert action.description == "email:send"
    assert action.policy == picker.policy and picker.policy.name == "default"


async def test_no_mail_decky_is_a_skip_and_pick_returns_none(picker):
    repo = FakeRepo(deckies=[decky("web", ["http", "ssh"])])
    assert await picker.pick(repo, now=NOW) is None
    skip = await picker.pick_outcome(repo, now=NOW)
    assert isinstance(skip, ep.Skip) and skip.kind == "no_mail_decky"
    assert skip.to_json() == {"outcome": "skip", "reason": {"kind": "no_mail_decky"}}


async def test_too_few_personas_and_too_few_active_name_the_source_and_count(picker):
    one = await picker.pick_outcome(company(people(1)), now=NOW)
    assert (one.kind, one.source, one.mail_decky_uuid, one.count) == ("too_few_personas", "topology", "mx1", 1)
    night = company(people(3, active_hours="09:00-17:00"))
    off = await picker.pick_outcome(night, now=NOW.replace(hour=3))
    assert (off.kind, off.source, off.count) == ("too_few_active", "topology", 0)
    shared = company([persona("A", "same@acme.example"), persona("B", "same@acme.example")])
    assert (await picker.pick_outcome(shared, now=NOW)).kind == "too_few_active"


async def test_a_missing_topology_and_invalid_entries_leave_too_few_personas(picker):
    repo = company(people(2))
    repo.topologies.clear()
    assert (await picker.pick_outcome(repo, now=NOW)).count == 0
    broken = company([persona("A", "a@acme.example"), {"name": "no email"}, "not an object"])
    assert (await picker.pick_outcome(broken, now=NOW)).count == 1


async def test_fleet_deckies_use_the_global_pool_and_topologies_their_own(picker):
    pool = people(3, domain="pool.example")
    repo = FakeRepo(deckies=[decky("fleet-mx", ["pop3"], "fleet"), decky("shard-mx", ["imap"], "shard")],
                    topologies={"t1": topology("t1", people(3))})
    for seed in range(20):
        action = await picker.pick(repo, now=NOW, seed=seed, global_personas=pool)
        assert action.sender.email.endswith("@pool.example") and action.recipient.email.endswith("@pool.example")
    assert not any(call[0] == "get_topology" for call in repo.calls), "a fleet decky never reads a topology"
    empty = await picker.pick_outcome(repo, now=NOW, global_personas=[])
    assert (empty.kind, empty.source in ("fleet", "shard"), empty.count) == ("too_few_personas", True, 0)
    mixed = FakeRepo(deckies=[decky("mx1", ["imap"], "topology", "t1")], topologies={"t1": topology("t1", people(3))})
    for seed in range(20):
        action = await picker.pick(mixed, now=NOW, seed=seed, global_personas=pool)
        assert action.sender.email.endswith("@acme.example"), "a topology decky never uses the pool"


async def test_a_reply_chains_on_the_pairs_newest_thread(picker):
    p = people(2)
    thread = {"thread_id": "th-9", "message_id": "<m2@acme.example>", "subject": "  RE: re:Budget v2",
              "references": ["<m1@acme.example>"], "mail_decky_uuid": "mx1",
              "sender_email": p[0]["email"], "recipient_email": p[1]["email"]}
    repo = company(p, threads=[thread])
    action = await picker.pick(repo, now=NOW, seed=1, reply_probability=1.0)
    assert action.is_reply and action.thread_id == "th-9"
    assert action.parent_message_id == "<m2@acme.example>"
    assert action.references == "<m1@acme.example> <m2@acme.example>"
    assert action.subject_hint == action.context_hint == "Re: Budget v2"
    lookup = [c for c in repo.calls if c[0] == "list_orchestrator_email_threads"]
    assert lookup and lookup[0][1] == "mx1" and {lookup[0][2], lookup[0][3]} == {p[0]["email"], p[1]["email"]}


async def test_the_same_seed_gives_the_same_action_and_no_seed_varies(picker):
    repo = company(people(6))
    first = [await picker.pick(repo, now=NOW, seed=s, reply_probability=0.0) for s in range(10)]
    again = [await picker.pick(repo, now=NOW, seed=s, reply_probability=0.0) for s in range(10)]
    assert first == again
    unseeded = {(await picker.pick(repo, now=NOW)).thread_id for _ in range(10)}
    assert len(unseeded) == 10


async def test_a_random_generator_given_as_rand_seeds_the_pick(picker):
    import random
    repo = company(people(6))
    a = await picker.pick(repo, now=NOW, rand=random.Random(5))
    b = await picker.pick(repo, now=NOW, rand=random.Random(5))
    assert a == b


async def test_plain_methods_work_as_well_as_coroutines(picker):
    class Plain:
        def list_running_deckies(self):
            return [decky("mx1", ["imap"], "topology", "t1")]

        def get_topology(self, topology_id):
            return topology(topology_id, people(2))

        def list_orchestrator_email_threads(self, *args, limit=20):
            return []

    assert (await picker.pick(Plain(), now=NOW, seed=1)).mail_decky_uuid == "mx1"


async def test_rows_may_be_objects_with_attributes(picker):
    class Row:
        def __init__(self, **fields):
            self.__dict__.update(fields)

    class Models(FakeRepo):
        async def get_topology(self, topology_id):  # DECNET returns a pydantic model here
            row = await super().get_topology(topology_id)
            return Row(**row) if row else None

    action = await picker.pick(Models(deckies=[decky("mx1", ["imap"], "topology", "t1")],
                                      topologies={"t1": topology("t1", people(2))}), now=NOW, seed=2)
    assert action.mail_decky_uuid == "mx1"


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.json")), ids=lambda p: p.stem)
async def test_to_json_is_the_clis_line_for_every_sample_scenario(path, picker, harness):
    scenario = json.loads(path.read_text())
    for seed in (7, 8, 9):
        cli = subprocess.run([str(harness), "pick", "--scenario", str(path), "--seed", str(seed)],
                             capture_output=True, text=True, check=True)
        options = {**scenario_options(scenario), "seed": seed}
        outcome = await picker.pick_outcome(ScenarioRepo(scenario), **options)
        assert outcome.to_json() == json.loads(cli.stdout), f"seed {seed}"


@pytest.mark.parametrize("workload", ["small", "medium", "large"])
async def test_the_bench_workloads_pick_as_the_cli_does(workload, picker, harness):
    path = BENCH / f"{workload}.json"
    scenario = json.loads(path.read_text())
    cli = subprocess.run([str(harness), "pick", "--scenario", str(path), "--seed", "100", "--repeat", "5"],
                         capture_output=True, text=True, check=True)
    expected = [json.loads(line) for line in cli.stdout.splitlines()]
    got = [(await picker.pick_outcome(ScenarioRepo(scenario), **{**scenario_options(scenario), "seed": 100 + i})).to_json()
           for i in range(5)]
    assert got == expected


async def test_the_realistic_policy_is_built_in_too():
    realistic = ep.Picker.builtin("realistic")
    assert realistic.policy.name == "realistic"
    saturday = NOW.replace(day=25)
    skip = await realistic.pick_outcome(company(people(4)), now=saturday, seed=1)
    assert (skip.kind, skip.count) == ("too_few_active", 0)
    with pytest.raises(ep.LoadError, match="no built-in policy"):
        ep.Picker.builtin("nonesuch")


async def test_limits_are_checked():
    with pytest.raises(ValueError, match="deadline_ms"):
        ep.Picker.builtin(limits=ep.Limits(deadline_ms=0))
    with pytest.raises(ValueError, match="memory_mib"):
        ep.Picker.builtin(limits=ep.Limits(memory_mib=100_000))


async def test_without_global_personas_the_pool_file_is_read_and_an_edit_is_picked_up(picker, tmp_path, monkeypatch):
    pool = tmp_path / "email_personas.json"
    pool.write_text(json.dumps(people(2, domain="first.example")))
    monkeypatch.setenv("DECNET_REALISM_PERSONAS", str(pool))
    repo = FakeRepo(deckies=[decky("fleet-mx", ["imap"], "fleet")])
    assert (await picker.pick(repo, now=NOW, seed=1)).sender.email.endswith("@first.example")
    pool.write_text(json.dumps(people(2, domain="second.example")))
    import os
    os.utime(pool, (0, 1_000_000_000))  # a new modification time, whatever the clock's resolution
    assert (await picker.pick(repo, now=NOW, seed=1)).sender.email.endswith("@second.example")
    monkeypatch.setenv("DECNET_REALISM_PERSONAS", str(tmp_path / "missing.json"))
    skip = await picker.pick_outcome(repo, now=NOW, seed=1)
    assert (skip.kind, skip.source, skip.count) == ("too_few_personas", "fleet", 0)
