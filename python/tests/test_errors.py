"""Failures: a repository that raises or answers garbage, and every
behaviour of the hostile policy, each as its exception; the loop is never
held, and the next pick is normal."""
from __future__ import annotations

import asyncio
import time

import pytest

import emailgen_picker as ep
from conftest import NOW, FakeRepo, company, decky, people, topology

pytestmark = pytest.mark.asyncio

# Three personas on mx1 and one thread between any pair, as the Rust
# tests' office.
THREAD = {"thread_id": "th-1", "message_id": "<m1@acme.example>", "subject": "Plans",
          "references": ["<m0@acme.example>"]}


def office() -> FakeRepo:
    return company(people(3, active_hours="00:00-00:00"), threads=[THREAD])


@pytest.fixture(scope="module")
def hostile(hostile_wasm) -> ep.Picker:
    return ep.Picker.from_file(hostile_wasm)


# Instructions enough for what only memory or the call-size limit should
# stop: filling 32 MiB or building a million-entry list takes more than the
# default budget.
UNHURRIED = ep.Limits(instructions=2_000_000_000, deadline_ms=1000)


@pytest.fixture(scope="module")
def unhurried(hostile_wasm) -> ep.Picker:
    return ep.Picker.from_file(hostile_wasm, limits=UNHURRIED)


async def normal_after(picker: ep.Picker, seeds: dict) -> None:
    """The same picker, and the built-in one, pick normally afterwards."""
    assert await picker.pick(office(), now=NOW, seed=seeds["NORMAL"]) is not None
    assert await ep.Picker.builtin().pick(office(), now=NOW, seed=1) is not None


async def test_a_repository_that_raises_is_a_store_error_naming_the_call_and_chaining_its_exception():
    picker = ep.Picker.builtin()
    for call in ("list_running_deckies", "get_topology"):
        with pytest.raises(ep.StoreError) as caught:
            await picker.pick(company(people(3), failing=call), now=NOW, seed=1)
        assert caught.value.call == call and call in caught.value.message
        assert isinstance(caught.value.__cause__, ConnectionError)
        assert caught.value.to_json()["error"]["kind"] == "store"
    with pytest.raises(ep.StoreError, match="list_orchestrator_email_threads"):
        await picker.pick(company(people(3), threads=[THREAD], failing="list_orchestrator_email_threads"),
                          now=NOW, seed=1, reply_probability=1.0)


async def test_answers_that_do_not_fit_are_store_errors_not_crashes():
    picker = ep.Picker.builtin()

    class Garbage(FakeRepo):
        def __init__(self, deckies_answer):
            super().__init__()
            self.deckies_answer = deckies_answer

        async def list_running_deckies(self):
            return self.deckies_answer

    for answer, says in [(42, "not a list"), ([{"services": ["imap"]}], "has no uuid"),
                         ([{"uuid": 7, "services": ["imap"]}], "uuid that is not a string")]:
        with pytest.raises(ep.StoreError, match=says):
            await picker.pick(Garbage(answer), now=NOW, seed=1)
    missing = FakeRepo(deckies=[decky("mx1", ["imap"], "topology", "t1")],
                       topologies={"t1": {"email_personas": "[]"}})
    with pytest.raises(ep.StoreError, match="has no id"):
        await picker.pick(missing, now=NOW, seed=1)
    with pytest.raises(ep.StoreError, match="has no attribute"):
        await picker.pick(object(), now=NOW, seed=1)


async def test_bad_options_are_invalid_input():
    with pytest.raises(ep.InvalidInput, match="reply probability"):
        await ep.Picker.builtin().pick(office(), now=NOW, reply_probability=1.5)
    with pytest.raises(ValueError, match="seed"):
        await ep.Picker.builtin().pick(office(), seed=-1)


@pytest.mark.parametrize("seed_name, error, mentions", [
    ("LOOP_FOREVER", ep.InstructionBudgetExceeded, f"executed {ep.Limits().instructions} instructions"),
    ("SLEEP", ep.DeadlineExceeded, "wasi:io/poll"),
    ("POLL_FOREVER", ep.DeadlineExceeded, "wasi:io/poll"),
    ("OVERFLOW_STACK", ep.PolicyTrap, "trapped"),
    ("PANIC", ep.PolicyTrap, "trapped"),
    ("EXIT", ep.PolicyTrap, "exit"),
    ("IMPORT_STORM", ep.PolicyViolation, "called more than"),
    ("RANDOM_FLOOD", ep.PolicyViolation, "random bytes"),
    ("HANDLE_FLOOD", ep.PolicyViolation, "resource handles"),
    ("HUGE_STRING", ep.PolicyViolation, "more than 1048576 bytes"),
    ("UNKNOWN_DECKY", ep.PolicyViolation, "not a listed mail decky"),
    ("FOREIGN_SENDER", ep.PolicyViolation, "entry 1000000"),
    ("SELF_ADDRESSED", ep.PolicyViolation, "share the address"),
    ("INVENTED_THREAD", ep.PolicyViolation, "never returned"),
    ("HEADER_INJECTION", ep.PolicyViolation, "control character"),
    ("FOREIGN_PAIR_THREAD", ep.PolicyViolation, "another mail decky or pair"),
    ("INVENTED_REFERENCES", ep.PolicyViolation, "ancestry"),
    ("WRONG_SUBJECT", ep.PolicyViolation, "reply subject"),
    ("REUSED_THREAD_ID", ep.PolicyViolation, "thread the host served"),
    ("ODD_DESCRIPTION", ep.PolicyViolation, "email:send"),
    ("EXCERPT_ON_NEW_THREAD", ep.PolicyViolation, "parent_excerpt"),
    ("ODD_THREAD_ID", ep.PolicyViolation, "UUID"),
    ("FALSE_STORE_ERROR", ep.PolicyViolation, "no store call failed"),
])
async def test_every_hostile_behaviour_is_its_exception_and_the_next_pick_is_normal(
        hostile, seeds, seed_name, error, mentions):
    started = time.monotonic()
    with pytest.raises(error, match=mentions) as caught:
        await hostile.pick(office(), now=NOW, seed=seeds[seed_name])
    assert time.monotonic() - started < 2.0, "stopped, not waited out"
    assert caught.value.policy.name == "hostile_policy"
    assert caught.value.to_json()["error"]["kind"] == error.kind
    await normal_after(hostile, seeds)


