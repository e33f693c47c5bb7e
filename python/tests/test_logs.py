"""What the host logs reaches Python's ``logging``, on the caller's thread,
at the level the caller set."""
from __future__ import annotations

import logging
import threading

import pytest

import emailgen_picker as ep
from conftest import NOW, FakeRepo, company, people, persona

pytestmark = pytest.mark.asyncio


def office():
    return company(people(4, active_hours="00:00-00:00"))


def lines(caplog, logger: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == logger or r.name.startswith(logger + ".")]


async def test_a_policys_debug_line_reaches_its_logger_when_the_level_allows(caplog):
    picker = ep.Picker.builtin()
    with caplog.at_level(logging.WARNING, logger="emailgen_picker"):
        await picker.pick(FakeRepo(), now=NOW, seed=1)
    assert not lines(caplog, "emailgen_picker.policy"), "a debug line is not logged at WARNING"
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="emailgen_picker"):
        assert await picker.pick(FakeRepo(), now=NOW, seed=1) is None
    [line] = lines(caplog, "emailgen_picker.policy")
    assert (line.levelno, line.getMessage()) == (logging.DEBUG, "emailgen pick: no running mail decky")
    assert line.thread == threading.get_ident(), "logged on the caller's thread"


async def test_a_dropped_persona_entry_is_a_warning_of_the_host(caplog):
    repo = company(people(3) + [persona("Bad", "no-at-sign")])
    with caplog.at_level(logging.WARNING, logger="emailgen_picker"):
        await ep.Picker.builtin().pick(repo, now=NOW, seed=1)
    [line] = lines(caplog, "emailgen_picker.host")
    assert line.levelno == logging.WARNING
    assert line.getMessage() == "personas of topology t1: persona #3 dropped: email \"no-at-sign\" has no '@'"


async def test_forged_lines_stay_inside_one_escaped_record(hostile_wasm, seeds, caplog):
    picker = ep.Picker.from_file(hostile_wasm)
    with caplog.at_level(logging.DEBUG, logger="emailgen_picker"):
        await picker.pick(office(), now=NOW, seed=seeds["FORGED_LOG_LINES"])
    policy = [r.getMessage() for r in lines(caplog, "emailgen_picker.policy")]
    assert any("all quiet" in m for m in policy), policy
    assert all("\n" not in m and "\r" not in m and "\x1b" not in m for m in policy), policy
    forged = "ERROR host: policy slot compromised"
    assert not any(r.getMessage().startswith(forged) for r in caplog.records)


async def test_promotions_and_rollbacks_are_logged_with_the_reason(hostile_wasm, seeds, caplog):
    slot = ep.PolicySlot(ep.Picker.builtin(), rollback_after=2)
    with caplog.at_level(logging.INFO, logger="emailgen_picker"):
        await slot.swap(ep.Picker.from_file(hostile_wasm), canary_repo=office(), now=NOW, seed=seeds["NORMAL"])
        for _ in range(2):
            with pytest.raises(ep.PolicyTrap):
                await slot.pick(office(), now=NOW, seed=seeds["PANIC"])
        await slot.swap(ep.Picker.builtin("realistic"), canary_repo=office(), now=NOW, seed=1)
        slot.rollback()
    messages = [r.getMessage() for r in lines(caplog, "emailgen_picker.host")]
    assert any(m.startswith("policy hostile_policy (") and m.endswith("promoted") for m in messages), messages
    assert any(m.startswith("rolled back from policy hostile_policy to default") and "2 failed picks in a row" in m
               and "Trap" in m for m in messages), messages
    assert any(m.startswith("rolled back from policy realistic to default") and m.endswith("on demand")
               for m in messages), messages
