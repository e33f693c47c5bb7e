"""Pick records fit their JSON Schema (schema/pick-record.v2.schema.json):
records of every kind, made through the package and through the CLI; the
schema of version 1 (records written before what a pick cost was
recorded) still describes the records of then."""
from __future__ import annotations

import json
import subprocess

import jsonschema
import pytest

import emailgen_picker as ep
from conftest import NOW, ROOT, FakeRepo, company, decky, people

SCHEMA = json.loads((ROOT / "schema" / "pick-record.v2.schema.json").read_text())
SCHEMA_V1 = json.loads((ROOT / "schema" / "pick-record.v1.schema.json").read_text())
THREAD = {"thread_id": "th-1", "message_id": "<m1@acme.example>", "subject": "Plans", "references": ["<m0@acme.example>"]}


def validator(schema: dict = SCHEMA) -> jsonschema.Validator:
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def assert_fits(path) -> list[dict]:
    check = validator()
    records = [json.loads(line) for line in path.read_text().splitlines()]
    for i, record in enumerate(records, 1):
        errors = [f"{e.message} at {list(e.absolute_path)}" for e in check.iter_errors(record)]
        assert not errors, f"record {i} does not fit the schema: {errors}"
    return records


def office(**repo) -> FakeRepo:
    return company(people(3, active_hours="00:00-00:00"), threads=[THREAD], **repo)


@pytest.mark.asyncio
async def test_records_of_every_kind_fit_the_schema(tmp_path, hostile_wasm, seeds):
    path = tmp_path / "every-kind.jsonl"
    recorder = ep.Recorder(path)
    picker = ep.Picker.builtin(record=recorder)
    for seed in range(10):  # actions, new threads and replies
        await picker.pick(office(), now=NOW, seed=seed, reply_probability=0.5)
    await picker.pick_outcome(FakeRepo(deckies=[decky("web", ["http"])]), now=NOW)  # no mail decky
    await picker.pick_outcome(company(people(1)), now=NOW)  # too few personas
    await picker.pick_outcome(FakeRepo(deckies=[decky("fleet-mx", ["imap"], "fleet")]), now=NOW,
                              global_personas=people(2))  # the global pool
    await picker.pick(office())  # the host's seed and clock
    with pytest.raises(ep.StoreError):
        await picker.pick(office(failing="get_topology"), now=NOW, seed=1)
    hostile = ep.Picker.from_file(hostile_wasm, record=recorder)
    for name in ("PANIC", "LOOP_FOREVER", "HUGE_STRING", "FALSE_STORE_ERROR", "WRONG_SUBJECT"):
        with pytest.raises(ep.PickError):
            await hostile.pick(office(), now=NOW, seed=seeds[name])
    with pytest.raises(ep.InvalidInput):
        await picker.pick(office(), now=NOW, reply_probability=2.0)
    recorder.flush()
    records = assert_fits(path)
    assert len(records) == 21
    outcomes = {r["outcome"]["outcome"] for r in records}
    kinds = {r["outcome"]["error"]["kind"] for r in records if r["outcome"]["outcome"] == "error"}
    calls = {c["call"] for r in records for c in r["calls"]}
    assert outcomes == {"action", "skip", "error"}
    assert kinds == {"store", "trap", "instructions", "policy-violation", "invalid-input"}
    assert all(r["instructions"] >= 0 and isinstance(r["fresh"], bool) for r in records)
    budget = [r for r in records if r["outcome"].get("error", {}).get("kind") == "instructions"]
    assert [r["instructions"] for r in budget] == [ep.Limits().instructions]
    assert calls == {"list_running_deckies", "get_topology", "list_email_threads", "global_personas", "local_now"}
    assert any("error" in c for r in records for c in r["calls"]), "a store failure is recorded as one"


@pytest.mark.asyncio
async def test_records_the_cli_writes_fit_the_schema(tmp_path, harness):
    week = tmp_path / "day.jsonl"
    subprocess.run([str(harness), "simulate", "--seed", "2", "--from", "2026-04-27T00:00:00", "--to",
                    "2026-04-28T00:00:00", "--json", "--record", str(week)], check=True, capture_output=True)
    picks = tmp_path / "picks.jsonl"
    subprocess.run([str(harness), "pick", "--scenario", str(ROOT / "examples" / "acme.json"), "--repeat", "20",
                    "--record", str(picks)], check=True, capture_output=True)
    assert len(assert_fits(week)) == 24 * 12
    assert len(assert_fits(picks)) == 20


def test_the_schema_refuses_what_a_record_may_not_be():
    check = validator()
    v1 = {"record": 1, "time": "2026-12-02T17:30:49.799420Z",
          "policy": {"name": "default", "sha256": "a" * 64, "wit_version": "0.2.2"},
          "options": {"seed": 1, "now": None, "reply_probability": None}, "seed_drawn": True, "calls": [],
          "outcome": {"outcome": "skip", "reason": {"kind": "no_mail_decky"}}, "duration_us": 3.5}
    assert validator(SCHEMA_V1).is_valid(v1), "version 1 records are still described"
    good = {**v1, "record": 2, "instructions": 12345, "fresh": False}
    assert check.is_valid(good)
    budget = {**good, "outcome": {"outcome": "error", "error": {"kind": "instructions", "message": "ran out"}}}
    assert check.is_valid(budget)
    without_cost = {key: value for key, value in good.items() if key != "instructions"}
    for broken in ({**good, "record": 1}, {**good, "extra": 1}, without_cost, {**good, "instructions": -1},
                   {**good, "outcome": {"outcome": "action", "action": {}}},
                   {**good, "calls": [{"call": "get_topology", "id": "t1"}]},
                   {**good, "calls": [{"call": "drop_tables"}]},
                   {**good, "policy": {**good["policy"], "sha256": "not hex"}}):
        assert not check.is_valid(broken), broken