async def test_running_out_of_memory_is_memory_exceeded(unhurried, seeds):
    with pytest.raises(ep.MemoryExceeded, match="memory limit of 33554432 bytes"):
        await unhurried.pick(office(), now=NOW, seed=seeds["EXHAUST_MEMORY"])
    await normal_after(unhurried, seeds)


async def test_an_amplified_argument_is_a_policy_violation(unhurried, seeds):
    with pytest.raises(ep.PolicyViolation, match="more than 1048576 bytes"):
        await unhurried.pick(office(), now=NOW, seed=seeds["AMPLIFIED_ARGUMENTS"])
    await normal_after(unhurried, seeds)


async def test_running_out_of_instructions_is_the_same_every_time(hostile, seeds):
    """What a pick computes decides its fate: on a fresh instance the same
    pick runs out at the same instruction, every time."""
    counts = set()
    for _ in range(3):
        with pytest.raises(ep.InstructionBudgetExceeded) as caught:
            await hostile.pick(office(), now=NOW, seed=seeds["LOOP_FOREVER"])
        counts.add(caught.value.instructions)
    assert counts == {ep.Limits().instructions}
    outcome = await hostile.pick_outcome(office(), now=NOW, seed=seeds["NORMAL"])
    assert 0 < outcome.instructions < ep.Limits().instructions


async def test_a_wall_clock_error_is_a_deadline_the_policy_is_not_blamed_for(hostile_wasm, seeds):
    limits = ep.Limits(instructions=2_000_000_000, deadline_ms=10, wall_clock_ms=30)
    slow_host = ep.Picker.from_file(hostile_wasm, limits=limits)
    with pytest.raises(ep.WallClockExceeded, match="wall-clock limit of 30 ms") as caught:
        await slow_host.pick(office(), now=NOW, seed=seeds["LOOP_FOREVER"])
    assert isinstance(caught.value, ep.DeadlineExceeded)
    slot = ep.PolicySlot(ep.Picker.builtin(), rollback_after=1)
    await slot.swap(slow_host, canary_repo=office(), now=NOW, seed=seeds["NORMAL"])
    with pytest.raises(ep.WallClockExceeded):
        await slot.pick(office(), now=NOW, seed=seeds["LOOP_FOREVER"])
    assert slot.active.policy.name == "hostile_policy", "not rolled back for the host's slowness"
    with pytest.raises(ep.DeadlineExceeded) as caught:
        await slot.pick(office(), now=NOW, seed=seeds["SLEEP"])  # waits past its 10 ms, inside the 30
    assert not isinstance(caught.value, ep.WallClockExceeded)
    assert slot.active.policy.name == "default", "its own waits are the policy's doing"


@pytest.mark.parametrize("seed_name, error", [("LOOP_FOREVER", ep.InstructionBudgetExceeded),
                                              ("SLEEP", ep.DeadlineExceeded)])
async def test_the_loop_keeps_running_while_a_hostile_pick_runs_into_its_limit(hostile, seeds, seed_name, error):
    """Every turn of the loop is timed (a callback that schedules itself
    again with ``call_soon`` runs once per iteration): while the pick
    computes or waits, no iteration may take much more than the 2 ms slice
    the guest computes for between turns."""
    loop = asyncio.get_running_loop()
    turns: list[float] = []
    beating = True

    def heartbeat() -> None:
        turns.append(time.monotonic())
        if beating:
            loop.call_soon(heartbeat)

    loop.call_soon(heartbeat)
    started = time.monotonic()
    with pytest.raises(error):
        await hostile.pick(office(), now=NOW, seed=seeds[seed_name])
    took = time.monotonic() - started
    beating = False
    await asyncio.sleep(0)
    gaps = [b - a for a, b in zip(turns, turns[1:])]
    assert took > 0.01, "the pick ran long enough to tell"
    # Held for the whole pick, the loop would have turned once, after it.
    assert len(gaps) >= 3 and max(gaps) < 0.02, f"{len(gaps)} turns in {took * 1000:.0f} ms, longest {max(gaps) * 1000:.1f} ms"


async def test_bounded_output_forged_log_lines_and_short_waits_do_not_fail_a_pick(hostile_wasm, seeds):
    # Thousands of writes take a while in a debug build: a second's deadline.
    unhurried = ep.Picker.from_file(hostile_wasm, limits=ep.Limits(deadline_ms=1000))
    for name in ("CHATTY", "LOG_STORM", "FORGED_LOG_LINES", "SHORT_NAP", "READ_STDIN"):
        assert await unhurried.pick(office(), now=NOW, seed=seeds[name]) is not None, name
